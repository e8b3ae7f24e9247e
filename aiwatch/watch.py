"""The unattended monitor: poll feeds and OPML lists on a schedule, ingest and process what is new.

Each source has its own schedule in the store (``sources.next_poll_at``): a healthy
feed is polled every ``every``; a failing one backs off (see ingest.poll_source). The
loop sleeps until the next source is due, and stops between two polls when its stop
event is set (the CLI sets it on SIGTERM and Ctrl-C), so a stop never cuts a write.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import InterfaceError, OperationalError

from aiwatch import pipeline
from aiwatch.errors import BadInput, PipelineBusy
from aiwatch.ingest import IngestOptions, feeds, files, is_url, poll_source, write_items
from aiwatch.ingest.fetch import Fetcher
from aiwatch.records import IngestReport, Skipped
from aiwatch.store import Store, as_utc, now

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.I)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


MAX_INTERVAL = timedelta(days=366)
STORE_RETRY_S = 60.0  # a round that failed on the store is tried again this soon (or at the interval, if shorter)


def parse_interval(value: str) -> timedelta:
    """'15m' -> 15 minutes. Units: s, m, h, d (default minutes)."""
    m = _INTERVAL.match(value)
    if not m:
        raise ValueError(f"cannot read the interval {value!r}: use a number and a unit, e.g. 30s, 15m, 2h, 1d")
    seconds = float(m.group(1)) * _UNITS[(m.group(2) or "m").lower()]
    if seconds <= 0:
        raise ValueError("the interval must be more than zero")
    if seconds > MAX_INTERVAL.total_seconds():  # timedelta itself overflowed past ~10**9 days
        raise ValueError(f"the interval {value!r} is longer than a year: give at most {MAX_INTERVAL.days}d")
    return timedelta(seconds=seconds)


def _head(path: Path, n: int = 4096) -> bytes:
    with path.open("rb") as f:
        return f.read(n)


class Watcher:
    """Polls the given sources until stopped. Usable as a library; `aiwatch watch` wraps it."""

    def __init__(self, store: Store, sources: Sequence[str], *, every: timedelta, allow_private: bool = False,
                 follow_links: bool = False, fetcher: Fetcher | None = None, process: bool = True,
                 on_poll: Callable[[str, IngestReport], object] | None = None,
                 on_error: Callable[[Exception], object] | None = None) -> None:
        self.store, self.every, self.process = store, every, process
        self.on_error = on_error
        # Whether articles may wait for the pipeline: ones stored before the watcher started (`ingest
        # --no-process`), or by a round whose processing did not run (busy pipeline) or failed (the store).
        self._unprocessed = True
        self.fetcher = fetcher or Fetcher(allow_private=allow_private)
        self.opts = IngestOptions(follow_links=follow_links)
        self.on_poll = on_poll
        self.urls: list[str] = []
        self.local: list[Path] = []
        for s in sources:
            if is_url(s):
                self.urls.append(s)
                self.store.source_id("feed", s)
            else:
                self.local.append(Path(s))

    def _feed_urls(self) -> list[str]:
        """The URLs to poll: given ones, plus the feeds of local OPML lists (re-read each round)."""
        urls = list(self.urls)
        for path in self.local:
            try:
                data = path.read_bytes()
                if feeds.looks_like_opml(data):
                    for u in feeds.parse_opml(data):
                        if u not in urls:
                            urls.append(u)
                            self.store.source_id("feed", u)
            except (OSError, BadInput) as exc:
                self.store.record_skipped([Skipped("ingest", "bad_source", f"{path}: {exc}", str(path))])
        return urls

    def _local_feeds(self) -> IngestReport:
        report = IngestReport()
        for path in self.local:
            if path.exists() and not (path.is_file() and feeds.looks_like_opml(_head(path))):
                sid = self.store.source_id("file", str(path.resolve()), title=path.name)
                report.merge(write_items(self.store, files.read_path(path), sid))
        return report

    def poll_due(self) -> IngestReport:
        """One round: every source that is due is polled once; then new articles are processed."""
        report = self._local_feeds()
        stamp = now()
        for url in self._feed_urls():
            src = self.store.get_source(url)
            due = src is None or src["next_poll_at"] is None or as_utc(src["next_poll_at"]) <= stamp
            if not due:
                continue
            r = poll_source(self.store, url, self.fetcher, self.opts, every=self.every)
            if self.on_poll:
                self.on_poll(url, r)
            report.merge(r)
        if self.process and (report.added or report.updated or self._unprocessed):
            self._unprocessed = True  # until a run ends well
            try:
                pipeline.process(self.store, wait=False)
                self._unprocessed = False
            except PipelineBusy:
                # Another run holds the pipeline (a back-fill's `aiwatch process`): waiting for it stopped
                # the polling for as long. Polling goes on; a later round processes what this one brought.
                pass
        return report

    def seconds_to_next(self) -> float:
        times = [as_utc(s["next_poll_at"]) for s in self.store.sources()
                 if s["location"] in self.urls or s["kind"] == "feed"]
        upcoming = [t for t in times if t is not None]
        if self.local or not upcoming:
            return self.every.total_seconds()
        return max(0.5, min((t - now()).total_seconds() for t in upcoming))

    def run(self, stop: threading.Event, max_rounds: int | None = None) -> int:
        """Poll until `stop` is set (or max_rounds rounds ran). Returns the number of rounds."""
        rounds = 0
        try:
            while not stop.is_set():
                try:
                    self.poll_due()
                    wait = min(self.seconds_to_next(), self.every.total_seconds())
                except (OperationalError, InterfaceError) as exc:
                    # The store stayed locked past AIWATCH_LOCK_TIMEOUT, or went away (a PostgreSQL restart).
                    # What was committed stays, and a source whose round failed is still due: an unattended
                    # monitor tries again, instead of ending on the first blip of its database.
                    if self.on_error:
                        self.on_error(exc)
                    wait = min(self.every.total_seconds(), STORE_RETRY_S)
                rounds += 1
                if max_rounds is not None and rounds >= max_rounds:
                    break
                stop.wait(wait)
        finally:
            self.fetcher.close()
        return rounds
