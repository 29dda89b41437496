"""HTTP API (FastAPI): OpenAPI at /docs, the hub's resources under /api/v1."""
