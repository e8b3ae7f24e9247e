"""Incidents whose record waits to be rebuilt

Revision ID: 0006
Revises: 0005

The cluster stage used to rebuild every incident it touched in every batch (title, summary, tags,
entities, amounts: a read of all its articles). A story covered by thousands of articles was rebuilt
once per batch, so the cost of a run grew with the square of its size. Now a batch marks the incidents
it touched ``stale`` in its own transaction, and they are rebuilt at most every few seconds and when
the run ends (``cluster.stage``); a run killed in between leaves the mark, and the next one rebuilds them.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("stale", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_incidents_stale", ["stale"])


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_index("ix_incidents_stale")
        batch.drop_column("stale")
