"""aids.mosaic: redacted strings still released elsewhere in the same cable (pure, no database)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.test import Client

from aids.mosaic import Part, covers, find, name_words, statuses
from cables.export import portion_name
from cables.models import Cable, Portion
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.review.conftest import RELEASE, acknowledge_mosaic, review_in

TEXT = "Minister Ali Bey said the border would reopen in May."
ALI = (TEXT.index("Ali"), TEXT.index("Ali") + len("Ali Bey"))


def messages(parts: list[Part]) -> list[str]:
    return [f.message for f in find(parts)]


def test_it_warns_of_a_name_released_in_another_paragraph() -> None:
    parts = [
        Part("paragraph 2", TEXT, "excise", (ALI,)),
        Part("paragraph 5", "We met ALI BEY again on Friday.", "release"),
    ]
    assert messages(parts) == ["'Ali Bey' is excised in paragraph 2 but released in paragraph 5"]


def test_it_warns_of_a_name_released_in_the_subject() -> None:
    parts = [
        Part("the SUBJECT line", "TALKS WITH ALI BEY", "release"),
        Part("paragraph 1", TEXT, "excise", (ALI,)),
    ]
    assert messages(parts) == ["'Ali Bey' is excised in paragraph 1 but released in the SUBJECT line"]


def test_it_warns_of_a_name_released_in_the_rest_of_the_same_portion() -> None:
    text = TEXT + " Ali Bey smiled."
    parts = [Part("paragraph 1", text, "excise", (ALI,))]
    assert messages(parts) == ["'Ali Bey' is excised in paragraph 1 but released in paragraph 1"]


def test_it_does_not_warn_when_every_mention_is_excised() -> None:
    text = TEXT + " Ali Bey smiled."
    second = (text.rindex("Ali"), text.rindex("Ali") + len("Ali Bey"))
    parts = [
        Part("paragraph 1", text, "excise", (ALI, second)),
        Part("paragraph 2", "The weather was fine.", "release"),
    ]
    assert messages(parts) == []


def test_it_ignores_case_and_whitespace() -> None:
    parts = [
        Part("paragraph 1", TEXT, "excise", (ALI,)),
        Part("paragraph 2", "Then ali\n   bey left.", "release"),
    ]
    assert len(find(parts)) == 1


def test_it_matches_whole_words_only() -> None:
    parts = [
        Part("paragraph 1", "The source Kemal told us.", "excise", ((11, 16),)),
        Part("paragraph 2", "Kemalist parties met.", "release"),
    ]
    assert messages(parts) == []


def test_it_does_not_join_text_across_a_box() -> None:
    # "Ali" and "Bey" are released on either side of a box: "Ali Bey" is not released.
    text = "Ali X Bey came. Then Ali Bey left."
    parts = [Part("paragraph 1", text, "excise", ((3, 6), (21, 28)))]
    assert messages(parts) == []


@pytest.mark.parametrize("excised", ["Bey", "the", "the government", "said that", "12"])
def test_it_ignores_short_strings_and_common_words(excised: str) -> None:
    text = f"We note {excised} here."
    start = text.index(excised)
    parts = [
        Part("paragraph 1", text, "excise", ((start, start + len(excised)),)),
        Part("paragraph 2", f"Again {excised} there.", "release"),
    ]
    assert messages(parts) == []


def test_it_warns_of_a_withheld_portion_quoted_elsewhere() -> None:
    parts = [
        Part("the SUBJECT line", "OPERATION BLUE HARBOR", "withhold"),
        Part("paragraph 3", "Operation Blue Harbor went ahead.", "release"),
    ]
    assert messages(parts) == [
        "'OPERATION BLUE HARBOR' is withheld in the SUBJECT line but released in paragraph 3"
    ]


def test_undecided_and_withheld_portions_release_nothing() -> None:
    parts = [
        Part("paragraph 1", TEXT, "excise", (ALI,)),
        Part("paragraph 2", "Ali Bey again.", "undecided"),
        Part("paragraph 3", "Ali Bey once more.", "withhold"),
        Part("paragraph 4", "Ali Bey, referred.", "refer"),
    ]
    assert messages(parts) == []


def test_it_names_every_place() -> None:
    parts = [
        Part("paragraph 1", TEXT, "excise", (ALI,)),
        Part("paragraph 2", "Ali Bey.", "release"),
        Part("paragraph 3", TEXT, "excise", (ALI,)),
        Part("paragraph 4", "And Ali Bey.", "release"),
    ]
    assert messages(parts) == [
        "'Ali Bey' is excised in paragraph 1 and excised in paragraph 3 "
        "but released in paragraph 2 and paragraph 4"
    ]


@pytest.mark.parametrize(
    ("kind", "label", "order", "name"),
    [
        ("paragraph", "2", 5, "paragraph 2"),
        ("header", "SUBJECT", 1, "the SUBJECT line"),
        ("header", "FM", 6, "the FM line"),
        ("header", "", 1, "header line 1"),
        ("signature", "", 28, "the signature"),
        ("text", "", 7, "portion 7 (text)"),
        ("caption", "NOFORN", 3, "caption NOFORN"),
    ],
)
def test_portion_names(kind: str, label: str, order: int, name: str) -> None:
    assert portion_name(SimpleNamespace(kind=kind, label=label, order=order)) == name  # type: ignore[arg-type]


# -- partial matching: the words of a name, titles, possessives, initials, withheld phrases ------


def excised(name: str, text: str, part: str, codes: tuple[str, ...] = ("B6",)) -> Part:
    start = text.index(part)
    return Part(name, text, "excise", ((start, start + len(part)),), (codes,))


HARADA_2 = "Japan appreciates U.S. support, MOFA Director General Chikahito Harada told A/S Mull."


def test_it_finds_the_surname_of_an_excised_name_with_its_title_elsewhere() -> None:
    parts = [
        Part("the SUBJECT line", "MEETING WITH EUROPEAN AFFAIRS DIRECTOR-GENERAL HARADA", "release"),
        Part("paragraph 1", "U.S.-Japan cooperation is critical, DG Harada told A/S Mull.", "release"),
        excised("paragraph 2", HARADA_2 + " Later DG Harada said more.", "Chikahito Harada"),
    ]
    (finding,) = find(parts)
    assert (finding.key, finding.text, finding.within) == ("harada", "Harada", "Chikahito Harada")
    assert finding.released_in == ("the SUBJECT line", "paragraph 1", "paragraph 2")
    assert finding.shown == ("DIRECTOR-GENERAL HARADA", "DG Harada")
    assert finding.codes == ("B6",)
    assert finding.message == (
        "'Harada' (part of 'Chikahito Harada') is excised in paragraph 2 but released in the SUBJECT "
        "line, paragraph 1 and paragraph 2, as 'DIRECTOR-GENERAL HARADA' and 'DG Harada'"
    )


@pytest.mark.parametrize(
    "released", ["HARADA,S VIEWS", "Harada's views", "Harada’s views", "MR. HARADA SAID", "the harada line"]
)
def test_it_finds_the_surname_in_any_case_and_with_a_possessive(released: str) -> None:
    parts = [excised("paragraph 2", HARADA_2, "Chikahito Harada"), Part("paragraph 3", released, "release")]
    (finding,) = find(parts)
    (hit,) = finding.hits
    assert released[hit.start : hit.end].casefold() == "harada"


def test_it_shows_the_title_and_excises_the_initials_before_a_released_surname() -> None:
    released = "Then Minister C. Harada left."
    parts = [excised("paragraph 2", HARADA_2, "Chikahito Harada"), Part("paragraph 3", released, "release")]
    (hit,) = find(parts)[0].hits
    assert released[hit.start : hit.end] == "C. Harada"
    assert hit.shown == "Minister C. Harada"


def test_it_matches_a_released_word_only_as_a_whole_word() -> None:
    parts = [
        excised("paragraph 2", HARADA_2, "Chikahito Harada"),
        Part("paragraph 3", "Haradas, Haradaville", "release"),
    ]
    assert find(parts) == []


@pytest.mark.parametrize(
    ("span", "checked"),
    [
        ("Chikahito Harada", ["Chikahito", "Harada"]),
        ("Minister Avetisyan", ["Avetisyan"]),
        ("MR. HARADA,S", ["HARADA"]),
        ("Harada's", ["Harada"]),
        ("the Foreign Minister of Japan", []),  # titles, places and function words
        ("secret border deal", []),  # not capitalised: checked only as the whole string
        ("Ali Bey", []),  # shorter than four letters each (the whole string is still checked)
        ("Michle Alliot-Marie", ["Michle", "Alliot-Marie"]),
        ("SUMMARY", []),
    ],
)
def test_the_words_of_an_excised_span_that_are_checked(span: str, checked: list[str]) -> None:
    assert name_words(span) == checked


def test_a_title_excised_with_the_surname_still_finds_the_surname() -> None:
    text = "Poloff met Minister Avetisyan on Monday."
    parts = [
        Part("paragraph 1", "Points were delivered to Lilit Avetisyan, the officer.", "release"),
        excised("paragraph 2", text, "Minister Avetisyan"),
    ]
    (finding,) = find(parts)
    assert finding.released_in == ("paragraph 1",)
    assert "'Avetisyan' (part of 'Minister Avetisyan') is excised in paragraph 2" in finding.message


def test_it_finds_an_excised_name_in_the_signature() -> None:
    parts = [
        excised(
            "the Classified By line",
            "Ambassador J. Thomas Schieffer for reasons 1.4 (b)",
            "J. Thomas Schieffer",
        ),
        Part("the signature", "SCHIEFFER", "release"),
    ]
    (finding,) = find(parts)
    assert (finding.key, finding.released_in) == ("schieffer", ("the signature",))


def test_it_finds_a_distinctive_phrase_of_a_withheld_portion_released_elsewhere() -> None:
    withheld = "The governor said the Habur customs crossing would reopen in May, on his own authority."
    parts = [
        Part("paragraph 1", withheld, "withhold", codes=("B1", "1.4(b)")),
        Part("paragraph 2", "Trade groups hope the Habur customs crossing would reopen soon.", "release"),
    ]
    (finding,) = find(parts)
    assert finding.text == "the Habur customs crossing would reopen"
    assert finding.redacted_in == ("withheld in paragraph 1",)
    assert finding.codes == ("B1", "1.4(b)")


@pytest.mark.parametrize(
    "released",
    [
        "He said that it would be in the interest of the United States.",  # common words only
        "This cable has been cleared by AA/S Mull.",  # boilerplate: one name-like word
        "The governor said nothing.",  # two words in common only
        "Both sides stressed the importance of trade links.",  # a set phrase, no proper noun
        "Donors remain concerned about funding levels.",  # a capital that only starts a sentence
    ],
)
def test_it_ignores_phrases_a_withheld_portion_shares_only_in_common_words(released: str) -> None:
    withheld = (
        "The governor said that it would be in the interest of the United States to wait. "
        "This cable has been cleared by AA/S Mull and others. He stressed the importance of trade "
        "links. Donors remain concerned about funding."
    )
    parts = [
        Part("paragraph 1", withheld, "withhold", codes=("B1",)),
        Part("paragraph 2", released, "release"),
    ]
    assert find(parts) == []


def test_the_whole_string_is_reported_once_not_again_word_by_word() -> None:
    parts = [
        excised("paragraph 1", "The source Kemal Ozturk spoke.", "Kemal Ozturk"),
        Part("paragraph 2", "We met Kemal Ozturk again.", "release"),
    ]
    (finding,) = find(parts)
    assert (finding.key, finding.within) == ("kemal ozturk", "")


class Ack:
    def __init__(self, key: str, released_in: list[str], confirmed: bool = False) -> None:
        self.key, self.released_in, self.confirmed_at = key, released_in, "now" if confirmed else None


def test_an_acknowledgment_covers_a_finding_only_where_it_was_released_then() -> None:
    parts = [
        excised("paragraph 2", HARADA_2, "Chikahito Harada"),
        Part("paragraph 3", "DG Harada", "release"),
    ]
    (finding,) = find(parts)
    assert covers(Ack("harada", ["paragraph 3"]), finding)
    assert not covers(Ack("harada", ["paragraph 4"]), finding)  # a new place: a new finding
    assert not covers(Ack("chikahito", ["paragraph 3"]), finding)
    (status,) = statuses([finding], [Ack("harada", ["paragraph 3"])])
    assert status.state == "acknowledged"
    (status,) = statuses([finding], [Ack("harada", ["paragraph 3"], confirmed=True)])
    assert status.state == "confirmed"
    assert statuses([finding], []).open[0].finding is finding


# -- on the pages ---------------------------------------------------------------------------------

WARNING = "&#x27;Ali Bey&#x27; is excised in paragraph 1 but released in the SUBJECT line"


@pytest.fixture
def leaky(cable: Cable, alice: User, bob: User) -> Review:
    """Paragraph 1 excises "Ali Bey", the released SUBJECT still names him."""
    Portion.objects.filter(cable=cable, label="SUBJECT").update(text="TALKS WITH ALI BEY")
    review = review_in(Review.State.IN_REVIEW, cable, alice, bob)
    subject, p1, p2 = cable.portions.order_by("order")
    actions.decide(review, subject, RELEASE, actor=alice)
    start = p1.text.index("Ali")
    excise = DecisionRequest("excise", (), "a source", spans=(SpanRequest(start, start + 7, ("B6",)),))
    actions.decide(review, p1, excise, actor=alice)
    return review


def test_the_review_page_warns_before_submit(client: Client, alice: User, leaky: Review) -> None:
    client.force_login(alice)
    body = client.get(f"/reviews/{leaky.pk}/").content.decode()
    assert "Mosaic warning" in body and WARNING in body
    assert body.index("Mosaic warning") < body.index('id="portion-1"')


def test_the_warning_goes_away_when_the_subject_is_excised_too(
    client: Client, alice: User, leaky: Review
) -> None:
    client.force_login(alice)
    subject = leaky.cable.portions.get(label="SUBJECT")
    r = client.post(
        f"/reviews/{leaky.pk}/portions/{subject.order}/decision/",
        {"kind": "excise", "codes": "B6", "justification": "a source", "spans": "11:18:B6"},
        headers={"X-Requested-With": "fetch"},
    )
    assert r.status_code == 200, r.content
    fragment = r.json()["fragments"]["mosaic"]
    assert 'id="mosaic"' in fragment and "Mosaic warning" not in fragment
    assert "Mosaic warning" not in client.get(f"/reviews/{leaky.pk}/").content.decode()


def test_the_fetch_answer_carries_the_warning(client: Client, alice: User, leaky: Review) -> None:
    client.force_login(alice)
    p2 = leaky.cable.portions.get(label="2")
    r = client.post(
        f"/reviews/{leaky.pk}/portions/{p2.order}/decision/",
        {"kind": "release"},
        headers={"X-Requested-With": "fetch"},
    )
    assert r.status_code == 200, r.content
    assert WARNING in r.json()["fragments"]["mosaic"]


def test_the_approval_page_shows_the_acknowledged_finding_to_confirm(
    client: Client, alice: User, bob: User, leaky: Review
) -> None:
    p2 = leaky.cable.portions.get(label="2")
    actions.decide(leaky, p2, RELEASE, actor=alice)
    acknowledge_mosaic(leaky, alice, "the minister is named in the public press release")
    actions.submit(leaky, actor=alice)
    client.force_login(bob)
    body = client.get(f"/approvals/{leaky.pk}/").content.decode()
    assert WARNING in body and "the minister is named in the public press release" in body
    assert "Before you approve: 1 acknowledged mosaic finding above" in body
    assert 'name="confirm_mosaic" value="ali bey" form="approve-form"' in body


def test_no_warning_without_a_mosaic(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(Review.State.PENDING_APPROVAL, cable, alice, bob)
    client.force_login(bob)
    assert "Mosaic warning" not in client.get(f"/approvals/{review.pk}/").content.decode()
    client.force_login(alice)
    assert "Mosaic warning" not in client.get(f"/reviews/{review.pk}/").content.decode()
