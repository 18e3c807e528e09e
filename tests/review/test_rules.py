"""Redaction rules (review/rules.py): the preview against a direct count, through the clearance
gate; patterns refused with their reason; every change audited; suggestions and applying them on
the review page, with the rule version on each span."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.roles import AUDITOR, SUPERVISOR
from audit.access import visible_audit_events
from audit.models import AuditEvent
from cables.access import visible_cables
from cables.models import Cable
from review import actions, rules
from review.decisions import DecisionRequest, SpanRequest
from review.models import Decision, RedactionRule, Review, RuleVersion, Span
from tests.conftest import make_cable, make_user

HARADA = "Harada"


def _cable(ref: str, level: str, *texts: str) -> Cable:
    return make_cable(
        ref,
        level=level,
        classification={"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET"}[level],
        portions=[
            {"kind": "paragraph", "label": str(i), "marking": level, "level": level, "text": text}
            for i, text in enumerate(texts, start=1)
        ],
    )


@pytest.fixture
def corpus(db: None) -> dict[str, Cable]:
    """Known answers for the term list ["Harada", "Chikahito Harada"] (the longer term first):
    09A1 (U): 2 ("Harada" twice; "Haradas" is another word, which the index stems alike);
    09A2 (C): 2 ("Chikahito\\nHarada" across a line break counts once, and "HARADA");
    09A3 (S): 1; 09A4 (U): 0 ("Haradas" only, a candidate the matching drops);
    09A5 (C): 0 (no Harada). Passports ("passport" and a letter and eight digits): 09A1 1, 09A3 2."""
    return {
        "09A1": _cable("09A1", "U", "DG Harada met Harada's deputy.", "PASSPORT X12345678 was shown."),
        "09A2": _cable("09A2", "C", "Chikahito\nHarada said so.", "HARADA agreed; the Haradas left."),
        "09A3": _cable(
            "09A3", "S", "Source Harada (strictly protect).", "Passports A00000001 and B99999999, not C123."
        ),
        "09A4": _cable("09A4", "U", "The Haradas dined."),
        "09A5": _cable("09A5", "C", "Nothing here mentions him."),
    }


@pytest.fixture
def cass(db: None) -> User:
    """A supervisor cleared only to CONFIDENTIAL."""
    return make_user("cass", SUPERVISOR, clearance="C")


def _terms(*terms: str, codes: tuple[str, ...] = ("B6",)) -> rules.Content:
    return rules.check_content("terms", terms="\n".join(terms), codes=codes, justification="a private name")


def _passports() -> rules.Content:
    return rules.check_content(
        "pattern",
        pattern=r"\b[A-Z][0-9]{8}\b",
        index_words="passport",
        codes=("B6",),
        justification="passport",
    )


def _counts(preview: rules.Preview) -> dict[str, int]:
    return {row.reference_id: row.count for row in preview.rows}


def test_preview_counts_equal_a_direct_count(corpus: dict[str, Cable], bob: User) -> None:
    rule = rules.create_rule(actor=bob, name="Harada", content=_terms(HARADA, "Chikahito Harada"))
    version = rule.current()
    preview = rules.preview(rule, version, bob)
    direct = rules.direct_counts(version, visible_cables(bob))
    assert _counts(preview) == direct == {"09A1": 2, "09A2": 2, "09A3": 1}
    assert (preview.matches, preview.cables, preview.portions) == (5, 3, 4)
    first = preview.rows[1].examples[0]
    assert (first.portion, first.text, first.after) == ("paragraph 1", "Chikahito\nHarada", " said so.")

    passports = rules.create_rule(actor=bob, name="Passports", content=_passports())
    preview = rules.preview(passports, passports.current(), bob)
    assert (
        _counts(preview)
        == rules.direct_counts(passports.current(), visible_cables(bob))
        == {"09A1": 1, "09A3": 2}
    )


def test_the_preview_reads_only_the_cables_the_index_finds(
    corpus: dict[str, Cable], bob: User, django_assert_max_num_queries: Any
) -> None:
    rule = rules.create_rule(actor=bob, name="Harada", content=_terms(HARADA))
    version = rule.current()
    candidates = set(rules.candidates(version, Cable.objects.all()).values_list("reference_id", flat=True))
    assert candidates == {"09A1", "09A2", "09A3", "09A4"}  # 09A5 never read; 09A4 read, no match
    with django_assert_max_num_queries(6):
        rules.preview(rule, version, bob)


def test_a_preview_counts_only_cables_the_supervisor_may_see(
    corpus: dict[str, Cable], cass: User, bob: User
) -> None:
    rule = rules.create_rule(actor=cass, name="Harada", content=_terms(HARADA), level="C")
    preview = rules.preview(rule, rule.current(), cass)
    assert (
        _counts(preview)
        == rules.direct_counts(rule.current(), visible_cables(cass))
        == {"09A1": 2, "09A2": 2}
    )
    assert preview.matches == 4  # the SECRET cable's match is not counted
    assert _counts(rules.preview(rule, rule.current(), bob))["09A3"] == 1
    assert rules.preview(rule, rule.current(), make_user("nobody", clearance="TS")).matches == 0  # no role

    client = Client()
    client.force_login(cass)
    page = client.get(f"/rules/{rule.pk}/").content.decode()
    assert "09A1" in page and "09A3" not in page and "strictly protect" not in page
    assert "4 matches in 3 portions of 2 cables" in page


def test_a_rule_above_the_users_clearance_is_not_found(
    corpus: dict[str, Cable], cass: User, bob: User
) -> None:
    secret = rules.create_rule(actor=bob, name="Source NIGHTJAR", content=_terms("Nightjar"), level="S")
    for_cable = rules.create_rule(actor=bob, name="In 09A3", content=_terms(HARADA), cable=corpus["09A3"])
    assert for_cable.access_rank == corpus["09A3"].access_rank
    client = Client()
    client.force_login(cass)
    for rule in (secret, for_cable):
        assert client.get(f"/rules/{rule.pk}/").status_code == 404
        assert client.post(f"/rules/{rule.pk}/switch/", {"enabled": "on"}).status_code == 404
    listed = client.get("/rules/").content.decode()
    assert "NIGHTJAR" not in listed and "09A3" not in listed
    with pytest.raises(ValidationError, match="above your own clearance"):
        rules.create_rule(actor=cass, name="x", content=_terms(HARADA), level="S")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "no backreferences or lookaround"),
        (r"(?<!x)Harada", "no backreferences or lookaround"),
        (r"(Harada", "missing )"),
        (r"(\w{1,1000}){1,1000}", "invalid repetition size"),
        (r"((\w+\s?){1,500}){1,500}", "too large"),
        (r"x*", "matches empty text"),
        ("", "give a regular expression"),
    ],
)
def test_a_bad_pattern_is_refused_with_its_reason(db: None, pattern: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        rules.check_content("pattern", pattern=pattern, index_words="w", codes=("B6",), justification="j")


def test_a_nested_quantifier_runs_in_linear_time_under_re2(db: None) -> None:
    """(a+)+$ takes Python's re exponential time on "aaa...b"; RE2 answers at once, so the pattern
    is allowed (no timing: the test would not end under a backtracking engine)."""
    content = rules.check_content(
        "pattern", pattern="(a+)+$", index_words="a", codes=("B6",), justification="j"
    )
    version = RuleVersion(kind=content.kind, pattern=content.pattern)
    assert rules.matches(version, "a" * 5000 + "b") == []


def test_other_faults_are_refused_naming_them(db: None) -> None:
    with pytest.raises(ValidationError, match=r"term list, line 2: '###' has no letters or digits"):
        rules.check_content("terms", terms="Harada\n###", codes=("B6",), justification="j")
    with pytest.raises(ValidationError, match="a pattern for every cable needs the words"):
        rules.check_content("pattern", pattern="[A-Z][0-9]{8}", codes=("B6",), justification="j")
    # One cable: no index words needed.
    rules.check_content("pattern", pattern="[A-Z][0-9]{8}", codes=("B6",), justification="j", scope="cable")
    with pytest.raises(ValidationError, match=r"B1 must cite at least one E.O. 13526 category"):
        rules.check_content("terms", terms="Harada", codes=("B1",), justification="j")
    with pytest.raises(ValidationError, match="unknown exemption code B99"):
        rules.check_content("terms", terms="Harada", codes=("B99",), justification="j")
    with pytest.raises(ValidationError, match="justification: say why"):
        rules.check_content("terms", terms="Harada", codes=("B6",), justification=" ")


def test_the_new_rule_form_shows_the_patterns_fault(db: None, bob: User) -> None:
    client = Client()
    client.force_login(bob)
    data = {"name": "Bad", "scope": "all", "level": "U", "kind": "pattern", "pattern": r"(a)\1",
            "index_words": "a", "codes": ["B6"], "justification": "j"}  # fmt: skip
    response = client.post("/rules/new/", data)
    assert response.status_code == 200
    assert "no backreferences or lookaround" in response.content.decode()
    assert (
        not RedactionRule.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="rule.").exists()
    )


def test_every_rule_change_is_audited_and_versioned(corpus: dict[str, Cable], bob: User, sam: User) -> None:
    rule = rules.create_rule(actor=bob, name="Harada", content=_terms(HARADA), level="S")
    assert not rule.enabled
    rules.switch_rule(rule, actor=bob, enabled=True, note="preview of version 1: 5 matches in 3 cables")
    v2 = rules.edit_rule(rule, actor=sam, name="Harada and Ito", content=_terms(HARADA, "Ito"), level="S")
    rules.switch_rule(rule, actor=sam, enabled=False)
    events = list(AuditEvent.objects.filter(action__startswith="rule.").order_by("seq"))
    assert [(e.action, e.actor) for e in events] == [
        ("rule.create", bob),
        ("rule.enable", bob),
        ("rule.edit", sam),
        ("rule.disable", sam),
    ]
    create, enable, edit, _ = events
    assert create.after["terms"] == ["Harada"] and create.after["version"] == 1 and create.before is None
    assert enable.note.startswith("preview of version 1") and enable.after["enabled"] is True
    assert (edit.before["terms"], edit.after["terms"]) == (["Harada"], ["Harada", "Ito"])
    assert (edit.before["version"], edit.after["version"]) == (1, 2)
    assert all(e.cable_rank == rule.access_rank == 3 for e in events)  # only SECRET readers see them
    assert not visible_audit_events(make_user("cora", AUDITOR, clearance="C")).filter(
        action__startswith="rule."
    )
    assert [v.number for v in rule.versions.all()] == [2, 1] and v2.terms == ["Harada", "Ito"]


def test_only_supervisors_manage_rules(db: None, alice: User) -> None:
    with pytest.raises(PermissionDenied):
        rules.create_rule(actor=alice, name="x", content=_terms(HARADA))
    client = Client()
    client.force_login(alice)
    assert client.get("/rules/").status_code == 403
    assert client.get("/rules/new/").status_code == 403


# -- on the review page ----------------------------------------------------------------------------


@pytest.fixture
def started(corpus: dict[str, Cable], alice: User, bob: User) -> Review:
    """09A2 in review by alice: paragraph 1 (one match) undecided, paragraph 2 (one match)."""
    review = actions.open_review(corpus["09A2"], actor=bob)
    actions.assign(review, actor=bob, reviewer=alice)
    return actions.start(review, actor=alice)


def test_suggestions_show_once_the_rule_is_on_and_apply_in_one_action(
    started: Review, alice: User, bob: User
) -> None:
    rule = rules.create_rule(actor=bob, name="Harada", content=_terms(HARADA, "Chikahito Harada"))
    client = Client()
    client.force_login(alice)
    page = client.get(f"/reviews/{started.pk}/").content.decode()
    assert "rule-suggestion-" not in page  # off: nothing suggested
    rules.switch_rule(rule, actor=bob, enabled=True)
    page = client.get(f"/reviews/{started.pk}/").content.decode()
    assert f'id="rule-suggestion-{rule.pk}"' in page and "Apply to all 2 matches (B6)" in page
    assert not started.decisions.exists()  # never applied by itself

    # Paragraph 2 already excises "agreed" by hand: the rule's span joins it.
    p1, p2 = started.cable.portions.order_by("order")
    at = p2.text.index("agreed")
    by_hand = DecisionRequest("excise", (), "by hand", spans=(SpanRequest(at, at + 6, ("B5",)),))
    actions.decide(started, p2, by_hand, actor=alice)
    response = client.post(f"/reviews/{started.pk}/rules/apply/", {"rule": rule.pk, "version": 1})
    assert response.status_code == 302
    spans = {
        (s.decision.portion.order, s.start, s.end): s for s in Span.objects.filter(decision__review=started)
    }
    assert sorted(spans) == [(1, 0, 16), (2, 0, 6), (2, 7, 13)]
    assert spans[1, 0, 16].rule_version == rule.current()
    assert spans[2, 0, 6].rule_version == rule.current() and spans[2, 7, 13].rule_version is None
    assert [c.code for c in spans[2, 0, 6].codes.all()] == ["B6"]
    d1 = started.decisions.get(portion=p1)
    assert d1.kind == Decision.Kind.EXCISE and "redaction rule 'Harada', version 1" in d1.justification
    assert started.decisions.get(portion=p2).justification == "by hand"
    applied = AuditEvent.objects.get(action="rule.apply")
    assert applied.after == {"rule": rule.pk, "version": 1, "matches": 2, "portions": 2}
    assert applied.cable_ref == "09A2" and applied.actor == alice
    last_set = AuditEvent.objects.filter(action="decision.set").order_by("-seq").first()
    assert {"start": 0, "end": 6, "codes": ["B6"], "rule_version": rule.current().pk} in last_set.after[
        "spans"
    ]
    # Nothing left to suggest; applying again is refused.
    assert "rule-suggestion-" not in client.get(f"/reviews/{started.pk}/").content.decode()
    with pytest.raises(ValidationError, match="no matches left"):
        rules.apply_rule(started, rule.pk, 1, actor=alice)
    # Editing the rule later keeps the spans' version.
    rules.edit_rule(rule, actor=bob, name="Harada", content=_terms(HARADA, "Ito"))
    assert Span.objects.get(pk=spans[1, 0, 16].pk).rule_version.number == 1


def test_withheld_portions_and_stale_versions_are_left_alone(started: Review, alice: User, bob: User) -> None:
    rule = rules.create_rule(actor=bob, name="Harada", content=_terms(HARADA))
    rules.switch_rule(rule, actor=bob, enabled=True)
    p1, _ = started.cable.portions.order_by("order")
    actions.decide(started, p1, DecisionRequest("withhold", ("B6",), "private"), actor=alice)
    rules.edit_rule(rule, actor=bob, name="Harada", content=_terms(HARADA, "deputy"))
    with pytest.raises(ValidationError, match="changed since you saw it"):
        rules.apply_rule(started, rule.pk, 1, actor=alice)
    changed = rules.apply_rule(started, rule.pk, 2, actor=alice)
    assert [d.portion.order for d in changed] == [2]
    assert started.decisions.get(portion=p1).kind == Decision.Kind.WITHHOLD


def test_only_the_assigned_reviewer_applies_a_rule(started: Review, bob: User, dave: User) -> None:
    rule = rules.create_rule(actor=bob, name="Harada", content=_terms(HARADA))
    rules.switch_rule(rule, actor=bob, enabled=True)
    with pytest.raises(PermissionDenied):
        rules.apply_rule(started, rule.pk, 1, actor=bob)
    assert not AuditEvent.objects.filter(action="rule.apply").exists()


def test_a_rule_the_reviewer_is_not_cleared_for_suggests_nothing(
    corpus: dict[str, Cable], bob: User, dave: User
) -> None:
    review = actions.open_review(corpus["09A2"], actor=bob)
    actions.assign(review, actor=bob, reviewer=dave)
    review = actions.start(review, actor=dave)
    secret = rules.create_rule(actor=bob, name="Secret list", content=_terms(HARADA), level="S")
    rules.switch_rule(secret, actor=bob, enabled=True)
    client = Client()
    client.force_login(dave)
    assert "Secret list" not in client.get(f"/reviews/{review.pk}/").content.decode()


def test_excise_this_everywhere_makes_a_rule_for_the_cable(started: Review, alice: User) -> None:
    client = Client()
    client.force_login(alice)
    data = {"term": "harada", "codes": ["B6"], "justification": "a private name"}
    assert client.post(f"/reviews/{started.pk}/rules/everywhere/", data).status_code == 302
    rule = RedactionRule.objects.get()
    assert (rule.scope, rule.cable, rule.enabled, rule.created_by) == ("cable", started.cable, True, alice)
    assert Span.objects.filter(decision__review=started, rule_version=rule.current()).count() == 2
    assert list(AuditEvent.objects.filter(action__startswith="rule.").values_list("action", flat=True)) == [
        "rule.create",
        "rule.apply",
    ]
    # Refused, with nothing made, when the codes are incomplete.
    data = {"term": "said", "codes": ["B1"], "justification": "x"}
    response = client.post(f"/reviews/{started.pk}/rules/everywhere/", data, follow=True)
    assert "B1 must cite at least one E.O. 13526 category" in response.content.decode()
    assert RedactionRule.objects.count() == 1


# -- rules for one request case ---------------------------------------------------------------------

CASE = "F-2026-00001"


def _in_case(cable: Cable, number: str, request_case: str = CASE, *, round: int = 1) -> Review:
    """A review of the cable answering a request case (as cases.actions marks it), or none ("");
    a round after the first is made released (one open review a cable)."""
    state = Review.State.RELEASED if round > 1 else Review.State.NEW
    return Review.objects.create(
        cable=cable, round=round, case_number=number, request_case=request_case, state=state
    )


@pytest.fixture
def case_reviews(corpus: dict[str, Cable]) -> dict[str, Review]:
    """Case F-2026-00001 holds 09A1 (U), 09A3 (S) and 09A4 (U); 09A2 is reviewed outside it (a
    released round, beside the `started` one)."""
    return {
        "09A1": _in_case(corpus["09A1"], "R-1"),
        "09A3": _in_case(corpus["09A3"], "R-3"),
        "09A4": _in_case(corpus["09A4"], "R-4"),
        "09A2": _in_case(corpus["09A2"], "R-2", "", round=9),
    }


def _suggested(review: Review, user: User) -> list[str]:
    portions = list(review.cable.portions.all())
    return [s.rule.name for s in rules.suggestions(review, portions, {}, user)]


def test_a_case_rule_suggests_in_the_reviews_of_its_case_only(
    case_reviews: dict[str, Review], bob: User, alice: User
) -> None:
    rule = rules.create_rule(actor=bob, name="Harada in the case", content=_terms(HARADA), case_number=CASE)
    assert (rule.scope, rule.case_number, rule.cable) == ("case", CASE, None)
    rules.switch_rule(rule, actor=bob, enabled=True)
    assert _suggested(case_reviews["09A1"], alice) == ["Harada in the case"]
    # The same cable reviewed outside the case, and in another case: nothing.
    outside = _in_case(case_reviews["09A1"].cable, "R-1b", "", round=2)
    other = _in_case(case_reviews["09A1"].cable, "R-1c", "F-2026-00002", round=3)
    assert _suggested(outside, alice) == _suggested(other, alice) == []
    assert _suggested(case_reviews["09A2"], alice) == []  # "Harada" is in 09A2, not in the case
    assert list(RedactionRule.objects.in_force_for(case_reviews["09A3"])) == [rule]
    assert list(RedactionRule.objects.in_force_for(outside)) == []


def test_a_case_rules_preview_counts_the_cases_cables_through_the_gate(
    case_reviews: dict[str, Review], bob: User, cass: User
) -> None:
    rule = rules.create_rule(actor=bob, name="Harada", content=_terms(HARADA, "Chikahito Harada"),
                             case_number=CASE)  # fmt: skip
    version = rule.current()
    in_case = Cable.objects.filter(reference_id__in=["09A1", "09A3", "09A4"])
    preview = rules.preview(rule, version, bob)
    assert _counts(preview) == rules.direct_counts(version, in_case) == {"09A1": 2, "09A3": 1}
    assert (preview.matches, preview.cables) == (3, 2)  # 09A2's two matches are outside the case
    # A CONFIDENTIAL supervisor's preview neither counts nor quotes the SECRET cable of the case.
    for_cass = rules.create_rule(actor=cass, name="Harada", content=_terms(HARADA), level="C",
                                 case_number=CASE)  # fmt: skip
    preview = rules.preview(for_cass, for_cass.current(), cass)
    assert (
        _counts(preview)
        == rules.direct_counts(for_cass.current(), in_case & visible_cables(cass))
        == {"09A1": 2}
    )
    client = Client()
    client.force_login(cass)
    page = client.get(f"/rules/{for_cass.pk}/").content.decode()
    assert f'for request case <span class="case-number">{CASE}</span>' in page
    assert "2 matches in 1 portion of 1 cable" in page and "strictly protect" not in page


def test_the_form_refuses_a_case_number_no_visible_review_answers(
    case_reviews: dict[str, Review], bob: User, cass: User
) -> None:
    client = Client()
    client.force_login(bob)
    data = {"name": "Case rule", "scope": "case", "case_number": "F-2026-09999", "level": "U",
            "kind": "terms", "terms": HARADA, "codes": ["B6"], "justification": "j"}  # fmt: skip
    page = client.post("/rules/new/", data).content.decode()
    assert "no review you may see answers a request case numbered &#x27;F-2026-09999&#x27;" in page
    page = client.post("/rules/new/", data | {"case_number": ""}).content.decode()
    assert "give the request case&#x27;s number" in page
    assert not RedactionRule.objects.exists()
    # A case whose only review cable is above the supervisor's clearance is refused alike.
    _in_case(case_reviews["09A3"].cable, "R-9", "F-2026-00009", round=2)
    with pytest.raises(ValidationError, match="no review you may see answers"):
        rules.create_rule(actor=cass, name="x", content=_terms(HARADA), level="C", case_number="F-2026-00009")
    # A known case, typed in lower case with spaces: made, and audited with its scope and number.
    response = client.post("/rules/new/", data | {"case_number": " f-2026-00001 "})
    rule = RedactionRule.objects.get()
    assert response.status_code == 302 and (rule.scope, rule.case_number) == ("case", CASE)
    created = AuditEvent.objects.get(action="rule.create")
    assert (created.after["scope"], created.after["case_number"]) == ("case", CASE)
    assert CASE in client.get("/rules/").content.decode()
    # Editing keeps the case, whatever is posted.
    client.post(f"/rules/{rule.pk}/edit/", data | {"scope": "all", "case_number": "", "terms": "Ito"})
    rule.refresh_from_db()
    assert (rule.scope, rule.case_number, rule.version) == ("case", CASE, 2)
    edited = AuditEvent.objects.get(action="rule.edit")
    assert edited.before["case_number"] == edited.after["case_number"] == CASE


def test_excise_this_everywhere_in_the_case(
    started: Review, case_reviews: dict[str, Review], alice: User, dave: User
) -> None:
    client = Client()
    client.force_login(alice)
    data = {"term": "harada", "codes": ["B6"], "justification": "a private name", "scope": "case"}
    # Outside any case: refused, nothing made; the page offers only "in this cable".
    response = client.post(f"/reviews/{started.pk}/rules/everywhere/", data, follow=True)
    assert "this review answers no request case" in response.content.decode()
    assert not RedactionRule.objects.exists()
    assert 'id="everywhere-case"' not in client.get(f"/reviews/{started.pk}/").content.decode()

    Review.objects.filter(pk=started.pk).update(request_case=CASE)
    page = client.get(f"/reviews/{started.pk}/").content.decode()
    assert 'id="everywhere-case"' in page and f"in this case ({CASE})" in page
    assert client.post(f"/reviews/{started.pk}/rules/everywhere/", data).status_code == 302
    rule = RedactionRule.objects.get()
    assert (rule.scope, rule.case_number, rule.cable, rule.enabled) == ("case", CASE, None, True)
    assert rule.name == f"'harada' in case {CASE}"
    assert rule.access_rank == started.cable.access_rank  # the term is this CONFIDENTIAL cable's text
    assert Span.objects.filter(decision__review=started, rule_version=rule.current()).count() == 2
    create, applied = AuditEvent.objects.filter(action__startswith="rule.").order_by("seq")
    assert (create.action, create.after["scope"], create.after["case_number"]) == (
        "rule.create",
        "case",
        CASE,
    )
    assert applied.action == "rule.apply" and applied.after["rule"] == rule.pk
    # It suggests in the case's other reviews, to those cleared to it; not outside the case.
    assert _suggested(case_reviews["09A1"], alice) == [rule.name]
    assert _suggested(case_reviews["09A1"], dave) == [rule.name]  # dave is cleared to C
    assert _suggested(case_reviews["09A2"], alice) == []
    assert _suggested(case_reviews["09A1"], make_user("una", clearance="U")) == []
