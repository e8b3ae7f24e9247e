"""Deduplication: syndicated copies join their first-seen original; different stories never do."""

from __future__ import annotations

import csv
import gzip
import random
import re

from sqlalchemy import select

from aiwatch import dedup, pipeline
from aiwatch.ingest import write_items
from aiwatch.records import RawItem
from aiwatch.store import Store
from aiwatch.store import schema as t
from tests.conftest import OTHER_STORY_SAME_TOPIC, STORY, shared

AP_BOILERPLATE = ("Copyright 2024 The Associated Press. All rights reserved. This material may not be published, "
                  "broadcast, rewritten or redistributed without permission.")
SITE_BOILERPLATE = ("Sign up for our morning newsletter to get the top stories delivered to your inbox. "
                    "Follow us on social media. Advertisement. Related coverage: Ten gadgets for the summer. "
                    "Read more about privacy and technology in our special section.")


def syndicate(text: str, rng: random.Random, edits: int = 6) -> str:
    """What a partner site does to a wire story: a few copy-edits, a trimmed ending, its own boilerplate."""
    words = text.split()
    for _ in range(edits):
        i = rng.randrange(len(words))
        words[i] = rng.choice(["reportedly", "also", "on Tuesday", "the", "said", "local"])
    words = words[: int(len(words) * 0.9)]  # the last paragraph cut
    return f"{SITE_BOILERPLATE}\n\n{' '.join(words)}\n\n{AP_BOILERPLATE}"


def _ingest(store: Store, items: list[RawItem]) -> None:
    write_items(store, items, None)
    pipeline.process(store)


def _dup_of(store: Store) -> dict[str, str | None]:
    return {a["ext_id"]: a["duplicate_of"] for a in store.iter_articles(include_text=False)}


def test_syndicated_copy_joins_original(store: Store) -> None:
    rng = random.Random(7)
    _ingest(store, [
        RawItem(ref="1", ext_id="original", title="Facial recognition led to wrongful arrest", text=STORY,
                url="https://wire.example.com/story"),
        RawItem(ref="2", ext_id="copy", title="Man wrongly arrested after face match, complaint says",
                text=syndicate(STORY, rng), url="https://partner.example.net/news/123"),
    ])
    art = store.get_article("copy")
    assert _dup_of(store) == {"original": None, "copy": "original"}
    assert art.duplicate_kind == "near" and art.similarity >= dedup.NEAR_DUP_THRESHOLD


def test_same_topic_different_story_stays_apart(store: Store) -> None:
    _ingest(store, [
        RawItem(ref="1", ext_id="arrest", title="Wrongful arrest", text=STORY),
        RawItem(ref="2", ext_id="council", title="Council extends contract", text=OTHER_STORY_SAME_TOPIC),
    ])
    assert _dup_of(store) == {"arrest": None, "council": None}
    a, b = dedup.signatures([STORY, OTHER_STORY_SAME_TOPIC])
    assert dedup.similarity(a, b) < 0.2


def test_exact_copy_differing_only_in_case_and_spacing_is_exact(store: Store) -> None:
    _ingest(store, [
        RawItem(ref="1", ext_id="a", title="One", text=STORY),
        RawItem(ref="2", ext_id="b", title="Another headline", text="  " + STORY.upper().replace(" ", "  ")),
    ])
    art = store.get_article("b")
    assert (art.duplicate_kind, art.similarity) == ("exact", 1.0)


def test_copy_of_a_copy_points_at_the_first_seen_original(store: Store) -> None:
    rng = random.Random(3)
    first = syndicate(STORY, rng, edits=2)
    second = syndicate(first, rng, edits=2)
    _ingest(store, [RawItem(ref="1", ext_id="root", title="t", text=STORY),
                           RawItem(ref="2", ext_id="c1", title="t", text=first)])
    _ingest(store, [RawItem(ref="3", ext_id="c2", title="t", text=second)])  # a later run
    assert _dup_of(store) == {"root": None, "c1": "root", "c2": "root"}


def test_tomorrows_copy_finds_last_weeks_original(store: Store) -> None:
    """The LSH index lives in the store: a new process run still finds old originals."""
    _ingest(store, [RawItem(ref="1", ext_id="old", title="t", text=STORY)])
    reopened = Store(store.url)
    _ingest(reopened, [RawItem(ref="2", ext_id="new", title="t", text=syndicate(STORY, random.Random(1)))])
    assert _dup_of(reopened)["new"] == "old"


def test_a_store_deduplicated_before_migrations_0007_and_0008_keeps_its_signatures_and_bands(make_db) -> None:
    """0007 moved the signatures out of ``articles``, 0008 rebuilt the band table around its
    (key, article_id) key: a copy ingested after the upgrade still finds an original deduplicated
    before it, and a band row written twice by the old table is kept once."""
    from alembic import command
    from sqlalchemy import text

    old = Store(make_db("old"), migrate=False)
    with old.engine.begin() as conn:
        command.upgrade(old._alembic_config(conn), "0006")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO articles (ext_id, source, title, text, content_hash, minhash, "
                          "ingested_at, updated_at) VALUES ('old', 'wire', 't', :text, 'h', :mh, :now, :now)"),
                     {"text": STORY, "mh": dedup.signatures([STORY])[0].tobytes(), "now": "2024-05-01 10:00:00"})
        pk = conn.execute(text("SELECT id FROM articles WHERE ext_id = 'old'")).scalar_one()
        conn.execute(text("INSERT INTO article_stages VALUES (:stage, :pk, :now)"),
                     {"stage": "dedup.minhash.v1", "pk": pk, "now": "2024-05-01 10:00:00"})
        keys = dedup.band_keys(dedup.signatures([STORY])[0])
        conn.execute(text("INSERT INTO lsh_bands (key, article_id) VALUES (:key, :pk)"),
                     [{"key": k, "pk": pk} for k in [*keys, keys[0]]])
    upgraded = Store(old.url)
    assert upgraded.revision() == "0009"
    with upgraded.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM lsh_bands").scalar_one() == len(set(keys))
    _ingest(upgraded, [RawItem(ref="2", ext_id="new", title="t", text=syndicate(STORY, random.Random(1)))])
    assert _dup_of(upgraded)["new"] == "old"


def test_band_buckets_stay_bounded_and_copies_are_still_found(store: Store, monkeypatch) -> None:
    """A bucket that fills (boilerplate, a story copied everywhere) takes no more members: the cost of
    matching an article stays the same however big the store grows, and copies still find the original."""
    monkeypatch.setattr(dedup, "BUCKET_CAP", 3)
    rng = random.Random(11)
    items = [RawItem(ref="0", ext_id="root", title="t", text=STORY)]
    items += [RawItem(ref=str(i), ext_id=f"copy{i}", title="t", text=syndicate(STORY, rng, edits=3))
              for i in range(1, 11)]
    write_items(store, items, None)
    pipeline.process(store, batch_size=4)  # several batches: the cap holds across the store and the batch
    with store.engine.connect() as conn:
        sizes = [n for _, n in conn.exec_driver_sql(
            "SELECT key, COUNT(*) FROM (SELECT key FROM lsh_bands UNION ALL SELECT key FROM lsh_bands_recent) b "
            "GROUP BY key")]
    assert max(sizes) == 3
    assert all(dup == "root" for ext_id, dup in _dup_of(store).items() if ext_id != "root")


def test_headline_only_items_match_only_exactly(store: Store) -> None:
    _ingest(store, [
        RawItem(ref="1", ext_id="h1", title="Tesla recalls cars over Autopilot"),
        RawItem(ref="2", ext_id="h2", title="Tesla recalls cars over Autopilot"),
        RawItem(ref="3", ext_id="h3", title="Tesla recalls trucks over Autopilot"),
    ])
    assert _dup_of(store) == {"h1": None, "h2": "h1", "h3": None}


def test_signatures_are_reproducible_across_calls() -> None:
    (a,), (b,) = dedup.signatures([STORY]), dedup.signatures([STORY])
    assert (a == b).all() and len(a) == dedup.NUM_PERM


def _news_texts(n: int) -> list[tuple[str, str]]:
    """(site, text) of real articles; the text still carries the site's menus, as scraped."""
    path = shared("ai_tech_news_unlabeled", "ai_tech_news.csv.gz")
    out, seen = [], set()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row["text_head"]
            key = re.sub(r"\W+", " ", row["title"].lower())
            if len(text.split()) >= 300 and key not in seen:
                seen.add(key)
                out.append((row["source_domain"], text))
            if len(out) >= n:
                break
    return out


def test_on_real_articles_copies_are_found_and_distinct_stories_kept_apart(store: Store) -> None:
    """400 real AI-news articles plus a syndicated copy of every fourth: recall and false merges."""
    texts = _news_texts(400)
    rng = random.Random(11)
    items = [RawItem(ref=str(i), ext_id=f"orig-{i}", title=f"story {i}", text=t, source=site)
             for i, (site, t) in enumerate(texts)]
    copies = [RawItem(ref=f"c{i}", ext_id=f"copy-{i}", title=f"copy {i}", source="partner.example.net",
                      text=syndicate(texts[i][1], rng, edits=10)) for i in range(0, len(texts), 4)]
    _ingest(store, items + copies)
    dup = _dup_of(store)
    found = sum(dup[f"copy-{i}"] == f"orig-{i}" for i in range(0, len(texts), 4))
    false_merges = [k for k, v in dup.items() if k.startswith("orig-") and v is not None]
    assert found / len(copies) >= 0.95
    # Originals merged with each other must be real near-copies in the crawl, which has a few; cap them.
    assert len(false_merges) <= 0.02 * len(texts), false_merges


def test_deduplicating_the_same_articles_again_replaces_their_bands(store: Store) -> None:
    """A rerun of the stage over articles it has done (their stage marks cleared) writes their band rows
    anew rather than a second copy, which the table's (key, article_id) key would refuse."""
    rng = random.Random(3)
    _ingest(store, [RawItem(ref="1", ext_id="original", title="t", text=STORY),
                    RawItem(ref="2", ext_id="copy", title="t", text=syndicate(STORY, rng))])

    def bands() -> list[tuple[int, int]]:
        with store.engine.connect() as conn:
            return sorted(row for table in t.BAND_TABLES for row in conn.execute(table.select()).all())

    before = bands()
    with store.engine.begin() as conn:
        conn.execute(t.article_stages.delete().where(t.article_stages.c.stage == "dedup.minhash.v1"))
    pipeline.process(store, ["dedup.minhash.v1"])
    assert bands() == before and len(before) > 0
    assert _dup_of(store) == {"original": None, "copy": "original"}


def test_band_rows_move_to_the_big_table_in_key_order_and_copies_are_found_on_either_side(
        store: Store, monkeypatch) -> None:
    """On SQLite new band rows go to the small recent table; when it has grown they move, all at once, into
    the big one. A copy finds its original whichever table holds the original's bands, and after a merge no
    band row is lost or doubled. PostgreSQL writes the big table directly."""
    monkeypatch.setattr(dedup, "MERGE_MIN_ROWS", 5 * dedup.BANDS)  # five articles' bands: batches of 2 merge after 6
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(3000)]
    stories = [" ".join(rng.choices(vocabulary, k=300)) for _ in range(8)]  # eight unrelated stories
    items = [RawItem(ref=f"o{i}", ext_id=f"orig-{i}", title="t", text=s) for i, s in enumerate(stories)]
    write_items(store, items, None)
    pipeline.process(store, ["dedup.minhash.v1"], batch_size=2)

    def counts() -> tuple[int, int]:
        with store.engine.connect() as conn:
            return tuple(len(conn.execute(table.select()).all()) for table in t.BAND_TABLES)

    big, recent = counts()
    with store.engine.connect() as conn:
        in_big = {pk for (pk,) in conn.execute(select(t.lsh_bands.c.article_id).distinct())}
        in_recent = {pk for (pk,) in conn.execute(select(t.lsh_bands_recent.c.article_id).distinct())}
        ids = dict(conn.execute(select(t.articles.c.ext_id, t.articles.c.id)).all())
    if store.engine.dialect.name == "sqlite":
        assert big > 0 and 0 < recent < dedup.MERGE_MIN_ROWS  # merged at least once; the newest still recent
        assert in_big and in_recent and not in_big & in_recent
    else:
        assert big > 0 and recent == 0
    copies = [RawItem(ref=f"c{i}", ext_id=f"copy-{i}", title="t", text=syndicate(s, rng))
              for i, s in enumerate(stories)]
    write_items(store, copies, None)
    pipeline.process(store, ["dedup.minhash.v1"], batch_size=2)
    dup = _dup_of(store)
    assert [dup[f"copy-{i}"] for i in range(len(stories))] == [f"orig-{i}" for i in range(len(stories))]
    assert {ids[f"orig-{i}"] for i in range(len(stories))} <= in_big | in_recent
    with store.engine.connect() as conn:
        rows = [r for table in t.BAND_TABLES for r in conn.execute(table.select()).all()]
    assert len(rows) == len(set(rows)) and sum(counts()) == len(rows)


def test_migration_0009_downgrade_keeps_the_recent_band_rows(make_db) -> None:
    """Going back to 0008 moves the recent rows into the one band table that revision knows."""
    from alembic import command

    store = Store(make_db("bands"))
    rng = random.Random(2)
    _ingest(store, [RawItem(ref="1", ext_id="original", title="t", text=STORY)])
    with store.engine.connect() as conn:
        before = sorted(r for table in t.BAND_TABLES for r in conn.execute(table.select()).all())
    assert before
    with store.engine.begin() as conn:
        command.downgrade(store._alembic_config(conn), "0008")
    with store.engine.connect() as conn:
        assert sorted(conn.exec_driver_sql("SELECT key, article_id FROM lsh_bands").all()) == before
    store.close()
    upgraded = Store(store.url)
    assert upgraded.revision() == "0009"
    _ingest(upgraded, [RawItem(ref="2", ext_id="copy", title="t", text=syndicate(STORY, rng))])
    assert _dup_of(upgraded)["copy"] == "original"
    upgraded.close()
