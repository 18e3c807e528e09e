"""The statistics dashboard's figures against a fixture with known answers, for a TOP SECRET
supervisor and (clearance) a CONFIDENTIAL auditor; the page, its CSVs and who may see them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import AUDITOR, REVIEWER, SUPERVISOR
from cables.models import Cable
from quality import actions as quality_actions
from quality import dashboard
from quality.actions import PortionVerdict
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.conftest import make_cable, make_user

TODAY = date(2026, 3, 15)
RELEASE = DecisionRequest("release")


@contextmanager
def at(day: str, hour: int = 10) -> Iterator[None]:
    """Everything recorded inside happens at that time (audit events, reviews' stamps)."""
    when = datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def _cable(ref: str, level: str, *levels: str) -> Cable:
    return make_cable(
        ref,
        level=level,
        classification={"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET"}[level],
        portions=[
            {
                "kind": "paragraph",
                "label": str(i),
                "marking": lv,
                "level": lv,
                "text": f"Words {ref} number {i}.",
            }
            for i, lv in enumerate(levels, start=1)
        ],
    )


def _run(
    cable: Cable,
    reviewer: User,
    bob: User,
    erin: User,
    days: tuple[str, str, str | None],
    decisions: list[Any],
) -> Review:
    assigned, submitted, released = days
    with at(assigned):
        review = actions.open_review(cable, actor=bob)
        review = actions.assign(review, actor=bob, reviewer=reviewer)
        review = actions.start(review, actor=reviewer)
        for portion, request in zip(cable.portions.order_by("order"), decisions, strict=True):
            actions.decide(review, portion, request, actor=reviewer)
    if submitted is None:
        return review
    with at(submitted):
        review = actions.submit(review, actor=reviewer)
    if released is None:
        return review
    with at(released, 9):
        review = actions.approve(review, actor=bob)
    with at(released):
        review = actions.release(review, actor=erin)
    return review


@pytest.fixture
def world(db: None, alice: User, bob: User, erin: User) -> dict[str, Any]:
    """09K1 (U) alice, assigned 5 Jan, released 15 Jan (10 days); 09K2 (C) alice, assigned 6 Jan,
    submitted 20 Jan, released 6 Feb (31 days); 09K3 (S) rita, assigned 1 Feb, released 5 Feb
    (4 days); 09K4 (U) rita, assigned 10 Feb, in review. A quality sample of the three released
    (by vera, 20 Feb): 09K1 both agreed, 09K2 one of two, 09K3 both."""
    rita = make_user("rita", REVIEWER)
    k2_excise = DecisionRequest("excise", (), "a name", spans=(SpanRequest(0, 5, ("B6",)),))
    withhold_d = DecisionRequest("withhold", ("B1", "1.4(d)"), "a source")
    withhold_c = DecisionRequest("withhold", ("B1", "1.4(c)"), "methods")
    k1, k2, k3 = (
        ("2026-01-05", "2026-01-10", "2026-01-15"),
        ("2026-01-06", "2026-01-20", "2026-02-06"),
        ("2026-02-01", "2026-02-03", "2026-02-05"),
    )
    reviews = {
        "09K1": _run(_cable("09K1", "U", "U", "U"), alice, bob, erin, k1, [RELEASE, RELEASE]),
        "09K2": _run(_cable("09K2", "C", "C", "U"), alice, bob, erin, k2, [withhold_d, k2_excise]),
        "09K3": _run(_cable("09K3", "S", "S", "U"), rita, bob, erin, k3, [withhold_c, RELEASE]),
        "09K4": _run(_cable("09K4", "U", "U"), rita, bob, erin, ("2026-02-10", None, None), [RELEASE]),
    }  # fmt: skip
    vera = make_user("vera", SUPERVISOR)
    with at("2026-02-20"):
        sample = quality_actions.draw_sample(actor=vera, percent=100, seed=7)
        verdicts = {
            "09K1": {1: PortionVerdict(True), 2: PortionVerdict(True)},
            "09K2": {1: PortionVerdict(True), 2: PortionVerdict(False, "the name is public")},
            "09K3": {1: PortionVerdict(True), 2: PortionVerdict(True)},
        }
        for item in sample.items.select_related("review__cable"):
            quality_actions.check_sampled_review(item, verdicts[item.review.cable.reference_id], actor=vera)
    # Due dates as a records office set them (a release computes a new one; fixed here).
    for ref, due in {"09K1": date(2026, 1, 1), "09K2": date(2026, 4, 1), "09K3": date(2026, 4, 1)}.items():
        Cable.objects.filter(reference_id=ref).update(review_due=due)
    Cable.objects.filter(reference_id="09K4").update(review_due=None)
    return {"reviews": reviews, "cora": make_user("cora", AUDITOR, clearance="C")}


def _rows(figure: dashboard.Figure) -> dict[str, list[Any]]:
    return {row[0]: row[1:] for row in figure.rows}


def test_reviews_by_state_at_each_months_end(world: dict[str, Any], bob: User) -> None:
    months = dashboard.months_to(TODAY)
    assert (months[0], months[-1]) == (date(2025, 4, 1), date(2026, 3, 1))
    figure = dashboard.states_over_time(bob, months)
    columns = figure.columns[1:]
    rows = {m: dict(zip(columns, counts, strict=True)) for m, counts in _rows(figure).items()}
    assert set(rows["2025-12"].values()) == {0}
    nonzero = {m: {s: n for s, n in r.items() if n} for m, r in rows.items() if m >= "2026-01"}
    assert nonzero == {
        "2026-01": {"released": 1, "pending approval": 1},
        "2026-02": {"released": 3, "in review": 1},
        "2026-03": {"released": 3, "in review": 1},
    }
    # The CONFIDENTIAL auditor: the SECRET cable's review is not counted.
    rows = _rows(dashboard.states_over_time(world["cora"], months))
    assert dict(zip(columns, rows["2026-02"], strict=True))["released"] == 2


def test_decisions_by_kind_and_code(world: dict[str, Any], bob: User) -> None:
    assert _rows(dashboard.decisions_by_kind(bob)) == {
        "release": [4],
        "excise": [1],
        "withhold": [2],
        "refer": [0],
    }
    assert _rows(dashboard.decisions_by_kind(world["cora"])) == {
        "release": [3], "excise": [1], "withhold": [1], "refer": [0],
    }  # fmt: skip
    # code: withhold, excise, refer, total
    assert _rows(dashboard.decisions_by_code(bob)) == {
        "B1": [2, 0, 0, 2], "B6": [0, 1, 0, 1], "1.4(c)": [1, 0, 0, 1], "1.4(d)": [1, 0, 0, 1],
    }  # fmt: skip
    assert _rows(dashboard.decisions_by_code(world["cora"])) == {
        "B1": [1, 0, 0, 1], "B6": [0, 1, 0, 1], "1.4(d)": [1, 0, 0, 1],
    }  # fmt: skip


def test_time_from_assignment_to_release(world: dict[str, Any], bob: User) -> None:
    months = dashboard.months_to(TODAY)
    rows = _rows(dashboard.release_times(bob, months))
    assert rows["2026-01"] == [1, 10.0, 10.0]
    assert rows["2026-02"] == [2, 17.5, 31.0]  # 4 and 31 days: median 17.5, nearest-rank 90th 31
    assert rows["2026-03"] == [0, None, None]
    assert _rows(dashboard.release_times(world["cora"], months))["2026-02"] == [1, 31.0, 31.0]
    assert dashboard.nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert dashboard.nearest_rank([5.0], 90) == 5.0


def test_per_reviewer_throughput_and_agreement(world: dict[str, Any], bob: User) -> None:
    months = dashboard.months_to(TODAY)
    # submitted, decided, released, checked, agreed, agreement %
    assert _rows(dashboard.reviewers(bob, months)) == {
        "alice": [2, 4, 2, 4, 3, 75.0],
        "rita": [1, 3, 1, 2, 2, 100.0],
    }
    # CONFIDENTIAL: rita's SECRET review is neither counted nor checked; the TOP SECRET sample is hidden.
    assert _rows(dashboard.reviewers(world["cora"], months)) == {
        "alice": [2, 4, 2, 0, 0, None],
        "rita": [0, 1, 0, 0, 0, None],
    }


def test_due_and_overdue(world: dict[str, Any], bob: User) -> None:
    assert _rows(dashboard.due(bob, TODAY)) == {
        "overdue": [1], "due within 90 days": [2], "due by the end of the year": [2], "with a due date": [3],
        "open reviews": [1],
    }  # fmt: skip
    assert _rows(dashboard.due(world["cora"], TODAY)) == {
        "overdue": [1], "due within 90 days": [1], "due by the end of the year": [1], "with a due date": [2],
        "open reviews": [1],
    }  # fmt: skip


def test_the_page_and_csvs_follow_clearance(world: dict[str, Any], bob: User, alice: User) -> None:
    client = Client()
    with at("2026-03-15"):
        client.force_login(world["cora"])
        page = client.get("/dashboard/")
        assert page.status_code == 200
        body = page.content.decode()
        assert body.count('<svg class="chart"') == 6 and "<script" not in body.split("<main")[-1]
        assert "09K3" not in body and "1.4(c)" not in body
        response = client.get("/dashboard/codes.csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows == [
            ["code", "withhold", "excise", "refer", "total"],
            ["B1", "1", "0", "0", "1"],
            ["B6", "0", "1", "0", "1"],
            ["1.4(d)", "1", "0", "0", "1"],
        ]
        times = list(csv.reader(io.StringIO(client.get("/dashboard/release-times.csv").content.decode())))
        assert times[-2:] == [["2026-02", "1", "31.0", "31.0"], ["2026-03", "0", "", ""]]
        assert client.get("/dashboard/nothing.csv").status_code == 404
        client.force_login(alice)
        assert client.get("/dashboard/").status_code == 403
        assert client.get("/dashboard/due.csv").status_code == 403
