"""Deduplication: exact copies by content hash, near copies (syndication) by MinHash LSH.

A syndicated story appears on several sites with light edits (a changed headline, a
trimmed paragraph, a house style) and different boilerplate around it. Each such copy
is linked to the first-seen original (``duplicate_of``, always the root, never a copy
of a copy) and is never counted twice downstream.

* exact: the SHA-1 of the normalised body (extract.content_hash);
* near: datasketch MinHash over word 3-shingles of the first MAX_WORDS words, banded
  into LSH keys that live in the store (tables ``lsh_bands`` and ``lsh_bands_recent``, see
  MERGE_SHARE; the signatures in
  ``dedup_signatures``), so tomorrow's article is compared with everything seen before
  without holding all signatures in memory, and several processes see the same index.
  Candidates from the bands are confirmed by their estimated Jaccard similarity.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import xxhash
from datasketch import MinHash, MinHashLSH
from sqlalchemy import Connection, bindparam, func, select, union_all

from aiwatch.extract import words
from aiwatch.pipeline import register
from aiwatch.records import Article
from aiwatch.store import Store, insert_rows
from aiwatch.store import schema as t

# Estimated Jaccard similarity of word 3-shingles at or above which two texts are the
# same story. Measured on syndicated pairs (tests/test_dedup.py): copies of real AI-news
# pages with a new headline, 10 edited words, a cut last paragraph and other boilerplate
# scored 0.52 at the lowest (most 0.6-0.9); a different story on the same event (same
# city, vendor and contract) scored under 0.2. 0.5 sits well inside that gap, leaning to recall: a missed copy is
# counted twice in every statistic, a false merge is visible and an editor can split it.
NEAR_DUP_THRESHOLD = 0.5
# Two pages of the same site share its navigation and footer, which can be most of a
# badly extracted page (a Guardian page's first 3,000 characters are three quarters menu:
# J=0.7-0.85 between unrelated stories). Syndication is across sites; within one site
# only a near-verbatim repost (an updated copy) is a duplicate.
SAME_SOURCE_THRESHOLD = 0.9
# 64 permutations: the estimate's standard error at J=0.5 is ~0.06, far smaller than the
# gap above, at half the cost and storage of 128.
NUM_PERM = 64
# The opening of an article identifies it; later paragraphs are where copies get cut.
MAX_WORDS = 1000
# Below this many shingles (a headline-only item) the estimate is noise: exact match only.
MIN_SHINGLES = 8
SEED = 1  # fixed: signatures must be identical across runs, processes and engines

# Banding: datasketch picks bands x rows minimising weighted false positives and false
# negatives around the threshold. A false positive only costs one signature comparison;
# a false negative is a copy counted twice forever. So misses weigh 9x: 21 bands of 3
# rows, which finds a pair at J=0.5 with p=0.94 and at J=0.55 with p=0.98.
LSH_WEIGHTS = (0.1, 0.9)
# A band bucket holds at most this many articles (the first to arrive). Buckets that fill are common
# content, not a story: in the 1M-article bench corpus (stories recombined from shared sentences)
# one bucket reached 12,000 articles and every new article was compared with all of them, so the
# stage slowed as the store grew (250 articles/s after 140k). A real copy shares several of its 21
# bands with its original (2.6 expected at J=0.5, 11 at J=0.8), and a full bucket still offers its
# first members, the original among them; so the cap costs recall only on the boilerplate bands.
# 30: each candidate costs a signature read from the store; on the 10k bench corpus 30 and 100 (and no
# cap) mark exactly the same copies.
BUCKET_CAP = 30
# New band rows go to a small table (``lsh_bands_recent``) and move into the big one (``lsh_bands``) in
# key order once the small one holds MERGE_SHARE of the big one's rows, and at least MERGE_MIN_ROWS (10,000
# articles' bands). Inserting 21 random keys an article into a big tree dirties a page per key, each
# written whole to the WAL at commit and again at the checkpoint; a small tree takes a batch's keys on few
# pages, and a merge in key order writes each page of the big tree once for many articles. Measured with
# the stage's access pattern alone (500 articles a batch; lookups, inserts, commits and merges): 0.54 ->
# 0.24 ms an article at 100k stored articles, 0.80 -> 0.39 at 1M (merging every 10,000 articles there:
# 0.42; the share keeps the merges' cost an article from growing with the store). The stage on bench
# articles: 100k 96.0 -> 88.1 s, 300k 354.8 -> 281.1 s (1.18 -> 0.94 ms an article at 300k; 0.88 at 100k),
# the same duplicates. SQLite only: PostgreSQL writes WAL records per row rather than whole pages at each
# commit, and there the stage on 30k articles went 34.9 -> 46.7 s with the merges; it writes lsh_bands
# directly, and its recent table stays empty.
MERGE_MIN_ROWS = 210_000
MERGE_SHARE = 0.02
_LSH = MinHashLSH(threshold=NEAR_DUP_THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
BANDS, ROWS = _LSH.b, _LSH.r
_CHUNK = 900


def shingles(text: str) -> set[bytes]:
    """Word 3-grams of the opening MAX_WORDS words (normalised: case, punctuation)."""
    w = words(text)[:MAX_WORDS]
    return {f"{a} {b} {c}".encode() for a, b, c in zip(w, w[1:], w[2:], strict=False)}


def signatures(texts: list[str]) -> list[np.ndarray | None]:
    """MinHash signatures (uint32, NUM_PERM long), or None for texts too short to compare."""
    sets = [shingles(x) for x in texts]
    usable = [i for i, s in enumerate(sets) if len(s) >= MIN_SHINGLES]
    out: list[np.ndarray | None] = [None] * len(texts)
    if usable:
        mhs = MinHash.bulk([sets[i] for i in usable], num_perm=NUM_PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest)
        for i, m in zip(usable, mhs, strict=True):
            out[i] = m.hashvalues.astype(np.uint32)
    return out


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band (band index mixed in, so bands never collide)."""
    keys = []
    for b in range(BANDS):
        h = xxhash.xxh64_intdigest(sig[b * ROWS:(b + 1) * ROWS].tobytes(), seed=b)
        keys.append(h - (1 << 64) if h >= (1 << 63) else h)
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def _text_for(art: Article) -> str:
    return art.text or art.title


@register("dedup.minhash.v1")
class Deduplicate:
    name: ClassVar[str] = "dedup.minhash.v1"
    requires: ClassVar[tuple[str, ...]] = ("text", "title", "content_hash")
    assigns: ClassVar[tuple[str, ...]] = ("duplicate_of", "duplicate_kind", "similarity", "minhash")

    def __init__(self) -> None:
        self._rows: list[int] | None = None  # rows in [lsh_bands, lsh_bands_recent], counted once a run

    def prepare(self, batch: list[Article]) -> list[Article]:
        sigs = signatures([_text_for(a) for a in batch])
        return [a.replace(minhash=s.tobytes() if s is not None else None) for a, s in zip(batch, sigs, strict=True)]

    def compute(self, batch: list[Article]) -> list[Article]:
        return batch  # matching against the store's bands happens in commit, in order

    def commit(self, conn: Connection, store: Store, batch: list[Article]) -> None:
        batch = sorted(batch, key=lambda a: a.pk or 0)
        if not batch:
            return
        top = batch[-1].pk
        sigs = {a.pk: np.frombuffer(a.minhash, dtype=np.uint32) for a in batch if a.minhash}
        keys = {a.pk: band_keys(sigs[a.pk]) for a in batch if a.pk in sigs}

        # What the store already holds: the first article of each hash, band hits, their signatures.
        first_by_hash = _first_by_hash(conn, {a.content_hash for a in batch}, top)
        band_hits = _band_hits(conn, {k for ks in keys.values() for k in ks})
        known = _known(conn, {pk for pks in band_hits.values() for pk in pks}
                       | set(first_by_hash.values()))


        updates, signed, bands = [], [], []
        for art in batch:
            root, kind, sim = None, None, None
            original = first_by_hash.get(art.content_hash)
            if original is not None and original < art.pk:
                # (an original changed since, and not yet deduplicated again, has no row: it is its own root)
                root, kind, sim = known.get(original, (None,))[0] or original, "exact", 1.0
            elif art.pk in sigs:
                cands = sorted({pk for k in keys[art.pk] for pk in band_hits.get(k, ()) if pk < art.pk
                                and known.get(pk, (None, None))[1] is not None})
                if cands:
                    # All candidates at once: boilerplate-heavy sites give an article a hundred of them.
                    sims = (np.stack([known[pk][1] for pk in cands]) == sigs[art.pk]).mean(axis=1)
                    same_site = np.array([art.source is not None and known[pk][2] == art.source for pk in cands])
                    ok = sims >= np.where(same_site, SAME_SOURCE_THRESHOLD, NEAR_DUP_THRESHOLD)
                    if ok.any():
                        i = int(np.argmax(np.where(ok, sims, -1.0)))  # the most similar; ties: the oldest
                        root, kind, sim = known[cands[i]][0] or cands[i], "near", round(float(sims[i]), 4)
            art.duplicate_of, art.duplicate_kind, art.similarity = root, kind, sim
            signed.append({"article_id": art.pk, "minhash": art.minhash, "root": root, "source": art.source})
            if root is not None:  # an original's row stays as ingest wrote it (NULLs): no rewrite of its text
                updates.append({"pk": art.pk, "dup": root, "kind": kind, "sim": sim})
            # Later articles in this batch see this one as a candidate too.
            known[art.pk] = (root, sigs.get(art.pk), art.source)
            first_by_hash.setdefault(art.content_hash, art.pk)
            for k in dict.fromkeys(keys.get(art.pk, ())):  # (two bands with one 64-bit key: once)
                members = band_hits.setdefault(k, [])
                if len(members) < BUCKET_CAP:
                    members.append(art.pk)
                    bands.append({"key": k, "article_id": art.pk})
        if updates:
            conn.execute(
                t.articles.update().where(t.articles.c.id == bindparam("pk")).values(
                    duplicate_of=bindparam("dup"), duplicate_kind=bindparam("kind"), similarity=bindparam("sim")),
                updates,
            )
        # (a rerun over the same articles, e.g. after their stage marks were cleared, replaces their rows)
        pks = [a.pk for a in batch]
        conn.execute(t.dedup_signatures.delete().where(t.dedup_signatures.c.article_id.in_(pks)))
        for table in t.BAND_TABLES:
            conn.execute(table.delete().where(table.c.article_id.in_(pks)))
        insert_rows(conn, t.dedup_signatures, signed)
        if conn.dialect.name == "sqlite":
            insert_rows(conn, t.lsh_bands_recent, bands)
            self._merge_when_due(conn, len(bands))
        else:  # PostgreSQL logs rows, not pages, and took the merges badly (see MERGE_SHARE)
            insert_rows(conn, t.lsh_bands, bands)

    def _merge_when_due(self, conn: Connection, added: int) -> None:
        """Move the recent band rows into the big table when there are enough of them (``MERGE_SHARE``).

        The counts only time the merges: a rerun's replaced rows, counted twice, move one a little sooner."""
        if self._rows is None:
            self._rows = [conn.execute(select(func.count()).select_from(table)).scalar_one()
                          for table in t.BAND_TABLES]
        else:
            self._rows[1] += added
        big, recent = self._rows
        if recent >= max(MERGE_MIN_ROWS, MERGE_SHARE * big):
            merge_recent_bands(conn)
            self._rows = [big + recent, 0]


def merge_recent_bands(conn: Connection) -> None:
    """Move every row of ``lsh_bands_recent`` into ``lsh_bands``, in key order (in the caller's transaction).

    SQLite's (PostgreSQL writes ``lsh_bands`` directly): there a DELETE of every row empties the table."""
    r = t.lsh_bands_recent.c
    conn.execute(t.lsh_bands.insert().from_select(["key", "article_id"],
                                                  select(r.key, r.article_id).order_by(r.key, r.article_id)))
    conn.execute(t.lsh_bands_recent.delete())


# The lookups below run with a few hundred thousand keys per 10,000 articles: "expanding" parameters
# bind a whole list at once, where a literal list made SQLAlchemy coerce every element (a third of
# the stage's time).
_FIRST_BY_HASH = (select(t.articles.c.content_hash, func.min(t.articles.c.id))
                  .where(t.articles.c.content_hash.in_(bindparam("hs", expanding=True)),
                         t.articles.c.id <= bindparam("top"))
                  .group_by(t.articles.c.content_hash))
_BAND_HITS = union_all(*(select(b.c.key, b.c.article_id).where(b.c.key.in_(bindparam("ks", expanding=True)))
                         for b in t.BAND_TABLES))
_S = t.dedup_signatures.c
_KNOWN = select(_S.article_id, _S.root, _S.minhash, _S.source).where(
    _S.article_id.in_(bindparam("ids", expanding=True)))


def _first_by_hash(conn: Connection, hashes: set[str], top: int | None) -> dict[str, int]:
    out: dict[str, int] = {}
    hs = list(hashes)
    for i in range(0, len(hs), _CHUNK):
        out.update(dict(conn.execute(_FIRST_BY_HASH, {"hs": hs[i:i + _CHUNK], "top": top}).all()))
    return out


def _band_hits(conn: Connection, keys: set[int]) -> dict[int, list[int]]:
    hits: dict[int, list[int]] = {}
    ks = list(keys)
    for i in range(0, len(ks), _CHUNK):
        for key, pk in conn.execute(_BAND_HITS, {"ks": ks[i:i + _CHUNK]}):
            hits.setdefault(key, []).append(pk)
    # Stores written before BUCKET_CAP can hold bigger buckets: their first members stand for them.
    return {key: sorted(pks)[:BUCKET_CAP] if len(pks) > BUCKET_CAP else pks for key, pks in hits.items()}


def _known(conn: Connection, pks: set[int]) -> dict[int, tuple[int | None, np.ndarray | None, str | None]]:
    """(duplicate_of, signature, source) of stored articles."""
    out: dict[int, tuple[int | None, np.ndarray | None, str | None]] = {}
    ids = list(pks)
    for i in range(0, len(ids), _CHUNK):
        for pk, dup, mh, source in conn.execute(_KNOWN, {"ids": ids[i:i + _CHUNK]}):
            out[pk] = (dup, np.frombuffer(mh, dtype=np.uint32) if mh else None, source)
    return out
