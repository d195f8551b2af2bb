"""Issued 文号 (UNIQUE) and the 文号 counters; audit rows written before this revision masked and re-keyed.

Revision ID: 0003
Revises: 0002
"""

import json
from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

from api.db.privacy import keyed_hash, mask_pii

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 500
_audit = sa.table("audit", sa.column("id", sa.Integer), sa.column("input_hash", sa.String),
                  sa.column("result", sa.JSON), sa.column("note", sa.Text))


def upgrade() -> None:
    op.create_table(
        "doc_counters",
        sa.Column("prefix", sa.String(100), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "doc_numbers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("serial", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("number", name="uq_doc_numbers_number"),
    )
    _protect_existing_audit_rows()


def _protect_existing_audit_rows() -> None:
    """Mask identifiers in rows stored in clear, and key their plain SHA-256 input hashes.

    The new input hash is HMAC(secret, SHA-256(input)), so an old plain hash h becomes HMAC(secret, h) and still
    matches its input. Without a secret (alembic run by hand) only the masking is done.
    """
    conn = op.get_bind()
    get_secret: Callable[[], bytes] | None = context.config.attributes.get("audit_secret")
    secret = get_secret() if get_secret is not None and conn.execute(
        sa.select(sa.func.count()).select_from(_audit)).scalar() else None
    last = 0
    while True:
        rows = conn.execute(sa.select(_audit).where(_audit.c.id > last).order_by(_audit.c.id).limit(_BATCH)).all()
        if not rows:
            return
        for row in rows:
            result = row.result if not isinstance(row.result, str) else json.loads(row.result)
            values = {"result": mask_pii(result), "note": mask_pii(row.note)}
            if secret is not None:
                values["input_hash"] = keyed_hash(secret, row.input_hash)
            conn.execute(sa.update(_audit).where(_audit.c.id == row.id).values(**values))
        last = rows[-1].id


def downgrade() -> None:
    # Masking and keyed hashes cannot be undone: the clear values are gone by design (and an upgrade after a
    # downgrade keys the hashes once more, so do not go back and forth on a database with rows).
    op.drop_table("doc_numbers")
    op.drop_table("doc_counters")
