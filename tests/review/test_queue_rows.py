"""The list rows written in Python (review/templatetags/queue_rows.py) escape every value they show.

Nothing autoescapes those rows, so each field a row shows is given markup here: the cable's subject,
origin, declassification instruction and due basis, the case number, the reviewer's name, the
submit note, the leak check's refusal, a mosaic finding and its reason, an audit event's actor and
note. Every list page must show it as text.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from accounts.roles import AUDITOR, RELEASER
from audit import log as audit
from cables.models import Cable
from review.models import MosaicAcknowledgment, Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import MARKUP, MARKUP_ESCAPED, review_in

pytestmark = pytest.mark.django_db

CASE_MARKUP, CASE_ESCAPED = "F-<i>&'", "F-&lt;i&gt;&amp;&#x27;"
ODD_NAME = "ann<b>"  # a name the sign-up form refuses, stored directly: the page must still escape it


def _cable(reference_id: str) -> Cable:
    return make_cable(
        reference_id,
        subject=f"subject {MARKUP}",
        origin=f"origin {MARKUP}",
        declassify_instruction=f"instruction {MARKUP}",
        review_due=date(2001, 1, 1),
        review_due_basis=f"basis {MARKUP}",
        portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": "One."}],
    )


def _unescaped(html: str) -> list[str]:
    """Markup from the data that reached the page as markup."""
    return [bad for bad in ("<script>alert", "<b>", "'q'", "<i>&") if bad in html]


@pytest.fixture
def lists(alice: User, bob: User) -> dict[str, User]:
    User.objects.filter(pk=alice.pk).update(username=ODD_NAME)
    alice.refresh_from_db()
    state = Review.State
    shown = [state.NEW, state.ASSIGNED, state.IN_REVIEW, state.REFERRED, state.PENDING_APPROVAL]
    shown += [state.RETURNED, state.APPROVED]
    reviews = {s: review_in(s, _cable(f"09ROWS{i}"), alice, bob) for i, s in enumerate(shown)}
    for review in reviews.values():
        # A case number holds 20 characters at most: a short piece of markup.
        Review.objects.filter(pk=review.pk).update(case_number=f"{CASE_MARKUP}{review.pk}")
    approved = reviews[state.APPROVED]
    Review.objects.filter(pk=approved.pk).update(release_refusal=f"refused {MARKUP}")
    for review in (approved, reviews[state.PENDING_APPROVAL]):
        MosaicAcknowledgment.objects.create(
            review=review,
            key="harada",
            message=f"finding {MARKUP}",
            reason=f"reason {MARKUP}",
            acknowledged_by=alice,
            acknowledged_at=timezone.now(),
            confirmed_by=alice,
        )
    pending = reviews[state.PENDING_APPROVAL]
    audit.record(alice, "review.submit", pending, note=f"note {MARKUP}", after={"why": MARKUP})
    _cable("09ROWSDUE")  # no review: on the due and triage pages
    releaser, auditor = make_user("rel", RELEASER), make_user("aud", AUDITOR)
    return {"reviewer": alice, "supervisor": bob, "releaser": releaser, "auditor": auditor}


@pytest.mark.parametrize(
    ("who", "path", "shown"),
    [
        ("reviewer", "/", ["subject", "F-"]),
        ("reviewer", "/reviews/", ["subject", "F-", "instruction"]),
        ("supervisor", "/", ["subject", "F-"]),
        ("supervisor", "/approvals/", ["subject", "F-", "origin", "note"]),
        ("supervisor", "/assign/", ["subject", "origin", "F-"]),
        ("supervisor", "/due/", ["subject", "origin", "basis", "F-"]),
        ("supervisor", "/triage/", ["subject", "origin"]),
        ("supervisor", "/audit/", ["note"]),
        ("releaser", "/", ["subject", "F-"]),
        ("releaser", "/releases/", ["subject", "F-", "refused", "finding", "reason"]),
        ("auditor", "/audit/", ["note"]),
    ],
)
def test_every_value_a_list_row_shows_is_escaped(
    client: Client, lists: dict[str, User], who: str, path: str, shown: list[str]
) -> None:
    client.force_login(lists[who])
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert _unescaped(html.replace('<script src="', "")) == []
    for what in shown:
        if what == "F-":
            assert CASE_ESCAPED in html, what
        else:
            assert f"{what} {MARKUP_ESCAPED}" in html, what
    if path in ("/approvals/", "/releases/", "/assign/", "/due/", "/audit/"):
        assert "ann&lt;b&gt;" in html  # the reviewer's name, or the actor's


def test_a_day_before_today_is_overdue_and_today_is_not(client: Client, alice: User, bob: User) -> None:
    today = timezone.localdate()
    for ref, day in (("09ROWSPAST", today - timedelta(days=1)), ("09ROWSTODAY", today)):
        review_in(Review.State.ASSIGNED, make_cable(ref, declassify_on=day, portions=[]), alice, bob)
    client.force_login(alice)
    html = client.get("/reviews/").content.decode()
    past, now = (today - timedelta(days=1)).isoformat(), today.isoformat()
    overdue = '<span class="overdue-label">overdue</span>'
    assert f'<time datetime="{past}" class="overdue">{past}</time> {overdue}' in html
    assert f'<time datetime="{now}">{now}</time>' in html
