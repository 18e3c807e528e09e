"""Redaction rules: a supervisor's standing redactions (a term list or an RE2 pattern, with the
codes and justification to use), their preview across the database, their suggestions on the
review page, and the actions that change them (each audited in its own transaction).

- Matching. A term matches case-insensitively as whole words, any run of spaces or line breaks
  between its words (cables wrap lines). A pattern is RE2 syntax (google-re2): RE2 matches in time
  linear in the text whatever the pattern, so a pattern cannot backtrack catastrophically; what
  RE2 refuses (backreferences, lookaround), a pattern that would need more than MAX_PATTERN_MEMORY
  to compile, a pattern that can match empty text, and any syntax error are refused here with
  RE2's reason.
- Finding candidates. The search index (cables/search.py) finds the cables that can match: for a
  term, the cables holding every word of it; for a pattern, those holding its index words (a
  pattern has no words the index could look up by itself, so a rule for every cable must name
  some: "PASSPORT" for a passport-number pattern). Only those cables' portions are read and
  matched. The index stems and ignores case and diacritics, so it finds a superset of the cables
  a term matches in; the matching then decides.
- Scope. Every cable, one cable, or one request case: a case-scoped rule names the case by its
  number (review sits below the cases app and never imports it) and is in force for the reviews
  whose request_case is that number; its preview reads the cables of those reviews.
- Clearance. A preview counts only cables the user may see (visible_cables); a rule itself (its
  terms, name and preview) is seen only by users cleared to its rank (RedactionRule.access_rank).
  Review pages suggest only rules the reviewer may see. A case number is accepted only if some
  review of a cable the supervisor may see answers that case.
- Never applied silently: switched-on rules show their matches on the review page as suggestions
  (suggestions()); apply_rule() excises every match of one rule in one action, through
  review.actions.excise_spans (the mosaic gate's "excise every occurrence" machinery), each span
  recording the rule version it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import re2
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import CLEARANCE_RANK, Clearance, clearance_rank
from audit import log as audit
from cables import search
from cables.access import visible_cables
from cables.export import portion_name
from cables.models import Cable, Portion
from review import actions
from review.decisions import SpanRequest, check_codes, vocabulary
from review.models import Decision, RedactionRule, Review, RuleVersion

User = AbstractBaseUser

MAX_TERMS = 200
MAX_TERM = 100  # characters
MAX_PATTERN = 300  # characters
MAX_PATTERN_MEMORY = 1 << 20  # bytes RE2 may use for one compiled pattern
MAX_JUSTIFICATION = 2000
CONTEXT = 40  # characters shown on either side of a match
PREVIEW_CABLES = 100  # cables listed in a preview (the totals count them all)
PREVIEW_EXAMPLES = 3  # first matches shown per cable
ID_CHUNK = 500  # candidate cables read per query

# -- what a rule matches ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What a version of a rule says, checked (check_content)."""

    kind: str
    terms: tuple[str, ...] = ()
    pattern: str = ""
    index_words: str = ""
    codes: tuple[str, ...] = ()
    justification: str = ""

    def as_fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "terms": list(self.terms),
            "pattern": self.pattern,
            "index_words": self.index_words,
            "codes": list(self.codes),
            "justification": self.justification,
        }


def parse_terms(text: str) -> tuple[str, ...]:
    """A term list, one term a line; ValidationError naming the line that is wrong."""
    terms: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        term = " ".join(line.split())
        if not term:
            continue
        if len(term) > MAX_TERM:
            raise ValidationError(f"term list, line {number}: a term is at most {MAX_TERM} characters")
        if not search.words(term):
            raise ValidationError(
                f"term list, line {number}: {term!r} has no letters or digits (the search index finds "
                "terms by their words)"
            )
        terms.setdefault(term.casefold(), term)
    if not terms:
        raise ValidationError("term list: give at least one term, one a line")
    if len(terms) > MAX_TERMS:
        raise ValidationError(f"term list: at most {MAX_TERMS} terms a rule ({len(terms)} given)")
    return tuple(terms.values())


def _re2_options() -> Any:
    options = re2.Options()
    options.max_mem = MAX_PATTERN_MEMORY
    options.log_errors = False
    return options


def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern; ValidationError saying what is wrong with it."""
    if not pattern.strip():
        raise ValidationError("pattern: give a regular expression")
    if len(pattern) > MAX_PATTERN:
        raise ValidationError(f"pattern: at most {MAX_PATTERN} characters ({len(pattern)} given)")
    try:
        compiled = re2.compile(pattern, _re2_options())
    except re2.error as e:
        reason = e.args[0].decode("utf-8", "replace") if e.args and isinstance(e.args[0], bytes) else str(e)
        hint = ""
        if "perl operator" in reason or "escape sequence" in reason:
            hint = (
                " (RE2 syntax: no backreferences or lookaround, the constructs that can make matching"
                " take exponential time)"
            )
        elif "too large" in reason or "repetition" in reason:
            hint = " (the pattern would compile to too large a program: use smaller repetition counts)"
        raise ValidationError(f"pattern: {reason}{hint}") from None
    if compiled.search("") is not None:
        raise ValidationError(
            "pattern: it matches empty text, which would excise nothing; require a character"
        )
    return compiled


def check_content(
    kind: str,
    *,
    terms: str = "",
    pattern: str = "",
    index_words: str = "",
    codes: Sequence[str] = (),
    justification: str = "",
    scope: str = RedactionRule.Scope.ALL,
) -> Content:
    """A rule version's content, every part checked; ValidationError naming the first fault."""
    justification = justification.strip()
    if not justification:
        raise ValidationError("justification: say why the matches are excised (it goes on each decision)")
    if len(justification) > MAX_JUSTIFICATION:
        raise ValidationError(f"justification: at most {MAX_JUSTIFICATION} characters")
    checked = check_codes(tuple(codes), vocabulary(), "codes")
    names = tuple(c.code for c in checked)
    if kind == RuleVersion.Kind.TERMS:
        return Content(kind, terms=parse_terms(terms), codes=names, justification=justification)
    if kind != RuleVersion.Kind.PATTERN:
        raise ValidationError(f"unknown kind of rule {kind!r}: a term list or a pattern")
    compile_pattern(pattern)
    index_words = " ".join(index_words.split())
    if scope == RedactionRule.Scope.ALL and not search.words(index_words):
        raise ValidationError(
            "index words: a pattern for every cable needs the words that every cable it may match holds "
            "(e.g. PASSPORT for a passport-number pattern), by which the search index finds them"
        )
    return Content(kind, pattern=pattern, index_words=index_words, codes=names, justification=justification)


@lru_cache(maxsize=256)
def _matcher(kind: str, terms: tuple[str, ...], pattern: str) -> Any:
    if kind == RuleVersion.Kind.PATTERN:
        return compile_pattern(pattern)
    alternatives = []
    for term in sorted(terms, key=len, reverse=True):  # the longest first: "Al Harada" before "Al"
        body = r"\s+".join(re.escape(word) for word in term.split())
        start = r"(?<!\w)" if re.match(r"\w", term) else ""
        end = r"(?!\w)" if re.search(r"\w$", term) else ""
        alternatives.append(f"{start}{body}{end}")
    # Escaped literals with fixed look-arounds: nothing here can backtrack catastrophically.
    return re.compile("|".join(alternatives), re.IGNORECASE)


@lru_cache(maxsize=256)
def _first_words(terms: tuple[str, ...]) -> tuple[str, ...]:
    """Each term's first word, lower-cased: a text without any of them holds no term."""
    return tuple(dict.fromkeys(term.split()[0].lower() for term in terms))


def matches(version: RuleVersion, text: str) -> list[tuple[int, int]]:
    """(start, end) of each match of the version in a text, in order, none empty."""
    terms = tuple(version.terms)
    if version.kind == RuleVersion.Kind.TERMS:
        # Most texts hold none of the terms: a substring test (in C) spares them the regex.
        lowered = text.lower()
        if not any(word in lowered for word in _first_words(terms)):
            return []
    compiled = _matcher(version.kind, terms, version.pattern)
    return [(m.start(), m.end()) for m in compiled.finditer(text) if m.end() > m.start()]


def candidates(version: RuleVersion, cables: QuerySet[Cable]) -> QuerySet[Cable]:
    """The cables of `cables` in which the version may match, found with the search index."""
    if version.kind == RuleVersion.Kind.PATTERN:
        return search.matching(cables, version.index_words) if version.index_words else cables
    found = None
    for term in version.terms:
        by_term = search.matching(cables, term)
        found = by_term if found is None else found | by_term
    return found if found is not None else cables.none()


def in_scope(rule: RedactionRule, cables: QuerySet[Cable]) -> QuerySet[Cable]:
    """The cables of `cables` in the rule's scope (a case's: those of the reviews answering it)."""
    if rule.scope == RedactionRule.Scope.CABLE:
        return cables.filter(pk=rule.cable_id)
    if rule.scope == RedactionRule.Scope.CASE:
        return cables.filter(pk__in=Review.objects.filter(request_case=rule.case_number).values("cable_id"))
    return cables


def check_case(actor: Any, number: str) -> str:
    """A request case's number, as Review.request_case holds it, if some review of a cable the
    actor may see answers that case; ValidationError otherwise (the same for a case that does not
    exist and one whose cables are all above the actor's clearance)."""
    number = "".join(number.split()).upper()
    if not number:
        raise ValidationError("case: give the request case's number (e.g. F-2026-00001)")
    if len(number) > 20 or not (
        Review.objects.filter(request_case=number, cable__in=visible_cables(actor)).exists()
    ):
        raise ValidationError(
            f"case: no review you may see answers a request case numbered {number[:20]!r}; give the "
            "number of a case whose cables are under review (e.g. F-2026-00001)"
        )
    return number


# -- the preview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    portion: str  # its name: "paragraph 4"
    before: str
    text: str
    after: str


@dataclass
class CableMatches:
    reference_id: str
    count: int = 0
    portions: int = 0
    examples: list[Example] = field(default_factory=list)


@dataclass
class Preview:
    matches: int = 0  # in every cable the user may see
    cables: int = 0
    portions: int = 0
    rows: list[CableMatches] = field(default_factory=list)  # the first PREVIEW_CABLES cables

    @property
    def more(self) -> int:
        return self.cables - len(self.rows)


def _example(name: str, text: str, start: int, end: int) -> Example:
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return Example(
        name,
        ("…" if start > CONTEXT else "") + before,
        text[start:end],
        after + ("…" if end + CONTEXT < len(text) else ""),
    )


class _Named:
    """What portion_name() reads, from a values() row."""

    __slots__ = ("kind", "label", "order")

    def __init__(self, kind: str, label: str, order: int) -> None:
        self.kind, self.label, self.order = kind, label, order


def _term_portions(version: RuleVersion, cables: QuerySet[Cable]) -> list[tuple[Any, ...]]:
    """SQLite: (cable id, reference id, kind, label, order, text) of the portions of `cables` that
    hold every word of some term, in order, in one query. SQLite's index has a row per portion
    (cables/search.py), so only those portions are read."""
    per_term, params = [], []
    for term in version.terms:
        found = search.words(term)
        per_term.append(
            " INTERSECT ".join("SELECT rowid FROM cables_search WHERE cables_search MATCH %s" for _ in found)
        )
        params += [search.fts5_string(word) for word in found]
    try:
        scope_sql, scope_params = cables.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return []  # no cable the user may see
    shift, mask = search.ROWID_SHIFT, (1 << search.ROWID_SHIFT) - 1
    sql = (
        f'SELECT p.cable_id, c.reference_id, p.kind, p.label, p."order", p.text'
        f" FROM ({' UNION '.join(per_term)}) AS hit"
        f" JOIN cables_portion p ON p.cable_id = (hit.rowid >> {shift})"
        f' AND p."order" = (hit.rowid & {mask}) - 1'
        f" JOIN cables_cable c ON c.id = p.cable_id"
        f" WHERE p.cable_id IN ({scope_sql})"
        f' ORDER BY p.cable_id, p."order"'
    )
    with connections[cables.db].cursor() as cursor:
        cursor.execute(sql, [*params, *scope_params])
        return cursor.fetchall()


def _all_portions(version: RuleVersion, cables: QuerySet[Cable]) -> Iterator[tuple[Any, ...]]:
    """The same rows for every portion of the candidate cables (found with the index), a chunk of
    cables at a time: a pattern, or PostgreSQL's index (one document per cable)."""
    ids = list(candidates(version, cables).order_by("pk").values_list("pk", flat=True))
    for at in range(0, len(ids), ID_CHUNK):
        yield from (
            Portion.objects.using(cables.db)
            .filter(cable_id__in=ids[at : at + ID_CHUNK])
            .order_by("cable_id", "order")
            .values_list("cable_id", "cable__reference_id", "kind", "label", "order", "text")
            .iterator(chunk_size=2000)
        )


def preview(rule: RedactionRule, version: RuleVersion, user: Any) -> Preview:
    """The version's matches across the cables the user may see, within the rule's scope: counts
    per cable and the first matches in context. The search index finds the candidates (on SQLite a
    term list's portions, otherwise the cables); only those are read."""
    cables = in_scope(rule, visible_cables(user))
    if version.kind == RuleVersion.Kind.TERMS and connections[cables.db].vendor == "sqlite":
        rows: Iterable[tuple[Any, ...]] = _term_portions(version, cables)
    else:
        rows = _all_portions(version, cables)
    result = Preview()
    current: CableMatches | None = None
    current_id = None
    for cable_id, reference_id, kind, label, order, text in rows:
        found = matches(version, text)
        if not found:
            continue
        if cable_id != current_id:
            current_id, current = cable_id, CableMatches(reference_id)
            result.cables += 1
            if len(result.rows) < PREVIEW_CABLES:
                result.rows.append(current)
        assert current is not None
        current.count += len(found)
        current.portions += 1
        result.matches += len(found)
        result.portions += 1
        name = portion_name(_Named(kind, label, order))
        for start, end in found[: PREVIEW_EXAMPLES - len(current.examples)]:
            current.examples.append(_example(name, text, start, end))
    return result


def direct_counts(version: RuleVersion, cables: QuerySet[Cable]) -> dict[str, int]:
    """Matches per cable by reading every portion of `cables` (no index): what the preview must
    agree with (the tests and bench compare them)."""
    counts: dict[str, int] = {}
    for reference_id, text in Portion.objects.filter(cable__in=cables).values_list(
        "cable__reference_id", "text"
    ):
        n = len(matches(version, text))
        if n:
            counts[reference_id] = counts.get(reference_id, 0) + n
    return counts


# -- suggestions on the review page ----------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    index: int  # the portion's place in the cable
    order: int  # the portion's order (its anchor on the page)
    name: str
    start: int
    end: int
    example: Example


@dataclass
class Suggestion:
    rule: RedactionRule
    version: RuleVersion
    hits: list[Hit]

    @property
    def portions(self) -> int:
        return len({h.index for h in self.hits})


def _current_versions(rules: Iterable[RedactionRule]) -> dict[int, RuleVersion]:
    rules = list(rules)
    found = RuleVersion.objects.filter(rule__in=rules, number=F("rule__version"))
    return {v.rule_id: v for v in found}


def suggestions(
    review: Review, portions: Sequence[Portion], decisions: Mapping[int, Decision], user: Any
) -> list[Suggestion]:
    """Each switched-on rule in scope that the user may see, with its matches in this review that
    are still released (not in a withheld or referred portion, nor inside an excised span)."""
    cable = review.cable
    rules = list(RedactionRule.objects.in_force_for(review).visible_to(user))
    if not rules:
        return []
    versions = _current_versions(rules)
    out = []
    for rule in rules:
        version = versions[rule.pk]
        if version.kind == RuleVersion.Kind.PATTERN and rule.scope != RedactionRule.Scope.CABLE:
            # As the preview: a pattern for every cable or a case matches where its index words are.
            if not candidates(version, Cable.objects.filter(pk=cable.pk)).exists():
                continue
        hits = []
        for index, portion in enumerate(portions):
            decision = decisions.get(portion.pk)
            if decision is not None and decision.kind in (Decision.Kind.WITHHOLD, Decision.Kind.REFER):
                continue
            excised = (
                [(s.start, s.end) for s in decision.spans.all()]
                if decision is not None and decision.kind == Decision.Kind.EXCISE
                else []
            )
            name = portion_name(portion)
            for start, end in matches(version, portion.text):
                if any(start < e and s < end for s, e in excised):
                    continue
                hits.append(
                    Hit(index, portion.order, name, start, end, _example(name, portion.text, start, end))
                )
        if hits:
            out.append(Suggestion(rule, version, hits))
    return out


# -- actions (each audited in the same transaction) ------------------------------------------------


def _record(
    actor: User, action: str, rule: RedactionRule, *, before: Any, after: Any, note: str = ""
) -> None:
    """The rule's event, readable by those cleared for the rule (its rank), about its cable if any."""
    entry = audit.Entry(
        action=action,
        actor=actor,
        object_type="review.redactionrule",
        object_id=str(rule.pk),
        cable_ref=rule.cable.reference_id if rule.cable_id else "",  # type: ignore[union-attr]
        cable_rank=rule.access_rank,
        before=before,
        after=after,
        note=note,
    )
    audit.record_many([entry])


def _may_manage(actor: User) -> None:
    if not actor.has_perm("review.manage_rules"):
        raise PermissionDenied("only a supervisor may define, change or switch on redaction rules")


def _rank(actor: User, level: str, cable: Cable | None) -> int:
    """The rule's rank: its cable's, or the level its supervisor gave it (at most their clearance)."""
    if cable is not None:
        if cable.access_rank > clearance_rank(actor):
            raise PermissionDenied("you are not cleared for this cable")
        return cable.access_rank
    if level not in Clearance.values:
        raise ValidationError(f"level: choose one of {', '.join(Clearance.values)}")
    rank = CLEARANCE_RANK[Clearance(level)]
    if rank > clearance_rank(actor):
        raise ValidationError("level: a rule cannot be classified above your own clearance")
    return rank


def _snapshot(rule: RedactionRule, version: RuleVersion | None) -> dict[str, Any]:
    data = rule.to_dict()
    if version is not None:
        data |= version.to_dict()
    return data


def _new_version(rule: RedactionRule, content: Content, actor: User) -> RuleVersion:
    rule.version += 1
    rule.save()
    return RuleVersion.objects.create(
        rule=rule, number=rule.version, created_by=actor, created_at=timezone.now(), **content.as_fields()
    )


@transaction.atomic
def create_rule(
    *,
    actor: User,
    name: str,
    content: Content,
    cable: Cable | None = None,
    case_number: str = "",
    level: str = "U",
    enabled: bool = False,
) -> RedactionRule:
    """A new rule, switched off (a supervisor previews it first), audited as rule.create. With a
    cable, for that cable; with a case number (check_case), for that request case; else for every
    cable."""
    _may_manage(actor)
    if cable is not None and case_number:
        raise ValidationError("scope: a rule is for one cable or for one case, not both")
    if case_number:
        number, rank = check_case(actor, case_number), _rank(actor, level, None)
        return _create(actor, name, content, RedactionRule.Scope.CASE, None, number, rank, enabled)
    scope = RedactionRule.Scope.CABLE if cable is not None else RedactionRule.Scope.ALL
    return _create(actor, name, content, scope, cable, "", _rank(actor, level, cable), enabled)


def _create(
    actor: User,
    name: str,
    content: Content,
    scope: str,
    cable: Cable | None,
    case_number: str,
    access_rank: int,
    enabled: bool,
) -> RedactionRule:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("name: give the rule a name reviewers will recognise")
    rule = RedactionRule.objects.create(
        name=name[:200],
        scope=scope,
        cable=cable,
        case_number=case_number,
        enabled=enabled,
        access_rank=access_rank,
        created_by=actor,
        created_at=timezone.now(),
    )
    version = _new_version(rule, content, actor)
    _record(actor, "rule.create", rule, before=None, after=_snapshot(rule, version))
    return rule


def _locked(rule: RedactionRule, actor: User) -> RedactionRule:
    rule = RedactionRule.objects.select_for_update(of=("self",)).select_related("cable").get(pk=rule.pk)
    if rule.access_rank > clearance_rank(actor):
        raise PermissionDenied("you are not cleared for this rule")
    return rule


@transaction.atomic
def edit_rule(
    rule: RedactionRule, *, actor: User, name: str, content: Content, level: str = ""
) -> RuleVersion:
    """A new version of the rule (the old ones stay, with the spans they excised), audited as
    rule.edit with the version before and after. A rule switched on stays on."""
    _may_manage(actor)
    rule = _locked(rule, actor)
    before = _snapshot(rule, rule.current())
    name = " ".join(name.split())
    if not name:
        raise ValidationError("name: give the rule a name reviewers will recognise")
    rule.name = name[:200]
    if rule.scope != RedactionRule.Scope.CABLE and level:
        rule.access_rank = _rank(actor, level, None)
    version = _new_version(rule, content, actor)
    _record(actor, "rule.edit", rule, before=before, after=_snapshot(rule, version))
    return version


@transaction.atomic
def switch_rule(rule: RedactionRule, *, actor: User, enabled: bool, note: str = "") -> RedactionRule:
    """Switch a rule on (its matches become suggestions on review pages) or off; audited as
    rule.enable or rule.disable, with the preview's figures the supervisor saw in the note."""
    _may_manage(actor)
    rule = _locked(rule, actor)
    if rule.enabled == enabled:
        raise ValidationError(f"the rule is already {'on' if enabled else 'off'}")
    before = rule.to_dict()
    rule.enabled = enabled
    rule.save()
    _record(
        actor,
        "rule.enable" if enabled else "rule.disable",
        rule,
        before=before,
        after=rule.to_dict(),
        note=note,
    )
    return rule


def rule_for(user: Any, pk: int) -> RedactionRule:
    """The rule if the user may see it; RedactionRule.DoesNotExist otherwise (views give 404)."""
    return RedactionRule.objects.visible_to(user).select_related("cable", "created_by").get(pk=pk)


@transaction.atomic
def apply_rule(review: Review, rule_id: int, version_number: int, *, actor: User) -> list[Decision]:
    """Excise every released match of one rule in the review, under the rule's codes and
    justification, each span recording the rule version; audited as rule.apply (and one
    decision.set per portion). The version is the one the reviewer saw: a rule changed since is
    refused, so that nothing is excised that the reviewer did not see."""
    review = actions.lock_for_deciding(review, actor)
    portions = list(review.cable.portions.all())
    decisions = {d.portion_id: d for d in review.decisions.prefetch_related("spans")}
    found = next((s for s in suggestions(review, portions, decisions, actor) if s.rule.pk == rule_id), None)
    if found is None:
        raise ValidationError("that rule has no matches left to excise in this review (reload the page)")
    if found.version.number != version_number:
        now = found.version.number
        raise ValidationError(
            f"the rule changed since you saw it (now version {now}): reload the page and check"
        )
    version = found.version
    hits: dict[int, list[SpanRequest]] = {}
    for hit in found.hits:
        hits.setdefault(hit.index, []).append(
            SpanRequest(hit.start, hit.end, tuple(version.codes), version.pk)
        )
    justification = f"{version.justification} (redaction rule '{found.rule.name}', version {version.number})"
    changed = actions.excise_spans(review, hits, justification[:MAX_JUSTIFICATION], actor=actor)
    after = {
        "rule": found.rule.pk,
        "version": version.number,
        "matches": len(found.hits),
        "portions": len(hits),
    }
    audit.record(actor, "rule.apply", review, after=after, note=found.rule.name)
    return changed


@transaction.atomic
def excise_everywhere(
    review: Review,
    term: str,
    codes: Sequence[str],
    justification: str,
    *,
    actor: User,
    scope: str = RedactionRule.Scope.CABLE,
) -> tuple[RedactionRule, list[Decision]]:
    """ "Excise this everywhere" from a selection on the review page: the reviewer assigned makes a
    rule (switched on, audited as rule.create) and applies it at once to this review. The rule is
    for this cable, or (scope "case") for the request case the review answers: then it suggests
    the term in every review of that case, to those cleared to this cable (the term is its text)."""
    review = actions.lock_for_deciding(review, actor)
    if scope not in (RedactionRule.Scope.CABLE, RedactionRule.Scope.CASE):
        raise ValidationError("scope: excise everywhere in this cable or in this review's case")
    if scope == RedactionRule.Scope.CASE and not review.request_case:
        raise ValidationError("this review answers no request case: excise everywhere in this cable")
    content = check_content(
        RuleVersion.Kind.TERMS, terms=term, codes=codes, justification=justification, scope=scope
    )
    cable = review.cable
    if scope == RedactionRule.Scope.CASE:
        name = f"'{content.terms[0]}' in case {review.request_case}"
        rule = _create(actor, name, content, scope, None, review.request_case, cable.access_rank, True)
    else:
        name = f"'{content.terms[0]}' in {cable.reference_id}"
        rule = _create(actor, name, content, scope, cable, "", _rank(actor, "", cable), True)
    return rule, apply_rule(review, rule.pk, rule.version, actor=actor)
