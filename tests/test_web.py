"""The web app through its HTTP interface: pages and JSON twins, filters, errors, feeds, exports, editors."""

from __future__ import annotations

import io
import json
import re

import feedparser
import pytest
from fastapi.testclient import TestClient

from aiwatch.web import editor as ED
from aiwatch.web.app import CSP, create_app

from .conftest import build_web_store


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def web_db(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> str:
    """The sample through the whole pipeline, once on SQLite (FTS5) and once on PostgreSQL (tsvector)."""
    tmp = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'web.db'}"
    else:
        from .conftest import _empty_pg

        url = request.getfixturevalue("pg_url")
        _empty_pg(url)
    build_web_store(url, tmp)
    return url


@pytest.fixture()
def client(web_db: str) -> TestClient:
    return TestClient(create_app(web_db, cookie_secure=False, secret="test"), raise_server_exceptions=False)


@pytest.fixture()
def editor_token(web_db: str) -> str:
    from aiwatch.store import Store

    return ED.add_user(Store(web_db), "alice", "correct horse battery")


def test_every_page_has_a_json_twin_with_the_same_data(client: TestClient) -> None:
    listing = client.get("/incidents.json").json()
    assert listing["count"] >= 290 and len(listing["data"]) == 25
    first = listing["data"][0]["id"]
    pages = {"/": "/index.json", "/incidents": "/incidents.json", f"/incidents/{first}": f"/incidents/{first}.json",
             "/search?q=tesla": "/search.json?q=tesla", "/entities": "/entities.json"}
    for html, twin in pages.items():
        r = client.get(html)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), html
        assert client.get(twin).status_code == 200, twin
    inc = client.get(f"/incidents/{first}.json").json()
    assert inc["title"] in client.get(f"/incidents/{first}").text.replace("&#39;", "'").replace("&amp;", "&") \
        or inc["title"][:20] in client.get(f"/incidents/{first}").text
    ent = inc["entities"][0]["entity_id"] if inc["entities"] else 1
    assert client.get(f"/entities/{ent}").status_code == 200 and client.get(f"/entities/{ent}.json").json()["id"]
    art = inc["articles"][0]["pk"]
    assert client.get(f"/articles/{art}").status_code == 200
    assert client.get(f"/articles/{art}.json").json()["id"] == art


def test_filters_narrow_the_list_and_facets_count(client: TestClient) -> None:
    everything = client.get("/incidents.json").json()
    harm = everything["facets"]["harm_type"][0]
    narrowed = client.get("/incidents.json", params={"harm_type": harm["value"], "per_page": 100}).json()
    assert narrowed["count"] == harm["count"] < everything["count"]
    for row in narrowed["data"][:10]:
        tags = client.get(f"/incidents/{row['id']}.json").json()["tags"]
        assert harm["value"] in {t["label"] for t in tags["harm_types"]}
    both = client.get("/incidents.json", params={"harm_type": harm["value"], "category": "hazard"}).json()
    assert both["count"] <= narrowed["count"]
    dated = client.get("/incidents.json", params={"date_from": "2024-01-01", "date_to": "2024-12-31"}).json()
    assert 0 < dated["count"] < everything["count"]
    assert all("2024" in (r["event_date"] or r["first_seen"]) for r in dated["data"])
    page2 = client.get("/incidents.json", params={"page": 2}).json()
    assert {r["id"] for r in page2["data"]}.isdisjoint({r["id"] for r in everything["data"]})


def test_entities_are_listed_by_incidents_and_filter_by_kind_role_and_name(client: TestClient) -> None:
    everything = client.get("/entities.json", params={"per_page": 100}).json()
    rows = everything["data"]
    assert everything["count"] > 20 and len(rows) == 100
    assert [r["incidents"] for r in rows] == sorted((r["incidents"] for r in rows), reverse=True)
    assert {r["kind"] for r in rows} <= {"organisation", "public_body", "ai_system", "group"}
    top = rows[0]
    assert sum(top["roles"].values()) >= top["incidents"] > 0
    listed = client.get(f"/incidents.json?entity={top['id']}").json()["count"]
    assert listed == top["incidents"]  # the list's count is the incidents the entity filter gives
    bodies = client.get("/entities.json", params={"kind": "public_body"}).json()
    assert 0 < bodies["count"] < everything["count"] and {r["kind"] for r in bodies["data"]} == {"public_body"}
    deployers = client.get("/entities.json", params={"role": "deployer", "per_page": 100}).json()["data"]
    assert deployers and all(r["incidents"] == r["roles"]["deployer"] for r in deployers)
    # the bodies that acted on a harm (a court, the FBI, Europol in the sample), listed under their own role
    responders = client.get("/entities.json", params={"role": "responder"}).json()["data"]
    assert responders and all(r["roles"]["responder"] for r in responders)
    part = top["name"][1:4].upper()
    named = client.get("/entities.json", params={"q": part}).json()["data"]
    assert top["id"] in {r["id"] for r in named} and all(part.lower() in r["name"].lower() for r in named)
    assert client.get("/entities.json", params={"q": "%"}).json()["count"] == 0  # LIKE's wildcard, as written
    accented = "".join({"a": "á", "e": "é", "o": "ö", "i": "í"}.get(c, c) for c in part.lower())
    assert top["id"] in {r["id"] for r in client.get("/entities.json", params={"q": accented}).json()["data"]}
    html = client.get("/entities", params={"kind": "", "role": "", "q": ""})  # a form's "any" sends them empty
    assert html.status_code == 200 and f'href="/entities/{top["id"]}"' in html.text
    page2 = client.get("/entities.json", params={"page": 2, "per_page": 10}).json()["data"]
    assert {r["id"] for r in page2}.isdisjoint({r["id"] for r in rows[:10]})


@pytest.mark.parametrize("path, status", [("/incidents/999999.json", 404), ("/incidents.json?date_from=soon", 422),
                                          ("/incidents.json?per_page=1000", 422), ("/entities/999999.json", 404),
                                          ("/tags/nonsense/x/feed.atom", 404), ("/entities.json?kind=person", 422),
                                          ("/entities.json?role=victim", 422),
                                          # numbers no row can have: refused, not a driver's overflow (a 500)
                                          ("/entities/99999999999999999999.json", 422), ("/incidents/0.json", 422),
                                          ("/incidents.json?page=99999999999999999999999", 422),
                                          ("/articles/2147483647.json", 404), ("/articles/2147483648.json", 422),
                                          ("/incidents.json?entity=99999999999999999999", 422),
                                          ("/feed.atom?entity=2147483648", 422),
                                          # past 4,300 digits int() itself refuses (it was a 500)
                                          ("/incidents.json?entity=" + "1" * 5000, 422),
                                          ("/feed.atom?entity=" + "1" * 5000, 422)])
def test_one_error_shape(client: TestClient, path: str, status: int) -> None:
    r = client.get(path)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and body["error"]["message"]


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.headers["content-security-policy"] == CSP and "script-src 'self'" in CSP
    assert r.headers["x-content-type-options"] == "nosniff"


def test_untrusted_text_is_escaped(client: TestClient) -> None:
    found = client.get("/search.json", params={"q": "face scan shoppers"}).json()["data"]
    xss = next(h for h in found if "window.__xss" in h["title"])
    for path in (f"/incidents/{xss['id']}", "/incidents", "/search?q=shoppers+flagged", "/entities"):
        html = client.get(path, params={"per_page": 100} if path in ("/incidents", "/entities") else None).text
        assert "<script>window.__xss" not in html and "onerror=\"window" not in html
        assert "href=\"javascript:" not in html  # escaped text may say it; no link may be it
    assert "&lt;script&gt;" in client.get(f"/incidents/{xss['id']}").text


def test_every_write_route_refuses_the_anonymous(client: TestClient, web_db: str) -> None:
    routes = client.app.state.write_routes
    assert len(routes) >= 7
    for path, _methods in routes:
        if path == "/login":
            continue
        url = path.replace("{incident_id}", "1")
        assert client.post(url, data={}).status_code in (401, 403), url
        r = client.post(url, json={}, headers={"Accept": "application/json"})
        assert r.status_code in (401, 403) and r.json()["error"]["code"] in ("unauthorized", "forbidden"), url
        assert client.post(url, json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_login_needs_csrf_and_the_right_password(client: TestClient, editor_token: str) -> None:
    assert client.post("/login", data={"username": "alice", "password": "correct horse battery"}).status_code == 403
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    bad = client.post("/login", data={"username": "alice", "password": "wrong password", "csrf": csrf})
    assert bad.status_code == 401
    ok = client.post("/login", data={"username": "alice", "password": "correct horse battery", "csrf": csrf},
                     follow_redirects=False)
    assert ok.status_code == 303
    # Logged in, a form without the session's token is still refused.
    assert client.post("/incidents/1/confirm", data={"csrf": "forged"}).status_code == 403
    page = client.get("/incidents/1").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    assert client.post("/incidents/1/confirm", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/incidents/1.json").json()["status"] == "confirmed"


def test_editor_actions_refuse_malformed_bodies_with_a_400(client: TestClient, editor_token: str) -> None:
    auth = {"Authorization": f"Bearer {editor_token}"}
    b = client.get("/incidents.json", params={"per_page": 1}).json()["data"][0]["id"]
    for into in ("99999999999999999999", "1" * 5000, "²", "-3", "", [1, 2]):  # "²".isdigit() is true; int("²") raises
        r = client.post(f"/incidents/{b}/merge", json={"into": into}, headers=auth)
        assert r.status_code == 400 and "into" in r.json()["error"]["message"], into
    for articles in ([10**30], 2.5, ["x"]):
        assert client.post(f"/incidents/{b}/split", json={"articles": articles}, headers=auth).status_code == 400
    r = client.post(f"/incidents/{b}/split", json={"articles": [1], "title": ["a"]}, headers=auth)
    assert r.status_code == 400 and "title" in r.json()["error"]["message"]  # was stored as the list's text
    for body in ({"title": 12345}, {"summary": ["a"]}):  # were a 500 (.strip() on a number, a list)
        r = client.post(f"/incidents/{b}/edit", json=body, headers=auth)
        assert r.status_code == 400 and "text" in r.json()["error"]["message"]
    for tags in ("Reputational", {"harm_types": 7}, [1, 2]):  # the list of numbers was a 500 ("in" on an int)
        r = client.post(f"/incidents/{b}/relabel", json={"tags": tags}, headers=auth)
        assert r.status_code == 400 and r.json()["error"]["message"].startswith("tags:"), tags
    # A form field sent as a file (multipart) is refused, not read as text (tags: a 500)
    for action, field in (("relabel", "tags"), ("edit", "title")):
        r = client.post(f"/incidents/{b}/{action}", files={field: ("x.txt", b"Reputational", "text/plain")},
                        headers=auth)
        assert r.status_code == 400 and "not a file" in r.json()["error"]["message"], action
    assert client.get(f"/incidents/{b}.json").json()["audit_log"] == []  # nothing done
    # One label given bare is that label (it was read letter by letter: "unknown label R, e, p, ...").
    r = client.post(f"/incidents/{b}/relabel", json={"tags": {"harm_types": "Reputational"}}, headers=auth)
    assert r.status_code == 200 and [x["label"] for x in r.json()["data"]["tags"]["harm_types"]] == ["Reputational"]


def test_an_edit_while_another_program_holds_the_store_is_a_503_to_retry(web_db: str, editor_token: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A sqlite3 shell left in a write transaction: pages still show (WAL), an edit is a 503 with Retry-After
    (it was a 500 "internal error"), and the same edit goes through once the lock is let go."""
    import sqlite3

    from sqlalchemy.engine import make_url

    if not web_db.startswith("sqlite"):
        pytest.skip("SQLite's one write lock; PostgreSQL locks rows")
    monkeypatch.setenv("AIWATCH_LOCK_TIMEOUT", "0.2")
    client = TestClient(create_app(web_db, cookie_secure=False, secret="test"), raise_server_exceptions=False)
    auth = {"Authorization": f"Bearer {editor_token}"}
    b = client.get("/incidents.json", params={"per_page": 1}).json()["data"][0]["id"]
    holder = sqlite3.connect(make_url(web_db).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert client.get(f"/incidents/{b}.json").status_code == 200
        r = client.post(f"/incidents/{b}/confirm", headers=auth)
        assert r.status_code == 503 and r.headers["retry-after"] == "5", r.text
        assert r.json()["error"]["code"] == "store_unavailable" and "try again" in r.json()["error"]["message"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post(f"/incidents/{b}/confirm", headers=auth).status_code == 200


def test_editor_text_with_a_lone_surrogate_is_kept_mended(client: TestClient, editor_token: str) -> None:
    """JSON may escape half a UTF-16 pair alone ("\\ud800"), which no UTF-8 text holds: the store refused it
    (a 500). It is kept as U+FFFD."""
    auth = {"Authorization": f"Bearer {editor_token}", "content-type": "application/json"}
    b = client.get("/incidents.json", params={"per_page": 1}).json()["data"][-1]["id"]
    r = client.post(f"/incidents/{b}/edit", content=b'{"title": "Half a pair \\ud800 here"}', headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["title"] == "Half a pair \ufffd here"


def test_control_characters_never_reach_the_feed(client: TestClient, editor_token: str) -> None:
    """An editor's title with a control character (XML 1.0 cannot hold one, even escaped) made the whole Atom
    feed unreadable to every reader. Titles and summaries are cleaned as articles' are; the feed drops any left."""
    from aiwatch.web.app import atom

    auth = {"Authorization": f"Bearer {editor_token}"}
    b = client.get("/incidents.json", params={"per_page": 1}).json()["data"][0]["id"]
    r = client.post(f"/incidents/{b}/edit", json={"title": "Bell\x07 rang\x0b twice", "summary": "Nul\x00 here"},
                    headers=auth)
    assert r.status_code == 200 and r.json()["data"]["title"] == "Bell rang twice"
    feed = feedparser.parse(client.get("/feed.atom").content)
    assert not feed.bozo and "Bell rang twice" in [e.title for e in feed.entries]
    raw = atom([{"id": 1, "title": "A\x01B \"q\"", "summary": "\ufffe", "category": None, "first_seen": None,
                 "last_seen": None}], "T", 'http://h/"x', "/feed.atom")
    assert not feedparser.parse(raw.encode()).bozo and "AB" in raw


def test_editor_api_merge_split_relabel_with_audit_log(client: TestClient, editor_token: str, web_db: str) -> None:
    auth = {"Authorization": f"Bearer {editor_token}"}
    a, b = [r["id"] for r in client.get("/incidents.json", params={"per_page": 2}).json()["data"]]
    n_a = len(client.get(f"/incidents/{a}.json").json()["articles"])
    n_b = len(client.get(f"/incidents/{b}.json").json()["articles"])
    merged = client.post(f"/incidents/{a}/merge", json={"into": b}, headers=auth)
    assert merged.status_code == 200, merged.text
    target = merged.json()["data"]
    assert len(target["articles"]) == n_a + n_b
    assert target["audit_log"][0]["action"] == "merge" and target["audit_log"][0]["user"] == "alice"
    assert client.get(f"/incidents/{a}", follow_redirects=False).status_code == 301
    pks = [x["pk"] for x in target["articles"] if not x["duplicate_of"]]
    new = client.post(f"/incidents/{b}/split", json={"articles": pks[:1], "title": "Split off"}, headers=auth).json()
    assert new["data"]["title"] == "Split off" and len(new["data"]["articles"]) == 1
    r = client.post(f"/incidents/{b}/relabel", json={"category": "hazard", "severity": "serious hazard",
                                                     "tags": {"harm_types": ["Reputational"]}}, headers=auth)
    assert r.status_code == 200 and r.json()["data"]["category"] == "hazard"
    assert client.post(f"/incidents/{b}/relabel", json={"category": "scandal"}, headers=auth).status_code == 400
    client.post(f"/incidents/{b}/edit", json={"title": "Edited by alice"}, headers=auth)
    # Re-running the pipeline over the incident keeps every editor decision.
    from aiwatch.cluster import incident as I
    from aiwatch.store import Store

    store = Store(web_db)
    with store.transaction() as conn:
        I.refresh(conn, [b])
    after = client.get(f"/incidents/{b}.json").json()
    assert (after["title"], after["category"], after["severity"]) == ("Edited by alice", "hazard", "serious hazard")
    assert [x["action"] for x in after["audit_log"]][:3] == ["edit", "relabel", "split"]


def test_feeds_parse_and_exports_download(client: TestClient) -> None:
    raw = client.get("/feed.atom").text
    feed = feedparser.parse(raw.encode())
    assert not feed.bozo and len(feed.entries) == 50 and feed.entries[0].link.startswith("http")
    # Atom's dates are RFC 3339 times, offset included (SQLite hands times back without one).
    updated = re.findall(r"<updated>([^<]*)</updated>", raw)
    assert updated and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", u)
                           for u in updated), updated[:3]
    harm = client.get("/incidents.json").json()["facets"]["harm_type"][0]["value"]
    tag = feedparser.parse(client.get(f"/tags/harm_type/{harm}/feed.atom").content)
    assert not tag.bozo and tag.entries
    ent = client.get("/index.json").json()["developers"][0]["id"]
    assert not feedparser.parse(client.get(f"/entities/{ent}/feed.atom").content).bozo
    lines = client.get("/export/incidents.jsonl").text.splitlines()
    assert {"id", "title", "entities", "articles"} <= json.loads(lines[0]).keys()
    assert client.get("/export/incidents.csv").text.startswith("id,title,summary")
    assert client.get("/export/articles.csv").status_code == 200


def test_csv_exports_are_streamed_a_record_at_a_time_and_match_the_command(client: TestClient, web_db: str) -> None:
    # They were built whole in memory before the first byte went out (a 1M-article store: hundreds of MB).
    from aiwatch.export import export_articles, export_incidents
    from aiwatch.store import Store

    store = Store(web_db)
    for path, export in (("/export/articles.csv", lambda f: export_articles(store, f, "csv", include_text=False)),
                         ("/export/incidents.csv", lambda f: export_incidents(store, f, "csv"))):
        expected = io.StringIO()
        n = export(expected)
        with client.stream("GET", path) as r:
            chunks = list(r.iter_text())
        assert "".join(chunks) == expected.getvalue() and n > 1
        assert len(chunks) > 1, path  # the header, then rows as they are read
    store.close()


def test_citation_and_bibtex(client: TestClient) -> None:
    first = client.get("/incidents.json").json()["data"][0]
    bib = client.get(f"/incidents/{first['id']}/cite.bib").text
    assert bib.startswith(f"@misc{{aiwatch-incident-{first['id']},") and "howpublished" in bib
    assert "Retrieved" in client.get(f"/incidents/{first['id']}").text


def test_search_snippets_mark_matches(client: TestClient) -> None:
    hits = client.get("/search.json", params={"q": "autopilot"}).json()["data"]
    assert hits and any("autopilot" in (h["title"] + h["snippet"]).lower() for h in hits)
    # the API's snippet is plain text; its HTML twin marks the matches, escaped
    assert not any("\x02" in h["snippet"] or "\x03" in h["snippet"] for h in hits)
    assert any("<mark>" in h["snippet_html"].lower() for h in hits)
    # words match by their stem on both stores: a plural finds the singular
    assert client.get("/search.json", params={"q": "autopilots"}).json()["data"]
    html = client.get("/search", params={"q": "autopilot"}).text
    assert "<mark>" in html.lower()
    assert client.get("/search.json", params={"q": '") OR * NEAR('}).status_code == 200  # no query syntax leaks


def test_search_words_match_by_stem_not_as_prefixes() -> None:
    """A prefix term makes FTS5 merge the doclists of every word it opens before reading any: the cost of the
    whole index. Words match by their Porter stem instead ("crash" finds "crashes"), as on PostgreSQL."""
    from aiwatch.web import queries as Q

    assert Q._fts_query('self-driving "crash" OR *') == '"self-driving" "crash" "OR"'


def test_search_ranks_only_the_newest_matches_of_a_common_word(web_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranking reads every match, so each index ranks only its newest RANK_WINDOW matches: a common word
    costs the same in a big store as in a small one."""
    from sqlalchemy import text

    from aiwatch.store import Store
    from aiwatch.web import queries as Q

    store = Store(web_db)
    assert Q.search(store, "ai", limit=1000)["count"] > 10
    monkeypatch.setattr(Q, "SEARCH_CAP", 5)
    monkeypatch.setattr(Q, "RANK_WINDOW", 5)
    found = {h["id"] for h in Q.search(store, "ai", limit=5)["data"]}
    # The oracle: the five newest matching rows of each index, found without ranking.
    if store.dialect == "sqlite":
        newest = "SELECT rowid FROM {t}_fts WHERE {t}_fts MATCH '\"ai\"' ORDER BY rowid DESC LIMIT 5"
    else:
        newest = "SELECT id FROM {t} WHERE search_fts @@ websearch_to_tsquery('english', 'ai') ORDER BY id DESC LIMIT 5"
    with store.engine.connect() as conn:
        incidents = set(conn.execute(text(newest.format(t="incidents"))).scalars())
        articles = list(conn.execute(text(newest.format(t="articles"))).scalars())
        incidents |= set(conn.execute(text("SELECT incident_id FROM incident_articles WHERE article_id IN "
                                           f"({','.join(map(str, articles))})")).scalars())
    assert found and found <= incidents


def test_openapi_lists_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/incidents.json", "/incidents/{incident_id}.json", "/search.json", "/feed.atom", "/entities.json",
                 "/incidents/{incident_id}/merge", "/export/incidents.jsonl"):
        assert path in spec["paths"], path


def test_reading_can_require_login(web_db: str) -> None:
    closed = TestClient(create_app(web_db, require_login=True, cookie_secure=False, secret="t"))
    assert closed.get("/incidents.json").status_code == 401
    assert closed.get("/incidents", follow_redirects=False).status_code == 303
    assert closed.get("/login").status_code == 200




def test_an_article_dated_by_its_year_alone_shows_the_year(tmp_path) -> None:  # noqa: ANN001
    """"2018" is stored as 2018-01-01 for ordering, marked as a year: the page does not invent the day."""
    from aiwatch.ingest import ingest
    from aiwatch.store import Store

    url = f"sqlite:///{tmp_path / 'year.db'}"
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "y1", "title": "Archive story", "text": "A story from the archive, " * 5,
                               "published": "2018"}) + "\n", encoding="utf-8")
    ingest(Store(url), [str(src)])  # ingest alone: the library function does not process
    client = TestClient(create_app(url, cookie_secure=False, secret="test"))
    pk = Store(url).get_article("y1").pk
    assert client.get(f"/articles/{pk}.json").json()["published_precision"] == "year"
    meta = client.get(f"/articles/{pk}").text.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    assert "2018" in meta and "2018-01-01" not in meta


def test_the_trend_chart_keeps_the_empty_months_and_turns_to_years_over_five() -> None:
    """A bar only for the months that had incidents put 2004, 2006 and 2016 side by side."""
    from aiwatch.web.queries import _every_month, _trend

    months = {"2016-11": {"incident": 2, "hazard": 0}, "2017-02": {"incident": 0, "hazard": 1}}
    series = _every_month(months)
    assert [r["month"] for r in series] == ["2016-11", "2016-12", "2017-01", "2017-02"]
    assert series[1] == {"month": "2016-12", "incident": 0, "hazard": 0}
    assert _trend(series)["unit"] == "month"
    long = _trend(_every_month({"2004-01": {"incident": 1, "hazard": 0}, **months}))
    assert long["unit"] == "year" and [r["period"] for r in long["rows"]] == [str(y) for y in range(2004, 2018)]
    assert long["rows"][-2] == {"period": "2016", "incident": 2, "hazard": 0}


def test_why_labelled_shows_the_articles_labelled_as_the_incident_is_first() -> None:
    """An incident's page says why it is one: of an incident's 19 articles, the first six by id were follow-ups."""
    from aiwatch.web.queries import why_labelled

    evidence = [{"article_id": i, "category": "complementary"} for i in range(6)] + \
               [{"article_id": 6, "category": "incident"}, {"article_id": 7, "category": "hazard"},
                {"article_id": 8, "category": "incident"}]
    shown = why_labelled(evidence, "incident")
    assert [e["article_id"] for e in shown] == [6, 8, 0, 1, 2, 3]  # then in their order, as before
    assert why_labelled(evidence, None) == evidence[:6]
