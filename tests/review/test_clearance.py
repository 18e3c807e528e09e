"""A user never sees a cable above their clearance: to them it does not exist.

dave is a reviewer cleared to CONFIDENTIAL; the SECRET cable must not reach him by any list,
search, count, URL, review or audit entry. (Release copies and their exports come with a later
issue and will be added here.) Each denial has a twin: alice, cleared to TOP SECRET, sees it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.access import visible_audit_events
from audit.models import AuditEvent
from cables.access import visible_cables
from cables.models import Cable
from review import actions
from review.access import visible_reviews
from review.models import Review
from tests.conftest import make_cable, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(db: None) -> Cable:
    return make_cable(
        "09ANKARA7",
        level="S",
        classification="SECRET",
        origin="AMEMBASSY ANKARA",
        subject="TURKISH GENERAL STAFF ON NORTHERN IRAQ",
        tags=["PREL", "TU"],
        sent_at=None,
        year=2009,
        portions=[{"kind": "paragraph", "label": "1", "marking": "S", "level": "S", "text": "Secret words."}],
    )


@pytest.fixture
def confidential(db: None) -> Cable:
    return make_cable("09ANKARA8", level="C", subject="TURKISH ELECTIONS", tags=["PREL"])


@pytest.fixture
def hidden_portion(db: None) -> Cable:
    """A CONFIDENTIAL cable with a portion marked SECRET: it is SECRET to read."""
    return make_cable(
        "09ANKARA9",
        level="C",
        subject="MISMARKED",
        portions=[{"kind": "paragraph", "label": "1", "marking": "S", "level": "S", "text": "x"}],
    )


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "09ANKARA7"},
        {"q": "turkish general"},
        {"level": "S"},
        {"origin": "AMEMBASSY ANKARA"},
        {"tag": "TU"},
        {"year": "2009"},
    ],
)
def test_the_cable_list_and_search_never_show_it(
    client: Client, dave: User, alice: User, secret: Cable, confidential: Cable, query: dict[str, str]
) -> None:
    client.force_login(dave)
    r = client.get("/cables/", query)
    assert "09ANKARA7" not in [c.reference_id for c in r.context["page"]]
    assert "NORTHERN IRAQ" not in r.content.decode()
    client.force_login(alice)
    assert "09ANKARA7" in [c.reference_id for c in client.get("/cables/", query).context["page"]]


def test_counts_and_filter_choices_leave_it_out(
    client: Client, dave: User, alice: User, secret: Cable, confidential: Cable
) -> None:
    make_cable("10ISTANBUL1", level="S", origin="AMCONSUL ISTANBUL", year=2010)
    client.force_login(dave)
    r = client.get("/cables/")
    assert r.context["page"].paginator.count == 1
    assert "AMCONSUL ISTANBUL" not in r.context["origins"] and 2010 not in r.context["years"]
    client.force_login(alice)
    r = client.get("/cables/")
    assert r.context["page"].paginator.count == 3
    assert "AMCONSUL ISTANBUL" in r.context["origins"] and 2010 in r.context["years"]


def test_its_page_does_not_exist_and_the_attempt_is_audited(
    client: Client, dave: User, alice: User, secret: Cable
) -> None:
    client.force_login(dave)
    assert client.get("/cables/09ANKARA7/").status_code == 404
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.cable_ref) == ("access.denied", dave, "09ANKARA7")
    client.force_login(alice)
    assert client.get("/cables/09ANKARA7/").status_code == 200


def test_a_portion_marked_above_the_banner_raises_what_reading_takes(
    client: Client, dave: User, alice: User, hidden_portion: Cable
) -> None:
    client.force_login(dave)
    assert client.get("/cables/09ANKARA9/").status_code == 404
    assert not client.get("/cables/", {"q": "mismarked"}).context["page"].object_list
    client.force_login(alice)
    assert client.get("/cables/09ANKARA9/").status_code == 200


def test_its_reviews_and_audit_entries_are_invisible(
    dave: User, alice: User, bob: User, sam: User, secret: Cable, confidential: Cable
) -> None:
    actions.open_review(secret, actor=bob)
    actions.open_review(confidential, actor=bob)
    dave_sup = make_user("dora", "Supervisor", clearance="C")
    assert [r.cable.reference_id for r in visible_reviews(dave_sup)] == ["09ANKARA8"]
    assert "09ANKARA7" not in set(visible_audit_events(dave_sup).values_list("cable_ref", flat=True))
    assert {"09ANKARA7", "09ANKARA8"} <= set(visible_audit_events(sam).values_list("cable_ref", flat=True))
    assert set(visible_reviews(bob).values_list("cable__reference_id", flat=True)) == {
        "09ANKARA7",
        "09ANKARA8",
    }


def test_a_review_of_it_cannot_be_opened_or_assigned_by_someone_not_cleared(
    bob: User, dave: User, secret: Cable
) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    dora = make_user("dora", "Supervisor", clearance="C")
    with pytest.raises(PermissionDenied, match="not cleared"):
        actions.open_review(secret, actor=dora)
    review = actions.open_review(secret, actor=bob)
    with pytest.raises(ValidationError, match="dave is cleared only to CONFIDENTIAL and the cable is SECRET"):
        actions.assign(review, actor=bob, reviewer=dave)
    assert Review.objects.get().state == "new"


def test_users_without_a_role_see_nothing(carol: User, secret: Cable, confidential: Cable) -> None:
    assert not visible_cables(carol).exists()
    assert not visible_reviews(carol).exists()
    assert not visible_audit_events(carol).exists()


def test_anonymous_users_are_sent_to_log_in(client: Client, secret: Cable) -> None:
    assert client.get("/cables/").status_code == 302
    assert client.get("/cables/09ANKARA7/").status_code == 302


def test_a_user_cleared_for_everything_reads_reviews_without_a_join_on_the_cables(
    alice: User, dave: User
) -> None:
    assert "cables_cable" not in str(Review.objects.visible_to(alice).query)  # TOP SECRET
    assert "access_rank" in str(Review.objects.visible_to(dave).query)  # CONFIDENTIAL
