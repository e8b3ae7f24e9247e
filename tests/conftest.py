"""Shared fixtures: real SQLite files, a real PostgreSQL server, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("AIWATCH_DOMAIN_INTERVAL", "0")  # tests that check the rate limit set their own
# The pipeline's classify stage runs in most tests; the MiniLM cascade is tested on its own (test_classify).
os.environ.setdefault("AIWATCH_CLASSIFIER_MODE", "fast")

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("AIWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
PG_ADMIN_URL = os.environ.get("AIWATCH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def shared(*parts: str) -> Path:
    """A file of ../shared/data; the test skips (with the reason) when it is absent. CI has it."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the project's shared data, present in CI); not found here")
    return path


# -- PostgreSQL ------------------------------------------------------------------------
def pg_admin() -> Any:
    """An engine on the server's admin database. Unreachable server: the test skips on a developer's
    machine and FAILS under CI=true (CI must test both stores)."""
    from sqlalchemy import create_engine, text

    from aiwatch.store import resolve_url

    try:
        engine = create_engine(resolve_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        msg = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__}); run scripts/ensure-postgres.sh"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return engine


def create_pg_db(engine: Any) -> str:
    from sqlalchemy import text

    name = f"aiwatch_test_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return str(engine.url.set(database=name).render_as_string(hide_password=False))


def drop_pg_db(engine: Any, url: str) -> None:
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))


@contextmanager
def new_pg_db() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database (no schema yet), dropped afterwards."""
    engine = pg_admin()
    url = create_pg_db(engine)
    try:
        yield url
    finally:
        drop_pg_db(engine, url)
        engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped at the end."""
    with new_pg_db() as url:
        yield url


def _empty_pg(url: str) -> None:
    from sqlalchemy import text

    from aiwatch.store import Store
    from aiwatch.store import schema as t

    store = Store(url)
    names = ", ".join(t.metadata.tables)
    with store.transaction() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def db_kind(request: pytest.FixtureRequest) -> str:
    """Every store test runs twice: on a SQLite file and on a real PostgreSQL server."""
    return request.param


@pytest.fixture
def db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One empty store of this test's kind (PostgreSQL: the session's database, emptied)."""
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = request.getfixturevalue("pg_url")
    _empty_pg(url)
    return url


@pytest.fixture
def make_db(db_kind: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """A factory of fresh, empty stores of this test's kind, for tests that compare several stores
    (a killed run against a clean one, two engines). PostgreSQL databases are dropped afterwards."""
    made: list[str] = []
    engine = pg_admin() if db_kind == "postgres" else None

    def make(name: str) -> str:
        if engine is None:
            return f"sqlite:///{tmp_path / (name + '.db')}"
        made.append(create_pg_db(engine))
        return made[-1]

    yield make
    if engine is not None:
        for url in made:
            drop_pg_db(engine, url)
        engine.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Any]:
    from aiwatch.store import Store

    s = Store(db_url)
    yield s
    s.close()


# -- a real HTTP server --------------------------------------------------------------------
@dataclass
class Route:
    body: bytes | Callable[[dict[str, str]], tuple[int, dict[str, str], bytes]] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float


class LocalServer:
    """An HTTP server on 127.0.0.1 whose routes a test sets, recording every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.hits.append(Hit(self.path, headers, time.monotonic()))
                route = server.routes.get(self.path)
                if route is None:
                    status, hdrs, body = 404, {"Content-Type": "text/plain"}, b"not found"
                elif callable(route.body):
                    status, hdrs, body = route.body(headers)
                else:
                    status, hdrs, body = route.status, route.headers, route.body
                self.send_response(status)
                for k, v in hdrs.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients that stop reading at a cap (the point of some tests) are not errors

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits_for(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


# -- realistic article texts ---------------------------------------------------------------
STORY = (
    "Police in Detroit wrongly arrested a man after a facial recognition system matched his driver's licence "
    "photo to blurry surveillance footage from a watch store, according to a complaint filed on Tuesday. "
    "The man was held for thirty hours before detectives conceded that the computer had got it wrong. "
    "Civil liberties groups said the case showed how errors in face matching software fall hardest on Black "
    "residents, who are misidentified at higher rates by many commercial systems. The department said it had "
    "since changed its policy so that a match alone can no longer justify an arrest, and that every match must "
    "now be reviewed by two analysts before investigators act on it. The vendor of the software, which sells to "
    "hundreds of police agencies, declined to comment on the specific case but said its algorithm performs well "
    "in independent tests. Lawyers for the man are seeking damages and a ban on the use of the technology by the "
    "city's police. A city council member said she would ask for a public hearing on the contract, which was "
    "renewed last year for another three years without debate. Researchers who audited similar systems said the "
    "quality of the probe image matters as much as the algorithm, and that grainy footage should never be used."
)

OTHER_STORY_SAME_TOPIC = (
    "Detroit's city council voted on Thursday to extend the police department's facial recognition contract "
    "after a heated four-hour meeting in which dozens of residents spoke against the technology. Supporters "
    "argued the software helps solve violent crimes and that safeguards introduced last year are working. "
    "Opponents pointed to studies showing higher error rates for darker-skinned faces and urged the council "
    "to fund community programs instead. The contract, worth about two million dollars over three years, "
    "covers software licences, maintenance and training for analysts. The police chief told the council that "
    "the department uses the tool only for violent felonies and never as the sole basis for an arrest. Several "
    "council members said they wanted quarterly reports on how often the system is used and with what results. "
    "The vote was five to four, and the mayor is expected to sign the extension next week."
)


# -- a store with incidents, for the web tests ----------------------------------------------
# VentureBeat's pages, as crawled (the AI news data): the site's menu and footer before (or instead of) the story.
SITE_MENU = (
    "Artificial Intelligence View All AI, ML and Deep Learning Auto ML Data Labelling Synthetic Data "
    "Conversational AI NLP Text-to-Speech Security View All Data Security and Privacy Network Security "
    "and Privacy Software Security Computer Hardware Security Cloud and Data Storage Security Data "
    "Infrastructure View All Data Science Data Management Data Storage and Cloud Big Data and Analytics "
    "Data Networks Automation View All Industrial Automation Business Process Automation Development "
    "Automation Robotic Process Automation Test Automation Enterprise Analytics View All Business "
    "Intelligence Disaster Recovery Business Continuity Statistical Analysis Predictive Analysis More "
    "Data Decision Makers Virtual Communication Team Collaboration UCaaS Virtual Reality Collaboration "
    "Virtual Employee Experience Programming & Development Product Development Application Development "
    "Test Management Development Languages Video VentureBeat Homepage Follow us on Facebook Follow us on "
    "X Follow us on LinkedIn Follow us on RSS Press Releases Contact Us Advertise Share a News Tip "
    "Contribute to DataDecisionMakers Careers Privacy Policy Terms of Service Do Not Sell My Personal "
    "Information \u00a9 2023 VentureBeat. All rights reserved.")

XSS_TITLE = '<script>window.__xss = 1</script>Face scan wrongly flags shoppers <img src=x onerror="window.__xss=2">'
XSS_TEXT = ('A retailer\'s facial recognition system wrongly flagged shoppers as thieves. '
            '<img src=x onerror="window.__xss=3"> <a href="javascript:window.__xss=4">click</a> '
            '<svg onload="window.__xss=5"></svg> The company said it would review the software.')


def build_web_store(url: str, tmp_path: Path) -> None:
    """The bundled AIID sample (300 incidents, the whole pipeline) plus articles carrying script payloads."""
    import json

    from aiwatch import pipeline
    from aiwatch.ingest import ingest, ingest_sample
    from aiwatch.store import Store

    store = Store(url)
    ingest_sample(store)
    src = tmp_path / "xss.jsonl"
    src.write_text("".join(json.dumps({"id": f"xss-{i}", "title": XSS_TITLE + f" ({i})", "text": XSS_TEXT,
                                       "url": "javascript:window.__xss=6", "published": f"2026-01-0{i + 1}",
                                       "source": "<b>evil</b>.example"}) + "\n" for i in range(2)))
    ingest(store, [str(src)])
    pipeline.process(store, ["dedup.minhash.v1", "classify.cascade.v1"])
    for i in range(2):
        store.label_article(f"xss-{i}", "incident")
    pipeline.process(store)
    store.close()
