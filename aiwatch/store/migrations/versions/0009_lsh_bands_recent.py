"""Dedup's newest band rows in a small table of their own, moved into lsh_bands in key order

Revision ID: 0009
Revises: 0008

Each dedup batch inserts 21 random keys an article into the band tree. In a big store nearly every
insert lands on a page of its own, and each such page is written whole to the WAL at commit and again
at the checkpoint: with dedup's access pattern (500 articles a batch) the commit was 0.39 of the 0.54
ms an article the band table cost at 100k articles, and the band table cost 0.80 ms at 1M. New rows
now go to ``lsh_bands_recent``, a tree small enough that a batch dirties few pages, and are moved into
``lsh_bands`` in key order when it has grown (``aiwatch.dedup.MERGE_*``), which writes each page of the
big tree once for many articles: 0.24 ms an article at 100k, 0.39 at 1M. On SQLite: PostgreSQL logs rows
rather than pages and was slower with the merges, so there the table exists and stays empty.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lsh_bands_recent",
        sa.Column("key", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("article_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_lsh_bands_recent_article_id_articles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "article_id", name=op.f("pk_lsh_bands_recent")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_lsh_bands_recent_article_id", "lsh_bands_recent", ["article_id"])


def downgrade() -> None:
    op.execute("INSERT INTO lsh_bands (key, article_id) "
               "SELECT key, article_id FROM lsh_bands_recent ORDER BY key, article_id")
    op.drop_table("lsh_bands_recent")
