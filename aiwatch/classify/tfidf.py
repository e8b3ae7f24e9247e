"""scikit-learn's ``TfidfVectorizer.transform`` for the classifier's word n-grams, counted with numpy.

The shipped vectorizers (``model.fit``: words and word pairs, scikit-learn's default tokens, lower case)
are fitted with scikit-learn; only counting new documents is done here. scikit-learn counts in a Python
loop over every n-gram of every document, building the string of each word pair first: 4.2 s for the main
vectorizer over the 10k bench articles (a few hundred n-grams each; ``predict`` took ~21 s in all), the largest
part that is neither a model nor the store. Here a document's words become ids in one dict lookup each, its word pairs
are looked up as pairs of ids in one sorted array for the whole batch, and the counts go to scikit-learn's
own TF-IDF weighting. The matrix is the one scikit-learn makes, entry for entry (a test compares them);
a vectorizer this does not cover (another analyzer, stop words, n-grams past pairs) is left to scikit-learn.
"""

from __future__ import annotations

import re
import weakref
from itertools import repeat
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

DEFAULT_TOKENS = r"(?u)\b\w\w+\b"


class _Index:
    """A fitted vectorizer's vocabulary as word ids: word -> id, id -> its column, (id, id) -> a pair's column."""

    def __init__(self, vec: Any) -> None:
        words: dict[str, int] = {}
        pairs: list[tuple[str, str, int]] = []
        singles: list[tuple[str, int]] = []
        for feature, col in vec.vocabulary_.items():
            parts = feature.split(" ")
            for w in parts:
                words.setdefault(w, len(words))
            if len(parts) == 1:
                singles.append((feature, col))
            else:
                pairs.append((parts[0], parts[1], col))
        self.n_words = len(words)
        self.word_id = words.get
        self.single_col = np.full(self.n_words + 1, -1, np.int64)  # the last slot: a word not in the vocabulary
        for w, col in singles:
            self.single_col[words[w]] = col
        keys = np.array([words[a] * self.n_words + words[b] for a, b, _ in pairs], np.int64)
        order = np.argsort(keys)
        self.pair_keys = keys[order]
        self.pair_col = np.array([c for _, _, c in pairs], np.int64)[order]
        # scikit-learn's default tokens, "\b\w\w+\b", are the runs of two or more word characters, which
        # "\w\w+" finds too (a match can only start where a run starts) in three quarters of the time.
        self.pattern = re.compile(r"\w\w+" if vec.token_pattern == DEFAULT_TOKENS else vec.token_pattern)
        self.n_features = len(vec.vocabulary_)


_INDEX: weakref.WeakKeyDictionary[Any, _Index] = weakref.WeakKeyDictionary()


def supported(vec: Any) -> bool:
    """Whether ``transform`` reproduces this vectorizer: words and word pairs, default analysis."""
    return (vec.analyzer == "word" and vec.tokenizer is None and vec.preprocessor is None
            and vec.stop_words is None and vec.strip_accents is None and vec.lowercase and not vec.binary
            and vec.input == "content" and tuple(vec.ngram_range) in ((1, 1), (1, 2))
            and re.compile(vec.token_pattern).groups == 0 and hasattr(vec, "vocabulary_")
            and hasattr(vec, "_tfidf"))  # (scikit-learn's fitted weighting, a private name: checked, not assumed)


def counts(vec: Any, docs: list[str]) -> csr_matrix:
    """The n-gram counts of ``docs`` over ``vec``'s vocabulary (scikit-learn's ``_count_vocab``)."""
    index = _INDEX.get(vec)
    if index is None:
        index = _INDEX[vec] = _Index(vec)
    findall, word_id, unknown = index.pattern.findall, index.word_id, index.n_words
    ids: list[int] = []
    lengths = np.zeros(len(docs), np.int64)
    for i, doc in enumerate(docs):
        found = list(map(word_id, findall(doc.lower()), repeat(unknown)))
        lengths[i] = len(found)
        ids += found
    word = np.array(ids, np.int64)
    row = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    rows, cols = [], []
    single = index.single_col[word]
    rows.append(row[single >= 0])
    cols.append(single[single >= 0])
    if vec.ngram_range[1] == 2 and len(word) > 1 and len(index.pair_keys):
        a, b = word[:-1], word[1:]
        ok = (a != unknown) & (b != unknown) & (row[:-1] == row[1:])  # both known, in one document
        keys = a[ok] * index.n_words + b[ok]
        at = np.minimum(np.searchsorted(index.pair_keys, keys), len(index.pair_keys) - 1)
        hit = index.pair_keys[at] == keys
        rows.append(row[:-1][ok][hit])
        cols.append(index.pair_col[at[hit]])
    r, c = np.concatenate(rows), np.concatenate(cols)
    X = csr_matrix((np.ones(len(r), vec.dtype), (r, c)), shape=(len(docs), index.n_features))
    X.sum_duplicates()  # sorted indices, each (document, n-gram) once with its count
    return X


def transform(vec: Any, docs: list[str]) -> csr_matrix:
    """``vec.transform(docs)``: the same matrix, counted faster where ``supported``."""
    if not docs or not supported(vec):  # (no documents: scikit-learn's own error)
        return vec.transform(docs)
    return vec._tfidf.transform(counts(vec, docs), copy=False)
