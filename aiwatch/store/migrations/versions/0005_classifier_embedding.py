"""The classifier's text embedding, kept for the cluster stage

Revision ID: 0005
Revises: 0004

The cascade's strong head embeds every candidate the screen passes; the cluster stage embeds the same
string (``classify.text.encoder_text``) of every relevant article. Keeping the vector (float32, ~1.5 KB,
only on the few percent of articles that are candidates) saves encoding each relevant article twice.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("classifications") as batch:
        batch.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("classifications") as batch:
        batch.drop_column("embedding")
