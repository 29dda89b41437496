"""The migrations form one line of history: exactly one head, so the next migration knows what to follow."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from landbridge.store.migrate import alembic_config


def test_the_migrations_have_exactly_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"migration heads {sorted(heads)}: add a merge migration or point yours at main's head"
