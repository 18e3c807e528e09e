"""The Vaughn index and the response letter: one row per withheld or excised portion with its
location, codes, basis and justification; leak-checked (a justification that quotes withheld text is
refused where the reviewer writes it, and an index that would still show it is not served)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from audit.models import AuditEvent
from cables import export
from cases import letters, vaughn
from cases.models import Case, LetterTemplate
from review import actions as review_actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Decision, Review
from tests.cases.conftest import open_foia, release_in_case
from tests.conftest import make_cable
from tests.review.conftest import acknowledge_mosaic


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def withheld_cable() -> object:
    return make_cable(
        "09ANKARA200",
        level="C",
        classification="CONFIDENTIAL",
        subject="VISA FRAUD RING",
        portions=[
            {"kind": "header", "label": "SUBJECT", "level": "C", "text": "VISA FRAUD RING"},
            {"kind": "paragraph", "label": "1", "marking": "C", "level": "C",
             "text": "The consul named the three clerks who sold visas at the border post."},
            {"kind": "paragraph", "label": "2", "marking": "U", "level": "U", "text": "Rain all week."},
        ],
    )  # fmt: skip


def test_one_row_per_excised_span_with_its_location_in_the_released_copy(
    case: Case, bob: User, alice: User, erin: User, cable
) -> None:
    release_in_case(case, cable, alice, bob, erin)
    data = client_for(bob).get(f"/cases/{case.pk}/vaughn-index.csv")
    assert data.status_code == 200
    (row,) = read_csv(data.content)
    assert row["case"] == case.number and row["reference_id"] == "09ANKARA100"
    assert row["portion"] == "paragraph 1" and row["extent"] == "withheld in part"
    # "Minister " is 9 characters; the box is 16 wide whatever it hides.
    assert row["location"] == "paragraph 1, characters 10-25 of its released text"
    assert row["codes"] == "B6" and row["code_basis"] == "B6: Personal privacy"
    assert row["justification"] == "would identify a private person who spoke in confidence"
    assert row["status"] == "RELEASE IN PART B6" and "reasonably segregable" in row["segregability"]
    assert "Ali Bey" not in data.content.decode()
    event = AuditEvent.objects.filter(action="case.vaughn_index").get()
    assert event.after["rows"] == 1 and event.after["format"] == "csv"


def test_withheld_in_full_with_categories_and_statute(bob: User, alice: User, erin: User) -> None:
    case = open_foia(bob)
    cable = withheld_cable()
    from cases import actions

    actions.attach(case, cable, actor=bob)
    review = review_actions.open_review(cable, actor=bob)
    actions.link_reviews(case, actor=bob)
    review = review_actions.assign(review, actor=bob, reviewer=alice)
    review = review_actions.start(review, actor=alice)
    withhold = DecisionRequest(
        "withhold", ("B1", "1.4(d)", "B3 FS ACT"), "names local staff; release would endanger them"
    )
    for portion in cable.portions.all():
        request = withhold if portion.label == "1" else DecisionRequest("release")
        review_actions.decide(review, portion, request, actor=alice)
    keys = acknowledge_mosaic(review, alice)
    review = review_actions.submit(review, actor=alice)
    review = review_actions.approve(review, actor=bob, confirm_mosaic=keys)
    review_actions.release(review, actor=erin)
    (row,) = read_csv(vaughn.export(case, "csv", actor=bob))
    assert (
        row["extent"] == "withheld in full" and row["location"] == "paragraph 1, the whole portion (one box)"
    )
    assert "1.4(D): E.O. 13526 section 1.4 category: Foreign relations" in row["code_basis"]
    assert "B3 FS ACT: statute: Foreign Service Act" in row["code_basis"]
    assert row["subject_as_released"] == "VISA FRAUD RING" and row["document_date"] == "2007-04-19"
    pdf = vaughn.export(case, "pdf", actor=bob)
    text = export.extract("pdf", pdf)
    assert "paragraph 1, the whole portion" in text and "Page 1 of 1" in text
    assert f"Case No. {case.number}" in text and "three clerks" not in text


def test_a_justification_that_quotes_the_withheld_text_is_refused_where_it_is_written(
    case: Case, bob: User, alice: User, cable
) -> None:
    review = review_actions.open_review(cable, actor=bob)
    review = review_actions.assign(review, actor=bob, reviewer=alice)
    review = review_actions.start(review, actor=alice)
    portion = cable.portions.get(label="1")
    quoting = DecisionRequest(
        "excise", justification="Ali Bey is a source", spans=(SpanRequest(9, 16, ("B6",)),)
    )
    with pytest.raises(ValidationError, match="quotes the text it withholds"):
        review_actions.decide(review, portion, quoting, actor=alice)
    paraphrase = DecisionRequest("withhold", ("B5",), "he said the border would reopen in May")
    with pytest.raises(ValidationError, match="quotes the text it withholds"):
        review_actions.decide(review, portion, paraphrase, actor=alice)
    assert not review.decisions.exists()


def test_an_index_that_would_show_withheld_text_is_not_served(
    case: Case, bob: User, alice: User, erin: User, cable
) -> None:
    release_in_case(case, cable, alice, bob, erin)
    # A justification written before the rule (or changed behind the application's back).
    Decision.objects.filter(kind="excise").update(justification="names Ali Bey")
    response = client_for(bob).get(f"/cases/{case.pk}/vaughn-index.pdf")
    assert response.status_code == 302
    blocked = AuditEvent.objects.filter(action="export.leak_blocked").get()
    assert blocked.after["portion"] == "paragraph 1" and "Ali Bey" not in str(blocked.after) + blocked.note
    assert not AuditEvent.objects.filter(action="case.vaughn_index").exists()
    with pytest.raises(vaughn.NotReady, match="refused: paragraph 1 of 09ANKARA100"):
        vaughn.export(case, "csv", actor=bob)
    # The letter cites no justification: it is served.
    assert letters.export(case, actor=bob).startswith(b"%PDF")


def test_no_index_before_every_document_is_released(case: Case, bob: User, cable) -> None:
    from cases import actions

    with pytest.raises(vaughn.NotReady, match="no documents"):
        vaughn.export(case, "csv", actor=bob)
    actions.attach(case, cable, actor=bob)
    with pytest.raises(vaughn.NotReady, match="not released"):
        vaughn.export(case, "csv", actor=bob)


def test_the_letter_lists_documents_exemptions_and_appeal_rights(
    case: Case, bob: User, alice: User, erin: User, cable
) -> None:
    release_in_case(case, cable, alice, bob, erin)
    response = client_for(bob).get(f"/cases/{case.pk}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = export.extract("pdf", response.content)
    for expected in (
        case.number,
        "Jane Doe",
        "09ANKARA100",
        "RELEASE IN PART B6",
        "B6: Personal privacy",
        "appeal",
    ):
        assert expected in text, expected
    assert "Ali Bey" not in text
    # The office's own template, edited in the admin, replaces the default.
    LetterTemplate.objects.create(name="short", body="Case $number: $summary")
    text = export.extract("pdf", letters.export(case, actor=bob))
    assert f"Case {case.number}: Of the 1 document reviewed" in text


def test_a_template_with_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"unknown placeholder \$requester_ssn"):
        letters.check_template("Dear $requester_ssn")
    with pytest.raises(ValidationError, match="stray"):
        letters.check_template("costs $5")
    letters.check_template(letters.DEFAULT_LETTER)


def test_a_reviewer_cannot_download_the_letter(case: Case, alice: User, bob: User, erin: User, cable) -> None:
    release_in_case(case, cable, alice, bob, erin)
    assert client_for(alice).get(f"/cases/{case.pk}/letter.pdf").status_code == 403
    assert client_for(alice).get(f"/cases/{case.pk}/vaughn-index.csv").status_code == 200
    assert Review.objects.get().request_case == case.number
