"""Surnames that, written alone, name a person in the news: a stop list, so that no such word becomes an entity.

spaCy's small model tags a lone surname as an organisation as often as a person ("the Trump rally", "Biden's
campaign withdrawal", "Meyers says"): read in neutral sentences it gives ORG for "Trump", "Fauci", "Wilson" and
PERSON for "Moderna", so its reading cannot tell a firm's one-word name from a person's. Where the article writes
the full name too, the extractor drops the surname with it (``_kept``); a short text that never does ("AI chatbots
failed to report the Trump rally shooting and Biden's campaign withdrawal") had made Trump and Biden deployers.

The list is learnt from ../shared/data by ``aiwatch train-cluster`` (deterministic): the last words of the
multi-word names spaCy tags PERSON in AIID's incident titles and descriptions, AIID's report headlines, AIAAIC's
headlines and the AI news headlines ("Donald Trump", "Sam Altman"), kept when one is such a last word at least
``MIN_COUNT`` times, the news texts write it in lower case at most half as often ("buy", "scam", "cook",
"swift" are words) and it ends another kind of name at most half as often ("Morgan", "Artificiale"), and it
is no name the gazetteer knows ("Cruise", "Meta": those are matched as bodies first). Some firm's or product's names
stay on it ("Watson", "Deere"), so it is read narrowly: a lone capitalised word that spaCy tags ORG and the
gazetteer does not know (a product's "Watson" is kept), the last word of a span of three words or more that ends
in a person's full name (``entities._ends_in_person``: "John Deere" is kept), and the store's guard for a body's
name (``cluster.incident``).
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

SURNAME_FILE = Path(__file__).resolve().parent / "surnames.json"
MIN_COUNT = 2  # times a word ends a person's full name in the corpus
_LOWER_WORD = re.compile(r"(?<![\w'’.-])[a-z]+(?![\w-])")
_SURNAME = re.compile(r"^[A-Z][a-z\u00e0-\u024f]+$")  # "Trump", "Traoré"; not "Jr.", "McDonald" (read whole)


def _headlines(root: Path) -> Iterator[str]:
    with (root / "aiid" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            yield r["title"]
            yield r["description"]
    with (root / "aiid_reports" / "reports.csv").open(encoding="utf-8", newline="") as f:
        yield from (r["title"] for r in csv.DictReader(f))
    with (root / "aiaaic" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        yield from (r["Headline"] for r in csv.DictReader(f))


def _news(root: Path) -> Iterator[tuple[str, str]]:
    csv.field_size_limit(50_000_000)
    with gzip.open(root / "ai_tech_news_unlabeled" / "ai_tech_news.csv.gz", "rt", encoding="utf-8") as f:
        yield from ((r["title"], r["text_head"]) for r in csv.DictReader(f))


def build(root: Path, nlp: Any, known_names: Iterable[str] = ()) -> dict[str, Any]:
    """{"source", "surnames": [...]} from the shared data (see the module's doc); ``nlp``: spaCy with its NER,
    ``known_names``: the gazetteer's surface forms (lower case)."""
    from aiwatch.entities.names import looks_like_person

    news = list(_news(root))
    texts = [*_headlines(root), *(title for title, _ in news)]
    ends: Counter[str] = Counter()  # as the last word of a person's name
    other: Counter[str] = Counter()  # of another name: "IBM Watson", "Didi Chuxing", "Star Wars Jedi"
    for doc in nlp.pipe(texts, batch_size=256):
        for e in doc.ents:
            words = e.text.split()
            if len(words) < 2:
                continue
            last = re.sub(r"['’]s?$", "", words[-1])
            if not _SURNAME.match(last):
                continue
            if e.label_ == "PERSON" and looks_like_person(e.text):
                ends[last.lower()] += 1
            elif e.label_ not in ("PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "QUANTITY", "PERCENT"):
                other[last.lower()] += 1
    lower: Counter[str] = Counter()
    for text in (*texts, *(body for _, body in news)):
        lower.update(_LOWER_WORD.findall(text))
    known = set(known_names)
    surnames = sorted(w for w, n in ends.items() if n >= MIN_COUNT and 2 * lower[w] <= n and 2 * other[w] <= n
                      and w not in known)
    return {"source": "last words of the names spaCy tags PERSON in AIID, AIAAIC and the AI news headlines "
                      f"(at least {MIN_COUNT} times, seldom written in lower case)", "surnames": surnames}


def save(table: dict[str, Any], path: Path = SURNAME_FILE) -> None:
    path.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    load.cache_clear()


@functools.lru_cache(maxsize=1)
def load(path: Path = SURNAME_FILE) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["surnames"])


def lone_surname(name: str) -> bool:
    """Whether a name is one capitalised word that the list holds ("Trump", not "TRUMP" or "Trump Media")."""
    return bool(_SURNAME.match(name)) and name.lower() in load()
