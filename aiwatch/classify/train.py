"""`aiwatch train`: reproduce the shipped classifier from ../shared/data with a fixed seed.

1. load every labelled example (``data.load``) and keep the training split: every group
   (incident or story) whose hash fold is not VAL_FOLD — the validation fold is never seen;
2. set the screen's threshold by 3-fold group cross-validation inside the training split: SCREEN_RECALL
   on report headlines, STREAM_SCREEN_RECALL on hand-labelled news articles, whichever is lower
   (summaries are too easy to count);
3. embed the examples with the encoder (cached on disk) and fit every head (``model.fit``);
4. set each mode's decision bar on P(unrelated) by the same inner cross-validation: the bar that gives
   the best relevance F1 on the hand-labelled news articles held out of each inner fold;
5. save to ``aiwatch/classify/models/classifier.joblib``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from aiwatch.classify import data, encoders
from aiwatch.classify import model as M
from aiwatch.classify.data import Example
from aiwatch.classify.text import classifier_text, encoder_text

K_FOLDS = 5
VAL_FOLD = 0  # the held-apart validation fold, by group
INNER_FOLDS = 3


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    train = [e for e in examples if data.fold_of(e.group, K_FOLDS) != VAL_FOLD]
    val = [e for e in examples if data.fold_of(e.group, K_FOLDS) == VAL_FOLD]
    return train, val


def embed(examples: list[Example], encoder: str | None, progress: Callable[[int], object] | None = None
          ) -> np.ndarray | None:
    if not encoder:
        return None
    enc = encoders.get(encoder)
    docs = [encoder_text(e.title, e.text) for e in examples]
    return encoders.EmbeddingCache().encode(enc, docs, progress=progress)


def screen_threshold(examples: list[Example]) -> float:
    """Out-of-fold screen scores inside the training data -> the threshold keeping SCREEN_RECALL."""
    docs = np.array([classifier_text(e.title, e.text) for e in examples], dtype=object)
    y = np.array([e.category for e in examples])
    w = np.array([e.weight for e in examples]) * np.where([e.origin == data.LABELLED for e in examples],
                                                           M.STREAM_WEIGHT, 1.0)
    folds = np.array([data.fold_of(e.group, INNER_FOLDS, seed=1) for e in examples])
    scores = np.zeros(len(examples))
    for k in range(INNER_FOLDS):
        tr, te = folds != k, folds == k
        vec, _, screen = M.fit_screen(list(docs[tr]), y[tr], w[tr])
        proba = screen.predict_proba(vec.transform(list(docs[te])))
        scores[te] = proba[:, list(screen.classes_).index("relevant")]
    relevant = y != "unrelated"
    articles = np.array([e.origin == data.LABELLED for e in examples]) & relevant
    # Report headlines: the hand-labelled articles' own headlines are judged with their articles (a headline
    # alone often does not show the harm the annotator read in the text).
    others = np.array([e.style != "summary" and e.origin not in (data.LABELLED, data.LABELLED_TITLES)
                       for e in examples]) & relevant
    return min(M.threshold_for_recall(scores, articles, M.STREAM_SCREEN_RECALL),
               M.threshold_for_recall(scores, others, M.SCREEN_RECALL))


BARS = np.round(np.arange(0.05, 0.951, 0.05), 2)


def decision_bars(examples: list[Example], encoder: str | None, screen: float, modes: tuple[str, ...]
                  ) -> dict[str, float]:
    """Per mode, the bar on P(unrelated) with the best out-of-fold relevance F1 on hand-labelled news; and
    per mode the bar for a headline alone ("<mode>:headline"), the same way on those articles' headlines."""
    folds = np.array([data.fold_of(e.group, INNER_FOLDS, seed=1) for e in examples])
    kinds = {"": data.LABELLED, f":{M.HEADLINE_ONLY}": data.LABELLED_TITLES}
    gold: dict[str, list[bool]] = {kind: [] for kind in kinds}
    unrel = {(m, kind): [] for m in modes for kind in kinds}
    away = {(m, kind): [] for m in modes for kind in kinds}
    for k in range(INNER_FOLDS):
        inner = None
        for kind, origin in kinds.items():
            test = [e for e, f in zip(examples, folds, strict=True) if f == k and e.origin == origin]
            if not test:
                continue
            # Fitted without bars: its scores are the heads' own P(unrelated).
            inner = inner or fit_examples([e for e, f in zip(examples, folds, strict=True) if f != k], encoder,
                                          threshold=screen, with_tags=False)
            gold[kind] += [e.category != "unrelated" for e in test]
            for m in modes:
                for p in inner.predict([e.title for e in test], [e.text for e in test], m):
                    unrel[m, kind].append(p.scores["unrelated"])
                    away[m, kind].append(p.screened_out)
    out = {}
    for kind in kinds:
        if not gold[kind]:
            continue
        g = np.array(gold[kind])
        for m in modes:
            u, a = np.array(unrel[m, kind]), np.array(away[m, kind])
            f1s = [_f1(g, (u < bar) & ~a) for bar in BARS]
            out[m + kind] = float(BARS[int(np.argmax(f1s))])
    return out


def _f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(gold & pred))
    return 2 * tp / max(float(gold.sum() + pred.sum()), 1.0)


def fit_examples(examples: list[Example], encoder: str | None, *, threshold: float | None = None,
                 with_tags: bool = True, version: str | None = None,
                 progress: Callable[[int], object] | None = None) -> M.ClassifierModel:
    emb = embed(examples, encoder, progress)
    return M.fit([e.title for e in examples], [e.text for e in examples], [e.category for e in examples],
                 np.array([e.weight for e in examples]), np.array([e.origin == data.LABELLED for e in examples]),
                 [e.tags for e in examples], encoder=encoder, embeddings=emb, screen_threshold=threshold,
                 version=version, with_tags=with_tags)


def train(out: Path = M.MODEL_FILE, encoder: str | None = encoders.DEFAULT, root: Path | None = None,
          progress: Callable[[int], object] | None = None, log: Callable[[str], object] = print) -> M.ClassifierModel:
    examples = data.load(root)
    train_set, val = split(examples)
    log(f"examples: {len(examples):,} ({len(train_set):,} train, {len(val):,} held apart for `aiwatch eval`)")
    if encoder and not encoders.available(encoder):
        log(f"encoder {encoder} is not installed: training the fast (TF-IDF) model only")
        encoder = None
    threshold = screen_threshold(train_set)
    log(f"screen threshold (inner CV: {M.SCREEN_RECALL:.0%} recall on headlines, {M.STREAM_SCREEN_RECALL:.0%} on "
        f"hand-labelled articles): {threshold:.4f}")
    model = fit_examples(train_set, encoder, threshold=threshold, progress=progress)
    modes = ("cascade", "fast") if model.encoder else ("fast",)
    model.decision = decision_bars(train_set, model.encoder, threshold, modes)
    log("decision bars on P(unrelated) (inner CV, relevance F1 on hand-labelled news and on their headlines "
        "alone): " + ", ".join(f"{m} {b:.2f}" for m, b in model.decision.items()))
    model.info.update({"val_fold": VAL_FOLD, "k_folds": K_FOLDS, "seed": M.SEED,
                       "counts": {c: sum(e.category == c for e in train_set) for c in ("incident", "hazard",
                                                                                       "complementary", "unrelated")}})
    path = model.save(out)
    log(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return model
