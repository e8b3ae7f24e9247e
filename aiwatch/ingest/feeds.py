"""RSS, Atom and OPML: bytes in, raw items (or feed URLs) out. feedparser does the parsing."""

from __future__ import annotations

import re
from typing import Any

from aiwatch.errors import BadInput
from aiwatch.records import RawItem

_OPML_HINT = re.compile(rb"<opml[\s>]", re.I)
_FEED_HINT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.I)
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


def looks_like_opml(data: bytes) -> bool:
    return bool(_OPML_HINT.search(data[:4096]))


def looks_like_feed(data: bytes) -> bool:
    return bool(_FEED_HINT.search(data[:4096]))


def html_fragment_to_text(fragment: str) -> str:
    """Text of an HTML snippet (feed summaries), one line per block element."""
    if "<" not in fragment:
        return fragment
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return re.sub(r"<[^>]*>", " ", fragment)
    for el in root.iter("script", "style"):
        el.drop_tree()
    for br in root.iter("br", "p", "div", "li", "h1", "h2", "h3", "h4", "blockquote"):
        br.tail = "\n" + (br.tail or "")
    return root.text_content()


def parse_feed(data: bytes, ref: str) -> tuple[str | None, list[RawItem]]:
    """The feed's title and its entries. Raises BadInput(malformed_feed) when nothing is readable.

    feedparser accepts some broken XML (its ``bozo`` flag); entries it could still read
    are kept. Each entry's id is its link (so one story found in two feeds is one
    article), else its guid.
    """
    import feedparser

    try:
        parsed = feedparser.parse(_mend_char_refs(data), sanitize_html=True, resolve_relative_uris=False)
    except (ValueError, OverflowError, RecursionError) as exc:  # feedparser's own failure on hostile input
        raise BadInput(f"malformed feed: {type(exc).__name__}: {str(exc)[:200]}", code="malformed_feed") from exc
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            err = parsed.get("bozo_exception")
            raise BadInput(f"malformed feed: {type(err).__name__}: {str(err)[:200]}", code="malformed_feed")
        if not (parsed.get("feed") or {}).get("title") and not looks_like_feed(data):
            raise BadInput("not an RSS or Atom feed", code="malformed_feed")
    feed_title = (parsed.get("feed") or {}).get("title")
    items = []
    for i, e in enumerate(entries):
        items.append(_entry_item(e, feed_title, f"{ref}#entry-{i}"))
    return feed_title, items


def _mend_char_refs(data: bytes) -> bytes:
    """Character references to no character (half a UTF-16 pair, ``&#xD800;``; past U+10FFFF; a number of 20
    digits) made U+FFFD: feedparser's lenient parser, which reads a feed its XML parser refused, raised on
    each of them (UnicodeEncodeError, ValueError, OverflowError) and the feed was lost."""
    if b"&#" not in data:
        return data

    def mend(m: re.Match[bytes]) -> bytes:
        digits = (m.group(1) or m.group(2)).lstrip(b"0") or b"0"
        value = int(digits, 16 if m.group(1) else 10) if len(digits) <= 8 else 0x110000
        return b"&#xFFFD;" if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF else m.group(0)

    return _CHAR_REF.sub(mend, data)


def _entry_item(e: Any, feed_title: str | None, ref: str) -> RawItem:
    body = ""
    contents = e.get("content") or []
    if contents:
        body = max((c.get("value") or "" for c in contents), key=len)
    summary = e.get("summary") or ""
    if len(summary) > len(body):
        body = summary
    source = (e.get("source") or {}).get("title") or feed_title
    published = e.get("published_parsed") or e.get("updated_parsed") or e.get("published") or e.get("updated")
    link = e.get("link")
    return RawItem(
        ref=ref, title=e.get("title"), text=html_fragment_to_text(body), url=link, published=published,
        source=source, ext_id=None if link else e.get("id"), meta={"feed_entry_id": e.get("id")} if e.get("id")
        else {},
    )


def parse_opml(data: bytes) -> list[str]:
    """Feed URLs listed in an OPML file (nested outlines too), in order, without repeats."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BadInput(f"malformed OPML: {exc}", code="malformed_opml") from exc
    if root is None:
        raise BadInput("malformed OPML: no document", code="malformed_opml")
    urls: list[str] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in urls:
            urls.append(url)
    if not urls:
        raise BadInput("the OPML file lists no feeds (no outline with xmlUrl)", code="malformed_opml")
    return urls
