"""Sensitivity triage in the database: train a model on the stored cables' own portion marks,
store it with its figures, score every portion and cable in bulk, and show the scores (the review
page, the systematic-review queue). The learning itself is aids/sensitivity.py.

- train(): the train_triage command's work. Measures the recipe on a split by cable and by time
  (sensitivity.evaluate), fits the stored model on every marked portion, chooses its threshold
  from out-of-fold scores of those same portions, then in one transaction stores the model
  (version n+1), replaces every score and writes the `triage.train` audit event.
- Scores are stored (PortionScore, CableScore), never computed per request. A cable's score is its
  highest portion score: a cable can be released in full only if every portion can, so its most
  sensitive portion decides how soon it can be cleared (docs/triage.md says why not an average).
- Who sees scores: users with aids.view_triage (reviewers and supervisors, accounts/roles.py),
  only on cables they may see (review.access), only once a model has scored the cable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import batched
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import AnyUser
from aids import sensitivity
from aids.models import CableScore, PortionScore, TriageModel
from audit import log as audit
from cables.models import Cable, Portion

CHUNK = 5000  # portions per prediction and per INSERT
PERMISSION = "aids.view_triage"


class TriageError(ValueError):
    """Why no model could be trained or used (too little data, a stored model that cannot be read)."""


# -- training and scoring ------------------------------------------------------------------------


def _marked() -> QuerySet[Portion]:
    return Portion.objects.filter(
        marking__gt="", level__in=sorted(sensitivity.CLASSIFIED | sensitivity.UNCLASSIFIED)
    ).filter(Q(kind="paragraph") | Q(kind="header", label="SUBJECT"))


def training_examples() -> list[sensitivity.Example]:
    """Every marked portion of the database, with its stored consistency keys, in cable order."""
    rows = (
        _marked()
        .order_by("cable_id", "order")
        .values_list(
            "cable__reference_id",
            "cable__year",
            "text",
            "level",
            "fingerprint",
            "band0",
            "band1",
            "band2",
            "band3",
        )
    )
    return [
        sensitivity.Example(ref, year, text, level in sensitivity.CLASSIFIED, fp, (b0, b1, b2, b3))
        for ref, year, text, level, fp, b0, b1, b2, b3 in rows.iterator(chunk_size=CHUNK)
    ]


def _scorable() -> QuerySet[Portion]:
    return Portion.objects.filter(
        Q(kind__in=sorted(sensitivity.SCORED_KINDS)) | Q(kind="header", label="SUBJECT")
    )


def train(*, note: str = "", measure: bool = True) -> TriageModel:
    """Train, measure, store and score (module docstring). Raises TriageError with the counts when
    there is too little data; nothing is stored then."""
    examples = training_examples()
    try:
        sensitivity.check_enough(examples)
    except sensitivity.TooLittleData as e:
        raise TriageError(str(e)) from None
    figures: list[dict[str, Any]] = []
    if measure:
        splits = [sensitivity.split_by_cable(examples)]
        year = sensitivity.first_test_year(examples)
        if year is not None:
            splits.append(sensitivity.split_by_time(examples, year))
        for split in splits:
            try:
                figures.append(sensitivity.evaluate(examples, split).as_dict())
            except sensitivity.TooLittleData as e:
                figures.append({"split": split.name, "skipped": str(e)})
    labels = np.array([e.classified for e in examples])
    threshold = sensitivity.threshold_for(labels, sensitivity.out_of_fold(examples))
    model = sensitivity.fit(examples)
    data = sensitivity.dumps(model)
    summary = {
        **sensitivity.summary(examples),
        "splits": figures,
        "threshold_from": f"out-of-fold scores of these portions ({sensitivity.FOLDS} folds by cable group)",
        "features": f"word 1-2 grams hashed to {sensitivity.FEATURES} columns, TF-IDF; logistic regression",
        "model_bytes": len(data),
    }
    with transaction.atomic():
        version = (TriageModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        row = TriageModel.objects.create(
            version=version,
            created_at=timezone.now(),
            summary=summary,
            threshold=threshold,
            model=data,
            sha256=sensitivity.digest(data),
            library=sensitivity.LIBRARY_VERSION,
        )
        portions, cables = store_scores(row, model)
        row.summary = {**summary, "scored_portions": portions, "scored_cables": cables}
        row.save(update_fields=["summary"])
        audit.record(
            None,
            "triage.train",
            row,
            after={
                "version": version,
                "threshold": round(threshold, 4),
                "scored_portions": portions,
                "scored_cables": cables,
                **{k: v for k, v in summary.items() if k != "splits"},
                "splits": figures,
            },
            note=note,
        )
    return row


def current() -> TriageModel | None:
    return TriageModel.objects.order_by("-version").first()


def load(row: TriageModel) -> Any:
    """The stored pipeline, after checking its bytes and the library that fitted it."""
    data = bytes(row.model)
    if sensitivity.digest(data) != row.sha256:
        raise TriageError(
            f"{row}: the stored model's SHA-256 does not match; retrain (manage.py train_triage)"
        )
    if row.library != sensitivity.LIBRARY_VERSION:
        raise TriageError(
            f"{row} was fitted with scikit-learn {row.library} and {sensitivity.LIBRARY_VERSION} is "
            "installed; retrain (manage.py train_triage)"
        )
    return sensitivity.loads(data)


def store_scores(row: TriageModel, model: Any) -> tuple[int, int]:
    """Replace every stored score with this model's: (portions scored, cables scored)."""
    PortionScore.objects.all().delete()
    CableScore.objects.all().delete()
    best: dict[int, float] = {}
    flagged: dict[int, int] = {}
    scored: dict[int, int] = {}
    count = 0
    rows = _scorable().order_by("pk").values_list("pk", "cable_id", "text").iterator(chunk_size=CHUNK)
    for chunk in batched(rows, CHUNK):
        scores = sensitivity.predict(model, [text for _, _, text in chunk])
        objs = []
        for (pk, cable_id, _), score in zip(chunk, scores, strict=True):
            value = float(score)
            objs.append(PortionScore(portion_id=pk, triage_model=row, score=value))
            best[cable_id] = max(best.get(cable_id, 0.0), value)
            flagged[cable_id] = flagged.get(cable_id, 0) + (value >= row.threshold)
            scored[cable_id] = scored.get(cable_id, 0) + 1
        PortionScore.objects.bulk_create(objs)
        count += len(objs)
    CableScore.objects.bulk_create(
        [
            CableScore(cable_id=c, triage_model=row, score=s, flagged=flagged[c], scored=scored[c])
            for c, s in best.items()
        ],
        batch_size=CHUNK,
    )
    return count, len(best)


def rescore(*, note: str = "") -> tuple[TriageModel, int, int]:
    """Score every portion again with the current model (cables ingested since it was trained)."""
    row = current()
    if row is None:
        raise TriageError("no triage model yet: train one first (manage.py train_triage)")
    model = load(row)
    with transaction.atomic():
        portions, cables = store_scores(row, model)
        audit.record(
            None,
            "triage.score",
            row,
            after={"version": row.version, "scored_portions": portions, "scored_cables": cables},
            note=note,
        )
    return row, portions, cables


# -- what pages show -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A score as a page shows it: a percentage and what it means in words."""

    value: float
    threshold: float

    @property
    def percent(self) -> int:
        return round(self.value * 100)

    @property
    def likely(self) -> bool:
        return self.value >= self.threshold

    @property
    def words(self) -> str:
        if self.likely:
            return "likely marked classified by its author"
        return "likely unclassified as written"


@dataclass(frozen=True)
class CableTriage:
    """The triage line of one cable: its score and how many portions reach the threshold."""

    version: int
    score: Score
    flagged: int
    scored: int

    @property
    def words(self) -> str:
        if self.flagged == 0:
            return f"none of its {self.scored} scored portions likely classified"
        return f"{self.flagged} of {self.scored} scored portions likely classified"


def cable_triage(cs: CableScore, threshold: float, version: int) -> CableTriage:
    return CableTriage(version, Score(cs.score, threshold), cs.flagged, cs.scored)


def may_see(user: AnyUser) -> bool:
    return user.has_perm(PERMISSION)


def for_page(user: AnyUser, cable: Cable, rows: Sequence[Any]) -> CableTriage | None:
    """Set row.triage (a Score, or None) on each row of the review page and return the cable's
    triage line; None and nothing set for a user without the permission or a cable not scored.
    At most two queries, whatever the number of portions."""
    if not may_see(user):
        return None
    cs = (
        CableScore.objects.filter(cable=cable)
        .select_related("triage_model")
        .only("score", "flagged", "scored", "triage_model__version", "triage_model__threshold")
        .first()
    )
    if cs is None:
        return None
    threshold = cs.triage_model.threshold
    scores = dict(PortionScore.objects.filter(portion__cable=cable).values_list("portion_id", "score"))
    for row in rows:
        value = scores.get(row.portion.pk)
        row.triage = None if value is None else Score(value, threshold)
    return cable_triage(cs, threshold, cs.triage_model.version)
