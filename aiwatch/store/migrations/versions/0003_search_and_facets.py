"""search and facets: incident_labels; full text (SQLite FTS5, PostgreSQL tsvector + GIN)

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# SQLite: FTS5 tables over the rows they index (external content), kept current by triggers.
SQLITE = [
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE incidents_fts USING fts5(title, summary, content='incidents', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER incidents_fts_ai AFTER INSERT ON incidents BEGIN "
    "INSERT INTO incidents_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
    "CREATE TRIGGER incidents_fts_ad AFTER DELETE ON incidents BEGIN "
    "INSERT INTO incidents_fts(incidents_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, "
    "old.summary); END",
    "CREATE TRIGGER incidents_fts_au AFTER UPDATE OF title, summary ON incidents BEGIN "
    "INSERT INTO incidents_fts(incidents_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, "
    "old.summary); INSERT INTO incidents_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
    "INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild')",
]
# PostgreSQL: GIN indexes on the same tsvector expressions the search queries use.
POSTGRES = [
    "CREATE INDEX ix_articles_fts ON articles USING GIN "
    "(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(text, '')))",
    "CREATE INDEX ix_incidents_fts ON incidents USING GIN "
    "(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(summary, '')))",
]


def upgrade() -> None:
    op.create_table('incident_labels',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_labels_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'field', 'label', name=op.f('pk_incident_labels'))
    )
    with op.batch_alter_table('incident_labels', schema=None) as batch_op:
        batch_op.create_index('ix_incident_labels_field_label', ['field', 'label'], unique=False)
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_last_seen', ['last_seen'], unique=False)
        batch_op.create_index('ix_incidents_status', ['status'], unique=False)
    bind = op.get_bind()
    for stmt in SQLITE if bind.dialect.name == "sqlite" else POSTGRES if bind.dialect.name == "postgresql" else []:
        op.execute(stmt)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au", "incidents_fts_ai", "incidents_fts_ad",
                     "incidents_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
        op.execute("DROP TABLE IF EXISTS incidents_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_fts")
        op.execute("DROP INDEX IF EXISTS ix_incidents_fts")
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_status')
        batch_op.drop_index('ix_incidents_last_seen')
    with op.batch_alter_table('incident_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_labels_field_label')
    op.drop_table('incident_labels')
