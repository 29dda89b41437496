"""The hub's vocabulary: identifiers, entities, rules and events. Pure Python, no I/O imports."""
