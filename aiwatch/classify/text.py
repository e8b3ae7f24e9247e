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
# Phrases of sign-up boxes, cookie banners and navigation (matched as plain substrings: fast).
BOILERPLATE_PHRASES = (
    "sign up", "subscribe", "newsletter", "cookie", "advertisement", "all rights reserved", "follow us",
    "read more", "open navigation", "view saved stories", "to revist this article", "skip to main content",
    "share this", "click here", "privacy policy", "terms of use", "terms of service", "log in", "login",
    "sign in", "my profile", "becoming a sponsor", "learn more about", "join us", "register now",
    "this article is part of", "we may earn", "affiliate link",
)
_CAPITALISED = re.compile(r"(?:^|\s)(?:[A-Z0-9&|-]|and\b)")


def _menu_like(segment: str, n_words: int) -> bool:
    """Runs of capitalised words without a verb-like lower-case stretch: menus, tag lists."""
    return len(_CAPITALISED.findall(segment)) / n_words > 0.7


def strip_boilerplate(text: str) -> str:
    """Drop menu-like runs and sign-up/cookie sentences; keep the article's sentences in order."""
    if not text:
        return ""
    # Only the opening is ever read (LEAD_CHARS): cleaning the rest of a long page is wasted work.
    parts = _SENT.split(text[:4 * LEAD_CHARS].replace("\n", " . "))
    kept = []
    for p in parts:
        n = len(p.split())
        if n < 40:  # a short sentence about signing up, cookies, menus
            low = p.lower()
            if any(phrase in low for phrase in BOILERPLATE_PHRASES):
                continue
        if n >= 8 and _menu_like(p, n):
            continue
        if p.strip(" ."):
            kept.append(p)
    return " ".join(kept).strip()


def classifier_text(title: str, text: str, *, stripped: str | None = None, lead_chars: int = LEAD_CHARS) -> str:
    """The string every model sees: title, then the stripped lead, case-folded."""
    lead = (stripped if stripped is not None else strip_boilerplate(text or ""))[:lead_chars]
    return f"{title or ''}. {lead}".casefold().strip()


def encoder_text(title: str, text: str) -> str:
    """The string the sentence encoder reads: title and the opening of the text as published.

    The cluster stage embeds this very string (``cluster.Embedder``), so the cascade's vector of a candidate
    is kept and the article is encoded once. Not stripped: stripping drops name-heavy sentences as
    menu-like, which cost the grouping of full articles 5 B-cubed points (wikiref). MiniLM is uncased and
    reads 128 tokens, which 600 characters cover.
    """
    return f"{title}. {(text or '')[:600]}".strip()


def sentences(text: str, *, stripped: str | None = None, limit: int = 15) -> list[str]:
    """Article sentences, for evidence (original case kept)."""
    body = stripped if stripped is not None else strip_boilerplate(text or "")
    return [s.strip() for s in _SENT.split(body)[:limit] if len(s.split()) >= 4]
