"""Lexical similarity for clustering: hashed TF-IDF with IDF tables learnt from news, shipped in the package.

Two reports of one event share rare words — names of places, firms and systems ("Tumbler Ridge",
"Grok", "Clearview") — more reliably than an encoder's sentence meaning does, and an encoder trained
on general text knows nothing of next week's new names. A hashing vectorizer gives every word a
column, seen before or not; the IDF tables (``models/idf.npz``, rebuilt by ``aiwatch train-cluster``)
say how common each is. A word a table has never seen gets the highest weight: a new name is exactly
the word that tells one story from another.

Two tables. ``load_idf``: how common a word is in news (~20k articles in ../shared/data), which says
whether a capitalised word is a name (``cluster.proper_names``) or an everyday word. ``load_event_idf``,
which the clustering's vectors read: the same news, with AIAAIC's ~1,900 incident headlines counted
``EVENT_WEIGHT`` times each, so that a word common among stories of AI harm weighs little. "Deepfake",
"scam", "chatbot", "robotaxi" and "lawsuit" are rare in news at large, and had made any two deepfake
scams, or any two robotaxi mishaps, alike in words: they say which kind of story it is, not which story.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.preprocessing import normalize

N_FEATURES = 2 ** 19
IDF_FILE = Path(__file__).resolve().parent / "models" / "idf.npz"
LEAD_CHARS = 1200  # title + lead: what a story is about is said first
# Words every AI-harm story shares: they say the story is about AI, not which story it is.
DOMAIN_STOP = frozenset("""
ai artificial intelligence said says new report reports reported according year years people use used using
company companies technology tech also just like would could one two first time week news
""".split())


@functools.lru_cache(maxsize=1)
def _vectorizer() -> HashingVectorizer:  # stateless: one serves every call
    return HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None, lowercase=True,
                             stop_words=sorted(ENGLISH_STOP_WORDS | DOMAIN_STOP),
                             token_pattern=r"(?u)\b[^\W\d_][\w'’-]*\w\b|\b\d{3,}\b", dtype=np.float32)


def lex_text(title: str, text: str) -> str:
    # The title twice: a headline is the densest statement of what happened.
    return f"{title or ''}. {title or ''}. {(text or '')[:LEAD_CHARS]}"


# Each AIAAIC incident headline counts as this many news articles in the event table. Chosen on the tuning half
# of AIID's report headlines (1, 5, 10, 15, 20, 30, 50, 100, 1000): B-cubed F1 0.826 -> 0.831 (the best of 10-20),
# the same headlines among all of AIID's 0.764 -> 0.788, its descriptions' precision 0.889 -> 0.902; past 30 the
# tuning half fell again (100: 0.825, 1000: 0.811). The weight lowers the names many incidents write too
# ("Tesla" 6.3 -> 4.7 at 20), which still tell a firm's coverage from other firms'.
EVENT_WEIGHT = 20.0


def _df(texts: Iterable[str]) -> tuple[np.ndarray, int]:
    counts = _vectorizer().transform(list(texts))
    return np.bincount(counts.indices, minlength=N_FEATURES), counts.shape[0]


def fit_idf(texts: Iterable[str], events: Iterable[str] = (), event_weight: float = EVENT_WEIGHT) -> np.ndarray:
    """IDF per hashed column from a corpus of news: log((N + 1) / (df + 1)) + 1, where each of ``events``
    (texts of AI incidents) counts ``event_weight`` times, as a document and in the frequencies."""
    df, n = _df(texts)
    events = list(events)
    if events:
        df_events, n_events = _df(events)
        df, n = df + event_weight * df_events, n + event_weight * n_events
    return (np.log((n + 1) / (df + 1)) + 1).astype(np.float32)


def save_idf(idf: np.ndarray, path: Path = IDF_FILE, event_idf: np.ndarray | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = {"idf": idf.astype(np.float16)}
    if event_idf is not None:
        tables["event_idf"] = event_idf.astype(np.float16)
    np.savez_compressed(path, **tables)


@functools.lru_cache(maxsize=2)
def load_idf(path: Path = IDF_FILE) -> np.ndarray:
    """How common each word is in news."""
    if not path.exists():  # not built: plain term counts (every word weighs the same)
        return np.ones(N_FEATURES, dtype=np.float32)
    return np.load(path)["idf"].astype(np.float32)


@functools.lru_cache(maxsize=2)
def load_event_idf(path: Path = IDF_FILE) -> np.ndarray:
    """How common each word is in news and among stories of AI harm (the news table where none was built)."""
    if not path.exists():
        return load_idf(path)
    with np.load(path) as tables:
        return tables["event_idf"].astype(np.float32) if "event_idf" in tables else load_idf(path)


def vectors(titles: list[str], texts: list[str], idf: np.ndarray | None = None) -> csr_matrix:
    """L2-normalised sublinear TF-IDF rows, one per document (``idf``: the news table unless given)."""
    idf = load_idf() if idf is None else idf
    tf = _vectorizer().transform([lex_text(a, b) for a, b in zip(titles, texts, strict=True)])
    # Each entry times its column's IDF, in place: the same as ``tf @ diags(idf)`` without building a
    # 2**19-wide diagonal matrix on every call (most of the call, for the few sentences of a summary).
    tf.data = (1 + np.log(tf.data)) * idf[tf.indices]
    return normalize(tf, copy=False).tocsr()


def idf_of(word: str) -> float | None:
    """The table's IDF of one word (None for a stop word or no word): how ordinary it is in news."""
    return idf_many([word])[0]


def idf_many(words: list[str]) -> list[float | None]:
    """``idf_of`` for many words in one pass of the vectorizer (a call per word spent most of its time
    setting the analyzer up: under cProfile 1.9 s of the cluster stage's 21 on the 10k bench; without the
    profiler the stage went 14 -> 12 s)."""
    if not words:
        return []
    rows = _vectorizer().transform(words)
    idf = load_idf()[rows.indices]
    return [float(idf[a:b].min()) if b > a else None for a, b in zip(rows.indptr[:-1], rows.indptr[1:], strict=True)]
