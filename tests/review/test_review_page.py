"""The review page at /reviews/<pk>/: who may see it, what it shows, and its query count."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cables.models import Cable
from review import actions, rules
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from review.views import cable_codes
from tests.conftest import make_cable
from tests.review.conftest import (
    MARKUP,
    MARKUP_ESCAPED,
    RELEASE,
    WITHHOLD_B1,
    cable_with_markup,
    decide_all,
    review_in,
)

S = Review.State


@pytest.fixture
def review(cable: Cable, alice: User, bob: User) -> Review:
    return review_in(S.IN_REVIEW, cable, alice, bob)


def page(client: Client, user: User, review: Review) -> str:
    client.force_login(user)
    r = client.get(f"/reviews/{review.pk}/")
    assert r.status_code == 200
    return r.content.decode()


def preview(html: str) -> str:
    """The preview element alone."""
    m = re.search(r'<section class="preview" id="preview".*?</section>', html, re.S)
    assert m, "no preview on the page"
    return m.group(0)


def test_it_shows_the_review_to_its_reviewer(client: Client, alice: User, review: Review) -> None:
    html = page(client, alice, review)
    assert "09ANKARA100" in html
    assert 'class="banner level-S"' in html
    assert "TALKS WITH THE MINISTER" in html
    assert "Minister Ali Bey said the border would reopen in May." in html
    assert "<strong>0 of 3</strong> portions decided" in html
    assert f'action="/reviews/{review.pk}/portions/2/decision/"' in html
    assert "js/review.js" in html


@pytest.mark.parametrize("who", ["bob", "erin", "frank"])
def test_other_roles_read_it_without_controls(client: Client, review: Review, who: str, request) -> None:  # type: ignore[no-untyped-def]
    html = page(client, request.getfixturevalue(who), review)
    assert "Minister Ali Bey" in html
    assert "/decision/" not in html
    assert "Read only" in html


def test_it_hides_the_review_from_outsiders(client: Client, carol: User, review: Review) -> None:
    client.force_login(carol)
    assert client.get(f"/reviews/{review.pk}/").status_code == 404
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action) == (carol, "access.denied")


def test_it_hides_the_review_from_users_not_cleared(client: Client, dave: User, review: Review) -> None:
    client.force_login(dave)
    assert client.get(f"/reviews/{review.pk}/").status_code == 404


def test_a_cleared_reviewer_sees_a_confidential_review(client: Client, dave: User, bob: User) -> None:
    cable = make_cable(
        "09ANKARA200", portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": "x"}]
    )
    review = review_in(S.IN_REVIEW, cable, dave, bob)
    html = page(client, dave, review)
    assert f'action="/reviews/{review.pk}/portions/1/decision/"' in html


def test_it_sends_anonymous_users_to_login(client: Client, review: Review) -> None:
    r = client.get(f"/reviews/{review.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_a_missing_review_is_404(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get("/reviews/999999/").status_code == 404


def test_get_changes_nothing(client: Client, alice: User, cable: Cable, bob: User) -> None:
    review = review_in(S.ASSIGNED, cable, alice, bob)
    client.force_login(alice)  # signing in is audited
    events = AuditEvent.objects.count()
    assert client.get(f"/reviews/{review.pk}/").status_code == 200
    review.refresh_from_db()
    assert review.state == S.ASSIGNED
    assert AuditEvent.objects.count() == events


# -- transition buttons: only those the server would run -----------------------------------------


def test_the_assigned_reviewer_may_start(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.ASSIGNED, cable, alice, bob)
    assert f'action="/reviews/{review.pk}/start/"' in page(client, alice, review)
    assert f'action="/reviews/{review.pk}/start/"' not in page(client, bob, review)


def test_submit_shows_once_every_portion_is_decided(client: Client, alice: User, review: Review) -> None:
    html = page(client, alice, review)
    assert "/submit/" not in html
    assert "Decide every portion to submit" in html
    decide_all(review, alice)
    html = page(client, alice, review)
    assert f'action="/reviews/{review.pk}/submit/"' in html
    assert "<strong>3 of 3</strong> portions decided" in html


def test_refer_shows_when_a_portion_is_referred(client: Client, alice: User, review: Review) -> None:
    assert "/refer/" not in page(client, alice, review)
    p1 = review.cable.portions.get(label="1")
    actions.decide(review, p1, DecisionRequest("refer", ("1.4(c)",), "CIA equity", agency="CIA"), actor=alice)
    html = page(client, alice, review)
    assert f'action="/reviews/{review.pk}/refer/"' in html
    assert "REFERRED to CIA" in html


def test_a_returned_review_shows_resume_and_the_comments(
    client: Client, alice: User, bob: User, cable: Cable
) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    actions.return_review(
        review, actor=bob, note="Look again at names.", portion_comments={2: "Ali Bey is a source."}
    )
    html = page(client, alice, review)
    assert f'action="/reviews/{review.pk}/resume/"' in html
    overall = html.index("Look again at names.")
    assert overall < html.index('id="portion-1"')
    # The portion comment sits inside its portion's section.
    section = html[html.index('id="portion-2"') : html.index('id="portion-3"')]
    assert "Ali Bey is a source." in section
    # The return map: the overall comment's summary lists and links each commented portion.
    summary = html[html.index('id="return-map"') : html.index('id="portion-1"')]
    assert '<a href="#portion-2">Paragraph 1</a>: Ali Bey is a source.' in summary
    assert "/resume/" not in page(client, bob, review)


def test_a_referred_review_offers_the_answer_form(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    assert f'action="/reviews/{review.pk}/referral/"' in page(client, alice, review)
    assert f'action="/reviews/{review.pk}/referral/"' in page(client, bob, review)
    assert "/referral/" not in page(client, erin, review)


# -- decisions shown, preview never leaks ---------------------------------------------------------


def test_the_preview_never_shows_withheld_or_excised_text(
    client: Client, alice: User, review: Review
) -> None:
    header, p1, p2 = review.cable.portions.all()
    actions.decide(review, header, RELEASE, actor=alice)
    actions.decide(review, p1, WITHHOLD_B1, actor=alice)
    span = DecisionRequest("excise", (), "a judgment", spans=(SpanRequest(4, 11, ("B5",)),))
    actions.decide(review, p2, span, actor=alice)
    html = page(client, alice, review)
    shown = preview(html)
    assert "TALKS WITH THE MINISTER" in shown
    assert "Minister" not in shown.replace("TALKS WITH THE MINISTER", "")
    assert "border" not in shown
    assert "weather" not in shown
    assert "The " in shown and " was fine." in shown
    assert "B1, 1.4(D)" in shown and "B5" in shown  # as the copies cite them
    assert "RELEASE IN PART" in shown
    # The reviewer's own column shows the original, with the span boxed and the portion withheld.
    assert '<mark class="excised" title="excised under B5" data-sr="excised, B5:">weather</mark>' in html
    assert "WITHHELD B1, 1.4(d)" in html
    assert 'data-spans="4:11:B5"' in html


def test_the_preview_shows_undecided_portions_withheld(client: Client, alice: User, review: Review) -> None:
    shown = preview(page(client, alice, review))
    assert "NOT YET DECIDED" in shown
    assert "Minister" not in shown and "weather" not in shown
    assert "INCOMPLETE" in shown


def test_a_released_cable_previews_in_full(client: Client, alice: User, review: Review) -> None:
    decide_all(review, alice)
    shown = preview(page(client, alice, review))
    assert "RELEASE IN FULL" in shown
    assert "Minister Ali Bey said the border would reopen in May." in shown


def test_the_original_text_is_rendered_exactly(client: Client, alice: User, bob: User) -> None:
    text = 'Summary: U.S.-Japan <b>cooperation</b>\n  is critical & "urgent".'
    cable = make_cable(
        "09ANKARA300", portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": text}]
    )
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    html = page(client, alice, review)
    m = re.search(r'data-portion-text data-spans="">(.*?)</div>', html, re.S)
    assert m
    from html import unescape

    assert unescape(m.group(1)) == text


# -- the code picker ------------------------------------------------------------------------------


def test_cable_codes_map_old_numbering() -> None:
    assert cable_codes(["1.5(b)", "1.4(d)", "1.5(d)"]) == ["B1", "1.4(b)", "1.4(d)"]
    assert cable_codes([]) == []


def test_the_picker_offers_the_cables_reasons_then_recent_codes(
    client: Client, alice: User, bob: User
) -> None:
    cable = make_cable(
        "09ANKARA400",
        reasons=["1.5(c)", "1.4(e)"],
        portions=[
            {"kind": "paragraph", "label": str(i), "level": "C", "text": "Some words here."} for i in (1, 2)
        ],
    )
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    actions.decide(
        review, cable.portions.get(order=1), DecisionRequest("withhold", ("B3 INA",), "visa"), actor=alice
    )
    html = page(client, alice, review)
    form = html[html.index('id="portion-2"') :]
    ticks = re.findall(r'<input type="checkbox" name="codes" value="([^"]+)"', form)
    assert ticks[:4] == ["B1", "1.4(c)", "1.4(e)", "B3 INA"]
    assert "from the cable" in form and "recent" in form
    # Every code not ticked is in the list box, once.
    more = re.search(r'id="p2-more-codes".*?</select>', form, re.S)
    assert more and "B9" in more.group(0) and "B3 INA" not in more.group(0)


# -- query count ----------------------------------------------------------------------------------


def _big_review(n: int, alice: User, bob: User) -> Review:
    portions = [
        {
            "kind": "paragraph",
            "label": str(i),
            "marking": "S",
            "level": "S",
            "text": f"Paragraph {i} names Ali Bey.",
        }
        for i in range(1, n + 1)
    ]
    cable = make_cable(f"09BIG{n}", level="S", classification="SECRET", reasons=["1.4(d)"], portions=portions)
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    for portion in cable.portions.all():
        if portion.order % 3 == 0:
            request = DecisionRequest("excise", (), "a name", spans=(SpanRequest(0, 9, ("B6",)),))
        elif portion.order % 3 == 1:
            request = WITHHOLD_B1
        else:
            request = RELEASE
        actions.decide(review, portion, request, actor=alice)
    return review


def _queries(client: Client, user: User, review: Review) -> int:
    """The queries of a view after the first: a cable's first view also reads, and writes, its
    names and suggestions in the shared cache (aids.suggest.cable_aids), a few queries more."""
    client.force_login(user)
    assert client.get(f"/reviews/{review.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/reviews/{review.pk}/").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_query_count_does_not_grow_with_portions(
    client: Client,
    alice: User,
    bob: User,
    who: str,
    request,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    small, big = _big_review(3, alice, bob), _big_review(40, alice, bob)
    # A redaction rule switched on, matching in every released portion (review/rules.py).
    content = rules.check_content("terms", terms="Ali Bey", codes=["B6"], justification="a name")
    rules.switch_rule(rules.create_rule(actor=bob, name="Ali Bey", content=content), actor=bob, enabled=True)
    user = request.getfixturevalue(who)
    client.force_login(user)
    # The first view of a cable also reads its names and suggestions from the shared cache, misses,
    # and writes them (a savepoint, the cache's size, the key, the insert, the release): 6 more.
    with django_assert_max_num_queries(22 + 6):
        client.get(f"/reviews/{big.pk}/")
    with django_assert_max_num_queries(22):
        client.get(f"/reviews/{big.pk}/")
    assert _queries(client, user, small) == _queries(client, user, big)


def test_bidi_controls_in_the_review_portion_text_are_wrapped_and_neutralised(
    client: Client, alice: User, bob: User
) -> None:
    # Issue 12, finding 10: the review page's own portion text keeps each bidi control (the script
    # counts span offsets in it) but wraps it in an element the stylesheet isolates and labels with
    # its code point, in released text and inside an excised span alike.
    text = "Passed by \u202eAli Bey\u202c to <the> embassy \u2067today\u2069."
    cable = make_cable("09PARIS8", portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": text}])
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    start, end = text.index("embassy"), text.index("\u2069")
    request = DecisionRequest("excise", (), "a place", spans=(SpanRequest(start, end, ("B6",)),))
    actions.decide(review, cable.portions.get(), request, actor=alice)

    html = page(client, alice, review)
    m = re.search(r'<div class="portion-text rportion-text" id="portion-1-text"[^>]*>(.*?)</div>', html, re.S)
    assert m, "no portion text"
    shown = m.group(1)
    for control in "\u202e\u202c\u2067\u2069":
        wrapped = f'<span class="bidi-control" data-mark="⟨U+{ord(control):04X}⟩">{control}</span>'
        assert shown.count(wrapped) == 1, control
        assert shown.count(control) == 1  # never a bare control
    # Taking the markup away gives back exactly the stored text: the offsets still count it.
    assert re.sub(r"<[^>]+>", "", shown).replace("&lt;", "<").replace("&gt;", ">") == text
    assert (
        '<mark class="excised" title="excised under B6" data-sr="excised, B6:">embassy '
        '<span class="bidi-control" data-mark="⟨U+2067⟩">\u2067</span>today</mark>'
    ) in shown
    css = (Path(__file__).resolve().parents[2] / "static/css/declass.css").read_text()
    assert re.search(r"\.bidi-control \{[^}]*unicode-bidi: isolate", css)
    assert re.search(r"\.bidi-control::before \{[^}]*content: attr\(data-mark\)", css)


def test_every_value_a_portion_shows_is_escaped(client: Client, alice: User, bob: User) -> None:
    # The portions are written in Python (review/templatetags/review_portion.py), not by the
    # template engine's autoescaping: markup in a cable's text, a marking, a justification, an
    # agency or the values of a refused post must reach the page as text.
    hostile = MARKUP
    cable = cable_with_markup(
        "09ANKARA666", {"kind": "paragraph", "label": "2", "level": "U", "marking": "U", "text": "Two."}
    )
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    first, second = cable.portions.order_by("order")
    referral = DecisionRequest("refer", ("B1", "1.4(d)"), f"why {hostile}", f"A{hostile}")
    actions.decide(review, first, referral, actor=alice)
    client.force_login(alice)
    r = client.post(
        f"/reviews/{review.pk}/portions/{second.order}/decision/",
        {"kind": "excise", "justification": hostile, "agency": hostile, "spans": [hostile], "start": '"><i>'},
    )
    html = client.get(r.url if r.status_code == 302 else f"/reviews/{review.pk}/").content.decode()
    assert "<script>" not in html.split("</header>", 1)[1].replace('<script src="', "")
    assert "<b>" not in html and "<i>" not in html
    assert f"One {MARKUP_ESCAPED}." in html
    assert "S&lt;b&gt;" in html  # the marking in the badge
    assert f"A{escape(hostile)}" in html  # the agency in the decision's label and the form
