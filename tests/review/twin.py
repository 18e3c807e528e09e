"""The twin property: a release copy depends on nothing it redacts, not even its length.

For a real cable and random decisions (excised spans mid-word, across line breaks, around
punctuation and on repeated words; withheld and referred portions), build a twin cable whose
redacted characters are replaced by random text of another length, release both through the real
actions, and compare everything that leaves: the text, HTML and PDF copies, the reading-room page,
the public and internal redaction logs (CSV) and the export folder. After mapping the twin's
reference id, case number and document number to the original's (both are released at the same
frozen instant), every output must be identical. The PDF is compared as bytes: the twin's stored
PDF is its document rendered again, and the same document with the original's ids renders the
original's stored PDF byte for byte.

Besides, every redacted string of both cables is searched for in every output of its own cable
(normalised as the leak check does; a string the copy releases elsewhere too is no leak): a leak
found that way is reported even where the twins agree.

Used by tests/review/test_twin.py (a fixed seed, 20 cables) and bench/twin.py (300 cables).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
import string
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from hypothesis import strategies as st

from cables import export, formats
from cables.models import Cable, Portion
from review import actions
from review import release as release_copies
from review.decisions import DecisionRequest, SpanRequest
from review.models import ReleaseCopy, Review
from tests.review.conftest import acknowledge_mosaic, acknowledged_keys

FROZEN = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
Draw = Callable[[st.SearchStrategy[Any]], Any]
KINDS = ("release", "release", "excise", "excise", "withhold", "refer")
SPAN_KINDS = ("mid-word", "line break", "punctuation", "repeated word", "anywhere")
TWIN_ALPHABET = string.ascii_letters + string.digits + "  .,;-'\n"


@dataclass(frozen=True)
class PortionPlan:
    kind: str  # release, excise, withhold, refer
    spans: tuple[tuple[int, int], ...] = ()  # excised, in the original's text


@dataclass
class Outcome:
    """One twin pair's result: how many decisions and strings were checked, and what failed."""

    reference_id: str
    decisions: int = 0
    strings_checked: int = 0
    leaks: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


class _Salted:
    """Hypothesis draws, each shifted by a salt from the cable's own seed: Hypothesis's simplest
    example (every draw 0) is then a varied mix of decisions rather than "release everything",
    while shrinking still works on the draws."""

    def __init__(self, draw: Draw, seed: str) -> None:
        self.draw, self.rng = draw, random.Random(seed)

    def index(self, n: int) -> int:
        return (self.draw(st.integers(0, n - 1)) + self.rng.randrange(n)) % n

    def choice(self, options: tuple[str, ...] | list[Any]) -> Any:
        return options[self.index(len(options))]


def plan_decisions(draw: Draw, cable: Cable) -> dict[int, PortionPlan]:
    """Random decisions for every portion of cable (by order)."""
    portions = list(cable.portions.order_by("order"))
    salted = _Salted(draw, cable.reference_id)
    words = re.findall(r"[A-Za-z]{3,}", " ".join(p.text for p in portions))
    repeated = sorted({w for w in words if words.count(w) > 1})
    out = {}
    for p in portions:
        kind = salted.choice(KINDS)
        if kind == "excise" and len(p.text.strip()) < 2:
            kind = "withhold"
        if kind != "excise":
            out[p.order] = PortionPlan(kind)
            continue
        spans = [
            _span(salted, p.text, salted.choice(SPAN_KINDS), repeated) for _ in range(1 + salted.index(3))
        ]
        out[p.order] = PortionPlan("excise", _disjoint([s for s in spans if s]) or ((0, len(p.text)),))
    return out


def _span(salted: _Salted, text: str, how: str, repeated: list[str]) -> tuple[int, int] | None:
    n = len(text)
    if how == "mid-word":
        inside = [i for i in range(1, n) if text[i - 1].isalnum() and text[i].isalnum()]
        if len(inside) >= 2:
            a, b = sorted((salted.choice(inside), salted.choice(inside)))
            return (a, b) if b > a else (a, a + 1)
    elif how == "line break":
        breaks = [i for i, ch in enumerate(text) if ch == "\n"]
        if breaks:
            at = salted.choice(breaks)
            return max(0, at - 1 - salted.index(12)), min(n, at + 2 + salted.index(12))
    elif how == "punctuation":
        marks = [i for i, ch in enumerate(text) if ch in ".,;:()'\"-/"]
        if marks:
            at = salted.choice(marks)
            start = at if salted.index(2) else max(0, at - 1 - salted.index(10))
            return start, min(n, at + 1 + salted.index(10))
    elif how == "repeated word":
        here = [w for w in repeated if re.search(rf"\b{w}\b", text)]
        if here:
            word = salted.choice(here)
            found = list(re.finditer(rf"\b{word}\b", text))
            m = salted.choice(found)
            return m.start(), m.end()
    start = salted.index(n)
    return start, min(n, start + 1 + salted.index(40))


def _disjoint(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(set(spans)):
        if b > a and (not out or a >= out[-1][1]):
            out.append((a, b))
    return tuple(out)


def twin_text(draw: Draw, length: int) -> str:
    """Random text of another length than `length`."""
    lengths = [n for n in range(1, 61) if n != length]
    size = lengths[draw(st.integers(0, len(lengths) - 1))]
    return draw(st.text(alphabet=TWIN_ALPHABET, min_size=size, max_size=size))


def build_twin(
    draw: Draw, cable: Cable, plans: dict[int, PortionPlan]
) -> tuple[Cable, dict[int, PortionPlan]]:
    """The twin cable (its redacted characters replaced by random text of other lengths) and the
    same decisions in the twin's offsets."""
    portions = list(cable.portions.order_by("order"))
    texts: dict[int, str] = {}
    twin_plans: dict[int, PortionPlan] = {}
    for p in portions:
        plan = plans[p.order]
        if plan.kind == "release":
            texts[p.order], twin_plans[p.order] = p.text, plan
        elif plan.kind == "excise":
            parts, spans, at = [], [], 0
            for a, b in plan.spans:
                parts.append(p.text[at:a])
                start = sum(map(len, parts))
                parts.append(twin_text(draw, b - a))
                spans.append((start, start + len(parts[-1])))
                at = b
            parts.append(p.text[at:])
            texts[p.order], twin_plans[p.order] = "".join(parts), PortionPlan("excise", tuple(spans))
        else:
            texts[p.order], twin_plans[p.order] = twin_text(draw, len(p.text)), plan
    fields = {
        f.attname: getattr(cable, f.attname)
        for f in Cable._meta.concrete_fields
        if f.attname not in ("id", "reference_id", "ingested_at", "search")
    }
    by_label = {p.label.upper(): texts[p.order] for p in portions if p.kind == "header" and p.label}
    text = "\n".join(texts[p.order] for p in portions)
    fields.update(
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        subject=by_label.get("SUBJECT", ""),
        classified_by=by_label.get("CLASSIFIED BY", ""),
        signature="",
        source="twin",
    )
    twin = Cable.objects.create(reference_id=f"TWIN{cable.reference_id}", **fields)
    Portion.objects.bulk_create(
        Portion(
            cable=twin,
            order=p.order,
            kind=p.kind,
            label=p.label,
            marking=p.marking,
            level=p.level,
            caveats=p.caveats,
            text=texts[p.order],
            line=p.line,
        )
        for p in portions
    )
    return twin, twin_plans


def _request(portion: Portion, plan: PortionPlan) -> DecisionRequest:
    classified = portion.level not in ("U", "SBU")
    if plan.kind == "release":
        return DecisionRequest("release")
    if plan.kind == "excise":
        spans = tuple(
            SpanRequest(a, b, ("B6",) if n % 2 else ("B1", "1.4(d)")) for n, (a, b) in enumerate(plan.spans)
        )
        if not classified:
            spans = tuple(SpanRequest(s.start, s.end, ("B6",)) for s in spans)
        return DecisionRequest("excise", (), "twin property", spans=spans)
    if plan.kind == "withhold":
        return DecisionRequest("withhold", ("B1", "1.4(b)") if classified else ("B5",), "twin property")
    return DecisionRequest("refer", ("1.4(a)",), "twin property", agency="DOD")


def release_through_actions(cable: Cable, plans: dict[int, PortionPlan], users: dict[str, User]) -> Review:
    """Open, assign, decide, refer (the agency answers: withhold), submit, approve, release."""
    reviewer, supervisor, releaser = users["reviewer"], users["supervisor"], users["releaser"]
    review = actions.open_review(cable, actor=supervisor)
    review = actions.assign(review, actor=supervisor, reviewer=reviewer)
    review = actions.start(review, actor=reviewer)
    cable = review.cable
    portions = {p.order: p for p in cable.portions.all()}
    for order, plan in sorted(plans.items()):
        actions.decide(review, portions[order], _request(portions[order], plan), actor=reviewer)
    referred = [o for o, plan in plans.items() if plan.kind == "refer"]
    if referred:
        review = actions.refer(review, actor=reviewer)
        answers = {
            o: DecisionRequest(
                "withhold",
                ("B1", "1.4(a)") if portions[o].level not in ("U", "SBU") else ("B5",),
                "as answered by DOD",
            )
            for o in referred
        }
        review = actions.answer_referral(review, answers, actor=reviewer, note="DOD asks to withhold.")
    # The mosaic gate: what a redaction leaves released elsewhere is acknowledged and confirmed, as
    # a records office would when it releases on purpose (the twin's findings may differ; the
    # copies do not depend on them).
    acknowledge_mosaic(review, reviewer)
    review = actions.submit(review, actor=reviewer)
    review = actions.approve(review, actor=supervisor, confirm_mosaic=acknowledged_keys(review))
    return actions.release(review, actor=releaser)


def outputs(review: Review, client: Client, staff: Client) -> dict[str, bytes]:
    """Everything that leaves for one released review, by name."""
    copy = ReleaseCopy.objects.select_related("cable", "review").get(review=review)
    ref = copy.cable.reference_id
    out = {fmt: release_copies.stored_file(copy, fmt) for fmt in release_copies.FORMATS}
    out["reading-room"] = client.get(f"/reading-room/{ref}/").content
    out["redactions.csv"] = client.get(f"/reading-room/{ref}/v1-redactions.csv").content
    out["redactions-internal.csv"] = staff.get(f"/releases/{ref}/v1-redactions.csv").content
    with tempfile.TemporaryDirectory() as folder:
        call_command("export", ref, "--out", folder, stdout=_Null(), stderr=_Null())
        for path in sorted(Path(folder).iterdir()):
            out[f"export/{path.name}"] = path.read_bytes()
    return out


class _Null:
    def write(self, *args: Any) -> None:
        pass

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@contextmanager
def frozen_clock() -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=FROZEN):
        yield


def check_twins(draw: Draw, cable: Cable, users: dict[str, User]) -> Outcome:
    """Run the property on one stored cable (inside a transaction that is rolled back)."""
    outcome = Outcome(cable.reference_id)
    client, staff = Client(), Client()
    staff.force_login(users["supervisor"])
    with transaction.atomic(), frozen_clock():
        plans = plan_decisions(draw, cable)
        twin, twin_plans = build_twin(draw, cable, plans)
        outcome.decisions = 2 * len(plans)
        try:
            original_review = release_through_actions(cable, plans, users)
            twin_review = release_through_actions(twin, twin_plans, users)
        except release_copies.LeakBlocked as e:
            outcome.mismatches.append(f"release refused: {e}")
        else:
            original, doubled = outputs(original_review, client, staff), outputs(twin_review, client, staff)
            _compare(outcome, original_review, twin_review, original, doubled)
            _search(outcome, original_review, plans, original)
            _search(outcome, twin_review, twin_plans, doubled)
        transaction.set_rollback(True)
    return outcome


def _ids(review: Review) -> list[str]:
    return [review.cable.reference_id, review.case_number, release_copies.doc_number(review)]


def _compare(
    outcome: Outcome, original: Review, twin: Review, first: dict[str, bytes], second: dict[str, bytes]
) -> None:
    ref, twin_ref = original.cable.reference_id, twin.cable.reference_id
    ids = list(zip(_ids(twin), _ids(original), strict=True))
    digests: dict[str, str] = {}

    def mapped(data: bytes) -> bytes:
        for theirs, ours in [*ids, *digests.items()]:
            data = data.replace(theirs.encode(), ours.encode())
        return data

    names = {n.replace(ref, "REF") for n in first}
    twin_names = {n.replace(twin_ref, "REF") for n in second}
    if names != twin_names:
        outcome.mismatches.append(f"outputs differ: {sorted(names ^ twin_names)}")
    # The PDF: the twin's stored file is its document rendered; with the original's ids, the
    # same document renders the original's file byte for byte.
    doc, _ = release_copies.document(twin)
    if formats.render(doc, "pdf") != second["pdf"]:
        outcome.mismatches.append("the twin's stored PDF is not its document rendered")
    theirs = dataclasses.replace(
        doc,
        reference_id=ref,
        case_number=original.case_number,
        doc_number=release_copies.doc_number(original),
    )
    if formats.render(theirs, "pdf") != first["pdf"]:
        outcome.mismatches.append("pdf: the twin's document with the original's ids renders other bytes")
    for files, name in ((first, ref), (second, twin_ref)):
        if files.get(f"export/{name}.pdf") != files["pdf"]:
            outcome.mismatches.append("the exported PDF is not the stored one")
    digests[hashlib.sha256(second["pdf"]).hexdigest()] = hashlib.sha256(first["pdf"]).hexdigest()
    # Everything else, after mapping ids (and, in the manifest, the digests of files found equal).
    for name in sorted(second, key=lambda n: n.endswith("manifest.json")):
        ours = name.replace(twin_ref, ref)
        if name.endswith("pdf") or ours not in first:
            continue
        if mapped(second[name]) != first[ours]:
            outcome.mismatches.append(f"{ours.replace(ref, 'REF')}: the twin's differs")
        else:
            digests[hashlib.sha256(second[name]).hexdigest()] = hashlib.sha256(first[ours]).hexdigest()


def _search(outcome: Outcome, review: Review, plans: dict[int, PortionPlan], files: dict[str, bytes]) -> None:
    """Every redacted string of cable in every output, as text extracted from it (normalised as
    the leak check does): an excised span whole, a withheld or referred portion by its runs of
    four words. Short strings are everywhere, and what the copy releases elsewhere is no leak."""
    cable = review.cable
    portions = {p.order: p for p in cable.portions.all()}
    needles: list[str] = []
    for order, plan in sorted(plans.items()):
        text = portions[order].text
        if plan.kind == "excise":
            needles += [export.normalise(text[a:b]) for a, b in plan.spans]
        elif plan.kind != "release":
            needles += export.needles(export.Secret("", "withheld portion", text))
    # What the copy releases, as it runs through the copy (a phrase may run on from one portion
    # into the next; a box breaks it), and what every copy states about itself (its ids, stamp,
    # original classification): a redacted string found there is no leak of it.
    doc, _ = release_copies.document(review)
    flow = [
        f"{export.portion_prefix(p)} " + "".join(" \x00 " if s.redacted else s.text for s in p.segments)
        for p in doc.portions
    ]
    fixed = [
        doc.page_header,
        doc.status,
        *doc.declassification,
        doc.original_banner,
        doc.title,
        doc.reference_id,
    ]
    fixed += [export.withheld_paragraph_label(p.codes) for p in doc.portions if p.status == export.WITHHOLD]
    known = export.normalise(export.released_stream(doc, flow) + " \x00 " + " \x00 ".join(fixed))
    needles = [n for n in dict.fromkeys(needles) if len(n) >= 8 and n not in known]
    haystacks: dict[tuple[str, bytes], str] = {}  # an exported file is the stored one: read once
    for name, data in files.items():
        kind = name.rsplit(".", 1)[-1] if "." in name else name
        fmt = {"pdf": "pdf", "html": "html", "reading-room": "html"}.get(kind, "txt")
        if (fmt, data) not in haystacks:
            haystacks[fmt, data] = export.normalise(
                export.extract(fmt, data) if fmt != "txt" else data.decode()
            )
        haystack = haystacks[fmt, data]
        outcome.strings_checked += len(needles)
        outcome.leaks += [
            f"{name}: a redacted string of {len(n)} characters" for n in needles if n in haystack
        ]
