"""Stored cables: one Cable row per ingested cable, its portions, tags and cited references."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connections, models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from cables import consistency, search
from cables.parser import LEVEL_RANK


class Level(models.TextChoices):
    """Classification levels, low to high; SBU is a handling label, not a classification."""

    U = "U", "UNCLASSIFIED"
    SBU = "SBU", "SENSITIVE BUT UNCLASSIFIED"
    C = "C", "CONFIDENTIAL"
    S = "S", "SECRET"
    TS = "TS", "TOP SECRET"


# Levels on one scale, low to high (cables.parser.LEVEL_RANK, the one table: the parser imports no
# Django, so it lives there). SBU sits above U: it is unclassified but may still be withheld.


def access_rank(cable_level: str, portion_levels: list[str]) -> int:
    """What reading a cable takes: its own level, or a higher one a portion is marked with."""
    return max([LEVEL_RANK.get(Level(level), 0) for level in [cable_level, *portion_levels] if level] or [0])


class CableQuerySet(models.QuerySet):
    def count(self) -> int:
        """As QuerySet.count(), from the stored counts per access rank (RankCount) when the query
        is all the cables, or those of ranks up to N (cables.access.cleared's one condition),
        whatever it annotates on each row (an aggregate or a grouping aside)."""
        query = self.query
        aggregated = any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
        plain = not (query.is_sliced or query.distinct or query.combinator or aggregated or query.group_by)
        if plain and self._result_cache is None and len(query.alias_map) <= 1:
            if not query.where:
                return _stored_count(self.db)
            rank = self._clearance_only()
            if rank is not None:
                return _stored_count(self.db, access_rank__lte=rank)
        return super().count()

    def for_list(self) -> CableQuerySet:
        """Only the columns the cable list shows (the source text can be large)."""
        return self.only(
            "reference_id",
            "sent_at",
            "origin",
            "classification",
            "level",
            "caveats",
            "subject",
            "tags",
            "partial_extract",
            "year",
        ).order_by(models.F("sent_at").desc(nulls_last=True), "reference_id")

    def search(self, q: str) -> CableQuerySet:
        """The cable with reference id q (any case), or those with every word of q in the
        subject or the text of a portion (full-text: cables/search.py)."""
        return search.matching(self, q)

    def with_level(self, level: str) -> CableQuerySet:
        return self.filter(level=level)

    def from_origin(self, origin: str) -> CableQuerySet:
        return self.filter(origin=origin)

    def in_year(self, year: int) -> CableQuerySet:
        return self.filter(year=year)

    def tagged(self, tag: str) -> CableQuerySet:
        # A semi-join on (tag, cable) uses the CableTag index; JSON contains could not.
        return self.filter(Exists(CableTag.objects.filter(tag=tag, cable=OuterRef("pk"))))

    def sent_between(self, start: date | None, end: date | None) -> CableQuerySet:
        """Sent on or after start and on or before end (whole UTC days; either may be None)."""
        cables = self
        if start is not None:
            cables = cables.filter(sent_at__gte=datetime.combine(start, time.min, UTC))
        if end is not None:
            cables = cables.filter(sent_at__lt=datetime.combine(end + timedelta(days=1), time.min, UTC))
        return cables

    def with_review_state(self, state: str) -> CableQuerySet:
        """Cables whose current review (the open one, else the latest released) is in `state`;
        state "none": cables never reviewed."""
        reviews = self._reviews().filter(cable=OuterRef("pk"))
        if state == "none":
            return self.filter(~Exists(reviews))
        if state == "released":
            # Released and not reviewed again since (a cable has at most one open review).
            return self.filter(Exists(reviews.filter(state=state)), ~Exists(reviews.exclude(state=state)))
        return self.filter(Exists(reviews.filter(state=state)))

    def count_never_reviewed(self) -> int:
        """with_review_state("none").count(). When these are all the cables the user may see (no
        condition, or only the clearance's access_rank <= N), counted as those cables less the
        distinct cables of their reviews: the first count reads the access-rank index alone and
        the second the few reviews, where the anti-join probes the reviews once per cable (with
        the triage score joined as well, 172 ms of SQL at 251,287 cables, 217 ms of CPU below
        TOP SECRET on SQLite)."""
        if not self.query.where:
            return self.count() - self._reviews().values("cable_id").distinct().count()
        rank = self._clearance_only()
        if rank is not None:
            return self.count() - self._reviewed_up_to(rank)
        return self.with_review_state("none").count()

    def _reviewed_up_to(self, rank: int) -> int:
        """How many cables of access rank `rank` or lower have a review. A join of the reviews with
        the cables made PostgreSQL hash every cable (100 ms at 251,287); instead, from whichever
        side is smaller: the reviewed cables less those above the rank (index probes of the few
        cables above a high clearance: 4 ms instead of 108 below TOP SECRET), or each review's
        cable looked up by its key (30 ms instead of 92 for CONFIDENTIAL). Three queries either way."""
        reviews = self._reviews()
        reviewed = reviews.values("cable_id").distinct().count()
        cables = self.model._default_manager.using(self.db)
        if _stored_count(self.db, access_rank__gt=rank) <= reviewed:
            above = cables.filter(Exists(reviews.filter(cable=OuterRef("pk"))), access_rank__gt=rank)
            return reviewed - above.count()
        rank_of = Subquery(cables.filter(pk=OuterRef("cable_id")).values("access_rank")[:1])
        cleared = reviews.annotate(cable_rank=rank_of).filter(cable_rank__lte=rank)
        return cleared.values("cable_id").distinct().count()

    def _clearance_only(self) -> int | None:
        """N when this query's one condition is cables.access.cleared()'s access_rank <= N."""
        where = self.query.where
        if where.negated or len(where.children) != 1:
            return None
        (lookup,) = where.children
        if not isinstance(lookup, LessThanOrEqual) or not isinstance(lookup.rhs, int):
            return None
        target = getattr(lookup.lhs, "target", None)
        if target is None or target.model is not self.model or target.name != "access_rank":
            return None
        return lookup.rhs

    def without_open_review(self) -> CableQuerySet:
        return self.filter(~Exists(self._reviews().filter(cable=OuterRef("pk")).exclude(state="released")))

    def with_review_summary(self) -> CableQuerySet:
        """Annotate review_state and review_id: the open review, else the latest round (or None).

        Subqueries, so a page of cables costs no query per row.
        """
        latest = self._reviews().filter(cable=OuterRef("pk")).order_by("-round")
        return self.annotate(
            review_state=Subquery(latest.values("state")[:1]),
            review_id=Subquery(latest.values("pk")[:1]),
        )

    def _reviews(self) -> models.QuerySet[Any]:
        # review.models imports this module; the relation gives its model without an import cycle.
        return self.model._meta.get_field("reviews").related_model._default_manager.all()

    def filtered(self, criteria: Mapping[str, Any]) -> CableQuerySet:
        """Every filter of the cable search that has a value in criteria (a form's cleaned_data)."""
        cables = self.search(criteria.get("q") or "")
        if criteria.get("level"):
            cables = cables.with_level(criteria["level"])
        if criteria.get("origin"):
            cables = cables.from_origin(criteria["origin"])
        if criteria.get("year"):
            cables = cables.in_year(criteria["year"])
        if criteria.get("tag"):
            cables = cables.tagged(criteria["tag"])
        if criteria.get("sent_from") or criteria.get("sent_to"):
            cables = cables.sent_between(criteria.get("sent_from"), criteria.get("sent_to"))
        if criteria.get("review_state"):
            cables = cables.with_review_state(criteria["review_state"])
        if criteria.get("without_open_review"):
            cables = cables.without_open_review()
        return cables

    def origins(self, max_rank: int) -> list[str]:
        """The posts of the cables at access_rank max_rank or below, in order (the filter menu)."""
        return self._distinct("origin", "origin > ''", max_rank, descending=False)

    def years(self, max_rank: int) -> list[int]:
        """The years of the cables at access_rank max_rank or below, newest first."""
        return self._distinct("year", "year IS NOT NULL", max_rank, descending=True)

    def _distinct(self, column: str, first: str, max_rank: int, *, descending: bool) -> list[Any]:
        """The distinct values of an indexed column among the cables at max_rank or below, by a
        loose index scan: one step down the (column, access_rank) index per distinct value, and
        one look at that value's first entry, which holds its lowest access rank.

        A plain DISTINCT reads every cable: about 1.5 s for the whole release, which the first
        list page of each application process paid (bench/pages.py's p99). This reads two index
        entries per value, whatever the number of cables and the clearance.
        """
        table = self.model._meta.db_table
        op, order = ("<", "DESC") if descending else (">", "ASC")
        step = f"SELECT {column} FROM {table} WHERE {{where}} ORDER BY {column} {order} LIMIT 1"
        sql = (
            f"WITH RECURSIVE found(value) AS ("
            f" SELECT ({step.format(where=first)})"
            f" UNION ALL SELECT ({step.format(where=f'{column} {op} found.value')})"
            f" FROM found WHERE found.value IS NOT NULL"
            f") SELECT value FROM found WHERE value IS NOT NULL AND EXISTS ("
            f"SELECT 1 FROM {table} WHERE {column} = found.value AND access_rank <= %s"
            f") ORDER BY value {order}"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [max_rank])
            return [value for (value,) in cursor.fetchall()]


class Cable(models.Model):
    reference_id = models.CharField(max_length=100, unique=True)
    transmission_id = models.TextField(blank=True)
    precedence = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    origin = models.TextField(blank=True)
    to = models.JSONField(default=list, blank=True)
    info = models.JSONField(default=list, blank=True)
    classification = models.TextField(blank=True)
    level = models.CharField(max_length=3, choices=Level.choices, blank=True)
    caveats = models.JSONField(default=list, blank=True)
    section_count = models.PositiveIntegerField(default=1)
    executive_order = models.TextField(blank=True)
    declassify_on = models.DateField(null=True, blank=True)
    declassify_instruction = models.TextField(blank=True)
    # When the cable is due for declassification review (cables/declassification.py); None when
    # it is unclassified or the instruction cannot be read.
    review_due = models.DateField(null=True, blank=True)
    review_due_basis = models.TextField(blank=True)  # how review_due was reached, in words
    tags = models.JSONField(default=list, blank=True)  # for display; CableTag is for filtering
    subject = models.TextField(blank=True)
    subject_marking = models.TextField(blank=True)
    classified_by = models.TextField(blank=True)
    # The people named in classified_by, without their titles ("Marc Wall"), as the parser reads them.
    classifiers = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    signature = models.TextField(blank=True)
    signers = models.JSONField(default=list, blank=True)  # each name of the signature block
    partial_extract = models.BooleanField(default=False)
    warnings = models.JSONField(default=list, blank=True)
    dropped_lines = models.JSONField(default=list, blank=True)  # [{"line", "text", "reason"}]
    year = models.SmallIntegerField(null=True, blank=True)
    # The rank (LEVEL_RANK) of the highest level in the cable: who may see it at all.
    access_rank = models.SmallIntegerField(default=0)

    text = models.TextField()  # the source exactly as ingested
    sha256 = models.CharField(max_length=64)
    ingested_at = models.DateTimeField(auto_now_add=True)
    source = models.TextField(blank=True)  # "path/07TOKYO1744.txt", "cables.jsonl.gz#record 12"

    objects = CableQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "reference_id"]
        indexes = [
            # The lists' order; access_rank too, so that the clearance check and a search's probe
            # of each cable in this order (cables/search.py) read the index, not the long rows.
            models.Index(fields=["-sent_at", "reference_id", "access_rank"], name="cable_sent"),
            models.Index(fields=["level", "-sent_at"], name="cable_level_sent"),
            models.Index(fields=["classification", "-sent_at"], name="cable_class_sent"),
            models.Index(fields=["origin", "-sent_at"], name="cable_origin_sent"),
            models.Index(fields=["year", "-sent_at"], name="cable_year_sent"),
            # The filter menus' loose index scans (CableQuerySet.origins, years).
            models.Index(fields=["origin", "access_rank"], name="cable_origin_rank"),
            models.Index(fields=["year", "access_rank"], name="cable_year_rank"),
            # Clearance filtering and counts without reading each row (and its long text).
            models.Index(fields=["access_rank"], name="cable_access_rank"),
            # The due queue's order; access_rank too, so that its counts read the index alone.
            models.Index(fields=["review_due", "reference_id", "access_rank"], name="cable_review_due"),
        ]

    def __str__(self) -> str:
        return self.reference_id

    def get_absolute_url(self) -> str:
        return reverse("cables:detail", args=[self.reference_id])

    @staticmethod
    def derive_year(sent_at: datetime | None, reference_id: str) -> int | None:
        """The year sent, else the reference id's two-digit year (66 -> 1966, 07 -> 2007)."""
        if sent_at is not None:
            return sent_at.year
        if len(reference_id) >= 2 and reference_id[:2].isdigit():
            yy = int(reference_id[:2])
            # Cablegate runs 1966-2010: two-digit years below 50 are this century.
            return 2000 + yy if yy < 50 else 1900 + yy
        return None

    def marking_display(self) -> str:
        """CONFIDENTIAL//NOFORN, as a banner shows it."""
        caveats = list(self.caveats)
        if self.level == Level.SBU and "SBU" not in caveats:
            caveats.insert(0, "SBU")
        return "//".join([self.classification or self.get_level_display(), *caveats])


class Portion(models.Model):
    class Kind(models.TextChoices):
        HEADER = "header"
        CAPTION = "caption"
        PARAGRAPH = "paragraph"
        HEADING = "heading"
        TEXT = "text"
        SIGNATURE = "signature"

    cable = models.ForeignKey(Cable, models.CASCADE, related_name="portions")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    label = models.TextField(blank=True)
    marking = models.TextField(blank=True)
    level = models.CharField(max_length=3, choices=Level.choices, blank=True)
    caveats = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    line = models.PositiveIntegerField(default=0)
    # The same or nearly the same passage in other cables (cables/consistency.py): the normalised
    # text's fingerprint and the MinHash band keys; null where the portion is not compared.
    fingerprint = models.BigIntegerField(null=True, blank=True)
    band0 = models.BigIntegerField(null=True, blank=True)
    band1 = models.BigIntegerField(null=True, blank=True)
    band2 = models.BigIntegerField(null=True, blank=True)
    band3 = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["cable", "order"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "order"], name="portion_cable_order"),
        ]
        # Partial: only the portions compared (a third of them) are indexed. An exact repeat
        # shares every band, so the fingerprint needs no index of its own.
        indexes = [
            models.Index(fields=[b], name=f"portion_{b}", condition=models.Q(**{f"{b}__isnull": False}))
            for b in consistency.BAND_FIELDS
        ]

    def __str__(self) -> str:
        return f"{self.cable_id}/{self.order}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The bulk ingest computes the keys in its parser processes; one-by-one saves do it here.
        if self.fingerprint is None:
            keys = consistency.keys_for(self.kind, self.label, self.text)
            self.fingerprint = keys.fingerprint
            self.band0, self.band1, self.band2, self.band3 = keys.bands
        super().save(*args, **kwargs)

    def marking_display(self) -> str:
        return self.marking or self.level

    @property
    def name(self) -> str:
        """The portion as a person reads it: "paragraph 4", "the SUBJECT line", never its storage
        order where it has a label (the one function: cables.export.portion_name)."""
        from cables.export import portion_name

        return portion_name(self)


class CableTag(models.Model):
    """One row per TAGS entry, so that the list can filter by tag through an index."""

    cable = models.ForeignKey(Cable, models.CASCADE, related_name="tag_rows")
    tag = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["cable", "position"]
        indexes = [models.Index(fields=["tag", "cable"], name="cabletag_tag_cable")]

    def __str__(self) -> str:
        return self.tag


class CableReference(models.Model):
    """A REF item; cited_reference_id names the cited cable when the parser recognised one."""

    cable = models.ForeignKey(Cable, models.CASCADE, related_name="references")
    order = models.PositiveSmallIntegerField()
    label = models.TextField(blank=True)
    text = models.TextField(blank=True)
    cited_reference_id = models.TextField(blank=True, db_index=True)

    class Meta:
        ordering = ["cable", "order"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "order"], name="reference_cable_order"),
        ]

    def __str__(self) -> str:
        return f"{self.label}. {self.text}" if self.label else self.text


def _stored_count(using: str, **ranks: int) -> int:
    """The cables of every rank, or of the ranks a condition names (access_rank__lte=3), as
    RankCount stores them."""
    return RankCount.objects.using(using).filter(**ranks).aggregate(n=models.Sum("cables"))["n"] or 0


class RankCount(models.Model):
    """How many cables there are of one access rank, kept by the database itself like DueCount:
    triggers on cables_cable (migration 0015) add and remove one cable at every INSERT, DELETE and
    change of access_rank, in the transaction of the write. CableQuerySet.count() of the cables a
    user may see, with no other condition (the cable list unfiltered, the triage queue's count),
    sums a row or two of it instead of reading an index of every cable (45 ms on PostgreSQL at
    251,287 cables, more before a VACUUM). `manage.py due_counts` checks these counts too."""

    access_rank = models.SmallIntegerField(unique=True)
    cables = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"rank {self.access_rank}: {self.cables}"


class DueCount(models.Model):
    """How many cables of one access rank fall due for review on one day (Cable.review_due).

    Kept by the database itself: triggers on cables_cable (migrations 0013 and 0014) add and
    remove one cable at every INSERT, DELETE and change of review_due or access_rank, in the
    transaction of the write, whatever makes it (ingest, a release clearing review_due, the admin,
    raw SQL; SQLite's INSERT OR REPLACE, which would skip the DELETE trigger, is refused).
    `manage.py due_counts` checks them against the cables and `--refill` writes them anew. The
    due queue's counts then sum a few thousand rows instead of reading every dated cable (about
    0.5 s at 251,287 cables on SQLite). Read it only through cables.access.visible_due_counts.
    A migration that makes SQLite copy cables_cable into a new table drops its triggers and must
    put them back (as 0005_review_due does for the full-text ones).
    """

    access_rank = models.SmallIntegerField()
    review_due = models.DateField()
    cables = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["access_rank", "review_due"], name="duecount_key")]

    def __str__(self) -> str:
        return f"rank {self.access_rank}, due {self.review_due}: {self.cables}"
