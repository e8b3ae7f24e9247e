"""A polite, guarded HTTP client for everything aiwatch downloads.

* It refuses private, loopback, link-local, reserved and multicast addresses. The
  check runs on the addresses DNS actually returned, at connect time, for the first
  request and for every redirect, so neither a hostname that resolves to 10.0.0.1
  nor a redirect to http://169.254.169.254/ gets through (and DNS rebinding between
  check and connect cannot happen: we connect to the address we checked).
  ``allow_private=True`` lifts this, for a user's own intranet or for tests.
* Caps: timeouts (and a total deadline against slow drips), the body size after
  decompression (so a gzip bomb stops at the cap), the number of redirects.
* Manners: a User-Agent that names aiwatch, robots.txt for article pages, a minimum
  interval between two requests to the same host, conditional GET for feeds.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from aiwatch import config
from aiwatch.errors import BlockedURL, FetchError

REDIRECT_CODES = (301, 302, 303, 307, 308)
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml", "text/x-opml", "application/octet-stream", "text/plain",
              "application/feed+json", "text/html")
ROBOTS_MAX_BYTES = 500_000
ROBOTS_TTL = 24 * 3600  # RFC 9309 asks crawlers not to cache robots.txt for more than a day


def forbidden_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for any address that is not on the public internet."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (not ip.is_global) or ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local


def check_url(url: str) -> httpx.URL:
    """Refuse what can be refused before any DNS: schemes, credentials, missing host."""
    try:
        parsed = httpx.URL(url)
    except Exception as exc:
        raise BlockedURL(f"not a valid URL: {url[:200]!r}") from exc
    if parsed.scheme not in ("http", "https"):
        raise BlockedURL(f"only http and https URLs are fetched, not {parsed.scheme or 'no scheme'}: {url[:200]}")
    if not parsed.host:
        raise BlockedURL(f"URL has no host: {url[:200]}")
    if parsed.userinfo:
        raise BlockedURL(f"URLs with credentials are not fetched: {parsed.host}")
    return parsed


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, checks every address, then connects to a checked one."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
        allowed = [ip for ip in addresses if self.allow_private or not forbidden_address(ip)]
        if not allowed:
            raise BlockedURL(
                f"{host} resolves to a private or reserved address ({addresses[0]}); aiwatch does not fetch "
                "those. Pass --allow-private if this is your own server."
            )
        return super().connect_tcp(str(allowed[0]), port, timeout=timeout, local_address=local_address,
                                   socket_options=socket_options)


@dataclass
class Response:
    url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class Fetcher:
    """One per run: holds the connection pool, the per-host clock and the robots cache."""

    def __init__(self, *, allow_private: bool = False, user_agent: str | None = None,
                 timeout: float | None = None, max_bytes: int | None = None,
                 max_redirects: int | None = None, domain_interval: float | None = None) -> None:
        self.allow_private = allow_private
        self.user_agent = user_agent or config.get("user_agent")
        self.timeout = float(timeout if timeout is not None else config.get("http_timeout"))
        self.max_bytes = int(max_bytes if max_bytes is not None else config.get("max_download_bytes"))
        self.max_redirects = int(max_redirects if max_redirects is not None else config.get("max_redirects"))
        self.domain_interval = float(domain_interval if domain_interval is not None
                                     else config.get("domain_interval"))
        transport = httpx.HTTPTransport()
        # httpx exposes no hook for the network backend: give its transport a pool that uses ours.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_GuardedBackend(allow_private),
            max_connections=10,
        )
        # trust_env=False: a proxy would connect on our behalf and the address check would be moot.
        self.client = httpx.Client(transport=transport, timeout=self.timeout, follow_redirects=False,
                                   trust_env=False, headers={"User-Agent": self.user_agent})
        self._last_hit: dict[str, float] = {}
        # host -> (when read, its rules or None to keep out, why we keep out when robots.txt could not be read)
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None, str]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- politeness ----------------------------------------------------------------
    def _wait_turn(self, host: str) -> None:
        with self._lock:
            last = self._last_hit.get(host)
            nowt = time.monotonic()
            wait = 0.0 if last is None else self.domain_interval - (nowt - last)
            self._last_hit[host] = nowt + max(wait, 0.0)
        if wait > 0:
            time.sleep(wait)

    def robots_verdict(self, url: str) -> tuple[bool, str]:
        """robots.txt's verdict for our User-Agent, and why not when it is no: its rules say no, or it could not
        be read (a 5xx or no answer: keep out, RFC 9309). A 4xx means no rules."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(key)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL:
            parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
            unread = ""
            try:
                resp = self._get(key + "/robots.txt", accept=None, max_bytes=ROBOTS_MAX_BYTES,
                                 status_is_answer=True)
                if resp.status >= 500:
                    parser, unread = None, f"its robots.txt answered {resp.status}"
                elif resp.status >= 400:
                    parser.allow_all = True
                else:
                    parser.parse(resp.content.decode("utf-8", errors="replace").splitlines())
            except BlockedURL:
                raise
            except FetchError as exc:
                parser, unread = None, str(exc)
            cached = (time.monotonic(), parser, unread)
            self._robots[key] = cached
        parser, unread = cached[1], cached[2]
        if parser is None:
            return False, (f"robots.txt of {parts.netloc} could not be read ({unread}); a crawler keeps out "
                           "until it can be (RFC 9309): try again later")
        if not parser.can_fetch(self.user_agent, url):
            return False, f"robots.txt of {parts.netloc} disallows {url}"
        return True, ""

    # -- fetching ------------------------------------------------------------------
    def get(self, url: str, *, accept: tuple[str, ...] | None = HTML_TYPES, robots: bool = False,
            etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET a URL within every limit. Raises BlockedURL or FetchError with a one-line reason."""
        check_url(url)
        if robots:
            allowed, why = self.robots_verdict(url)
            if not allowed:
                raise FetchError(why, code="robots_disallowed")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, accept=accept, headers=headers)

    def _get(self, url: str, *, accept: tuple[str, ...] | None, headers: dict[str, str] | None = None,
             max_bytes: int | None = None, status_is_answer: bool = False) -> Response:
        """One GET, redirects followed by hand. ``status_is_answer``: return 4xx/5xx instead of raising."""
        cap = max_bytes or self.max_bytes
        for _hop in range(self.max_redirects + 1):
            parsed = check_url(url)
            self._wait_turn(parsed.host)
            try:
                with self.client.stream("GET", url, headers=headers) as resp:
                    if resp.status_code in REDIRECT_CODES and resp.headers.get("location"):
                        url = urljoin(url, resp.headers["location"])
                        continue
                    if resp.status_code == 304:
                        return Response(url, 304, b"", dict(resp.headers))
                    if resp.status_code >= 400:
                        if status_is_answer:
                            return Response(url, resp.status_code, b"", dict(resp.headers))
                        raise FetchError(f"HTTP {resp.status_code} from {url}", code=f"http_{resp.status_code}")
                    ctype = resp.headers.get("content-type", "").split(";", 1)[0].strip().lower()
                    if accept is not None and ctype and not ctype.startswith(accept):
                        raise FetchError(f"{url} is {ctype}, not a page or feed aiwatch can read",
                                         code="bad_content_type")
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > cap:
                        raise FetchError(f"{url} is {int(declared):,} bytes, over the {cap:,}-byte cap",
                                         code="too_large")
                    return Response(str(resp.url), resp.status_code, self._read_capped(resp, url, cap),
                                    dict(resp.headers))
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out fetching {url}", code="timeout") from exc
            except (httpx.HTTPError, httpcore.ConnectError) as exc:
                raise FetchError(f"cannot fetch {url}: {exc}", code="network_error") from exc
        raise FetchError(f"more than {self.max_redirects} redirects from {url}", code="too_many_redirects")

    def _read_capped(self, resp: httpx.Response, url: str, cap: int) -> bytes:
        deadline = time.monotonic() + 3 * self.timeout  # a server dripping bytes forever
        chunks, size = [], 0
        try:
            for chunk in resp.iter_bytes():  # decoded: Content-Encoding bombs count at full size
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"{url} is over the {cap:,}-byte cap", code="too_large")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url} took too long to send", code="timeout")
                chunks.append(chunk)
        except httpx.DecodingError as exc:
            raise FetchError(f"{url} sent a body that does not decode: {exc}", code="bad_encoding") from exc
        return b"".join(chunks)
