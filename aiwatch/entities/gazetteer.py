"""The gazetteer: organisations, public bodies, AI systems and harmed groups known from curated data.

Built by ``aiwatch gazetteer`` from ../shared/data (AIID's alleged deployers, developers and harmed
parties; AIAAIC's deployer, developer and system-name columns, and its catalogue of systems with their
makers) into ``gazetteer.json`` in this package (a few hundred KB of names, counts and links; no text). It
gives the entity stage three things spaCy's small model lacks: names it misses ("ICE", "xAI"), a kind for
each name, and a prior for each name's role (how often AIID/AIAAIC editors listed it as deployer or developer), plus
which developer stands behind a named system ("ChatGPT" -> OpenAI), and how often a developer was listed as
the deployer of the same incident too (``self_deploys``: a maker running its own product).

A private person is never an entry: AIID slugs that read as a person and AIAAIC names that spaCy
reads as a person are dropped (``is_person_name``).

Data: AI Incident Database (Responsible AI Collaborative, CC BY-SA 4.0); AIAAIC Repository (aiaaic.org).
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from aiwatch.entities.names import (
    ALIASES,
    GENERIC_ACTOR,
    GROUP_HEADS,
    group_name,
    is_group_phrase,
    kind_of,
    norm,
    split_parties,
    tidy_name,
)

GAZETTEER_FILE = Path(__file__).resolve().parent / "gazetteer.json"
# Words that name a kind of body, not one body: AIID lists "lawyers", "law enforcement", "hospitals" or "state
# governments" as deployers. As gazetteer entries they made every "Lawyers Denied Entry ..." headline a party
# named Lawyers, and gathered unrelated incidents on one entity page.
_KIND_OF_BODY = frozenset("""
hospitals schools banks universities colleges governments government agencies agency employers landlords retailers
insurers platforms websites apps courts lawyers law enforcement militaries military armies cities states state media
outlets news businesses startups brands social local federal public private online tech companies firms police
departments department officials authorities
""".split())


def generic_body(name: str) -> bool:
    """'Lawyers', 'law enforcement agencies', 'British law enforcement': a kind of body, no one body's name."""
    from aiwatch.entities.places import DEMONYMS

    words = re.sub(r"[^\w\s]", " ", name.lower().replace("-", " ")).split()  # as written: "News Corp" keeps "corp"
    return bool(words) and words[-1] not in DEMONYMS and all(
        w in _KIND_OF_BODY or w in GROUP_HEADS or w in DEMONYMS for w in words)


# Kinds of technology curated data lists as a system or a party ("Generative AI", "Facial Recognition System",
# "AI"): as entries they made every article on the technology name one system, and joined its incidents on one
# entity page.
_KIND_OF_TECHNOLOGY = frozenset("""
ai artificial intelligence generative facial face recognition system systems technology technologies chatbot
chatbots deepfake deepfakes algorithm algorithms algorithmic machine learning large language model models llm llms
computer vision automated automation software tool tools neural network networks predictive policing surveillance
autonomous self-driving robot robots robotic drone drones biometric biometrics voice cloning synthetic media
emotion detection
gan gans frt lpr alpr anpr nlp ocr cctv adas
""".split())


def generic_technology(name: str) -> bool:
    """'Generative AI', 'Facial Recognition System', 'AI': a kind of technology, no one system's name ("Face++"
    and "GPT-4", written with more than words, are names)."""
    return bool(re.fullmatch(r"[A-Za-z -]+", name)) and all(
        w in _KIND_OF_TECHNOLOGY for w in name.lower().replace("-", " ").split())


# One person described, not named: AIID lists "Unnamed 40 Year Old Man Arrested By Daejeon Police", "Pirkkala
# School Stabbing Suspect", "Kim (suspect In Seoul Poisoning Case)", "Waleed B (scammer Impersonating Sadhguru)".
_ONE_PERSON = re.compile(r"\b(?:unnamed|suspect|scammer|man|woman|boy|girl|teen|teenager|student|intern|"
                         r"clerk|entrant|individual|person)\b", re.I)


def names_individual(name: str, is_person_name: Callable[[str], bool] | None = None) -> bool:
    """Whether a party's name as curated data lists it stands for one person: a person's name, with or without
    a qualifier in brackets ("Justin Fox (doge)", "Changhan (ch) Kim", "David m. Schwartz"), or one person
    described ("Unnamed Tesla Driver"). A private person is never an entry."""
    bare = re.sub(r"\s*\([^)]*\)?", " ", name).strip()
    if _ONE_PERSON.search(name) and not _BODY_WORD.search(bare):
        return True
    if is_person_name is None or not bare:
        return False
    # An AIID slug's initial comes out lower-case ("David m. Schwartz"), which hid the name's shape.
    initials = re.sub(r"(?<!\S)([a-z])\.", lambda m: m.group(1).upper() + ".", name)
    # "Justin Fox (doge)": a first and last name with a qualifier ("Main Intelligence Directorate (gru)" is
    # no person, though spaCy reads its three capitalised words as one).
    return is_person_name(initials) or (bare != name and len(bare.split()) == 2 and is_person_name(bare))


# One person by what they do, a firm's name before it: AIID lists "tesla-driver", "reddit-user", "bank-employee" and
# "youtube-channel-owner" as deployers. As organisations in the gazetteer they had made every "Tesla Driver Put Car
# on Autopilot ..." headline name a body called "Tesla driver" (a person, whom aiwatch never stores as an entity).
_PERSON_IN_A_ROLE = frozenset("""
driver passenger rider user customer employee worker lawyer attorney officer teacher doctor nurse professor judge
father mother husband wife son daughter resident citizen candidate applicant patient victim influencer politician
lawmaker senator actor actress journalist reporter artist author musician singer streamer youtuber owner investor
motorist pedestrian cyclist homeowner tenant
""".split())


def one_in_a_role(name: str) -> bool:
    """Whether a party's name ends in one person's role, in the singular: "Tesla driver", "Reddit user"."""
    words = re.sub(r"[^\w\s]", " ", name.lower()).split()
    return bool(words) and words[-1] in _PERSON_IN_A_ROLE


# A name with its acronym in brackets, as AIID's slugs write them: "center-for-geopolitical-expertise-(cge)",
# "canada-revenue-agency-(cra)". Taken as written, each was an entry of its own beside the plain name ("Amazon Web
# Services" and "Amazon Web Services (aws)"), and an incident whose text wrote "Center for Geopolitical Expertise
# (CGE)" listed the body twice. Other brackets qualify the name and stay ("People's Party (spain)", "Specbuk
# (facebook)").
_BRACKETED_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<acronym>[A-Za-z][A-Za-z0-9-]{1,7})\)(?P<rest>(?:\s+[\w-]+)*)$")


def acronym_apart(name: str) -> tuple[str, str | None]:
    """(the name, its acronym in capitals) for "X (acr)" where the acronym's letters are initials of X's words in
    order ("Department of Government Efficiency (doge)"); else (name, None). A group named after the body keeps
    its words ("amazon web services (aws) customers" -> "amazon web services customers", "AWS")."""
    m = _BRACKETED_ACRONYM.match(name)
    if not m:
        return name, None
    letters = m.group("acronym").replace("-", "").lower()
    initials = iter(w[0].lower() for w in re.findall(r"[^\W\d_]+", m.group("name")))
    if all(ch in initials for ch in letters):  # a subsequence (``in`` consumes the iterator)
        return m.group("name") + m.group("rest"), m.group("acronym").upper()
    return name, None


# A body's word keeps a name a body's though a person's word is in it ("Unnamed Ohio College").
_BODY_WORD = re.compile(r"\b(?:college|school|university|hospital|company|group|provider|platform|centre|center|"
                        r"police|department|agency|office|station|district|network|page|channel|account)s?$", re.I)


# Customers and users are a business's, not a person's: AIID lists "rite-aid-customers", "taco-bell-customers",
# "stack-overflow-users" as harmed parties (``body_evidence``). Not subscribers, clients, tenants or guests, whom a
# person has too.
_CLIENTELE = re.compile(r"^(.+)\s+(?:customers|users|shoppers|passengers|riders|cardholders|account holders)\b")


def body_evidence(root: Path) -> Callable[[str], bool]:
    """Whether curated data shows that a name which reads like a person's ("Rite Aid", "Taco Bell", "Boston
    Dynamics": two capitalised words, which spaCy reads as a person's) is a body's: AIID lists its customers or
    users as harmed ("rite-aid-customers", "stack-overflow-users"), or an AIAAIC row that lists it as a deployer or
    developer names its system after it ("Rite Aid" and "Rite Aid Face Surveillance System", "Boston Dynamics" and
    "Boston Dynamics Spot"). The person check had left such bodies out of the gazetteer, and with them every
    article's mention of them; of the names it drops, no person's has either."""
    bodies: set[str] = set()
    with (root / "aiid" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for slug in _json_list(row.get("alleged_harmed_parties")):
                if m := _CLIENTELE.match(slug.replace("-", " ").lower()):
                    bodies.add(norm(m.group(1)))
    for name, columns in (("incidents.csv", ("Deployer", "Developer")), ("systems.csv", ("Developer",))):
        path = root / "aiaaic" / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    systems = [norm(n) for n in split_parties(row.get("System name", ""))]
                    bodies |= {key for col in columns for n in split_parties(row.get(col, ""))
                               if (key := norm(n)) and any(s.startswith(key + " ") for s in systems)}
    return lambda name: norm(name) in bodies


def _slug_display(slug: str) -> str:
    """AIID slugs are lower-case ("keolis-north-america"): every word capitalised, as the person check and
    the keys expect. The display name is ``_written_names``' or ``_readable``'s."""
    words = slug.replace("-", " ").split()
    return " ".join(w if any(c.isdigit() for c in w) or "." in w else w.capitalize() for w in words)


# Words a name writes in lower case after its first ("Government of Argentina", "Ministry for the Interior").
_LOWER_IN_NAME = frozenset("of for the and in on at to by from de du des la le del von van der".split())


def _readable(guess: str) -> str:
    """A slug's capitalised guess as a name is written: "Government Of France" -> "Government of France",
    "Eightfold Ai" -> "Eightfold AI"."""
    return " ".join(w.lower() if i and w.lower() in _LOWER_IN_NAME else "AI" if w == "Ai" else w
                    for i, w in enumerate(guess.split()))


def _same_name(readable: str, written: str) -> bool:
    """``written`` spells ``readable`` with the same letters and digits, adding capitals only ("Espn" ->
    "ESPN", "Storm 1679" -> "Storm-1679"), never dropping one ("Israeli Military" -> "Israeli military") nor a
    word ("Xiaomi Corporation" -> "Xiaomi")."""
    a, b = re.sub(r"[\W_]+", "", readable), re.sub(r"[\W_]+", "", written)
    return (a.lower() == b.lower() and not any(x.isupper() and y.islower() for x, y in zip(a, b, strict=True))
            and written.count("(") == written.count(")"))


_WORD = re.compile(r"[\w&.+’'-]*\w")


def _written_names(guesses: dict[str, str], texts: Iterable[str], longest: int = 8) -> dict[str, str]:
    """Entry key -> its name as the texts most often write it, for names only guessed from a slug (key ->
    guess): "ESPN", "myInterview", "Storm-1679"; else the readable guess. Read in one pass: only runs of
    words that start with a word that starts some guessed name are normalised."""
    readable = {k: _readable(g) for k, g in guesses.items()}
    first_words = {k.split()[0] for k in readable if k}
    seen: dict[str, Counter] = defaultdict(Counter)
    starts: dict[str, bool] = {}  # word as written -> whether it starts some guessed name (words recur: norm once)
    for text in texts:
        words = list(_WORD.finditer(text))
        for i, w in enumerate(words):
            if (start := starts.get(word := w.group())) is None:
                start = starts[word] = bool(first := norm(word)) and first.split()[0] in first_words
            if not start:
                continue
            for j in range(i, min(i + longest, len(words))):
                surface = re.sub(r"['’]s$", "", text[w.start():words[j].end()])  # "ESPN's" writes "ESPN"
                key = norm(surface)
                if key in readable and _same_name(readable[key], surface):
                    seen[key][surface] += 1
    out = dict(readable)
    for key, forms in seen.items():
        # The commonest form; of forms as common, the one with fewer capitals ("Office of" over a headline's
        # "Office Of").
        out[key] = max(forms.items(), key=lambda f: (f[1], -sum(c.isupper() for c in f[0])))[0]
    return out


# A one-word name that news writes in lower case at least EVERYDAY_MIN times, and more than twice as often as
# capitalised, is also an everyday word: "Class" (a virtual-classroom system, in every "Class action lawsuit ..."
# headline), "Chat", "TIME" ("... for First Time"), "Target". Counted in the AI/tech news articles' openings
# (16k; "class" 256 times against "Class" 22, "cruise" 37 against "Cruise" 98, "apple" 15 against 3,596).
EVERYDAY_MIN = 10
_PLAIN_WORD = re.compile(r"(?<![\w'’.-])[A-Za-z][a-z]+(?![\w'’-])")


@functools.lru_cache(maxsize=2)
def word_cases(root: Path) -> Counter:
    """How often the news data writes each plain word, case kept (empty without the data)."""
    path = root / "ai_tech_news_unlabeled" / "ai_tech_news.csv.gz"
    counts: Counter = Counter()
    if not path.exists():
        return counts
    csv.field_size_limit(sys.maxsize)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            counts.update(_PLAIN_WORD.findall(row.get("text_head") or ""))
    return counts


def everyday_word(name: str, cases: Counter) -> bool:
    """Whether a one-word name is also a word people write in lower case (see EVERYDAY_MIN)."""
    if not name.isalpha():
        return False
    low = cases[name.lower()]
    return low >= EVERYDAY_MIN and low > 2 * cases[name[:1].upper() + name[1:].lower()]


def _json_list(value: str | None) -> list[str]:
    try:
        parsed = json.loads(value or "[]")
    except json.JSONDecodeError:
        return []
    return [str(s) for s in parsed] if isinstance(parsed, list) else []


def build(root: Path, *, exclude_aiid: set[int] | None = None, is_person_name: Callable[[str], bool] | None = None,
          is_body: Callable[[str], bool] | None = None, exclude_aiaaic: set[str] | None = None) -> dict[str, Any]:
    """The gazetteer from ../shared/data. ``exclude_aiid`` leaves out AIID incidents, ``exclude_aiaaic``
    AIAAIC's (by "AIAAIC ID#"): evaluation holds them apart. ``is_body``: ``body_evidence(root)``, when the
    caller has it (it builds several gazetteers from one root)."""
    from aiwatch.entities.places import country_of_jurisdiction, usual_country

    exclude_aiid = exclude_aiid or set()
    exclude_aiaaic = exclude_aiaaic or set()
    entries: dict[str, dict[str, Any]] = {}
    roles: dict[str, Counter] = defaultdict(Counter)
    # Listings of one body as both deployer and developer of one incident: a maker running its own product.
    self_deploys: Counter = Counter()
    system_rows: list[tuple[list[str], list[str]]] = []  # AIAAIC: (systems, developers) of each row
    # AIAAIC: the incidents each deployer or developer is listed in that are set in one country alone, by
    # country (``places.usual_country``).
    countries: dict[str, Counter] = defaultdict(Counter)

    is_body = is_body or body_evidence(root)
    acronyms: dict[str, set[str]] = defaultdict(set)  # entry key -> the acronyms its bracketed names gave

    def add(name: str, kind: str, role: str | None) -> str | None:
        name, acronym = acronym_apart(tidy_name(name))
        key = norm(name)
        if not key or len(key) < 2:
            return None
        if kind != "group" and (generic_body(name) or generic_technology(name)):
            return None
        # "Tesla driver", listed as a party (a system may be named so: "Waymo Driver"; and ``kind_of`` guesses a
        # system for a name that ends in "driver")
        if one_in_a_role(name) and (role in ("deployer", "developer") or (role is None and kind != "ai_system")):
            return None
        # A name that reads as a person's is left out, unless the data shows it is a body's (then it is marked,
        # so that the extractor and the store, which refuse such names, know it).
        body = False
        if kind != "group" and names_individual(name, is_person_name):
            if names_individual(name) or kind == "ai_system" or not is_body(name):
                return None
            body = True
        entry = entries.setdefault(key, {"name": name, "kind": kind, "aliases": []})
        if acronym and kind != "group":
            acronyms[key].add(acronym)
        if body:
            entry["body"] = True
        # A proper-cased name beats a slug-derived one ("OpenAI" over "Openai").
        if name != entry["name"] and name.lower() == entry["name"].lower() and not name.istitle():
            entry["name"] = name
        if role:
            roles[key][role] += 1
        return key

    slug_named: dict[str, str] = {}  # entries whose name is only a guess from an AIID slug: key -> the guess
    texts: list[str] = []  # where the names are written as people write them
    with (root / "aiid" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if int(row["incident_id"]) in exclude_aiid:
                continue
            texts.append(row.get("description") or "")  # not the titles: Title Case writes "Office Of"
            listed: dict[str, set[str]] = {}
            for col, role in (("alleged_deployer", "deployer"), ("alleged_developer", "developer")):
                listed[role] = set()
                for slug in _json_list(row.get(col)):
                    if GENERIC_ACTOR.search(slug) or slug in ("unknown",):
                        continue
                    display = _slug_display(slug)
                    if key := add(display, kind_of(display), role):
                        listed[role].add(key)
                        if entries[key]["name"] == display:
                            slug_named[key] = display
            self_deploys.update(listed["deployer"] & listed["developer"])
            for slug in _json_list(row.get("alleged_harmed_parties")):
                phrase = slug.replace("-", " ")
                if is_group_phrase(phrase):
                    add(group_name(phrase), "group", "harmed_party")

    aiaaic = root / "aiaaic" / "incidents.csv"
    if aiaaic.exists():
        with aiaaic.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row.get("AIAAIC ID#") in exclude_aiaaic:
                    continue
                texts.append(row.get("Headline") or "")
                devs = [k for n in split_parties(row.get("Developer", "")) if (k := add(n, kind_of(n), "developer"))]
                deps = {k for n in split_parties(row.get("Deployer", "")) if (k := add(n, kind_of(n), "deployer"))}
                self_deploys.update(deps & set(devs))
                places = [p.strip() for p in (row.get("Impacted area | Jurisdiction") or "").split(";") if p.strip()]
                if len(places) == 1 and (country := country_of_jurisdiction(places[0])):
                    for k in deps | set(devs):
                        countries[k][country] += 1
                systems = [k for n in split_parties(row.get("System name", "")) if (k := add(n, "ai_system", "system"))]
                if systems and devs:
                    system_rows.append((systems, devs))

    # AIAAIC's catalogue of systems (systems.csv), each with all its makers: an incident row names the maker the
    # story was about (Stability AI for Stable Diffusion in every one), the catalogue the rest (CompVis LMU,
    # EleutherAI, RunwayML, LAION), whom AIID's editors list as developers too. Names only, no role counts: a
    # catalogue row is no incident, and the counts are the role model's priors.
    catalogue: dict[str, list[str]] = defaultdict(list)
    systems_csv = root / "aiaaic" / "systems.csv"
    if systems_csv.exists():
        with systems_csv.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                devs = [k for n in split_parties(row.get("Developer", "")) if (k := add(n, kind_of(n), None))]
                for n in split_parties(row.get("System name", "")):
                    if (key := add(n, "ai_system", None)) and devs:
                        catalogue[key] += [d for d in devs if d != key]  # (in order; repeats go when folded)
                        system_rows.append(([key], devs))

    # A name AIAAIC wrote beats the slug's guess; else the descriptions' and headlines' way of writing it.
    guessed = {k: guess for k, guess in slug_named.items() if entries[k]["name"] == guess}
    for key, written in _written_names(guessed, texts).items():
        entries[key]["name"] = written
    folded: dict[str, str] = {}  # alias entry -> the canonical entry it folded into
    # A bracketed acronym is an alias like those of ``ALIASES``: an entry of its own under it ("AWS", listed as a
    # developer five times) folds into the spelt-out name's, which had shared the surface "AWS" with it.
    table = dict(ALIASES)
    for key, found in acronyms.items():
        if key in entries and norm(name := entries[key]["name"]) == key:
            table[name] = sorted(set(table.get(name, ())) | found)
    for canonical, aliases in table.items():
        key = norm(canonical)
        entry = entries.setdefault(key, {"name": canonical, "kind": kind_of(canonical), "aliases": []})
        entry["name"] = canonical
        entry["aliases"] = sorted(set(entry["aliases"]) | set(aliases))
        for alias in aliases:  # an alias that was an entry of its own folds into the canonical one
            old = entries.pop(norm(alias), None) if norm(alias) != key else None
            if old is not None:
                roles[key].update(roles.pop(norm(alias), Counter()))
                countries[key].update(countries.pop(norm(alias), Counter()))
                self_deploys[key] += self_deploys.pop(norm(alias), 0)
                folded[norm(alias)] = key
    catalogued: dict[str, list[str]] = defaultdict(list)  # the catalogue's systems and makers, aliases folded
    for k, devs in catalogue.items():
        have = catalogued[folded.get(k, k)]
        have += [d for d in dict.fromkeys(folded.get(d, d) for d in devs) if d not in have]
    cases = word_cases(root)
    system_dev = align_developers([([folded.get(k, k) for k in systems], [folded.get(d, d) for d in devs])
                                   for systems, devs in system_rows])
    for key, entry in entries.items():
        counts = roles.get(key, Counter())
        # A name AIAAIC lists as a system is a system, unless editors list it more often as a party
        # ("Clearview AI" is a company first).
        if counts["system"] > counts["deployer"] + counts["developer"]:
            entry["kind"] = "ai_system"
        elif entry["kind"] == "ai_system" and counts["deployer"] + counts["developer"] > 0:
            entry["kind"] = kind_of(entry["name"]) if kind_of(entry["name"]) != "ai_system" else "organisation"
        entry["roles"] = {r: n for r, n in counts.items() if r != "system"}
        if self_deploys[key]:
            entry["self_deploys"] = self_deploys[key]
        if entry["kind"] != "group" and (country := usual_country(countries.get(key, {}))):
            entry["country"] = country
        makers = catalogued.get(key, [])
        if entry["kind"] == "ai_system" and (key in system_dev or makers):
            ranked = system_dev[key].most_common(2) if key in system_dev else []
            kept = [d for d, n in ranked if d in entries and n * 2 >= ranked[0][1]]
            entry["developers"] = kept + [d for d in makers if d in entries and d not in kept]
        if entry["kind"] != "group" and (everyday := sorted(s for s in {entry["name"], *entry["aliases"]}
                                                            if everyday_word(s, cases))):
            entry["everyday"] = everyday
    return {"version": 1, "entries": dict(sorted(entries.items()))}


# How much likelier a system is a developer's when its name carries the developer's ("Google Lens", "MiniMax
# Hailuo AI"): in a survey row, the named maker is nearly always the right one.
NAMED_MAKER = 20.0


def _names_maker(system: str, developer: str) -> bool:
    words, first = system.split(), developer.split()[0]
    return system.replace(" ", "").startswith(developer.replace(" ", "")) or (len(first) > 2 and first in words)


def align_developers(rows: list[tuple[list[str], list[str]]], rounds: int = 20) -> dict[str, Counter]:
    """system -> developer -> expected number of rows in which that developer made that system.

    A row naming one system credits each of its developers to it. A row naming several systems and several
    developers ("ChatGPT, Claude, Gemini | Anthropic, Google, OpenAI", AIAAIC's surveys) does not say which
    made which: each developer's credit is shared among the row's systems in proportion to how likely each
    is to be that developer's, as estimated from all rows, re-estimated a few rounds (expectation-maximisation,
    as in word alignment). Counted per row instead, such surveys listed OpenAI as a developer of Claude (in
    half as many rows as Anthropic, enough to be kept) and Google, not Meta, as Llama 2's.
    """
    rows = [(sorted(set(s)), sorted(set(d))) for s, d in rows]
    named = {(s, d) for systems, devs in rows for s in systems for d in devs if _names_maker(s, d)}
    prob: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(lambda: 1.0))  # P(developer | system)
    counts: dict[str, Counter] = defaultdict(Counter)
    for _ in range(rounds):
        counts = defaultdict(Counter)
        for systems, devs in rows:
            for d in devs:
                makers = [s for s in systems if s != d]
                weight = {s: prob[s][d] * (NAMED_MAKER if (s, d) in named else 1.0) for s in makers}
                total = sum(weight.values())
                for s in makers:
                    counts[s][d] += weight[s] / total if total else 0.0
        prob = defaultdict(lambda: defaultdict(float))
        for s, c in counts.items():
            n = sum(c.values())
            for d, v in c.items():
                prob[s][d] = v / n
    return counts


def save(gaz: dict[str, Any], path: Path = GAZETTEER_FILE) -> None:
    path.write_text(json.dumps(gaz, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                    encoding="utf-8")


_LOADED: dict[str, dict[str, Any]] = {}


def load(path: Path = GAZETTEER_FILE) -> dict[str, Any]:
    key = str(path)
    if key not in _LOADED:
        if path.exists():
            _LOADED[key] = json.loads(path.read_text(encoding="utf-8"))
        else:  # not built: only the hand-written aliases
            _LOADED[key] = {"version": 1, "entries": {
                norm(c): {"name": c, "kind": kind_of(c), "aliases": list(a), "roles": {}} for c, a in ALIASES.items()}}
    return _LOADED[key]


def index(gaz: dict[str, Any]) -> dict[str, str]:
    """Normalised name or alias -> entry key."""
    out: dict[str, str] = {}
    for key, entry in gaz["entries"].items():
        out.setdefault(key, key)
        for alias in entry.get("aliases", []):
            out.setdefault(norm(alias), key)
    return out


def surface_forms(gaz: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(text to match, entry key) for every name and alias."""
    for key, entry in gaz["entries"].items():
        yield entry["name"], key
        for alias in entry.get("aliases", []):
            yield alias, key



TITLES = re.compile(r"^(dr|mr|mrs|ms|miss|prof|professor|sir|dame|lord|lady|judge|justice|rev|father)\.?\s", re.I)


def spacy_person_check() -> Callable[[str], bool]:
    """A name is a person's when spaCy reads it as PERSON in a neutral sentence (and no org word says otherwise)."""
    import spacy

    from aiwatch.entities import SPACY_EXCLUDE, SPACY_MODEL
    from aiwatch.entities.names import BRANDS, ORG_WORDS, PUBLIC_WORDS, SYSTEM_WORDS, looks_like_person

    nlp = spacy.load(SPACY_MODEL, exclude=SPACY_EXCLUDE)

    def is_person(name: str) -> bool:
        # One word ("Axon", "Alice") identifies nobody, unless it is a common surname alone ("Zhang", from a
        # study's cited authors); a brand's product ("Amazon Echo") is no person.
        words = name.split()
        if len(words) < 2:
            return looks_like_person(name)
        if words[0].lower() in BRANDS:
            return False
        if looks_like_person(name) or TITLES.match(name):  # "Jane Doe": dropped even if it might be a firm
            return True
        if len(words) > 4 or not all(w[:1].isupper() for w in words) or ORG_WORDS.search(name) \
                or PUBLIC_WORDS.search(name) or SYSTEM_WORDS.search(name):
            return False
        for template in ("According to {}, the plan went ahead.", "{} said on Monday that it was true."):
            doc = nlp(template.format(name))
            if any(e.label_ == "PERSON" and len(e.text.split()) >= 2 for e in doc.ents):
                return True
        return False

    return is_person
