"""The reviewer's pages: the review page with its per-portion decisions, and the review actions.

Every view fetches the review with access_review() (404 for outsiders and users not cleared) and
changes state only through review.actions; a refused action becomes a message, never an error page.
The decision views also answer the page's script (X-Requested-With: fetch) with JSON carrying the
re-rendered fragments, so a decision shows without a reload; without JavaScript the forms post and
redirect as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from aids import triage
from aids.suggest import PortionInput, Suggestion, cable_aids
from cables.export import ReleasedPortion
from cables.models import Cable, Portion
from review import actions, consistency, mosaic_status, round_diff, rules
from review.access import access_review
from review.forms import DecisionForm, NoteForm, ReferralAnswerForm
from review.header_block import block_portions, header_block
from review.models import Comment, Decision, ExemptionCode, ReleaseCopy, Review
from review.round_diff import PortionDiff
from review.sheet import Piece
from review.sheet import load as load_sheet

RECENT_CODES = 8
RECENT_DECISIONS = 200  # the codes come from the user's latest decisions, at most this many
# Codes a reviewer reaches for most, always offered as checkboxes after the cable's own and the
# reviewer's recent ones; the rest of the vocabulary sits in a list box.
COMMON_CODES = ["B1", *(f"1.4({c})" for c in "abcdefgh"), "B5", "B6", "B7(C)", "25X1", "50X1-HUM"]
# The review page's own buttons; approve, return, assign and release live on the queue pages.
PAGE_TRANSITIONS = ["start", "submit", "refer", "resume"]
# The full decision form's kinds (release has its own button).
FORM_KINDS = {"withhold": "Withhold", "excise": "Excise spans", "refer": "Refer to an agency"}


def cable_codes(reasons: Iterable[str]) -> list[str]:
    """The codes a cable's own "Classified By ... reasons" line points to: B1 and its categories.

    E.O. 12958 numbered the classification categories 1.5(a)..(h) until its 2003 amendment
    renumbered them 1.4(a)..(h) (as E.O. 13526 keeps them), so "1.5(b)" is cited as "1.4(b)".
    """
    found = []
    for reason in reasons:
        reason = reason.strip().lower().replace(" ", "")
        if reason.startswith("1.5("):
            reason = "1.4(" + reason.removeprefix("1.5(")
        if reason.startswith("1.4(") and reason not in found:
            found.append(reason)
    return ["B1", *found] if found else []


def recent_codes(user: Any) -> list[str]:
    """The codes the user cited in their latest decisions, most recent first (one query)."""
    through = Decision.codes.through
    # The user's latest decisions first (the decision_decided_by index, newest first), then their
    # codes: not every code row of every decision of everyone joined and sorted.
    latest = (
        Decision.objects.filter(decided_by=user)
        .order_by("-decided_at", "-pk")
        .values("pk")[:RECENT_DECISIONS]
    )
    rows = (
        through.objects.filter(decision__in=latest)
        .order_by("-decision__decided_at", "-decision_id")
        .values_list("exemptioncode__code", flat=True)[:100]
    )
    return list(dict.fromkeys(rows))[:RECENT_CODES]


@dataclass
class CodeChoice:
    code: str
    title: str
    why: str = ""  # "from the cable", "recent"


@dataclass
class Picker:
    """The exemption-code picker, the same for every portion of one page."""

    ticks: list[CodeChoice]  # as checkboxes, in this order
    others: list[CodeChoice]  # in a list box
    # Its HTML by the codes ticked, kept for the page by review/templatetags/decision_form.py
    # (with what the controls of every portion share).
    rendered: dict[tuple[Any, ...], str] = field(default_factory=dict, repr=False, compare=False)


def make_picker(cable: Cable, vocabulary: Sequence[ExemptionCode], recent: list[str]) -> Picker:
    titles = {c.code: c.title for c in vocabulary}
    ticks: dict[str, CodeChoice] = {}
    for codes, why in (
        (cable_codes(cable.reasons), "from the cable"),
        (recent, "recent"),
        (COMMON_CODES, ""),
    ):
        for code in codes:
            if code in titles and code not in ticks:
                ticks[code] = CodeChoice(code, titles[code], why)
    others = [CodeChoice(c.code, c.title) for c in vocabulary if c.code not in ticks]
    return Picker(list(ticks.values()), others)


@dataclass
class Row:
    """One portion as the page shows it."""

    portion: Portion
    decision: Decision | None
    pieces: list[Piece]
    released: ReleasedPortion
    comments: list[Comment] = field(default_factory=list)
    round_diff: PortionDiff | None = None  # since the last release (rounds 2 and later)
    suggestion: Suggestion | None = None  # aids/suggest.py; only while the reviewer may decide
    # The reviewer chose "Change" on the suggestion: the full form starts from it. Otherwise the
    # form starts empty, so that a suggestion never slips into a decision the reviewer makes by hand.
    changing: bool = False
    # The same or nearly the same passage decided in other cables (review/consistency.py).
    consistency: list[consistency.Match] = field(default_factory=list)
    triage: triage.Score | None = None  # aids/triage.py: only for users who may see scores
    # A refused decision, shown at the form: the message, the field to focus ("justification",
    # "codes", "spans", "agency" or "kind") and what was posted, kept in the form (no JavaScript).
    error: str = ""
    error_field: str = ""
    posted: dict[str, Any] | None = None
    names: str = ""  # the names found in the text, "start:end;..." for the e key (review.js)

    @property
    def name(self) -> str:
        return self.portion.name

    @property
    def order(self) -> str:
        """The portion's order as the page's ids and links write it: a string, so that the some
        20 uses per portion are not each localised as a number by the template."""
        return str(self.portion.order)

    @property
    def codes(self) -> list[str]:
        return (
            [c.code for c in sorted(self.decision.codes.all(), key=lambda c: c.order)]
            if self.decision
            else []
        )

    @property
    def form_kind(self) -> str:
        """The kind the full decision form starts at: the decision's own, else withhold."""
        if self.posted is not None and self.posted["kind"] in FORM_KINDS:
            return str(self.posted["kind"])
        kind = self.decision.kind if self.decision else ""
        if not kind and self.changing and self.suggestion is not None:
            kind = self.suggestion.kind
        return kind if kind in FORM_KINDS else Decision.Kind.WITHHOLD

    @property
    def form_codes(self) -> list[str]:
        """The codes ticked in the full form: the decision's, else the suggestion's ("Change")."""
        if self.posted is not None:
            return list(self.posted["codes"])
        if self.decision is None and self.changing and self.suggestion is not None:
            return list(self.suggestion.codes)
        return self.codes

    @property
    def form_justification(self) -> str:
        if self.posted is not None:
            return str(self.posted["justification"])
        if self.decision is None and self.changing and self.suggestion is not None:
            return self.suggestion.justification
        return self.decision.justification if self.decision else ""

    @property
    def form_agency(self) -> str:
        if self.posted is not None:
            return str(self.posted["agency"])
        return self.decision.agency if self.decision else ""

    @property
    def posted_spans(self) -> list[str]:
        """Spans posted with a refused decision that the form does not already list."""
        if self.posted is None:
            return []
        kept = {f"{p.start}:{p.end}:{','.join(p.codes)}" for p in self.spans}
        return [v for v in self.posted["spans"] if v and v not in kept]

    @property
    def spans(self) -> list[Piece]:
        return [p for p in self.pieces if p.excised]

    @property
    def spans_data(self) -> str:
        """The excised spans for the script: "start:end:codes;..." (no code holds ":", "," or ";")."""
        return ";".join(f"{p.start}:{p.end}:{','.join(p.codes)}" for p in self.spans)


def page_context(request: HttpRequest, review: Review) -> dict[str, Any]:
    """Everything the page and its fragments show, in a number of queries that does not grow
    with the number of portions (the review sheet, review/sheet.py, and a few more)."""
    cable = review.cable
    sheet = load_sheet(review)
    portions, decisions = sheet.portions, sheet.decisions
    rows = [Row(r.portion, r.decision, r.pieces, r.released, r.comments) for r in sheet.rows]
    editable = review.may_decide(request.user)
    available = {t.name for t in review.get_available_user_state_transitions(request.user)}
    ctx: dict[str, Any] = {
        "review": review,
        "cable": cable,
        "rows": rows,
        "decided": len(decisions),
        "total": len(portions),
        "overall_comments": sheet.overall_comments,
        "commented_rows": [r for r in rows if r.comments],  # the return map: each linked from the summary
        "editable": editable,
        "kinds": FORM_KINDS.items(),
        "transitions": [name for name in PAGE_TRANSITIONS if name in available],
        "answer_referral": "answer_referral" in available,
        "reviewer_name": review.reviewer.get_username() if review.reviewer_id else "",
    }
    if editable or ctx["answer_referral"]:
        vocabulary = list(ExemptionCode.objects.all())
        ctx["picker"] = make_picker(cable, vocabulary, recent_codes(request.user) if editable else [])
        ctx["all_codes"] = vocabulary
    ctx["referred_rows"] = [r for r in rows if r.decision and r.decision.kind == Decision.Kind.REFER]
    ctx["submit_blocked"] = editable and "submit" not in available and len(decisions) < len(portions)
    ctx["stamp"] = sheet.stamp
    ctx["mosaic"] = mosaic_status.for_review(review, portions, decisions)
    ctx["release_copies"] = release_copies(review)
    ctx["round_diff"] = diff = round_diff.compare(review, portions, decisions)
    if diff is not None:
        for row in rows:
            row.round_diff = diff.portions.get(row.portion.pk)
    ctx["change"] = change = request.GET.get("change", "")
    ctx["header_block"] = header_block(
        portions, {p.order: decisions[p.pk].kind for p in portions if p.pk in decisions}
    )
    ctx["undecided"] = len(portions) - len(decisions)
    if editable:
        # Computed from the texts already loaded (no query per portion), once per cable text.
        aids = cable_aids(
            [PortionInput(p.text, p.level, p.kind, p.marking) for p in portions],
            tags=cable.tags,
            reason_codes=cable_codes(cable.reasons),
        )
        for row, names in zip(rows, aids.names, strict=True):
            row.names = ";".join(f"{n.start}:{n.end}" for n in names)
        for row, suggestion in zip(rows, aids.suggestions, strict=True):
            row.suggestion = suggestion
            row.changing = suggestion is not None and change == str(row.portion.order)
    elsewhere = consistency.matches(portions, decisions, request.user)
    for row in rows:
        row.consistency = elsewhere.get(row.portion.pk, [])
    ctx["triage"] = triage.for_page(request.user, cable, rows)
    # Switched-on redaction rules' matches still released (review/rules.py), for the reviewer.
    ctx["rule_suggestions"] = rules.suggestions(review, portions, decisions, request.user) if editable else []
    return ctx


def release_copies(review: Review) -> list[ReleaseCopy]:
    """The cable's stored release copies, newest first, for the download links (one query)."""
    return list(
        ReleaseCopy.objects.filter(cable_id=review.cable_id)
        .only("cable_id", "review_id", "version", "released_at", "status")
        .order_by("-version")
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    return render(request, "review/review_detail.html", page_context(request, review))


def _is_fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def back_to_review(pk: int, anchor: str) -> HttpResponse:
    """Back to the review page at one of its parts (a section such as "mosaic", or a portion)."""
    return redirect(reverse("review:detail", args=[pk]) + "#" + anchor)


def attempted(request: HttpRequest, action: Callable[[], Any], refused: str) -> tuple[bool, Any]:
    """Run an action for a plain form (the queues, the mosaic forms): (True, what it returned), or
    (False, None) with its refusal as an error message, "{refused}: {why}."."""
    try:
        return True, action()
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"{refused}: {actions.refusal(e)}.")
        return False, None


def excise_attempted(request: HttpRequest, action: Callable[[], Sequence[Any]], done: str) -> None:
    """attempted() for an action that excises (it returns the portions changed): "{done} in N
    portions." on success, "Nothing excised: {why}." on a refusal."""
    ok, changed = attempted(request, action, "Nothing excised")
    if ok:
        n = len(changed)
        messages.success(request, f"{done} in {n} portion{'s' if n != 1 else ''}.")


def _attempt(
    request: HttpRequest, action: Callable[[], Any], done: str, *, at_form: bool = False
) -> tuple[bool, str]:
    """Run an action; a refusal becomes a message for the user (also returned, for the script).
    at_form: a refusal is shown at the decision form instead of at the top of the page."""
    ok, message, _ = _attempt_field(request, action, done, at_form=at_form)
    return ok, message


def _attempt_field(
    request: HttpRequest, action: Callable[[], Any], done: str, *, at_form: bool = False
) -> tuple[bool, str, str]:
    """_attempt(), also naming the decision form's field a broken rule is about (at_form only;
    "" when the refusal is not about the form's content)."""
    error_field = ""
    try:
        action()
    except actions.ACTION_ERRORS as e:
        message, ok = actions.refusal(e), False
        if at_form and isinstance(e, ValidationError) and not hasattr(e, "error_dict"):
            # A broken rule is shown at the form; a refusal of the person or the state is not.
            error_field = next((x.code for x in e.error_list if x.code in FORM_FIELDS), "kind")
    else:
        message, ok = done, True
    if not _is_fetch(request) and (ok or not error_field):
        (messages.success if ok else messages.error)(request, message)
    return ok, message, error_field


def _portion(review: Review, order: int) -> Portion:
    portion = review.cable.portions.filter(order=order).first()
    if portion is None:
        raise Http404("No such portion")
    return portion


def _next_anchor(review: Review, order: int) -> str:
    """The next undecided portion after `order` (else the first one), else the submit button."""
    undecided = list(review.undecided_portions().order_by("order").values_list("order", flat=True))
    later = [o for o in undecided if o > order]
    if later or undecided:
        return f"portion-{(later or undecided)[0]}"
    return "review-actions"


def _after_decision(
    request: HttpRequest,
    review: Review,
    portion: Portion,
    ok: bool,
    message: str,
    *,
    advance: bool = True,
    error_field: str = "",
) -> HttpResponse:
    """Back to the page at the next undecided portion, or (for the script) the changed fragments."""
    anchor = _next_anchor(review, portion.order) if ok and advance else f"portion-{portion.order}"
    return _after_decisions(request, review, [portion], ok, message, anchor, error_field=error_field)


def _after_decisions(
    request: HttpRequest,
    review: Review,
    portions: Sequence[Portion],
    ok: bool,
    message: str,
    anchor: str,
    *,
    error_field: str = "",
) -> HttpResponse:
    if not _is_fetch(request):
        return back_to_review(review.pk, anchor)
    if not ok:  # the script keeps the reviewer's form as it is and shows the refusal at it
        data = {"ok": ok, "message": message, "next": anchor, "fragments": {}, "field": error_field}
        return JsonResponse(data, status=400)
    ctx = page_context(request, review)
    changed = {p.pk for p in portions}
    fragments = {
        f"portion-{row.portion.order}": render_to_string(
            "review/_review_portion.html", {**ctx, "row": row}, request
        )
        for row in ctx["rows"]
        if row.portion.pk in changed
    }
    fragments |= {
        "bulk": render_to_string("review/_review_bulk.html", ctx, request),
        "preview": render_to_string("review/_review_preview.html", ctx, request),
        "progress": render_to_string("review/_review_progress.html", ctx, request),
        "review-actions": render_to_string("review/_review_actions.html", ctx, request),
        "mosaic": render_to_string("review/_review_mosaic.html", ctx, request),
        "rules": render_to_string("review/_review_rules.html", ctx, request),
    }
    if ctx["round_diff"] is not None:  # a second or later round: its summary counts change too
        fragments["round-diff"] = render_to_string("review/_round_diff.html", ctx, request)
    return JsonResponse({"ok": ok, "message": message, "next": anchor, "fragments": fragments})


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, order: int) -> HttpResponse:
    review = access_review(request.user, pk)
    portion = _portion(review, order)
    form = DecisionForm(request.POST, codes=list(ExemptionCode.objects.values_list("code", flat=True)))
    if form.is_valid():
        ok, message, error_field = _attempt_field(
            request,
            lambda: actions.decide(review, portion, form.to_request(), actor=request.user),
            f"{_name(portion)}: {form.cleaned_data['kind']} recorded.",
            at_form=True,
        )
    else:
        ok, message = False, _form_errors(form)
        error_field = next((n if n in FORM_FIELDS else "spans" for n in form.errors), "")
    if error_field and not _is_fetch(request):
        return _refused_at_form(request, review, portion, message, error_field)
    return _after_decision(request, review, portion, ok, message, error_field=error_field)


# The decision form's fields a refusal can point to, in the form's order.
FORM_FIELDS = ("kind", "codes", "justification", "agency", "spans")


def _refused_at_form(
    request: HttpRequest, review: Review, portion: Portion, message: str, error_field: str
) -> HttpResponse:
    """Without JavaScript: the page again, the refusal at the form, what was entered kept in it and
    the first field in error focused (autofocus), instead of a redirect that loses all of it."""
    ctx = page_context(request, review)
    row = next(r for r in ctx["rows"] if r.portion.pk == portion.pk)
    row.error, row.error_field = message, error_field or "kind"
    row.posted = {
        "kind": request.POST.get("kind", ""),
        "codes": request.POST.getlist("codes"),
        "justification": request.POST.get("justification", ""),
        "agency": request.POST.get("agency", ""),
        "spans": request.POST.getlist("spans"),
        "start": request.POST.get("start", ""),
        "end": request.POST.get("end", ""),
    }
    ctx["change"] = str(portion.order)  # the full form open
    return render(request, "review/review_detail.html", ctx, status=400)


@login_required
@require_POST
def undo(request: HttpRequest, pk: int, order: int) -> HttpResponse:
    review = access_review(request.user, pk)
    portion = _portion(review, order)
    ok, message = _attempt(
        request,
        lambda: actions.clear_decision(review, portion, actor=request.user),
        f"{_name(portion)}: decision undone; the portion is undecided again.",
    )
    return _after_decision(request, review, portion, ok, message, advance=False)


def _name(portion: Portion) -> str:
    name = portion.name
    return name[:1].upper() + name[1:]


@login_required
@require_POST
def release_header(request: HttpRequest, pk: int) -> HttpResponse:
    """Release the routing and header lines still undecided, as one block (review/header_block.py)."""
    review = access_review(request.user, pk)
    decided = set(review.decisions.values_list("portion_id", flat=True))
    block = [p for p in block_portions(review.cable.portions.all()) if p.pk not in decided]
    return _release_many(request, review, block, "routing and header line")


@login_required
@require_POST
def release_rest(request: HttpRequest, pk: int) -> HttpResponse:
    """Release in full every portion still undecided (after deciding the few that are not)."""
    review = access_review(request.user, pk)
    return _release_many(request, review, list(review.undecided_portions().order_by("order")), "portion")


def _release_many(request: HttpRequest, review: Review, portions: list[Portion], what: str) -> HttpResponse:
    n = len(portions)
    ok, message = _attempt(
        request,
        lambda: actions.release_portions(review, portions, actor=request.user),
        f"{n} {what}{'s' if n != 1 else ''} released in full." if n else f"No {what} was left undecided.",
    )
    anchor = _next_anchor(review, 0) if ok else "review-actions"
    return _after_decisions(request, review, portions, ok, message, anchor)


def _form_errors(form: Any) -> str:
    errors = []
    for name, field_errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        errors += [f"{label or name}: {e}" if name != "__all__" else e for e in field_errors]
    return "; ".join(str(e) for e in errors)


def _transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    review = access_review(request.user, pk)
    note = NoteForm.posted_note(request.POST)
    action = getattr(actions, name)
    done = actions.transition_custom(name)["done"]  # its @transition(custom=...), review.models
    _attempt(request, lambda: action(review, actor=request.user, note=note), done)
    return redirect("review:detail", review.pk)


def _transition_view(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    """The view of one of the page's transition buttons (PAGE_TRANSITIONS)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _transition(request, pk, name)

    view.__name__ = view.__qualname__ = name
    return view


start, submit, refer, resume = (_transition_view(name) for name in PAGE_TRANSITIONS)


@login_required
@require_POST
def answer_referral(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    referred = review.decisions.filter(kind=Decision.Kind.REFER).select_related("portion")
    names = {d.portion.order: d.portion.name for d in referred.defer("portion__text")}
    codes = list(ExemptionCode.objects.values_list("code", flat=True))
    form = ReferralAnswerForm(request.POST, names=names, codes=codes)
    if form.is_valid():
        _attempt(
            request,
            lambda: actions.answer_referral(
                review, form.answers(), actor=request.user, note=form.cleaned_data["note"]
            ),
            "Referral answer recorded: the review is in review again.",
        )
    else:
        messages.error(request, _form_errors(form))
    return redirect("review:detail", review.pk)


@login_required
@require_POST
def apply_decided_elsewhere(request: HttpRequest, pk: int, order: int, decision: int) -> HttpResponse:
    """Copy the decision on the same passage in another cable onto this portion (review.actions.decide:
    the assigned reviewer only, the rules of review/decisions.py, audited)."""
    review = access_review(request.user, pk)
    portion = _portion(review, order)
    match = consistency.source_for(request.user, portion, decision)
    ok, message = _attempt(
        request,
        lambda: actions.decide(review, portion, consistency.as_request(match, portion), actor=request.user),
        f"{_name(portion)}: {match.verb} as in {match.cable_ref} {match.portion_name}.",
    )
    return _after_decision(request, review, portion, ok, message)
