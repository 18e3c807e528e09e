"""How the same passage was decided in other cables, and where two such decisions conflict.

A portion's **matches** are the decisions, in reviews of other cables the user is cleared to read,
on a portion that is the same passage (same fingerprint, cables/consistency.py) or nearly the
same (a shared MinHash band, then a shingle similarity of at least consistency.NEAR, measured on
the two texts). They are found through the band indexes of cables_portion and the decision's
portion index, never by scanning: one query for the decisions plus three prefetches (codes,
spans, span codes), whatever the number of portions. Released decisions come first, then
approved ones, then the rest (pending approval, in review, ...), newest first within each;
at most PER_PASSAGE decisions per distinct text and PER_PORTION per portion are kept.

A **conflict** is a pair of decisions on the same passage, or on nearly the same one (similarity
at least consistency.CONFLICT_NEAR), in two different cables, where text one of them releases
is redacted by the other:

1. one releases the portion in full, the other withholds it or refers it whole;
2. one withholds or refers it whole, the other only excises parts of it (releasing the rest);
3. one excises words that the other releases: on the same passage, the two decisions do not
   excise the same words (case and spacing aside); on a nearly same one, words excised by one
   appear, as whole words, in text the other releases (in full or around its own excisions).

Not conflicts: two releases; withhold against refer (neither releases anything); the same words
excised in both; different exemption codes for the same effect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.http import Http404

from accounts.models import AnyUser, clearance_rank
from aids import mosaic
from cables import consistency
from cables.models import Portion
from review.decisions import MAX_JUSTIFICATION, DecisionRequest, SpanRequest
from review.models import Decision, Review

PER_PORTION = 3  # decisions shown beside one portion
PER_PASSAGE = 5  # decisions fetched per distinct text (a boilerplate paragraph repeats thousands of times)
MAX_ROWS = 1000  # decisions fetched for one page, whatever happens
S = Review.State
PRIORITY = {S.RELEASED: 0, S.APPROVED: 1}  # everything else: 2
WHOLE = {Decision.Kind.WITHHOLD, Decision.Kind.REFER}
VERBS = {"release": "released in full", **mosaic.VERBS}  # a decision kind in words


def _priority() -> Case:
    return Case(
        *(When(review__state=state, then=Value(rank)) for state, rank in PRIORITY.items()),
        default=Value(2),
        output_field=IntegerField(),
    )


def keyed(portions: Iterable[Portion]) -> list[Portion]:
    """The portions that have consistency keys."""
    return [p for p in portions if p.band0 is not None]


def _band_filter(portions: Sequence[Portion]) -> Q:
    q = Q()
    for band in consistency.BAND_FIELDS:
        values = sorted({getattr(p, band) for p in portions})
        q |= Q(**{f"portion__{band}__in": values})
    return q


def candidates(
    portions: Sequence[Portion], *, rank: int, released_only: bool = False, prefetch: bool = True
) -> QuerySet[Decision]:
    """Decisions on portions that share a band key with one of `portions`, in cables of access
    rank `rank` or lower, best first (released, approved, then the rest; newest first), at most
    PER_PASSAGE per distinct text. The caller removes the portions' own cables."""
    decisions = Decision.objects.filter(_band_filter(portions), review__cable__access_rank__lte=rank)
    if released_only:
        decisions = decisions.filter(review__state=S.RELEASED)
    return (
        decisions.annotate(
            priority=_priority(),
            copy=Window(
                RowNumber(),
                partition_by=[F("portion__fingerprint")],
                order_by=[_priority().asc(), F("decided_at").desc(), F("pk").desc()],
            ),
        )
        .filter(copy__lte=PER_PASSAGE)
        .select_related("review", "review__cable", "portion", "decided_by")
        .only(
            *(f"portion__{name}" for name in ("cable_id", "order", "kind", "label", "text", "fingerprint")),
            *(f"portion__{band}" for band in consistency.BAND_FIELDS),
            *(f"review__{name}" for name in ("cable_id", "case_number", "round", "state", "released_at")),
            "review__cable__reference_id",
            "review__cable__access_rank",
            "decided_by__username",
            "kind",
            "justification",
            "agency",
            "decided_at",
            "portion_id",
            "review_id",
            "decided_by_id",
        )
        .prefetch_related(*(("codes", "spans__codes") if prefetch else ()))
        .order_by("priority", "-decided_at", "-pk")[:MAX_ROWS]
    )


@dataclass(frozen=True)
class Decided:
    """One decision on one passage, as the conflict rule needs it."""

    text: str
    kind: str
    spans: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, decision: Decision, portion: Portion | None = None) -> Decided:
        """The decision on its portion (decision.portion unless given: a caller that has the
        portion already saves a query for it)."""
        spans = ()
        if decision.kind == Decision.Kind.EXCISE:
            spans = tuple((s.start, s.end) for s in decision.spans.all())
        return cls((portion or decision.portion).text, decision.kind, spans)


def conflict(a: Decided, b: Decided) -> str:
    """Why two decisions on the same or nearly the same passage conflict (see the module's
    docstring), or "" when they do not."""
    kinds = {a.kind, b.kind}
    if kinds <= {"release"} or kinds <= WHOLE:
        return ""
    if "release" in kinds and kinds & WHOLE:
        other = (kinds - {"release"}).pop()
        return f"released in full in one cable, {VERBS[other]} whole in the other"
    if kinds & WHOLE:
        other = (kinds & WHOLE).pop()
        return f"{VERBS[other]} whole in one cable, partly released (excised) in the other"
    # Both excise, or release against excise.
    same = consistency.normalise(a.text) == consistency.normalise(b.text)
    excised_a, excised_b = _excised(a), _excised(b)
    if same and excised_a != excised_b:
        words = sorted(excised_a ^ excised_b)
        return f"'{words[0]}' is excised in one cable and released in the other"
    for x, y in ((a, b), (b, a)):
        released = [mosaic.normalise(p) for p in mosaic.released_pieces(_part(y))]
        for text in mosaic.redacted_strings(_part(x)):
            needle = mosaic.normalise(text)
            if not mosaic.is_worth_checking(needle):
                continue
            pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
            if any(pattern.search(piece) for piece in released):
                return f"'{text}' is excised in one cable and released in the other"
    return ""


def _part(d: Decided) -> mosaic.Part:
    return mosaic.Part("", d.text, d.kind, d.spans)


def _excised(d: Decided) -> frozenset[str]:
    return frozenset(consistency.normalise(d.text[start:end]) for start, end in d.spans)


class _Decided:
    """What a Match and a Conflict say of their decision: the portion's name and the kind in words."""

    decision: Decision

    @property
    def portion_name(self) -> str:
        return self.decision.portion.name

    @property
    def verb(self) -> str:
        return VERBS.get(self.decision.kind, self.decision.kind)


@dataclass
class Match(_Decided):
    """A decision on the same or nearly the same passage in another cable."""

    decision: Decision
    similarity: float  # 1.0: the same passage
    conflict: str = ""  # with the decision on this portion, if it has one

    @property
    def same(self) -> bool:
        return self.similarity >= 1.0

    @property
    def percent(self) -> int:
        return int(self.similarity * 100)

    @property
    def review(self) -> Review:
        return self.decision.review

    @property
    def cable_ref(self) -> str:
        return self.decision.review.cable.reference_id

    @property
    def codes(self) -> list[str]:
        codes = {c.code: c.order for c in self.decision.codes.all()}
        for span in self.decision.spans.all():
            codes.update({c.code: c.order for c in span.codes.all()})
        return sorted(codes, key=codes.__getitem__)

    @property
    def excised(self) -> list[str]:
        text = self.decision.portion.text
        return [text[s.start : s.end] for s in self.decision.spans.all()]

    @property
    def state_label(self) -> str:
        return self.decision.review.get_state_display()

    @property
    def released(self) -> bool:
        return self.decision.review.state == S.RELEASED


@dataclass
class _Texts:
    """Shingle sets, computed once per text."""

    cache: dict[str, set[int]] = field(default_factory=dict)

    def similarity(self, a: Portion, b: Portion) -> float:
        if a.fingerprint is not None and a.fingerprint == b.fingerprint:
            return 1.0
        sa = self.cache.get(a.text) or self.cache.setdefault(a.text, consistency.shingles(a.text))
        sb = self.cache.get(b.text) or self.cache.setdefault(b.text, consistency.shingles(b.text))
        return min(consistency.similarity(sa, sb), 0.99)


def _shares_band(a: Portion, b: Portion) -> bool:
    return any(getattr(a, band) == getattr(b, band) for band in consistency.BAND_FIELDS)


class _BandIndex:
    """Candidate decisions by band key, so that each portion meets only those sharing a band
    with it (a page's portions against all its candidates would be a product of the two)."""

    def __init__(self, decisions: Sequence[Decision]) -> None:
        self.by_key: dict[tuple[str, int], list[int]] = {}
        self.decisions = decisions
        for at, d in enumerate(decisions):
            for band in consistency.BAND_FIELDS:
                self.by_key.setdefault((band, getattr(d.portion, band)), []).append(at)

    def sharing(self, portion: Portion) -> list[Decision]:
        """The decisions sharing a band with `portion`, in their given (best-first) order."""
        found: set[int] = set()
        for band in consistency.BAND_FIELDS:
            found.update(self.by_key.get((band, getattr(portion, band)), ()))
        return [self.decisions[at] for at in sorted(found)]


def _may_read(user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("review.view_review")


def matches(
    portions: Sequence[Portion], decisions: dict[int, Decision], user: AnyUser
) -> dict[int, list[Match]]:
    """portion pk -> the best PER_PORTION matches in other cables the user may read, for one
    cable's portions; `decisions` (by portion pk, spans prefetched) are this review's own, for
    marking the matches that conflict with them. A fixed number of queries (none without keys)."""
    mine = keyed(portions)
    if not mine or not _may_read(user):
        return {}
    cable_ids = {p.cable_id for p in mine}
    found = [d for d in candidates(mine, rank=clearance_rank(user)) if d.portion.cable_id not in cable_ids]
    texts = _Texts()
    bands = _BandIndex(found)
    result: dict[int, list[Match]] = {}
    for portion in mine:
        own = decisions.get(portion.pk)
        own_decided = Decided.of(own, portion) if own is not None else None
        kept: list[Match] = []
        for d in bands.sharing(portion):  # best first
            similarity = texts.similarity(portion, d.portion)
            if similarity < consistency.NEAR:
                continue
            why = ""
            if own_decided is not None and similarity >= consistency.CONFLICT_NEAR:
                why = conflict(own_decided, Decided.of(d))
            kept.append(Match(d, similarity, why))
            if len(kept) == PER_PORTION:
                break
        if kept:
            result[portion.pk] = kept
    return result


@dataclass(frozen=True)
class Conflict(_Decided):
    """A decision of a review against a released decision on the same or nearly the same passage."""

    decision: Decision  # this review's
    match: Match  # the released one elsewhere

    @property
    def codes(self) -> list[str]:
        return [c.code for c in sorted(self.decision.codes.all(), key=lambda c: c.order)]


def _released_pairs(
    own: Sequence[Decision], rank: int
) -> list[tuple[Decision, list[tuple[Decision, float]]]]:
    """Each of `own` (portions selected) with the released decisions, in other cables of access
    rank `rank` or lower, on the same or nearly the same passage (at least CONFLICT_NEAR), best
    first; spans and codes prefetched on both sides. Six queries, however many decisions."""
    if not own:
        return []
    portions = {d.portion_id: d.portion for d in own}
    released = list(candidates(list(portions.values()), rank=rank, released_only=True, prefetch=False))
    texts = _Texts()
    bands = _BandIndex(released)
    pairs: list[tuple[Decision, list[tuple[Decision, float]]]] = []
    for d in own:
        near = [
            (other, similarity)
            for other in bands.sharing(d.portion)
            if other.portion.cable_id != d.portion.cable_id
            and (similarity := texts.similarity(d.portion, other.portion)) >= consistency.CONFLICT_NEAR
        ]
        if near:
            pairs.append((d, near))
    # Spans and codes only of the decisions that have a released counterpart: two queries, not
    # two for each of a page's hundreds of decisions.
    prefetch_related_objects([d for d, _ in pairs], "spans", "codes")
    prefetch_related_objects(
        list({o.pk: o for _, near in pairs for o, _ in near}.values()), "codes", "spans__codes"
    )
    return pairs


def _own_keyed(decisions: QuerySet[Decision]) -> list[Decision]:
    return list(decisions.filter(portion__band0__isnull=False).select_related("portion"))


def release_conflicts(reviews: Sequence[Review], user: AnyUser) -> dict[int, list[Conflict]]:
    """review pk -> its decisions that conflict with a released decision on the same or nearly
    the same passage in another cable the user may read, among those flagged so when the review
    was submitted or a review released since (flag_release_conflicts). One query for the reviews'
    own flagged decisions; when there are some, two for their codes and spans and four for the
    released ones, however many reviews."""
    if not reviews or not _may_read(user):
        return {}
    rank = clearance_rank(user)
    # Only the decisions flagged when they were submitted or a release came (flag_release_conflicts):
    # a review without a conflict costs one query, not a search of the released decisions.
    own = _own_keyed(
        Decision.objects.filter(review__in=[r.pk for r in reviews], release_conflict_rank__lte=rank)
    )
    result: dict[int, list[Conflict]] = {}
    for d, near in _released_pairs(own, rank):
        for other, similarity in near:
            why = conflict(Decided.of(d), Decided.of(other))
            if why:
                result.setdefault(d.review_id, []).append(Conflict(d, Match(other, similarity, why)))
                break  # one released counterpart says enough for this portion
    for conflicts in result.values():
        conflicts.sort(key=lambda c: c.decision.portion.order)
    return result


# Reviews whose decisions carry up-to-date flags: submitted, not yet released.
FLAGGED_STATES = (S.PENDING_APPROVAL, S.APPROVED, S.RELEASE_REFUSED)
ANY_RANK = 32767  # above every access rank: the stored flags consider every cable


def flag_release_conflicts(decisions: QuerySet[Decision]) -> int:
    """Store on each of `decisions` its release_conflict_rank: the lowest access rank of a cable
    whose released decision conflicts with it, or None. Returns how many conflict. Run when a
    review is submitted (its decisions are final for the round) and when a review is released
    (flag_after_release), so the approval queue only counts."""
    pks = list(decisions.values_list("pk", flat=True))
    ranks: dict[int, int] = {}
    for start in range(0, len(pks), MAX_ROWS):
        own = _own_keyed(Decision.objects.filter(pk__in=pks[start : start + MAX_ROWS]))
        for d, near in _released_pairs(own, ANY_RANK):
            for other, _similarity in near:
                if conflict(Decided.of(d), Decided.of(other)):
                    rank = other.review.cable.access_rank
                    ranks[d.pk] = min(ranks.get(d.pk, rank), rank)
    Decision.objects.filter(pk__in=pks, release_conflict_rank__isnull=False).exclude(pk__in=ranks).update(
        release_conflict_rank=None
    )
    for rank in set(ranks.values()):
        Decision.objects.filter(pk__in=[pk for pk, r in ranks.items() if r == rank]).update(
            release_conflict_rank=rank
        )
    return len(ranks)


def flag_after_release(review: Review) -> int:
    """After `review` is released: the flags of decisions submitted and not yet released (pending
    approval, approved, or refused at release) on the same or nearly the same passages (sharing a
    band key with one of its decided portions), in other cables."""
    portions = keyed(d.portion for d in Decision.objects.filter(review=review).select_related("portion"))
    if not portions:
        return 0
    affected = (
        Decision.objects.filter(_band_filter(portions), review__state__in=FLAGGED_STATES)
        .exclude(review__cable_id=review.cable_id)
        .values_list("pk", flat=True)[:MAX_ROWS]
    )
    return flag_release_conflicts(Decision.objects.filter(pk__in=list(affected)))


# -- applying a decision made elsewhere -------------------------------------------------------------


def source_for(user: AnyUser, portion: Portion, decision_pk: int) -> Match:
    """The decision `decision_pk` as a match of `portion`: on the same or nearly the same passage,
    in another cable the user may read; Http404 otherwise."""
    if not _may_read(user):
        raise Http404("No such decision")
    decision = (
        Decision.objects.select_related("review", "review__cable", "portion", "decided_by")
        .prefetch_related("codes", "spans__codes")
        .filter(pk=decision_pk, review__cable__access_rank__lte=clearance_rank(user))
        .first()
    )
    if decision is None or decision.portion.cable_id == portion.cable_id or portion.band0 is None:
        raise Http404("No such decision")
    if not _shares_band(portion, decision.portion):
        raise Http404("No such decision")
    similarity = _Texts().similarity(portion, decision.portion)
    if similarity < consistency.NEAR:
        raise Http404("No such decision")
    return Match(decision, similarity)


def as_request(match: Match, portion: Portion) -> DecisionRequest:
    """The matched decision as a request for `portion`; excised spans are found by their text.

    Raises ValidationError when an excised span's words are not in this portion."""
    d = match.decision
    where = f"{match.cable_ref} {match.portion_name} ({d.review.case_number})"
    note = f"As decided for {where}"
    justification = f"{note}: {d.justification}" if d.justification else f"{note}."
    justification = justification[:MAX_JUSTIFICATION]
    if d.kind != Decision.Kind.EXCISE:
        codes = tuple(c.code for c in d.codes.all())
        return DecisionRequest(d.kind, codes, justification, d.agency)
    spans = []
    source = d.portion.text
    for span in d.spans.all():
        words = source[span.start : span.end]
        occurrence = source.count(words, 0, span.start)
        found = _find(portion.text, words, occurrence)
        if found is None:
            raise ValidationError(
                f"the words excised in {where}, '{words}', are not in this portion: "
                "excise them by hand, or decide it yourself"
            )
        spans.append(SpanRequest(found[0], found[1], tuple(c.code for c in span.codes.all())))
    return DecisionRequest(d.kind, (), justification, spans=tuple(spans))


def _find(text: str, words: str, occurrence: int) -> tuple[int, int] | None:
    """Where `words` are in `text`: its occurrence-th exact occurrence (else the first), else the
    same words in any case and spacing."""
    hits = [m.start() for m in re.finditer(re.escape(words), text)]
    if hits:
        start = hits[min(occurrence, len(hits) - 1)]
        return start, start + len(words)
    parts = words.split()
    if not parts:
        return None
    pattern = re.compile(r"\s+".join(re.escape(p) for p in parts), re.IGNORECASE)
    hits_ci = list(pattern.finditer(text))
    if not hits_ci:
        return None
    m = hits_ci[min(occurrence, len(hits_ci) - 1)]
    return m.start(), m.end()


def annotate_conflicts(reviews: Iterable[Any], user: AnyUser) -> None:
    """Set `release_conflicts` (a count) on each review of a queue page: its decisions flagged as
    conflicting with a released decision in a cable the user may read (flag_release_conflicts).
    One query for the page."""
    reviews = list(reviews)
    found: dict[int, int] = {}
    if reviews and _may_read(user):
        found = dict(
            Decision.objects.filter(
                review__in=[r.pk for r in reviews], release_conflict_rank__lte=clearance_rank(user)
            )
            .order_by()
            .values_list("review")
            .annotate(n=Count("pk"))
        )
    for review in reviews:
        review.release_conflicts = found.get(review.pk, 0)
