"""The review page's POST views: decide, undo, start, submit, refer, resume and the referral answer.

Each refusal is shown as a message and has a twin that succeeds with the same setup.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cables.models import Cable, Portion
from review import actions
from review.decisions import DecisionRequest
from review.models import Decision, Review
from tests.conftest import make_cable
from tests.review.conftest import decide_all, review_in

S = Review.State
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def review(cable: Cable, alice: User, bob: User) -> Review:
    return review_in(S.IN_REVIEW, cable, alice, bob)


@pytest.fixture
def p1(cable: Cable) -> Portion:
    """Paragraph 1 (order 2), SECRET: "Minister Ali Bey said the border would reopen in May." """
    return cable.portions.get(label="1")


def decision_url(review: Review, order: int) -> str:
    return f"/reviews/{review.pk}/portions/{order}/decision/"


def post(client: Client, user: User, url: str, data: dict | None = None, **extra: str):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.post(url, data or {}, **extra)


def shown(client: Client, r) -> str:  # type: ignore[no-untyped-def]
    """The page the redirect leads to, with its messages (or, for a refused decision, the page shown
    again with the refusal at the form)."""
    if r.status_code == 400:
        return r.content.decode()
    assert r.status_code == 302, r.status_code
    return client.get(r["Location"]).content.decode()


def latest() -> AuditEvent:
    return AuditEvent.objects.latest("seq")


# -- decide ---------------------------------------------------------------------------------------


def test_it_releases_a_portion(client: Client, alice: User, review: Review, p1: Portion) -> None:
    r = post(client, alice, decision_url(review, 2), {"kind": "release"})
    assert r["Location"] == f"/reviews/{review.pk}/#portion-3"
    decision = review.decisions.get(portion=p1)
    assert (decision.kind, decision.decided_by) == ("release", alice)
    assert (latest().actor, latest().action) == (alice, "decision.set")
    assert "Paragraph 1: release recorded." in shown(client, r)


def test_it_anchors_at_the_first_undecided_portion_then_the_submit_button(
    client: Client, alice: User, review: Review
) -> None:
    assert post(client, alice, decision_url(review, 3), {"kind": "release"})["Location"].endswith(
        "#portion-1"
    )
    post(client, alice, decision_url(review, 1), {"kind": "release"})
    r = post(client, alice, decision_url(review, 2), {"kind": "release"})
    assert r["Location"].endswith("#review-actions")


def test_it_withholds_with_codes(client: Client, alice: User, review: Review, p1: Portion) -> None:
    data = {"kind": "withhold", "codes": ["B1", "1.4(b)", "1.4(d)"], "justification": "names a source"}
    post(client, alice, decision_url(review, 2), data)
    decision = review.decisions.get(portion=p1)
    assert decision.kind == "withhold"
    assert sorted(c.code for c in decision.codes.all()) == ["1.4(b)", "1.4(d)", "B1"]
    assert latest().after["codes"] == ["1.4(b)", "1.4(d)", "B1"]


def test_a_withhold_without_justification_is_refused_at_the_form_keeping_what_was_entered(
    client: Client, alice: User, review: Review
) -> None:
    # Without JavaScript: the page again (no redirect that would lose the form), the refusal in the
    # portion's own form, the codes still ticked and the justification field focused.
    r = post(client, alice, decision_url(review, 2), {"kind": "withhold", "codes": ["B6"], "agency": "x"})
    assert r.status_code == 400
    assert not review.decisions.exists()
    html = r.content.decode()
    form = html[html.index('id="p2-decision-form"') :]
    form = form[: form.index("</details>")]
    assert "paragraph 1: say briefly why (withhold needs a justification)" in form
    assert 'class="form-error" id="p2-error" role="alert" data-form-error>' in form
    assert 'value="B6" checked' in form
    assert 'value="withhold" data-kind="withhold" checked' in form
    assert 'name="justification" id="p2-justification" rows="2" maxlength="2000" autofocus' in form
    assert html.count("autofocus") == 1
    assert "Traceback" not in html


def test_a_refused_decision_keeps_the_justification_and_focuses_the_codes(
    client: Client, alice: User, review: Review
) -> None:
    data = {"kind": "withhold", "codes": ["B1"], "justification": "a source, protected"}
    r = post(client, alice, decision_url(review, 2), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "B1 must cite at least one E.O. 13526 category" in html
    assert ">a source, protected</textarea>" in html
    assert 'value="B1" checked autofocus' in html or ('value="B1" checked' in html and "autofocus" in html)
    assert 'class="codes has-error"' in html


def test_it_excises_by_offsets_without_javascript(
    client: Client, alice: User, review: Review, p1: Portion
) -> None:
    data = {"kind": "excise", "codes": ["B6"], "justification": "a name", "start": "9", "end": "16"}
    post(client, alice, decision_url(review, 2), data)
    decision = review.decisions.get(portion=p1)
    span = decision.spans.get()
    assert p1.text[span.start : span.end] == "Ali Bey"
    assert [c.code for c in span.codes.all()] == ["B6"]


def test_it_keeps_the_spans_ticked_and_adds_the_new_one(
    client: Client, alice: User, review: Review, p1: Portion
) -> None:
    first = {"kind": "excise", "codes": ["B6"], "justification": "a name", "start": "9", "end": "16"}
    post(client, alice, decision_url(review, 2), first)
    data = {
        "kind": "excise",
        "codes": ["B1", "1.4(d)"],
        "justification": "a name and a date",
        "spans": ["9:16:B6"],
        "start": "48",
        "end": "51",
    }
    post(client, alice, decision_url(review, 2), data)
    spans = review.decisions.get(portion=p1).spans.all()
    assert [(s.start, s.end, sorted(c.code for c in s.codes.all())) for s in spans] == [
        (9, 16, ["B6"]),
        (48, 51, ["1.4(d)", "B1"]),
    ]


def test_it_takes_several_spans_from_the_script(
    client: Client, alice: User, review: Review, p1: Portion
) -> None:
    data = {"kind": "excise", "codes": ["B6"], "justification": "names", "spans": ["0:8:", "9:16:"]}
    r = post(client, alice, decision_url(review, 2), data, **FETCH)
    assert r.status_code == 200
    assert [(s.start, s.end) for s in review.decisions.get(portion=p1).spans.all()] == [(0, 8), (9, 16)]


def test_an_overlapping_or_outside_span_is_refused(client: Client, alice: User, review: Review) -> None:
    data = {"kind": "excise", "codes": ["B6"], "justification": "x", "spans": ["0:8:", "5:16:"]}
    r = post(client, alice, decision_url(review, 2), data)
    assert "spans must not overlap" in shown(client, r)
    r = post(client, alice, decision_url(review, 2), {**data, "spans": ["0:999:"]})
    assert "must lie inside the portion" in shown(client, r)
    r = post(client, alice, decision_url(review, 2), {**data, "spans": ["nonsense"]})
    assert "is not a span" in shown(client, r)
    assert not review.decisions.exists()


def test_it_refers_to_an_agency(client: Client, alice: User, review: Review, p1: Portion) -> None:
    data = {"kind": "refer", "codes": ["1.4(c)"], "justification": "CIA equity", "agency": "CIA"}
    post(client, alice, decision_url(review, 2), data)
    decision = review.decisions.get(portion=p1)
    assert (decision.kind, decision.agency) == ("refer", "CIA")


def test_a_release_ignores_the_other_kinds_fields(
    client: Client, alice: User, review: Review, p1: Portion
) -> None:
    data = {"kind": "release", "codes": ["B6"], "justification": "x", "spans": ["0:3:B6"], "agency": "CIA"}
    post(client, alice, decision_url(review, 2), data)
    assert review.decisions.get(portion=p1).kind == "release"


@pytest.mark.parametrize("who", ["bob", "erin", "frank"])
def test_only_the_assigned_reviewer_decides(client: Client, review: Review, who: str, request) -> None:  # type: ignore[no-untyped-def]
    r = post(client, request.getfixturevalue(who), decision_url(review, 2), {"kind": "release"})
    assert "only the reviewer assigned to this review may decide its portions" in shown(client, r)
    assert not review.decisions.exists()


def test_another_reviewer_may_not_decide(client: Client, alice: User, bob: User, cable: Cable) -> None:
    from tests.conftest import make_user

    other = make_user("olga", "Reviewer")
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    r = post(client, other, decision_url(review, 2), {"kind": "release"})
    assert "only the reviewer assigned" in shown(client, r)


def test_decide_hides_the_review_from_outsiders(
    client: Client, carol: User, dave: User, review: Review
) -> None:
    assert post(client, carol, decision_url(review, 2), {"kind": "release"}).status_code == 404
    assert post(client, dave, decision_url(review, 2), {"kind": "release"}).status_code == 404
    assert not review.decisions.exists()


def test_decide_needs_a_login(client: Client, review: Review) -> None:
    r = client.post(decision_url(review, 2), {"kind": "release"})
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_decide_is_refused_outside_in_review(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    r = post(
        client, alice, decision_url(review, 2), {"kind": "withhold", "codes": ["B6"], "justification": "x"}
    )
    assert "decisions can change only while the review is in review" in shown(client, r)
    assert review.decisions.get(portion__order=2).kind == "release"


def test_decide_a_missing_portion_is_404(client: Client, alice: User, review: Review) -> None:
    assert post(client, alice, decision_url(review, 99), {"kind": "release"}).status_code == 404


def test_get_never_decides(client: Client, alice: User, review: Review) -> None:
    client.force_login(alice)
    assert client.get(decision_url(review, 2) + "?kind=release").status_code == 405
    assert client.get(f"/reviews/{review.pk}/submit/").status_code == 405
    assert not review.decisions.exists()


def test_posts_need_the_csrf_token(alice: User, review: Review) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(decision_url(review, 2), {"kind": "release"}).status_code == 403
    assert not review.decisions.exists()


def test_the_script_gets_the_fragments(client: Client, alice: User, review: Review) -> None:
    data = {"kind": "withhold", "codes": ["B1", "1.4(d)"], "justification": "a source"}
    r = post(client, alice, decision_url(review, 2), data, **FETCH)
    body = json.loads(r.content)
    assert (body["ok"], body["next"]) == (True, "portion-3")
    assert set(body["fragments"]) == {
        "portion-2",
        "preview",
        "progress",
        "review-actions",
        "mosaic",
        "bulk",
        "rules",
    }
    assert "WITHHELD B1, 1.4(d)" in body["fragments"]["portion-2"]
    assert "Minister" not in body["fragments"]["preview"]
    assert "<strong>1 of 3</strong>" in body["fragments"]["progress"]
    # No message is left over for the next page: the script showed it.
    assert "recorded" not in client.get(f"/reviews/{review.pk}/").content.decode()


def test_the_script_gets_the_refusal_in_words(client: Client, alice: User, review: Review) -> None:
    r = post(
        client,
        alice,
        decision_url(review, 2),
        {"kind": "withhold", "codes": ["B1"], "justification": "x"},
        **FETCH,
    )
    body = json.loads(r.content)
    assert r.status_code == 400
    assert body["ok"] is False
    assert "B1 must cite at least one E.O. 13526 category" in body["message"]


# -- undo -----------------------------------------------------------------------------------------


def test_it_undoes_a_decision(client: Client, alice: User, review: Review, p1: Portion) -> None:
    actions.decide(review, p1, DecisionRequest("release"), actor=alice)
    r = post(client, alice, f"/reviews/{review.pk}/portions/2/undo/")
    assert r["Location"] == f"/reviews/{review.pk}/#portion-2"
    assert not review.decisions.exists()
    assert (latest().actor, latest().action) == (alice, "decision.clear")
    assert "decision undone" in shown(client, r)


def test_undo_without_a_decision_says_so(client: Client, alice: User, review: Review) -> None:
    r = post(client, alice, f"/reviews/{review.pk}/portions/2/undo/")
    assert "that portion has no decision to undo" in shown(client, r)


def test_only_the_reviewer_undoes(
    client: Client, alice: User, bob: User, review: Review, p1: Portion
) -> None:
    actions.decide(review, p1, DecisionRequest("release"), actor=alice)
    r = post(client, bob, f"/reviews/{review.pk}/portions/2/undo/")
    assert "only the reviewer assigned" in shown(client, r)
    assert review.decisions.exists()


def test_undo_hides_the_review_from_outsiders(
    client: Client, carol: User, dave: User, review: Review
) -> None:
    assert post(client, carol, f"/reviews/{review.pk}/portions/2/undo/").status_code == 404
    assert post(client, dave, f"/reviews/{review.pk}/portions/2/undo/").status_code == 404


# -- transitions ----------------------------------------------------------------------------------


def test_the_reviewer_starts(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.ASSIGNED, cable, alice, bob)
    r = post(client, alice, f"/reviews/{review.pk}/start/")
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW
    assert (latest().actor, latest().action) == (alice, "review.start")
    assert "Review started" in shown(client, r)


@pytest.mark.parametrize("who", ["bob", "erin", "frank"])
def test_other_roles_may_not_start(
    client: Client, alice: User, bob: User, cable: Cable, who: str, request
) -> None:  # type: ignore[no-untyped-def]
    review = review_in(S.ASSIGNED, cable, alice, bob)
    r = post(client, request.getfixturevalue(who), f"/reviews/{review.pk}/start/")
    assert "only the assigned reviewer may start a review" in shown(client, r)
    review.refresh_from_db()
    assert review.state == S.ASSIGNED


def test_start_twice_is_refused(client: Client, alice: User, review: Review) -> None:
    r = post(client, alice, f"/reviews/{review.pk}/start/")
    assert "cannot start a review that is in review" in shown(client, r)


def test_submit_needs_every_portion_decided(client: Client, alice: User, review: Review) -> None:
    r = post(client, alice, f"/reviews/{review.pk}/submit/", {"note": "done"})
    assert "3 portions still undecided" in shown(client, r)
    decide_all(review, alice)
    r = post(client, alice, f"/reviews/{review.pk}/submit/", {"note": "done"})
    review.refresh_from_db()
    assert (review.state, review.submitted_by) == (S.PENDING_APPROVAL, alice)
    assert (latest().action, latest().note) == ("review.submit", "done")
    assert "Submitted for approval" in shown(client, r)


def test_only_the_reviewer_submits(client: Client, alice: User, bob: User, review: Review) -> None:
    decide_all(review, alice)
    r = post(client, bob, f"/reviews/{review.pk}/submit/")
    assert "only" in shown(client, r)
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW


def test_refer_needs_a_referred_portion(client: Client, alice: User, review: Review, p1: Portion) -> None:
    r = post(client, alice, f"/reviews/{review.pk}/refer/")
    assert "no portion is referred" in shown(client, r)
    actions.decide(review, p1, DecisionRequest("refer", ("1.4(c)",), "CIA equity", agency="CIA"), actor=alice)
    post(client, alice, f"/reviews/{review.pk}/refer/")
    review.refresh_from_db()
    assert review.state == S.REFERRED
    assert latest().action == "review.refer"


def test_the_reviewer_resumes_a_returned_review(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.RETURNED, cable, alice, bob)
    r = post(client, bob, f"/reviews/{review.pk}/resume/")
    assert "only the assigned reviewer may resume a review" in shown(client, r)
    post(client, alice, f"/reviews/{review.pk}/resume/")
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW
    assert (latest().actor, latest().action) == (alice, "review.resume")


@pytest.mark.parametrize("name", ["start", "submit", "refer", "resume", "referral"])
def test_transitions_hide_the_review_from_outsiders(
    client: Client, carol: User, dave: User, review: Review, name: str
) -> None:
    assert post(client, carol, f"/reviews/{review.pk}/{name}/").status_code == 404
    assert post(client, dave, f"/reviews/{review.pk}/{name}/").status_code == 404


@pytest.mark.parametrize("name", ["start", "submit", "refer", "resume", "referral"])
def test_transitions_need_a_login(client: Client, review: Review, name: str) -> None:
    r = client.post(f"/reviews/{review.pk}/{name}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


# -- the referral answer --------------------------------------------------------------------------

ANSWER = {
    "kind-2": "withhold",
    "codes-2": ["B1", "1.4(c)"],
    "justification-2": "CIA asks to withhold",
    "note": "CIA: withhold paragraph 1 in full.",
}


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_reviewer_or_a_supervisor_records_the_answer(
    client: Client, alice: User, bob: User, cable: Cable, who: str, request
) -> None:  # type: ignore[no-untyped-def]
    review = review_in(S.REFERRED, cable, alice, bob)
    user = request.getfixturevalue(who)
    r = post(client, user, f"/reviews/{review.pk}/referral/", ANSWER)
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW
    decision = review.decisions.get(portion__order=2)
    assert (decision.kind, decision.agency, decision.referral_answer) == (
        "withhold",
        "CIA",
        "CIA: withhold paragraph 1 in full.",
    )
    assert (latest().actor, latest().action) == (user, "review.answer_referral")
    assert "Referral answer recorded" in shown(client, r)


def test_the_answer_may_excise_spans(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    data = {**ANSWER, "kind-2": "excise", "codes-2": ["B6"], "spans-2": "9-16"}
    post(client, alice, f"/reviews/{review.pk}/referral/", data)
    span = review.decisions.get(portion__order=2).spans.get()
    assert (span.start, span.end) == (9, 16)


def test_a_releaser_may_not_record_the_answer(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    r = post(client, erin, f"/reviews/{review.pk}/referral/", ANSWER)
    assert "only the assigned reviewer or a supervisor may record a referral answer" in shown(client, r)
    review.refresh_from_db()
    assert review.state == S.REFERRED


def test_the_answer_needs_the_agencys_words(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    r = post(client, alice, f"/reviews/{review.pk}/referral/", {**ANSWER, "note": ""})
    assert "The agency&#x27;s answer: This field is required." in shown(client, r)
    review.refresh_from_db()
    assert review.state == S.REFERRED


def test_referral_answer_errors_name_portions_as_the_review_page_does(
    client: Client, alice: User, bob: User
) -> None:
    # Issue 14, item 8: an error in the agency's answer names the portion as the reviewer saw it
    # ("header line 1", "the FM line"), never "Portion 2".
    cable = make_cable(
        "09NAMES1",
        portions=[
            {"kind": "header", "label": "", "level": "C", "text": "VZCZCXRO1254"},
            {"kind": "header", "label": "FM", "level": "C", "text": "AMEMBASSY TOKYO"},
            {"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": "The minister agreed."},
        ],
    )
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    for portion in cable.portions.filter(kind="header"):
        refer = DecisionRequest("refer", ("1.4(c)",), "CIA equity", agency="CIA")
        actions.decide(review, portion, refer, actor=alice)
    actions.refer(review, actor=alice)
    url = f"/reviews/{review.pk}/referral/"
    answer = {"note": "CIA: release both.", "kind-1": "release", "kind-2": "release"}

    page = shown(client, post(client, alice, url, {**answer, "kind-2": ""}))
    assert "The FM line: This field is required." in page
    page = shown(client, post(client, alice, url, {**answer, "kind-1": "excise", "spans-1": "x"}))
    assert "Header line 1, spans: " in page
    page = shown(client, post(client, alice, url, {**answer, "kind-1": "withhold"}))
    assert "header line 1: say briefly why (withhold needs a justification)" in page
    assert "Portion 1" not in page and "Portion 2" not in page
    review.refresh_from_db()
    assert review.state == S.REFERRED


def test_the_answer_follows_the_decision_rules(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    r = post(client, alice, f"/reviews/{review.pk}/referral/", {**ANSWER, "codes-2": ["B1"]})
    assert "B1 must cite at least one E.O. 13526 category" in shown(client, r)
    assert review.decisions.get(portion__order=2).kind == Decision.Kind.REFER


# -- query counts ---------------------------------------------------------------------------------


def _review_of(n: int, alice: User, bob: User) -> Review:
    portions = [
        {"kind": "paragraph", "label": str(i), "level": "S", "text": f"Text {i}."} for i in range(1, n + 1)
    ]
    cable = make_cable(f"09QC{n}", level="S", classification="SECRET", portions=portions)
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    for portion in cable.portions.all()[1:]:
        actions.decide(review, portion, DecisionRequest("withhold", ("B6",), "x"), actor=alice)
    return review


@pytest.mark.parametrize("extra", [{}, FETCH], ids=["form", "script"])
def test_decide_runs_a_constant_number_of_queries(
    client: Client,
    alice: User,
    bob: User,
    extra: dict,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    counts = []
    client.force_login(alice)
    for n in (3, 40):
        review = _review_of(n, alice, bob)
        with CaptureQueriesContext(connection) as ctx:
            client.post(decision_url(review, 1), {"kind": "release"}, **extra)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(60):
        client.post(decision_url(review, 1), {"kind": "release"}, **extra)
