"""Widen the audit columns that PostgreSQL would reject: index_version (~76 chars), corpus_version, request_id.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WIDENED = {"request_id": sa.String(64), "corpus_version": sa.String(40), "index_version": sa.String(40)}


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        for name, old in WIDENED.items():
            batch.alter_column(name, type_=sa.String(255), existing_type=old, existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        for name, old in WIDENED.items():
            batch.alter_column(name, type_=old, existing_type=sa.String(255), existing_nullable=False)
