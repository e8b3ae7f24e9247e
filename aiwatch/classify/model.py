"""The classifier: a cheap relevance screen on every article, the stronger model on its candidates.

Parts (all scikit-learn, fitted by ``fit`` and saved together in one small joblib file):

1. ``vectorizer`` — TF-IDF over word 1-2-grams of the case-folded title + stripped lead;
2. ``screen`` — logistic regression, relevant vs unrelated, on TF-IDF only. Its threshold is set
   out of fold inside the training data for high recall (SCREEN_RECALL on headlines,
   STREAM_SCREEN_RECALL on hand-labelled articles): what it drops is lost for good;
3. ``fast_head`` — 4-class logistic regression on TF-IDF: the whole model in ``fast`` mode, and
   the scores given to articles the screen turns away in ``cascade`` mode;
4. ``strong_head`` — 4-class logistic regression on TF-IDF + the encoder's embedding, run only on
   the screen's candidates (``cascade`` mode); a candidate's scores are the mean of this head's and
   the fast head's (on hand-labelled news, cross-validated, the mean beats either head alone);
   ``decision`` — per mode, the bar on P(unrelated) under which an article counts as relevant (then
   its category is the likeliest of incident, hazard, complementary). Set in training by inner
   cross-validation on the hand-labelled news (relevance F1): the heads, trained mostly on editor
   summaries, are too sure that real articles are unrelated, so argmax misses half of them; and per mode
   a bar for an article that is a headline alone (``HEADLINE_ONLY``), set the same way on their headlines;
5. ``tag_heads`` — one-vs-rest logistic regressions per OECD field, on a small TF-IDF (``fast`` mode, and any
   article without an encoder vector); ``tag_heads_emb`` the same on that TF-IDF and the encoder's vector,
   for the candidates the cascade has encoded anyway (``TAG_EMB_SCALE``);
6. evidence — the sentences whose TF-IDF terms push hardest towards the chosen class in the
   fast head (a linear model's per-sentence contribution), 1-3 of them;
7. severity — a documented rule over category, physical-harm tags and casualty counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack

from aiwatch import taxonomy as tx
from aiwatch.classify import encoders, tfidf
from aiwatch.classify.text import caption_or_credit, classifier_text, encoder_text, sentences, strip_boilerplate

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODEL_DIR / "classifier.joblib"
MODEL_NAME = "aiwatch-classify-cascade"
MODES = ("cascade", "fast")
# An article with no text but its headline (a feed's teaser) is decided with the bar ``decision["<mode>:headline"]``
# when the model has one: the heads read a headline with far less to go on, and the article bar called a third of
# the unrelated hand-labelled news relevant from their headlines alone.
HEADLINE_ONLY = "headline"

SEED = 20261122
# Screen threshold: the largest that still keeps this share of relevant articles, out of fold inside the
# training split: report headlines at SCREEN_RECALL and hand-labelled news articles at STREAM_SCREEN_RECALL
# (the harder of the two). Measured by 5-fold CV on the hand-labelled news: with the decision bar re-set,
# relevance F1 stays ~0.70 for any screen recall from 0.80 to 0.95 there, while the share of AI news the
# screen passes to the encoder grows from ~3% to ~10% (0.90: 7.6%); 0.85 keeps the stream's recall.
SCREEN_RECALL = 0.95
STREAM_SCREEN_RECALL = 0.85
TFIDF_FEATURES = 30_000
TAG_FEATURES = 5_000
# Title and text together must have at least this many letters and digits to be read at all ("Uber crash"
# has 9, "Grok deepfakes" 13).
MIN_LETTERS = 12
_WORD = re.compile(r"\w+")
C_MAIN = 4.0
C_TAGS = 2.0
# Hand-labelled article-style data is the stream we serve: it counts more than editor summaries.
STREAM_WEIGHT = 3.0
TAG_MIN_EXAMPLES = 8  # a label with fewer training examples gets no head
# Score at which a tag is given. Measured on the validation split: 0.5 gives the best mean micro-F1
# over the fields (0.35: 0.642, 0.5: 0.650 without autonomy's drop, 0.6: 0.529).
TAG_THRESHOLD = 0.5
AUTONOMY_MIN = 0.2  # autonomy is one level: the likeliest, unless no level is likely at all
# The encoder's vector beside the tag TF-IDF, scaled down so that neither part swamps the other (a unit vector
# against TF-IDF rows of unit norm). On the validation incidents and hazards, micro-F1 per field with it (x0.5)
# against TF-IDF alone: harm types 0.581 -> 0.620, stakeholders 0.676 -> 0.712, principles 0.570 -> 0.608,
# industries 0.590 -> 0.655, AI tasks 0.839 -> 0.874, autonomy 0.702 -> 0.660 (47 examples); x1: mean 0.687,
# x2: 0.664 (x0.5: 0.688, TF-IDF alone 0.660). 5-fold CV over the OECD monitor's own 39 events, every field as
# OECD labels it: harm types 0.662 -> 0.675, stakeholders 0.493 -> 0.548, industries 0.627 -> 0.688, AI tasks
# 0.636 -> 0.655, principles 0.649 -> 0.648. On the hand-labelled news articles' harm types (5-fold CV, 138
# articles) it does not help: 0.741 -> 0.721.
TAG_EMB_SCALE = 0.5

_KILLED = re.compile(r"\b(\d[\d,]*|dozens|hundreds|thousands)\s+(?:people\s+|persons\s+|passengers\s+)?"
                     r"(?:were\s+|have been\s+)?(?:killed|dead|died|deaths)\b", re.I)
_KILLED_N = re.compile(r"\b(?:killed|killing|kills)\s+(?:at least\s+|more than\s+|over\s+|nearly\s+)?"
                       r"(\d[\d,]*|dozens|hundreds|thousands)\b", re.I)
_HARM_WORDS = re.compile(r"\b(killed|died|death|dead|fatal|injur\w*|hospitali[sz]ed|crash\w*)\b", re.I)
# OECD (c), a serious violation of human rights or breach of the law protecting them: an act against people, not
# a biased output alone ("racist results" is an incident; "wrongly arrested", "discriminated against" applicants,
# "violated the GDPR" are serious).
_RIGHTS_WORDS = re.compile(
    r"\b(?:(?:wrongful(?:ly)?|wrongly|falsely|mistakenly|unjustly)\s+(?:\w+\s+){0,2}(?:arrest\w*|detain\w*|jail\w*|"
    r"accus\w*|convict\w*|flag\w*|fined|stopped|denied|fired|expelled)|"
    r"(?<!being )(?:arrested|detained|jailed|imprisoned)|"  # not an arrest an image depicts
    r"discriminat\w*\s+against|violat\w*\s+(?:\w+\s+){0,3}(?:laws?|rights|act|gdpr|regulations?|constitution)|"
    r"unlawful\w*|illegal\w*|child\s+sex\w*\s+abuse)\b", re.I)
# OECD (b), essential services disrupted: a public or health service named, and people cut off or hurt by it.
_SERVICE_WORDS = re.compile(r"\b(?:welfare|benefits?|medicaid|medicare|health\s*care|hospitals?|patients?|insur\w*|"
                            r"vaccin\w*|power\s+grid|water\s+supply|emergency|911|electricity|unemployment|"
                            r"housing|tax)\b", re.I)
_SERVICE_LOSS = re.compile(r"\b(?:cut\w*|denied|deny\w*|denial|exclud\w*|reject\w*|wrongly|underestimat\w*|"
                           r"disrupt\w*|outage|lost|lose|accus\w*|stopped|reduc\w*)\b", re.I)
SERIOUS_GROUNDS = ("physical", "services", "rights")
_WORDS = {"dozens": 24, "hundreds": 200, "thousands": 2000}
DISASTER_DEATHS = 10  # OECD: a disaster disrupts a community; ten or more deaths is our proxy


@dataclass
class Prediction:
    category: str
    scores: dict[str, float]
    severity: str | None
    tags: dict[str, list[dict[str, Any]]]
    evidence: list[str]
    model: str
    screened_out: bool = False  # turned away before any head decided: by the screen, or no known word
    # The encoder's vector of ``encoder_text`` (candidates only); not part of the stable output of
    # `aiwatch classify`: the pipeline keeps it for the cluster stage.
    embedding: np.ndarray | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "scores": self.scores, "severity": self.severity, "tags": self.tags,
                "evidence": self.evidence, "model": self.model}


@dataclass
class ClassifierModel:
    vectorizer: Any
    screen: Any
    screen_threshold: float
    fast_head: Any
    strong_head: Any | None
    tag_vectorizer: Any
    tag_heads: dict[str, tuple[list[str], list[Any]]]
    encoder: str | None
    version: str
    info: dict[str, Any] = field(default_factory=dict)
    decision: dict[str, float] = field(default_factory=dict)  # mode -> bar on P(unrelated); absent: argmax
    # field -> (labels, heads) on [tag TF-IDF, TAG_EMB_SCALE * encoder vector]: the labels are tag_heads' own.
    tag_heads_emb: dict[str, tuple[list[str], list[Any]]] = field(default_factory=dict)

    # -- inference ------------------------------------------------------------------------------
    def name(self, mode: str) -> str:
        enc = f"+{self.encoder}" if mode == "cascade" and self.encoder else ""
        return f"{MODEL_NAME}/{mode}{enc}@{self.version}"

    def predict(self, titles: list[str], texts: list[str], mode: str = "cascade") -> list[Prediction]:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        stripped = [strip_boilerplate(x or "") for x in texts]
        docs = [classifier_text(t, x, stripped=s) for t, x, s in zip(titles, texts, stripped, strict=True)]
        if not docs:
            return []
        X = tfidf.transform(self.vectorizer, docs)
        fast = self.fast_head.predict_proba(X)
        probs = _ordered(fast, self.fast_head.classes_)
        screen = self.screen.predict_proba(X)[:, list(self.screen.classes_).index("relevant")]
        candidates = np.flatnonzero(screen >= self.screen_threshold) if mode == "cascade" else np.arange(len(docs))
        use_strong = mode == "cascade" and self.strong_head is not None and self.encoder and len(candidates)
        embedding: dict[int, np.ndarray] = {}
        # The text without page furniture: the encoder's input for candidates, the evidence's for the relevant
        # (candidates, mostly): cleaned once.
        thorough: dict[int, str] = {}
        if use_strong:
            thorough = {i: strip_boilerplate(texts[i] or "", thorough=True) for i in candidates.tolist()}
            emb = encoders.get(self.encoder).encode([encoder_text(titles[i], texts[i], cleaned=thorough[i])
                                                     for i in candidates.tolist()])
            embedding = dict(zip(candidates.tolist(), emb, strict=True))
            strong = self.strong_head.predict_proba(hstack([X[candidates], csr_matrix(emb)]).tocsr())
            probs[candidates] = (_ordered(strong, self.strong_head.classes_) + probs[candidates]) / 2
        turned_away = set() if mode != "cascade" else set(range(len(docs))) - set(candidates.tolist())
        # Not one word the vectorizer knows (another language, made-up tokens), or a word or two in all ("hello"
        # scored 0.70 incident): nothing to go on but the class priors and the length shortcut (AIID's
        # positives are short), which lean to incident. Such an article is unrelated. Counted in letters, not
        # words, so that a headline in a script without spaces (Chinese, Japanese) is read.
        turned_away |= set(np.flatnonzero(X.getnnz(axis=1) == 0).tolist())
        # Counted in the text without page furniture: a page that is all menu ("Video" over VentureBeat's
        # section list) has its headline alone to go on, and the menu's words, read by the encoder, had made
        # three such pages an incident.
        turned_away |= {i for i, (a, b) in enumerate(zip(titles, stripped, strict=True)) if _too_short(a, b)}
        bar = self.decision_bar(mode)
        teaser_bar = self.decision_bar(f"{mode}:{HEADLINE_ONLY}")
        if bar is not None and teaser_bar is not None and not all(s.strip() for s in stripped):
            bar = np.array([bar if s.strip() else teaser_bar for s in stripped])  # a headline alone: its own bar
        cats = decide(probs, bar, sorted(turned_away))
        probs = calibrated(probs, bar, sorted(turned_away))
        tags = self._tags(docs, probs, cats, embedding=embedding)
        name = self.name(mode)
        # Evidence is shown to people: drawn from the text without page furniture (a menu glued to the first
        # sentence was "why labelled"), which the relevant few are stripped of once more.
        shown = [stripped[i] if cat == "unrelated" else thorough[i] if i in thorough
                 else strip_boilerplate(texts[i] or "", thorough=True) for i, cat in enumerate(cats)]
        evidence = self._evidence_batch(titles, shown, cats)
        preds = []
        for i, cat in enumerate(cats):
            scores = {c: round(float(p), 4) for c, p in zip(tx.CATEGORIES, probs[i], strict=True)}
            row_tags = tags[i] if cat in ("incident", "hazard") else {}
            preds.append(Prediction(cat, scores, severity(cat, row_tags, f"{titles[i]} {texts[i]}"), row_tags,
                                    evidence[i], name, screened_out=i in turned_away,
                                    embedding=embedding.get(i)))
        return preds

    def decision_bar(self, mode: str) -> float | None:
        return getattr(self, "decision", {}).get(mode)  # models saved before it existed: argmax

    def _tags(self, docs: list[str], probs: np.ndarray, cats: list[str] | None = None, *,
              embedding: dict[int, np.ndarray] | None = None) -> list[dict[str, list[dict]]]:
        """OECD tags of the incident and hazard rows; ``embedding``: row -> the encoder's vector, where the
        cascade made one (those rows are tagged by ``tag_heads_emb``)."""
        out: list[dict[str, list[dict]]] = [{} for _ in docs]
        if cats is None:
            cats = [tx.CATEGORIES[int(i)] for i in np.argmax(probs, axis=1)]
        rel = np.flatnonzero(np.isin(cats, ("incident", "hazard")))  # the rows that get tags
        if not len(rel) or not self.tag_heads:
            return out
        F = tfidf.transform(self.tag_vectorizer, [docs[i] for i in rel])
        emb_heads = getattr(self, "tag_heads_emb", {}) if embedding else {}  # models saved before it: none
        with_emb = [k for k, i in enumerate(rel.tolist()) if i in embedding] if emb_heads else []
        if with_emb:
            vectors = np.stack([embedding[int(rel[k])] for k in with_emb]) * TAG_EMB_SCALE
            FE = hstack([F[with_emb], csr_matrix(vectors.astype(np.float32))]).tocsr()
        for fname, (labels, heads) in self.tag_heads.items():
            scores = np.column_stack([h.predict_proba(F)[:, 1] for h in heads])
            if with_emb and fname in emb_heads:
                scores[with_emb] = np.column_stack([h.predict_proba(FE)[:, 1] for h in emb_heads[fname][1]])
            for row, i in enumerate(rel):
                order = np.argsort(-scores[row])
                cut = AUTONOMY_MIN if fname == "autonomy_level" else TAG_THRESHOLD
                chosen = [{"label": labels[j], "score": round(float(scores[row, j]), 4)} for j in order
                          if scores[row, j] >= cut]
                if fname == "autonomy_level":
                    chosen = chosen[:1]
                if chosen:
                    out[i][fname] = chosen
        return out

    def evidence(self, title: str, text: str, category: str, k: int = 3) -> list[str]:
        """The 1-3 sentences (title included) that push hardest towards `category` in the linear fast head."""
        return self._evidence_batch([title], [strip_boilerplate(text or "", thorough=True)], [category], k)[0]

    def _direction(self, category: str) -> np.ndarray:
        """Per-term weight towards `category` against the alternative (unrelated, or the mean class)."""
        cache = self.__dict__.setdefault("_directions", {})
        if category not in cache:
            classes, coef = list(self.fast_head.classes_), self.fast_head.coef_.astype(np.float64)
            cache[category] = (coef[classes.index(category)] - coef[classes.index("unrelated")]
                               if category != "unrelated" else coef[classes.index("unrelated")] - coef.mean(axis=0))
        return cache[category]

    def _evidence_batch(self, titles: list[str], stripped: list[str], cats: list[str], k: int = 3
                        ) -> list[list[str]]:
        # An unrelated article's evidence is its headline (what an editor scans to agree): scoring the
        # sentences of the 95% of the stream that is unrelated would halve the classifier's speed.
        # No picture's caption or credit: "A woman looks at the Facebook logo ... in this photo illustration" had
        # been "why labelled".
        # Each sentence once: a page that repeats its headline as its first line, or a sentence over and over, had
        # shown it two or three times as the evidence.
        cands = [_distinct([c for c in ([t] if t else []) + (sentences("", stripped=s) if cat != "unrelated" or not t
                                                             else []) if c and not caption_or_credit(c)])
                 for t, s, cat in zip(titles, stripped, cats, strict=True)]
        # A lone candidate is the evidence whatever it scores: only lists of two or more are scored.
        flat = [c.casefold() for cs in cands if len(cs) > 1 for c in cs]
        X = tfidf.transform(self.vectorizer, flat) if flat else None  # one call for the whole batch
        out, start = [], 0
        for cs, cat in zip(cands, cats, strict=True):
            if len(cs) < 2:
                out.append(cs)
                continue
            contrib = np.asarray(X[start:start + len(cs)] @ self._direction(cat)).ravel()
            start += len(cs)
            order = [i for i in np.argsort(-contrib) if contrib[i] > 0][:k]
            out.append([cs[i] for i in sorted(order)] or [cs[0]])
        return out

    # -- persistence ----------------------------------------------------------------------------
    def save(self, path: Path = MODEL_FILE) -> Path:
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)
        return path


def load(path: Path = MODEL_FILE) -> ClassifierModel:
    import joblib

    if not path.exists():
        raise FileNotFoundError(f"no trained classifier at {path}: run `aiwatch train` (needs ../shared/data)")
    return joblib.load(path)


_CACHED: dict[Path, ClassifierModel] = {}


def default() -> ClassifierModel:
    """The shipped model, loaded once per process."""
    if MODEL_FILE not in _CACHED:
        _CACHED[MODEL_FILE] = load(MODEL_FILE)
    return _CACHED[MODEL_FILE]


def _distinct(sents: list[str]) -> list[str]:
    """The sentences in order, each once (compared case-folded, without closing punctuation or spaces)."""
    seen: set[str] = set()
    out = []
    for x in sents:
        key = " ".join(x.casefold().split()).rstrip(" .!?")
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def _too_short(title: str | None, text: str | None) -> bool:
    """Fewer than MIN_LETTERS letters and digits in title and text; stops counting once there are enough
    (counting every word of every article was 70 us an article of 3,000 characters)."""
    letters = 0
    for m in _WORD.finditer(f"{title or ''} {text or ''}"):
        letters += m.end() - m.start()
        if letters >= MIN_LETTERS:
            return False
    return True


def decide(probs: np.ndarray, bar: float | np.ndarray | None, turned_away: list[int] | None = None) -> list[str]:
    """Categories from ordered scores: relevant when P(unrelated) < bar (then the likeliest relevant class);
    with no bar, the likeliest class. Rows the screen turned away are unrelated. ``bar`` may be one per row."""
    if bar is None:
        idx = np.argmax(probs, axis=1)
    else:
        idx = np.where(probs[:, 3] < bar, np.argmax(probs[:, :3], axis=1), 3)
    cats = [tx.CATEGORIES[int(i)] for i in idx]
    for i in turned_away or ():
        cats[i] = "unrelated"
    return cats


def calibrated(probs: np.ndarray, bar: float | np.ndarray | None, turned_away: list[int] | None = None
               ) -> np.ndarray:
    """The scores an article is given, read the way ``decide`` reads them: ``unrelated`` is 0.5 or more
    exactly when the article is unrelated.

    The heads learn mostly from editor summaries and are too sure that real articles are unrelated, so
    ``decide`` counts an article relevant when P(unrelated) < bar (set on hand-labelled news), not
    when P(unrelated) < 0.5. Left as they were, the scores said "unrelated 0.53" of an article labelled
    incident. This shifts the odds of unrelated by (1 - bar) / bar, which moves P(unrelated) = bar to
    0.5 and keeps every order (scores above bar stay above it; incident, hazard and complementary keep
    their ratios). Rows turned away (by the screen, or with no known word) are unrelated: at least 0.5.
    Without a bar (argmax decides) only turned-away rows change: unrelated is made their top class.
    """
    out = probs.copy()
    away = np.array(sorted(turned_away or ()), dtype=int)
    if bar is None:
        if len(away):
            top_other = out[away, :3].max(axis=1)
            out[away, 3] = np.maximum(out[away, 3], top_other + 1e-3)
            out[away] /= out[away].sum(axis=1, keepdims=True)
        return out
    odds = (1.0 - bar) / bar
    u = out[:, 3]
    shifted = odds * u / np.maximum(odds * u + (1.0 - u), 1e-12)
    # (a relevant row just under the bar stays under 0.5 after the output's rounding to 4 decimals)
    shifted = np.where(u < bar, np.minimum(shifted, 0.4999), shifted)
    if len(away):
        shifted[away] = np.maximum(shifted[away], 0.5)
    rest = out[:, :3].sum(axis=1)
    out[:, :3] *= ((1.0 - shifted) / np.where(rest > 0, rest, 1.0))[:, None]
    out[:, 3] = shifted
    return out


def _ordered(p: np.ndarray, classes: Any) -> np.ndarray:
    idx = [list(classes).index(c) for c in tx.CATEGORIES]
    return p[:, idx].astype(np.float64)


def severity(category: str, tags: dict[str, list[dict]], text: str,
             grounds: tuple[str, ...] = SERIOUS_GROUNDS) -> str | None:
    """The OECD severity ladder, by rule, on OECD's grounds for a serious incident (2024): (a) death or
    serious harm to health ("physical": death or injury tags, or such words), (b) disruption of essential
    services ("services": a welfare, health, insurance, housing or emergency service named, with people cut
    off, denied or wrongly treated), (c) a serious violation of human rights or of the law protecting them
    ("rights": wrongful arrest or accusation, discrimination against people, a law or rights violated). (d),
    serious harm to property, communities or the environment, has no rule.

    hazard -> "serious hazard" when the plausible harm is serious on those grounds; incident -> "disaster"
    when DISASTER_DEATHS or more deaths are reported, "serious incident" when serious, else "incident".
    ``aiwatch eval`` scores the rule against CSET's annotations of AIID incidents (``severity``), with
    ``grounds=("physical",)`` as the baseline.
    """
    if category not in ("incident", "hazard"):
        return None
    harm = {t["label"] for t in tags.get("harm_types", [])}
    serious = "physical" in grounds and (bool(harm & {tx.DEATH, tx.INJURY}) or bool(_HARM_WORDS.search(text)))
    serious = serious or ("services" in grounds and bool(_SERVICE_WORDS.search(text))
                          and bool(_SERVICE_LOSS.search(text)))
    serious = serious or ("rights" in grounds and bool(_RIGHTS_WORDS.search(text)))
    if category == "hazard":
        return "serious hazard" if serious else "hazard"
    deaths = 0
    for m in [*_KILLED.finditer(text), *_KILLED_N.finditer(text)]:
        tok = m.group(1).lower().replace(",", "")
        deaths = max(deaths, _WORDS.get(tok, int(tok) if tok.isdigit() else 0))
    if deaths >= DISASTER_DEATHS:
        return "disaster"
    return "serious incident" if serious else "incident"


# -- fitting ------------------------------------------------------------------------------------------
def fit(titles: list[str], texts: list[str], categories: list[str], weights: np.ndarray, is_stream: np.ndarray,
        tags: list[dict[str, list[str]]], *, encoder: str | None, embeddings: np.ndarray | None = None,
        screen_threshold: float | None = None, version: str | None = None, with_tags: bool = True) -> ClassifierModel:
    """Fit every part on the given examples (the training split). Deterministic for a given input."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [classifier_text(t, x) for t, x in zip(titles, texts, strict=True)]
    y = np.asarray(categories)
    w = np.asarray(weights, dtype=np.float64) * np.where(is_stream, STREAM_WEIGHT, 1.0)
    vec, X, screen = fit_screen(docs, y, w)
    fast = _lr(C_MAIN).fit(X, y, sample_weight=w)
    strong = None
    if encoder and embeddings is not None:
        strong = _lr(1.0).fit(hstack([X, csr_matrix(embeddings)]).tocsr(), y, sample_weight=w)
    tag_vec = TfidfVectorizer(ngram_range=(1, 2), min_df=3, max_features=TAG_FEATURES, sublinear_tf=True,
                              dtype=np.float32)
    relevant = np.flatnonzero(np.isin(y, ("incident", "hazard")))
    # The tag TF-IDF (every mode), and beside it the encoder's vector where the cascade has one.
    F = tag_vec.fit_transform([docs[i] for i in relevant])
    FE = None
    if strong is not None and with_tags:  # the cascade's candidates are encoded anyway: their tags read it too
        FE = hstack([F, csr_matrix((embeddings[relevant] * TAG_EMB_SCALE).astype(np.float32))]).tocsr()
    tag_heads: dict[str, tuple[list[str], list[Any]]] = {}
    tag_heads_emb: dict[str, tuple[list[str], list[Any]]] = {}
    for fname, values in (tx.FIELDS.items() if with_tags else ()):
        has = [i for i, r in enumerate(relevant) if tags[r].get(fname)]
        if len(has) < 2 * TAG_MIN_EXAMPLES:
            continue
        labels, heads, heads_emb = [], [], []
        for value in values:
            yv = np.array([value in tags[relevant[i]].get(fname, []) for i in has])
            if yv.sum() < TAG_MIN_EXAMPLES or yv.all():
                continue
            heads.append(_lr(C_TAGS, max_iter=2000).fit(F[has], yv))
            if FE is not None:
                heads_emb.append(_lr(C_TAGS, max_iter=2000).fit(FE[has], yv))
            labels.append(value)
        if heads:
            tag_heads[fname] = (labels, heads)
            if heads_emb:
                tag_heads_emb[fname] = (labels, heads_emb)
    every_tag_head = [h for heads in (tag_heads, tag_heads_emb) for _, hs in heads.values() for h in hs]
    for head in [screen, fast, strong, *every_tag_head]:
        if head is not None:  # float32 halves the shipped file; scores agree to 1e-6
            head.coef_ = head.coef_.astype(np.float32)
    model = ClassifierModel(vec, screen, 0.5, fast, strong, tag_vec, tag_heads, encoder if strong else None,
                            version or datetime.now(UTC).strftime("%Y%m%d"),
                            {"n_train": len(docs)}, tag_heads_emb=tag_heads_emb)
    if screen_threshold is not None:
        model.screen_threshold = screen_threshold
    return model


def _lr(C: float, max_iter: int = 3000):  # noqa: ANN202
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=max_iter, class_weight="balanced", random_state=SEED)


def fit_screen(docs: list[str], y: np.ndarray, w: np.ndarray) -> tuple[Any, Any, Any]:
    """The TF-IDF vectorizer and the relevance screen (also used alone to set the screen's threshold)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=TFIDF_FEATURES, sublinear_tf=True,
                          dtype=np.float32)
    X = vec.fit_transform(docs)
    screen = _lr(C_MAIN).fit(X, np.where(y == "unrelated", "unrelated", "relevant"), sample_weight=w)
    return vec, X, screen


def screen_scores(model: ClassifierModel, titles: list[str], texts: list[str]) -> np.ndarray:
    X = tfidf.transform(model.vectorizer, [classifier_text(t, x) for t, x in zip(titles, texts, strict=True)])
    return model.screen.predict_proba(X)[:, list(model.screen.classes_).index("relevant")]


def threshold_for_recall(scores: np.ndarray, relevant: np.ndarray, recall: float = SCREEN_RECALL) -> float:
    """The highest threshold whose recall on `relevant` rows is still >= recall."""
    pos = np.sort(scores[relevant])
    if not len(pos):
        return 0.5
    k = int(np.floor((1 - recall) * len(pos)))
    return float(pos[k]) - 1e-9
