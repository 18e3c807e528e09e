"""Suggested decisions and the names behind them (aids/suggest.py, cables/names.py): pure, no database."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.db import connection

from aids.suggest import PortionInput, suggest_cable
from cables.names import find_names, find_protect_markers

REASONS = ["B1", "1.4(b)", "1.4(d)"]


def names(text: str, **kwargs: object) -> list[tuple[str, str, bool | None]]:
    return [(n.text, n.kind, n.public) for n in find_names(text, **kwargs)]  # type: ignore[arg-type]


def one(text: str, level: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return suggest_cable([PortionInput(text, level)], **kwargs)[0]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("MR. TANAKA MET THE PRESS.", [("TANAKA", "title", False)]),
        ("FOREIGN MINISTER ASO DECLINED.", [("ASO", "title", True)]),
        ("A/S HILL AND DG SASAE MET IN TOKYO.", [("HILL", "title", True), ("SASAE", "title", True)]),
        ("PM BERLUSCONI'S REQUESTS", [("BERLUSCONI", "title", True)]),
        ("Minister Ali Bey said the border would reopen in May.", [("Ali Bey", "title", True)]),
        ("Dr. Yusuf Sawani described the trend.", [("Yusuf Sawani", "title", False)]),
        ("THE MINISTER OF FOREIGN AFFAIRS ARRIVED IN PARIS.", []),
        ("Mayor of Chantilly since 1995.", []),
    ],
)
def test_titles(text: str, expected: list[tuple[str, str, bool | None]]) -> None:
    assert names(text) == expected


def test_a_title_names_where_the_name_is_and_why() -> None:
    (name,) = find_names("PLEASE MEET MR. DONALD AT THE AIRPORT.")
    assert (name.start, name.end) == (16, 22)
    assert name.evidence == "after MR."
    assert name.why == "private: courtesy title MR. only, no office"


def test_person_tags_after_ovip_find_the_name_in_capitals() -> None:
    text = "THE SECRETARY MET RICE AND CONDOLEEZZA RICE SPOKE."
    found = find_names(text, tags=["OVIP", "RICE", "CONDOLEEZZA", "PREL", "LE"])
    assert [(n.text, n.evidence, n.public) for n in found] == [
        ("RICE", "person tag RICE, CONDOLEEZZA", True),
        ("CONDOLEEZZA RICE", "person tag RICE, CONDOLEEZZA", True),
    ]


def test_tags_codes_are_not_person_tags() -> None:
    assert find_names("PREL AND KDEM ARE DISCUSSED.", tags=["OVIP", "PREL", "KDEM", "JA"]) == []


def test_speech_given_names_and_repeats() -> None:
    text = "Monique Wadsted filed a claim. Wadsted said the court would rule."
    assert names(text) == [
        ("Monique Wadsted", "given name", None),
        ("Wadsted", "speech", None),
    ]
    # A name found elsewhere in the cable is found again in capitals, with that evidence.
    found = find_names("TANAKA DECLINED TO COMMENT.", context=["Mr. Tanaka met us."])
    assert [(n.text, n.kind, n.public) for n in found] == [("TANAKA", "repeat", False)]
    assert found[0].evidence == "repeats Tanaka (after Mr.)"


def test_places_months_and_organisations_are_not_names() -> None:
    text = "In May the Embassy met Iceland's Foreign Ministry and NATO in Brussels on Monday."
    assert find_names(text) == []


@pytest.mark.parametrize(
    "text, protected",
    [
        ("Ricard (strictly protect) told Poloff January 26 that he would go.", "Ricard"),
        ("we spoke to Shawn McCormick (protect), TNK-BP's government affairs rep", "Shawn McCormick"),
        ("Fungairino (STRICTLY PROTECT) DISMISSED THE RULING", "Fungairino"),
    ],
)
def test_protect_markers_excise_the_source_under_b1(text: str, protected: str) -> None:
    s = one(text, "C", reason_codes=REASONS)
    assert (s.kind, s.codes) == ("excise", ("B1", "1.4(c)", "1.4(d)"))
    assert [span.text for span in s.spans] == [protected]
    assert any("source-protection marker" in line for line in s.evidence)


def test_a_protect_marker_without_a_name_withholds_the_portion() -> None:
    s = one("XXXXXXX reported (please protect) that the talks failed.".replace("XXXXXXX", "the source"), "S")
    assert (s.kind, s.codes) == ("withhold", ("B1", "1.4(c)", "1.4(d)"))
    assert "no name found before the marker: the whole portion" in s.evidence


def test_protect_accordingly_and_the_verb_are_not_markers() -> None:
    assert find_protect_markers("SENSITIVE BUT UNCLASSIFIED (PLEASE PROTECT ACCORDINGLY).") == []
    assert find_protect_markers("The law aims to protect victims (and witnesses).") == []


def test_an_unclassified_protected_source_is_excised_under_b6_not_b1() -> None:
    s = one("Ricard (strictly protect) told Poloff he would go.", "SBU")
    assert (s.kind, s.codes) == ("excise", ("B6",))
    assert "marked SBU: B1 covers classified information only, so B6" in s.evidence


def test_unclassified_portions_excise_private_names_under_b6() -> None:
    text = "MR. DONALD AND FOREIGN MINISTER ASO MET."
    s = one(text, "U", reason_codes=REASONS)
    assert (s.kind, s.codes) == ("excise", ("B6",))
    assert [(x.text, x.value) for x in s.spans] == [("DONALD", "4:10:B6")]
    assert s.justification == (
        "Personal privacy: name of a private person (suggested by declass, accepted by the reviewer)"
    )
    assert "“ASO”: after FOREIGN MINISTER; public (public role: FOREIGN MINISTER): " in s.evidence[-1]
    assert s.evidence[-1].endswith("an official in a public role is not B6, keep")


def test_unclassified_portions_with_officials_only_are_released() -> None:
    s = one("Minister Ali Bey said the border would reopen in May.", "U")
    assert (s.kind, s.codes, s.spans) == ("release", (), ())
    assert s.summary == "Release in full"


def test_b6_is_never_suggested_for_classified_portions() -> None:
    s = one("MR. DONALD MET THE PRESS.", "C", reason_codes=REASONS)
    assert (s.kind, s.codes) == ("withhold", ("B1", "1.4(b)", "1.4(d)"))
    assert s.evidence == ("marked C; the cable is classified for reasons 1.4(b), 1.4(d)",)


def test_classified_portions_get_the_cables_own_reasons() -> None:
    s = one("THE TALKS FAILED.", "S", reason_codes=["B1", "1.4(a)"])
    assert (s.kind, s.codes, s.summary) == ("withhold", ("B1", "1.4(a)"), "Withhold under B1, 1.4(a)")
    assert "the cable's own classification reasons" in s.justification


def test_no_suggestion_when_nothing_applies() -> None:
    assert one("THE TALKS FAILED.", "S", reason_codes=[]) is None  # no reasons line
    assert one("PREL PGOV JA", "", reason_codes=REASONS) is None  # no level


def test_names_are_found_once_per_cable_across_portions() -> None:
    out = suggest_cable(
        [PortionInput("Mr. Tanaka called on us.", "C"), PortionInput("TANAKA LEFT EARLY.", "U")],
        reason_codes=REASONS,
    )
    assert out[1] is not None and [s.text for s in out[1].spans] == ["TANAKA"]
    assert out[1].evidence[1].startswith("“TANAKA”: repeats Tanaka (after Mr.)")


@pytest.mark.parametrize(
    "text, label",
    [
        ("VZCZCXRO1254", ""),
        ("PP RUEHAG RUEHCN RUEHGH", ""),
        ("AMEMBASSY TOKYO", "FM"),
        ("PREL NATO JA", "TAGS"),
    ],
)
def test_routing_lines_are_never_b1_candidates(text: str, label: str) -> None:
    # An unmarked header line of a CONFIDENTIAL cable inherits level C, but is routing, not substance.
    (suggestion,) = suggest_cable([PortionInput(text, "C", "header")], reason_codes=REASONS)
    assert suggestion is not None
    assert (suggestion.kind, suggestion.codes) == ("release", ())
    assert "not a B1 candidate" in suggestion.evidence[0]


def test_a_header_line_with_its_own_mark_is_judged_by_it() -> None:
    (suggestion,) = suggest_cable(
        [PortionInput("SECRET TALKS WITH MOFA", "C", "header", "C")], reason_codes=REASONS
    )
    assert suggestion is not None
    assert (suggestion.kind, suggestion.codes) == ("withhold", tuple(REASONS))


def test_a_paragraph_still_takes_the_cables_reasons() -> None:
    (suggestion,) = suggest_cable([PortionInput("Japan appreciates it.", "C")], reason_codes=REASONS)
    assert suggestion is not None and suggestion.kind == "withhold"


def test_cable_aids_are_cached_by_their_inputs_and_never_stale(db: None) -> None:
    """The review page's cache (review.suggest.cable_aids): the same inputs give what
    suggest_cable gives; a changed text is computed afresh, not served the old names."""
    from django.core.cache import cache

    from aids.suggest import cable_aids

    cache.clear()
    first = [PortionInput("Mr. John Smith, a farmer, called on the Embassy.", "U")]
    aids = cable_aids(first, tags=[], reason_codes=[])
    assert aids.suggestions == suggest_cable(first)
    assert cable_aids(first, tags=[], reason_codes=[]) == aids
    changed = [PortionInput("The harbour reopened in May.", "U")]
    fresh = cable_aids(changed, tags=[], reason_codes=[])
    assert fresh.suggestions == suggest_cable(changed) != aids.suggestions
    assert fresh.names == [[]]


def test_cable_aids_computed_in_one_process_are_read_from_the_database_in_another(db: None) -> None:
    """The shared cache (settings.CACHES["aids"], a table of the database): what one app server
    or worker computed, another reads instead of computing it again; a restart keeps it."""
    from django.core.cache import cache, caches

    from aids import suggest

    portions = [PortionInput("Mr. John Smith, a farmer, called on the Embassy.", "U")]
    computed = suggest.cable_aids(portions, tags=[], reason_codes=[])
    cache.clear()  # another process: nothing in its own memory
    with patch.object(suggest, "names_in_cable", side_effect=AssertionError("computed again")):
        assert suggest.cable_aids(portions, tags=[], reason_codes=[]) == computed
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM declass_aids_cache")
        assert cursor.fetchone()[0] == 1
    caches["aids"].clear()
    cache.clear()
    with patch.object(suggest, "names_in_cable", side_effect=AssertionError("computed again")):
        with pytest.raises(AssertionError, match="computed again"):
            suggest.cable_aids(portions, tags=[], reason_codes=[])
