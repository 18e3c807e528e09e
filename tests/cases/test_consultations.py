"""Consultations: a referred portion goes out in a package per agency and case, and the agency's
answer comes back from a file (clear errors, nothing partial) or by hand, reconciled into the
review with the agency as the decider; overdue ones show on the case queue."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.models import AuditEvent
from cables import export
from cases import actions, consultations
from cases.models import Case, Consultation
from review.models import Review
from tests.conftest import make_user
from tests.review.conftest import review_in

HEADER = "item,reference_id,portion,decision,codes,spans,justification\n"


@pytest.fixture
def sent(case: Case, bob: User, alice: User, cable) -> Consultation:
    review_in(Review.State.REFERRED, cable, alice, bob)  # paragraph 1 referred to CIA
    actions.attach(case, cable, actor=bob)
    assert consultations.agencies(case) == ["CIA"]
    return consultations.send(case, "CIA", actor=bob, due_on=date(2027, 1, 15))


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_send_packages_the_referred_portions(sent: Consultation, case: Case, bob: User) -> None:
    (item,) = sent.items.all()
    assert item.portion.label == "1" and sent.agency == "CIA" and sent.access_rank == 3
    assert consultations.agencies(case) == []  # sent: not offered again
    with pytest.raises(ValidationError, match="no portion"):
        consultations.send(case, "CIA", actor=bob)
    data = json.loads(consultations.package_json(sent))
    assert data["items"][0]["text"].startswith("Minister Ali Bey") and data["due_on"] == "2027-01-15"
    pdf = export.extract("pdf", consultations.package_pdf(sent))
    assert f">> ITEM {item.pk}, paragraph 1: Minister Ali Bey" in pdf and "The weather was fine." in pdf
    event = AuditEvent.objects.get(action="consultation.send")
    assert event.after["portions"] == ["09ANKARA100 paragraph 1"]


def test_a_review_not_yet_referred_cannot_go_out(case: Case, bob: User, alice: User, cable) -> None:
    from review import actions as review_actions
    from review.decisions import DecisionRequest

    review = review_in(Review.State.IN_REVIEW, cable, alice, bob)
    portion = cable.portions.get(label="1")
    review_actions.decide(
        review, portion, DecisionRequest("refer", ("1.4(c)",), "its equity", agency="CIA"), actor=alice
    )
    actions.attach(case, cable, actor=bob)
    with pytest.raises(ValidationError, match="not referred yet"):
        consultations.send(case, "CIA", actor=bob)
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("item,decision\n", "answer.csv, line 1: expected the header item,reference_id,portion,decision"),
        (
            HEADER + "{item},09ANKARA100,3,withhold,B6,,x\n",
            "answer.csv, line 2: item {item} is 09ANKARA100 portion 2, not 09ANKARA100 portion 3",
        ),
        (
            HEADER + "{item},,,deny,B6,,x\n",
            "answer.csv, line 2: decision: expected release, excise or withhold, got 'deny'",
        ),
        (
            HEADER + "{item},,,withhold,B1,,harm\n",
            "answer.csv, line 2: paragraph 1: B1 must cite at least one",
        ),
        (HEADER + "{item},,,excise,,9-x:B6,harm\n", "answer.csv, line 2: spans: expected start-end:CODES"),
        (HEADER + "999,,,release,,,\n", "answer.csv, line 2: item: expected one of the package's items"),
        (HEADER, "answer.csv: no answer for item {item}"),
        (
            HEADER + "{item},,,release,,,\n{item},,,release,,,\n",
            "answer.csv, line 3: item {item} is answered twice",
        ),
    ],
)
def test_a_bad_answer_file_names_file_line_and_what_was_expected(
    sent: Consultation, bob: User, body: str, error: str
) -> None:
    item = sent.items.get().pk
    upload = SimpleUploadedFile("answer.csv", body.format(item=item).encode(), content_type="text/csv")
    response = client_for(bob).post(
        f"/cases/{sent.case_id}/consultations/{sent.pk}/answer/", {"file": upload}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any(error.format(item=item) in m for m in shown), shown
    sent.refresh_from_db()
    assert sent.state == "sent" and sent.items.get().answer == ""
    assert Review.objects.get().state == Review.State.REFERRED
    assert not AuditEvent.objects.filter(action="consultation.answer").exists()


def test_the_answer_file_is_reconciled_with_the_agency_as_decider(sent: Consultation, bob: User) -> None:
    item = sent.items.get().pk
    body = HEADER + f"{item},09ANKARA100,2,withhold,B1;1.4(c),,would reveal an intelligence method\n"
    upload = SimpleUploadedFile("cia-answer.csv", body.encode(), content_type="text/csv")
    client_for(bob).post(f"/cases/{sent.case_id}/consultations/{sent.pk}/answer/", {"file": upload})
    sent.refresh_from_db()
    assert sent.state == "answered" and sent.answered_by == bob
    review = Review.objects.get()
    assert review.state == Review.State.IN_REVIEW
    decision = review.decisions.get(portion__label="1")
    assert decision.kind == "withhold" and decision.agency == "CIA"
    assert decision.justification == "would reveal an intelligence method"
    assert "answered by CIA" in decision.referral_answer
    actions_done = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions_done[-2:] == ["consultation.answer", "review.answer_referral"]


def test_the_answer_entered_by_hand(sent: Consultation, bob: User) -> None:
    item = sent.items.get().pk
    client_for(bob).post(
        f"/cases/{sent.case_id}/consultations/{sent.pk}/answer-by-hand/",
        {
            f"decision-{item}": "excise",
            f"spans-{item}": "9-16:B6",
            f"justification-{item}": "a private person",
        },
    )
    decision = Review.objects.get().decisions.get(portion__label="1")
    assert decision.kind == "excise" and [(s.start, s.end) for s in decision.spans.all()] == [(9, 16)]


def test_overdue_consultations_on_the_case_queue(sent: Consultation, bob: User) -> None:
    page = client_for(bob).get("/cases/").content.decode()
    assert 'id="count-late-consultations">0<' in page
    Consultation.objects.filter(pk=sent.pk).update(due_on=date.today() - timedelta(days=1))
    page = client_for(bob).get("/cases/").content.decode()
    assert 'id="count-late-consultations">1<' in page and f"{sent.case.number} to CIA" in page
    assert "overdue" in client_for(bob).get(f"/cases/{sent.case_id}/").content.decode()


def test_a_confidential_user_cannot_open_a_secret_package(sent: Consultation) -> None:
    cass = make_user("cass", "Supervisor", clearance="C")
    client = client_for(cass)
    for tail in ("", "package.pdf", "package.json"):
        assert client.get(f"/cases/{sent.case_id}/consultations/{sent.pk}/{tail}").status_code == 404
    assert "CIA" not in client.get(f"/cases/{sent.case_id}/").content.decode()
