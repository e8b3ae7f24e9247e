"""The `cluster.online.v1` stage: each relevant article joins an incident or opens one.

Which articles: originals (syndicated copies count once, through their original) whose effective
category — an editor's label when there is one — is incident, hazard or complementary. An article
already in an incident (imported from AIID, or put there by an editor) stays where it is; its
vectors still join that incident, so that news about an AIID incident attaches to it.

Records: a batch marks the incidents it touched ``stale``; their records (title, summary, tags,
entities, amounts — a read of all their articles) are rebuilt at most every ``REFRESH_EVERY_S``
seconds and when the run ends (``finish``). Rebuilding every touched incident in every batch made a
long run's cost grow with the square of its size: a story with thousands of articles was re-read
once per batch. A fixed interval still does, more slowly (a long run refreshes more often, and its
stories are bigger each time), so the next refresh also waits until the last one is at most
``REFRESH_SHARE`` of the time since. The web shows a record that many seconds behind during a run.

State: each incident keeps sums of its members' vectors (``incidents.centroid``, ``incidents.lex``,
``incidents.entity_keys``) so that the stage, started tomorrow, loads one row per incident and
carries on; ids of incidents never change. Rejected and merged incidents take no new articles.

Editors work while the stage runs (`aiwatch serve` beside `aiwatch watch`). A merge, split, reject or
reopen changes what the incidents hold and which take articles, so the state the run loaded is out of
date: each commit looks for such an action since the state was read; if there is one, articles given
to a since-merged incident go to the incident it was merged into, the touched incidents' sums are
rebuilt from their members in the store (not written from the out-of-date memory), and the state is
read again before the next batch. Before this, a batch after a merge put its articles into the merged
incident, where no page shows them, and wrote a split incident's old sums back over the editor's.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, ClassVar

import numpy as np
from scipy.sparse import csr_matrix, vstack
from sqlalchemy import Connection, func, select

from aiwatch.cluster import (
    NAME_CHARS,
    Clusterer,
    Doc,
    Embedder,
    IncidentState,
    _days,
    doc_features,
    lexical,
    proper_names,
)
from aiwatch.cluster import incident as I
from aiwatch.extract import foreign_language
from aiwatch.pipeline import register
from aiwatch.records import Article
from aiwatch.store import INCIDENTS_LOCK, Store, as_utc, now
from aiwatch.store import schema as t
from aiwatch.taxonomy import RELEVANT

LEX_TERMS = 300  # top terms of an incident's word vector kept in the store
REFRESH_EVERY_S = 30.0
REFRESH_SHARE = 0.1  # of a run's time, at most, spent rebuilding records before its end
REFRESH_CHUNK = 200  # stale incidents rebuilt per transaction at the end of a run


def pack_lex(row: csr_matrix, top: int = LEX_TERMS) -> bytes:
    idx, val = row.indices, row.data
    if len(val) > top:
        keep = np.argsort(-val)[:top]
        idx, val = idx[keep], val[keep]
    return np.asarray(idx, np.int32).tobytes() + np.asarray(val, np.float32).tobytes()


def unpack_lex(blob: bytes | None) -> csr_matrix:
    if not blob:
        return csr_matrix((1, lexical.N_FEATURES), dtype=np.float32)
    n = len(blob) // 8
    idx = np.frombuffer(blob[:4 * n], np.int32)
    val = np.frombuffer(blob[4 * n:], np.float32)
    order = np.argsort(idx)
    return csr_matrix((val[order], idx[order], [0, n]), shape=(1, lexical.N_FEATURES))


def labels_and_vectors(conn: Connection, pks: list[int], encoder: str | None
                       ) -> tuple[dict[int, str], dict[int, bytes]]:
    """One read of the articles' classifications: article pk -> effective category (an editor's label
    winning over the machine's), and pk -> the classifier's vector, where it used this encoder."""
    c = t.classifications.c
    cats: dict[int, str] = {}
    vectors: dict[int, bytes] = {}
    rows = conn.execute(select(c.article_id, c.decided_by, c.category, c.embedding, c.model)
                        .where(c.article_id.in_(pks))).all()
    for pk, by, cat, vec, model in sorted(rows, key=lambda r: r.decided_by != "editor", reverse=True):
        cats[pk] = cat  # machine first, editor last: the editor's wins
        if by == "machine" and vec is not None and encoder and f"+{encoder}@" in (model or ""):
            vectors[pk] = vec
    return cats, vectors


# Editor actions that change what an incident holds, or whether it takes articles (see the module's doc).
MEMBERSHIP_EDITS = ("merge", "split", "reject", "reopen")


def last_membership_edit(conn: Connection) -> int:
    log = t.review_log.c
    return conn.execute(select(func.max(log.id)).where(log.action.in_(MEMBERSHIP_EDITS))).scalar() or 0


def merged_targets(conn: Connection, ids: set[int]) -> dict[int, int]:
    """Each merged incident among ``ids`` -> the live incident it ended in (merges can chain)."""
    inc = t.incidents.c
    out: dict[int, int] = {}
    for start in ids:
        at, seen = start, {start}
        while (nxt := conn.execute(select(inc.merged_into).where(inc.id == at, inc.status == "merged"))
               .scalar()) is not None and nxt not in seen:
            at = nxt
            seen.add(at)
        if at != start:
            out[start] = at
    return out


def rebuild_state(conn: Connection, incident_id: int) -> None:
    """Recompute an incident's vector sums from its members' stored facts (after a merge or split)."""
    f, ia = t.article_facts.c, t.incident_articles.c
    rows = conn.execute(select(f.embedding, f.lex, f.entities).join(t.incident_articles, ia.article_id == f.article_id)
                        .where(ia.incident_id == incident_id)).all()
    emb = None
    lex = None
    keys: dict[str, int] = {}
    for r in rows:
        if r.embedding:
            v = np.frombuffer(r.embedding, np.float32)
            emb = v.copy() if emb is None else emb + v
        row = unpack_lex(r.lex)
        lex = row if lex is None else lex + row
        for e in r.entities or []:
            if e.get("kind") != "group":
                keys[e["key"]] = keys.get(e["key"], 0) + 1
    n = conn.execute(select(func.count()).select_from(t.incident_articles).where(ia.incident_id == incident_id)
                     ).scalar_one()
    conn.execute(t.incidents.update().where(t.incidents.c.id == incident_id).values(
        centroid=emb.tobytes() if emb is not None else None, lex=pack_lex(lex) if lex is not None else None,
        entity_keys=keys, n_articles=n))


@register("cluster.online.v1")
class ClusterStage:
    name: ClassVar[str] = "cluster.online.v1"
    requires: ClassVar[tuple[str, ...]] = ("title", "text", "published", "duplicate_of", "assessment")
    assigns: ClassVar[tuple[str, ...]] = ("incident", "facts")

    def __init__(self) -> None:
        self._clusterer: Clusterer | None = None
        self._index: dict[int, int] = {}  # incident id -> state index
        self._extractor: Any = None
        self._embedder: Embedder | None = None
        self._edits_seen = 0  # the last membership edit when the state was read (see the module's doc)
        self.refresh_every_s = REFRESH_EVERY_S
        self._refreshed = time.monotonic()
        self._refresh_took = 0.0

    @property
    def extractor(self) -> Any:
        if self._extractor is None:
            from aiwatch import entities

            self._extractor = entities.default()
        return self._extractor

    # -- load: labels and incidents from the store -----------------------------------------------
    def load(self, store: Store, batch: list[Article]) -> None:
        pks = [a.pk for a in batch if a.pk is not None]
        ia = t.incident_articles.c
        if self._clusterer is None:
            self.finish(store)  # a killed run's stale records first: the incidents' dates are part of the state
        with store.engine.connect() as conn:
            linked = dict(conn.execute(select(ia.article_id, ia.incident_id).where(ia.article_id.in_(pks))).all())
            if self._clusterer is None:
                self._load_states(conn)
            cats, vectors = labels_and_vectors(conn, pks, self._embedder.name)
        for a in batch:
            a.category = cats.get(a.pk)
            a.incident = linked.get(a.pk)
            a.embedding = vectors.get(a.pk, a.embedding)

    def _load_states(self, conn: Connection) -> None:
        """Read the live incidents' state into a new clusterer (at the start, and after an editor's change)."""
        self._clusterer = Clusterer(embedder=self._embedder or Embedder())
        self._embedder = self._clusterer.embedder
        self._index = {}
        self._edits_seen = last_membership_edit(conn)
        inc = t.incidents.c
        rows = conn.execute(select(inc.id, inc.centroid, inc.lex, inc.entity_keys, inc.n_articles)
                            .where(inc.status.not_in(("merged", "rejected")))
                            .order_by(inc.id)).all()
        members: dict[int, list[np.ndarray]] = {}
        # The span the time signals read: the dates that name a day of the members the stage read (those with
        # facts, as for the sums), as the clusterer kept it in memory (``Doc.timed``). Not the record's
        # first_seen/last_seen, which fall back on when an undated article was ingested and read a year alone as
        # its first day: after a restart those gave an incident of undated articles a span, and every new article
        # of that week a burst bonus towards it.
        spans: dict[int, tuple[Any, Any]] = {}
        days: dict[int, list[float]] = {}  # and each of those dates, for the burst bonus (``near_gap_days``)
        f, ia, a = t.article_facts.c, t.incident_articles.c, t.articles.c
        names: dict[int, Counter] = {}  # the members' names (``proper_names``), read again: never stored
        foreign: Counter = Counter()  # members in another language than English (``Doc.foreign``)
        for inc_id, blob, when, meta, title, opening, language in conn.execute(
                select(ia.incident_id, f.embedding, a.published, a.meta, a.title, func.substr(a.text, 1, NAME_CHARS),
                       a.language)
                .join(t.article_facts, f.article_id == ia.article_id)
                .join(t.articles, a.id == ia.article_id)):
            names.setdefault(inc_id, Counter()).update(proper_names(title or "", opening or ""))
            foreign[inc_id] += int(foreign_language(language))
            if blob is not None:
                members.setdefault(inc_id, []).append(np.frombuffer(blob, np.float32))
            if when is not None and not (meta or {}).get("published_precision"):
                when = as_utc(when)
                lo, hi = spans.get(inc_id, (when, when))
                spans[inc_id] = (min(lo, when), max(hi, when))
                days.setdefault(inc_id, []).append(_days(when))  # as the clusterer keeps them
        for r in rows:
            emb = np.frombuffer(r.centroid, np.float32).copy() if r.centroid else None
            first, last = spans.get(r.id, (None, None))
            state = IncidentState(r.id, emb, unpack_lex(r.lex), Counter(r.entity_keys or {}), first, last,
                                  r.n_articles or 0, names.get(r.id, Counter()), foreign[r.id], days.get(r.id, []))
            embs = np.stack(members[r.id]) if r.id in members else None
            self._index[r.id] = self._clusterer.add_state(state, embs)

    # -- prepare (pure: runs on a Ray worker under --engine ray) ------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._clusterer.embedder if self._clusterer is not None else Embedder()
        return self._embedder

    def prepare(self, batch: list[Article]) -> list[Article]:
        """Entities, amounts, countries, embedding and word vector of each relevant original."""
        todo = [a for a in batch if a.duplicate_of is None and a.category in RELEVANT]
        if not todo:
            return batch
        facts = self.extractor.extract_many([(a.title, a.text) for a in todo], [a.language for a in todo],
                                            [a.category for a in todo])
        docs = [Doc(a.ext_id, a.title, a.text, a.published, a.source, a.category, frozenset(f.keys()),
                    a.published_precision) for a, f in zip(todo, facts, strict=True)]
        dim = self.embedder.encoder.dim if self.embedder.encoder is not None else 0
        given = [np.frombuffer(a.embedding, np.float32) if a.embedding and len(a.embedding) == 4 * dim else None
                 for a in todo]
        emb, lex = doc_features(docs, self.embedder, given)
        for k, (a, fa) in enumerate(zip(todo, facts, strict=True)):
            a.facts = {**fa.as_dict(), "embedding": emb[k] if emb is not None else None, "lex": lex[k],
                       "entity_keys": sorted(fa.keys()), "encoder": self.embedder.name,
                       # read here, off the driver; kept in memory only (``proper_names``), never stored
                       "names": sorted(proper_names(a.title, a.text))}
        return batch

    # -- compute (in order, in the driver) ----------------------------------------------------
    def compute(self, batch: list[Article]) -> list[Article]:
        todo = [a for a in batch if a.facts is not None]
        if not todo:
            return batch
        assert self._clusterer is not None, "load() runs before compute()"
        docs = [Doc(a.ext_id, a.title, a.text, a.published, a.source, a.category, frozenset(a.facts["entity_keys"]),
                    a.published_precision, frozenset(a.facts["names"]), a.language or "") for a in todo]
        embs = [a.facts["embedding"] for a in todo]
        emb = np.stack(embs) if all(e is not None for e in embs) else None
        lex = vstack([a.facts["lex"] for a in todo]).tocsr()
        # Articles already in an incident only feed it; the rest are assigned, oldest first.
        fresh = [i for i, a in enumerate(todo) if a.incident is None]
        for i, a in enumerate(todo):
            if a.incident is not None and a.incident in self._index:
                self._clusterer.feed(self._index[a.incident], a.facts["embedding"], lex[i], docs[i].entity_keys,
                                     docs[i].timed, docs[i].names, docs[i].foreign)
        if fresh:
            results = self._clusterer.assign([docs[i] for i in fresh], new_label=lambda d: ("new", d.id),
                                             precomputed=(emb[fresh] if emb is not None else None, lex[fresh]))
            for i, (label, score, _is_new) in zip(fresh, results, strict=True):
                todo[i].incident = label
                todo[i].facts["score"] = score
        return batch

    # -- commit ------------------------------------------------------------------------------
    def commit(self, conn: Connection, store: Store, batch: list[Article]) -> None:
        done = [a for a in batch if a.facts is not None and a.pk is not None]
        if not done:
            return
        store.serialise(conn, INCIDENTS_LOCK)  # an editor's merge commits before this batch or after it
        stamp = now()
        edited = self._clusterer is not None and last_membership_edit(conn) != self._edits_seen
        if edited:
            moved = merged_targets(conn, {a.incident for a in done if isinstance(a.incident, int)})
            for a in done:
                a.incident = moved.get(a.incident, a.incident)
        f = t.article_facts.c
        conn.execute(t.article_facts.delete().where(f.article_id.in_([a.pk for a in done])))
        conn.execute(t.article_facts.insert(), [{
            "article_id": a.pk, "encoder": a.facts.get("encoder"),
            "embedding": a.facts["embedding"].astype(np.float32).tobytes() if a.facts["embedding"] is not None
            else None, "lex": pack_lex(a.facts["lex"]), "entities": a.facts["entities"],
            "amounts": a.facts["amounts"], "countries": a.facts["countries"], "created_at": stamp} for a in done])
        # New incidents get their ids now; the clusterer's labels follow.
        new_ids: dict[Any, int] = {}
        for a in done:
            if isinstance(a.incident, tuple) and a.incident not in new_ids:
                new_ids[a.incident] = conn.execute(t.incidents.insert().values(
                    title=a.title or "(untitled)", summary=None, summary_machine=True, category=a.category,
                    status="open", first_seen=a.published, last_seen=a.published, n_articles=0,
                    created_at=stamp, updated_at=stamp).returning(t.incidents.c.id)).scalar_one()
        if new_ids and self._clusterer is not None:
            for idx, st in enumerate(self._clusterer.states):
                if st.label in new_ids:
                    st.label = new_ids[st.label]
                    self._index[st.label] = idx
        ia = t.incident_articles.c
        for a in done:
            if isinstance(a.incident, tuple):
                a.incident = new_ids[a.incident]
                conn.execute(t.incident_articles.insert().values(
                    incident_id=a.incident, article_id=a.pk, score=a.facts.get("score"), added_by="machine"))
            elif a.incident is not None and "score" in a.facts:
                exists = conn.execute(select(ia.article_id).where(ia.incident_id == a.incident,
                                                                  ia.article_id == a.pk)).first()
                if not exists:
                    conn.execute(t.incident_articles.insert().values(
                        incident_id=a.incident, article_id=a.pk, score=a.facts["score"], added_by="machine"))
        touched = sorted({a.incident for a in done if isinstance(a.incident, int)})
        if edited:
            for inc_id in touched:
                rebuild_state(conn, inc_id)
            self._load_states(conn)  # this batch's writes included: what a restarted run would read
        elif self._clusterer is not None:
            for inc_id in touched:
                if inc_id in self._index:
                    self._save_state(conn, inc_id, self._clusterer.states[self._index[inc_id]])
        if touched:
            conn.execute(t.incidents.update().where(t.incidents.c.id.in_(touched)).values(stale=True))
        since = time.monotonic() - self._refreshed
        if since >= max(self.refresh_every_s, self._refresh_took / REFRESH_SHARE):
            started = time.monotonic()
            I.refresh_stale(conn)
            self._refreshed = time.monotonic()
            self._refresh_took = self._refreshed - started

    def finish(self, store: Store) -> None:
        """Rebuild every stale incident record, a chunk per transaction (a kill keeps the rest marked)."""
        while True:
            with store.transaction() as conn:
                if not I.refresh_stale(conn, limit=REFRESH_CHUNK):
                    break
        self._refreshed = time.monotonic()

    @staticmethod
    def _save_state(conn: Connection, inc_id: int, st: IncidentState) -> None:
        packed = pack_lex(st.lex_sum)
        # Keep in memory exactly what a restarted run would load: the same input then gives the same
        # incidents whether or not the process was killed in between (tests/test_kill.py).
        st.lex_sum = unpack_lex(packed)
        conn.execute(t.incidents.update().where(t.incidents.c.id == inc_id).values(
            centroid=st.emb_sum.astype(np.float32).tobytes() if st.emb_sum is not None else None,
            lex=packed, entity_keys=dict(st.entities), n_articles=st.n))
