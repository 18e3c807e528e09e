"""The rows of the 50-row lists, rendered in Python:

    {% load queue_rows %}
    {% review_cells review "review:detail" %}   the cable, classification and subject cells of a review
    {% declassify_on review.cable %}            its "Declassify on" cell's content ("today" from the page)
    {% my_review_row review %}                  a row of "My reviews"
    {% approval_row review %}                   a row of the approval queue
    {% release_row review %}                    a row of the releases page
    {% assign_row cable %}, {% due_row cable %}, {% triage_row cable %}
                                                a cable to tick on the assignment, due and triage pages
    {% audit_row row %}                         an event of the audit log (a review.queues.EventRow)

Why Python: as included templates each row cost about 1 ms (a dozen variable lookups, filters and
includes a cell), which on a page of 50 rows was most of the page (issue 16: 50 ms for a page).
Each function gives the HTML its template gave, with every value escaped (django.utils.html.escape,
or a function that escapes, such as badge()); tests/review/test_queue_rows.py posts markup into
every field a row shows. What is the same on every row of a page (an address's pattern, the CSRF
input) is worked out once and kept in the render context.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from cables.bidi import reveal
from cables.templatetags.badge import badge
from review.templatetags.declass_time import ago
from review.templatetags.review_portion import address_pattern, csrf_input, local_time

register = template.Library()

_URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in an argument (RFC 3986 sub-delims)
_OVERDUE = '<span class="overdue-label">overdue</span>'


def _address(context: Any, name: str) -> str:
    """The route's address for one argument as a str.format pattern, made once a render."""
    key = ("queue_rows.address", name)
    cache = context.render_context
    if key not in cache:
        cache[key] = address_pattern(name, None)
    return cache[key]


def _ymd(day: date) -> str:
    """As the date filter's "Y-m-d" writes it (a datetime in the current time zone)."""
    if isinstance(day, datetime):
        day = local_time(day)
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _ymd_hm(when: datetime) -> str:
    when = local_time(when)
    return f"{_ymd(when)} {when.hour:02d}:{when.minute:02d}"


def _iso(when: datetime) -> str:
    """As the date filter's "c" writes it."""
    return local_time(when).isoformat()


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


def _username(user: Any, empty: str = "") -> str:
    """The user's name, or `empty` for no user (or an empty name), as {{ user.get_username }} shows it."""
    return (escape(user.get_username()) if user is not None else "") or empty


def _subject(cable: Any) -> str:
    return escape(reveal(cable.subject or "(no subject)"))


# The cells of a review --------------------------------------------------------------------------


def _review_cells(review: Any, address: str) -> str:
    cable = review.cable
    round_ = f", round {review.round}" if review.round > 1 else ""
    return (
        f'<td class="refid"><a href="{address.format(review.pk)}">{escape(cable.reference_id)}</a>'
        f'<div class="muted case">{escape(review.case_number)}{round_}</div></td>\n'
        f"<td>{badge(cable)}</td>\n"
        f"<td>{_subject(cable)}</td>\n"
    )


@register.simple_tag(takes_context=True)
def review_cells(context: Any, review: Any, link: str) -> SafeString:
    """The review's cable (linked to the route `link` of the review), case, round, badge, subject."""
    return mark_safe(_review_cells(review, _address(context, link)))  # noqa: S308 - escaped


def _declassify_on(cable: Any, today: date | None) -> str:
    day = cable.declassify_on
    if not day:
        return f'<span class="muted">{escape(cable.declassify_instruction or "—")}</span>'
    shown = _ymd(day)
    if today is not None and day < today:
        return f'<time datetime="{shown}" class="overdue">{shown}</time> {_OVERDUE}'
    return f'<time datetime="{shown}">{shown}</time>'


@register.simple_tag(takes_context=True)
def declassify_on(context: Any, cable: Any) -> SafeString:
    """The day the cable's own instruction declassifies it ("overdue" before the page's today), else
    the instruction as written."""
    return mark_safe(_declassify_on(cable, context.get("today") or None))  # noqa: S308 - escaped


# Rows of reviews --------------------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def my_review_row(context: Any, review: Any) -> SafeString:
    """A row of the reviewer's queue: returned ones marked, the state, how long it has been open."""
    returned = ' class="row-returned"' if review.state == "returned" else ""
    state = escape(review.state)
    opened = review.created_at
    return mark_safe(  # noqa: S308 - every value is escaped
        f"<tr{returned}>\n      {_review_cells(review, _address(context, 'review:detail'))}\n"
        f'      <td class="nowrap">{_declassify_on(review.cable, context.get("today") or None)}</td>\n'
        f'      <td class="nowrap"><span class="qstate qstate-{state}">'
        f"{escape(review.get_state_display())}</span></td>\n"
        f'      <td class="nowrap"><span title="opened {_ymd_hm(opened)} UTC">{escape(timesince(opened))}'
        "</span></td>\n    </tr>"
    )


def _mosaic_count(review: Any, address: str) -> str:
    n = review.mosaic_acks_count
    if not n:
        return '<td><span class="muted">—</span></td>'
    return (
        f'<td><a class="badge-mosaic" href="{address.format(review.pk)}#mosaic" title="mosaic findings'
        f' the reviewer released on purpose, with a reason">{n} acknowledged mosaic finding{_plural(n)}'
        "</a></td>"
    )


@register.simple_tag(takes_context=True)
def approval_row(context: Any, review: Any) -> SafeString:
    """A row of the approval queue: the reviewer and their note, when submitted, the declassification
    day, conflicts with released passages and acknowledged mosaic findings."""
    address = _address(context, "review:approval")
    user = context.get("user")
    out = [f"<tr>\n      {_review_cells(review, address)}\n"]
    out.append(f"      <td>{escape(review.cable.origin)}</td>\n      <td>")
    out.append(_username(review.reviewer, "—"))
    if user is not None and review.submitted_by_id == user.pk:
        out.append(' <span class="muted small">(you submitted it: another supervisor decides)</span>')
    if review.submit_note:
        out.append(
            '<div class="submit-note small" title="the reviewer\'s note on submitting">'
            f"{escape(Truncator(review.submit_note).chars(160))}</div>"
        )
    out.append('</td>\n      <td class="nowrap">')
    if review.submitted_at:
        when = review.submitted_at
        out.append(f'<span title="{_ymd_hm(when)} UTC">{escape(ago(when))}</span>')
    today = context.get("today") or None
    out.append(f'</td>\n      <td class="nowrap">{_declassify_on(review.cable, today)}</td>\n')
    n = review.release_conflicts
    if n:
        out.append(
            '      <td><span class="badge-conflict" title="decided differently from the same passage released'
            f' in another cable">{n} conflict{_plural(n)} with a release</span></td>\n'
        )
    else:
        out.append('      <td><span class="muted">—</span></td>\n')
    out.append(f"      {_mosaic_count(review, address)}\n    </tr>")
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped


@register.simple_tag(takes_context=True)
def release_row(context: Any, review: Any) -> SafeString:
    """A row of the releases page: who approved it and when, the mosaic findings released on
    purpose (each with its reason) and the release button, with the leak check's refusal if any."""
    out = [f"<tr>\n      {_review_cells(review, _address(context, 'review:detail'))}\n      <td>"]
    out.append(_username(review.reviewer, "—"))
    out.append('</td>\n      <td class="nowrap">')
    if review.approved_at:
        out.append(
            f'by {_username(review.approved_by)}, <span title="{_ymd_hm(review.approved_at)} UTC">'
            f"{escape(ago(review.approved_at))}</span>"
        )
    out.append('</td>\n      <td class="queue-mosaic">')
    acks = list(review.mosaic_acks.all())
    if acks:
        n = len(acks)
        out.append(
            f'<details open><summary class="badge-mosaic">{n} acknowledged mosaic finding{_plural(n)}'
            "</summary>\n  <ul>"
        )
        for ack in acks:
            confirmed = f"; confirmed by {_username(ack.confirmed_by)}" if ack.confirmed_by else ""
            out.append(
                f'<li>{escape(ack.message)}. <span class="muted">Released on purpose by'
                f" {_username(ack.acknowledged_by)}: <q>{escape(ack.reason)}</q>{confirmed}.</span></li>"
            )
        out.append("</ul>\n</details>")
    else:
        out.append('<span class="muted">—</span>')
    refusal = review.release_refusal
    again = " again" if refusal else ""
    out.append("</td>\n      <td>\n        ")
    if refusal:
        out.append(f'<p class="release-refusal small" role="note">Refused: {escape(refusal)}</p>')
    out.append(
        f'\n        <form method="post" action="{_address(context, "review:release").format(review.pk)}"'
        f' class="inline-form">\n          {csrf_input(context)}\n          <button type="submit"'
        f' class="button small" aria-label="Release {escape(review.case_number)}'
        f' ({escape(review.cable.reference_id)}){again}">{"Release again" if refusal else "Release"}'
        "</button>\n        </form>\n      </td>\n    </tr>"
    )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped


# Rows of cables to tick (assignment, due, triage) -----------------------------------------------


def _tick(cable: Any) -> str:
    pk, ref = cable.pk, escape(cable.reference_id)
    return (
        f'<td><input type="checkbox" name="cables" value="{pk}" id="cable-{pk}">'
        f'<input type="hidden" name="shown" value="{pk}">'
        f'<label for="cable-{pk}" class="visually-hidden">Select {ref}</label></td>'
    )


def _sent(cable: Any) -> str:
    if cable.sent_at:
        return f'<td class="nowrap"><time datetime="{_iso(cable.sent_at)}">{_ymd(cable.sent_at)}</time></td>'
    return f'<td class="nowrap">{cable.year if cable.year else ""}</td>'


def _reference(cable: Any, address: str) -> str:
    """The reference id linked to the cable's page (quoted as reverse() quotes it)."""
    ref = cable.reference_id
    url = escape(address.format(quote(ref, safe=_URL_SAFE)))
    return f'<td class="refid"><a href="{url}">{escape(ref)}</a></td>'


def _open_review(cable: Any) -> str:
    if not cable.open_state:
        return '<td><span class="muted">none</span></td>'
    reviewer = f" · {escape(cable.open_reviewer)}" if cable.open_reviewer else ""
    return (
        f'<td><span class="qstate qstate-{escape(cable.open_state)}">{escape(cable.open_state_label)}</span>'
        f'{reviewer}<div class="muted case">{escape(cable.open_case)}</div></td>'
    )


@register.simple_tag(takes_context=True)
def assign_row(context: Any, cable: Any) -> SafeString:
    """A cable of the assignment page: sent, origin, badge, subject and its open review, if any."""
    return mark_safe(  # noqa: S308 - every value is escaped
        f"<tr>\n        {_tick(cable)}\n        {_reference(cable, _address(context, 'cables:detail'))}\n"
        f"        {_sent(cable)}\n        <td>{escape(cable.origin)}</td>\n        <td>{badge(cable)}</td>\n"
        f"        <td>{_subject(cable)}</td>\n        {_open_review(cable)}\n      </tr>"
    )


@register.simple_tag(takes_context=True)
def due_row(context: Any, cable: Any) -> SafeString:
    """A cable of the due page: the day it falls due (and how many days overdue), what the day rests
    on and its open review, if any."""
    due = _ymd(cable.review_due)
    late = cable.days_overdue
    if late > 0:
        when = (
            f'<time datetime="{due}" class="overdue">{due}</time><div>{_OVERDUE}'
            f' <span class="muted small">{intcomma(late)} day{_plural(late)}</span></div>'
        )
    else:
        when = f'<time datetime="{due}">{due}</time>'
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<tr id="due-{escape(cable.reference_id)}">\n  {_tick(cable)}\n  <td class="nowrap">{when}</td>\n'
        f"  {_reference(cable, _address(context, 'cables:detail'))}\n  <td>{badge(cable)}</td>\n"
        f"  <td>{escape(cable.origin)}</td>\n  {_sent(cable)}\n  <td>{_subject(cable)}</td>\n"
        f'  <td class="due-basis">{escape(cable.review_due_basis)}</td>\n  {_open_review(cable)}\n</tr>'
    )


@register.simple_tag(takes_context=True)
def triage_row(context: Any, cable: Any) -> SafeString:
    """A cable of the triage queue: its triage score and the words behind it, if scored."""
    scored = cable.triage
    if scored:
        score = f'{scored.score.percent}%<div class="muted small">{escape(scored.words)}</div>'
    else:
        score = '<span class="muted">not scored yet</span>'
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<tr id="triage-{escape(cable.reference_id)}">\n  {_tick(cable)}\n'
        f'  <td class="nowrap triage-value">{score}</td>\n'
        f"  {_reference(cable, _address(context, 'cables:detail'))}\n  <td>{badge(cable)}</td>\n"
        f"  <td>{escape(cable.origin)}</td>\n  {_sent(cable)}\n"
        f"  <td>{escape(cable.subject or '(no subject)')}</td>\n</tr>"
    )


# The audit log ----------------------------------------------------------------------------------


def _json_cell(text: str, seq: int, side: str) -> str:
    if not text:
        return '<td><span class="muted">—</span></td>'
    return (
        f'<td><pre class="json" tabindex="0" role="region" aria-label="Event {seq}, {side}">'
        f"{escape(text)}</pre></td>"
    )


@register.simple_tag
def audit_row(row: Any) -> SafeString:
    """One event of the audit log: its number, time, actor, action, object (and the portion a
    decision is about), cable (linked where it has a page), before and after, note and hash."""
    e = row.event
    seq, seconds = e.seq, local_time(e.at).second
    if e.object_type:
        obj = f"{escape(e.object_type)} {escape(e.object_id)}"
    else:
        obj = "—"
    if row.portion:
        name = row.portion[0].upper() + row.portion[1:]  # as capfirst writes it
        obj += f'<br><strong class="audit-portion">{escape(name)}</strong>'
    if e.cable_ref:
        try:
            url = escape(reverse("cables:detail", args=[e.cable_ref]))
            cable = f'<a href="{url}">{escape(e.cable_ref)}</a>'
        except NoReverseMatch:
            cable = escape(e.cable_ref)
    else:
        cable = "—"
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<tr id="event-{seq}">\n      <td class="num">{seq}</td>\n'
        f'      <td class="nowrap"><time datetime="{_iso(e.at)}">{_ymd_hm(e.at)}:{seconds:02d}'
        f"</time></td>\n      <td>{escape(e.actor_name or '(system)')}</td>\n"
        f"      <td>{escape(e.get_action_display())}<br>"
        f'<code class="muted small">{escape(e.action)}</code></td>\n'
        f'      <td class="nowrap">{obj}</td>\n      <td class="refid">{cable}</td>\n'
        f"      {_json_cell(row.before, seq, 'before')}\n      {_json_cell(row.after, seq, 'after')}\n"
        f'      <td>{escape(e.note)}</td>\n      <td><code class="hash" title="{escape(e.hash)}">'
        f"{escape(e.hash[:10])}…</code></td>\n    </tr>"
    )
