"""Countries: a place name spaCy tags GPE -> the country it is in, by ISO 3166 (pycountry).

Only countries are kept, never finer places: aiwatch offers no location lookup. A state or
province of the countries most covered by the news maps to its country ("Arizona" -> United States).
"""

from __future__ import annotations

import functools

# Names the news uses that ISO 3166 does not spell that way.
COUNTRY_ALIASES = {
    "us": "United States", "u.s.": "United States", "u.s": "United States", "usa": "United States",
    "u.s.a.": "United States", "america": "United States", "united states of america": "United States",
    "the united states": "United States", "uk": "United Kingdom", "u.k.": "United Kingdom",
    "britain": "United Kingdom", "great britain": "United Kingdom", "england": "United Kingdom",
    "scotland": "United Kingdom", "wales": "United Kingdom", "northern ireland": "United Kingdom",
    "south korea": "South Korea", "korea": "South Korea", "north korea": "North Korea", "russia": "Russia",
    "iran": "Iran", "syria": "Syria", "vietnam": "Vietnam", "taiwan": "Taiwan", "bolivia": "Bolivia",
    "venezuela": "Venezuela", "tanzania": "Tanzania", "moldova": "Moldova", "laos": "Laos",
    "czech republic": "Czechia", "the netherlands": "Netherlands", "holland": "Netherlands",
    "turkey": "Türkiye", "ivory coast": "Côte d'Ivoire", "hong kong": "Hong Kong", "palestine": "Palestine",
    "gaza": "Palestine", "west bank": "Palestine", "uae": "United Arab Emirates",
}
SUBDIVISION_COUNTRIES = ("US", "CA", "AU", "IN")


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    import pycountry

    table: dict[str, str] = {}
    for c in pycountry.countries:
        display = getattr(c, "common_name", None) or c.name
        for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if n:
                table[n.lower()] = display
    for alias, display in COUNTRY_ALIASES.items():
        table[alias] = display
    for code in SUBDIVISION_COUNTRIES:
        country = pycountry.countries.get(alpha_2=code)
        display = getattr(country, "common_name", None) or country.name
        for sub in pycountry.subdivisions.get(country_code=code) or ():
            table.setdefault(sub.name.lower(), display)
    table["washington, d.c."] = table["washington dc"] = "United States"
    return table


def country_of(place: str) -> str | None:
    """The country a place name is or lies in, or None when it is not a known country or region."""
    key = place.strip().strip(".,").lower()
    if key.startswith("the "):
        key = key[4:]
    try:
        table = _table()
    except ImportError:  # pycountry missing: the aliases alone
        table = COUNTRY_ALIASES
    return table.get(key) or table.get(key.replace(".", ""))
