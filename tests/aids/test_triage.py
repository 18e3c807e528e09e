"""Sensitivity triage in the database: the train_triage command, the scores on the review page and
the systematic-review queue (aids/triage.py, review/triage_queue.py)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import clearance_rank
from aids import triage
from aids.models import CableScore, PortionScore, TriageModel
from audit.models import AuditEvent
from cables.access import visible_cables
from cables.models import Cable
from review import actions
from tests.conftest import make_cable

SECRET_POOL = "source protect identity troops border intelligence covert informant weapons minister".split()
OPEN_POOL = "reception press festival public concert tourism school football weather museum".split()
SECRET_WORDS = " ".join(SECRET_POOL)
OPEN_WORDS = " ".join(OPEN_POOL)


def _sentence(pool: list[str], i: int) -> str:
    """Words different enough from cable to cable that no two paragraphs are near repeats."""
    rng = random.Random(i)
    filler = [f"w{rng.randrange(10**6)}" for _ in range(14)]
    return " ".join(rng.sample(pool, 5) + filler)


def _training_cables(n: int = 12) -> list[Cable]:
    """n cables over four years, each with a paragraph marked (C) and one marked (U)."""
    cables = []
    for i in range(n):
        year = 2005 + i % 4
        cables.append(
            make_cable(
                f"{year % 100:02d}ANKARA{100 + i}",
                sent_at=datetime(year, 3, 1, tzinfo=UTC),
                portions=[
                    {"kind": "header", "label": "SUBJECT", "level": "C", "text": f"TALKS NUMBER {i}"},
                    {"kind": "paragraph", "label": "1", "marking": "C", "level": "C",
                     "text": _sentence(SECRET_POOL, i)},
                    {"kind": "paragraph", "label": "2", "marking": "U", "level": "U",
                     "text": _sentence(OPEN_POOL, 1000 + i)},
                ],
            )
        )  # fmt: skip
    return cables


def _scored(cable: Cable, score: float, model: TriageModel, flagged: int = 0) -> None:
    portions = list(cable.portions.all())
    for p in portions:
        PortionScore.objects.create(portion=p, triage_model=model, score=score)
    CableScore.objects.create(
        cable=cable, triage_model=model, score=score, flagged=flagged, scored=len(portions)
    )


def _model(threshold: float = 0.5) -> TriageModel:
    return TriageModel.objects.create(
        version=1,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        summary={},
        threshold=threshold,
        model=b"",
        sha256="",
        library="",
    )


# -- the command ---------------------------------------------------------------------------------


def test_train_triage_trains_stores_audits_and_reloads_a_model(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cables = _training_cables()
    call_command("train_triage")
    out = capsys.readouterr().out
    assert "stored triage model v1: 24 marked portions in 12 cables" in out

    row = TriageModel.objects.get()
    assert row.version == 1
    s = row.summary
    assert s["portions"] == 24 and s["cables"] == 12
    assert s["classes"] == {"classified": 12, "unclassified": 12}
    assert s["years"] == [2005, 2008]
    assert [f["split"] for f in s["splits"]] == ["by cable", "by time"]
    assert all(f["test_portions"] > 0 and f["auc"] is not None for f in s["splits"])

    model = triage.load(TriageModel.objects.get(pk=row.pk))  # from the database's bytes
    secret, public = triage.sensitivity.predict(model, [SECRET_WORDS, OPEN_WORDS])
    assert secret > row.threshold > public

    # Every paragraph and SUBJECT line scored; each cable's score is its highest portion score.
    assert PortionScore.objects.count() == 36
    for cable in cables:
        best = max(PortionScore.objects.filter(portion__cable=cable).values_list("score", flat=True))
        assert CableScore.objects.get(cable=cable).score == pytest.approx(best)

    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id) == ("triage.train", str(row.pk))
    assert event.after["version"] == 1 and event.after["portions"] == 24
    assert event.after["splits"][0]["split"] == "by cable"


def test_train_triage_again_makes_the_next_version_and_rescores(db: None) -> None:
    _training_cables()
    call_command("train_triage", "--no-measure")
    call_command("train_triage", "--no-measure")
    assert list(TriageModel.objects.values_list("version", flat=True)) == [2, 1]
    assert set(PortionScore.objects.values_list("triage_model__version", flat=True)) == {2}
    assert set(CableScore.objects.values_list("triage_model__version", flat=True)) == {2}


def test_train_triage_score_only_scores_new_cables_with_the_current_model(db: None) -> None:
    _training_cables()
    call_command("train_triage", "--no-measure")
    late = make_cable("09ANKARA999", portions=[{"kind": "paragraph", "label": "1", "text": SECRET_WORDS}])
    assert not CableScore.objects.filter(cable=late).exists()
    call_command("train_triage", "--score-only")
    assert CableScore.objects.filter(cable=late, triage_model__version=1).exists()
    assert AuditEvent.objects.latest("seq").action == "triage.score"


def test_train_triage_refuses_too_little_data_and_stores_nothing(db: None) -> None:
    _training_cables(3)
    with pytest.raises(CommandError, match=r"too little data to train: 3 portions marked classified and 3 "):
        call_command("train_triage")
    assert not TriageModel.objects.exists()
    assert not AuditEvent.objects.filter(action="triage.train").exists()


def test_score_only_without_a_model_says_to_train_first(db: None) -> None:
    with pytest.raises(CommandError, match="no triage model yet"):
        call_command("train_triage", "--score-only")


def test_a_model_whose_bytes_changed_is_not_unpickled(db: None) -> None:
    _training_cables()
    call_command("train_triage", "--no-measure")
    row = TriageModel.objects.get()
    row.model = bytes(row.model) + b"x"
    with pytest.raises(triage.TriageError, match="SHA-256 does not match"):
        triage.load(row)


# -- the review page -----------------------------------------------------------------------------


@pytest.fixture
def scored_review(bob: User, alice: User) -> tuple[int, Cable]:
    cable = _training_cables(1)[0]
    _scored(cable, 0.8, _model(threshold=0.5), flagged=3)
    review = actions.open_review(cable, actor=bob)
    return review.pk, cable


def test_review_page_shows_scores_to_reviewers(client, alice: User, scored_review) -> None:
    pk, _ = scored_review
    client.force_login(alice)
    html = client.get(f"/reviews/{pk}/").content.decode()
    assert 'id="portion-2-triage"' in html
    assert "80% · likely marked classified by its author" in html
    assert "Sensitivity triage (model v1): 3 of 3 scored portions likely classified" in html


def test_review_page_hides_scores_from_users_without_the_permission(
    client, frank: User, scored_review
) -> None:
    pk, _ = scored_review
    client.force_login(frank)  # an auditor: may read the review, not the triage scores
    r = client.get(f"/reviews/{pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Triage:" not in html and 'id="triage-cable"' not in html


def test_review_page_shows_no_score_where_no_model_scored_the_cable(client, alice: User, bob: User) -> None:
    cable = _training_cables(1)[0]
    review = actions.open_review(cable, actor=bob)
    client.force_login(alice)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Triage:" not in html and "Sensitivity triage" not in html


def test_review_page_reads_scores_in_queries_that_do_not_grow_with_portions(
    client, alice: User, bob: User
) -> None:
    model = _model()
    counts = []
    for n, ref in ((2, "09ROME1"), (12, "09ROME2")):
        cable = make_cable(
            ref,
            portions=[
                {"kind": "paragraph", "label": str(i), "marking": "C", "level": "C", "text": f"text {i}"}
                for i in range(1, n + 1)
            ],
        )
        _scored(cable, 0.3, model)
        review = actions.open_review(cable, actor=bob)
        client.force_login(alice)
        with CaptureQueriesContext(connection) as ctx:
            assert "Triage:" in client.get(f"/reviews/{review.pk}/").content.decode()
        counts.append(len(ctx))
    assert counts[0] == counts[1]


# -- the systematic-review queue -----------------------------------------------------------------


def _queue_cables() -> dict[str, Cable]:
    model = _model(threshold=0.5)
    made = {}
    for ref, level, score in [
        ("09PARIS3", "C", 0.9),
        ("09PARIS1", "C", 0.1),
        ("09PARIS2", "S", 0.4),
        ("09PARIS4", "TS", 0.05),
        ("09PARIS5", "C", None),
        ("09PARIS6", "C", 0.01),
    ]:
        cable = make_cable(
            ref,
            level=level,
            portions=[
                {
                    "kind": "paragraph",
                    "label": "1",
                    "marking": level,
                    "level": level,
                    "text": f"text of {ref}",
                }
            ],
        )
        if score is not None:
            _scored(cable, score, model)
        made[ref] = cable
    return made


def _listed(html: str) -> list[str]:
    return re.findall(r'<tr id="triage-([0-9A-Z]+)"', html)


def test_queue_lists_unreviewed_cables_lowest_score_first(client, bob: User) -> None:
    made = _queue_cables()
    actions.open_review(made["09PARIS6"], actor=bob)  # reviewed (a review is open): not listed
    client.force_login(bob)
    html = client.get("/triage/").content.decode()
    assert _listed(html) == ["09PARIS4", "09PARIS1", "09PARIS2", "09PARIS3", "09PARIS5"]
    assert "not scored yet" in html
    assert "5 cables never reviewed, lowest score first" in html


@pytest.mark.parametrize(
    "size,pages",
    [
        # The scored part ends with a page, so the last page starts past it (its start is counted).
        (2, [["09PARIS4", "09PARIS1"], ["09PARIS2", "09PARIS3"], ["09PARIS5"]]),
        # A page holds the last scored cables and the first unscored one.
        (3, [["09PARIS4", "09PARIS1", "09PARIS2"], ["09PARIS3", "09PARIS5"]]),
    ],
)
def test_queue_pages_through_the_scored_cables_then_the_unscored(
    client, bob: User, monkeypatch: pytest.MonkeyPatch, size: int, pages: list[list[str]]
) -> None:
    made = _queue_cables()
    make_cable("09PARIS0", level="C", portions=[{"kind": "paragraph", "label": "1", "text": "unscored"}])
    actions.open_review(made["09PARIS6"], actor=bob)
    monkeypatch.setattr("review.triage_queue.PAGE_SIZE", size)
    client.force_login(bob)
    pages[-1].insert(pages[-1].index("09PARIS5"), "09PARIS0")  # unscored ones by reference id
    for number, expected in enumerate(pages, start=1):
        html = client.get("/triage/", {"page": number}).content.decode()
        assert _listed(html) == expected, number
        assert "6 cables never reviewed, lowest score first" in html


def test_queue_hides_cables_above_the_supervisors_clearance(client, sam: User) -> None:
    _queue_cables()
    client.force_login(sam)  # cleared to SECRET
    html = client.get("/triage/").content.decode()
    assert _listed(html) == ["09PARIS6", "09PARIS1", "09PARIS2", "09PARIS3", "09PARIS5"]
    assert "09PARIS4" not in html


def test_the_count_below_top_secret_subtracts_the_reviewed_cables_and_agrees_with_the_anti_join(
    client, sam: User, bob: User
) -> None:
    made = _queue_cables()
    actions.open_review(made["09PARIS6"], actor=bob)  # reviewed, within SECRET
    actions.open_review(made["09PARIS4"], actor=bob)  # reviewed, above SECRET: not subtracted
    cleared = visible_cables(sam)
    assert cleared._clearance_only() == clearance_rank(sam)  # the quick count applies
    assert cleared.filter(level="C")._clearance_only() is None  # with a filter it does not
    assert cleared.count_never_reviewed() == cleared.with_review_state("none").count() == 4
    assert cleared.filter(level="C").count_never_reviewed() == 3  # 09PARIS1, 3 and 5
    client.force_login(sam)
    assert "4 cables never reviewed, lowest score first" in client.get("/triage/").content.decode()
    # Every clearance, counted from either side (few cables above it, or few reviews), in as many
    # queries, agrees with the anti-join; a reviewed cable at the lowest rank tells < from <=.
    actions.open_review(make_cable("09PARIS7", level="U", portions=[]), actor=bob)
    queries = set()
    for rank in range(5):
        cables = Cable.objects.filter(access_rank__lte=rank)
        with CaptureQueriesContext(connection) as ctx:
            quick = cables.count_never_reviewed()
        queries.add(len(ctx.captured_queries))
        assert quick == cables.with_review_state("none").count(), rank
    assert queries == {4}


def test_queue_is_for_supervisors(client, alice: User, bob: User) -> None:
    client.force_login(alice)
    assert client.get("/triage/").status_code == 403
    client.force_login(bob)
    assert client.get("/triage/").status_code == 200


def test_queue_opens_and_assigns_with_the_assignment_pages_code(client, bob: User, alice: User) -> None:
    made = _queue_cables()
    client.force_login(bob)
    r = client.post("/triage/", {"cables": [made["09PARIS1"].pk], "reviewer": alice.pk, "note": ""})
    assert r.status_code == 302
    assert made["09PARIS1"].reviews.get().reviewer == alice
    assert "09PARIS1" not in _listed(client.get("/triage/").content.decode())


def test_queue_takes_the_same_number_of_queries_for_more_cables(client, bob: User) -> None:
    client.force_login(bob)
    _queue_cables()
    with CaptureQueriesContext(connection) as few:
        client.get("/triage/")
    model = TriageModel.objects.get()
    for i in range(10):
        cable = make_cable(f"09OSLO{i}", portions=[{"kind": "paragraph", "label": "1", "text": "t"}])
        _scored(cable, i / 10, model)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/triage/").content.decode()
    assert len(_listed(html)) == 16
    assert len(many) == len(few)


def test_queue_without_a_model_says_how_to_train_one(client, bob: User) -> None:
    make_cable("09PARIS9")
    client.force_login(bob)
    html = client.get("/triage/").content.decode()
    assert "No triage model has been trained yet" in html
    assert _listed(html) == ["09PARIS9"]
