"""Local files and folders: txt/md, html/htm, json/jsonl, csv, xml feeds, opml, and .gz of any.

``read_path`` yields RawItem for each document and Skipped for each file or record
that cannot be used; it never raises for bad input, so one bad file never sinks a folder.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from aiwatch import config
from aiwatch.errors import BadInput
from aiwatch.extract import decode_bytes, json_loads, looks_binary
from aiwatch.ingest import aiid, feeds
from aiwatch.records import RawItem, Skipped

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | {".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".opml"}
# Plain text rarely compresses beyond 10-20x; a gzip bomb compresses 1000x. Past 10 MB
# of output, more than this ratio means a bomb, not a corpus.
GZIP_MAX_RATIO = 100
GZIP_RATIO_GRACE_BYTES = 10_000_000
CSV_FIELD_LIMIT = 10_000_000

# Column names accepted for each field in JSON/CSV records (first match wins).
# Names are matched as written, else case-folded with spaces and hyphens as underscores ("Title", "Published
# Date" and "article-text" are read as title, published_date and article_text). news-please writes maintext
# and date_publish.
FIELD_ALIASES = {
    "ext_id": ("id", "ext_id", "article_id", "guid", "doc_id"),
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "maintext", "article_text", "full_text", "text_head", "description",
             "summary"),
    "url": ("url", "link"),
    "published": ("published", "date", "published_at", "date_published", "published_date", "publication_date",
                  "date_publish", "pubdate", "pub_date"),
    "source": ("source", "source_domain", "publisher", "site"),
    "html": ("html",),
}
_KEY_SEPARATORS = re.compile(r"[\s\-]+")
# A CSV's delimiter is the one of these its header line holds most of (the comma on a tie): a spreadsheet
# where the comma is the decimal mark writes semicolons.
CSV_DELIMITERS = ",;\t|"


def suffixes(path: Path) -> tuple[str, bool]:
    """('.jsonl', True) for data.jsonl.gz."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return Path(name[:-3]).suffix, True
    return path.suffix.lower(), False


def iter_files(root: Path) -> Iterator[Path]:
    """Files under a folder in a stable (sorted) order: a rerun meets them in the same order."""
    if root.is_file():
        yield root
        return
    for p in sorted(root.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts):
            yield p


class _CappedReader(io.RawIOBase):
    """Reads a stream, raising BadInput once more than `cap` bytes (or a bomb-like ratio) came out."""

    def __init__(self, raw: IO[bytes], cap: int, compressed_size: int | None = None) -> None:
        self.raw, self.cap, self.compressed_size, self.count = raw, cap, compressed_size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        self.count += n
        if self.count > self.cap:
            raise BadInput(f"more than {self.cap:,} bytes after decompression", code="too_large")
        if (self.compressed_size and self.count > GZIP_RATIO_GRACE_BYTES
                and self.count > GZIP_MAX_RATIO * self.compressed_size):
            raise BadInput(f"decompresses over {GZIP_MAX_RATIO}x ({self.compressed_size:,} bytes in): "
                           "a compression bomb", code="compression_bomb")
        b[:n] = data
        return n


def open_binary(path: Path) -> IO[bytes]:
    size = path.stat().st_size
    _, gz = suffixes(path)
    if gz:
        return io.BufferedReader(_CappedReader(gzip.open(path, "rb"), config.get("max_decompressed_bytes"), size))
    return path.open("rb")


def read_all(path: Path, cap: int) -> bytes:
    """The whole (decompressed) file, refusing more than `cap` bytes."""
    _, gz = suffixes(path)
    if not gz and path.stat().st_size > cap:
        raise BadInput(f"{path.stat().st_size:,} bytes is over the {cap:,}-byte limit for one document "
                       "(set AIWATCH_MAX_DOCUMENT_BYTES to raise it)", code="too_large")
    with open_binary(path) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise BadInput(f"over the {cap:,}-byte limit for one document", code="too_large")
    return data


def read_path(path: Path) -> Iterator[RawItem | Skipped]:
    """Every document in a file or folder, as raw items or skip notes."""
    for file in iter_files(path):
        suffix, _ = suffixes(file)
        ref = str(file)
        if suffix not in SUPPORTED:
            yield Skipped("ingest", "unsupported_type", f"{file.name}: not a supported file type "
                          f"({', '.join(sorted(SUPPORTED))}, or .gz of one)", ref)
            continue
        try:
            yield from _read_file(file, suffix)
        except BadInput as exc:
            yield Skipped("ingest", exc.code, f"{file.name}: {exc}", ref)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            yield Skipped("ingest", "unreadable", f"{file.name}: {type(exc).__name__}: {exc}", ref)


def _read_file(file: Path, suffix: str) -> Iterator[RawItem | Skipped]:
    ref = str(file)
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(file)
        return
    if suffix in (".csv", ".tsv"):
        yield from _read_csv(file, "\t" if suffix == ".tsv" else None)
        return
    cap = config.get("max_json_bytes") if suffix == ".json" else config.get("max_document_bytes")
    data = read_all(file, cap)
    if not data.strip():
        raise BadInput("empty file", code="empty")
    if looks_binary(data):
        raise BadInput("binary content, not text", code="binary")
    if suffix in TEXT_SUFFIXES:
        text = decode_bytes(data)
        title, _, body = text.strip().partition("\n")
        yield RawItem(ref=ref, title=title.lstrip("# ").strip(), text=body)
    elif suffix in HTML_SUFFIXES:
        yield RawItem(ref=ref, html=decode_bytes(data))
    elif suffix == ".json":
        try:
            doc = json_loads(decode_bytes(data))
        except (json.JSONDecodeError, RecursionError) as exc:
            raise BadInput(f"invalid JSON: {str(exc)[:200]}", code="bad_json") from exc
        yield from _records(_json_records(doc), ref)
    elif suffix == ".opml":
        raise BadInput("an OPML list of feeds inside a folder of documents is not polled: pass the .opml "
                       "file itself to `aiwatch ingest` or `aiwatch watch`", code="opml_in_folder")
    else:  # feeds
        _title, items = feeds.parse_feed(data, ref)
        yield from items


def _json_records(doc: Any) -> Iterable[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in ("articles", "items", "data", "results"):
            if isinstance(doc.get(key), list):
                return doc[key]
        return [doc]
    raise BadInput("JSON must be an object or a list of objects", code="bad_json")


def numbered_lines(file: Path) -> Iterator[tuple[int, str | None]]:
    """Numbered, decoded lines; None for a line longer than AIWATCH_MAX_JSON_BYTES, which is passed over
    unread (a line of gigabytes was read whole into memory).

    Each line is decoded by itself (``decode_bytes``: a file mixing UTF-8 and Latin-1 lines keeps both), except
    in a file that opens with a UTF-16 byte-order mark (Windows PowerShell's ``>`` and Out-File write JSONL and
    CSV so): there a line is not a run of bytes up to b"\n", and read so every line after the first was lost."""
    cap = config.get("max_json_bytes")
    with open_binary(file) as f:
        if f.peek(2)[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = io.TextIOWrapper(f, encoding="utf-16", errors="replace", newline="")
            yield from _capped_lines(text.readline, cap // 2, "\n")  # the cap in characters: two bytes each
            return
        for n, raw in _capped_lines(f.readline, cap, b"\n"):
            yield n, decode_bytes(raw) if raw is not None else None


def _capped_lines(readline: Any, cap: int, newline: Any) -> Iterator[tuple[int, Any]]:
    """Numbered lines from ``readline`` (bytes or text); None for one longer than ``cap``, passed over unread."""
    n = 0
    while line := readline(cap + 1):
        n += 1
        if len(line) > cap and not line.endswith(newline):
            while (rest := readline(1 << 20)) and not rest.endswith(newline):
                pass
            yield n, None
            continue
        yield n, line


def too_long_line(file: Path, n: int) -> str:
    return (f"{file.name} line {n}: longer than the {config.get('max_json_bytes'):,}-byte limit for one record "
            "(set AIWATCH_MAX_JSON_BYTES to raise it)")


def _read_jsonl(file: Path) -> Iterator[RawItem | Skipped]:
    any_line = False
    for n, line in numbered_lines(file):
        ref = f"{file}:{n}"
        if line is None:
            any_line = True
            yield Skipped("ingest", "too_large", too_long_line(file, n), ref)
            continue
        if not line.strip():
            continue
        any_line = True
        try:
            obj = json_loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield Skipped("ingest", "bad_json", f"{file.name} line {n}: invalid JSON ({str(exc)[:120]})", ref)
            continue
        yield from _records([obj], ref, numbered=False)
    if not any_line:
        raise BadInput("empty file", code="empty")


def _csv_delimiter(first_line: str) -> str:
    """The delimiter a header line uses: the comma, unless another of CSV_DELIMITERS is more frequent in it."""
    counts = {d: first_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _read_csv(file: Path, delimiter: str | None = None) -> Iterator[RawItem | Skipped]:
    csv.field_size_limit(CSV_FIELD_LIMIT)

    def lines() -> Iterator[str]:
        for n, line in numbered_lines(file):
            if line is None:  # the reader's state past it cannot be trusted: the rows so far stay, the rest go
                raise BadInput(too_long_line(file, n), code="too_large")
            yield line

    rows = lines()
    first = next(rows, "").removeprefix("\ufeff")  # a byte-order mark, as spreadsheets write one
    reader = csv.DictReader(itertools.chain([first], rows), delimiter=delimiter or _csv_delimiter(first))
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise BadInput(f"unreadable CSV header: {exc}", code="bad_csv") from exc
    if not header:
        raise BadInput("empty file", code="empty")
    kind = aiid.detect_csv(header)
    n = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Skipped("ingest", "bad_csv", f"{file.name} row {n}: {exc}", f"{file}:{n}")
            return
        n += 1
        if kind:  # an AIID snapshot table: its own reader keeps AIID ids and links
            yield aiid.row_to_item(kind, row, f"{file}:{n}")
        else:
            yield from _records([row], f"{file}:{n}", numbered=False)


def _records(objs: Iterable[Any], ref: str, numbered: bool = True) -> Iterator[RawItem | Skipped]:
    for i, obj in enumerate(objs):
        item_ref = f"{ref}#{i}" if numbered else ref
        if not isinstance(obj, dict):
            yield Skipped("ingest", "bad_record", f"expected an object with title/text, got {type(obj).__name__}",
                          item_ref)
            continue
        yield record_to_item(obj, item_ref)


def record_to_item(obj: dict[str, Any], ref: str) -> RawItem:
    """A JSON object or CSV row to a RawItem, reading the first present alias of each field."""
    values: dict[str, Any] = {}
    folded: dict[str, Any] | None = None
    for field, names in FIELD_ALIASES.items():
        for name in names:
            v = obj.get(name)
            if v in (None, ""):
                if folded is None:  # built once, only for a record not written in the aliases' own spelling
                    folded = {}
                    for k, x in obj.items():
                        if x not in (None, ""):
                            folded.setdefault(_KEY_SEPARATORS.sub("_", str(k).strip().casefold()), x)
                v = folded.get(name)
            if v not in (None, ""):
                values[field] = v
                break
    for field in ("title", "text", "url", "source", "html"):
        if field in values and not isinstance(values[field], str):
            values[field] = json.dumps(values[field]) if isinstance(values[field], dict | list) else str(
                values[field])
    if "ext_id" in values and not isinstance(values["ext_id"], str | int):
        values["ext_id"] = json.dumps(values["ext_id"], sort_keys=True)
    return RawItem(ref=ref, **values)
