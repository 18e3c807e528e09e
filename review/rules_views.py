"""Redaction rules' pages: the supervisors' list, new and edit forms, the rule page with its
preview and its on/off switch; and the review page's two rule forms (apply a rule to every match,
"excise this everywhere"). The actions are in review/rules.py; every view fetches through the
clearance gate (a rule above the user's clearance, or about a cable they may not see, is a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import requires
from accounts.models import CLEARANCE_RANK, Clearance
from cables.access import access_cable, visible_cables
from cables.models import Cable
from review import actions, rules
from review.access import access_review
from review.forms import EverywhereForm, RuleApplyForm, RuleForm
from review.models import ExemptionCode, RedactionRule
from review.views import back_to_review, excise_attempted

SUPERVISORS = "supervisors (redaction rules)"


def _codes() -> list[str]:
    return list(ExemptionCode.objects.values_list("code", flat=True))


def _rule(request: HttpRequest, pk: int) -> RedactionRule:
    try:
        return rules.rule_for(request.user, pk)
    except RedactionRule.DoesNotExist:
        raise Http404("No such rule") from None


@login_required
@requires("review.manage_rules", SUPERVISORS)
def rule_list(request: HttpRequest) -> HttpResponse:
    listed = RedactionRule.objects.visible_to(request.user).select_related("cable")
    listed = listed.filter(cable__isnull=True) | listed.filter(cable__in=visible_cables(request.user))
    return render(request, "review/rule_list.html", {"rules": listed.order_by("name", "pk")})


def _content(form: RuleForm) -> rules.Content:
    data = form.cleaned_data
    return rules.check_content(
        data["kind"],
        terms=data["terms"],
        pattern=data["pattern"],
        index_words=data["index_words"],
        codes=data["codes"],
        justification=data["justification"],
        scope=data["scope"],
    )


def _level_of(rank: int) -> str:
    return next((c for c in Clearance.values if CLEARANCE_RANK[Clearance(c)] == rank), "TS")


@login_required
@requires("review.manage_rules", SUPERVISORS)
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST or None, codes=_codes())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cable = (
                access_cable(request.user, data["cable"].strip().upper())
                if data["scope"] == "cable"
                else None
            )
            case_number = ""
            if data["scope"] == "case":
                case_number = rules.check_case(request.user, data["case_number"])
        except Http404:
            form.add_error("cable", "no cable with that reference id that you may see")
        except ValidationError as e:
            form.add_error("case_number", actions.refusal(e).removeprefix("case: "))
        else:
            return _create(request, form, cable, case_number)
    return render(request, "review/rule_form.html", {"form": form, "rule": None})


def _create(request: HttpRequest, form: RuleForm, cable: Cable | None, case_number: str) -> HttpResponse:
    data = form.cleaned_data
    try:
        rule = rules.create_rule(
            actor=request.user,
            name=data["name"],
            content=_content(form),
            cable=cable,
            case_number=case_number,
            level=data["level"],
        )
    except (ValidationError, PermissionDenied) as e:
        form.add_error(None, actions.refusal(e))
        return render(request, "review/rule_form.html", {"form": form, "rule": None})
    messages.success(request, "Rule saved, switched off. Check its preview, then switch it on.")
    return redirect("review:rule", rule.pk)


@login_required
@requires("review.manage_rules", SUPERVISORS)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    version = rule.current()
    initial = {
        "name": rule.name,
        "scope": rule.scope,
        "cable": rule.cable.reference_id if rule.cable_id else "",  # type: ignore[union-attr]
        "case_number": rule.case_number,
        "level": _level_of(rule.access_rank),
        "kind": version.kind,
        "terms": "\n".join(version.terms),
        "pattern": version.pattern,
        "index_words": version.index_words,
        "codes": list(version.codes),
        "justification": version.justification,
    }
    data = None
    if request.method == "POST":
        # The scope, cable and case are the rule's own: a new version changes what it matches, not
        # where.
        data = request.POST.copy()
        data["scope"], data["cable"] = initial["scope"], initial["cable"]
        data["case_number"] = initial["case_number"]
    form = RuleForm(data, initial=initial, codes=_codes())
    if request.method == "POST" and form.is_valid():
        try:
            new = rules.edit_rule(
                rule, actor=request.user, name=form.cleaned_data["name"], content=_content(form),
                level=form.cleaned_data["level"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, actions.refusal(e))
        else:
            messages.success(request, f"Saved as version {new.number}.")
            return redirect("review:rule", rule.pk)
    return render(request, "review/rule_form.html", {"form": form, "rule": rule})


@login_required
@requires("review.manage_rules", SUPERVISORS)
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    if rule.cable_id and not visible_cables(request.user).filter(pk=rule.cable_id).exists():
        raise Http404("No such rule")
    versions = list(rule.versions.select_related("created_by"))
    version = next(v for v in versions if v.number == rule.version)
    ctx = {
        "rule": rule,
        "version": version,
        "versions": versions,
        "preview": rules.preview(rule, version, request.user),
        "applied": version.spans.count(),
    }
    return render(request, "review/rule_detail.html", ctx)


@login_required
@requires("review.manage_rules", SUPERVISORS)
@require_POST
def rule_switch(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    enabled = request.POST.get("enabled") == "on"
    note = request.POST.get("preview", "")[:200]
    try:
        rules.switch_rule(rule, actor=request.user, enabled=enabled, note=note)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, f"Not changed: {actions.refusal(e)}.")
    else:
        messages.success(
            request,
            "Rule switched on: its matches show as suggestions on review pages."
            if enabled
            else "Rule switched off: it suggests nothing more.",
        )
    return redirect("review:rule", rule.pk)


@login_required
@require_POST
def review_apply(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    form = RuleApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing excised: no rule given.")
        return back_to_review(review.pk, "rules")
    excise_attempted(
        request,
        lambda: rules.apply_rule(
            review, form.cleaned_data["rule"], form.cleaned_data["version"], actor=request.user
        ),
        "Rule applied: its matches excised",
    )
    return back_to_review(review.pk, "rules")


@login_required
@require_POST
def review_everywhere(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    form = EverywhereForm(request.POST, codes=_codes())
    if not form.is_valid():
        errors = "; ".join(f"{form[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, f"Nothing excised: {errors}.")
        return back_to_review(review.pk, "rules")
    data = form.cleaned_data
    scope = data["scope"] or RedactionRule.Scope.CABLE
    where = f"case {review.request_case}" if scope == RedactionRule.Scope.CASE else "this cable"
    excise_attempted(
        request,
        lambda: rules.excise_everywhere(
            review, data["term"], data["codes"], data["justification"], actor=request.user, scope=scope
        )[1],
        f"Rule for {where} made: '{data['term']}' excised",
    )
    return back_to_review(review.pk, "rules")
