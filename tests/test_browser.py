"""The web UI in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python).

Screenshots of the main pages go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, build_web_store, create_pg_db, drop_pg_db, pg_admin

CHROMIUM = os.environ.get("AIWATCH_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
# As the machine's notes advise: no background networking (the network is closed), fresh profile.
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The UI over each store: the same pages, filters and editor actions on SQLite and PostgreSQL."""
    import uvicorn

    from aiwatch.store import Store
    from aiwatch.web.app import create_app
    from aiwatch.web.editor import add_user

    tmp = tmp_path_factory.mktemp("browser")
    admin = pg_admin() if request.param == "postgres" else None
    url = create_pg_db(admin) if admin is not None else f"sqlite:///{tmp / 'b.db'}"
    build_web_store(url, tmp)
    add_user(Store(url), "editor", "a long enough password")
    port = _free_port()
    config = uvicorn.Config(create_app(url, secret="browser-test"), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    if admin is not None:
        drop_pg_db(admin, url)
        admin.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        msg = f"needs Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_overview_shows_its_charts(page) -> None:  # noqa: ANN001
    page.goto("/")
    for chart in ("#per-month", "#harm-types", "#industries", "#deployers", "#developers", "#responders"):
        assert page.locator(f"{chart} rect").count() >= 2, chart
    assert page.locator("#harm-types rect").first.bounding_box()["width"] > 50
    shot(page, "overview")


def test_filters_narrow_the_list(page) -> None:  # noqa: ANN001
    page.goto("/incidents")
    before = int(page.locator("h1 small").inner_text())
    options = page.locator("select[name=harm_type] option")
    value = options.nth(1).get_attribute("value")
    page.select_option("select[name=harm_type]", value)
    page.click("#filters button[type=submit]")
    page.wait_for_url("**harm_type=**")
    after = int(page.locator("h1 small").inner_text())
    assert 0 < after < before
    shot(page, "incidents-filtered")


def test_entities_page_filters_by_kind(page) -> None:  # noqa: ANN001
    page.goto("/")
    page.click("nav >> text=Entities")
    page.wait_for_url("**/entities")
    before = int(page.locator("h1 small").inner_text())
    page.select_option("select[name=kind]", "public_body")
    page.click("#entity-filters button[type=submit]")
    page.wait_for_url("**kind=public_body**")
    assert 0 < int(page.locator("h1 small").inner_text()) < before
    kinds = page.locator("tr.entity-row td:nth-child(2)").all_inner_texts()
    assert kinds and set(kinds) == {"public body"}
    shot(page, "entities-public-bodies")
    page.locator("tr.entity-row a").first.click()
    page.wait_for_url("**/entities/*")
    assert "public body" in page.locator("h1 small").inner_text()


def test_incident_page_shows_its_articles(page) -> None:  # noqa: ANN001
    page.goto("/incidents")
    page.locator("li.incident-row a").first.click()
    page.wait_for_url("**/incidents/*")
    assert page.locator("ol.timeline li").count() >= 1
    assert page.locator(".machine, .summary").count() >= 1
    assert page.locator("table.entities").is_visible()
    shot(page, "incident")


def test_editor_merges_two_incidents_and_the_log_shows_it(page, server) -> None:  # noqa: ANN001
    import httpx

    rows = httpx.get(f"{server}/incidents.json", params={"per_page": 2, "category": "incident"}).json()["data"]
    source, target = rows[0]["id"], rows[1]["id"]
    page.goto(f"/login?next=/incidents/{source}")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "a long enough password")
    page.click("form.login button")
    page.wait_for_url(f"**/incidents/{source}")
    page.fill("#merge-form input[name=into]", str(target))
    page.click("#merge-form button")
    page.wait_for_url(f"**/incidents/{target}")
    log = page.locator("#audit-log")
    assert "merge" in log.inner_text() and "editor" in log.inner_text()
    shot(page, "incident-after-merge")
    page.goto(f"/incidents/{source}")  # the merged one now points at its target
    assert page.url.endswith(f"/incidents/{target}")


def test_script_payloads_in_articles_never_run(page, server) -> None:  # noqa: ANN001
    import httpx

    hits = httpx.get(f"{server}/search.json", params={"q": "shoppers flagged"}).json()["data"]
    xss = [h["id"] for h in hits if "__xss" in h["title"]]
    assert xss
    arts = httpx.get(f"{server}/incidents/{xss[0]}.json").json()["articles"]
    for path in ["/", "/incidents", f"/incidents/{xss[0]}", "/search?q=shoppers+flagged", f"/articles/{arts[0]['pk']}"]:
        page.goto(path)
        page.wait_for_load_state("load")
        for link in page.locator("a").all()[:400]:
            assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
        if page.locator("a.ext").count():
            page.locator("a.ext").first.click(no_wait_after=True)
        assert page.evaluate("window.__xss") is None, path
        assert page.dialogs == [], path
    page.goto(f"/incidents/{xss[0]}")
    shot(page, "escaped-payloads")
