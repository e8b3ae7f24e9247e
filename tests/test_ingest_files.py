"""Ingest from files and folders: every format, idempotence, and a corpus of bad input."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from aiwatch.ingest import ingest
from aiwatch.store import Store
from tests.conftest import OTHER_STORY_SAME_TOPIC, STORY

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Tech News</title><link>https://news.example.com/</link>
<item><title>Face match led to wrongful arrest</title><link>https://news.example.com/a1?utm_source=rss</link>
<guid>tag:news.example.com,2024:a1</guid><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>{STORY}</p>]]></description></item>
<item><title>Council extends contract</title><link>https://news.example.com/a2</link>
<pubDate>Thu, 07 Mar 2024 10:00:00 GMT</pubDate><description>{OTHER_STORY_SAME_TOPIC}</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Example</title><id>urn:x</id>
<updated>2024-03-05T10:00:00Z</updated>
<entry><title>Chatbot gave harmful advice</title><id>urn:uuid:1</id><link href="https://atom.example.org/1"/>
<updated>2024-03-05T10:00:00Z</updated><content type="html">&lt;p&gt;A health chatbot told users to stop taking
medication, according to doctors who tested it over several weeks in three hospitals.&lt;/p&gt;</content></entry>
</feed>"""


def _exported(store: Store) -> dict[str, dict]:
    return {a["ext_id"]: a for a in store.iter_articles()}


def test_each_file_format_lands_with_its_fields(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "note.txt").write_text("Robot vacuum maps homes\nThe maps were sold to advertisers, a report says.")
    (d / "story.md").write_text("# Algorithm denied benefits\n\nThousands lost welfare payments after a flawed model.")
    (d / "page.html").write_text(f"<html><head><title>Page</title></head><body><article><h1>Deepfake scam</h1>"
                                 f"<p>{STORY}</p></article></body></html>")
    (d / "list.json").write_text(json.dumps({"articles": [
        {"id": "j-1", "title": "JSON one", "text": "First JSON article body.", "url": "https://j.example.com/1",
         "published": "2024-01-02", "source": "J News"}]}))
    (d / "lines.jsonl").write_text(json.dumps({"id": "l-1", "title": "Line one", "text": "A line article."}) + "\n")
    (d / "table.csv").write_text('id,title,text,url,published,source\nc-1,CSV one,"A CSV body, with comma",'
                                 'https://c.example.com/1,2024-02-03,C Daily\n')
    with gzip.open(d / "packed.jsonl.gz", "wt") as f:
        f.write(json.dumps({"id": "gz-1", "title": "Gzipped", "text": "Compressed article text."}) + "\n")
    (d / "feed.xml").write_text(RSS)
    (d / "atom.atom").write_text(ATOM)

    report = ingest(store, [d])
    got = _exported(store)
    assert report.skipped == [] and report.added == 10
    assert got["j-1"]["source"] == "J News" and got["j-1"]["published"].year == 2024
    assert got["c-1"]["text"] == "A CSV body, with comma" and got["c-1"]["source"] == "C Daily"
    assert got["gz-1"]["title"] == "Gzipped" and got["l-1"]["title"] == "Line one"
    rss = got["https://news.example.com/a1"]  # tracking parameters gone; the link is the id
    assert rss["title"] == "Face match led to wrongful arrest" and rss["source"] == "Example Tech News"
    assert rss["text"].startswith("Police in Detroit") and "<p>" not in rss["text"]
    titles = {a["title"] for a in got.values()}
    assert {"Robot vacuum maps homes", "Algorithm denied benefits", "Deepfake scam", "Chatbot gave harmful advice"} \
        <= titles


def test_ingesting_the_same_folder_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps({"id": f"x{i}", "title": f"T{i}", "text": f"B{i}"})
                                                for i in range(20)))
    first = ingest(store, [tmp_path])
    before = _exported(store)
    second = ingest(store, [tmp_path])
    assert (first.added, second.added, second.unchanged) == (20, 0, 20)
    assert _exported(store) == before


@pytest.fixture
def bad_corpus(tmp_path: Path) -> Path:
    """Good articles among every kind of bad input a news pipeline meets."""
    d = tmp_path / "corpus"
    d.mkdir()
    good = [{"id": f"good-{i}", "title": f"Good article {i}", "text": STORY, "published": "2024-01-01"}
            for i in range(3)]
    (d / "01_good.jsonl").write_text("\n".join(json.dumps(g) for g in good))
    (d / "02_malformed_feed.xml").write_text("<?xml version='1.0'?><rss><channel><title>Broken</ti")
    (d / "03_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (d / "04_latin1.txt").write_bytes("Überwachung in München\nDie Stadt testet Gesichtserkennung.".encode("cp1252"))
    (d / "05_mixed.txt").write_bytes("Mixed encodings\nUTF-8 line: café\n".encode() + "Latin-1 line: naïve\n".encode(
        "latin-1"))
    (d / "06_empty.txt").write_bytes(b"")
    with (d / "07_huge.txt").open("wb") as f:  # 100 MB, sparse: never read whole
        f.truncate(100 * 1024 * 1024)
    with gzip.open(d / "08_bomb.jsonl.gz", "wb", compresslevel=9) as f:
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(300):  # 300 MB of zeros in ~300 KB
            f.write(chunk)
    (d / "09_nested.html").write_text("<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 +
                                      "</body></html>")
    (d / "10_dates.jsonl").write_text("\n".join([
        json.dumps({"id": "date-feb30", "title": "Impossible date", "text": "Body.", "published": "2023-02-30"}),
        json.dumps({"id": "date-future", "title": "Future date", "text": "Body.", "published": "2999-01-01"}),
    ]))
    (d / "11_badlines.jsonl").write_text('{"id": "ok-line", "title": "Fine", "text": "Fine body."}\n{not json\n[1,2]\n')
    (d / "12_doc.pdf").write_bytes(b"%PDF-1.4 ...")
    (d / "13_truncated.jsonl.gz").write_bytes(zlib.compress(b"not really gzip"))
    (d / "14_scalar.json").write_text("42")
    return d


def test_bad_input_is_skipped_with_reasons_while_the_rest_lands(store: Store, bad_corpus: Path) -> None:
    report = ingest(store, [bad_corpus])
    got = _exported(store)
    for i in range(3):
        assert f"good-{i}" in got
    assert {"ok-line", "date-feb30", "date-future"} <= set(got)
    assert got["date-feb30"]["published"] is None
    by_title = {a["title"]: a for a in got.values()}
    assert "Die Stadt testet Gesichtserkennung." in by_title["Überwachung in München"]["text"]
    assert "naïve" in by_title["Mixed encodings"]["text"] and "café" in by_title["Mixed encodings"]["text"]

    reasons = {(Path(s["ref"].split(":")[0].split("#")[0]).name, s["reason"]) for s in store.skipped(limit=100)}
    expected = {
        ("02_malformed_feed.xml", "malformed_feed"), ("03_binary.txt", "binary"), ("06_empty.txt", "empty"),
        ("07_huge.txt", "too_large"), ("08_bomb.jsonl.gz", "compression_bomb"), ("11_badlines.jsonl", "bad_json"),
        ("11_badlines.jsonl", "bad_record"), ("12_doc.pdf", "unsupported_type"),
        ("13_truncated.jsonl.gz", "unreadable"),
        ("14_scalar.json", "bad_json"), ("10_dates.jsonl", "bad_date"),
    }
    assert expected <= reasons, expected - reasons
    # the deeply nested page yields a recorded reason, never a crash
    assert reasons & {("09_nested.html", "no_text"), ("09_nested.html", "broken_html")}
    assert len(report.skipped) >= len(expected)
    # every skip has a one-line, human-readable detail
    assert all(s["detail"] and "\n" not in s["detail"] for s in store.skipped(limit=100))


def test_rerunning_a_bad_corpus_adds_nothing(store: Store, bad_corpus: Path) -> None:
    ingest(store, [bad_corpus])
    counts = store.table_counts()
    ingest(store, [bad_corpus])
    assert store.table_counts() == counts


def test_worker_processes_store_what_one_process_stores(bad_corpus: Path, make_db,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Many small batches, bad records among good ones inside a batch, and a last batch that is not full.
    monkeypatch.setenv("AIWATCH_BATCH_SIZE", "4")
    lines = [json.dumps({"id": f"w-{i}", "title": f"Worker article {i}", "text": f"{STORY} Number {i}."})
             if i % 7 else "{broken line" for i in range(1, 31)]
    (bad_corpus / "15_many.jsonl").write_text("\n".join(lines))
    from aiwatch import pipeline

    started = []
    spawn = pipeline.spawn_pool
    monkeypatch.setattr(pipeline, "spawn_pool", lambda n: started.append(n) or spawn(n))
    got = {}
    for workers in (1, 2):
        store = Store(make_db(f"w{workers}"))
        report = ingest(store, [bad_corpus], workers=workers)
        skipped = [(s["ref"], s["reason"], s["detail"]) for s in store.skipped(limit=1000)]
        articles = {k: {f: v for f, v in a.items() if f != "ingested_at"} for k, a in _exported(store).items()}
        got[workers] = (report.added, report.seen, sorted(map(str, report.skipped)), articles, sorted(skipped))
        store.close()
    assert got[1][0] == 3 + 3 + 26 + 2  # bad_corpus's good ones, and 26 of the 30 lines
    assert started == [2]  # the second run extracted in two worker processes
    assert got[2] == got[1]


def test_lone_surrogates_in_json_land_as_replacement_characters(store: Store, tmp_path: Path) -> None:
    """JSON may escape half a UTF-16 pair alone ("\\ud800"), which no UTF-8 text holds: the store's insert raised
    and the whole batch was lost. Every such half, in any field or key, reads as U+FFFD; a whole pair stays."""
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "half\ud800", "title": "Face match \udc00 arrest",
                                                  "text": STORY + " \U0001f600"}) + "\n" +
                                      json.dumps({"id": "next", "title": "Next one", "text": OTHER_STORY_SAME_TOPIC}))
    (tmp_path / "b.json").write_text(json.dumps({"articles": [{"id": "in-json", "title": "Half \ud83d a smile",
                                                               "text": STORY, "meta\ud800": {"k": ["\udfff"]}}]}))
    report = ingest(store, [tmp_path])
    got = _exported(store)
    assert {"half\ufffd", "next", "in-json"} <= set(got), report.skipped
    assert got["half\ufffd"]["title"] == "Face match \ufffd arrest" and got["half\ufffd"]["text"].endswith("\U0001f600")
    assert got["in-json"]["title"] == "Half \ufffd a smile"


def test_a_feed_with_references_to_no_character_still_lands(store: Store, tmp_path: Path) -> None:
    """feedparser's lenient parser (used once the XML parser gives up) raised on a character reference to half
    a UTF-16 pair or past U+10FFFF, and the run stopped there. Each reads as U+FFFD; other references stay."""
    bad_refs = "&#xD800; &#55296; &#xdfff; &#x110000; &#99999999999999999999;"
    feed = RSS.replace("Face match led to wrongful arrest", f"Face match {bad_refs} &#x00041;&#8217; arrest")
    (tmp_path / "feed.xml").write_text(feed.replace("<channel>", "<channel><broken>&nbsp;"))  # not XML: lenient
    report = ingest(store, [tmp_path / "feed.xml"])
    titles = sorted(a["title"] for a in store.iter_articles())
    assert titles == ["Council extends contract", "Face match \ufffd \ufffd \ufffd \ufffd \ufffd A\u2019 arrest"]
    assert not report.skipped


def test_spreadsheet_exports_land_whatever_their_delimiter_and_header_spelling(store: Store, tmp_path: Path) -> None:
    """A spreadsheet writes "Title" or "Published Date", a byte-order mark, and (where the comma is the decimal
    mark) semicolons; a .tsv uses tabs. Each was read as a row with no title and no text, and skipped."""
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    (tmp_path / "semicolons.csv").write_bytes("\ufeffID;Title;Text\nsemi;Face match led to arrest;"
                                              f"{STORY}\n".encode())
    (tmp_path / "tabs.tsv").write_text(f"id\theadline\tbody\ntab\tCouncil extends contract\t{OTHER_STORY_SAME_TOPIC}\n")
    (tmp_path / "spaced.csv").write_text(f'Article ID,Headline,Article Text,Published Date\nsp,"Chatbot, again",'
                                         f'"{STORY}",2024-03-05\n')
    (tmp_path / "named.jsonl").write_text(json.dumps({"Doc-ID": "js", "TITLE": "Upper", "MainText": STORY}))
    report = ingest(store, [tmp_path])
    got = _exported(store)
    assert not report.skipped and set(got) == {"semi", "tab", "sp", "js"}
    assert (got["semi"]["title"], got["tab"]["title"], got["sp"]["title"]) == (
        "Face match led to arrest", "Council extends contract", "Chatbot, again")
    assert got["sp"]["published"].date().isoformat() == "2024-03-05" and got["js"]["text"] == STORY


def test_a_line_over_the_record_limit_is_passed_over_unread(store: Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSONL or CSV line is read whole into memory: one of gigabytes (a dump with no newlines) was. A line over
    AIWATCH_MAX_JSON_BYTES is skipped as too_large without being read; in a JSONL file the lines after it land."""
    monkeypatch.setenv("AIWATCH_MAX_JSON_BYTES", "2000")
    d = tmp_path / "in"
    d.mkdir()
    huge = json.dumps({"id": "huge", "title": "Huge", "text": "word " * 2000})
    (d / "a.jsonl").write_text("\n".join([json.dumps({"id": "before", "title": "Before", "text": STORY}), huge,
                                          json.dumps({"id": "after", "title": "After", "text": STORY})]) + "\n")
    (d / "b.csv").write_text(f"id,title,text\nrow1,First row,{STORY.replace(',', '')}\nrow2,Huge,{'word ' * 2000}\n")
    report = ingest(store, [d])
    assert set(_exported(store)) == {"before", "after", "row1"}
    too_large = sorted(s.ref.rsplit("/", 1)[-1] for s in report.skipped if s.reason == "too_large")
    assert too_large == ["a.jsonl:2", "b.csv"], report.skipped


def test_utf16_jsonl_and_csv_land_whole(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows PowerShell's ``>`` and Out-File write UTF-16 with a byte-order mark. Lines were cut at each b"\\n"
    byte and decoded alone: a JSONL file kept its first line (the rest skipped as bad_json), a CSV was
    unreadable. The record limit holds there too (counted in characters: two bytes each)."""
    monkeypatch.setenv("AIWATCH_MAX_JSON_BYTES", "8000")
    d = tmp_path / "in"
    d.mkdir()
    lines = [json.dumps({"id": f"u{i}", "title": f"Café story {i}", "text": STORY}, ensure_ascii=False)
             for i in range(3)]
    lines.insert(1, json.dumps({"id": "huge", "title": "Huge", "text": "word " * 2000}))
    (d / "win.jsonl").write_bytes("\r\n".join(lines).encode("utf-16"))
    (d / "win.csv").write_bytes(b"\xff\xfe" + f'id,title,text\r\nc1,Zürich police,"{STORY}"\r\n'.encode("utf-16-le"))
    report = ingest(store, [d])
    got = _exported(store)
    assert set(got) == {"u0", "u1", "u2", "c1"}, report.skipped
    assert got["u2"]["title"] == "Café story 2" and got["c1"]["title"] == "Zürich police"
    assert got["u0"]["text"] == STORY and got["c1"]["text"] == STORY
    assert [(s.reason, s.ref.rsplit("/", 1)[-1]) for s in report.skipped] == [("too_large", "win.jsonl:2")]


def test_file_names_that_are_not_utf8_are_ingested(store: Store, tmp_path: Path) -> None:
    """Python holds a file name's non-UTF-8 bytes as surrogates, which the store cannot hold: the insert of the
    article (its ref) or of the skip note raised and the run stopped. The names are stored with U+FFFD."""
    import os

    d = tmp_path / "in"
    d.mkdir()
    with open(os.path.join(os.fsencode(d), b"caf\xe9 news.jsonl"), "w") as f:
        f.write(json.dumps({"id": "latin1-name", "title": "Face match", "text": STORY}) + "\n")
    with open(os.path.join(os.fsencode(d), b"caf\xe9.pdf"), "w") as f:
        f.write("not ingested")
    report = ingest(store, [d])
    assert set(_exported(store)) == {"latin1-name"}
    assert [s["reason"] for s in store.skipped(limit=10)] == ["unsupported_type"]
    assert "caf\ufffd.pdf" in store.skipped(limit=10)[0]["ref"] and len(report.skipped) == 1


def test_missing_path_is_reported_not_fatal(store: Store, tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Title\nBody text.")
    report = ingest(store, [tmp_path / "nope", tmp_path / "ok.txt"])
    assert report.added == 1 and [s.reason for s in report.skipped] == ["not_found"]


def test_aiid_snapshot_keeps_ids_and_stores_no_person(store: Store) -> None:
    from sqlalchemy import select

    from aiwatch.store import schema as t
    from tests.conftest import shared

    incidents, reports = shared("aiid", "incidents.csv"), shared("aiid_reports", "reports.csv")
    report = ingest(store, [incidents, reports])
    assert report.added > 2500
    got = store.get_article("aiid:incident:4")
    assert "Uber" in got.title
    with store.engine.connect() as conn:
        uber = conn.execute(select(t.incidents).where(t.incidents.c.ext_id == "aiid:4")).mappings().one()
        n_links = conn.execute(select(t.incident_articles)).all()
        n_entities = conn.execute(select(t.entities)).all()
    harmed = uber["meta"]["aiid"]["alleged_harmed_parties"]
    assert "pedestrians" in harmed and "elaine-herzberg" not in harmed
    assert len(n_links) >= report.added and n_entities == []
    assert store.get_article("aiid:report:5226").url == "https://www.ic3.gov/PSA/2025/PSA250515"
