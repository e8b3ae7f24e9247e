"""The unattended monitor: polls on schedule, ingests what is new, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from aiwatch.store import Store
from aiwatch.watch import Watcher, parse_interval
from tests.conftest import ROOT, LocalServer, Route

FEED_HEADERS = {"Content-Type": "application/rss+xml"}


def rss(n: int) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>https://news.example.com/{i}</link>"
        f"<description>Body of distinct story number {i} about algorithm audit {i * 7919}.</description></item>"
        for i in range(n))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{items}</channel></rss>'.encode()


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("5", 300),
                                          ("0.5s", 0.5)])
def test_intervals_read_like_people_write_them(text: str, seconds: float) -> None:
    assert parse_interval(text).total_seconds() == seconds


@pytest.mark.parametrize("bad", ["soon", "-5m", "0s", "15 parsecs", "367d", "99999999999999999999d"])  # last: overflow
def test_bad_interval_says_how_to_write_one(bad: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(bad)


def test_watcher_picks_up_new_entries_and_uses_conditional_get(store: Store, http_server: LocalServer) -> None:
    state = {"n": 2}

    def feed(headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        etag = f'"{state["n"]}"'
        if headers.get("if-none-match") == etag:
            return 304, {}, b""
        return 200, {**FEED_HEADERS, "ETag": etag}, rss(state["n"])

    http_server.routes["/rss"] = Route(feed)
    w = Watcher(store, [http_server.url("/rss")], every=timedelta(seconds=0.2), allow_private=True)
    assert w.poll_due().added == 2
    time.sleep(0.25)
    assert w.poll_due().added == 0  # a 304
    state["n"] = 3
    time.sleep(0.25)
    assert w.poll_due().added == 1
    statuses = [h.headers.get("if-none-match") for h in http_server.hits_for("/rss")]
    assert statuses == [None, '"2"', '"2"']
    assert store.count_pending("dedup.minhash.v1") == 0  # each poll processed what it found


def test_watcher_stops_when_asked(store: Store, http_server: LocalServer) -> None:
    http_server.routes["/rss"] = Route(rss(1), 200, FEED_HEADERS)
    w = Watcher(store, [http_server.url("/rss")], every=timedelta(hours=1), allow_private=True)
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,))
    t.start()
    time.sleep(0.5)
    stop.set()
    t.join(timeout=10)
    assert not t.is_alive() and store.stats()["articles"] == 1


def test_the_watcher_polls_on_while_another_run_holds_the_pipeline(store: Store, http_server: LocalServer) -> None:
    """A back-fill's `aiwatch process` holds the pipeline for hours: the watcher waited for it and polled
    nothing meanwhile. Now it stores what it finds, and processes it in the first round after."""
    state = {"n": 2}
    http_server.routes["/rss"] = Route(lambda _h: (200, FEED_HEADERS, rss(state["n"])))
    w = Watcher(store, [http_server.url("/rss")], every=timedelta(seconds=0.1), allow_private=True)
    with store_lock_held_elsewhere(store):
        first: list[int] = []
        t = threading.Thread(target=lambda: first.append(w.poll_due().added), daemon=True)
        t.start()
        t.join(timeout=60)
        assert first == [2], "the round waited for the pipeline"  # (a hang here, before)
        assert store.count_pending("dedup.minhash.v1") == 2
        state["n"] = 3
        time.sleep(0.15)
        assert w.poll_due().added == 1
    time.sleep(0.15)
    assert w.poll_due().added == 0  # nothing new, but what earlier rounds left is processed now
    assert store.count_pending("dedup.minhash.v1") == 0 and store.count_pending("cluster.online.v1") == 0


def test_the_watchers_first_round_processes_what_was_stored_before_it(store: Store,
                                                                     http_server: LocalServer) -> None:
    # `aiwatch ingest --no-process`, then `aiwatch watch`: the backlog waited until a feed brought news.
    http_server.routes["/rss"] = Route(rss(2), 200, FEED_HEADERS)
    url = http_server.url("/rss")
    assert Watcher(store, [url], every=timedelta(seconds=0.1), allow_private=True, process=False).poll_due().added == 2
    time.sleep(0.15)
    assert Watcher(store, [url], every=timedelta(seconds=0.1), allow_private=True).poll_due().added == 0
    assert store.count_pending("dedup.minhash.v1") == 0


def store_lock_held_elsewhere(store: Store):  # noqa: ANN201
    """The pipeline lock, held through a second Store object (as another process would hold it)."""
    return Store(store.url).pipeline_lock()


def test_the_watcher_outlives_a_store_locked_for_a_while(tmp_path: Path, http_server: LocalServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program held the SQLite store's write lock past AIWATCH_LOCK_TIMEOUT: the watcher ended on
    the error. Now the round is reported and tried again; the articles land once the lock is gone."""
    import sqlite3

    monkeypatch.setenv("AIWATCH_LOCK_TIMEOUT", "0.2")
    db = tmp_path / "w.db"
    store = Store(f"sqlite:///{db}")
    http_server.routes["/rss"] = Route(rss(3), 200, FEED_HEADERS)
    errors: list[Exception] = []
    w = Watcher(store, [http_server.url("/rss")], every=timedelta(seconds=0.2), allow_private=True, process=False,
                on_error=errors.append)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,))
    t.start()
    try:
        deadline = time.monotonic() + 60
        while not errors and t.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert errors and "locked" in str(errors[0]) and t.is_alive()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    deadline = time.monotonic() + 60
    while store.stats()["articles"] < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    t.join(timeout=30)
    assert not t.is_alive() and store.stats()["articles"] == 3
    (src,) = store.sources()
    assert src["last_success_at"] is not None


def test_watch_command_stops_cleanly_on_sigterm(db_url: str, http_server: LocalServer) -> None:
    http_server.routes["/rss"] = Route(rss(3), 200, FEED_HEADERS)
    db = db_url
    env = {**os.environ, "AIWATCH_DB": db, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "aiwatch", "watch", http_server.url("/rss"), "--every", "1s",
                             "--allow-private"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        store = Store(db)
        while time.monotonic() < deadline and store.stats()["articles"] < 3 and proc.poll() is None:
            time.sleep(0.2)
        if store.stats()["articles"] != 3:  # show what the watcher said (it once died opening the new store)
            proc.kill()
            pytest.fail(f"the watcher stored {store.stats()['articles']} of 3 articles; it printed:\n"
                        f"{proc.communicate()[0]}")
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "SIGTERM" in out and "watch stopped" in out
    (src,) = Store(db).sources()
    assert src["last_success_at"] is not None and src["items_seen"] >= 3


def test_watcher_reads_a_local_opml_list_each_round(store: Store, http_server: LocalServer,
                                                    tmp_path: Path) -> None:
    http_server.routes["/a"] = Route(rss(2), 200, FEED_HEADERS)
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<opml version="2.0"><body><outline xmlUrl="{http_server.url("/a")}"/></body></opml>')
    w = Watcher(store, [str(opml)], every=timedelta(hours=1), allow_private=True)
    assert w.poll_due().added == 2
    assert [s["kind"] for s in store.sources()] == ["feed"]
