"""The store: one SQLAlchemy engine over SQLite (default) or PostgreSQL.

Usage as a library::

    from aiwatch.store import Store
    store = Store("sqlite:///aiwatch.db")     # creates and migrates the file if needed
    store.stats()

Every write goes through short transactions (``store.transaction()``): a process
killed mid-ingest loses at most the batch in flight, and the next run redoes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from aiwatch import config
from aiwatch.errors import PipelineBusy, StoreError
from aiwatch.extract import no_surrogates
from aiwatch.records import Article, Skipped
from aiwatch.store import schema as t

MIGRATIONS = Path(__file__).parent / "migrations"
_CHUNK = 900  # rows per IN (...) list: well under every backend's parameter limit


def now() -> datetime:
    return datetime.now(UTC)


def resolve_url(url: str | None = None) -> str:
    """Turn ``--db``/``AIWATCH_DB``/a bare path into a SQLAlchemy URL."""
    url = url or os.environ.get("AIWATCH_DB") or config.get("db")
    if "://" not in url:  # a plain file path
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver we ship (the `postgres` extra).
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


SQLITE_CACHE_KB = 65536
# PostgreSQL advisory lock keys (b"aiwatc" and on): schema upgrades, `process` runs, ingest's writes, and
# changes to which articles an incident holds (the cluster stage's commits, an editor's merge or split).
MIGRATION_LOCK, PIPELINE_LOCK, WRITE_LOCK, INCIDENTS_LOCK = (0x616977617463, 0x616977617464, 0x616977617465,
                                                            0x616977617466)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    # WAL: readers (the web UI) never block the one writer (the pipeline).
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(config.get('lock_timeout') * 1000)}")
    # 64 MB of page cache a connection (SQLite's default is 2 MB): dedup looks up ~10,000 random band
    # keys a batch in an index that grows with the store. Dedup of 100k bench articles: 177 s -> 156 s,
    # peak RSS 261 -> 335 MB; the index at 1M is ten times bigger. A heap bound, unlike mmap, so peak
    # RSS stays predictable.
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
    cur.close()


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of one table (every row with the same keys) in the connection's transaction.

    On PostgreSQL by COPY: psycopg sends an INSERT per row of an executemany, and dedup writes 21 band rows
    an article (20k bench articles: 414k rows, 21.2 s as INSERTs, 3.6 s by COPY; the stage 56 -> 37 s).
    Values go through each column type's bind processing as in an INSERT (JSON, binary), and a column
    left out gets its scalar default. Elsewhere, and for a table with a computed Python-side default, an
    executemany INSERT (SQLite runs it as one prepared statement).
    """
    if not rows:
        return
    given = list(rows[0])
    missing = [c for c in table.c if c.name not in rows[0] and c.default is not None]
    if conn.dialect.name != "postgresql" or any(not c.default.is_scalar for c in missing):
        conn.execute(table.insert(), list(rows))
        return
    defaults = [c.default.arg for c in missing]
    names = given + [c.name for c in missing]
    procs = [table.c[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for n in names]
    cur = conn.connection.cursor()
    try:
        with cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                values = [row[n] for n in given] + defaults
                copy.write_row([p(v) if p else v for p, v in zip(procs, values, strict=True)])
    finally:
        cur.close()


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything aiwatch stores is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def iso(value: Any) -> str | None:
    """A stored time as ISO 8601 with its UTC offset (SQLite hands it back without one: the Atom feed's dates
    were no RFC 3339 times); a date, or anything else, as it is."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else value


class Store:
    """The aiwatch database. Cheap to create; holds one connection pool."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = resolve_url(url)
        self._pipeline_locks = 0  # how deep this Store holds the pipeline lock (see pipeline_lock)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        try:
            if self.dialect == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    if Path(parsed.database).is_dir():
                        raise StoreError(f"{parsed.database} is a folder: give the store a file name, e.g. "
                                         f"--db sqlite:///{Path(parsed.database) / 'aiwatch.db'}")
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                self.engine: Engine = create_engine(self.url, connect_args={"timeout": config.get("lock_timeout")})
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = create_engine(self.url, pool_pre_ping=True)
        except StoreError:
            raise
        except Exception as exc:  # a bad URL or a missing driver
            raise StoreError(
                f"cannot open the store at {self.url}: {exc}. Pass --db sqlite:///aiwatch.db "
                "or a postgresql:// URL (pip install 'aiwatch[postgres]')."
            ) from exc
        if migrate:
            self.migrate()

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"

    # -- schema ------------------------------------------------------------------
    def _alembic_config(self, connection: Connection):  # noqa: ANN202
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = connection
        return cfg

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration (idempotent)."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        try:
            # Looked at twice: without the lock first, so that a store already at the head opens
            # without a write (a read-only copy stays readable), then again under it.
            for locked in (False, True):
                with self.engine.begin() as conn:
                    if locked:
                        self.serialise(conn, MIGRATION_LOCK)
                    cfg = self._alembic_config(conn)
                    head = ScriptDirectory.from_config(cfg).get_current_head()
                    if MigrationContext.configure(conn).get_current_revision() == head:
                        return
                    if locked:
                        command.upgrade(cfg, "head")
        except Exception as exc:
            hint = ("Is it an aiwatch store (or a new file's name) in a folder you can write?"
                    if self.dialect == "sqlite" else "Is the server running, and does the database exist?")
            raise StoreError(f"cannot create or upgrade the schema at {self!r}: {exc}. {hint}") from exc

    def serialise(self, conn: Connection, key: int = WRITE_LOCK) -> None:
        """Make the transaction just begun on ``conn`` run alone among those serialised on the same key.

        For read-then-write steps that two processes may run at once: two commands started together on a
        new store both read "no revision" and both ran CREATE TABLE (the later died with "table entities
        already exists": 3 processes on a new SQLite file, 15 of 20 tries; PostgreSQL, 10 of 10); two ingests
        of one feed both found an article new and the later died on its unique key. The lock belongs to the
        transaction, so its commit or rollback lets it go, and a killed process holds nothing. Call it first
        in the transaction.
        """
        if self.dialect == "sqlite":
            # The driver has begun nothing yet (it opens a transaction only before a DML statement);
            # IMMEDIATE takes the write lock now, and the others wait on busy_timeout. SQLite has one
            # writer at a time anyway, so the key makes no difference there.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif self.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def pipeline_lock(self, waiting: Callable[[], object] | None = None, *, wait: bool = True) -> Iterator[None]:
        """Hold the store's pipeline lock: one `process` run at a time. ``waiting`` is called before it waits
        for another holder; with ``wait=False`` it raises PipelineBusy instead (`process --no-wait`, the watcher).

        Two runs at once (a cron job overlapping the last one, `aiwatch process` beside `aiwatch watch`)
        both took the same pending articles, and the later commit died on the stage marks' unique key. The
        second run now waits for the first, then finds what is still pending. Reentrant within one Store.
        The lock dies with its holder: a PostgreSQL session's advisory lock; on SQLite an OS file lock
        (``filelock``) on ``<store>.lock`` beside the store, so a killed run leaves nothing to clear.
        """
        if self._pipeline_locks:
            self._pipeline_locks += 1
            try:
                yield
            finally:
                self._pipeline_locks -= 1
            return
        with self._held_pipeline_lock(waiting, wait):
            self._pipeline_locks = 1
            try:
                yield
            finally:
                self._pipeline_locks = 0

    @contextmanager
    def _held_pipeline_lock(self, waiting: Callable[[], object] | None, wait: bool) -> Iterator[None]:
        def busy() -> None:
            if not wait:
                raise PipelineBusy("another aiwatch run is processing this store")
            if waiting:
                waiting()

        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                key = {"key": PIPELINE_LOCK}
                if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar():
                    busy()
                    conn.execute(text("SELECT pg_advisory_lock(:key)"), key)
                try:
                    yield
                finally:
                    try:
                        conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                    except DBAPIError:
                        pass  # the session ended (a server restart in a long run), and its lock with it
            return
        database = make_url(self.url).database
        if self.dialect != "sqlite" or not database or database == ":memory:":
            yield  # an in-memory SQLite store: no other process can open it
            return
        from filelock import FileLock, Timeout

        lock = FileLock(database + ".lock")
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                busy()
                lock.acquire()
        except OSError as exc:
            raise StoreError(f"cannot lock {database}.lock ({exc}): the folder of the store must be writable") \
                from exc
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A connection whose every read sees the store as it was at its first, however long the reading takes.

        For exports, which read once per incident while the pipeline or an editor may write: an incident merged
        after its target had been written out took its articles out of the export altogether. SQLite: a read
        transaction (WAL keeps its snapshot, and writers go on); PostgreSQL: REPEATABLE READ, read only.
        """
        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                         postgresql_readonly=True) as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN")  # deferred: no lock taken, the first read fixes the snapshot
            try:
                yield conn
            finally:
                conn.rollback()

    def refresh_statistics(self) -> None:
        """Have PostgreSQL re-read its tables' statistics (ANALYZE); nothing on SQLite.

        PostgreSQL plans every query by them, and autovacuum refreshes them only now and then (never where it
        is off, as on this project's test machines): a store that grows from empty within one run is planned
        as if it were still empty. Dedup's band lookups on a 100k-article store: 10.9 s per 3,000 articles
        without statistics, 1.0 s with them. ANALYZE samples each table, so it costs about a second even then.
        """
        if self.dialect != "postgresql":
            return
        with self.engine.begin() as conn:
            conn.execute(text("ANALYZE"))

    # -- sources -----------------------------------------------------------------
    def source_id(self, kind: str, location: str, title: str | None = None, conn: Connection | None = None) -> int:
        """The id of a source, created on first sight."""
        location, title = no_surrogates(location), no_surrogates(title) if title is not None else None

        def _get(c: Connection) -> int:
            row = c.execute(select(t.sources.c.id).where(t.sources.c.location == location)).first()
            if row:
                return row.id
            return c.execute(
                t.sources.insert().values(
                    kind=kind, location=location, title=title, consecutive_errors=0, items_seen=0,
                    created_at=now(),
                ).returning(t.sources.c.id)
            ).scalar_one()

        if conn is not None:
            return _get(conn)
        with self.transaction() as c:
            self.serialise(c)  # two ingests of one new feed at once: one row, not a unique-key error
            return _get(c)

    def get_source(self, location: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sources).where(t.sources.c.location == location)).mappings().first()
        return _source_dict(row) if row else None

    def update_source(self, source_id: int, **values: Any) -> None:
        with self.transaction() as conn:
            conn.execute(t.sources.update().where(t.sources.c.id == source_id).values(**values))

    def sources(self) -> list[dict[str, Any]]:
        """Every source with its health: last success, last error, items seen."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.sources).order_by(t.sources.c.id)).mappings().all()
        return [_source_dict(r) for r in rows]

    # -- articles ----------------------------------------------------------------
    def upsert_articles(self, conn: Connection, batch: Sequence[Article], source_id: int | None = None
                        ) -> tuple[int, int, int]:
        """Insert new articles, update changed ones, leave identical ones alone.

        Returns (added, updated, unchanged). An article is identified by its ext_id;
        a changed one has its stage marks cleared so the pipeline processes it again.
        """
        latest: dict[str, Article] = {}
        for art in batch:  # the same id twice in one batch: the last copy wins
            latest[art.ext_id] = art
        existing: dict[str, Any] = {}
        ids = list(latest)
        for i in range(0, len(ids), _CHUNK):
            for row in conn.execute(
                select(t.articles.c.id, t.articles.c.ext_id, t.articles.c.content_hash, t.articles.c.title,
                       t.articles.c.url, t.articles.c.published, t.articles.c.source, t.articles.c.language)
                .where(t.articles.c.ext_id.in_(ids[i:i + _CHUNK]))
            ):
                existing[row.ext_id] = row
        stamp = now()
        new_rows, changed = [], []
        unchanged = 0
        for ext_id, art in latest.items():
            values = _article_values(art, source_id)
            old = existing.get(ext_id)
            if old is None:
                new_rows.append({**values, "ingested_at": stamp, "updated_at": stamp})
            elif (old.content_hash, old.title, old.url, as_utc(old.published), old.source, old.language) == (
                art.content_hash, art.title, art.url, art.published, art.source, art.language
            ):
                unchanged += 1
            else:
                changed.append((old.id, {**values, "updated_at": stamp, "duplicate_of": None,
                                         "duplicate_kind": None, "similarity": None}))
        if new_rows:  # (by COPY on PostgreSQL, ingest of 100k bench articles took as long: 85.0 and 89.0 s)
            conn.execute(t.articles.insert(), new_rows)
        for pk, values in changed:
            conn.execute(t.articles.update().where(t.articles.c.id == pk).values(**values))
            conn.execute(t.article_stages.delete().where(t.article_stages.c.article_id == pk))
            for bands in t.BAND_TABLES:
                conn.execute(bands.delete().where(bands.c.article_id == pk))
            conn.execute(t.dedup_signatures.delete().where(t.dedup_signatures.c.article_id == pk))
        return len(new_rows), len(changed), unchanged

    def pending(self, stage: str, limit: int, after_id: int = 0) -> list[Article]:
        """Articles the named stage has not processed yet, oldest first."""
        done = select(t.article_stages.c.article_id).where(
            t.article_stages.c.stage == stage, t.article_stages.c.article_id == t.articles.c.id
        )
        q = (select(t.articles).where(t.articles.c.id > after_id, ~done.exists())
             .order_by(t.articles.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [_article_from_row(r) for r in conn.execute(q).mappings()]

    def count_pending(self, stage: str) -> int:
        done = select(t.article_stages.c.article_id).where(
            t.article_stages.c.stage == stage, t.article_stages.c.article_id == t.articles.c.id
        )
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.articles).where(~done.exists())).scalar_one()

    def mark_done(self, conn: Connection, stage: str, article_ids: Iterable[int]) -> None:
        stamp = now()
        rows = [{"stage": stage, "article_id": pk, "done_at": stamp} for pk in article_ids]
        insert_rows(conn, t.article_stages, rows)

    def get_article(self, ext_id: str) -> Article | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.articles).where(t.articles.c.ext_id == ext_id)).mappings().first()
        return _article_from_row(row) if row else None

    def iter_articles(self, *, include_text: bool = True, chunk: int = 1000) -> Iterator[dict[str, Any]]:
        """Every article as a plain dict, in ingest order, with ``duplicate_of`` as the original's ext_id."""
        a, orig, src = t.articles, t.articles.alias("orig"), t.sources
        cols = [a.c.id, a.c.ext_id, a.c.url, a.c.title, a.c.published, a.c.source, a.c.language,
                a.c.duplicate_kind, a.c.similarity, a.c.ingested_at, orig.c.ext_id.label("duplicate_of"),
                src.c.location.label("feed")]
        if include_text:
            cols.append(a.c.text)
        last = 0
        with self.snapshot() as conn:
            while True:
                q = (select(*cols).select_from(a.outerjoin(orig, a.c.duplicate_of == orig.c.id)
                                               .outerjoin(src, a.c.source_id == src.c.id))
                     .where(a.c.id > last).order_by(a.c.id).limit(chunk))
                rows = conn.execute(q).mappings().all()
                if not rows:
                    return
                for r in rows:
                    yield dict(r)
                last = rows[-1]["id"]

    # -- classifications ---------------------------------------------------------
    def classification(self, ext_id: str) -> dict[str, Any] | None:
        """The article's assessment: an editor's label when there is one, else the machine's."""
        c, a = t.classifications.c, t.articles.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.classifications).join(t.articles, a.id == c.article_id)
                                .where(a.ext_id == ext_id)).mappings().all()
        by = {r["decided_by"]: dict(r) for r in rows}
        return by.get("editor") or by.get("machine")

    def label_article(self, ext_id: str, category: str, *, severity: str | None = None,
                      tags: dict[str, Any] | None = None, editor_id: int | None = None) -> None:
        """Record an editor's label. It wins over every machine label, now and after re-runs."""
        from aiwatch.taxonomy import CATEGORIES

        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r}; choose one of {', '.join(CATEGORIES)}")
        with self.transaction() as conn:
            pk = conn.execute(select(t.articles.c.id).where(t.articles.c.ext_id == ext_id)).scalar_one_or_none()
            if pk is None:
                raise StoreError(f"no article with id {ext_id!r}")
            c = t.classifications.c
            conn.execute(t.classifications.delete().where(c.article_id == pk, c.decided_by == "editor"))
            scores = {k: 1.0 if k == category else 0.0 for k in CATEGORIES}
            conn.execute(t.classifications.insert().values(
                article_id=pk, decided_by="editor", category=category, scores=scores, severity=severity,
                tags=tags, evidence=None, model="editor", editor_id=editor_id, created_at=now()))

    # -- skipped -----------------------------------------------------------------
    def record_skipped(self, items: Sequence[Skipped], conn: Connection | None = None) -> None:
        """Record dropped items. The same (stage, reason, ref) again only refreshes last_seen: reruns add nothing."""
        if not items:
            return

        def _write(c: Connection) -> None:
            stamp = now()
            for s in items:
                # A file name that is not UTF-8 reaches here as surrogates, which the store cannot hold.
                ref, detail = no_surrogates(s.ref[:2000]), no_surrogates(s.detail[:2000])
                updated = c.execute(
                    t.skipped.update()
                    .where(t.skipped.c.stage == s.stage, t.skipped.c.reason == s.reason, t.skipped.c.ref == ref)
                    .values(last_seen=stamp, detail=detail)
                ).rowcount
                if not updated:
                    c.execute(t.skipped.insert().values(stage=s.stage, reason=s.reason, ref=ref,
                                                        detail=detail,
                                                        first_seen=stamp, last_seen=stamp))

        if conn is not None:
            _write(conn)
        else:
            with self.transaction() as c:
                _write(c)

    def skipped(self, *, stage: str | None = None, reason: str | None = None, limit: int = 100
                ) -> list[dict[str, Any]]:
        q = select(t.skipped).order_by(t.skipped.c.last_seen.desc(), t.skipped.c.id.desc()).limit(limit)
        if stage:
            q = q.where(t.skipped.c.stage == stage)
        if reason:
            q = q.where(t.skipped.c.reason == reason)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    # -- summary -----------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts a person asks for first: articles, unique stories, duplicates, languages, sources, skips."""
        a = t.articles
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(a)).scalar_one()
            dup_kinds = dict(conn.execute(
                select(a.c.duplicate_kind, func.count()).where(a.c.duplicate_of.is_not(None))
                .group_by(a.c.duplicate_kind)).all())
            languages = dict(conn.execute(
                select(func.coalesce(a.c.language, "unknown"), func.count()).where(a.c.duplicate_of.is_(None))
                .group_by(a.c.language).order_by(func.count().desc()).limit(10)).all())
            sources = dict(conn.execute(
                select(func.coalesce(a.c.source, "unknown"), func.count()).where(a.c.duplicate_of.is_(None))
                .group_by(a.c.source).order_by(func.count().desc()).limit(10)).all())
            skipped = dict(conn.execute(
                select(t.skipped.c.reason, func.count()).group_by(t.skipped.c.reason)).all())
            stages = dict(conn.execute(
                select(t.article_stages.c.stage, func.count()).group_by(t.article_stages.c.stage)).all())
            n_sources = conn.execute(select(func.count()).select_from(t.sources)).scalar_one()
            n_incidents = conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()
            c, editor = t.classifications, t.classifications.alias("editor")
            overridden = select(editor.c.id).where(editor.c.article_id == c.c.article_id,
                                                   editor.c.decided_by == "editor")
            categories = dict(conn.execute(
                select(c.c.category, func.count()).where((c.c.decided_by == "editor") | ~overridden.exists())
                .group_by(c.c.category)).all())
        duplicates = sum(dup_kinds.values())
        return {
            "articles": total,
            "unique_articles": total - duplicates,
            "duplicates": {"exact": dup_kinds.get("exact", 0), "near": dup_kinds.get("near", 0)},
            "languages": languages,
            "top_sources": sources,
            "sources": n_sources,
            "incidents": n_incidents,
            "categories": categories,
            "stages_done": stages,
            "skipped": {k: int(v) for k, v in skipped.items()},
        }

    def table_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {name: conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
                    for name in t.metadata.tables}


def _article_values(art: Article, source_id: int | None) -> dict[str, Any]:
    return {
        "ext_id": art.ext_id, "source_id": source_id, "source": art.source, "url": art.url,
        "title": art.title, "text": art.text, "published": art.published, "language": art.language,
        "language_score": art.language_score, "content_hash": art.content_hash, "ref": no_surrogates(art.ref),
        "meta": art.meta or None,
    }


def _article_from_row(row: Any) -> Article:
    return Article(
        ext_id=row["ext_id"], title=row["title"], text=row["text"], url=row["url"], source=row["source"],
        published=as_utc(row["published"]), language=row["language"], language_score=row["language_score"],
        content_hash=row["content_hash"], ref=row["ref"] or "", meta=row["meta"] or {}, pk=row["id"],
        duplicate_of=row["duplicate_of"], duplicate_kind=row["duplicate_kind"], similarity=row["similarity"],
    )


def _source_dict(row: Any) -> dict[str, Any]:
    d = dict(row)
    for k in ("last_polled_at", "last_success_at", "last_error_at", "next_poll_at", "created_at"):
        d[k] = as_utc(d[k])
    return d
