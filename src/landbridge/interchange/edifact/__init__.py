"""UN/EDIFACT for a container terminal: syntax (pydifact), segment tables and typed message models.

Pure parse/serialise: nothing here touches the database. ``syntax`` splits a stream into
interchanges and messages and tokenises them with pydifact; ``tables`` checks a message against
our declarative segment table; each message module (``codeco``, ``coprar``, ``coarri``,
``coparn``, ``baplie``, ``vermas``, ``movins``, ``contrl``) maps segments to a typed model and back.
"""
