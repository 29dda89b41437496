"""api users: token expiry and revocation

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 08:00:00

Why: a bearer token never expired and could not be revoked; a leaked one worked for ever. Tokens
now carry ``expires_at`` and a user can be revoked (``landbridge users revoke``). Tokens issued
before this revision get 90 days from the upgrade, so nobody is locked out by the upgrade itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

LEGACY_VALIDITY = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_users") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    expiry = datetime.now(UTC) + LEGACY_VALIDITY
    bind = op.get_bind()
    stored: object = expiry.replace(tzinfo=None) if bind.dialect.name == "sqlite" else expiry  # UTC on both
    users = sa.table("api_users", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(users.update().where(users.c.expires_at.is_(None)).values(expires_at=stored))


def downgrade() -> None:
    with op.batch_alter_table("api_users") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
