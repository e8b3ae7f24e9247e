"""Harmed groups a text implies without naming them: one learnt head per group AIID's editors list often.

AIID's editors list the people an incident harmed as groups, and most of them are never written in the
description: "general public" for false content spread in public (listed for 279 incidents), "educational
communities" for harm in schools, "minors" where the text says "a child" or "13-year-olds", "social media
users" for a platform's feed. The extractor's rules name the groups a text spells out ("job applicants
were rejected"); for these, a logistic regression per group reads the whole text (title and sentences, as
TF-IDF over words) and names the group when its probability reaches ``threshold``, with the sentence
that pushes hardest towards it as the evidence.

Fitted by ``aiwatch train-cluster`` on AIID's incident descriptions (``train``): every group listed for
at least ``MIN_INCIDENTS`` incidents gets a head; the threshold is chosen by 5-fold cross-validation inside
the training data (micro-F1 over the heads). ``aiwatch eval-clusters`` fits it again without the held-apart
incidents and scores the extractor's harmed groups on them (``cluster.evaluate.entity_role_eval``).
Measured there, against the extractor with the rules alone (whose one implied group was "general public"
from words such as "misinformation" or "deepfake"): see the README.

Only groups: the labels are AIID's harmed parties that read as groups of people
(``roles.aiid_harmed_groups``); a person never is one.

The heads ship in ``groups.npz`` (vocabulary, IDF, one row of half-precision weights per group: ~400 KB).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GROUP_FILE = Path(__file__).resolve().parent / "groups.npz"
MIN_INCIDENTS = 5  # a group listed for fewer incidents gets no head
MAX_FEATURES = 5_000
# Words, not word pairs: by 5-fold cross-validation inside the tuning half of AIID's incidents (the half
# `aiwatch eval-clusters` does not score), heads over words alone reached micro-F1 0.473 against 0.468 with word
# pairs too (0.469 with 20,000 features); C 1, 4 and 16 gave 0.474, 0.473 and 0.481 (within the noise).
C = 4.0
FOLDS = 5
SEED = 0
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.65, 0.05))


def _weigh(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """TF-IDF rows as scikit-learn's TfidfVectorizer(sublinear_tf=True) makes them: 1 + log(tf), times IDF,
    unit length. Written out so that training and inference share one definition, and the shipped file
    holds arrays rather than a pickled vectorizer. Dense: a text's few sentences at inference (scipy's sparse
    bookkeeping had cost more than the arithmetic, 0.9 ms an article), ~1,400 descriptions in training."""
    X = np.zeros_like(counts, dtype=np.float64)
    nz = counts > 0
    X[nz] = 1.0 + np.log(counts[nz])
    X *= idf
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return X / norms


@dataclass
class GroupModel:
    labels: list[str]  # normalised group names (``names.norm``), one per head
    vocab: list[str]
    idf: np.ndarray
    coef: np.ndarray  # (len(labels), len(vocab))
    bias: np.ndarray  # (len(labels),)
    threshold: float

    def __post_init__(self) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self._analyze = CountVectorizer().build_analyzer()  # the words ``_vocabulary`` counted
        self._index = {w: i for i, w in enumerate(self.vocab)}

    def counts(self, texts: list[str]) -> np.ndarray:
        """Word counts of the texts over the vocabulary, one dense row each."""
        out = np.zeros((len(texts), len(self.vocab)))
        for row, text in enumerate(texts):
            cols = [i for w in self._analyze(text) if (i := self._index.get(w)) is not None]
            if cols:
                out[row] = np.bincount(cols, minlength=len(self.vocab))
        return out

    def proba(self, texts: list[str]) -> np.ndarray:
        """(len(texts), len(labels)) probabilities."""
        return self._proba(_weigh(self.counts(texts), self.idf))

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(X @ self.coef.T + self.bias, -30, 30)))

    def predict(self, sentences: list[str]) -> list[tuple[str, float, str]]:
        """(group, probability, evidence sentence) for each group the text implies, likeliest first.

        The text is its sentences joined by spaces, so its word counts are the sum of theirs: one count of the
        sentences serves both."""
        if not sentences or not self.labels:
            return []
        counts = self.counts(sentences)
        p = self._proba(_weigh(counts.sum(axis=0, keepdims=True), self.idf))[0]
        chosen = [j for j in np.argsort(-p, kind="stable") if p[j] >= self.threshold]
        if not chosen:
            return []
        # The sentence whose words push hardest towards the group (a linear head's per-sentence contribution).
        contrib = _weigh(counts, self.idf) @ self.coef[chosen].T
        return [(self.labels[j], float(p[j]), sentences[int(np.argmax(contrib[:, k]))])
                for k, j in enumerate(chosen)]

    def save(self, path: Path = GROUP_FILE) -> Path:
        np.savez_compressed(path, labels=np.array(self.labels), vocab=np.array(self.vocab),
                            idf=self.idf.astype(np.float32), coef=self.coef.astype(np.float16),
                            bias=self.bias.astype(np.float32), threshold=np.array(self.threshold))
        return path


def load(path: Path = GROUP_FILE) -> GroupModel | None:
    """The shipped heads, or None when there are none (then the extractor's rules alone name groups)."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as d:
        return GroupModel([str(x) for x in d["labels"]], [str(x) for x in d["vocab"]], d["idf"].astype(np.float64),
                          d["coef"].astype(np.float64), d["bias"].astype(np.float64), float(d["threshold"]))


def _fit_heads(X: np.ndarray, gold: list[set[str]], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((len(labels), X.shape[1]))
    bias = np.zeros(len(labels))
    for j, label in enumerate(labels):
        y = np.array([label in g for g in gold])
        if y.all() or not y.any():  # a fold without one of the two: the head says the share it saw
            bias[j] = 30.0 if y.all() else -30.0
            continue
        head = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(X, y)
        coef[j], bias[j] = head.coef_[0], head.intercept_[0]
    return coef, bias


def _vocabulary(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The MAX_FEATURES commonest words (in two texts or more), their IDF and the texts' counts."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(min_df=2, max_features=MAX_FEATURES)
    counts = counter.fit_transform(texts).toarray()
    vocab = [w for w, _ in sorted(counter.vocabulary_.items(), key=lambda kv: kv[1])]
    df = (counts > 0).sum(axis=0)
    idf = np.log((1 + counts.shape[0]) / (1 + df)) + 1.0  # scikit-learn's smoothed IDF
    return vocab, idf, counts


def fit(texts: list[str], gold: list[set[str]]) -> GroupModel:
    """Heads for every group listed for MIN_INCIDENTS texts or more; threshold by cross-validation."""
    from sklearn.model_selection import KFold

    counts = Counter(g for gs in gold for g in gs)
    labels = sorted(g for g, n in counts.items() if n >= MIN_INCIDENTS)
    oof = np.zeros((len(texts), len(labels)))
    for train_idx, test_idx in KFold(FOLDS, shuffle=True, random_state=SEED).split(texts):
        vocab, idf, fold_counts = _vocabulary([texts[i] for i in train_idx])
        fold = GroupModel(labels, vocab, idf, *_fit_heads(_weigh(fold_counts, idf), [gold[i] for i in train_idx],
                                                          labels), 0.5)
        oof[test_idx] = fold.proba([texts[i] for i in test_idx])
    truth = np.array([[label in g for label in labels] for g in gold])
    best, best_f1 = 0.5, -1.0
    for t in THRESHOLDS:
        pred = oof >= t
        tp = int((pred & truth).sum())
        f1 = 2 * tp / max(int(pred.sum()) + int(truth.sum()), 1)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = t, f1
    vocab, idf, all_counts = _vocabulary(texts)
    return GroupModel(labels, vocab, idf, *_fit_heads(_weigh(all_counts, idf), gold, labels), float(best))


def train(root: Path, *, exclude_aiid: set[int] | None = None) -> GroupModel:
    """Fit on AIID's incident descriptions (title and description) and their harmed groups."""
    from aiwatch.entities.roles import aiid_harmed_groups

    exclude_aiid = exclude_aiid or set()
    with (root / "aiid" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if int(r["incident_id"]) not in exclude_aiid and r["description"]]
    return fit([f"{r['title']}. {r['description']}" for r in rows], [aiid_harmed_groups(r) for r in rows])
