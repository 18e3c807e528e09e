"""The rules a decision must follow, in one place.

check() takes what a reviewer asks for one portion and either returns the exemption codes it
cites or raises ValidationError with a message the reviewer can act on. The actions call it; the
forms of the web interface show its messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from cables.export import Secret, needles, normalise, portion_name
from cables.models import Level, Portion
from review.models import Decision, ExemptionCode

MAX_JUSTIFICATION = 2000


@dataclass(frozen=True, slots=True)
class SpanRequest:
    """Characters [start, end) of the portion's text, excised under codes."""

    start: int
    end: int
    codes: tuple[str, ...]
    rule_version: int | None = None  # the RuleVersion whose match it is (review/rules.py)


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """What a reviewer asks for one portion."""

    kind: str
    codes: tuple[str, ...] = ()
    justification: str = ""
    agency: str = ""
    spans: tuple[SpanRequest, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind, "codes": sorted(self.codes)}
        if self.spans:
            data["spans"] = [{"start": s.start, "end": s.end, "codes": sorted(s.codes)} for s in self.spans]
        return data


@dataclass(frozen=True, slots=True)
class Checked:
    """A decision that follows the rules: the codes it cites, and each span's codes."""

    codes: list[ExemptionCode]
    spans: list[tuple[int, int, list[ExemptionCode]]]


def check(portion: Portion, request: DecisionRequest, vocabulary: dict[str, ExemptionCode]) -> Checked:
    """Every rule for one decision on one portion; ValidationError names the first one broken."""
    kind = request.kind
    if kind not in Decision.Kind.values:
        raise ValidationError(f"unknown decision {kind!r}: choose release, excise, withhold or refer")
    label = _label(portion)
    codes = _codes(request.codes, vocabulary)
    if kind == Decision.Kind.RELEASE:
        if codes or request.spans or request.agency:
            raise ValidationError(f"{label}: a portion released in full takes no codes, spans or agency")
        return Checked([], [])

    justification = request.justification.strip()
    if not justification:
        raise ValidationError(
            f"{label}: say briefly why ({kind} needs a justification)", code="justification"
        )
    if len(justification) > MAX_JUSTIFICATION:
        raise ValidationError(
            f"{label}: keep the justification under {MAX_JUSTIFICATION} characters", code="justification"
        )

    if kind == Decision.Kind.EXCISE:
        if not request.spans:
            raise ValidationError(f"{label}: mark at least one span of text to excise", code="spans")
        spans = _spans(portion, request.spans, vocabulary, label)
        _not_quoting(justification, [portion.text[start:end] for start, end, _ in spans], label, whole=False)
        cited = {c.code: c for _, _, span_codes in spans for c in span_codes}
        return Checked([cited[c] for c in sorted(cited, key=lambda c: cited[c].order)], spans)

    if request.spans:
        raise ValidationError(
            f"{label}: only an excision has spans ({kind} covers the whole portion)", code="spans"
        )
    _not_quoting(justification, [portion.text], label, whole=True)
    if not codes:
        raise ValidationError(f"{label}: {kind} needs at least one exemption code", code="codes")
    _check_b1(codes, label)
    if kind == Decision.Kind.WITHHOLD and "B1" in {c.code for c in codes} and _unclassified(portion):
        raise ValidationError(
            f"{label} is marked {portion.marking or portion.level} (unclassified): it cannot be withheld "
            "under B1, which covers classified information only; cite another exemption",
            code="codes",
        )
    if kind == Decision.Kind.REFER and not request.agency.strip():
        raise ValidationError(f"{label}: name the agency the portion is referred to", code="agency")
    return Checked(codes, [])


def _not_quoting(justification: str, withheld: list[str], label: str, *, whole: bool) -> None:
    """A justification states the harm, never the withheld text: it goes into the Vaughn index and
    the redaction log, which the release leak check guards (cables.export.check_leaks). Refused
    when it contains an excised span (as whole words) or a run of four words of a withheld
    portion: the leak check's own needles."""
    words = f" {normalise(justification)} "
    what = "withheld portion" if whole else "excised span"
    for text in withheld:
        for needle in needles(Secret(label, what, text)):
            if f" {needle} " in words:
                raise ValidationError(
                    f"{label}: the justification quotes the text it withholds; say what harm its release "
                    "would do instead (it is shown in the Vaughn index)",
                    code="justification",
                )


def _label(portion: Portion) -> str:
    return portion_name(portion)


def _unclassified(portion: Portion) -> bool:
    return portion.level in (Level.U, Level.SBU)


def _codes(names: tuple[str, ...], vocabulary: dict[str, ExemptionCode]) -> list[ExemptionCode]:
    unknown = [n for n in names if n not in vocabulary]
    if unknown:
        raise ValidationError(f"unknown exemption code {', '.join(sorted(unknown))}")
    unique = {n: vocabulary[n] for n in names}
    return sorted(unique.values(), key=lambda c: c.order)


def check_codes(
    names: tuple[str, ...], vocabulary: dict[str, ExemptionCode], where: str
) -> list[ExemptionCode]:
    """The codes a redaction cites, known and complete (B1 with a category); for redactions made
    ahead of any decision (review/rules.py)."""
    codes = _codes(names, vocabulary)
    if not codes:
        raise ValidationError(f"{where}: cite at least one exemption code", code="codes")
    _check_b1(codes, where)
    return codes


def _check_b1(codes: list[ExemptionCode], where: str) -> None:
    if any(c.code == "B1" for c in codes) and not any(c.is_category for c in codes):
        raise ValidationError(
            f"{where}: B1 must cite at least one E.O. 13526 category, 1.4(a) to 1.4(h)", code="codes"
        )


def _spans(
    portion: Portion,
    requested: tuple[SpanRequest, ...],
    vocabulary: dict[str, ExemptionCode],
    label: str,
) -> list[tuple[int, int, list[ExemptionCode]]]:
    length = len(portion.text)
    spans = []
    previous_end = -1
    for span in sorted(requested, key=lambda s: (s.start, s.end)):
        where = f"{label}, characters {span.start}-{span.end}"
        if not 0 <= span.start < span.end <= length:
            raise ValidationError(
                f"{where}: a span must lie inside the portion's {length} characters", code="spans"
            )
        if span.start < previous_end:
            raise ValidationError(f"{where}: spans must not overlap", code="spans")
        codes = _codes(span.codes, vocabulary)
        if not codes:
            raise ValidationError(
                f"{where}: each excised span needs at least one exemption code", code="codes"
            )
        _check_b1(codes, where)
        spans.append((span.start, span.end, codes))
        previous_end = span.end
    return spans


def vocabulary() -> dict[str, ExemptionCode]:
    return {c.code: c for c in ExemptionCode.objects.all()}
