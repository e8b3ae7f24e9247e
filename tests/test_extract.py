"""Extraction and cleaning: encodings, dates, language, HTML — and property tests over the parsers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiwatch.errors import BadInput
from aiwatch.extract import (
    canonical_url,
    clean_text,
    content_hash,
    decode_bytes,
    detect_language,
    extract_html,
    looks_binary,
    make_article,
    parse_date,
    parse_dated,
)
from aiwatch.ingest import feeds
from aiwatch.ingest.files import record_to_item
from aiwatch.records import RawItem
from tests.conftest import STORY


def test_utf8_with_bom_and_utf16_decode() -> None:
    assert decode_bytes("\ufeffcafé".encode()) == "café"
    assert decode_bytes("café à Paris".encode("utf-16")) == "café à Paris"


def test_latin1_file_decodes_readably() -> None:
    assert decode_bytes("Über die Straße, naïve café".encode("cp1252")) == "Über die Straße, naïve café"


def test_mixed_encodings_keep_both_lines_readable() -> None:
    data = "Zürich police deploy facial recognition\n".encode() + "Café owners in Besançon object\n".encode("latin-1")
    assert decode_bytes(data) == "Zürich police deploy facial recognition\nCafé owners in Besançon object\n"


def test_binary_is_recognised() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not looks_binary("plain text, ünïcode".encode())


def test_clean_text_removes_controls_and_collapses_space() -> None:
    assert clean_text("A\x00 b\u200b  c\r\n\r\n\r\n\r\nd\t\te") == "A b c\n\nd e"


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("x", "Hello,   World!") == content_hash("y", "hello world")
    assert content_hash("x", "Hello world") != content_hash("x", "Hello there world")


@pytest.mark.parametrize("value,expected", [
    ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
    ("2024-03-05T10:00:00+02:00", datetime(2024, 3, 5, 8, tzinfo=UTC)),
    ("Tue, 05 Mar 2024 10:00:00 GMT", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("March 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
    (1709632800, datetime(2024, 3, 5, 10, tzinfo=UTC)),
    # a CSV cell holds a timestamp as text (it was refused); eight digits stay a date
    ("1709632800", datetime(2024, 3, 5, 10, tzinfo=UTC)), ("1709632800000", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("20240305", datetime(2024, 3, 5, tzinfo=UTC)),
    # ten digits that are no time as seconds (2034) are a date and hour (it was refused as "outside 1900..now")
    ("2024030510", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("2024年3月5日", datetime(2024, 3, 5, tzinfo=UTC)), ("2024年3月5日 10:00", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    (None, None),
    ("", None),
])
def test_dates_parse_to_utc(value: object, expected: datetime | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2023-02-30", "0000-00-00", "9999-12-31", "1066-10-14", "yesterday-ish",
                                   "2024-13-45T99:99", 10 ** 15, "31/31/2031", "2024年13月5日", "9999999999999",
                                   "2024033210", "2099010100"])
def test_impossible_dates_are_refused(value: object) -> None:
    with pytest.raises(BadInput) as exc:
        parse_date(value)
    assert exc.value.code == "bad_date"


@pytest.mark.parametrize("value,expected,precision", [
    ("2018", datetime(2018, 1, 1, tzinfo=UTC), "year"), (2018, datetime(2018, 1, 1, tzinfo=UTC), "year"),
    ("2018-05", datetime(2018, 5, 1, tzinfo=UTC), "month"), ("May 2018", datetime(2018, 5, 1, tzinfo=UTC), "month"),
    ("2018/05", datetime(2018, 5, 1, tzinfo=UTC), "month"),
    ("5 May 2018", datetime(2018, 5, 5, tzinfo=UTC), None), ("2018-05-05", datetime(2018, 5, 5, tzinfo=UTC), None),
    ("Sat, 05 May 2018 10:00:00 GMT", datetime(2018, 5, 5, 10, tzinfo=UTC), None),
    ("20180505", datetime(2018, 5, 5, tzinfo=UTC), None), (1525514400, datetime(2018, 5, 5, 10, tzinfo=UTC), None),
    ("2018年5月5日", datetime(2018, 5, 5, tzinfo=UTC), None),
])
def test_a_date_says_how_much_of_it_was_given(value: object, expected: datetime, precision: str | None) -> None:
    """A year or a month alone stands for its first day, marked as such: it orders articles, and says no more."""
    assert parse_dated(value) == (expected, precision)
    art, _ = make_article(RawItem(ref="r", title="T", text=STORY, published=value))
    assert art.published == expected and art.published_precision == precision


def test_impossible_date_drops_the_date_not_the_article() -> None:
    art, notes = make_article(RawItem(ref="r", title="T", text=STORY, published="2023-02-30"))
    assert art.published is None and art.meta["published_raw"] == "2023-02-30"
    assert [(n.stage, n.reason) for n in notes] == [("extract", "bad_date")]


@pytest.mark.parametrize("text,lang", [
    (STORY, "en"),
    ("Die Polizei in Hamburg setzt seit Montag eine Software zur Gesichtserkennung ein, die umstritten ist.", "de"),
    ("La policía de Madrid utiliza un sistema de reconocimiento facial que ha detenido a un inocente.", "es"),
    ("La CNIL a infligé une amende à la société pour son usage illégal de la reconnaissance faciale.", "fr"),
])
def test_language_is_detected_offline(text: str, lang: str) -> None:
    assert detect_language(text)[0] == lang


def test_too_short_for_language_gives_none() -> None:
    assert detect_language("AI?") == (None, None)


def test_canonical_url_drops_tracking_and_fragment() -> None:
    assert canonical_url("https://WWW.Example.com/a?utm_source=x&id=3#top") == "https://www.example.com/a?id=3"
    assert canonical_url("javascript:alert(1)") is None


def test_html_extraction_finds_title_text_and_date() -> None:
    html = f"""<html><head><title>Site | Story</title>
    <meta property="article:published_time" content="2024-03-05T08:00:00Z"></head>
    <body><nav>Home News Sport</nav><article><h1>Face match led to wrongful arrest</h1>
    <p>{STORY}</p></article><footer>Subscribe</footer></body></html>"""
    page = extract_html(html, "https://news.example.com/a")
    assert page["title"] == "Face match led to wrongful arrest"
    assert page["text"].startswith("Police in Detroit") and "Subscribe" not in page["text"]
    assert page["published"].startswith("2024-03-05")


def test_article_without_id_or_url_is_named_by_its_content() -> None:
    a, _ = make_article(RawItem(ref="r", title="T", text="Some text about things."))
    b, _ = make_article(RawItem(ref="r2", title="T", text="Some text about things."))
    assert a.ext_id == b.ext_id and a.ext_id.startswith("sha1:")


def test_empty_item_is_refused() -> None:
    with pytest.raises(BadInput, match="no title and no text"):
        make_article(RawItem(ref="r", title="  ", text="\x00\u200b"))


# -- property tests: no input makes a parser fail with anything but a clear BadInput -------------
_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(st.binary(max_size=4000))
def test_decode_bytes_never_raises(data: bytes) -> None:
    assert isinstance(decode_bytes(data), str)


@_settings
@given(st.one_of(st.text(max_size=60), st.integers(), st.floats(allow_nan=True), st.none(),
                 st.datetimes(timezones=st.just(UTC))))
def test_parse_date_returns_a_sane_date_or_says_bad_date(value: object) -> None:
    try:
        got = parse_date(value)
    except BadInput as exc:
        assert exc.code == "bad_date"
        return
    assert got is None or (got.tzinfo is not None and got.year >= 1900)


@_settings
@given(title=st.text(max_size=200), text=st.text(max_size=2000), published=st.one_of(st.none(), st.text(max_size=30)),
       url=st.one_of(st.none(), st.text(max_size=80)))
def test_make_article_gives_an_article_or_a_bad_input(title: str, text: str, published: str | None,
                                                      url: str | None) -> None:
    try:
        art, _ = make_article(RawItem(ref="h", title=title, text=text, published=published, url=url))
    except BadInput:
        return
    assert art.title and art.ext_id and len(art.content_hash) == 40
    assert "\x00" not in art.title + art.text


@_settings
@given(st.binary(max_size=3000))
def test_feed_parser_never_crashes_on_bytes(data: bytes) -> None:
    try:
        feeds.parse_feed(data, "fuzz")
    except BadInput as exc:
        assert exc.code == "malformed_feed"


@_settings
@given(st.text(max_size=3000))
def test_html_extraction_gives_text_or_a_bad_input(html: str) -> None:
    try:
        page = extract_html(f"<html><body>{html}</body></html>")
    except BadInput:
        return
    assert isinstance(page["text"], str)


@_settings
@given(st.dictionaries(st.sampled_from(["id", "title", "text", "url", "published", "source", "body", "x"]),
                       st.one_of(st.text(max_size=50), st.integers(), st.none(), st.lists(st.integers(), max_size=3),
                                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))))
def test_any_json_record_maps_to_a_raw_item(record: dict) -> None:
    item = record_to_item(record, "r")
    for field in (item.title, item.text, item.url, item.source):
        assert field is None or isinstance(field, str)


def test_cyrillic_legacy_encoding_is_detected() -> None:
    text = "Полиция Москвы использует систему распознавания лиц для поиска людей в метро каждый день."
    assert decode_bytes(text.encode("cp1251")) == text
