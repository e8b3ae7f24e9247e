"""What the web pages and the API read: one function per page, returning plain dicts.

The HTML page and its ``.json`` twin call the same function, so they can never disagree.
Full text is SQLite FTS5 or PostgreSQL tsvector (indexes made by migration 0003).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, func, or_, select, text

from aiwatch.cluster.incident import record
from aiwatch.store import Store, iso
from aiwatch.store import schema as t

# Filter name in the URL -> the incident_labels field it reads.
LABEL_FILTERS = {"harm_type": "harm_types", "industry": "industries", "stakeholder": "affected_stakeholders",
                 "ai_task": "ai_tasks", "principle": "ai_principles", "country": "country"}
MAX_PER_PAGE = 100
HIDDEN = ("merged",)  # a merged incident lives on in its target


@dataclass
class Filters:
    category: str | None = None
    severity: str | None = None
    status: str | None = None
    entity: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    labels: dict[str, str] = field(default_factory=dict)  # LABEL_FILTERS key -> value
    page: int = 1
    per_page: int = 25

    def as_query(self) -> dict[str, Any]:
        q: dict[str, Any] = {k: v for k, v in (("category", self.category), ("severity", self.severity),
                                               ("status", self.status), ("entity", self.entity),
                                               ("date_from", self.date_from), ("date_to", self.date_to)) if v}
        q.update(self.labels)
        return q


def _where(f: Filters) -> list[Any]:
    i = t.incidents.c
    conds: list[Any] = [i.status.not_in(HIDDEN)]
    conds.append(i.status == f.status if f.status else i.status != "rejected")
    if f.category:
        conds.append(i.category == f.category)
    if f.severity:
        conds.append(i.severity == f.severity)
    when = func.coalesce(i.event_date, func.date(i.first_seen))
    if f.date_from:
        conds.append(when >= f.date_from)
    if f.date_to:
        conds.append(when <= f.date_to)
    # IN (uncorrelated subquery): the (field, label) index yields the few matching ids at once, where
    # a correlated EXISTS probed once per incident (measured: 160 ms -> see bench/web.py at 100k).
    for key, value in f.labels.items():
        lab = t.incident_labels.alias(f"lf_{key}").c  # its own alias: facet queries join incident_labels too
        conds.append(i.id.in_(select(lab.incident_id).where(lab.field == LABEL_FILTERS[key], lab.label == value)))
    if f.entity:
        er = t.entity_roles.alias("ef").c
        conds.append(i.id.in_(select(er.incident_id).where(er.entity_id == f.entity)))
    return conds


class TTLCache:
    """Facet counts and the overview scan every incident: kept for ``ttl`` seconds, dropped on every edit."""

    def __init__(self, ttl: float = 60.0, size: int = 256) -> None:
        self.ttl, self.size = ttl, size
        self._data: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any, make: Any) -> Any:
        import time

        hit = self._data.get(key)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        value = make()
        if len(self._data) >= self.size:
            self._data.clear()
        self._data[key] = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        self._data.clear()


def incident_list(conn: Connection, f: Filters, cache: TTLCache | None = None) -> dict[str, Any]:
    i = t.incidents.c
    conds = _where(f)
    total = conn.execute(select(func.count()).select_from(t.incidents).where(and_(*conds))).scalar_one()
    per = max(1, min(f.per_page, MAX_PER_PAGE))
    rows = conn.execute(select(i.id, i.ext_id, i.title, i.summary, i.category, i.severity, i.status, i.event_date,
                               i.first_seen, i.last_seen, i.n_articles, i.countries)
                        .where(and_(*conds)).order_by(i.last_seen.desc().nulls_last(), i.id.desc())
                        .limit(per).offset((max(f.page, 1) - 1) * per)).mappings().all()
    data = [_row(r) for r in rows]
    key = tuple(sorted((k, str(v)) for k, v in f.as_query().items()))
    facet_counts = cache.get(key, lambda: facets(conn, f)) if cache is not None else facets(conn, f)
    return {"data": data, "count": total, "page": max(f.page, 1), "per_page": per,
            "pages": max(1, -(-total // per)), "filters": f.as_query(), "facets": facet_counts}


def _row(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "ext_id": r["ext_id"], "title": r["title"], "summary": r["summary"],
            "category": r["category"], "severity": r["severity"], "status": r["status"],
            "event_date": r["event_date"].isoformat() if r["event_date"] else None,
            # With their UTC offset: SQLite gives times back without one, and the Atom feed's dates need it.
            "first_seen": iso(r["first_seen"]), "last_seen": iso(r["last_seen"]),
            "articles": r["n_articles"], "countries": r["countries"] or []}


def facets(conn: Connection, f: Filters, top: int = 12) -> dict[str, list[dict[str, Any]]]:
    """Counts of each filter value among the incidents the other filters select."""
    i, lab = t.incidents.c, t.incident_labels.c
    conds = _where(f)
    out: dict[str, list[dict[str, Any]]] = {}
    for col in ("category", "severity"):
        rows = conn.execute(select(getattr(i, col), func.count()).where(and_(*conds), getattr(i, col).is_not(None))
                            .group_by(getattr(i, col)).order_by(func.count().desc())).all()
        out[col] = [{"value": v, "count": n} for v, n in rows]
    for key, fld in LABEL_FILTERS.items():
        rows = conn.execute(select(lab.label, func.count()).join(t.incidents, t.incidents.c.id == lab.incident_id)
                            .where(lab.field == fld, and_(*conds)).group_by(lab.label)
                            .order_by(func.count().desc(), lab.label).limit(top)).all()
        out[key] = [{"value": v, "count": n} for v, n in rows]
    e, er = t.entities.c, t.entity_roles.c
    rows = conn.execute(select(e.id, e.name, func.count(func.distinct(er.incident_id)))
                        .join(t.entity_roles, er.entity_id == e.id)
                        .join(t.incidents, t.incidents.c.id == er.incident_id)
                        .where(and_(*conds), e.kind != "group").group_by(e.id, e.name)
                        .order_by(func.count(func.distinct(er.incident_id)).desc(), e.name).limit(top)).all()
    out["entity"] = [{"value": v, "label": name, "count": n} for v, name, n in rows]
    return out


TREND_MONTHS = 60  # a longer span is charted by year: a bar a month would be a hairline


def _every_month(months: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Every month from the first to the last with counts, the months without any included (zeros): a chart of
    only the months that had some put 2004, 2006 and 2016 side by side, as if they came one after another."""
    if not months:
        return []
    first, last = min(months), max(months)
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        key = f"{y:04d}-{m:02d}"
        out.append({"month": key, **months.get(key, {"incident": 0, "hazard": 0})})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _trend(series: list[dict[str, Any]]) -> dict[str, Any]:
    """The front page's chart: the months, or over TREND_MONTHS of them, the years (empty ones included)."""
    if len(series) <= TREND_MONTHS:
        return {"unit": "month", "rows": [{"period": r["month"], "incident": r["incident"], "hazard": r["hazard"]}
                                          for r in series]}
    years: dict[str, dict[str, Any]] = {}
    for r in series:
        y = years.setdefault(r["month"][:4], {"period": r["month"][:4], "incident": 0, "hazard": 0})
        y["incident"] += r["incident"]
        y["hazard"] += r["hazard"]
    return {"unit": "year", "rows": list(years.values())}


def overview(conn: Connection) -> dict[str, Any]:
    i, lab = t.incidents.c, t.incident_labels.c
    visible = and_(i.status.not_in(HIDDEN), i.status != "rejected")
    by_cat = dict(conn.execute(select(i.category, func.count()).where(visible).group_by(i.category)).all())
    when = func.coalesce(i.event_date, func.date(i.first_seen))
    month = func.substr(func.cast(when, t.String()), 1, 7)
    per_month = conn.execute(select(month, i.category, func.count()).where(visible, i.category.in_(
        ("incident", "hazard")), when.is_not(None)).group_by(month, i.category).order_by(month)).all()
    months: dict[str, dict[str, int]] = {}
    for m, cat, n in per_month:
        months.setdefault(m, {"incident": 0, "hazard": 0})[cat] = n
    series = _every_month(months)

    def by_label(fld: str, top: int = 10) -> list[dict[str, Any]]:
        rows = conn.execute(select(lab.label, func.count()).join(t.incidents, t.incidents.c.id == lab.incident_id)
                            .where(lab.field == fld, visible).group_by(lab.label)
                            .order_by(func.count().desc(), lab.label).limit(top)).all()
        return [{"label": a, "count": n} for a, n in rows]

    e, er = t.entities.c, t.entity_roles.c

    def top_entities(role: str, top: int = 10) -> list[dict[str, Any]]:
        rows = conn.execute(select(e.id, e.name, func.count(func.distinct(er.incident_id)))
                            .join(t.entity_roles, er.entity_id == e.id)
                            .join(t.incidents, t.incidents.c.id == er.incident_id)
                            .where(er.role == role, visible).group_by(e.id, e.name)
                            .order_by(func.count(func.distinct(er.incident_id)).desc(), e.name).limit(top)).all()
        return [{"id": x, "label": name, "count": n} for x, name, n in rows]

    n_articles = conn.execute(select(func.count()).select_from(t.articles)).scalar_one()
    return {"counts": {"incidents": sum(by_cat.values()), "articles": n_articles,
                       **{k or "unlabelled": v for k, v in by_cat.items()}},
            "per_month": series, "trend": _trend(series),
            "harm_types": by_label("harm_types"), "industries": by_label("industries"),
            "deployers": top_entities("deployer"), "developers": top_entities("developer"),
            "responders": top_entities("responder")}


def why_labelled(evidence: list[dict[str, Any]], category: str | None, shown: int = 6) -> list[dict[str, Any]]:
    """The articles' evidence the page shows, those labelled as the incident is first: they say why it is one (an
    incident of 19 articles showed its first six, all follow-ups, and not one of the reports that made it one)."""
    return sorted(evidence, key=lambda ev: ev["category"] != category)[:shown]


def incident(conn: Connection, incident_id: int,
             index: tuple[list[int], list[str], np.ndarray] | None = None) -> dict[str, Any] | None:
    rec = record(conn, incident_id)
    if rec is None:
        return None
    row = conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).mappings().one()
    a, c, ia = t.articles.c, t.classifications.c, t.incident_articles.c
    evidence: list[dict[str, Any]] = []
    for r in conn.execute(select(a.id, a.title, c.category, c.evidence, c.decided_by, c.model)
                          .join(t.incident_articles, ia.article_id == a.id)
                          .join(t.classifications, c.article_id == a.id)
                          .where(ia.incident_id == incident_id).order_by(a.id).limit(200)).mappings():
        if r["evidence"]:  # the page shows the first six articles' evidence
            evidence.append({"article_id": r["id"], "title": r["title"], "category": r["category"],
                             "sentences": r["evidence"], "decided_by": r["decided_by"], "model": r["model"]})
    # In chunks: a story can have more articles than one statement may bind parameters.
    ext = [x["id"] for x in rec["articles"]]
    ids = {k: (v, (meta or {}).get("published_precision")) for i in range(0, len(ext), 900)
           for k, v, meta in conn.execute(select(a.ext_id, a.id, a.meta).where(a.ext_id.in_(ext[i:i + 900])))}
    for art in rec["articles"]:
        art["pk"], art["published_precision"] = ids.get(art["id"], (None, None))
    e, er = t.entities.c, t.entity_roles.c
    ent_ids = {(n, r): i for i, n, r in conn.execute(select(e.id, e.name, er.role).join(
        t.entity_roles, er.entity_id == e.id).where(er.incident_id == incident_id))}
    for ent in rec["entities"]:
        ent["entity_id"] = ent_ids.get((ent["name"], ent["role"]))
    log = conn.execute(select(t.review_log, t.users.c.username)
                       .outerjoin(t.users, t.users.c.id == t.review_log.c.user_id)
                       .where(t.review_log.c.target_type == "incident", t.review_log.c.target_id == incident_id)
                       .order_by(t.review_log.c.at.desc(), t.review_log.c.id.desc())).mappings().all()
    rec.update({"pk": incident_id, "merged_into": row["merged_into"], "locked_fields": row["locked_fields"] or [],
                "why_labelled": why_labelled(evidence, rec["category"]),
                "audit_log": [{"action": r["action"], "user": r["username"], "at": iso(r["at"]),
                               "before": r["before"], "after": r["after"]} for r in log],
                "similar": similar_incidents(conn, incident_id, index=index)})
    return rec


def centroids(conn: Connection) -> tuple[list[int], list[str], np.ndarray]:
    """(ids, titles, unit centroid rows) of every open incident with an embedding. Read once and cached by
    the app (a scan of the incidents table); numpy over the matrix is fast to ~1M incidents."""
    i = t.incidents.c
    rows = conn.execute(select(i.id, i.title, i.centroid).where(i.status.not_in(("merged", "rejected")),
                                                                i.centroid.is_not(None))).all()
    if not rows:
        return [], [], np.zeros((0, 0), np.float32)
    mat = np.stack([np.frombuffer(r.centroid, np.float32) for r in rows])
    mat = mat / (np.linalg.norm(mat, axis=1, keepdims=True) + 1e-9)
    return [r.id for r in rows], [r.title for r in rows], mat


def similar_incidents(conn: Connection, incident_id: int, k: int = 5,
                      index: tuple[list[int], list[str], np.ndarray] | None = None) -> list[dict[str, Any]]:
    """Nearest incidents by embedding centroid."""
    ids, titles, mat = index if index is not None else centroids(conn)
    if incident_id not in ids or len(ids) < 2:
        return []
    sims = mat @ mat[ids.index(incident_id)]
    order = [j for j in np.argsort(-sims)[:k + 1] if ids[j] != incident_id][:k]
    return [{"id": ids[j], "title": titles[j], "similarity": round(float(sims[j]), 3)} for j in order]


def entity(conn: Connection, entity_id: int) -> dict[str, Any] | None:
    e, er, i = t.entities.c, t.entity_roles.c, t.incidents.c
    row = conn.execute(select(t.entities).where(e.id == entity_id)).mappings().first()
    if row is None:
        return None
    roles: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(select(er.role, er.evidence, i.id, i.title, i.category, i.severity, i.first_seen)
                          .join(t.incidents, i.id == er.incident_id)
                          .where(er.entity_id == entity_id, i.status.not_in(("merged", "rejected")))
                          .order_by(i.first_seen.desc().nulls_last())).mappings():
        roles.setdefault(r["role"], []).append({"id": r["id"], "title": r["title"], "category": r["category"],
                                                "severity": r["severity"], "evidence": r["evidence"]})
    amounts = conn.execute(select(t.amounts.c.value, t.amounts.c.currency, t.amounts.c.text, t.amounts.c.sentence,
                                  t.amounts.c.incident_id)
                           .where(t.amounts.c.party_entity_id == entity_id)).mappings().all()
    return {"id": entity_id, "name": row["name"], "kind": row["kind"], "roles": roles,
            "amounts": [dict(a) for a in amounts]}


def entity_list(conn: Connection, *, kind: str | None = None, role: str | None = None, q: str = "",
                page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """Organisations, public bodies, AI systems and groups by the number of incidents they are part of
    (in ``role`` when given; merged and rejected incidents do not count), with their count in each role.
    ``q``: a part of the name (case does not matter)."""
    e, er, i = t.entities.c, t.entity_roles.c, t.incidents.c
    visible = i.status.not_in((*HIDDEN, "rejected"))
    conds: list[Any] = [visible]
    if kind:
        conds.append(e.kind == kind)
    if role:
        conds.append(er.role == role)
    if q.strip():
        from aiwatch.entities.names import norm

        def like(value: str) -> str:  # LIKE's own wildcards in the query are matched as written
            return "%" + re.sub(r"([%_\\])", r"\\\1", value) + "%"

        # The name as written (SQLite's lower() folds ASCII only), or its normalised key, which folds case and
        # accents in Python: "munchen" finds "München", "home office" "the Home Office".
        cond = func.lower(e.name).like(like(q.strip().lower()), escape="\\")
        if key := norm(q):
            cond = or_(cond, e.norm_name.like(like(key), escape="\\"))
        conds.append(cond)
    n_inc = func.count(func.distinct(er.incident_id))
    base = (select(e.id, e.name, e.kind, n_inc.label("incidents"))
            .join(t.entity_roles, er.entity_id == e.id).join(t.incidents, i.id == er.incident_id)
            .where(and_(*conds)).group_by(e.id, e.name, e.kind))
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    per = max(1, min(per_page, MAX_PER_PAGE))
    rows = conn.execute(base.order_by(n_inc.desc(), e.name, e.id).limit(per)
                        .offset((max(page, 1) - 1) * per)).mappings().all()
    ids = [r["id"] for r in rows]
    by_role: dict[int, dict[str, int]] = {x: {} for x in ids}
    if ids:
        for ent, r, n in conn.execute(select(er.entity_id, er.role, func.count(func.distinct(er.incident_id)))
                                      .join(t.incidents, i.id == er.incident_id)
                                      .where(er.entity_id.in_(ids), visible)
                                      .group_by(er.entity_id, er.role)):
            by_role[ent][r] = n
    data = [{"id": r["id"], "name": r["name"], "kind": r["kind"], "incidents": r["incidents"],
             "roles": by_role[r["id"]]} for r in rows]
    filters = {k: v for k, v in (("kind", kind), ("role", role), ("q", q.strip())) if v}
    return {"data": data, "count": total, "page": max(page, 1), "per_page": per, "pages": max(1, -(-total // per)),
            "filters": filters}


def article(conn: Connection, article_id: int) -> dict[str, Any] | None:
    a = t.articles.c
    row = conn.execute(select(t.articles).where(a.id == article_id)).mappings().first()
    if row is None:
        return None
    labels = {r["decided_by"]: dict(r) for r in conn.execute(
        select(t.classifications).where(t.classifications.c.article_id == article_id)).mappings()}
    label = labels.get("editor") or labels.get("machine")
    incidents = conn.execute(select(t.incidents.c.id, t.incidents.c.title)
                             .join(t.incident_articles, t.incident_articles.c.incident_id == t.incidents.c.id)
                             .where(t.incident_articles.c.article_id == article_id)).mappings().all()
    orig = None
    if row["duplicate_of"]:
        orig = conn.execute(select(a.id, a.title).where(a.id == row["duplicate_of"])).mappings().first()
    return {"id": article_id, "ext_id": row["ext_id"], "title": row["title"], "text": row["text"], "url": row["url"],
            "source": row["source"], "published": iso(row["published"]),
            # "year" / "month": the source gave no more of the date (the page shows "2018", not "2018-01-01")
            "published_precision": (row["meta"] or {}).get("published_precision"),
            "language": row["language"], "duplicate_of": dict(orig) if orig else None,
            "classification": {k: label[k] for k in ("category", "scores", "severity", "tags", "evidence", "model",
                                                     "decided_by")} if label else None,
            "incidents": [dict(r) for r in incidents]}


# -- search ---------------------------------------------------------------------------------------
_FTS_WORD = re.compile(r"[\w'-]+", re.UNICODE)
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # highlight markers: turned into <mark> only after escaping


def _fts_query(q: str) -> str:
    """A user's words as an FTS5 query: each word a quoted term (no syntax from the user gets through), matched
    by its stem ("crash" finds "crashes": the index is Porter-stemmed) like PostgreSQL's. Not as a prefix: FTS5
    merges the doclists of every word a prefix opens into one before it reads any, so a prefix query costs
    the size of the whole index (in 362k bench articles, the 10 bench queries took 5-47 ms and their 20
    snippets 9-98 ms together as prefixes, 4-8 ms and 2-3 ms as words; at 1M the search's p95 was 300 ms)."""
    words = [w.replace('"', "") for w in _FTS_WORD.findall(q)][:12]
    return " ".join(f'"{w}"' for w in words if w)


SEARCH_CAP = 400  # best hits read from each index before grouping by incident: ranking everything that
# matches a common word ("police") cost seconds at 100k incidents; a search page shows the best 20


def search(store: Store, q: str, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """Incidents whose title/summary or articles match, best first, with a highlighted snippet each.

    Each full-text index gives its best ``SEARCH_CAP`` hits (SQLite FTS5 bm25; PostgreSQL ts_rank over a
    GIN-indexed tsvector); article hits count for their incidents; snippets are made for the page only.
    """
    q = (q or "").strip()[:200]
    if not _FTS_WORD.search(q):
        return {"query": q, "data": [], "count": 0}
    backend = _SQLITE_SEARCH if store.dialect == "sqlite" else _PG_SEARCH
    query = _fts_query(q) if store.dialect == "sqlite" else " ".join(_FTS_WORD.findall(q)[:12])
    if not query:
        return {"query": q, "data": [], "count": 0}
    cap = max(SEARCH_CAP, offset + limit)
    window = max(RANK_WINDOW, cap)
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            # The matches come from the GIN index, always. With statistics, the planner would rather walk the
            # primary key backwards and test every row's tsvector (a detoast each) until it has the window:
            # 127 ms against 52 for "openai" in the 10k bench store; or scan the whole table for a common word
            # (810 ms for "privacy"). Planner settings for these two queries only.
            conn.execute(text("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"))
        best: dict[int, tuple[float, str, int]] = {}  # incident -> (score, "incident"|"article", row id)
        params = {"q": query, "cap": cap, "window": window}
        for inc_id, score in conn.execute(text(backend["incidents"]), params):
            best[inc_id] = (score * 2, "incident", inc_id)  # a match in the incident's own words weighs double
        art = {a_id: score for a_id, score in conn.execute(text(backend["articles"]), params)}
        if store.dialect == "postgresql":  # the lookups by id below plan as the server is configured
            conn.execute(text("RESET enable_seqscan; RESET enable_indexscan"))
        ia = t.incident_articles.c
        ids = list(art)
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            for inc_id, a_id in conn.execute(select(ia.incident_id, ia.article_id).where(ia.article_id.in_(chunk))):
                if inc_id not in best or art[a_id] > best[inc_id][0]:
                    best[inc_id] = (art[a_id], "article", a_id)
        if not best:
            return {"query": q, "data": [], "count": 0}
        inc = t.incidents.c
        rows = {}
        keys = list(best)
        for i in range(0, len(keys), 900):
            for r in conn.execute(select(inc.id, inc.title, inc.category, inc.severity, inc.first_seen)
                                  .where(inc.id.in_(keys[i:i + 900]), inc.status.not_in(("merged", "rejected")))
                                  ).mappings():
                rows[r["id"]] = r
        ranked = sorted(rows, key=lambda k: (-best[k][0], k))
        out = []
        for inc_id in ranked[offset:offset + limit]:
            _, kind, row_id = best[inc_id]
            snippet = conn.execute(text(backend[f"snippet_{kind}"]), {"q": query, "id": row_id}).scalar()
            r = rows[inc_id]
            out.append({"id": inc_id, "title": r["title"], "category": r["category"], "severity": r["severity"],
                        "first_seen": iso(r["first_seen"]),
                        "snippet": snippet})
    return {"query": q, "data": out, "count": len(ranked)}


# Scores are "higher is better" on both backends (FTS5's bm25 is negated).
# Both backends rank only the newest RANK_WINDOW matches of each index: ranking reads every match, and a
# common word matches most of a big store ("privacy": 60k of 100k bench articles, 0.8 s on PostgreSQL;
# SQLite's bench p95 was 59.5 ms at 100k and 129.9 ms at 200k articles, with the window 32.7 and 56.1 ms).
# A news monitor's reader wants recent coverage first anyway, and the window is far more than a page.
RANK_WINDOW = 4000


def _sqlite_ranked(table: str) -> str:
    # FTS5 walks a term's doclist by rowid cheaply (no ranking): the window's lowest rowid first, then a
    # rowid range that FTS5 applies inside its scan, so bm25 is computed for the window only.
    return (f"SELECT rowid, -bm25({table}) FROM {table} WHERE {table} MATCH :q AND rowid >= coalesce("
            f"(SELECT rowid FROM {table} WHERE {table} MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET :window - 1), 0) "
            f"ORDER BY bm25({table}) LIMIT :cap")


_SQLITE_SEARCH = {
    "incidents": _sqlite_ranked("incidents_fts"),
    "articles": _sqlite_ranked("articles_fts"),
    "snippet_incident": f"SELECT snippet(incidents_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) "
                        "FROM incidents_fts WHERE incidents_fts MATCH :q AND rowid = :id",
    "snippet_article": f"SELECT snippet(articles_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) "
                       "FROM articles_fts WHERE articles_fts MATCH :q AND rowid = :id",
}
# PostgreSQL: stored tsvector columns with GIN indexes (migration 0004), parsed once at write time.
# ts_rank reads each match's whole tsvector: the newest RANK_WINDOW matches took 0.12 s where all 60k
# took 0.8 s.
_PG_COL = "search_fts"  # the same column name on incidents and articles
_PG_OPTS = f"'StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=10'"
_PG_SEARCH = {
    "incidents": f"SELECT id, ts_rank({_PG_COL}, websearch_to_tsquery('english', :q)) AS r FROM "
                 f"(SELECT id, {_PG_COL} FROM incidents WHERE {_PG_COL} @@ websearch_to_tsquery('english', :q) "
                 "ORDER BY id DESC LIMIT :window) m ORDER BY r DESC LIMIT :cap",
    "articles": f"SELECT id, ts_rank({_PG_COL}, websearch_to_tsquery('english', :q)) AS r FROM "
                f"(SELECT id, {_PG_COL} FROM articles WHERE {_PG_COL} @@ websearch_to_tsquery('english', :q) "
                "ORDER BY id DESC LIMIT :window) m ORDER BY r DESC LIMIT :cap",
    "snippet_incident": "SELECT ts_headline('english', coalesce(title, '') || ' ' || coalesce(summary, ''), "
                        f"websearch_to_tsquery('english', :q), {_PG_OPTS}) FROM incidents WHERE id = :id",
    "snippet_article": "SELECT ts_headline('english', coalesce(title, '') || ' ' || left(coalesce(text, ''), 5000), "
                       f"websearch_to_tsquery('english', :q), {_PG_OPTS}) FROM articles WHERE id = :id",
}


def similar_to_text(conn: Connection, query: str, k: int = 5,
                    index: tuple[list[int], list[str], np.ndarray] | None = None) -> list[dict[str, Any]]:
    """Incidents nearest a free-text query by MiniLM embedding; empty when the encoder is not installed."""
    from aiwatch.classify import encoders
    from aiwatch.cluster import EMBED_ENCODER

    try:
        enc = encoders.get(EMBED_ENCODER)  # the incidents' centroids were made with it
    except encoders.EncoderUnavailable:
        return []
    ids, titles, mat = index if index is not None else centroids(conn)
    if not ids:
        return []
    sims = mat @ enc.encode([query])[0]
    return [{"id": ids[j], "title": titles[j], "similarity": round(float(sims[j]), 3)} for j in np.argsort(-sims)[:k]]
