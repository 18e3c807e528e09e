"""The case pages: open, attach, assign in one step, the queue, clearance, and the release copy
carrying the case's number."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.test import Client

from cases.models import Case, CaseDocument
from review import actions as review_actions
from review.models import ReleaseCopy, Review
from tests.cases.conftest import open_foia, release_in_case
from tests.conftest import make_user
from tests.review.conftest import review_in


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_opens_a_case_from_the_page(bob: User) -> None:
    client = client_for(bob)
    response = client.post(
        "/cases/new/",
        {
            "kind": "F",
            "track": "complex",
            "request_text": "Cables on the border talks",
            "received_on": "2026-11-16",
            "requester_name": "Jane Doe",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "F-2026-00001" in page and "Jane Doe" in page and "2026-12-15" in page


def test_the_form_names_a_bad_appeal_number(bob: User) -> None:
    response = client_for(bob).post(
        "/cases/new/",
        {
            "kind": "F",
            "track": "simple",
            "request_text": "x",
            "received_on": "2026-11-16",
            "appeal_of": "F-1-2",
        },
    )
    assert response.status_code == 200 and "no case F-1-2" in response.content.decode()
    assert not Case.objects.exists()


def test_the_requester_is_private_to_staff_who_answer_requesters(case: Case, alice: User) -> None:
    page = client_for(alice).get(f"/cases/{case.pk}/").content.decode()
    assert case.number in page and "Jane Doe" not in page and "jane@example.org" not in page


def test_the_queue_counts_overdue_and_tracks(bob: User) -> None:
    open_foia(bob, received=date(2020, 1, 6))  # long overdue
    open_foia(bob, track="expedited")
    page = client_for(bob).get("/cases/").content.decode()
    assert '<span class="n" id="count-overdue">1</span>' in page
    assert '<span class="n">1</span> expedited' in page and '<span class="n">1</span> simple' in page
    assert "OVERDUE by" in page


def test_attach_from_a_search_and_assign_in_one_step(case: Case, bob: User, alice: User, cable) -> None:
    client = client_for(bob)
    page = client.get(f"/cases/{case.pk}/", {"q": cable.reference_id}).content.decode()
    assert f'value="{cable.reference_id}"' in page
    client.post(f"/cases/{case.pk}/attach/", {"reference_id": cable.reference_id})
    assert case.documents.get().cable == cable
    response = client.post(f"/cases/{case.pk}/assign/", {"reviewer": alice.pk})
    assert response.status_code == 302
    doc = CaseDocument.objects.get()
    assert doc.review.reviewer == alice and doc.review.state == Review.State.ASSIGNED
    assert doc.review.request_case == case.number


def test_the_release_copy_carries_the_cases_number(
    case: Case, bob: User, alice: User, erin: User, cable
) -> None:
    review = release_in_case(case, cable, alice, bob, erin)
    copy = ReleaseCopy.objects.get(review=review)
    assert f"Case No. {case.number}" in copy.text and review.case_number == "F-2026-00002"
    assert review.case_number not in copy.text


def test_a_review_outside_a_case_keeps_its_own_number(bob: User, alice: User, erin: User, cable) -> None:
    review = review_in(Review.State.APPROVED, cable, alice, bob)
    review = review_actions.release(review, actor=erin)
    assert f"Case No. {review.case_number}" in ReleaseCopy.objects.get(review=review).text


def test_a_confidential_user_sees_the_case_but_not_its_secret_cable(case: Case, bob: User, cable) -> None:
    from cases import actions

    actions.attach(case, cable, actor=bob)
    cass = make_user("cass", "Supervisor", clearance="C")
    client = client_for(cass)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert case.number in page and cable.reference_id not in page and "ANKARA" not in page
    assert "not cleared for all of them" in page
    assert client.get(f"/cases/{case.pk}/vaughn-index.csv").status_code == 403
    assert client.get(f"/cases/{case.pk}/letter.pdf").status_code == 403
    # and it cannot attach what it may not see
    client.post(f"/cases/{case.pk}/documents/{case.documents.get().pk}/review-again/")
    assert not Review.objects.exists()


def test_no_case_page_without_the_role(case: Case) -> None:
    nobody = make_user("nobody")
    assert client_for(nobody).get(f"/cases/{case.pk}/").status_code == 403
    assert client_for(nobody).get("/cases/").status_code == 403
