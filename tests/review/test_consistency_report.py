"""manage.py consistency_report: every planted conflict across cables, and nothing else."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.review.test_consistency import OTHER, PARAGRAPH, WITHHOLD, cable_with, reviewed

S = Review.State
RELEASE = DecisionRequest("release")
REFER = DecisionRequest("refer", ("1.4(c)",), "CIA equity", agency="CIA")
EXCISE_BEY = DecisionRequest("excise", justification="private", spans=(SpanRequest(9, 16, ("B6",)),))
BORDER = (
    "The governor said the army would keep two brigades on the border until the spring, whatever "
    "the talks in Geneva decide, and that the refugees in the camps near Silopi would stay there."
)


@pytest.fixture
def planted(alice: User, bob: User, erin: User) -> None:
    """Five conflicts on PARAGRAPH: released in A, withheld in B, "Ali Bey" excised in C and in D
    (whose text is PARAGRAPH and two more words): A-B, A-C, A-D, B-C, B-D. Not conflicts: C and D
    (the same words excised); BORDER withheld in E and referred in F; G holds a variant of BORDER
    and OTHER, withheld, which is not nearly the same passage as OTHER released in A."""
    reviewed(cable_with("09ANKARA1", PARAGRAPH, OTHER), alice, bob, S.RELEASED, RELEASE, erin)
    reviewed(cable_with("09ANKARA2", PARAGRAPH), alice, bob, S.RELEASED, WITHHOLD, erin)
    reviewed(cable_with("09ANKARA3", PARAGRAPH), alice, bob, S.PENDING_APPROVAL, EXCISE_BEY)
    reviewed(cable_with("09ANKARA4", PARAGRAPH + " End quote."), alice, bob, S.APPROVED, EXCISE_BEY)
    reviewed(cable_with("09ANKARA5", BORDER), alice, bob, S.RELEASED, WITHHOLD, erin)
    reviewed(cable_with("09ANKARA6", BORDER), alice, bob, S.APPROVED, REFER)
    variant = BORDER.replace("Silopi", "Cizre") + " " + OTHER
    reviewed(cable_with("09ANKARA7", variant), alice, bob, S.RELEASED, WITHHOLD, erin)


def report(*args: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("consistency_report", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


def pairs(lines: list[str]) -> set[frozenset[str]]:
    return {frozenset(word for word in line.split() if word.startswith("09ANKARA")) for line in lines}


def test_it_finds_every_planted_conflict_and_nothing_else(planted: None) -> None:
    lines, _ = report()
    summary = lines.pop()
    assert pairs(lines) == {
        frozenset({"09ANKARA1", "09ANKARA2"}),
        frozenset({"09ANKARA1", "09ANKARA3"}),
        frozenset({"09ANKARA1", "09ANKARA4"}),
        frozenset({"09ANKARA2", "09ANKARA3"}),
        frozenset({"09ANKARA2", "09ANKARA4"}),
    }
    assert len(lines) == 5
    assert summary.startswith("5 conflicts among ")
    by_pair = {frozenset(w for w in line.split() if w.startswith("09ANKARA")): line for line in lines}
    line = by_pair[frozenset({"09ANKARA1", "09ANKARA2"})]
    assert "released in full in one cable, withheld whole in the other" in line
    assert "withhold B1, 1.4(d) by alice" in line and "released]" in line
    assert "(the same passage)" in by_pair[frozenset({"09ANKARA1", "09ANKARA2"})]
    near = by_pair[frozenset({"09ANKARA1", "09ANKARA4"})]
    assert "% alike" in near and "'Ali Bey' is excised in one cable and released in the other" in near
    assert (
        "withheld whole in one cable, partly released (excised) in the other"
        in by_pair[frozenset({"09ANKARA2", "09ANKARA3"})]
    )
    assert "pending_approval]: excise B6" in by_pair[frozenset({"09ANKARA1", "09ANKARA3"})]


def test_released_only_keeps_pairs_of_released_decisions(planted: None) -> None:
    lines, _ = report("--released-only")
    summary = lines.pop()
    assert pairs(lines) == {frozenset({"09ANKARA1", "09ANKARA2"})}
    assert summary.startswith("1 conflict among ")
    assert summary.endswith("released decisions only)")


def test_json_prints_one_object_per_conflict(planted: None) -> None:
    lines, err = report("--json")
    objects = [json.loads(line) for line in lines]
    assert len(objects) == 5
    first = next(o for o in objects if {d["cable"] for d in o["decisions"]} == {"09ANKARA1", "09ANKARA2"})
    assert first["similarity"] == 1.0
    assert {d["decision"] for d in first["decisions"]} == {"release", "withhold"}
    withheld = next(d for d in first["decisions"] if d["decision"] == "withhold")
    assert withheld["codes"] == ["B1", "1.4(d)"] and withheld["state"] == "released"
    assert withheld["portion"] == "paragraph 1" and withheld["decided_by"] == "alice"
    assert err.startswith("5 conflicts among ")


@pytest.mark.django_db
def test_an_empty_database_has_no_conflicts() -> None:
    lines, _ = report()
    assert lines == ["0 conflicts among 0 decisions on passages repeated in other cables (0 pairs compared)"]
