"""``aiwatch eval-clusters``: how well articles are grouped, and how well entity roles are found.

Grouped data from ../shared/data (read, never copied):

* aiid_reports — 1,380 real report headlines grouped by AIID incident (``all_incident_ids``: a
  report in several incidents counts as right in any of them). Incidents are split in two halves
  by a hash of their id: ``tune`` (where ``Params`` were chosen) and ``test`` (reported here);
  ``aiid_reports_test_in_all`` scores the test half's headlines grouped among all of them: the other half's
  are distractors, and the stream is twice as dense (several incidents a day), as the news is;
* aiid_descriptions — AIID's incidents, a dated paragraph each (title + editor description): 1,357
  distinct events, so only precision can fall: the check that paragraph-length text in a dense stream
  is not merged across events (the test half reported);
* aiid_mixed — the report headlines of a half and their incidents' descriptions among them: short
  and long text of one event must meet;
* wikiref220 — 148 full web articles grouped into topics (broad topics, not single events: a
  sanity check on long text, not a target).

Scores: B-cubed precision, recall and F1 (Bagga & Baldwin 1998: per item, the share of its
cluster that shares its gold label, and the share of its gold group that shares its cluster) and
fragmentation — predicted clusters per true group (1.0 is perfect; the OECD monitor's is ~3.4 on
AIID incidents). Baseline in the same run: agglomerative clustering (average link, cosine) on the
same MiniLM embeddings, its distance threshold tuned on the same tuning half.

Entity roles: on AIID incident descriptions held apart from the gazetteer (the gazetteer is rebuilt
without them), precision and recall of named deployers and developers against AIID's alleged lists.
Only named bodies count: AIID's generic actors ("deepfake-technology-developers") and persons are
not entities aiwatch can or may name. Harmed parties likewise, against AIID's alleged harmed parties
that are groups of people (``roles.aiid_harmed_groups``): a group found matches a listed one when one
name contains the other ("drivers" ~ "tesla drivers"); the baseline names every group noun phrase of
the text, harmed or not. Reported beside them: the share of the listed deployers and developers that
the description names at all (``named_in_text``: some run of its words matches the listed name as the
scorer matches), a ceiling for reading the text alone — AIID's editors also list parties from what they
know (the city whose police ran the system, the maker of a product).

Countries: the countries aiwatch gives an AIID description, an OECD monitor event or an AIAAIC headline,
against the country CSET's annotators, the OECD monitor or AIAAIC place it in (``country_eval``).
Organisations in real news: of the main organisations written down for each relevant hand-labelled AI news
article, the share listed as a party (``news_organisation_eval``).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from aiwatch.classify.data import require, shared_dir
from aiwatch.cluster import Clusterer, Doc, Embedder, Params, doc_features

BASELINE_DISTANCE = 0.5  # agglomerative baseline's cosine distance, as tune() last chose it
FLOORS_FILE = Path(__file__).resolve().parent / "floors.json"


@dataclass
class Grouped:
    docs: list[Doc]
    gold: list[set[str]]  # every acceptable gold label of each doc


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None


def half_of(group: str) -> str:
    return "tune" if int(hashlib.sha1(group.encode()).hexdigest(), 16) % 2 == 0 else "test"


def aiid_reports(root: Path | None = None, half: str | None = None) -> Grouped:
    root = root or shared_dir()
    docs, gold = [], []
    with require(root / "aiid_reports" / "reports.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if half and half_of(r["incident_id"]) != half:
                continue
            docs.append(Doc(f"aiid:report:{r['report_number']}", r["title"], "", _date(r["date_published"]),
                            r["source_domain"]))
            gold.append(set(r["all_incident_ids"].split()) | {r["incident_id"]})
    return Grouped(docs, gold)


def aiid_descriptions(root: Path | None = None, half: str | None = None, incidents: set[str] | None = None
                      ) -> Grouped:
    """AIID's incidents, one paragraph each (title + editor description, dated): every one a distinct event.

    Scored alone, only precision can fall: this is the over-merging check on paragraph-length text in a
    stream as dense as the news (several incidents a week since 2023)."""
    root = root or shared_dir()
    docs, gold = [], []
    with require(root / "aiid" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if (half and half_of(r["incident_id"]) != half) or (incidents is not None
                                                                  and r["incident_id"] not in incidents):
                continue
            docs.append(Doc(f"aiid:incident:{r['incident_id']}", r["title"], r["description"], _date(r["date"])))
            gold.append({r["incident_id"]})
    return Grouped(docs, gold)


def aiid_mixed(root: Path | None = None, half: str | None = None) -> Grouped:
    """Report headlines and, among them, their incidents' descriptions: short and long text of one event."""
    reports = aiid_reports(root, half)
    described = aiid_descriptions(root, incidents={g for gs in reports.gold for g in gs})
    return Grouped(reports.docs + described.docs, reports.gold + described.gold)


def by_year(data: Grouped) -> Grouped:
    """The same articles dated by their year alone, as an archive's year column dates them: the grouping must
    not read January 1st as the day they all came out (``aiwatch.cluster.Doc.timed``)."""
    return Grouped([replace(d, published=d.published.replace(month=1, day=1, hour=0, minute=0, second=0,
                                                             microsecond=0), published_precision="year")
                    if d.published else d for d in data.docs], data.gold)


def wikiref(root: Path | None = None) -> Grouped:
    root = root or shared_dir()
    docs, gold = [], []
    with require(root / "wikiref220" / "articles.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            body = r["text"]
            if body.startswith(r["title"]):
                body = body[len(r["title"]):]
            docs.append(Doc(r["doc_id"], r["title"], body.strip()))
            gold.append({r["topic"]})
    return Grouped(docs, gold)


# -- scores -------------------------------------------------------------------------------------
def bcubed(pred: Sequence[Any], gold: Sequence[set[str]], over: Sequence[int] | None = None) -> dict[str, float]:
    """B-cubed P/R/F1 with multi-label gold (an item agrees with another when their gold sets meet)
    and fragmentation: mean number of predicted clusters over each gold group's items.

    ``over``: average over these items only, grouped among all the others (``aiid_reports_test_in_all``:
    one half's headlines in a stream that holds the other half's too); clusters per incident counts the
    clusters these items are in."""
    items = list(range(len(pred))) if over is None else list(over)
    by_pred: dict[Any, list[int]] = defaultdict(list)
    by_gold: dict[str, list[int]] = defaultdict(list)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].append(i)
        for label in g:
            by_gold[label].append(i)
    prec = rec = 0.0
    for i in items:
        mates = by_pred[pred[i]]
        prec += sum(1 for j in mates if gold[i] & gold[j]) / len(mates)
        same = {j for label in gold[i] for j in by_gold[label]}
        rec += sum(1 for j in same if pred[j] == pred[i]) / len(same)
    n = len(items)
    p, r = prec / n, rec / n
    primary = [min(gold[i]) for i in items]
    groups: dict[str, set[Any]] = defaultdict(set)
    for i, g_ in zip(items, primary, strict=True):
        groups[g_].add(pred[i])
    sizes = Counter(primary)
    multi = [len(v) for k, v in groups.items() if sizes[k] > 1]
    clusters = len({pred[i] for i in items})
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0, 4),
            "clusters_per_incident": round(clusters / len(groups), 3),
            "clusters_per_multi_report_incident": round(float(np.mean(multi)), 3) if multi else 1.0,
            "items": n, "true_groups": len(groups), "predicted_clusters": clusters}


# -- the model and the baseline ------------------------------------------------------------------
def with_entities(data: Grouped) -> Grouped:
    """The docs with the entity keys the pipeline would give them (computed once, reused by every run)."""
    from aiwatch import entities
    from aiwatch.cluster import entity_keys_of

    keys = entity_keys_of(entities.default())
    return Grouped([d if d.entity_keys else replace(d, entity_keys=keys(d)) for d in data.docs], data.gold)


def run_model(data: Grouped, params: Params | None = None, embedder: Embedder | None = None) -> list[str]:
    """The grouping the pipeline would make: same clusterer, same entity keys (see ``with_entities``)."""
    return Clusterer(params, embedder=embedder).cluster(data.docs)


def run_baseline(data: Grouped, embedder: Embedder, distance: float) -> list[int]:
    from sklearn.cluster import AgglomerativeClustering

    emb, _ = doc_features(data.docs, embedder)  # the vectors the clusterer reads
    if emb is None or len(data.docs) < 2:
        return list(range(len(data.docs)))
    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=distance)
    return model.fit_predict(emb).tolist()


def tune(data: Grouped, embedder: Embedder, log: Callable[[str], Any] = print,
         mixed: Grouped | None = None) -> tuple[Params, float]:
    """The clusterer's threshold (the weights as shipped) and the baseline's distance, on tuning data.

    The threshold with the best mean B-cubed F1 over ``data`` (headlines) and ``mixed`` (headlines and
    descriptions) among those giving <= 1.2 clusters per incident on the headlines (the stream the target is
    about; the mixed set, each incident's paragraph among its headlines, is reported). The weights came from
    earlier grids (w_member 0.1 and w_entity > 0; then the burst bonus); after centring (see
    ``aiwatch.cluster``), a grid over threshold x w_recent x w_lex x w_centroid found nothing better than the
    shipped weights by more than 0.002 mean F1, so only the threshold moved; then w_entity 0.10 -> 0.02, once
    extraction named more parties (a grid of w_entity 0-0.1 x threshold 0.26-0.30).
    """
    sets = [data] + ([mixed] if mixed is not None else [])
    best, best_f = Params(), -1.0
    for th in np.round(np.arange(0.24, 0.361, 0.01), 2).tolist():
        params = replace(Params(), threshold=th)
        scores = [bcubed(run_model(d, params, embedder), d.gold) for d in sets]
        f = float(np.mean([b["f1"] for b in scores]))
        ok = scores[0]["clusters_per_incident"] <= 1.2
        log(f"  tune: threshold {th:.2f}: mean F1 {f:.4f}"
            + "".join(f" ({b['f1']:.3f} at {b['clusters_per_incident']:.2f} cl/inc)" for b in scores))
        if ok and f > best_f:
            best, best_f = params, f
    log(f"  tune: chose threshold {best.threshold:.2f}")
    base_best, base_f = 0.5, -1.0
    for dist in (0.3, 0.4, 0.5, 0.6, 0.7):
        f = bcubed(run_baseline(data, embedder, dist), data.gold)["f1"]
        if f > base_f:
            base_best, base_f = dist, f
    log(f"  baseline: best distance {base_best} (F1 {base_f:.4f})")
    return best, base_best


def order_stability(data: Grouped, embedder: Embedder, params: Params | None = None, seeds: int = 3) -> float:
    """B-cubed F1 between the grouping of the data as given and of shuffled copies (1.0: identical), each
    grouped in one call: taken by date within it, so the order given cannot matter (see ``shuffled_batches``)."""
    ref = run_model(data, params, embedder)
    scores = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(data.docs))
        shuffled = Grouped([data.docs[i] for i in order], [data.gold[i] for i in order])
        pred = run_model(shuffled, params, embedder)
        back = [None] * len(pred)
        for k, i in enumerate(order):
            back[i] = pred[k]
        scores.append(bcubed(back, [{str(x)} for x in ref])["f1"])
    return float(min(scores))


SHUFFLED_BATCH = 100  # articles a call: what one poll of a few feeds brings


def shuffled_batches(data: Grouped, embedder: Embedder, params: Params | None = None, seeds: int = 3,
                     batch: int = SHUFFLED_BATCH, in_date_order: Sequence[Any] | None = None) -> dict[str, Any]:
    """The data in a shuffled order, grouped ``batch`` articles a call by one clusterer, as the pipeline takes
    them: each batch by date, but a late batch brings articles older than incidents it finds (feeds arrive late,
    archives are read back to front). Returns the mean B-cubed scores against the gold over the seeds and, as
    ``agreement_min``, the lowest B-cubed F1 against the grouping of the data in date order (``in_date_order``,
    when the caller has it)."""
    ref = in_date_order if in_date_order is not None else run_model(data, params, embedder)
    runs, agreement = [], []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(data.docs))
        clusterer = Clusterer(params, embedder=embedder)
        pred: list[Any] = [None] * len(data.docs)
        for at in range(0, len(order), batch):
            part = order[at:at + batch]
            for i, (label, _, _) in zip(part, clusterer.assign([data.docs[i] for i in part], new_label=lambda d: d.id),
                                        strict=True):
                pred[i] = label
        runs.append(bcubed(pred, data.gold))
        agreement.append(bcubed(pred, [{str(x)} for x in ref])["f1"])
    out: dict[str, Any] = {k: round(float(np.mean([r[k] for r in runs])), 4)
                           for k in ("precision", "recall", "f1", "clusters_per_incident")}
    return {**out, "agreement_min": round(float(min(agreement)), 4), "batch": batch, "seeds": seeds}


# -- entity roles ----------------------------------------------------------------------------------
def entity_role_eval(root: Path | None = None, log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Deployer/developer precision and recall on AIID descriptions the gazetteer never saw."""
    from aiwatch.entities import EntityExtractor
    from aiwatch.entities import gazetteer as G
    from aiwatch.entities import groups as GR
    from aiwatch.entities import roles as R
    from aiwatch.entities.names import norm

    root = root or shared_dir()
    rows = list(csv.DictReader(require(root / "aiid" / "incidents.csv").open(encoding="utf-8", newline="")))
    held = {int(r["incident_id"]) for r in rows if half_of("ent" + r["incident_id"]) == "test"}
    held_rows = [r for r in rows if int(r["incident_id"]) in held]
    # Gazetteer and role model both rebuilt without the held-apart incidents.
    person = G.spacy_person_check()
    is_body = G.body_evidence(root)
    gaz = G.build(root, exclude_aiid=held, is_person_name=person, is_body=is_body)
    model = R.train(root, exclude_aiid=held, is_person_name=person)
    group_model = GR.train(root, exclude_aiid=held)
    examples: list[dict[str, Any]] = []
    results = {}
    harmed = {"model": Counter(), "rules": Counter(), "every_group_phrase": Counter()}
    # The ceiling for an extractor that reads the text (no extractor involved): AIID's editors list parties the
    # description never names (the city whose police ran the system, a campaign's owner, the maker they know of).
    named_in_text = {role: Counter() for role in ("deployer", "developer")}
    for r in held_rows:
        spans = _name_spans(f"{r['title']}. {r['description']}")
        for role, gold in R.aiid_gold(r, is_body).items():
            named_in_text[role].update(gold=len(gold), named=sum(1 for g in gold if R.matches(g, spans)))
    # The rules alone: no role model, no group heads (the one implied group is "general public", by words).
    for name, ex in (("rules", EntityExtractor(gaz, role_model=None, group_model=None)),
                     ("model", EntityExtractor(gaz, role_model=model, group_model=group_model))):
        counts = {role: Counter() for role in ("deployer", "developer")}
        for r in held_rows:
            facts = ex.extract(r["title"], r["description"])
            gold_all = R.aiid_gold(r, is_body)
            for role in ("deployer", "developer"):
                gold = gold_all[role]
                mine = [e for e in facts.entities if e.role == role]
                named = {norm(e.name) for e in mine}
                predicted = _with_aliases(named, {e.key for e in mine}, gaz["entries"])
                hit_gold = {g for g in gold if _found(g, predicted)}
                # A named party is right under any of its names ("X" where AIID lists "twitter"), as a listed
                # one is found under any of them.
                hit_pred = {norm(e.name) for e in mine
                            if any(R.matches(n, gold) for n in _with_aliases({norm(e.name)}, {e.key}, gaz["entries"]))}
                counts[role].update(gold=len(gold), gold_hit=len(hit_gold), pred=len(named), pred_hit=len(hit_pred))
                if name == "model" and gold - hit_gold and len(examples) < 8:
                    examples.append({"incident": r["incident_id"], "role": role, "missed": sorted(gold - hit_gold),
                                     "found": sorted(named)})
            gold = R.aiid_harmed_groups(r)
            methods = [(name, {norm(e.name) for e in facts.entities if e.role == "harmed_party"})]
            if name == "model":
                methods.append(("every_group_phrase", _group_phrases(f"{r['title']}. {r['description']}")))
            for method, named in methods:
                harmed[method].update(gold=len(gold), pred=len(named),
                                      gold_hit=sum(1 for g in gold if _found(g, named)),
                                      pred_hit=sum(1 for p in named if R.matches(p, gold)))
        results[name] = counts
    out: dict[str, Any] = {"incidents": len(held), "baseline_rules": {}}
    for name, counts in results.items():
        target = out if name == "model" else out["baseline_rules"]
        for role, c in counts.items():
            target[role] = _prf(c)
    out["harmed_party"] = _prf(harmed["model"])
    out["baseline_rules"]["harmed_party"] = _prf(harmed["rules"])
    out["baseline_every_group_phrase"] = {"harmed_party": _prf(harmed["every_group_phrase"])}
    out["named_in_text"] = {role: round(c["named"] / c["gold"], 4) if c["gold"] else 0.0
                            for role, c in named_in_text.items()}
    out["missed_examples"] = examples
    log(f"  entity roles on {len(held)} held-apart AIID incidents: "
        f"deployer R {out['deployer']['recall']:.3f} (rules {out['baseline_rules']['deployer']['recall']:.3f}), "
        f"developer R {out['developer']['recall']:.3f} (rules {out['baseline_rules']['developer']['recall']:.3f}), "
        f"harmed groups R {out['harmed_party']['recall']:.3f} P {out['harmed_party']['precision']:.3f} "
        f"(every group phrase: R {out['baseline_every_group_phrase']['harmed_party']['recall']:.3f} "
        f"P {out['baseline_every_group_phrase']['harmed_party']['precision']:.3f}); named in the description "
        f"at all: deployers {out['named_in_text']['deployer']:.3f}, developers {out['named_in_text']['developer']:.3f}"
        " (the rest only through what the gazetteer knows, such as a named system's maker)")
    return out


# Words that match part of many names and name no party by themselves ("police" is in "chicago police department").
_NOT_A_NAME = frozenset("government group company inc city state department national university police council "
                        "ministry office agency court news media services international".split())


def _name_spans(text: str, longest: int = 4) -> set[str]:
    """Every run of 1-``longest`` words of the text, normalised as names are, that could be a name: what
    an extractor naming every party written in the text would offer the scorer (``roles.matches``)."""
    from aiwatch.entities.names import norm

    words = norm(text).split()
    return {w for n in range(1, longest + 1) for i in range(len(words) - n + 1)
            if len(w := " ".join(words[i:i + n])) > 3 and w not in _NOT_A_NAME}


def _found(gold: str, named: set[str]) -> bool:
    """A gold name is found when it matches a named one, or a named one matches it ("Meta" / "Meta Platforms")."""
    from aiwatch.entities import roles as R

    return R.matches(gold, named) or any(R.matches(p, {gold}) for p in named)


def _with_aliases(names: set[str], keys: set[str], entries: dict[str, Any]) -> set[str]:
    """The names, and the gazetteer aliases of the entities with those keys (normalised)."""
    from aiwatch.entities.names import norm

    out = set(names)
    for k in keys:
        out |= {norm(a) for a in entries.get(k, {}).get("aliases", [])}
    return out


def _prf(c: Counter) -> dict[str, Any]:
    p = c["pred_hit"] / c["pred"] if c["pred"] else 0.0
    rc = c["gold_hit"] / c["gold"] if c["gold"] else 0.0
    return {"precision": round(p, 4), "recall": round(rc, 4), "f1": round(2 * p * rc / (p + rc), 4) if p + rc else 0.0,
            "gold": c["gold"]}


def _group_phrases(text: str) -> set[str]:
    """The harmed-party baseline: every group noun of the text with the word before it ("job applicants",
    "the users"), harmed or not."""
    import re

    from aiwatch.entities.names import GROUP_HEADS, norm

    words = re.findall(r"[A-Za-z][\w'-]*", text)
    out = set()
    for i, w in enumerate(words):
        if w.lower() in GROUP_HEADS:
            out.add(norm(" ".join(x.lower() for x in words[max(0, i - 1):i + 1])))
    return out


# -- countries -------------------------------------------------------------------------------------

def country_sets(root: Path) -> dict[str, list[tuple[str, str, str, set[str]]]]:
    """Texts with the countries curated data places them in: (id, title, text, countries).

    * aiid_cset — AIID incidents (title + description) with CSET's annotated ``Location Country`` (the
      adjudicated file first, then each annotator's);
    * oecd_sample — the OECD monitor's events (title + summary) with their country;
    * aiaaic_headlines — AIAAIC's headlines with their one jurisdiction (rows of several or "Global" left
      out); a headline seldom names its place, so recall is low by nature and precision is the check."""
    from aiwatch.entities.places import country_of_jurisdiction

    cset: dict[str, set[str]] = {}
    for name in ("", "_Annotator-1", "_Annotator-2", "_Annotator-3"):
        path = root / "aiid" / f"classifications_CSETv1{name}.csv"
        if path.exists():
            for r in csv.DictReader(path.open(encoding="utf-8", newline="")):
                c = country_of_jurisdiction(r.get("Location Country (two letters)", ""))
                if c:
                    cset.setdefault(r["Incident ID"].strip(), {c})
    incidents = {r["incident_id"]: r for r in csv.DictReader(
        require(root / "aiid" / "incidents.csv").open(encoding="utf-8", newline=""))}
    out: dict[str, list[tuple[str, str, str, set[str]]]] = {
        "aiid_cset": [(i, incidents[i]["title"], incidents[i]["description"], g) for i, g in sorted(cset.items())
                      if i in incidents]}
    oecd = root / "oecd_aim_sample" / "aim_sample.jsonl"
    if oecd.exists():
        rows = [json.loads(line) for line in oecd.open(encoding="utf-8") if line.strip()]
        out["oecd_sample"] = [(r["id"], r["title"], r.get("summary") or "", {c}) for r in rows
                              if (c := country_of_jurisdiction(r.get("country") or ""))]
    aiaaic = root / "aiaaic" / "incidents.csv"
    if aiaaic.exists():
        out["aiaaic_headlines"] = []
        for r in csv.DictReader(aiaaic.open(encoding="utf-8", newline="")):
            places = [x for x in (r.get("Impacted area | Jurisdiction") or "").split(";") if x.strip()]
            if len(places) == 1 and (c := country_of_jurisdiction(places[0])):
                out["aiaaic_headlines"].append((r["AIAAIC ID#"], r["Headline"], "", {c}))
    return out


def country_eval(root: Path | None = None, log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Precision and recall of the countries aiwatch gives a text against curated data's (``country_sets``):
    ``model`` as an incident record gets them (the places the text names, else its deployers' or developers'
    usual countries: ``entities.party_countries``), ``named_only`` the places alone, and a baseline: the
    countries and states spaCy tags as places (GPE), by name alone (no cities, peoples' adjectives or
    organisations' names). The AIID texts and the OECD events are read with a gazetteer built without the
    AIID incidents scored; AIAAIC's headlines are scored on one half of its incidents (``half_of``), read
    with a gazetteer built without that half (the parties' countries come from AIAAIC's jurisdictions)."""
    from aiwatch.entities import EntityExtractor, party_countries
    from aiwatch.entities import gazetteer as G
    from aiwatch.entities.places import country_of

    root = root or shared_dir()
    sets = country_sets(root)
    person = G.spacy_person_check()
    cset_ids = {int(i) for i, *_ in sets["aiid_cset"]}
    held = {i for i, *_ in sets.get("aiaaic_headlines", []) if half_of("country" + i) == "test"}
    if "aiaaic_headlines" in sets:
        sets["aiaaic_headlines"] = [item for item in sets["aiaaic_headlines"] if item[0] in held]
    base = EntityExtractor(G.build(root, exclude_aiid=cset_ids, is_person_name=person))
    readers = dict.fromkeys(sets, base)
    if held:
        readers["aiaaic_headlines"] = EntityExtractor(
            G.build(root, exclude_aiid=cset_ids, is_person_name=person, exclude_aiaaic=held),
            role_model=base.role_model, group_model=base.group_model)
    out: dict[str, Any] = {}
    for name, items in sets.items():
        ex = readers[name]
        texts = [(title, text) for _, title, text, _ in items]
        facts = ex.extract_many(texts)
        found = {"model": [set(f.countries or party_countries(f.entities, ex.gaz)) for f in facts],
                 "named_only": [set(f.countries) for f in facts],
                 "baseline_gpe_names": [{c for e in doc.ents if e.label_ == "GPE" and (c := country_of(e.text))}
                                        for doc in ex.nlp.pipe(f"{t}. {x}" if x else t for t, x in texts)]}
        out[name] = {}
        for method, predicted in found.items():
            c: Counter = Counter()
            for (*_, gold), pred in zip(items, predicted, strict=True):
                c.update(gold=len(gold), gold_hit=len(gold & pred), pred=len(pred), pred_hit=len(gold & pred))
            out[name][method] = _prf(c)
        m, n, b = out[name]["model"], out[name]["named_only"], out[name]["baseline_gpe_names"]
        log(f"  countries, {name} ({len(items)} texts): P {m['precision']:.3f} R {m['recall']:.3f} (places named "
            f"alone: P {n['precision']:.3f} R {n['recall']:.3f}; GPE names alone: P {b['precision']:.3f} "
            f"R {b['recall']:.3f})")
    return out


# -- organisations in real news --------------------------------------------------------------------

def news_organisation_eval(root: Path | None = None, log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Of the main organisations the annotator of the hand-labelled AI news wrote down for each relevant
    article (``organisations``), the share aiwatch lists as a party of the article (any role, a gazetteer
    alias counting), and the share it names at all (parties and the named bodies it gave no role: the
    ceiling for the role step). The articles are as crawled: their first 3,000 characters, page furniture
    included. The annotator lists the main organisations only, so there is no precision to measure."""
    from aiwatch.classify.data import news_rows
    from aiwatch.entities import default
    from aiwatch.entities.names import norm

    root = root or shared_dir()
    labels = [json.loads(line) for line in require(root / "ai_news_labeled" / "labels.jsonl").open(encoding="utf-8")
              if line.strip()]
    wanted = {r["art_id"]: r for r in labels if r["category"] != "unrelated" and r.get("organisations")}
    texts = {aid: (r["title"], r["text_head"]) for aid, r in news_rows(root).items() if aid in wanted}
    ids = sorted(texts)
    ex = default()
    entries = ex.gaz["entries"]

    c: Counter = Counter()
    for i, facts in zip(ids, ex.extract_many([texts[i] for i in ids]), strict=True):
        named = {e.key for e in facts.entities if e.kind != "group"} | {
            norm(e.name) for e in facts.entities if e.kind != "group"}
        parties = _with_aliases(named, named, entries)
        candidates = {k for k, _ in ex.role_candidates(*texts[i])}
        bodies = parties | _with_aliases(candidates, candidates, entries)
        for g in {norm(o) for o in wanted[i]["organisations"]}:
            c.update(gold=1, party=_found(g, parties), named=_found(g, bodies))
    out = {"articles": len(ids), "organisations": c["gold"],
           "recall_as_party": round(c["party"] / c["gold"], 4) if c["gold"] else 0.0,
           "recall_named": round(c["named"] / c["gold"], 4) if c["gold"] else 0.0}
    log(f"  organisations in {len(ids)} hand-labelled news articles: {out['recall_as_party']:.3f} of the "
        f"annotator's {c['gold']} main organisations listed as a party, {out['recall_named']:.3f} named at all")
    return out


# -- the whole report ------------------------------------------------------------------------------
def evaluate(log: Callable[[str], Any] = print, *, tune_grid: bool = False, entities: bool = True) -> dict[str, Any]:
    root = shared_dir()
    embedder = Embedder(memo=True)
    params, base_dist = Params(), BASELINE_DISTANCE
    if tune_grid:
        log("tuning on the tune half of aiid_reports ...")
        params, base_dist = tune(with_entities(aiid_reports(root, "tune")), embedder, log,
                                 mixed=with_entities(aiid_mixed(root, "tune")))
    report: dict[str, Any] = {"params": params.__dict__, "encoder": embedder.name, "datasets": {}}
    test_half = with_entities(aiid_reports(root, "test"))  # read and keyed once: five uses below
    all_reports = with_entities(aiid_reports(root))
    in_date_order: dict[str, list[Any]] = {}  # each set's grouping, for shuffled_batches to compare with
    for name, data in (("aiid_reports_test", test_half), ("aiid_reports_all", all_reports),
                       ("aiid_reports_test_by_year", by_year(test_half)),
                       ("aiid_mixed_test", aiid_mixed(root, "test")),
                       ("aiid_descriptions_test", aiid_descriptions(root, "test")), ("wikiref", wikiref(root))):
        log(f"{name}: {len(data.docs)} articles")
        data = with_entities(data)
        pred, base_pred = run_model(data, params, embedder), run_baseline(data, embedder, base_dist)
        in_date_order[name] = pred
        singles = list(range(len(data.docs)))
        report["datasets"][name] = {"model": bcubed(pred, data.gold),
                                    "baseline_agglomerative": bcubed(base_pred, data.gold),
                                    "baseline_singletons": bcubed(singles, data.gold)}
        if name == "aiid_reports_all":
            # The test half's headlines among all of them: the same events in a stream twice as dense, as the
            # news is (the other half's headlines are there, scored only as the company these keep).
            in_test = {d.id for d in test_half.docs}
            test = [i for i, d in enumerate(data.docs) if d.id in in_test]
            report["datasets"]["aiid_reports_test_in_all"] = {
                "model": bcubed(pred, data.gold, test), "baseline_agglomerative": bcubed(base_pred, data.gold, test),
                "baseline_singletons": bcubed(singles, data.gold, test)}
    report["order_stability_f1"] = order_stability(test_half, embedder, params)
    # The pipeline's way: shuffled, a batch at a time (the held-apart half alone, and among all of AIID's).
    report["shuffled_batches"] = {
        name: shuffled_batches(data, embedder, params, in_date_order=in_date_order[name])
        for name, data in (("aiid_reports_test", test_half), ("aiid_reports_all", all_reports))}
    if entities:
        report["entity_roles"] = entity_role_eval(root, log)
        report["countries"] = country_eval(root, log)
        report["news_organisations"] = news_organisation_eval(root, log)
    return report



def check_floors(report: dict[str, Any], path: Path = FLOORS_FILE) -> list[str]:
    floors = json.loads(path.read_text())
    failures = []
    for dotted, floor in floors.items():
        if dotted.startswith("_"):
            continue
        value: Any = report
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            failures.append(f"{dotted}: missing from the report")
        elif dotted.endswith("clusters_per_incident") and value > floor:
            failures.append(f"{dotted} = {value} > ceiling {floor}")
        elif not dotted.endswith("clusters_per_incident") and value < floor:
            failures.append(f"{dotted} = {value} < floor {floor}")
    return failures

