"""``landbridge db load-twin``: a seeded twin run played through the operations services (issue #19)."""
