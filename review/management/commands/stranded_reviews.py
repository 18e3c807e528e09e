"""python manage.py stranded_reviews [--json]

Lists the reviews a refused release left waiting: every review in release_refused (since when,
why, what to do), and every approved review whose last release attempt the leak check refused
(stranded before the release_refused state existed: releasing it again now either releases it or
moves it to release_refused). Prints a summary line; exits 0 whether or not any is found.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from audit.models import AuditEvent
from review.models import Review

S = Review.State
HOW = {
    S.RELEASE_REFUSED: "a supervisor may return it (approval page), or a releaser may release it "
    "again once fixed",
    S.APPROVED: "approved, but its last release was refused: release it again (it is refused again, "
    "or released)",
}


def stranded() -> list[tuple[Review, str]]:
    """(review, refusal) for each stranded review, oldest first."""
    refused_attempt = AuditEvent.objects.filter(
        action="export.leak_blocked",
        object_type="review.review",
        object_id=Cast(OuterRef("pk"), CharField()),
        after__during="review.release",
        at__gte=OuterRef("approved_at"),
    )
    approved = Review.objects.filter(state=S.APPROVED, approved_at__isnull=False)
    approved = approved.filter(Exists(refused_attempt))
    out: list[tuple[Review, str]] = []
    refused = Review.objects.filter(state=S.RELEASE_REFUSED).select_related("cable")
    out += [(review, review.release_refusal) for review in refused.order_by("updated_at", "pk")]
    for review in approved.select_related("cable").order_by("approved_at", "pk"):
        last = (
            AuditEvent.objects.filter(
                action="export.leak_blocked", object_type="review.review", object_id=str(review.pk)
            )
            .order_by("-seq")
            .first()
        )
        out.append((review, last.note if last else ""))
    return out


class Command(BaseCommand):
    help = "List reviews a refused release left waiting (release refused, or approved and refused)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object per review")

    def handle(self, *args: Any, as_json: bool = False, **options: Any) -> None:
        found = stranded()
        for review, refusal in found:
            since = review.updated_at if review.state == S.RELEASE_REFUSED else review.approved_at
            row = {
                "case_number": review.case_number,
                "reference_id": review.cable.reference_id,
                "state": review.state,
                "since": since.isoformat() if since else None,
                "refusal": refusal,
                "next": HOW[S(review.state)],
            }
            if as_json:
                self.stdout.write(json.dumps(row, sort_keys=True))
            else:
                self.stdout.write(
                    f"{row['case_number']}  {row['reference_id']}  {review.get_state_display()} since "
                    f"{since:%Y-%m-%d %H:%M} UTC\n    refused: {refusal or '(no reason recorded)'}\n"
                    f"    next: {row['next']}"
                )
        summary = f"{len(found)} stranded review{'s' if len(found) != 1 else ''}"
        (self.stderr if as_json else self.stdout).write(summary)
