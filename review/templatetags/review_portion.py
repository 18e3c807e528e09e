"""Each portion of the review page, rendered in Python:

    {% load review_portion %}{% for row in rows %}{% review_portion row %}{% endfor %}

A portion is its head (marking badge, name, decision), the supervisor's comments on it, its text
with the excised spans marked, the decision's justification, what changed since the last release,
the suggestion, the decision controls (the "Release in full" and "Undo" buttons and the full form:
kind, exemption codes, justification, agency, spans), the same passage decided elsewhere and its
triage score.

Why Python: the page repeats all of that for every portion, up to some 150 of them. As included
templates (six includes and some 300 variable lookups a portion) it was about 1.3 ms a portion,
most of a long cable's page (issue 16: 50 ms for a page). Written here with every value escaped
(django.utils.html.escape, or a function that escapes, such as isolate_bidi and badge_html), it
gives the HTML the templates gave. The parts most portions lack (comments, the round's changes)
are still templates: review/_review_comment.html and review/_round_diff_portion.html.

What is the same for every portion of a page (the CSRF input, the form addresses, the shortcut
attributes, the code picker's HTML by the codes ticked) is worked out once and kept on the page's
picker, or, on a page without one, on the page's context.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from accounts.models import single_key_shortcuts
from cables.bidi import reveal
from cables.export import box_label
from cables.templatetags.badge import badge_html
from cables.templatetags.bidi import isolate_bidi

register = template.Library()

# Arguments no route is ever given, reversed in their place to make an address's pattern once.
_MARKS = ("918273645091827361", "918273645091827362")

_TRIAGE_MEANING = (
    "(the model's estimate, from this portion's words alone, that its author marked it CONFIDENTIAL"
    " or higher; a hint for ordering work, never a decision)"
)


def address_pattern(name: str, *args: object) -> str:
    """The route's address as a str.format pattern: each None argument becomes a "{}" to fill."""
    marks = iter(_MARKS)
    given = [next(marks) if a is None else a for a in args]
    url = reverse(name, args=given).replace("{", "{{").replace("}", "}}")
    for mark in _MARKS:
        url = url.replace(mark, "{}")
    return url


class _Page:
    """What every portion of one page shares, worked out at its first portion."""

    def __init__(self, context: Any) -> None:
        pk = context["review"].pk
        self.decide = address_pattern("review:decide", pk, None)
        self.undo = address_pattern("review:undo", pk, None)
        self.apply = address_pattern("review:apply_decided_elsewhere", pk, None, None)
        self.detail = address_pattern("review:detail", None)
        self.csrf = csrf_input(context)
        on = single_key_shortcuts(context["user"])
        self.key = {k: f' aria-keyshortcuts="{k}"' if on else "" for k in "rua"}
        self.kinds = [(value, escape(value), escape(label)) for value, label in context.get("kinds", ())]
        self.editable = bool(context.get("editable"))
        self.change = str(context.get("change", ""))
        self.picker = context.get("picker")


def _page(context: Any) -> _Page:
    picker = context.get("picker")
    store = picker.rendered if picker is not None else context.render_context
    if "review_portion_page" not in store:
        store["review_portion_page"] = _Page(context)
    return store["review_portion_page"]  # type: ignore[no-any-return]


@register.simple_tag(takes_context=True)
def review_portion(context: Any, row: Any) -> SafeString:
    """One portion (a review.views.Row) of a review page whose context holds the review, the user,
    whether the page is editable and, if so, the picker, the form's kinds and "change"."""
    page = _page(context)
    p, d, o = row.portion, row.decision, row.order
    level = p.level
    out = [
        f'<section class="rportion kind-{escape(p.kind)} lvl-{escape(level or "none")}'
        f' decided-{escape(d.kind) if d else "none"}" id="portion-{o}" data-order="{o}"'
        f'{" data-decided" if d else ""} tabindex="-1" aria-labelledby="portion-{o}-title">\n'
        '  <div class="rportion-head">\n    '
        f"{badge_html(level, p.marking_display(), p.get_level_display())}\n"
        f'    <h3 class="rportion-title" id="portion-{o}-title">{escape(_capfirst(row.name))}'
        f"{_kind(p.kind)}</h3>\n"
        f'    <span class="decision-label decision-{escape(d.kind) if d else "none"}">'
        f"{_decision_label(row)}</span>\n"
        "  </div>\n  "
    ]
    if row.comments:
        comment_template = context.template.engine.get_template("review/_review_comment.html")
        for comment in row.comments:
            with context.push(comment=comment):
                inner = comment_template.render(context)
            out.append(
                '<aside class="review-comment portion-comment" aria-label="Supervisor\'s comment'
                f' on this portion">{inner}</aside>'
            )
    out.append(
        f'\n  <div class="portion-text rportion-text" id="portion-{o}-text" data-portion-text'
        f' data-spans="{escape(row.spans_data)}"'
        f"{f' data-names="{escape(row.names)}"' if row.names else ''}>"
    )
    for piece in row.pieces:
        if piece.excised:
            codes = _codes(piece.codes)
            out.append(
                f'<mark class="excised" title="excised under {codes}" data-sr="excised, {codes}:">'
                f"{isolate_bidi(piece.text)}</mark>"
            )
        else:
            out.append(isolate_bidi(piece.text))
    out.append("</div>\n  ")
    if d and d.kind != "release":
        out.append('<p class="decision-detail">')
        if d.justification:
            out.append(f'<span class="muted">Justification:</span> {escape(d.justification)}')
        if d.referral_answer:
            out.append(
                f""" <span class="muted">Agency's answer ({escape(d.agency)}):</span>"""
                f" {escape(d.referral_answer)}"
            )
        out.append("</p>")
    out.append("\n  ")
    if row.round_diff:
        diff_template = context.template.engine.get_template("review/_round_diff_portion.html")
        with context.push(diff=row.round_diff):
            out.append(diff_template.render(context))
    else:
        out.append("\n")
    out.append("\n  ")
    if page.editable and row.suggestion and not d:
        out.append(_suggestion(row, page))
    out.append("\n  ")
    if page.editable:
        out.append(_controls(row, page))
    out.append("\n  ")
    out.append(_consistency(row, page))
    out.append("\n  ")
    out.append(_triage(row))
    out.append("\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number


@register.simple_tag(takes_context=True)
def side_by_side(context: Any, row: Any) -> SafeString:
    """The first three cells of a review sheet's row side by side (the approval page, the quality
    check): the portion as written (the excised spans marked), its decision, and its release copy.
    row is a review sheet row: portion, pieces, decision, released, and, where the page has them,
    earlier_comments and round_diff."""
    p, d = row.portion, row.decision
    out = [
        '\n      <td class="original">\n        <div class="portion-head">\n          '
        f"{badge_html(p.level, p.marking_display(), p.get_level_display())}\n"
        f'          <span class="portion-label">{escape(_capfirst(p.name))}</span>{_kind(p.kind)}\n'
        '        </div>\n        <div class="portion-text">'
    ]
    for piece in row.pieces:
        text = escape(reveal(piece.text))
        if piece.excised:
            out.append(f'<mark class="sbs-excised" title="excised: {_codes(piece.codes)}">{text}</mark>')
        else:
            out.append(text)
    out.append('</div>\n      </td>\n\n      <td class="decision">\n        ')
    if d:
        agency = f" to {escape(d.agency)}" if d.agency else ""
        out.append(
            f'\n          <p><strong class="sbs-kind kind-{escape(d.kind)}">{escape(d.get_kind_display())}'
            f"</strong>{agency}</p>\n          "
        )
        if row.released.codes:
            spans = "".join(f'<span class="sbs-code">{escape(code)}</span> ' for code in row.released.codes)
            out.append(f'<p class="codes">{spans}</p>')
        out.append("\n          ")
        if d.justification:
            out.append(f'<p class="justification">{escape(d.justification)}</p>')
        out.append("\n          ")
        if d.referral_answer:
            out.append(f"""<p class="muted">Agency's answer: {escape(d.referral_answer)}</p>""")
        out.append(
            f'\n          <p class="muted small">{escape(d.decided_by.get_username())},'
            f" {dateformat.format(local_time(d.decided_at), 'Y-m-d H:i')}</p>\n        "
        )
    else:
        out.append('\n          <p class="sbs-undecided">Not decided</p>\n        ')
    out.append("\n        ")
    for c in getattr(row, "earlier_comments", ()):
        out.append(
            '<p class="earlier-comment"><span class="muted">Earlier comment by'
            f" {escape(c.author.get_username())}:</span> {escape(c.text)}</p>"
        )
    out.append("\n        ")
    diff = getattr(row, "round_diff", None)
    if diff:
        diff_template = context.template.engine.get_template("review/_round_diff_portion.html")
        with context.push(diff=diff):
            out.append(diff_template.render(context))
    out.append('\n      </td>\n      <td class="released">\n        <div class="portion-text">')
    undecided = row.released.status == "undecided"
    for segment in row.released.segments:
        if segment.redacted:
            label = "UNDECIDED" if undecided else escape(box_label(segment.codes))
            out.append(f'<span class="sbs-redaction">{label}</span>')
        else:
            out.append(escape(segment.text))
    out.append("</div>\n      </td>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def csrf_input(context: Any) -> str:
    """The CSRF input as {% csrf_token %} writes it ("" without a token)."""
    token = context.get("csrf_token")
    if token and token != "NOTPROVIDED":
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
    return ""


def local_time(when: Any) -> Any:
    """A stored time in the current time zone, as the template's date filter shows it."""
    return timezone.localtime(when) if timezone.is_aware(when) else when


def _kind(kind: str) -> str:
    """The portion's kind beside its name, unless it is a paragraph."""
    return "" if kind == "paragraph" else f' <span class="portion-kind">{escape(kind)}</span>'


def _capfirst(text: str) -> str:
    return text and text[0].upper() + text[1:]


def _codes(codes: Iterable[str], sep: str = ", ") -> str:
    return sep.join(escape(c) for c in codes)


def _span_text(text: str) -> str:
    """A span's text as a list of spans quotes it: 60 characters at most, bidi controls shown."""
    return escape(reveal(Truncator(text).chars(60)))


def _decision_label(row: Any) -> str:
    d = row.decision
    if not d:
        return "UNDECIDED"
    if d.kind == "release":
        return "RELEASED"
    codes = _codes(row.codes)
    if d.kind == "excise":
        return f"EXCISED {codes}"
    if d.kind == "withhold":
        return f"WITHHELD {codes}"
    return f"REFERRED to {escape(d.agency)} {codes}"


def _suggestion(row: Any, page: _Page) -> str:
    """The suggested decision (aids/suggest.py): what and why, "Accept suggestion" and "Change"."""
    s, o = row.suggestion, row.order
    kind = escape(s.kind)
    evidence = "".join(f"<li>{escape(line)}</li>" for line in s.evidence)
    codes = "".join(f'<input type="hidden" name="codes" value="{escape(c)}">' for c in s.codes)
    spans = "".join(f'<input type="hidden" name="spans" value="{escape(x.value)}">' for x in s.spans)
    justification = (
        f'<input type="hidden" name="justification" value="{escape(s.justification)}">'
        if s.justification
        else ""
    )
    return (
        f'<aside class="suggestion suggestion-{kind}" aria-label="Suggested decision for this portion">\n'
        f'  <p class="suggestion-head"><strong>Suggested:</strong> {escape(s.summary)}</p>\n'
        f'  <ul class="suggestion-evidence">{evidence}</ul>\n'
        '  <div class="suggestion-actions">\n'
        f'    <form method="post" action="{page.decide.format(o)}" data-decide data-accept-suggestion>\n'
        f'      {page.csrf}<input type="hidden" name="kind" value="{kind}">\n'
        f"      {codes}\n"
        f"      {spans}\n"
        f"      {justification}\n"
        f'      <button type="submit" class="button suggestion-accept"{page.key["a"]}>'
        "Accept suggestion</button>\n"
        "    </form>\n"
        f'    <a class="button secondary suggestion-change" href="?change={o}#p{o}-decision-form">'
        "Change</a>\n"
        "  </div>\n"
        "</aside>\n"
    )


def _controls(row: Any, page: _Page) -> str:
    """The decision controls: "Release in full", "Undo decision" and the full decision form."""
    o, d = row.order, row.decision
    error, error_field = row.error, row.error_field
    decide = page.decide.format(o)
    out = [
        '<div class="decision-controls">\n  <div class="quick-actions">\n'
        f'    <form method="post" action="{decide}" data-decide data-release>\n'
        f'      {page.csrf}<input type="hidden" name="kind" value="release">\n'
        f'      <button type="submit" class="button release"{page.key["r"]}>Release in full</button>\n'
        "    </form>\n    "
    ]
    if d:
        out.append(
            f'<form method="post" action="{page.undo.format(o)}" data-undo>\n'
            f'      {page.csrf}<button type="submit" class="button secondary"{page.key["u"]}>'
            "Undo decision</button>\n"
            "    </form>"
        )
    is_open = (d and d.kind != "release") or page.change == o or error
    out.append(
        "\n  </div>\n"
        f'  <details class="decision-form" id="p{o}-decision-form"{" open" if is_open else ""}>\n'
        "    <summary>Withhold, excise or refer…</summary>\n"
        f'    <form method="post" action="{decide}" data-decide data-full>\n'
        f"      {page.csrf}\n"
        f'      <p class="form-error" id="p{o}-error" role="alert" data-form-error'
        f"{'' if error else ' hidden'}>"
        f"{escape(error)}</p>\n"
        '      <fieldset class="kinds">\n        <legend>Decision</legend>\n        '
    )
    form_kind = row.form_kind
    for value, escaped, label in page.kinds:
        mark = ""
        if form_kind == value:
            mark = " checked autofocus" if error_field == "kind" else " checked"
        out.append(
            f'<label class="kind-choice"><input type="radio" name="kind" value="{escaped}"'
            f' data-kind="{escaped}"{mark}> {label}</label>'
        )
    codes_error = error_field == "codes"
    form_codes = row.form_codes
    out.append(
        "\n      </fieldset>\n"
        f'      <fieldset class="codes{" has-error" if codes_error else ""}"'
        f"{f' aria-describedby="p{o}-error"' if codes_error else ''}>\n"
        "        <legend>Exemption codes</legend>\n"
        f'        <div class="code-ticks">{code_ticks(page.picker, form_codes, codes_error)}</div>\n'
        f'        <label for="p{o}-more-codes" class="more-codes-label">More codes</label>\n'
        f'        <select name="codes" id="p{o}-more-codes" multiple size="3" class="more-codes">'
        f"{code_options(page.picker, form_codes)}</select>\n"
        "      </fieldset>\n"
    )
    invalid = f' autofocus aria-invalid="true" aria-describedby="p{o}-error"'
    out.append(
        f'      <div class="field{" has-error" if error_field == "justification" else ""}">\n'
        f'        <label for="p{o}-justification">Justification</label>\n'
        f'        <textarea name="justification" id="p{o}-justification" rows="2" maxlength="2000"'
        f"{invalid if error_field == 'justification' else ''}>{escape(row.form_justification)}</textarea>\n"
        "      </div>\n"
        f'      <div class="field field-agency{" has-error" if error_field == "agency" else ""}">\n'
        f'        <label for="p{o}-agency">Agency (for a referral)</label>\n'
        f'        <input type="text" name="agency" id="p{o}-agency" maxlength="100"'
        f' value="{escape(row.form_agency)}" placeholder="e.g. CIA, DOD, DOE"'
        f"{invalid if error_field == 'agency' else ''}>\n"
        "      </div>\n"
        f'      <fieldset class="spans{" has-error" if error_field == "spans" else ""}">\n'
        "        <legend>Spans to excise</legend>\n"
        '        <ul class="span-list" data-span-list>'
    )
    if row.changing:
        for span in row.suggestion.spans:
            out.append(
                f'<li><label><input type="checkbox" name="spans" value="{escape(span.value)}" checked>'
                f" characters {span.start}–{span.end} ({_codes(span.codes)}, suggested):"
                f" <q>{_span_text(span.text)}</q></label></li>"
            )
    for value in row.posted_spans:
        out.append(
            f'<li><label><input type="checkbox" name="spans" value="{escape(value)}" checked>'
            f" characters {escape(value)} (marked before the refusal)</label></li>"
        )
    for piece in row.spans:
        out.append(
            f'<li><label><input type="checkbox" name="spans"'
            f' value="{piece.start}:{piece.end}:{_codes(piece.codes, ",")}" checked>'
            f" characters {piece.start}–{piece.end} ({_codes(piece.codes)}):"
            f" <q>{_span_text(piece.text)}</q></label></li>"
        )
    length = len(row.portion.text)
    posted = row.posted or {}
    start, end = posted.get("start"), posted.get("end")
    out.append(
        "</ul>\n"
        '        <p class="hint">Select words in the text with the mouse to add a span, or give character'
        f" offsets (0 to {length}, end exclusive). New spans take the codes ticked above.</p>\n"
        '        <div class="offsets">\n'
        f'          <div class="field"><label for="p{o}-start">From character</label>'
        f'<input type="number" name="start" id="p{o}-start" min="0" max="{length}"'
        f"{f' value="{escape(start)}"' if start else ''}"
        f"{invalid if error_field == 'spans' else ''}></div>\n"
        f'          <div class="field"><label for="p{o}-end">To character (exclusive)</label>'
        f'<input type="number" name="end" id="p{o}-end" min="1" max="{length}"'
        f"{f' value="{escape(end)}"' if end else ''}></div>\n"
        "        </div>\n"
        "      </fieldset>\n"
        '      <button type="submit" class="button" aria-keyshortcuts="Control+Enter">Record decision'
        " <kbd>Ctrl</kbd>+<kbd>Enter</kbd></button>\n"
        "    </form>\n"
        "  </details>\n"
        "</div>\n"
    )
    return "".join(out)


def _consistency(row: Any, page: _Page) -> str:
    """The same or nearly the same passage decided in other cables (review/consistency.py)."""
    if not row.consistency:
        return "\n"
    o = row.order
    out = [
        f'<aside class="consistency" aria-labelledby="portion-{o}-elsewhere">\n'
        f'  <p class="consistency-title" id="portion-{o}-elsewhere">Same passage decided elsewhere:</p>\n'
        '  <ul class="consistency-list">'
    ]
    for m in row.consistency:
        decision = m.decision
        review = m.review
        codes = m.codes
        excised = m.excised
        decided_at = local_time(decision.decided_at)
        alike = "the same passage" if m.same else f"nearly the same, {m.percent}% alike"
        out.append(
            f'\n    <li class="consistency-match{" consistency-differs" if m.conflict else ""}">\n'
            f'      <strong class="consistency-kind kind-{escape(decision.kind)}">{escape(m.verb)}</strong>'
            f"{f' to {escape(decision.agency)}' if decision.agency else ''}"
            f"""{f' <span class="consistency-codes">{_codes(codes)}</span>' if codes else ""}"""
        )
        if excised:
            words = ", ".join(f"“{escape(w)}”" for w in excised)
            out.append(f' <span class="muted">(excised: {words})</span>')
        out.append(
            f'\n      in <a href="{page.detail.format(review.pk)}">{escape(m.cable_ref)}</a>'
            f" {escape(m.portion_name)}\n"
            f'      <span class="muted">({alike}; {escape(review.case_number)} {escape(m.state_label)};'
            f" by {escape(decision.decided_by.get_username())},"
            f' <time datetime="{dateformat.format(decided_at, "c")}">'
            f"{dateformat.format(decided_at, 'Y-m-d')}</time>)</span>\n"
            "      "
        )
        if m.conflict:
            out.append(
                f'<span class="consistency-conflict">Differs from your decision: {escape(m.conflict)}.</span>'
            )
        out.append("\n      ")
        if page.editable:
            out.append(
                f'<form method="post" action="{page.apply.format(o, decision.pk)}" class="consistency-apply"'
                " data-decide data-full>\n"
                f'        {page.csrf}<button type="submit" class="button secondary small">'
                "Apply this decision</button>\n"
                "      </form>"
            )
        out.append("\n    </li>")
    out.append("\n  </ul>\n</aside>\n")
    return "".join(out)


def _triage(row: Any) -> str:
    """The portion's sensitivity-triage score (aids/triage.py), for users who may see it."""
    score = row.triage
    if not score:
        return "\n\n"
    percent = score.percent
    return (
        f'\n<p class="triage-score muted small" id="portion-{row.order}-triage">Triage: <meter min="0"'
        f' max="100" value="{percent}" aria-hidden="true">{percent}%</meter> {percent}% ·'
        f' {escape(score.words)} <span class="visually-hidden">{_TRIAGE_MEANING}</span></p>\n'
    )


def code_ticks(picker: Any, ticked: Sequence[str], autofocus: bool = False) -> SafeString:
    """The picker's checkboxes (ticks), rendered once per page for each set of codes ticked."""
    key = ("ticks", tuple(ticked), autofocus)
    if key not in picker.rendered:
        picker.rendered[key] = render_ticks(picker.ticks, ticked, autofocus)
    return picker.rendered[key]  # type: ignore[no-any-return]


def code_options(picker: Any, selected: Sequence[str]) -> SafeString:
    """The picker's list box options (others), rendered once per page for each selection."""
    key = ("options", tuple(selected))
    if key not in picker.rendered:
        picker.rendered[key] = render_options(picker.others, selected)
    return picker.rendered[key]  # type: ignore[no-any-return]


def render_ticks(choices: Iterable[object], ticked: Sequence[str], autofocus: bool = False) -> SafeString:
    """<label><input type="checkbox" name="codes" ...> CODE <small>why</small></label> per choice."""
    ticked_set = set(ticked)
    parts = []
    for n, choice in enumerate(choices):
        code, title, why = escape(choice.code), escape(choice.title), escape(choice.why)  # type: ignore[attr-defined]
        parts.append(
            f'<label class="code-choice{" code-suggested" if why else ""}" title="{title}">'
            f'<input type="checkbox" name="codes" value="{code}"'
            f"{' checked' if choice.code in ticked_set else ''}"  # type: ignore[attr-defined]
            f"{' autofocus' if n == 0 and autofocus else ''}> {code}"
            f"{f' <small>{why}</small>' if why else ''}</label>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def render_options(choices: Iterable[object], selected: Sequence[str]) -> SafeString:
    """<option value="CODE" title="..."[ selected]>CODE</option> per choice."""
    chosen = set(selected)
    parts = []
    for choice in choices:
        code, title = escape(choice.code), escape(choice.title)  # type: ignore[attr-defined]
        mark = " selected" if choice.code in chosen else ""  # type: ignore[attr-defined]
        parts.append(f'<option value="{code}" title="{title}"{mark}>{code}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
