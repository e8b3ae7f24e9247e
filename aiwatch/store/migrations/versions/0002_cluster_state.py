"""cluster state: incident sums, article facts, amount parties

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('article_facts',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=True),
    sa.Column('encoder', sa.String(length=32), nullable=True),
    sa.Column('lex', sa.LargeBinary(), nullable=True),
    sa.Column('entities', sa.JSON(), nullable=True),
    sa.Column('amounts', sa.JSON(), nullable=True),
    sa.Column('countries', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_facts_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_article_facts'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lex', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('entity_keys', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('n_articles', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('amounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_amounts_incident_id'), ['incident_id'], unique=False)
    with op.batch_alter_table('entity_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_roles_entity_id'), ['entity_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('entity_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_roles_entity_id'))
    with op.batch_alter_table('amounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amounts_incident_id'))
        batch_op.drop_column('party')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('n_articles')
        batch_op.drop_column('entity_keys')
        batch_op.drop_column('lex')
    op.drop_table('article_facts')
