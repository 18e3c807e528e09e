"""python manage.py train_triage [--score-only] [--no-measure] [--note TEXT]

Trains the sensitivity-triage model on the database's cables (every portion its author marked),
measures it on a split by cable and by time, stores it as the next version with its training
summary, scores every portion and cable, and audits it (triage.train), all or nothing. Run it again
to retrain; --score-only scores again with the current model (cables ingested since), audited as
triage.score. aids/triage.py does the work; docs/triage.md describes it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aids import triage


class Command(BaseCommand):
    help = "Train the sensitivity-triage model on the stored cables, store it and score every portion."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--score-only", action="store_true", help="score every portion again with the current model"
        )
        parser.add_argument(
            "--no-measure",
            action="store_true",
            help="skip the split-by-cable and split-by-time figures (faster; the summary has none)",
        )
        parser.add_argument("--note", default="", help="a note for the audit log")

    def handle(self, *args: Any, score_only: bool, no_measure: bool, note: str, **options: Any) -> None:
        try:
            if score_only:
                row, portions, cables = triage.rescore(note=note)
                self.stdout.write(f"scored {portions:,} portions in {cables:,} cables with {row}")
                return
            row = triage.train(note=note, measure=not no_measure)
        except triage.TriageError as e:
            raise CommandError(str(e)) from None
        s = row.summary
        self.stdout.write(
            f"stored {row}: {s['portions']:,} marked portions in {s['cables']:,} cables "
            f"({s['classes']['classified']:,} classified, {s['classes']['unclassified']:,} not), "
            f"years {s['years'][0]}-{s['years'][1]}; threshold {row.threshold:.3f}"
        )
        for f in s["splits"]:
            if "skipped" in f:
                self.stdout.write(f"  {f['split']}: not measured: {f['skipped']}")
                continue
            self.stdout.write(
                f"  {f['split']}: recall {_fmt(f['recall'])}, false-positive rate "
                f"{_fmt(f['false_positive_rate'])}, ROC AUC {_fmt(f['auc'])} "
                f"({f['test_portions']:,} test portions)"
            )
        self.stdout.write(f"scored {s['scored_portions']:,} portions in {s['scored_cables']:,} cables")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
