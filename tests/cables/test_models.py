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


@pytest.mark.django_db
def test_the_filter_menus_loose_scan_gives_what_a_distinct_over_every_cable_gives(
    django_assert_num_queries,
) -> None:
    # Ranks interleaved within a post, a post whose cables are all SECRET, a cable with no post
    # and one with no year: each step of the scan must skip what the rank leaves out.
    rows = [
        ("09ANKARA1", "AMEMBASSY ANKARA", "U", 2009),
        ("09ANKARA2", "AMEMBASSY ANKARA", "S", 2009),
        ("08ANKARA3", "AMEMBASSY ANKARA", "C", 2008),
        ("06BERLIN1", "AMEMBASSY BERLIN", "S", 2006),
        ("06BERLIN2", "AMEMBASSY BERLIN", "S", 2005),
        ("07TOKYO1", "AMEMBASSY TOKYO", "C", 2007),
        ("07TOKYO2", "AMEMBASSY TOKYO", "TS", 1987),
        ("NOPOST1", "", "U", 2004),
        ("NOYEAR1", "USMISSION GENEVA", "U", None),
    ]
    for reference_id, origin, level, year in rows:
        make_cable(reference_id, origin=origin, level=level, year=year)
    for rank in range(6):
        visible = Cable.objects.filter(access_rank__lte=rank)
        with django_assert_num_queries(2):
            origins, years = Cable.objects.origins(rank), Cable.objects.years(rank)
        assert origins == sorted({c.origin for c in visible if c.origin})
        assert years == sorted({c.year for c in visible if c.year is not None}, reverse=True)
    assert Cable.objects.origins(0) == ["AMEMBASSY ANKARA", "USMISSION GENEVA"]
    assert "AMEMBASSY BERLIN" in Cable.objects.origins(3) and 1987 not in Cable.objects.years(3)
