"""Server-rendered pages (Jinja2). Every asset is served by the app; nothing comes from the internet."""
