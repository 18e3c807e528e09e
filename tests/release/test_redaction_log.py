"""The redaction log: public per release (no justifications), internal per release and in bulk."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.models import AuditEvent
from cables.models import Cable
from release.redaction_log import to_csv
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import ReleaseCopy, Review
from tests.conftest import make_cable
from tests.release.test_reading_room import make_copy
from tests.review.conftest import review_in

TEXT = "Minister Ali Bey said the border would reopen in May."
ALI = (TEXT.index("Ali"), TEXT.index("Ali") + len("Ali Bey"))


@pytest.fixture
def released(cable: Cable, alice: User, bob: User, erin: User) -> ReleaseCopy:
    """SUBJECT withheld, paragraph 1 excised (Ali Bey), paragraph 2 released."""
    review = review_in(Review.State.IN_REVIEW, cable, alice, bob)
    subject, p1, p2 = cable.portions.order_by("order")
    actions.decide(
        review, subject, DecisionRequest("withhold", ("B1", "1.4(d)"), "=names the talks"), actor=alice
    )
    excise = DecisionRequest("excise", (), "a source's name", spans=(SpanRequest(*ALI, ("B6",)),))
    actions.decide(review, p1, excise, actor=alice)
    actions.decide(review, p2, DecisionRequest("release"), actor=alice)
    review = actions.submit(review, actor=alice)
    review = actions.approve(review, actor=bob)
    actions.release(review, actor=erin)
    return ReleaseCopy.objects.get(review=review)


def rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def test_the_public_log_has_no_justifications(client: Client, released: ReleaseCopy) -> None:
    r = client.get("/reading-room/09ANKARA100/v1-redactions.csv")
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == 'attachment; filename="09ANKARA100-v1-redactions.csv"'
    assert rows(r.content) == [
        ["reference_id", "version", "portion", "decision", "codes"],
        ["09ANKARA100", "1", "the SUBJECT line", "withhold", "B1; 1.4(D)"],
        ["09ANKARA100", "1", "paragraph 1", "excise", "B6"],
    ]
    assert b"source" not in r.content


def test_a_cleared_role_gets_the_justifications(client: Client, alice: User, released: ReleaseCopy) -> None:
    client.force_login(alice)
    r = client.get("/releases/09ANKARA100/v1-redactions.csv")
    assert r.status_code == 200
    assert rows(r.content) == [
        ["reference_id", "version", "portion", "decision", "codes", "justification"],
        ["09ANKARA100", "1", "the SUBJECT line", "withhold", "B1; 1.4(D)", "'=names the talks"],  # no formula
        ["09ANKARA100", "1", "paragraph 1", "excise", "B6", "a source's name"],
    ]
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action, event.cable_ref) == (alice, "release.redaction_log", "09ANKARA100")


def test_the_internal_log_needs_a_login(client: Client, released: ReleaseCopy) -> None:
    r = client.get("/releases/09ANKARA100/v1-redactions.csv")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_the_internal_log_needs_clearance(client: Client, dave: User, released: ReleaseCopy) -> None:
    client.force_login(dave)  # cleared to CONFIDENTIAL; the cable is SECRET
    assert client.get("/releases/09ANKARA100/v1-redactions.csv").status_code == 404


def test_the_internal_log_needs_a_role(client: Client, carol: User, released: ReleaseCopy) -> None:
    client.force_login(carol)
    assert client.get("/releases/09ANKARA100/v1-redactions.csv").status_code == 404


@pytest.mark.parametrize("who", ["bob", "frank"])
def test_supervisors_and_auditors_get_the_bulk_log(
    client: Client, request: pytest.FixtureRequest, who: str, released: ReleaseCopy
) -> None:
    client.force_login(request.getfixturevalue(who))
    r = client.get("/releases/redactions.csv")
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="redactions.csv"'
    assert [row[:4] for row in rows(r.content)[1:]] == [
        ["09ANKARA100", "1", "the SUBJECT line", "withhold"],
        ["09ANKARA100", "1", "paragraph 1", "excise"],
    ]


@pytest.mark.parametrize("who", ["alice", "erin", "carol"])
def test_other_roles_do_not_get_the_bulk_log(
    client: Client, request: pytest.FixtureRequest, who: str, released: ReleaseCopy
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get("/releases/redactions.csv").status_code == 403


def test_the_bulk_log_needs_a_login(client: Client, released: ReleaseCopy) -> None:
    r = client.get("/releases/redactions.csv")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_the_bulk_log_leaves_out_cables_above_the_users_clearance(
    client: Client, sam: User, bob: User, released: ReleaseCopy
) -> None:
    top = make_cable("09ANKARA999", level="TS", classification="TOP SECRET")
    make_copy(top, released_by=bob)  # made directly: it has no decisions, hence no rows
    client.force_login(sam)  # a supervisor cleared to SECRET
    refs = {row[0] for row in rows(client.get("/releases/redactions.csv").content)[1:]}
    assert refs == {"09ANKARA100"}
    client.force_login(bob)
    assert client.get("/releases/redactions.csv").status_code == 200


def test_to_csv_neutralises_formulas() -> None:
    text = to_csv([("REF", 1, "1", "withhold", "B6", "@SUM(A1)")], public=False)
    assert text.splitlines()[1].endswith(",'@SUM(A1)")
