"""Sensitivity triage: the trained models and the current model's scores of portions and cables
(aids/triage.py; written only by the train_triage command)."""

from __future__ import annotations

from django.db import models

from cables.models import Cable, Portion


class TriageModel(models.Model):
    """One trained sensitivity model: its version, what it was trained on and how it measured,
    and the fitted scikit-learn pipeline itself (joblib bytes, in the database: see docs/triage.md)."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    # portions, cables, classes, years, the split figures, the library version
    summary = models.JSONField()
    threshold = models.FloatField()  # a portion scoring at or above it is "likely classified"
    model = models.BinaryField()
    sha256 = models.CharField(max_length=64)  # of model, checked before it is unpickled
    library = models.CharField(max_length=40)  # scikit-learn's version that fitted it

    class Meta:
        db_table = "review_triagemodel"  # made by review's migrations before issue 15 moved it here
        ordering = ["-version"]
        permissions = [("view_triage", "See sensitivity triage scores")]

    def __str__(self) -> str:
        return f"triage model v{self.version}"


class Score(models.Model):
    """A score by the current model, of what the subclass's primary key names (a portion, a cable)."""

    triage_model = models.ForeignKey(TriageModel, models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.pk}: {self.score:.3f}"


class PortionScore(Score):
    """The current model's score of one portion: how likely its author marked it classified."""

    portion = models.OneToOneField(Portion, models.CASCADE, primary_key=True, related_name="triage_score")

    class Meta:
        db_table = "review_portionscore"  # made by review's migrations before issue 15 moved it here


class CableScore(Score):
    """A cable's triage score: its highest portion score, and how many portions reach the threshold."""

    cable = models.OneToOneField(Cable, models.CASCADE, primary_key=True, related_name="triage_score")
    flagged = models.PositiveIntegerField()  # portions at or above the model's threshold
    scored = models.PositiveIntegerField()

    class Meta:
        db_table = "review_cablescore"  # made by review's migrations before issue 15 moved it here
        # The systematic-review queue's order (lowest score first).
        indexes = [models.Index(fields=["score", "cable"], name="cablescore_order")]
