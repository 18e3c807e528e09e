"""review.mosaic: redacted strings still released elsewhere in the same cable (pure, no database)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cables.models import Cable, Portion
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from review.mosaic import Part, find, portion_name
from tests.review.conftest import RELEASE, review_in

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
        ("header", "SUBJECT", 1, "the SUBJECT header"),
        ("text", "", 7, "portion 7 (text)"),
        ("caption", "NOFORN", 3, "caption NOFORN"),
    ],
)
def test_portion_names(kind: str, label: str, order: int, name: str) -> None:
    assert portion_name(kind, label, order) == name


# -- on the pages ---------------------------------------------------------------------------------

WARNING = "&#x27;Ali Bey&#x27; is excised in paragraph 1 but released in the SUBJECT header"


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


def test_the_approval_page_warns_before_approve(
    client: Client, alice: User, bob: User, leaky: Review
) -> None:
    p2 = leaky.cable.portions.get(label="2")
    actions.decide(leaky, p2, RELEASE, actor=alice)
    actions.submit(leaky, actor=alice)
    client.force_login(bob)
    body = client.get(f"/approvals/{leaky.pk}/").content.decode()
    assert WARNING in body
    assert "Before you approve: 1 mosaic warning" in body


def test_no_warning_without_a_mosaic(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(Review.State.PENDING_APPROVAL, cable, alice, bob)
    client.force_login(bob)
    assert "Mosaic warning" not in client.get(f"/approvals/{review.pk}/").content.decode()
    client.force_login(alice)
    assert "Mosaic warning" not in client.get(f"/reviews/{review.pk}/").content.decode()
