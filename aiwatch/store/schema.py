"""The store's tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` build them.

The schema already has room for every later stage (classifications, incidents,
entities and roles, amounts, editors and their review log) so that later work adds
columns rather than redesigning. Rules that hold throughout:

* machine output and editor decisions live side by side, never in the same cell:
  ``classifications.decided_by`` and ``incidents.locked_fields`` let a re-run of the
  pipeline skip what an editor has decided;
* entities are organisations, public bodies, AI systems or groups of people, never a
  private person (see ``ENTITY_KINDS``);
* JSON columns hold lists/maps that are read whole, never queried inside.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

# Deterministic constraint names, so migrations are the same on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ENTITY_KINDS = ("organisation", "public_body", "ai_system", "group")
ENTITY_ROLES = ("deployer", "developer", "harmed_party", "implicated_system", "responder")
# Categories and severities: aiwatch.taxonomy.CATEGORIES / SEVERITIES.

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # feed | opml | url | file | aiid
    Column("location", Text, nullable=False),  # URL or resolved path
    Column("title", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("consecutive_errors", Integer, nullable=False, default=0),
    Column("next_poll_at", DateTime(timezone=True)),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("location", name="uq_sources_location"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ext_id", String(512), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id")),
    Column("source", Text),  # publisher name or domain, as shown to people
    Column("url", Text),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("language", String(16)),
    Column("language_score", Float),
    Column("content_hash", String(40), nullable=False),
    Column("duplicate_of", Integer, ForeignKey("articles.id")),
    Column("duplicate_kind", String(8)),  # exact | near
    Column("similarity", Float),
    Column("ref", Text),  # where the article was read from
    Column("meta", JSON),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("ext_id", name="uq_articles_ext_id"),
    Index("ix_articles_content_hash", "content_hash"),
    Index("ix_articles_duplicate_of", "duplicate_of"),
    Index("ix_articles_published", "published"),
)

# Which stage has run on which article: "pending for stage S" = no row for S.
article_stages = Table(
    "article_stages",
    metadata,
    Column("stage", String(64), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("done_at", DateTime(timezone=True), nullable=False),
)

# What the dedup stage compares a new article with: one narrow row per deduplicated article. These
# were columns of ``articles`` until migration 0007; there, each read of a candidate's signature walked
# the article's text (SQLite keeps a row's columns in order, a long text in overflow pages) and each
# write rewrote the whole row, text included: the stage slowed as the store grew.
dedup_signatures = Table(
    "dedup_signatures",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("minhash", LargeBinary),  # NUM_PERM uint32; NULL for a text too short to compare
    Column("root", Integer),  # = articles.duplicate_of, written in the same transaction
    Column("source", Text),  # = articles.source: same-site copies need a higher similarity
)

# MinHash LSH bands, kept in the store so near-duplicate search is persistent and
# incremental (tomorrow's article is compared with last year's) without holding
# every signature in memory. The (key, article_id) primary key is the lookup's index and holds
# the answer itself; on SQLite it is the table (WITHOUT ROWID), so a hit reads no second tree and an
# insert writes one fewer (migration 0008 says what that saved).
def _band_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("key", BigInteger, primary_key=True, autoincrement=False),
        Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
               autoincrement=False),
        Index(f"ix_{name}_article_id", "article_id"),
        sqlite_with_rowid=False,
    )


lsh_bands = _band_table("lsh_bands")
# Dedup's newest band rows on SQLite (``aiwatch.dedup.MERGE_SHARE``): written here, a small tree, and moved
# into ``lsh_bands`` in key order now and then. Lookups read both; together they are the band index.
lsh_bands_recent = _band_table("lsh_bands_recent")
BAND_TABLES = (lsh_bands, lsh_bands_recent)  # together the band index

skipped = Table(
    "skipped",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stage", String(32), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("ref", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("stage", "reason", "ref", name="uq_skipped_stage_reason_ref"),
)

classifications = Table(
    "classifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("decided_by", String(16), nullable=False),  # machine | editor
    Column("category", String(16), nullable=False),
    Column("scores", JSON, nullable=False),  # {"incident": p, "hazard": p, ...}
    Column("severity", String(32)),
    Column("tags", JSON),  # {"harm_types": [{"label":..,"score":..}], ...}
    Column("evidence", JSON),  # ["sentence", ...]
    Column("model", String(128)),
    # The encoder's float32 vector of title + lead, for candidates the strong head read (migration 0005):
    # the cluster stage reuses it instead of encoding the article again.
    Column("embedding", LargeBinary),
    Column("editor_id", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("article_id", "decided_by", name="uq_classifications_article_id"),
    Index("ix_classifications_category", "category"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ext_id", String(128)),  # e.g. "aiid:23" for imported AIID incidents
    Column("title", Text, nullable=False),
    Column("summary", Text),
    Column("summary_machine", Boolean, nullable=False, default=True),
    Column("category", String(16)),
    Column("severity", String(32)),
    Column("event_date", Date),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("tags", JSON),
    Column("countries", JSON),
    Column("status", String(16), nullable=False, default="open"),  # open | confirmed | rejected | merged
    Column("merged_into", Integer, ForeignKey("incidents.id")),
    Column("locked_fields", JSON),  # fields an editor set: machine re-runs leave them alone
    Column("centroid", LargeBinary),  # sum of member embeddings (float32): adding an article is one addition
    Column("lex", LargeBinary),  # sum of member TF-IDF rows, top terms (cluster.store_state)
    Column("entity_keys", JSON),  # {normalised entity name: articles naming it}
    Column("n_articles", Integer, nullable=False, default=0),
    # Touched by the cluster stage, record not yet rebuilt (migration 0006; ``cluster.stage``).
    Column("stale", Boolean, nullable=False, default=False, server_default=false()),
    Column("meta", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("ext_id", name="uq_incidents_ext_id"),
    Index("ix_incidents_last_seen", "last_seen"),
    Index("ix_incidents_status", "status"),
    Index("ix_incidents_stale", "stale"),
)

# One row per (incident, facet value): what the web's filters and charts count. Rebuilt with the
# incident record. Fields: the OECD tag fields (harm_types, industries, ...) and "country".
incident_labels = Table(
    "incident_labels",
    metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(32), primary_key=True),
    Column("label", String(128), primary_key=True),
    Index("ix_incident_labels_field_label", "field", "label"),
)

incident_articles = Table(
    "incident_articles",
    metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("score", Float),
    Column("added_by", String(16), nullable=False, default="machine"),  # machine | editor | import
    Index("ix_incident_articles_article_id", "article_id"),
)

# What the cluster stage computed for an article: kept so that incidents can be rebuilt after an
# editor's merge or split, and so the web can show similar incidents, without re-reading the text.
article_facts = Table(
    "article_facts",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("embedding", LargeBinary),  # float32, unit length; None without the encoder
    Column("encoder", String(32)),
    Column("lex", LargeBinary),
    Column("entities", JSON),  # [{"name","kind","role","evidence","key","score"}]
    Column("amounts", JSON),  # [{"value","currency","text","sentence","party"}]
    Column("countries", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("norm_name", String(256), nullable=False),
    Column("kind", String(16), nullable=False),  # one of ENTITY_KINDS; never a person
    Column("aliases", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("norm_name", name="uq_entities_norm_name"),
)

entity_roles = Table(
    "entity_roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(24), nullable=False),  # one of ENTITY_ROLES
    Column("evidence", Text),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("decided_by", String(16), nullable=False, default="machine"),
    UniqueConstraint("incident_id", "entity_id", "role", name="uq_entity_roles_incident_id"),
    Index("ix_entity_roles_entity_id", "entity_id"),
)

amounts = Table(
    "amounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE")),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE")),
    Column("value", Float, nullable=False),
    Column("currency", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("sentence", Text),
    Column("party_entity_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("party", Text),  # the party's name as found (also when it is no stored entity)
    Index("ix_amounts_incident_id", "incident_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False, default="editor"),
    Column("api_token_hash", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("username", name="uq_users_username"),
)

review_log = Table(
    "review_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("action", String(32), nullable=False),  # confirm | relabel | merge | split | reject | edit
    Column("target_type", String(16), nullable=False),  # incident | article
    Column("target_id", Integer, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_review_log_target_type", "target_type", "target_id"),
)
