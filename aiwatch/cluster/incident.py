"""The incident record: what is shown and exported of one incident, rebuilt from its articles.

``refresh(conn, ids)`` recomputes, for each incident, every machine field from its member articles:
title, extractive summary (at most 3 sentences drawn across its articles, flagged machine-made),
category (the strongest of its articles: incident > hazard > complementary), severity (the highest),
tags (per OECD field, each label's best score among the articles), countries, event date, first
and last seen, entities with roles (and the sentence for each), and amounts of money.

Editors win: a field named in ``incidents.locked_fields`` is never rewritten, entity roles an editor
set (``decided_by='editor'``) stay, and an imported incident keeps its curated title and summary.

``record(conn, id)`` reads one incident back as the stable export shape.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from aiwatch.classify.text import caption_or_credit, strip_boilerplate
from aiwatch.entities import party_countries
from aiwatch.entities.names import looks_like_person, norm
from aiwatch.entities.surnames import lone_surname
from aiwatch.extract import domain_of
from aiwatch.store import as_utc, iso, now
from aiwatch.store import schema as t
from aiwatch.taxonomy import SEVERITIES

CATEGORY_STRENGTH = {"incident": 3, "hazard": 2, "complementary": 1, "unrelated": 0}
SUMMARY_SENTENCES = 3
TAG_MIN = 0.5  # the classifier's own threshold for giving a tag
PARTY_ROLES = ("deployer", "developer")  # who runs or makes the system (beside them: harmed, system, responder)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[\"'“A-Z0-9])")
# A headline's trailing site name: "... - The Verge", "... | Reuters" (1,313 of the 15,936 AI news titles in
# ../shared/data end with their own site's name). Cut only when it names the site the article came from.
_SITE_SUFFIX = re.compile(r"\s+[-|–—]\s+([^-|–—]{2,60})$")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_HOST_WORDS = {"www", "news", "amp", "edition", "blog", "blogs"}  # host labels that name no site


def upsert_entity(conn: Connection, name: str, kind: str) -> int:
    """The id of an entity (created on first sight). Refuses anything that is not a body, system or group."""
    _check_entity(name, kind)
    found = entity_ids(conn, [(name, kind)])[0]
    assert found is not None
    return found


def _check_entity(name: str, kind: str) -> None:
    if kind not in t.ENTITY_KINDS:
        raise ValueError(f"entity kind {kind!r} is not one of {t.ENTITY_KINDS}: aiwatch stores no persons")
    if kind != "group" and looks_like_person(name) and not _known_body(name):
        raise ValueError(f"{name!r} reads as a person's name: aiwatch stores no persons")
    # A lone surname that names a person in the news ("Trump"), unless the gazetteer knows a body or a system by it;
    # a system may bear one ("Watson").
    if kind not in ("group", "ai_system") and lone_surname(name) and not _gazetteer_index().get(norm(name)):
        raise ValueError(f"{name!r} is a surname that names a person: aiwatch stores no persons")


def _known_body(name: str) -> bool:
    """A name the gazetteer knows as a body's though it reads like a person's ("Rite Aid": see
    ``gazetteer.body_evidence``)."""
    from aiwatch.entities import gazetteer as G

    key = _gazetteer_index().get(norm(name))
    return bool(key) and bool(G.load()["entries"][key].get("body"))


def entity_ids(conn: Connection, items: list[tuple[str, str]]) -> list[int | None]:
    """``upsert_entity`` of many (name, kind) at once, one read and one write; None where it refuses one."""
    keyed: list[tuple[str, str, str] | None] = []
    for name, kind in items:
        try:
            _check_entity(name, kind)
        except ValueError:
            keyed.append(None)
            continue
        name = canonical_name(name)
        keyed.append((norm(name)[:256], name, kind))
    keys = sorted({k[0] for k in keyed if k})
    ids: dict[str, int] = {}
    if keys:
        ids = _ids_by_norm(conn, keys)
        new: dict[str, dict[str, Any]] = {}
        for k in keyed:
            if k and k[0] not in ids and k[0] not in new:
                new[k[0]] = {"name": k[1], "norm_name": k[0], "kind": k[2], "aliases": None, "created_at": now()}
        if new:
            conn.execute(t.entities.insert(), list(new.values()))
            ids.update(_ids_by_norm(conn, sorted(new)))
    return [ids[k[0]] if k else None for k in keyed]


def _ids_by_norm(conn: Connection, keys: list[str]) -> dict[str, int]:
    """Entity ids by normalised name, in chunks: a story with thousands of names outgrows one statement."""
    e = t.entities.c
    return {k: v for i in range(0, len(keys), 900)
            for k, v in conn.execute(select(e.norm_name, e.id).where(e.norm_name.in_(keys[i:i + 900])))}


def canonical_name(name: str) -> str:
    """The gazetteer's name for a spelling ("Open AI" -> "OpenAI"), else the name as given."""
    from aiwatch.entities import gazetteer as G

    gaz = G.load()
    key = _gazetteer_index().get(norm(name))
    return gaz["entries"][key]["name"] if key else name


@functools.lru_cache(maxsize=1)
def _gazetteer_index() -> dict[str, str]:
    from aiwatch.entities import gazetteer as G

    return G.index(G.load())


def _members(conn: Connection, incident_id: int) -> list[dict[str, Any]]:
    """Member originals with their effective classification and facts, oldest first (no text: see
    ``_summary``; an incident can have thousands of articles)."""
    a, ia, c, f = t.articles.c, t.incident_articles.c, t.classifications.c, t.article_facts.c
    rows = conn.execute(
        select(a.id, a.ext_id, a.title, a.url, a.source, a.published, a.ingested_at, ia.score,
               f.entities, f.amounts, f.countries)
        .select_from(t.incident_articles.join(t.articles, a.id == ia.article_id)
                     .outerjoin(t.article_facts, f.article_id == a.id))
        .where(ia.incident_id == incident_id)).mappings().all()
    out = [dict(r) for r in rows]
    if not out:
        return out
    labels: dict[int, dict[str, Any]] = {}
    # A join, not a list of ids: a story can have more articles than a statement may bind parameters.
    for r in conn.execute(select(c.article_id, c.decided_by, c.category, c.severity, c.tags)
                          .join(t.incident_articles, ia.article_id == c.article_id)
                          .where(ia.incident_id == incident_id)).mappings():
        if r["decided_by"] == "editor" or r["article_id"] not in labels:
            labels[r["article_id"]] = dict(r)
    for m in out:
        m["label"] = labels.get(m["id"])
        m["when"] = as_utc(m["published"]) or as_utc(m["ingested_at"])
    out.sort(key=lambda m: (m["when"] or datetime.max.replace(tzinfo=UTC), m["id"]))
    return out


def headline(title: str, source: str | None = None, url: str | None = None) -> str:
    """The incident's title from an article's: without a trailing site name when it is the site's own
    ("Reddit bans 'deepfakes' AI porn communities - The Verge" from theverge.com). A suffix that names
    anything else ("... | The AI Beat", a column) is kept: it may be part of the headline."""
    m = _SITE_SUFFIX.search(title or "")
    if not m or len(title[:m.start()].split()) < 3:
        return title
    tail = _NOT_ALNUM.sub("", m.group(1).lower())
    names = set()
    for site in (source, domain_of(url)):
        site = (site or "").lower()
        # A host's labels but its last ("theverge" of www.theverge.com, "bbc" of news.bbc.co.uk); a name as is.
        parts = site.split(".")[:-1] if "." in site and " " not in site else [site]
        names |= {_NOT_ALNUM.sub("", x) for x in parts} - _HOST_WORDS
    if any(len(n) >= 3 and len(tail) >= 3 and (n in tail or tail in n) for n in names):
        return title[:m.start()].rstrip()
    return title


SUMMARY_ARTICLES = 12  # the earliest articles the summary draws from


# A summary takes no picture's caption or credit (``caption_or_credit``) and no section trail ("Tech / Artificial
# Intelligence / Twitter - X Twitter's photo-cropping ..."): scraped with the text, they read as central as any.
# A sentence's tail, cut from what came before it ("lawmakers decry the chilling effect of ..."): it opens with a
# word in lower case ("iPhone", "eBay" have a capital inside).
_FRAGMENT = re.compile(r"[a-z][a-z'’-]*\b")
_BREADCRUMB = re.compile(r"^(?:[\w&'’.-]+(?: [\w&'’.-]+){0,3} / ){2}")


def summary_sentence(sentence: str) -> bool:
    """Whether a sentence of an article may stand in its incident's summary: of prose length, no question, and
    no picture's caption or credit or a section trail."""
    return (8 <= len(sentence.split()) <= 60 and not sentence.endswith("?")
            and not caption_or_credit(sentence) and not _BREADCRUMB.match(sentence) and not _FRAGMENT.match(sentence))


def _after_headline(sentence: str, head: str) -> str:
    """A page's header glued to its first sentence, headline and standfirst ("Google's AI chatbot Bard makes
    factual error in first demo / The mistake highlights ..."; the headline and at once the standfirst): the
    standfirst, where the header holds the article's own headline. A section trail before it is left for
    ``summary_sentence`` to refuse."""
    if len(head) < 12:
        return sentence
    cut = sentence.rfind(" / ")
    if cut >= 0 and head in sentence[:cut] and not _BREADCRUMB.match(sentence):  # the Verge's
        return sentence[cut + 3:].strip()
    if sentence.startswith(head + " "):  # MIT Technology Review's: headline, then standfirst, no mark between
        return sentence[len(head):].strip()
    return sentence


def _summary(conn: Connection, members: list[dict[str, Any]]) -> str | None:
    """Up to 3 sentences, across articles: the most central ones, none repeating another (MMR)."""
    from aiwatch.cluster import lexical

    members = members[:SUMMARY_ARTICLES]
    texts = dict(conn.execute(select(t.articles.c.id, t.articles.c.text)
                              .where(t.articles.c.id.in_([m["id"] for m in members]))).all())
    cands: list[tuple[int, int, str]] = []
    for k, m in enumerate(members):
        # Sentences of the text without page furniture: the scraped page's "Open Navigation Menu To revist this
        # article, visit My Profile" and "Consider becoming a sponsor" were summaries' most central sentences.
        body = strip_boilerplate((texts.get(m["id"]) or "")[:3000], thorough=True)
        head = headline(m["title"] or "", m["source"], m["url"])
        for j, s in enumerate(_SENT.split(body[:1500])[:5]):
            s = _after_headline(s.strip(), head)
            if summary_sentence(s):
                cands.append((k, j, s))
    if not cands:
        return None
    vec = lexical.vectors([s for _, _, s in cands], [""] * len(cands))
    # Rounded: sentences that tie (one sentence in two articles) tie exactly, and the earlier one is taken,
    # whatever the float32 sums' last bit says.
    sims = np.round((vec @ vec.T).toarray(), 6)
    central = np.round(sims.mean(axis=1), 6)  # each sentence's dot with the mean vector (no 2**19-wide mean)
    chosen: list[int] = []
    for _ in range(min(SUMMARY_SENTENCES, len(cands))):
        best, best_s = None, -1e9
        for i in range(len(cands)):
            if i in chosen:
                continue
            redundancy = max((sims[i, j] for j in chosen), default=0.0)
            score = central[i] - 0.7 * redundancy + (0.02 if cands[i][1] == 0 else 0.0)
            if score > best_s:
                best, best_s = i, score
        if best is None or (chosen and max(sims[best, j] for j in chosen) > 0.6):
            break
        chosen.append(best)
    chosen.sort(key=lambda i: (cands[i][0], cands[i][1]))
    return " ".join(cands[i][2] for i in chosen)


def _tags(labels: Iterable[dict[str, Any] | None]) -> dict[str, list[dict[str, Any]]]:
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for lab in labels:
        for field, items in ((lab or {}).get("tags") or {}).items():
            for it in items or []:
                label, score = (it.get("label"), float(it.get("score", 1.0))) if isinstance(it, dict) else (it, 1.0)
                if label and score >= TAG_MIN and score > best[field].get(label, -1):
                    best[field][label] = score
    return {f: [{"label": k, "score": round(v, 4)} for k, v in sorted(d.items(), key=lambda x: -x[1])]
            for f, d in best.items() if d}


def refresh_stale(conn: Connection, limit: int | None = None) -> int:
    """Rebuild the records the cluster stage marked stale (oldest ids first); returns how many."""
    inc = t.incidents.c
    ids = list(conn.execute(select(inc.id).where(inc.stale.is_(True)).order_by(inc.id).limit(limit)).scalars())
    refresh(conn, ids)
    return len(ids)


def refresh(conn: Connection, incident_ids: Iterable[int]) -> None:
    incident_ids = list(incident_ids)
    if incident_ids:
        conn.execute(t.incidents.update().where(t.incidents.c.id.in_(incident_ids)).values(stale=False))
    for inc_id in incident_ids:
        row = conn.execute(select(t.incidents).where(t.incidents.c.id == inc_id)).mappings().first()
        if row is None:
            continue
        members = _members(conn, inc_id)
        if not members:
            continue
        locked = set(row["locked_fields"] or [])
        curated = not row["summary_machine"]  # imported (AIID) or editor-written: keep title and summary
        labels = [m["label"] for m in members]
        relevant = [m for m in members if m["label"] and m["label"]["category"] != "unrelated"]
        cats = [lab["category"] for lab in labels if lab]
        sevs = [lab["severity"] for lab in labels if lab and lab.get("severity") in SEVERITIES]
        values: dict[str, Any] = {
            "category": max(cats, key=lambda c: CATEGORY_STRENGTH.get(c, 0)) if cats else None,
            "severity": max(sevs, key=SEVERITIES.index) if sevs else None,
            "tags": _tags(labels),
            "countries": _countries(members),
            "first_seen": min((m["when"] for m in members if m["when"]), default=None),
            "last_seen": max((m["when"] for m in members if m["when"]), default=None),
            "updated_at": now(),
        }
        # A machine-made record's event date is its earliest article's, recomputed each time: a back-filled
        # older report moves it. An imported incident's date (AIID's) stands, as an editor's does (locked).
        if values["first_seen"] is not None and (not curated or not row["event_date"]):
            values["event_date"] = values["first_seen"].date()
        if not curated:
            lead = (relevant or members)[0]
            values["title"] = headline(lead["title"], lead["source"], lead["url"]) or row["title"]
            values["summary"] = _summary(conn, relevant or members)
            values["summary_machine"] = True
        conn.execute(t.incidents.update().where(t.incidents.c.id == inc_id).values(
            **{k: v for k, v in values.items() if k not in locked}))
        if "entities" not in locked:
            _write_entities(conn, inc_id, members)
        write_labels(conn, inc_id)
        _write_amounts(conn, inc_id, members)


def write_labels(conn: Connection, inc_id: int) -> None:
    """The incident's facet rows (tag labels and countries) from its record, for filters and charts."""
    row = conn.execute(select(t.incidents.c.tags, t.incidents.c.countries).where(t.incidents.c.id == inc_id)).first()
    conn.execute(t.incident_labels.delete().where(t.incident_labels.c.incident_id == inc_id))
    if row is None:
        return
    rows = {(f, it["label"][:128]) for f, items in (row.tags or {}).items() for it in items or [] if it.get("label")}
    rows |= {("country", c[:128]) for c in row.countries or []}
    if rows:
        conn.execute(t.incident_labels.insert(), [{"incident_id": inc_id, "field": f, "label": lab}
                                                  for f, lab in sorted(rows)])


def _countries(members: list[dict[str, Any]]) -> list[str]:
    """The countries the articles name, most named first; where none names a place, the countries where curated
    data sets most of the incidents of its deployers, else developers (``entities.party_countries``)."""
    named = [c for c, _ in Counter(c for m in members for c in (m["countries"] or [])).most_common()]
    if named:
        return named
    return party_countries([e for m in members for e in (m["entities"] or [])])


def _write_entities(conn: Connection, inc_id: int, members: list[dict[str, Any]]) -> None:
    er = t.entity_roles.c
    conn.execute(t.entity_roles.delete().where(er.incident_id == inc_id, er.decided_by == "machine"))
    kept = {(r.entity_id, r.role) for r in conn.execute(select(er.entity_id, er.role).where(er.incident_id == inc_id))}
    seen: dict[tuple[str, str], tuple[dict[str, Any], int]] = {}
    counts: Counter = Counter()
    for m in members:
        for e in m["entities"] or []:
            k = (norm(e["name"]), e["role"])
            counts[k] += 1
            if k not in seen or (e.get("score", 1) > seen[k][0].get("score", 1)):
                seen[k] = (e, m["id"])
    ranked = sorted(seen.items(), key=lambda kv: -counts[kv[0]])
    # entity_ids refuses (None) whatever is not a body, system or group: never a person.
    ids = entity_ids(conn, [(e["name"], e["kind"]) for _k, (e, _a) in ranked])
    # A body that runs or makes the system in one article and responds in another (a platform that bans the fakes
    # its own tool made) is a party: as in one article, it keeps that role alone.
    parties = {ent_id for ent_id, role in kept if role in PARTY_ROLES} | {
        ent_id for (_k, (e, _a)), ent_id in zip(ranked, ids, strict=True) if e["role"] in PARTY_ROLES}
    rows = []
    for (_k, (e, article_id)), ent_id in zip(ranked, ids, strict=True):
        if ent_id is None or (ent_id, e["role"]) in kept or (e["role"] == "responder" and ent_id in parties):
            continue
        kept.add((ent_id, e["role"]))
        rows.append({"incident_id": inc_id, "entity_id": ent_id, "role": e["role"], "evidence": e.get("evidence"),
                     "article_id": article_id, "decided_by": "machine"})
    if rows:
        conn.execute(t.entity_roles.insert(), rows)


def _write_amounts(conn: Connection, inc_id: int, members: list[dict[str, Any]]) -> None:
    am = t.amounts.c
    conn.execute(t.amounts.delete().where(am.incident_id == inc_id))
    seen = set()
    rows = []
    for m in members:
        for a in m["amounts"] or []:
            key = (a["value"], a["currency"], a.get("party"))
            if key in seen:
                continue
            seen.add(key)
            rows.append({"incident_id": inc_id, "article_id": m["id"], "value": a["value"], "currency": a["currency"],
                         "text": a["text"], "sentence": a.get("sentence"), "party": a.get("party"),
                         "party_entity_id": None, "_key": norm(a["party"]) if a.get("party") else None})
    if not rows:
        return
    keys = sorted({r["_key"] for r in rows if r["_key"]})
    party_ids = _ids_by_norm(conn, keys)
    for r in rows:
        r["party_entity_id"] = party_ids.get(r.pop("_key"))
    conn.execute(t.amounts.insert(), rows)


# -- reading back ---------------------------------------------------------------------------------
def record(conn: Connection, incident_id: int) -> dict[str, Any] | None:
    """One incident in the stable export shape (see README: `aiwatch export incidents`)."""
    row = conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).mappings().first()
    if row is None:
        return None
    e, er, a, ia = t.entities.c, t.entity_roles.c, t.articles.c, t.incident_articles.c
    ents = conn.execute(select(e.name, e.kind, er.role, er.evidence, er.decided_by)
                        .join(t.entities, e.id == er.entity_id).where(er.incident_id == incident_id)
                        .order_by(er.id)).mappings().all()
    amounts = conn.execute(select(t.amounts).where(t.amounts.c.incident_id == incident_id)
                           .order_by(t.amounts.c.id)).mappings().all()
    orig = t.articles.alias("orig")
    originals = conn.execute(select(a.id, a.ext_id, a.url, a.title, a.source, a.published, a.ingested_at)
                             .join(t.incident_articles, ia.article_id == a.id)
                             .where(ia.incident_id == incident_id)).mappings().all()
    copies = conn.execute(select(a.ext_id, a.url, a.title, a.source, a.published, orig.c.ext_id.label("of"))
                          .join(orig, orig.c.id == a.duplicate_of)
                          .join(t.incident_articles, ia.article_id == orig.c.id)
                          .where(ia.incident_id == incident_id)).mappings().all()
    articles = [{"id": r["ext_id"], "url": r["url"], "title": r["title"], "source": r["source"],
                 "published": iso(r["published"]), "duplicate_of": None} for r in originals]
    articles += [{"id": r["ext_id"], "url": r["url"], "title": r["title"], "source": r["source"],
                  "published": iso(r["published"]), "duplicate_of": r["of"]} for r in copies]
    articles.sort(key=lambda x: (x["published"] or "9999", x["id"]))
    return {
        "id": row["ext_id"] or f"aiwatch:{row['id']}",
        "title": row["title"],
        "summary": row["summary"],
        "summary_machine_generated": bool(row["summary_machine"]),
        "category": row["category"],
        "severity": row["severity"],
        "status": row["status"],
        "event_date": iso(row["event_date"]),
        "first_seen": iso(row["first_seen"]),
        "last_seen": iso(row["last_seen"]),
        "tags": row["tags"] or {},
        "countries": row["countries"] or [],
        "entities": [{"name": r["name"], "kind": r["kind"], "role": r["role"], "evidence": r["evidence"],
                      "decided_by": r["decided_by"]} for r in ents],
        "amounts": [{"value": r["value"], "currency": r["currency"], "text": r["text"], "party": r["party"],
                     "sentence": r["sentence"]} for r in amounts],
        "articles": articles,
    }
