"""The annual FOIA figures on a fixture of cases whose answers were worked out by hand
(fiscal year 2026: 1 October 2025 to 30 September 2026)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cases import actions, figures
from cases.models import Case, Consultation
from tests.cases.conftest import open_foia, release_in_case


def closed(case: Case, actor: User, disposition: str, on: date) -> Case:
    actions.close(case, actor=actor, disposition=disposition)
    Case.objects.filter(pk=case.pk).update(closed_on=on)  # closed that day (the action stamps today)
    return case


@pytest.fixture
def year_of_cases(bob: User, alice: User, erin: User, cable) -> None:
    # A: received in FY2025, processed in FY2026: 24 business days (Columbus Day skipped).
    closed(open_foia(bob, received=date(2025, 9, 15)), bob, "full_grant", date(2025, 10, 20))
    # B: 8 business days (Veterans Day skipped); its released cable excises a name under B6.
    b = open_foia(bob, received=date(2025, 11, 3))
    release_in_case(b, cable, alice, bob, erin)
    closed(b, bob, "partial_grant", date(2025, 11, 14))
    # C: complex, 38 business days (MLK Day and Presidents' Day skipped).
    closed(open_foia(bob, received=date(2026, 1, 5), track="complex"), bob, "full_denial", date(2026, 3, 2))
    # D: complex, on hold 9 to 23 February (9 business days stopped): 32 business days.
    d = open_foia(bob, received=date(2026, 2, 2), track="complex")
    actions.hold(d, actor=bob, reason="fee question", on=date(2026, 2, 9))
    actions.resume(d, actor=bob, on=date(2026, 2, 23))
    closed(d, bob, "no_records", date(2026, 4, 1))
    # E: pending at the year's end, due 31 August: in the backlog.
    open_foia(bob, received=date(2026, 8, 3))
    # F: pending, due after the year's end: not in the backlog.
    open_foia(bob, received=date(2026, 9, 21), track="expedited")
    # G: FY2027; H: an appeal of B; I: a mandatory review; J: received and closed in FY2025.
    Case.objects.filter(pk=open_foia(bob, received=date(2025, 10, 1)).pk).update(
        received_on=date(2026, 10, 5)
    )
    closed(open_foia(bob, received=date(2025, 12, 1), appeal_of=b), bob, "partial_grant", date(2025, 12, 15))
    open_foia(bob, received=date(2026, 1, 10), kind="M")
    closed(open_foia(bob, received=date(2025, 8, 1)), bob, "withdrawn", date(2025, 9, 10))
    # Consultations: one sent and answered in the year, one sent and still out at its end, one
    # sent the year before (answered in the year: counted as received only).
    for sent_on, answered_on in [
        (date(2025, 11, 4), date(2025, 11, 12)),
        (date(2026, 9, 1), None),
        (date(2025, 9, 1), date(2026, 9, 30)),
    ]:
        Consultation.objects.create(
            case=b, agency="DOD", sent_on=sent_on, due_on=sent_on, sent_by=bob, answered_on=answered_on,
            state="answered" if answered_on else "sent",
        )  # fmt: skip


EXPECTED = {
    "fiscal_year": 2026,
    "from": "2025-10-01",
    "to": "2026-09-30",
    "requests": {"pending_at_start": 1, "received": 5, "processed": 4, "pending_at_end": 2},
    "dispositions": {
        "full grant": 1,
        "partial grant": 1,
        "full denial": 1,
        "no records": 1,
        "referred": 0,
        "withdrawn": 0,
    },
    "exemptions": {"B6": 1},
    "processing_days": {
        "simple": {"count": 2, "median": 16.0, "average": 16.0, "lowest": 8, "highest": 24},
        "complex": {"count": 2, "median": 35.0, "average": 35.0, "lowest": 32, "highest": 38},
        "expedited": {"count": 0, "median": None, "average": None, "lowest": None, "highest": None},
    },
    "backlog": 1,
    "consultations": {"sent": 2, "answered": 2, "pending_at_end": 1},
    "appeals": {"received": 1, "processed": 1, "pending_at_end": 0},
}


def test_the_annual_figures_have_the_known_answers(year_of_cases: None) -> None:
    assert figures.annual(2026) == EXPECTED


def test_the_fiscal_year_of_a_day() -> None:
    assert figures.fiscal_year_of(date(2025, 9, 30)) == 2025
    assert figures.fiscal_year_of(date(2025, 10, 1)) == 2026


def test_page_csv_and_json(year_of_cases: None, bob: User) -> None:
    client = Client()
    client.force_login(bob)
    page = client.get("/cases/figures/", {"year": 2026}).content.decode()
    assert '<td id="received">5</td>' in page and '<td id="backlog">1</td>' in page
    data = json.loads(client.get("/cases/figures.json", {"year": 2026}).content)
    assert data == json.loads(json.dumps(EXPECTED))
    rows = list(csv.reader(io.StringIO(client.get("/cases/figures.csv", {"year": 2026}).content.decode())))
    assert ["requests", "processed", "4"] in rows and ["processing_days", "complex median", "35.0"] in rows
    assert ["exemptions", "B6", "1"] in rows
