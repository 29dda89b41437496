"""Use cases. The only place a transaction starts: each takes a unit of work and commits once."""
