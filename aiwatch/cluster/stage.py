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
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, ClassVar

import numpy as np
from scipy.sparse import csr_matrix, vstack
from sqlalchemy import Connection, select

from aiwatch.cluster import Clusterer, Doc, Embedder, IncidentState, doc_features, lexical
from aiwatch.cluster import incident as I
from aiwatch.pipeline import register
from aiwatch.records import Article
from aiwatch.store import Store, as_utc, now
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
                self._clusterer = Clusterer(embedder=self._embedder or Embedder())
                self._embedder = self._clusterer.embedder
                self._load_states(conn)
            cats, vectors = labels_and_vectors(conn, pks, self._embedder.name)
        for a in batch:
            a.category = cats.get(a.pk)
            a.incident = linked.get(a.pk)
            a.embedding = vectors.get(a.pk, a.embedding)

    def _load_states(self, conn: Connection) -> None:
        inc = t.incidents.c
        rows = conn.execute(select(inc.id, inc.centroid, inc.lex, inc.entity_keys, inc.first_seen, inc.last_seen,
                                   inc.n_articles).where(inc.status.not_in(("merged", "rejected")))
                            .order_by(inc.id)).all()
        members: dict[int, list[np.ndarray]] = {}
        f, ia = t.article_facts.c, t.incident_articles.c
        for inc_id, blob in conn.execute(select(ia.incident_id, f.embedding)
                                         .join(t.article_facts, f.article_id == ia.article_id)
                                         .where(f.embedding.is_not(None))):
            members.setdefault(inc_id, []).append(np.frombuffer(blob, np.float32))
        for r in rows:
            emb = np.frombuffer(r.centroid, np.float32).copy() if r.centroid else None
            state = IncidentState(r.id, emb, unpack_lex(r.lex), Counter(r.entity_keys or {}), as_utc(r.first_seen),
                                  as_utc(r.last_seen), r.n_articles or 0)
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
        facts = self.extractor.extract_many([(a.title, a.text) for a in todo])
        docs = [Doc(a.ext_id, a.title, a.text, a.published, a.source, a.category, frozenset(f.keys()))
                for a, f in zip(todo, facts, strict=True)]
        dim = self.embedder.encoder.dim if self.embedder.encoder is not None else 0
        given = [np.frombuffer(a.embedding, np.float32) if a.embedding and len(a.embedding) == 4 * dim else None
                 for a in todo]
        emb, lex = doc_features(docs, self.embedder, given)
        for k, (a, fa) in enumerate(zip(todo, facts, strict=True)):
            a.facts = {**fa.as_dict(), "embedding": emb[k] if emb is not None else None, "lex": lex[k],
                       "entity_keys": sorted(fa.keys()), "encoder": self.embedder.name}
        return batch

    # -- compute (in order, in the driver) ----------------------------------------------------
    def compute(self, batch: list[Article]) -> list[Article]:
        todo = [a for a in batch if a.facts is not None]
        if not todo:
            return batch
        assert self._clusterer is not None, "load() runs before compute()"
        docs = [Doc(a.ext_id, a.title, a.text, a.published, a.source, a.category, frozenset(a.facts["entity_keys"]))
                for a in todo]
        embs = [a.facts["embedding"] for a in todo]
        emb = np.stack(embs) if all(e is not None for e in embs) else None
        lex = vstack([a.facts["lex"] for a in todo]).tocsr()
        # Articles already in an incident only feed it; the rest are assigned, oldest first.
        fresh = [i for i, a in enumerate(todo) if a.incident is None]
        for i, a in enumerate(todo):
            if a.incident is not None and a.incident in self._index:
                self._clusterer.feed(self._index[a.incident], a.facts["embedding"], lex[i], docs[i].entity_keys,
                                     a.published)
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
        stamp = now()
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
        if self._clusterer is not None:
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
