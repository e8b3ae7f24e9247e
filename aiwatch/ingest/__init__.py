"""Ingest: sources in, clean articles in the store. Idempotent.

`ingest(store, inputs)` accepts, in any mix:

1. local files and folders (see ``files``): txt/md, html, json/jsonl, csv, feed XML, .gz;
2. AIID snapshot tables (incidents.csv, reports.csv), recognised by their columns;
3. URLs: a feed (RSS/Atom), an OPML list of feeds (each one polled), or an article page.

Each raw item is cleaned by ``extract.make_article`` (in worker processes with ``workers``)
and written in batches, one transaction each (``AIWATCH_BATCH_SIZE``): an interrupted
ingest loses at most the batches in flight, and a rerun skips what is already stored
unchanged. An article keeps the id it was given; without one, its canonical URL; without
that, its content hash.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiwatch import config
from aiwatch.errors import AiwatchError, BadInput, BlockedURL, FetchError
from aiwatch.extract import decode_bytes, extract_html, make_article
from aiwatch.ingest import aiid, feeds, files
from aiwatch.ingest.fetch import FEED_TYPES, HTML_TYPES, Fetcher, Response
from aiwatch.records import Article, IngestReport, RawItem, Skipped
from aiwatch.store import Store, now

log = logging.getLogger(__name__)

# A feed entry shorter than this is a teaser: with follow_links, the page is fetched for the full text.
FULL_TEXT_MIN_CHARS = 600
# Backoff for a failing feed: the interval doubles per consecutive error, up to this.
MAX_BACKOFF = timedelta(hours=24)
BUNDLED_SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "aiid_incidents_sample.csv"

Progress = Callable[[int], object]


@dataclass
class IngestOptions:
    """Per-run choices that reach the feed poller (address rules live in the Fetcher)."""

    follow_links: bool = False


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def ingest(store: Store, inputs: Iterable[str | Path], *, allow_private: bool = False,
           follow_links: bool = False, fetcher: Fetcher | None = None,
           progress: Progress | None = None, workers: int = 1) -> IngestReport:
    """Ingest files, folders and URLs into the store. Bad items are skipped and recorded, never fatal.

    ``workers``: processes that clean local files' items (``make_article``), as for ``pipeline.process``:
    1, this one; 0, one per CPU; N, N; started once a file fills a whole batch. Reading and writing stay
    in this process, in order: the store ends up the same.
    """
    report = IngestReport()
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(allow_private=allow_private)
    opts = IngestOptions(follow_links=follow_links)
    pool = ExtractPool(workers)
    try:
        for value in inputs:
            value = str(value)
            if is_url(value):
                report.merge(ingest_url(store, value, fetcher, opts, progress))
                continue
            path = Path(value).expanduser()
            if not path.exists():
                scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*)://", value)
                skip = (Skipped("ingest", "blocked_url", f"{value}: {scheme.group(1)}:// is not fetched; aiwatch reads "
                                "http:// and https:// URLs, files and folders", value) if scheme else
                        Skipped("ingest", "not_found", f"{value}: no such file or folder", value))
                store.record_skipped([skip])
                report.skipped.append(skip)
                continue
            if path.is_file() and files.suffixes(path)[0] == ".opml":
                report.merge(ingest_opml_file(store, path, fetcher, opts, progress))
                continue
            source_id = store.source_id("file", str(path.resolve()), title=path.name)
            report.merge(write_items(store, files.read_path(path), source_id, progress, pool))
    finally:
        pool.close()
        if own_fetcher:
            fetcher.close()
    return report


def ingest_opml_file(store: Store, path: Path, fetcher: Fetcher, opts: IngestOptions,
                     progress: Progress | None = None) -> IngestReport:
    """A local OPML list: register and poll every feed it names."""
    try:
        urls = feeds.parse_opml(files.read_all(path, config.get("max_document_bytes")))
    except BadInput as exc:
        skip = Skipped("ingest", exc.code, f"{path.name}: {exc}", str(path))
        store.record_skipped([skip])
        return IngestReport(skipped=[skip])
    report = IngestReport()
    for url in urls:
        store.source_id("feed", url)
        report.merge(poll_source(store, url, fetcher, opts, progress=progress))
    return report


def ingest_sample(store: Store, progress: Progress | None = None) -> IngestReport:
    """Load the bundled AIID sample (300 incidents, CC BY-SA 4.0) shipped inside the package."""
    source_id = store.source_id("aiid", "bundled:aiid_incidents_sample", title="AIID sample (bundled)")
    return write_items(store, files.read_path(BUNDLED_SAMPLE), source_id, progress)


Made = tuple[list[Article], list[Skipped], int]  # a chunk's articles, its notes, the raw items it held


def extract_chunk(items: list[RawItem | Skipped]) -> Made:
    """``make_article`` over a chunk of raw items, in order. Pure: run here or in a worker process."""
    batch: list[Article] = []
    notes: list[Skipped] = []
    seen = 0
    for item in items:
        if isinstance(item, Skipped):
            notes.append(item)
            continue
        seen += 1
        try:
            article, field_notes = make_article(item)
            notes.extend(field_notes)
            batch.append(article)
        except BadInput as exc:
            notes.append(Skipped("extract", exc.code, str(exc), item.ref))
        except Exception as exc:  # one malformed document must not sink the batch; say what it was
            log.debug("extract failed on %s", item.ref, exc_info=True)
            notes.append(Skipped("extract", "extract_error", f"{type(exc).__name__}: {str(exc)[:200]}", item.ref))
    return batch, notes, seen


class ExtractPool:
    """Worker processes for extraction (``--workers``), started only when an input fills a whole batch:
    a feed of twenty entries is not worth the workers' start-up (a second or two each)."""

    def __init__(self, workers: int) -> None:
        from aiwatch.pipeline import worker_count

        self.n = worker_count(workers)
        self.pool: ProcessPoolExecutor | None = None

    def get(self, full: bool) -> ProcessPoolExecutor | None:
        """The pool for a chunk (``full``: it holds a whole batch), or None to extract it here."""
        if self.n > 1 and self.pool is None and full:
            from aiwatch.pipeline import spawn_pool

            self.pool = spawn_pool(self.n)
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _chunks(items: Iterable[RawItem | Skipped], size: int) -> Iterator[list[RawItem | Skipped]]:
    chunk: list[RawItem | Skipped] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _extracted(items: Iterable[RawItem | Skipped], size: int, pool: ExtractPool | None) -> Iterator[Made]:
    """Chunks of ``size`` items extracted, in input order: here, or a few chunks ahead in the pool while
    this process writes the earlier ones (reading the input and writing the store stay here, in order)."""
    inflight: deque[Future[Made] | Made] = deque()
    ahead = 2 * pool.n if pool else 1
    for chunk in _chunks(items, size):
        executor = pool.get(full=len(chunk) >= size) if pool is not None else None
        inflight.append(executor.submit(extract_chunk, chunk) if executor else extract_chunk(chunk))
        while len(inflight) >= ahead or (inflight and not isinstance(inflight[0], Future)):
            head = inflight.popleft()
            yield head.result() if isinstance(head, Future) else head
    while inflight:  # the input is read: the chunks still in the workers
        head = inflight.popleft()
        yield head.result() if isinstance(head, Future) else head


def write_items(store: Store, items: Iterable[RawItem | Skipped], source_id: int | None,
                progress: Progress | None = None, pool: ExtractPool | None = None) -> IngestReport:
    """Clean and store a stream of raw items, batch by batch (``pool``: extraction in worker processes;
    the same articles, batches and order as without)."""
    report = IngestReport()
    for batch, notes, seen in _extracted(items, config.get("batch_size"), pool):
        report.seen += seen
        _flush(store, batch, notes, source_id, report, progress)
    return report


def _flush(store: Store, batch: list[Article], notes: list[Skipped], source_id: int | None,
           report: IngestReport, progress: Progress | None) -> None:
    if not batch and not notes:
        return
    with store.transaction() as conn:
        store.serialise(conn)  # another ingest may be writing the same articles (a feed polled twice)
        added, updated, unchanged = store.upsert_articles(conn, batch, source_id)
        aiid.link_incidents(conn, batch)
        store.record_skipped(notes, conn=conn)
    report.added += added
    report.updated += updated
    report.unchanged += unchanged
    report.skipped.extend(notes)
    if progress:
        progress(len(batch))


# -- URLs -------------------------------------------------------------------------------
def ingest_url(store: Store, url: str, fetcher: Fetcher, opts: IngestOptions,
               progress: Progress | None = None) -> IngestReport:
    """A URL of unknown kind: a known feed is polled; otherwise fetch it and look at what came back."""
    known = store.get_source(url)
    if known and known["kind"] in ("feed", "opml"):
        return poll_source(store, url, fetcher, opts, progress=progress)
    try:
        # Unknown URLs may be article pages, so robots.txt is asked first.
        resp = fetcher.get(url, accept=FEED_TYPES + HTML_TYPES, robots=True)
    except AiwatchError as exc:
        return _record_failure(store, url, exc)
    is_opml = feeds.looks_like_opml(resp.content)
    if is_opml or feeds.looks_like_feed(resp.content) or \
            resp.content_type in ("application/rss+xml", "application/atom+xml"):
        store.source_id("opml" if is_opml else "feed", url)
        return poll_source(store, url, fetcher, opts, prefetched=resp, progress=progress)
    source_id = store.source_id("url", url)
    item = RawItem(ref=url, html=decode_bytes(resp.content), url=resp.url)
    return write_items(store, [item], source_id, progress)


def _record_failure(store: Store, url: str, exc: AiwatchError) -> IngestReport:
    skip = Skipped("ingest", exc.code, str(exc), url)
    store.record_skipped([skip])
    return IngestReport(skipped=[skip])


def poll_source(store: Store, url: str, fetcher: Fetcher, opts: IngestOptions, *,
                every: timedelta | None = None, prefetched: Response | None = None,
                progress: Progress | None = None) -> IngestReport:
    """Poll one feed (or every feed of an OPML list) and record the source's health.

    Conditional GET (ETag / Last-Modified) makes an unchanged feed cost one 304. A
    failure increases the source's error count and pushes its next poll back
    (doubling, up to MAX_BACKOFF), without touching what was stored before.
    """
    src = store.get_source(url)
    source_id = src["id"] if src else store.source_id("feed", url)
    kind = src["kind"] if src else "feed"
    stamp = now()
    every = every or timedelta(minutes=15)
    try:
        resp = prefetched or fetcher.get(url, accept=FEED_TYPES, etag=src and src["etag"],
                                         last_modified=src and src["last_modified"])
        content = resp.content
        etag, modified = resp.headers.get("etag"), resp.headers.get("last-modified")
        if resp.not_modified:
            store.update_source(source_id, last_polled_at=stamp, last_success_at=stamp, consecutive_errors=0,
                                next_poll_at=stamp + every)
            return IngestReport()
        if kind == "opml" or feeds.looks_like_opml(content):
            store.update_source(source_id, kind="opml", last_polled_at=stamp, last_success_at=stamp,
                                consecutive_errors=0, next_poll_at=stamp + every)
            report = IngestReport()
            for feed_url in feeds.parse_opml(content):
                store.source_id("feed", feed_url)
                report.merge(poll_source(store, feed_url, fetcher, opts, every=every, progress=progress))
            return report
        title, items = feeds.parse_feed(content, url)
        if opts.follow_links:
            items = list(_follow_links(items, fetcher, store))
        report = write_items(store, items, source_id, progress)
        store.update_source(
            source_id, kind="feed", title=title or (src and src["title"]), etag=etag, last_modified=modified,
            last_polled_at=stamp, last_success_at=stamp, consecutive_errors=0, last_error=None,
            next_poll_at=stamp + every, items_seen=(src["items_seen"] if src else 0) + len(items),
        )
        return report
    except (FetchError, BadInput) as exc:
        errors = (src["consecutive_errors"] if src else 0) + 1
        backoff = min(every * (2 ** errors), MAX_BACKOFF)
        store.update_source(source_id, last_polled_at=stamp, last_error_at=stamp, last_error=str(exc)[:500],
                            consecutive_errors=errors, next_poll_at=stamp + backoff)
        return _record_failure(store, url, exc)


def _follow_links(items: list[RawItem], fetcher: Fetcher, store: Store) -> Iterator[RawItem]:
    """Replace a teaser with the full article where the feed carries only a summary."""
    for item in items:
        if item.url and len(item.text or "") < FULL_TEXT_MIN_CHARS:
            try:
                resp = fetcher.get(item.url, accept=HTML_TYPES, robots=True)
                page = extract_html(resp.content, resp.url)
                if len(page["text"]) > len(item.text or ""):
                    item.text = page["text"]
                    item.published = item.published or page["published"]
            except (BlockedURL, FetchError, BadInput) as exc:
                # Keep the summary; say why the full text is missing.
                store.record_skipped([Skipped("ingest", exc.code, f"full text not fetched: {exc}", item.url)])
        yield item
