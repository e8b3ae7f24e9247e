"""What a classifier reads of an article: title and lead, boilerplate stripped, case folded.

Case is folded for every model because one negative source (BBC) is lower-cased in the data:
a model that sees case learns "lower-case means unrelated". Navigation menus and sign-up
prompts are stripped because they are where scraped pages of one site look alike and where
harm words ("Security", "Privacy") sit in every VentureBeat menu.
"""

from __future__ import annotations

import re

LEAD_CHARS = 2000  # the opening carries the news; later text adds cost, not signal
# Any sentence end, whatever the next letter's case: a lower-cased page must split the same way.
_SENT = re.compile(r"(?<=[.!?])\s+")
_BOILER = re.compile(
    r"(sign up|subscribe|newsletter|cookie|advertisement|all rights reserved|follow us|read more|open navigation|"
    r"view saved stories|to revist this article|skip to main content|share this|click here|privacy policy|"
    r"terms of (use|service)|log ?in|sign in|my profile|becoming a sponsor|learn more about|join us|register now|"
    r"this article is part of|we may earn|affiliate link)", re.I)


def _menu_like(segment: str) -> bool:
    """Runs of capitalised words without a verb-like lower-case stretch: menus, tag lists."""
    words = segment.split()
    if len(words) < 8:
        return False
    caps = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit() or w in ("&", "|", "-", "and"))
    return caps / len(words) > 0.7


def strip_boilerplate(text: str) -> str:
    """Drop menu-like runs and sign-up/cookie sentences; keep the article's sentences in order."""
    parts = _SENT.split(text.replace("\n", " . ") if "\n" in text else text)
    kept = [p for p in parts if not _menu_like(p) and not (_BOILER.search(p) and len(p.split()) < 40)]
    return " ".join(p for p in kept if p.strip(" .")).strip()


def classifier_text(title: str, text: str, *, lead_chars: int = LEAD_CHARS) -> str:
    """The string every model sees: title, then the stripped lead, case-folded."""
    lead = strip_boilerplate(text or "")[:lead_chars]
    return f"{title or ''}. {lead}".casefold().strip()


def sentences(text: str) -> list[str]:
    """Article sentences, for evidence (original case kept)."""
    body = strip_boilerplate(text or "")
    return [s.strip() for s in _SENT.split(body) if len(s.split()) >= 4]
