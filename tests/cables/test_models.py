"""cables/models.py: derived values and QuerySet filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cables.models import Cable
from tests.conftest import make_cable


def test_year_comes_from_the_sent_date() -> None:
    assert Cable.derive_year(datetime(2009, 12, 31, 23, 0, tzinfo=UTC), "10TOKYO1") == 2009


def test_year_falls_back_to_the_reference_ids_two_digits() -> None:
    assert Cable.derive_year(None, "07TOKYO1744") == 2007
    assert Cable.derive_year(None, "66BUENOSAIRES2481") == 1966


def test_year_is_unknown_without_a_date_or_a_year_in_the_id() -> None:
    assert Cable.derive_year(None, "notes") is None


@pytest.mark.django_db
def test_marking_display_joins_classification_and_caveats() -> None:
    cable = make_cable("07TOKYO1744", caveats=["NOFORN"])
    assert cable.marking_display() == "CONFIDENTIAL//NOFORN"


@pytest.mark.django_db
def test_tagged_matches_whole_tags_only() -> None:
    make_cable("07TOKYO1744", tags=["PREL", "JA"])
    make_cable("07TOKYO1745", tags=["PRELX"])
    assert list(Cable.objects.tagged("PREL").values_list("reference_id", flat=True)) == ["07TOKYO1744"]


@pytest.mark.django_db
def test_search_finds_a_reference_id_or_subject_words() -> None:
    make_cable("07TOKYO1744", subject="MULL,S MEETING WITH HARADA")
    make_cable("07TOKYO1745", subject="OTHER BUSINESS")
    search = Cable.objects.search
    assert [c.reference_id for c in search("07tokyo1745")] == ["07TOKYO1745"]
    assert [c.reference_id for c in search("harada meeting")] == ["07TOKYO1744"]
    assert search("  ").count() == 2
