"""The access matrix (issue 12, done-when 2): every URL of the project, with its arguments filled by
the ids of a SECRET cable and of everything about it, asked with GET and POST by an anonymous
visitor, by each role cleared only to CONFIDENTIAL, and by a TOP SECRET user.

No response to a CONFIDENTIAL user may contain the cable's reference id, its subject or any of its
portion texts (nor any of their code words, which catch a shortened snippet), and no response to
anyone may be a 500. The public reading room serves the released copy, which is public by design:
there only what the release withheld must not appear.

The URL patterns are walked from the resolver (tests/test_anonymous_urls.py's walk and fill), the
admin and every included app with them, so a new URL is in the matrix the day it is added. Each
argument is filled from ARGUMENTS (and the admin's object ids from ADMIN_OBJECTS); an argument or an
admin model that neither knows fails the test with its name, so that no URL is silently skipped.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import HttpResponseBase
from django.test import Client
from django.urls import get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Profile
from accounts.roles import AUDITOR, RELEASER, REVIEWER, SUPERVISOR
from audit.models import AuditEvent
from cables import export
from cables.models import Cable, CableReference, CableTag, Portion
from cases import actions as case_actions
from cases.models import Case, Consultation, ConsultationItem, LetterTemplate
from jobs.models import Job
from quality import actions as quality_actions
from quality import dashboard
from quality.models import QualitySample
from review import actions, rules
from review.decisions import DecisionRequest
from review.models import Comment, Decision, ExemptionCode, RedactionRule, ReleaseCopy, Review
from tests.conftest import make_cable, make_user
from tests.jobs.conftest import INGEST_FIXTURES, make_zip, run_worker
from tests.test_anonymous_urls import fill, walk

REFERENCE_ID = "09VADUZ4471"
SUBJECT = "NIGHTJAR CONSULTATIONS ON THE NORTHERN CORRIDOR"
# (label, level, text, decision): each text carries a code word found nowhere else.
PORTIONS = [
    ("SUBJECT", "S", SUBJECT, "release"),
    ("1", "S", "KESTREL MET THE DEPUTY MINISTER IN VADUZ ON TUESDAY AND NAMED TWO OFFICERS", "withhold"),
    ("2", "C", "WAXWING SETTLED THE ACCOUNT WITH THE LOCAL CONTRACTOR BEFORE NOON", "release"),
    ("3", "U", "PTARMIGAN NOTES THAT THE WEATHER DELAYED THE CONVOY BY ONE DAY", "release"),
]
CODE_WORDS = ["NIGHTJAR", "KESTREL", "WAXWING", "PTARMIGAN"]
WITHHELD = [PORTIONS[1][2], "KESTREL"]
PUBLIC_PREFIXES = ("/reading-room/",)  # the released copy is public: only WITHHELD is secret there
METHODS = ("get", "post")


@dataclass
class World:
    """The SECRET cable and everything about it."""

    cable: Cable
    reviews: list[Review]  # the released first round, the second round pending approval
    copies: list[ReleaseCopy]
    samples: list[QualitySample]
    jobs: list[Job]  # an upload (which named the cable) and an export (which holds its copy)
    events: list[AuditEvent]
    cases: list[Case] = field(default_factory=list)  # a request case holding the cable
    users: dict[str, User] = field(default_factory=dict)
    devices: list[TOTPDevice] = field(default_factory=list)  # a two-factor authenticator
    # Redaction rules: one for the cable (its code word), one for every cable at CONFIDENTIAL
    # whose preview would quote the cable.
    rules: list[RedactionRule] = field(default_factory=list)


# Which fixture ids fill each URL argument, by the route's first path segment and the argument's
# name (the <converter:name> or (?P<name>...) of the pattern). An argument not here fails the test.
ARGUMENTS: dict[tuple[str, str], Callable[[World], list[Any]]] = {
    ("cables", "reference_id"): lambda w: [w.cable.reference_id],
    ("reading-room", "reference_id"): lambda w: [w.cable.reference_id],
    ("reading-room", "version"): lambda w: [c.version for c in w.copies],
    ("releases", "reference_id"): lambda w: [w.cable.reference_id],
    ("releases", "version"): lambda w: [c.version for c in w.copies],
    ("reviews", "pk"): lambda w: [r.pk for r in w.reviews],
    ("reviews", "order"): lambda w: [p.order for p in w.cable.portions.all()],
    # a decision to apply elsewhere: one of each round (the rest repeat the same checks)
    ("reviews", "decision"): lambda w: [r.decisions.order_by("pk").first().pk for r in w.reviews],
    ("approvals", "pk"): lambda w: [r.pk for r in w.reviews],
    ("quality", "pk"): lambda w: [s.pk for s in w.samples],
    ("quality", "review_pk"): lambda w: [r.pk for r in w.reviews],
    ("jobs", "pk"): lambda w: [j.pk for j in w.jobs],
    ("rules", "pk"): lambda w: [r.pk for r in w.rules],
    ("dashboard", "figure"): lambda w: dashboard.FIGURES,
    # A request case holding the SECRET cable (cases/), and its document.
    ("cases", "pk"): lambda w: [c.pk for c in w.cases],
    ("cases", "doc"): lambda w: [d.pk for c in w.cases for d in c.documents.all()],
    ("cases", "cid"): lambda w: [k.pk for c in w.cases for k in c.consultations.all()],
    # The admin: its model pages take ADMIN_OBJECTS' ids (admin_fillings); these are the others.
    ("admin", "id"): lambda w: [w.users["tess"].pk],  # auth/user/<id>/password/
    ("admin", "pk"): lambda w: [d.pk for d in w.devices],  # otp_totp/totpdevice/<pk>/config/
    ("admin", "app_label"): lambda w: sorted({m._meta.app_label for m in admin.site._registry}),
    ("admin", "url"): lambda w: [f"cables/cable/{w.cable.pk}", f"review/review/{w.reviews[0].pk}", "no/"],
}


# The objects each admin model page is asked about (object_id), by model label: every model the
# admin registers must be here; the SECRET cable's own objects where it has them.
ADMIN_OBJECTS: dict[str, Callable[[World], list[Any]]] = {
    "cables.cable": lambda w: [w.cable.pk],
    "cables.portion": lambda w: list(w.cable.portions.values_list("pk", flat=True)),
    "cables.cabletag": lambda w: list(CableTag.objects.filter(cable=w.cable).values_list("pk", flat=True)),
    "cables.cablereference": lambda w: list(
        CableReference.objects.filter(cable=w.cable).values_list("pk", flat=True)
    ),
    "review.review": lambda w: [r.pk for r in w.reviews],
    # one decision of each round, the first and last events (the others repeat the same checks)
    "review.decision": lambda w: [Decision.objects.filter(review=r).order_by("pk")[0].pk for r in w.reviews],
    "audit.auditevent": lambda w: [w.events[0].seq, w.events[-1].seq],
    "quality.qualitysample": lambda w: [s.pk for s in w.samples],
    "review.exemptioncode": lambda w: [ExemptionCode.objects.get(code="B6").pk],
    "accounts.profile": lambda w: [Profile.objects.get(user=w.users["tess"]).pk],
    "auth.user": lambda w: [w.users["tess"].pk],
    "auth.group": lambda w: [Group.objects.get(name=SUPERVISOR).pk],
    "jobs.job": lambda w: [j.pk for j in w.jobs],
    "django_tasks_database.dbtaskresult": lambda w: [j.task_id for j in w.jobs],
    "otp_totp.totpdevice": lambda w: [d.pk for d in w.devices],
    "cases.lettertemplate": lambda w: list(LetterTemplate.objects.values_list("pk", flat=True)),
}

# The admin's "view on site" shortcut (admin/r/<content type>/<object id>/): every object about the
# cable, with its content type.
VIEW_ON_SITE: list[type[Model]] = [
    Cable,
    Portion,
    Review,
    Decision,
    Comment,
    ReleaseCopy,
    QualitySample,
    AuditEvent,
    Job,
]


def _objects_of(world: World, model: type[Model]) -> list[Any]:
    label = model._meta.label_lower
    if label in ADMIN_OBJECTS:
        return ADMIN_OBJECTS[label](world)
    if model is Comment:
        return list(Comment.objects.filter(review__in=world.reviews).values_list("pk", flat=True))
    if model is ReleaseCopy:
        return [c.pk for c in world.copies]
    raise AssertionError(f"no ids for {label}")


_ARGUMENT = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>")


def arguments_of(route: str) -> list[str]:
    return [m.group("name") or m.group("group") for m in _ARGUMENT.finditer(route)]


def fillings(route: str, world: World) -> list[dict[str, str]]:
    """Every combination of ids the route is asked with; AssertionError naming what is unknown."""
    names = arguments_of(route)
    if not names:
        return [{}]
    segment = route.split("/", 1)[0]
    if route.startswith("admin/r/"):
        return [
            {"content_type_id": str(ContentType.objects.get_for_model(model).pk), "object_id": str(pk)}
            for model in VIEW_ON_SITE
            for pk in _objects_of(world, model)
        ]
    if segment == "admin" and "object_id" in names:
        app_label, model_name = route.split("/")[1:3]
        label = f"{app_label}.{model_name}"
        assert label in ADMIN_OBJECTS, f"{route}: the admin's {label} has no ids in ADMIN_OBJECTS"
        return [{"object_id": str(pk)} for pk in ADMIN_OBJECTS[label](world)]
    values = []
    for name in names:
        key = (segment, name)
        assert key in ARGUMENTS, f"{route}: no fixture fills <{name}> (add {key} to ARGUMENTS)"
        ids = ARGUMENTS[key](world)
        assert ids, f"{route}: ARGUMENTS{key} gave no ids"
        values.append([str(v) for v in ids])
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


# -- the world --------------------------------------------------------------------------------------


def _decide(review: Review, actor: User) -> None:
    for portion in review.cable.portions.all():
        label = portion.label
        kind = next(k for lab, _, _, k in PORTIONS if lab == label)
        withhold = DecisionRequest(kind, ("B1", "1.4(d)"), "names a source")
        request = withhold if kind == "withhold" else DecisionRequest(kind)
        actions.decide(review, portion, request, actor=actor)


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Path) -> World:
    settings.DECLASS_JOBS_DIR = str(tmp_path / "jobs")
    alice = make_user("alice", REVIEWER)  # TOP SECRET throughout
    bob = make_user("bob", SUPERVISOR)
    erin = make_user("erin", RELEASER)
    vera = make_user("vera", SUPERVISOR)
    cable = make_cable(
        REFERENCE_ID,
        level="S",
        classification="SECRET",
        subject=SUBJECT,
        origin="AMEMBASSY VADUZ",
        tags=["PREL", "LS"],
        references=[("A", "VADUZ 4400", "09VADUZ4400")],
        portions=[
            {
                "kind": "header" if label == "SUBJECT" else "paragraph",
                "label": label,
                "marking": level,
                "level": level,
                "text": text,
            }
            for label, level, text, _ in PORTIONS
        ],  # fmt: skip
    )
    # Round 1: decided, returned with comments, decided again, approved, released.
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    _decide(review, alice)
    review = actions.submit(review, actor=alice)
    portion = cable.portions.get(label="1")
    comments = {portion.order: "KESTREL again."}
    note = f"Say why {PORTIONS[1][2]}."
    review = actions.return_review(review, actor=bob, note=note, portion_comments=comments)
    review = actions.resume(review, actor=alice)
    review = actions.submit(review, actor=alice)
    review = actions.approve(review, actor=bob)
    review = actions.release(review, actor=erin)
    # A quality sample (TOP SECRET) of it.
    sample = quality_actions.draw_sample(actor=vera, percent=100, seed=1)
    # Round 2, pending approval.
    second = actions.open_review(cable, actor=bob)
    second = actions.assign(second, actor=bob, reviewer=alice)
    second = actions.start(second, actor=alice)
    _decide(second, alice)
    second = actions.submit(second, actor=alice)
    # An upload that names the cable (a member under its reference id, other text), and an export.
    client = Client()
    client.force_login(bob)
    member = (INGEST_FIXTURES / "09TOKYO101.txt").read_bytes()
    upload = make_zip({f"{REFERENCE_ID}.txt": member})
    assert client.post("/jobs/upload/", {"file": upload}).status_code == 302
    client.force_login(erin)
    assert client.post("/jobs/export/").status_code == 302
    run_worker()
    # A FOIA case holding the cable (its open second round), with the office's letter template.
    request = case_actions.open_case(
        actor=bob, kind="F", request_text="Cables on the corridor talks", received_on=date(2026, 1, 5),
        requester_name="Jane Doe",
    )  # fmt: skip
    case_actions.attach(request, cable, actor=bob)
    LetterTemplate.objects.create(name="standard", body="Dear $requester_name: $summary $appeal")
    # A consultation package holding the withheld paragraph (made directly: the round is not referred).
    package = Consultation.objects.create(
        case=request, agency="CIA", sent_on=date(2026, 1, 6), due_on=date(2026, 2, 3), sent_by=bob,
        access_rank=cable.access_rank,
    )  # fmt: skip
    ConsultationItem.objects.create(
        consultation=package, review=second, portion=cable.portions.get(label="1")
    )
    world = World(
        cable=cable,
        reviews=[review, second],
        copies=list(ReleaseCopy.objects.filter(cable=cable)),
        samples=[sample],
        jobs=list(Job.objects.order_by("pk")),
        events=list(AuditEvent.objects.filter(cable_ref=REFERENCE_ID).order_by("seq")),
        cases=[request],
    )
    assert len(world.jobs) == 2 and world.copies and world.events
    content = rules.check_content("terms", terms="KESTREL", codes=["B6"], justification="a name")
    world.rules = [rules.create_rule(actor=bob, name="A source", content=content, cable=cable)]
    content = rules.check_content("terms", terms="convoy", codes=["B6"], justification="a route")
    world.rules.append(rules.create_rule(actor=bob, name="Convoys", content=content, level="C"))
    assert rules.preview(world.rules[1], world.rules[1].current(), bob).cables == 1
    assert Comment.objects.filter(review=review).exists()
    world.users = {
        "reviewer (C)": make_user("cliff", REVIEWER, clearance="C"),
        "supervisor (C)": make_user("cass", SUPERVISOR, clearance="C"),
        "releaser (C)": make_user("cleo", RELEASER, clearance="C"),
        "auditor (C)": make_user("cora", AUDITOR, clearance="C"),
        "staff/admin (C)": make_admin("carl", clearance="C"),
        "tess": make_admin("tess", clearance="TS"),
    }
    # Someone's authenticator (not a viewer's: a viewer with one would be asked for its code first).
    otto = make_user("otto", REVIEWER)
    world.devices = [TOTPDevice.objects.create(user=otto, name="phone", confirmed=True)]
    return world


def make_admin(username: str, clearance: str) -> User:
    user = make_user(username, clearance=clearance)
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


# -- reading a response -------------------------------------------------------------------------------


def body_text(response: HttpResponseBase) -> str:
    """Everything a response tells: headers, and its body as text (a PDF's text extracted, a zip's
    member names and contents)."""
    streamed = response.streaming
    data = b"".join(response.streaming_content) if streamed else response.content  # type: ignore[attr-defined]
    parts = [f"{k}: {v}" for k, v in response.items()]
    parts.append(_readable(data, response.get("Content-Type", "")))
    return "\n".join(parts)


def _readable(data: bytes, content_type: str) -> str:
    if data.startswith(b"%PDF") or "pdf" in content_type:
        return export.extract("pdf", data)
    if data.startswith(b"PK\x03\x04") or "zip" in content_type:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                f"{info.filename}\n{_readable(archive.read(info), '')}" for info in archive.infolist()
            )
    return data.decode("utf-8", "replace")


def unechoed(text: str, path: str) -> str:
    """The text without the requested path, which a response may repeat (a login redirect's
    ?next=): what the requester sent discloses nothing to them."""
    for form in (path, quote(path), quote(path, safe="")):
        text = text.replace(form, "")
    return text


def secrets_for(path: str) -> list[str]:
    if path.startswith(PUBLIC_PREFIXES):
        return WITHHELD
    return [REFERENCE_ID, SUBJECT, *(text for _, _, text, _ in PORTIONS), *CODE_WORDS]


def requests(world: World) -> Iterator[tuple[str, str]]:
    """(method, path) of every URL of the project with every filling of its arguments."""
    for route, _ in walk(get_resolver().url_patterns):
        for values in fillings(route, world):
            path = fill(route, values)
            for method in METHODS:
                yield method, path


# -- the matrix ---------------------------------------------------------------------------------------


# Each viewer walks every URL in its own test (and its own world), so that the suite's processes
# share the walk; the TOP SECRET admin's POSTs change nothing another viewer sees.
VIEWERS = [
    "anonymous",
    "reviewer (C)",
    "supervisor (C)",
    "releaser (C)",
    "auditor (C)",
    "staff/admin (C)",
    "TOP SECRET admin",
]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_url_shows_a_secret_cable_to_a_confidential_user_and_none_fails(world: World, viewer: str) -> None:
    asked = list(requests(world))
    assert len({path for _, path in asked}) > 100  # the walk reached the admin and every app
    assert set(VIEWERS) == {"anonymous", "TOP SECRET admin", *world.users} - {"tess"}  # every viewer
    named = {"anonymous": None, "TOP SECRET admin": world.users["tess"]}
    user = named[viewer] if viewer in named else world.users[viewer]
    leaks: list[str] = []
    errors: list[str] = []
    client = Client(raise_request_exception=False)
    for method, path in asked:
        if user is not None and "_auth_user_id" not in client.session:
            client.force_login(user)  # again after a logout URL
        response = getattr(client, method)(path)
        if response.status_code >= 500:
            errors.append(f"{viewer}: {method.upper()} {path} answered {response.status_code}")
            continue
        if viewer == "TOP SECRET admin":
            continue
        text = unechoed(body_text(response), path)
        found = [s for s in secrets_for(path) if s in text]
        if found:
            leaks.append(f"{viewer}: {method.upper()} {path} ({response.status_code}) shows {found[0]!r}")
    assert errors == [], "\n".join(errors)
    assert leaks == [], f"{len(leaks)} responses show the SECRET cable:\n" + "\n".join(leaks)


def test_the_same_urls_show_the_secret_cable_to_a_top_secret_user(world: World) -> None:
    """The twin of the matrix: the needles it looks for are the right ones."""
    client = Client()
    client.force_login(world.users["tess"])
    assert REFERENCE_ID in client.get(f"/cables/{REFERENCE_ID}/").content.decode()
    assert PORTIONS[1][2] in client.get(f"/reviews/{world.reviews[1].pk}/").content.decode()
    assert REFERENCE_ID in client.get(f"/cases/{world.cases[0].pk}/").content.decode()
    package = world.cases[0].consultations.get()
    assert (
        PORTIONS[1][2]
        in client.get(f"/cases/{world.cases[0].pk}/consultations/{package.pk}/package.json").content.decode()
    )


def test_an_argument_nothing_fills_fails_the_matrix(world: World) -> None:
    with pytest.raises(AssertionError, match=r"no fixture fills <slug>"):
        fillings("reviews/<int:pk>/tabs/<slug:slug>/", world)
    with pytest.raises(AssertionError, match=r"the admin's review\.newthing has no ids"):
        fillings("admin/review/newthing/<path:object_id>/change/", world)
