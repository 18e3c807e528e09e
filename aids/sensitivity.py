"""Sensitivity triage, the learning part: from a portion's text, how likely its author marked it
classified. No database here; aids/triage.py stores models and scores, bench/triage.py measures.

Contract:

- The label is the author's own portion mark: C, S and TS (with any caveat, e.g. S//NF) are
  classified; U and SBU are not (SBU is a handling label, cables.models.Level). Only portions that
  carry a mark teach the model (an unmarked portion's level is inferred from the banner, not
  written by its author): numbered paragraphs and a marked SUBJECT line (trainable()).
- The text the model reads is the consistency normalisation (cables.consistency.normalise): lower
  case, no punctuation, and no portion marks, so a sub-item's own "(S/NF)" inside a paragraph cannot
  give the answer away.
- Features: word unigrams and bigrams hashed into FEATURES columns (scikit-learn's
  HashingVectorizer: no vocabulary to store, the same text always gives the same columns), TF-IDF
  weighted with sublinear term frequency; a logistic regression gives a probability.
- Honest measurement: the same or nearly the same passage (the consistency fingerprint, or a
  shared band key with similarity at least consistency.NEAR) is never on both sides of a split.
  split_by_cable() keeps whole groups of cables that share a passage together;
  split_by_time() trains on earlier years and drops from the test side every passage that
  repeats one of the training side. The operating threshold is chosen on the training side only,
  from out-of-fold scores (cross-validation grouped the same way), never from the test side.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline

from cables import consistency

CLASSIFIED = frozenset({"C", "S", "TS"})
UNCLASSIFIED = frozenset({"U", "SBU"})
FEATURES = 2**20  # hashed columns; collisions among ~10^5 distinct n-grams are rare at this size
TARGET_RECALL = 0.90  # of classified portions, at the operating threshold
TARGET_FPR = 0.10
TEST_SHARE = 0.2  # of the examples, held out by the cable split
FOLDS = 3  # cross-validation folds on the training side, for the threshold
# Below these a model is not worth storing (train_triage refuses with the counts).
MIN_PER_CLASS = 10
MIN_CABLES = 6
SCORED_KINDS = frozenset({"paragraph", "text", "heading"})


def trainable(kind: str, label: str, marking: str, level: str) -> bool:
    """A portion whose author marked it: a paragraph or the SUBJECT line, with a known level."""
    return (
        bool(marking) and level in CLASSIFIED | UNCLASSIFIED and (kind == "paragraph" or label == "SUBJECT")
    )


def scorable(kind: str, label: str) -> bool:
    """Portions that get a score: running text and the SUBJECT line, not routing or captions."""
    return kind in SCORED_KINDS or (kind == "header" and label == "SUBJECT")


def model_text(text: str) -> str:
    return consistency.normalise(text)


@dataclass(frozen=True, slots=True)
class Example:
    """One marked portion: its cable, year, text and label, and its consistency keys."""

    cable: str
    year: int | None
    text: str
    classified: bool
    fingerprint: int | None = None
    bands: tuple[int | None, ...] = (None,) * consistency.BANDS


def example(cable: str, year: int | None, kind: str, label: str, text: str, level: str) -> Example:
    keys = consistency.keys_for(kind, label, text)
    return Example(cable, year, text, level in CLASSIFIED, keys.fingerprint, keys.bands)


def make_model() -> Pipeline:
    return make_pipeline(
        HashingVectorizer(ngram_range=(1, 2), n_features=FEATURES, alternate_sign=False, norm=None),
        TfidfTransformer(sublinear_tf=True),
        LogisticRegression(C=1.0, solver="liblinear", max_iter=2000),
    )


def fit(examples: Sequence[Example]) -> Pipeline:
    model = make_model()
    model.fit([model_text(e.text) for e in examples], np.array([e.classified for e in examples]))
    return model


def predict(model: Pipeline, texts: Iterable[str]) -> np.ndarray:
    """The probability that each text's author marked it classified."""
    normalised = [model_text(t) for t in texts]
    if not normalised:
        return np.zeros(0)
    return model.predict_proba(normalised)[:, 1]


# -- duplicates and splits -----------------------------------------------------------------------


def duplicate_pairs(examples: Sequence[Example]) -> list[tuple[int, int]]:
    """Pairs of indexes of examples that are the same passage (fingerprint) or nearly the same
    (a shared band key and shingle similarity at least consistency.NEAR)."""
    pairs: list[tuple[int, int]] = []
    by_fp: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        if e.fingerprint is not None:
            by_fp[e.fingerprint].append(i)
    for members in by_fp.values():
        pairs.extend((members[0], j) for j in members[1:])
    shingles: dict[int, set[int]] = {}

    def sh(i: int) -> set[int]:
        if i not in shingles:
            shingles[i] = consistency.shingles(examples[i].text)
        return shingles[i]

    for band in range(consistency.BANDS):
        buckets: dict[int, list[int]] = defaultdict(list)
        for i, e in enumerate(examples):
            if e.bands[band] is not None:
                buckets[e.bands[band]].append(i)  # type: ignore[index]
        for members in buckets.values():
            # Each member joins the first representative it nearly repeats, or becomes one.
            reps: list[int] = []
            for i in members:
                for r in reps:
                    if examples[r].fingerprint == examples[i].fingerprint or (
                        consistency.similarity(sh(r), sh(i)) >= consistency.NEAR
                    ):
                        pairs.append((r, i))
                        break
                else:
                    reps.append(i)
    return pairs


def cable_groups(examples: Sequence[Example]) -> dict[str, str]:
    """Each cable's group: cables that share a passage (duplicate_pairs) are in one group."""
    parent: dict[str, str] = {e.cable: e.cable for e in examples}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for i, j in duplicate_pairs(examples):
        a, b = root(examples[i].cable), root(examples[j].cable)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {c: root(c) for c in parent}


@dataclass
class Split:
    """Indexes into the examples; `dropped`: test passages left out as repeats of training ones."""

    name: str
    train: list[int]
    test: list[int]
    dropped: int = 0
    describe: str = ""


def split_by_cable(examples: Sequence[Example], test_share: float = TEST_SHARE, seed: int = 0) -> Split:
    """Whole groups of cables (cable_groups) to one side or the other, about test_share of the
    examples held out; a passage and its near-repeats are therefore never on both sides."""
    groups = cable_groups(examples)
    sizes: dict[str, int] = defaultdict(int)
    for e in examples:
        sizes[groups[e.cable]] += 1
    order = sorted(sizes)
    random.Random(seed).shuffle(order)
    held: set[str] = set()
    total, want = 0, test_share * len(examples)
    for g in order:
        if total >= want:
            break
        held.add(g)
        total += sizes[g]
    test = [i for i, e in enumerate(examples) if groups[e.cable] in held]
    train = [i for i, e in enumerate(examples) if groups[e.cable] not in held]
    cables = len({e.cable for e in examples})
    return Split(
        "by cable",
        train,
        test,
        describe=f"{len(held)} of {len(sizes)} groups of cables sharing passages ({cables} cables) held out",
    )


def first_test_year(examples: Sequence[Example], test_share: float = TEST_SHARE) -> int | None:
    """The earliest year such that it and the later years hold at least test_share of the examples."""
    per_year: dict[int, int] = defaultdict(int)
    for e in examples:
        if e.year is not None:
            per_year[e.year] += 1
    total, seen = sum(per_year.values()), 0
    for year in sorted(per_year, reverse=True):
        seen += per_year[year]
        if seen >= test_share * total:
            return year if year != min(per_year) else None
    return None


def split_by_time(examples: Sequence[Example], year: int) -> Split:
    """Train on cables before `year`, test on `year` and later, less the test passages that repeat
    (duplicate_pairs) a training passage. Examples without a year are left out."""
    train = [i for i, e in enumerate(examples) if e.year is not None and e.year < year]
    test = [i for i, e in enumerate(examples) if e.year is not None and e.year >= year]
    in_train = set(train)
    repeats: set[int] = set()
    for i, j in duplicate_pairs(examples):
        if i in in_train and j not in in_train:
            repeats.add(j)
        elif j in in_train and i not in in_train:
            repeats.add(i)
    kept = [i for i in test if i not in repeats]
    return Split(
        "by time",
        train,
        kept,
        dropped=len(test) - len(kept),
        describe=f"train before {year}, test {year} and later",
    )


# -- figures -------------------------------------------------------------------------------------


def threshold_for(labels: np.ndarray, scores: np.ndarray, recall: float = TARGET_RECALL) -> float:
    """The highest threshold at which at least `recall` of the classified examples score at or above it."""
    positives = np.sort(scores[labels.astype(bool)])[::-1]
    if len(positives) == 0:
        return 0.5
    k = max(math.ceil(recall * len(positives)), 1)
    return float(positives[k - 1])


def out_of_fold(examples: Sequence[Example], folds: int = FOLDS) -> np.ndarray:
    """Each example's score from a model that did not see its group of cables."""
    groups = cable_groups(examples)
    names = sorted(set(groups.values()))
    random.Random(1).shuffle(names)
    fold_of = {g: n % folds for n, g in enumerate(names)}
    scores = np.zeros(len(examples))
    for f in range(folds):
        train = [e for e in examples if fold_of[groups[e.cable]] != f]
        test = [i for i, e in enumerate(examples) if fold_of[groups[e.cable]] == f]
        if not test or len({e.classified for e in train}) < 2:
            continue
        scores[test] = predict(fit(train), [examples[i].text for i in test])
    return scores


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    return float(roc_auc_score(labels, scores)) if len(set(labels.tolist())) == 2 else None


def _rates(labels: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float | None, float | None]:
    flagged = scores >= threshold
    pos, neg = labels.astype(bool), ~labels.astype(bool)
    recall = float(flagged[pos].mean()) if pos.any() else None
    fpr = float(flagged[neg].mean()) if neg.any() else None
    return recall, fpr


@dataclass
class Figures:
    """What one split measured (floats rounded for the audit log; None where undefined)."""

    split: str
    describe: str
    train_portions: int
    train_cables: int
    test_portions: int
    test_cables: int
    test_classified: int
    dropped_repeats: int
    threshold: float
    recall: float | None
    false_positive_rate: float | None
    auc: float | None
    # The same at cable level: a cable's score is its highest portion score; classified when any
    # marked portion is (the Souza et al. anchor is at this level).
    cable_threshold: float = 0.0
    cable_recall: float | None = None
    cable_false_positive_rate: float | None = None
    cable_auc: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}

    @property
    def met(self) -> bool:
        return (
            self.recall is not None
            and self.false_positive_rate is not None
            and self.recall >= TARGET_RECALL
            and self.false_positive_rate <= TARGET_FPR
        )


def _by_cable(
    examples: Sequence[Example], idx: Sequence[int], scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    best: dict[str, float] = {}
    label: dict[str, bool] = {}
    for i, s in zip(idx, scores, strict=True):
        c = examples[i].cable
        best[c] = max(best.get(c, 0.0), float(s))
        label[c] = label.get(c, False) or examples[i].classified
    cables = sorted(best)
    return np.array([label[c] for c in cables]), np.array([best[c] for c in cables])


def evaluate(examples: Sequence[Example], split: Split) -> Figures:
    """Threshold from out-of-fold scores of the training side, then a model fitted on the whole
    training side scores the test side."""
    train = [examples[i] for i in split.train]
    test = [examples[i] for i in split.test]
    if len({e.classified for e in train}) < 2 or not test:
        raise TooLittleData(
            f"split {split.name}: {len(train)} training portions ({sum(e.classified for e in train)} "
            f"classified) and {len(test)} test portions once repeated passages are kept apart"
        )
    oof = out_of_fold(train)
    train_labels = np.array([e.classified for e in train])
    threshold = threshold_for(train_labels, oof)
    cable_labels_tr, cable_scores_tr = _by_cable(examples, split.train, oof)
    cable_threshold = threshold_for(cable_labels_tr, cable_scores_tr)
    scores = predict(fit(train), [e.text for e in test])
    labels = np.array([e.classified for e in test])
    recall, fpr = _rates(labels, scores, threshold)
    cable_labels, cable_scores = _by_cable(examples, split.test, scores)
    cable_recall, cable_fpr = _rates(cable_labels, cable_scores, cable_threshold)
    return Figures(
        split=split.name,
        describe=split.describe,
        train_portions=len(train),
        train_cables=len({e.cable for e in train}),
        test_portions=len(test),
        test_cables=len({e.cable for e in test}),
        test_classified=int(labels.sum()),
        dropped_repeats=split.dropped,
        threshold=threshold,
        recall=recall,
        false_positive_rate=fpr,
        auc=_auc(labels, scores),
        cable_threshold=cable_threshold,
        cable_recall=cable_recall,
        cable_false_positive_rate=cable_fpr,
        cable_auc=_auc(cable_labels, cable_scores),
    )


def summary(examples: Sequence[Example]) -> dict[str, Any]:
    """Portions, cables, classes and years of a training set, for the stored model and the log."""
    years = [e.year for e in examples if e.year is not None]
    classified = sum(e.classified for e in examples)
    return {
        "portions": len(examples),
        "cables": len({e.cable for e in examples}),
        "classes": {"classified": classified, "unclassified": len(examples) - classified},
        "years": [min(years), max(years)] if years else None,
    }


class TooLittleData(ValueError):
    """Not enough marked portions of each class, or too few cables, to train and measure."""


def check_enough(examples: Sequence[Example]) -> None:
    classified = sum(e.classified for e in examples)
    unclassified = len(examples) - classified
    cables = len({e.cable for e in examples})
    if classified < MIN_PER_CLASS or unclassified < MIN_PER_CLASS or cables < MIN_CABLES:
        raise TooLittleData(
            f"too little data to train: {classified} portions marked classified and {unclassified} "
            f"marked unclassified in {cables} cables; need at least {MIN_PER_CLASS} of each in at "
            f"least {MIN_CABLES} cables (ingest more cables first)"
        )


# -- storage -------------------------------------------------------------------------------------


def dumps(model: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(data: bytes) -> Pipeline:
    """A model from dumps(). Unpickling runs code: only ever on bytes this project stored."""
    return joblib.load(io.BytesIO(data))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


LIBRARY_VERSION = sklearn.__version__
