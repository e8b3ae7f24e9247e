"""Fetching over HTTP against a real server on 127.0.0.1: limits, manners, and the private-address guard."""

from __future__ import annotations

import gzip
import ipaddress

import pytest

from aiwatch.errors import BlockedURL, FetchError
from aiwatch.ingest import IngestOptions, ingest, poll_source
from aiwatch.ingest import fetch as fetch_mod
from aiwatch.ingest.fetch import Fetcher, forbidden_address
from aiwatch.store import Store
from tests.conftest import STORY, LocalServer, Route
from tests.test_ingest_files import RSS

PAGE = f"""<html><head><title>x</title><meta name="date" content="2024-03-05"></head><body>
<article><h1>Full story headline</h1><p>{STORY}</p></article></body></html>""".encode()
FEED_HEADERS = {"Content-Type": "application/rss+xml"}


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                                     "224.0.0.1", "240.0.0.1"])
def test_private_and_reserved_addresses_are_forbidden(address: str) -> None:
    assert forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x", "http://user:pw@example.com/",
                                 "http:///nohost", "javascript:alert(1)"])
def test_hostile_urls_are_refused_before_any_request(url: str) -> None:
    with Fetcher() as f, pytest.raises(BlockedURL):
        f.get(url)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "0x7f000001", "2130706433", "127.1"])
def test_loopback_in_any_spelling_is_refused_without_allow_private(http_server: LocalServer, host: str) -> None:
    http_server.routes["/"] = Route(PAGE)
    with Fetcher() as f, pytest.raises(BlockedURL, match="private"):
        f.get(f"http://{host}:{http_server.port}/")
    assert http_server.hits == []  # not one byte reached the server


def test_every_redirect_is_checked_again(http_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend 127.0.0.1 is public and 127.0.0.2 private: a redirect to .2 must be refused."""
    monkeypatch.setattr(fetch_mod, "forbidden_address", lambda ip: str(ip) == "127.0.0.2")
    http_server.routes["/go"] = Route(b"", 302, {"Location": f"http://127.0.0.2:{http_server.port}/secret"})
    with Fetcher() as f, pytest.raises(BlockedURL):
        f.get(http_server.url("/go"))
    assert [h.path for h in http_server.hits] == ["/go"]


def test_redirects_are_followed_up_to_the_cap(http_server: LocalServer) -> None:
    for i in range(8):
        http_server.routes[f"/r{i}"] = Route(b"", 301, {"Location": f"/r{i + 1}"})
    http_server.routes["/r8"] = Route(PAGE)
    with Fetcher(allow_private=True, max_redirects=10) as f:
        assert f.get(http_server.url("/r0")).url.endswith("/r8")
    with Fetcher(allow_private=True, max_redirects=3) as f, pytest.raises(FetchError) as exc:
        f.get(http_server.url("/r0"))
    assert exc.value.code == "too_many_redirects"


def test_body_over_the_cap_is_refused(http_server: LocalServer) -> None:
    http_server.routes["/big"] = Route(b"x" * 200_000)
    with Fetcher(allow_private=True, max_bytes=100_000) as f, pytest.raises(FetchError) as exc:
        f.get(http_server.url("/big"))
    assert exc.value.code == "too_large"


def test_gzip_bomb_in_content_encoding_stops_at_the_cap(http_server: LocalServer) -> None:
    bomb = gzip.compress(b"\x00" * 50_000_000, compresslevel=9)  # 50 MB in ~50 KB
    http_server.routes["/bomb"] = Route(bomb, 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    with Fetcher(allow_private=True, max_bytes=1_000_000) as f, pytest.raises(FetchError) as exc:
        f.get(http_server.url("/bomb"))
    assert exc.value.code == "too_large"


def test_wrong_content_type_is_refused(http_server: LocalServer) -> None:
    http_server.routes["/img"] = Route(b"\x89PNG", 200, {"Content-Type": "image/png"})
    with Fetcher(allow_private=True) as f, pytest.raises(FetchError) as exc:
        f.get(http_server.url("/img"))
    assert exc.value.code == "bad_content_type"


def test_user_agent_names_aiwatch(http_server: LocalServer) -> None:
    http_server.routes["/"] = Route(PAGE)
    with Fetcher(allow_private=True) as f:
        f.get(http_server.url("/"))
    assert "aiwatch" in http_server.hits[0].headers["user-agent"]


def test_requests_to_one_host_are_spaced_by_the_rate_limit(http_server: LocalServer) -> None:
    http_server.routes["/"] = Route(PAGE)
    with Fetcher(allow_private=True, domain_interval=0.3) as f:
        for _ in range(3):
            f.get(http_server.url("/"))
    times = [h.at for h in http_server.hits]
    assert all(b - a >= 0.25 for a, b in zip(times, times[1:], strict=False))


def test_robots_txt_is_respected_for_article_pages(http_server: LocalServer) -> None:
    http_server.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", 200,
                                              {"Content-Type": "text/plain"})
    http_server.routes["/private/a"] = Route(PAGE)
    http_server.routes["/public/a"] = Route(PAGE)
    with Fetcher(allow_private=True) as f:
        with pytest.raises(FetchError) as exc:
            f.get(http_server.url("/private/a"), robots=True)
        assert exc.value.code == "robots_disallowed"
        f.get(http_server.url("/public/a"), robots=True)
    assert http_server.hits_for("/private/a") == [] and len(http_server.hits_for("/public/a")) == 1
    assert len(http_server.hits_for("/robots.txt")) == 1  # cached per host


def test_an_unreadable_robots_txt_keeps_the_crawler_out_and_says_so(http_server: LocalServer) -> None:
    # RFC 9309: a robots.txt that answers 5xx (or not at all) means keep out; the reason given is that, not
    # "robots.txt disallows", which sent people looking for a rule that is not there.
    http_server.routes["/robots.txt"] = Route(b"down", 503, {"Content-Type": "text/plain"})
    http_server.routes["/a"] = Route(PAGE)
    with Fetcher(allow_private=True) as f:
        with pytest.raises(FetchError) as exc:
            f.get(http_server.url("/a"), robots=True)
    assert exc.value.code == "robots_disallowed" and "could not be read (its robots.txt answered 503)" in str(exc.value)
    assert http_server.hits_for("/a") == []


def test_article_url_is_ingested_with_text_and_date(store: Store, http_server: LocalServer) -> None:
    http_server.routes["/news/a"] = Route(PAGE)
    report = ingest(store, [http_server.url("/news/a")], allow_private=True)
    art = store.get_article(http_server.url("/news/a"))
    assert report.added == 1 and art.title == "Full story headline"
    assert art.text.startswith("Police in Detroit") and art.published.year == 2024


def test_private_url_is_skipped_with_a_reason_by_default(store: Store, http_server: LocalServer) -> None:
    http_server.routes["/news/a"] = Route(PAGE)
    report = ingest(store, [http_server.url("/news/a")])
    assert report.added == 0 and [s.reason for s in report.skipped] == ["blocked_url"]
    assert "--allow-private" in report.skipped[0].detail


def test_feed_conditional_get_and_source_health(store: Store, http_server: LocalServer) -> None:
    def feed(headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if headers.get("if-none-match") == '"v1"':
            return 304, {}, b""
        return 200, {**FEED_HEADERS, "ETag": '"v1"'}, RSS.encode()

    http_server.routes["/rss"] = Route(feed)
    url = http_server.url("/rss")
    first = ingest(store, [url], allow_private=True)
    second = ingest(store, [url], allow_private=True)
    assert (first.added, second.added) == (2, 0)
    assert http_server.hits_for("/rss")[-1].headers.get("if-none-match") == '"v1"'
    src = store.get_source(url)
    assert src["kind"] == "feed" and src["etag"] == '"v1"' and src["items_seen"] == 2
    assert src["last_success_at"] is not None and src["consecutive_errors"] == 0


def test_failing_feed_backs_off_and_keeps_what_it_had(store: Store, http_server: LocalServer) -> None:
    http_server.routes["/rss"] = Route(RSS.encode(), 200, FEED_HEADERS)
    url = http_server.url("/rss")
    ingest(store, [url], allow_private=True)
    http_server.routes["/rss"] = Route(b"oops", 500, {"Content-Type": "text/plain"})
    with Fetcher(allow_private=True) as f:
        for _ in range(2):
            poll_source(store, url, f, IngestOptions())
    src = store.get_source(url)
    assert src["consecutive_errors"] == 2 and "HTTP 500" in src["last_error"]
    assert (src["next_poll_at"] - src["last_polled_at"]).total_seconds() >= 4 * 15 * 60  # doubled twice
    assert store.stats()["articles"] == 2


def test_opml_list_polls_each_feed(store: Store, http_server: LocalServer) -> None:
    http_server.routes["/rss"] = Route(RSS.encode(), 200, FEED_HEADERS)
    http_server.routes["/dead"] = Route(b"gone", 404, {"Content-Type": "text/plain"})
    opml = f"""<?xml version="1.0"?><opml version="2.0"><head><title>AI feeds</title></head><body>
    <outline text="Tech"><outline text="Example" type="rss" xmlUrl="{http_server.url('/rss')}"/>
    <outline text="Dead" type="rss" xmlUrl="{http_server.url('/dead')}"/></outline></body></opml>"""
    http_server.routes["/feeds.opml"] = Route(opml.encode(), 200, {"Content-Type": "text/x-opml"})
    report = ingest(store, [http_server.url("/feeds.opml")], allow_private=True)
    assert report.added == 2 and [s.reason for s in report.skipped] == ["http_404"]
    kinds = {s["location"].rsplit("/", 1)[1]: s["kind"] for s in store.sources()}
    assert kinds == {"feeds.opml": "opml", "rss": "feed", "dead": "feed"}


def test_follow_links_fetches_full_text_for_teasers(store: Store, http_server: LocalServer) -> None:
    teaser = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>
    <item><title>Short</title><link>{http_server.url('/full')}</link><description>Just a teaser.</description></item>
    </channel></rss>"""
    http_server.routes["/rss"] = Route(teaser.encode(), 200, FEED_HEADERS)
    http_server.routes["/full"] = Route(PAGE)
    ingest(store, [http_server.url("/rss")], allow_private=True, follow_links=True)
    art = store.get_article(http_server.url("/full"))
    assert art.title == "Short" and art.text.startswith("Police in Detroit")


def test_local_opml_file_polls_the_feeds_it_lists(store: Store, http_server: LocalServer, tmp_path) -> None:
    http_server.routes["/rss"] = Route(RSS.encode(), 200, FEED_HEADERS)
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<opml version="2.0"><body><outline xmlUrl="{http_server.url("/rss")}"/></body></opml>')
    report = ingest(store, [opml], allow_private=True)
    assert report.added == 2 and store.get_source(http_server.url("/rss"))["kind"] == "feed"
