"""Page benchmark: declass under gunicorn, as in production, driven over HTTP by 20 simulated users.

    .venv/bin/python bench/pages.py [--database-url URL] [--users 20] [--seconds 60]
                                    [--requests 4000] [--think 0.5] [--workers 5]

The database defaults to the one bench/scale.py leaves behind (var/scale.sqlite3, the whole
release); bench/scale.py --keep-postgres leaves postgres://postgres@127.0.0.1:5432/declass_scale.
It seeds, directly and quickly (bulk_create, not through review.actions, so without audit events
for the seeding itself):

- 10 reviewers, 5 supervisors and 5 readers (the 20 users), all cleared to TOP SECRET;
- 1,000 reviews in every state (8,000; case numbers F-2025-NNNNN, removed and made again on each
  run), with a decision on every portion of the reviews that have been decided (half the portions
  of those in review, one portion referred to an agency for the referred ones), every fourth
  portion withheld under the first exemption code, the others released.

Then it runs `collectstatic` and `gunicorn config.wsgi` (STATIC_MANIFEST=1, on 127.0.0.1 and a free
port), and each simulated user logs in through the login form (CSRF cookie and token) and works
until the run's time or request budget is spent, pausing a random 0 to 2 x --think seconds between
requests:

- a reviewer: the home page, the queue, one of their reviews in review, a decision posted on one
  of its portions;
- a supervisor: the approval queue, a pending review's approval page, its approval;
- a reader: the cable list searched for a word, a cable's page.

It prints requests/s and p50/p95/p99 per page. Only 127.0.0.1 is used; the load generator runs on
the same machine as the server and takes some of its CPU.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SCALE_SQLITE = ROOT / "var" / "scale.sqlite3"
PER_STATE = 1000
CASE_PREFIX = "F-2025-"
PASSWORD = "bench-" + secrets.token_urlsafe(12)
SEARCH_WORDS = ["nuclear", "election", "oil", "corruption", "terrorism", "visit", "human rights", "trade"]
TARGETS = {"decision": 0.200, "approve": 0.200}  # the posts; every page: 0.150
PAGE_TARGET = 0.150
# --alone: a supervisor cleared to SECRET, for the pages whose queries differ below TOP SECRET.
SECRET_SUPERVISOR = "bench-secret-supervisor"


# -- seeding (in this process, with Django) ---------------------------------------------------


def seed(
    reviewers: int, supervisors: int, readers: int, per_state: int, releasers: int = 1, auditors: int = 1
) -> dict[str, object]:
    """Users and 1,000 reviews in every state; returns what the simulated users work on."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from accounts.models import Profile
    from accounts.roles import AUDITOR, RELEASER, REVIEWER, SUPERVISOR
    from cables.models import Cable, Portion
    from review.models import Decision, ExemptionCode, Review

    S = Review.State
    started = time.perf_counter()
    password = make_password(PASSWORD)  # hashed once, shared by every bench user
    names = (
        [(f"bench-reviewer-{i:02d}", REVIEWER) for i in range(reviewers)]
        + [(f"bench-supervisor-{i:02d}", SUPERVISOR) for i in range(supervisors)]
        + [(f"bench-reader-{i:02d}", REVIEWER) for i in range(readers)]
        + [(f"bench-releaser-{i:02d}", RELEASER) for i in range(releasers)]
        + [(f"bench-auditor-{i:02d}", AUDITOR) for i in range(auditors)]
        + [(SECRET_SUPERVISOR, SUPERVISOR)]
    )
    users: dict[str, User] = {}
    with transaction.atomic():
        for username, role in names:
            user, _ = User.objects.update_or_create(username=username, defaults={"password": password})
            clearance = "S" if username == SECRET_SUPERVISOR else "TS"
            Profile.objects.update_or_create(user=user, defaults={"clearance": clearance})
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
    rev = [users[n] for n, _ in names if n.startswith("bench-reviewer")]
    sup = [users[n] for n, _ in names if n.startswith("bench-supervisor")]

    with transaction.atomic():
        # The reviews a run released keep their copies, which are immutable (review 0005), and so
        # stay themselves: a later run's reviews take other cables and the case numbers after them.
        old = Review.objects.filter(case_number__startswith=CASE_PREFIX, release_copy__isnull=True)
        Decision.codes.through.objects.filter(decision__review__in=old).delete()
        Decision.objects.filter(review__in=old).delete()
        old.delete()
    kept = Review.objects.filter(case_number__startswith=CASE_PREFIX).values_list("case_number", flat=True)
    first = max((int(c.removeprefix(CASE_PREFIX)) for c in kept), default=0) + 1
    states = [
        S.NEW,
        S.ASSIGNED,
        S.IN_REVIEW,
        S.REFERRED,
        S.PENDING_APPROVAL,
        S.RETURNED,
        S.APPROVED,
        S.RELEASED,
    ]
    count = per_state * len(states)
    # Cables with no review yet, spread over the whole table (every stored cable has portions).
    total = Cable.objects.count()
    step = max(total // (count * 2), 1)
    candidates = Cable.objects.filter(reviews__isnull=True).order_by("pk").values_list("pk", flat=True)
    cable_ids = list(candidates.iterator())[::step][:count]
    if len(cable_ids) < count:
        raise SystemExit(f"only {len(cable_ids)} cables without a review; {count} needed")
    random.Random(6).shuffle(cable_ids)

    now = time.time()
    from datetime import UTC, datetime, timedelta

    at = datetime.fromtimestamp(now, UTC)
    reviews = []
    for n, cable_id in enumerate(cable_ids):
        state = states[n // per_state]
        reviewer = rev[n % len(rev)] if state != S.NEW else None
        submitted = state in (S.PENDING_APPROVAL, S.RETURNED, S.APPROVED, S.RELEASED)
        approved = state in (S.APPROVED, S.RELEASED)
        created = at - timedelta(days=30, seconds=n)
        reviews.append(
            Review(
                cable_id=cable_id,
                round=1,
                case_number=f"{CASE_PREFIX}{first + n:05d}",
                state=state,
                reviewer=reviewer,
                opened_by=sup[0],
                submitted_by=reviewer if submitted else None,
                approved_by=sup[n % len(sup)] if approved else None,
                released_by=sup[0] if state == S.RELEASED else None,
                submitted_at=created + timedelta(days=1) if submitted else None,
                approved_at=created + timedelta(days=2) if approved else None,
                released_at=created + timedelta(days=3) if state == S.RELEASED else None,
            )
        )
    with transaction.atomic():
        Review.objects.bulk_create(reviews, batch_size=1000)
        # auto_now_add/auto_now stamped them all alike: spread them out as real queues are.
        stored = list(
            Review.objects.filter(case_number__in=[r.case_number for r in reviews]).order_by("case_number")
        )
        for n, review in enumerate(stored):
            review.created_at = review.updated_at = at - timedelta(days=30, seconds=n)
        Review.objects.bulk_update(stored, ["created_at", "updated_at"], batch_size=1000)

    portions: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, cable_id, order in (
        Portion.objects.filter(cable_id__in=cable_ids)
        .order_by("order")
        .values_list("pk", "cable_id", "order")
    ):
        portions[cable_id].append((pk, order))
    code = ExemptionCode.objects.order_by("order").first()
    decisions: list[Decision] = []
    withheld: list[int] = []  # indexes into decisions
    decided_states = (S.IN_REVIEW, S.REFERRED, S.PENDING_APPROVAL, S.RETURNED, S.APPROVED, S.RELEASED)
    for review in stored:
        if review.state not in decided_states:
            continue
        rows = portions[review.cable_id]
        if review.state == S.IN_REVIEW:
            rows = rows[: len(rows) // 2]
        for i, (portion_id, _order) in enumerate(rows):
            kind = Decision.Kind.RELEASE
            if review.state == S.REFERRED and i == 0:
                kind = Decision.Kind.REFER
            elif i % 4 == 3 and code is not None:
                kind = Decision.Kind.WITHHOLD
                withheld.append(len(decisions))
            decisions.append(
                Decision(
                    review=review,
                    portion_id=portion_id,
                    kind=kind,
                    justification="bench" if kind == Decision.Kind.WITHHOLD else "",
                    agency="DOD" if kind == Decision.Kind.REFER else "",
                    decided_by=review.reviewer,
                    decided_at=review.created_at,
                )
            )
    with transaction.atomic():
        Decision.objects.bulk_create(decisions, batch_size=2000)
        if code is not None:
            through = Decision.codes.through
            through.objects.bulk_create(
                [through(decision_id=decisions[i].pk, exemptioncode_id=code.pk) for i in withheld],
                batch_size=2000,
            )
    # As review.actions.submit (and release) would have: the conflicts of the pending and approved
    # reviews' decisions with released ones.
    from review.consistency import flag_release_conflicts

    flagged_at = time.perf_counter()
    flagged = flag_release_conflicts(
        Decision.objects.filter(
            review__in=[r.pk for r in stored if r.state in (S.PENDING_APPROVAL, S.APPROVED)]
        )
    )
    print(
        f"flagged {flagged:,} decisions pending approval or approved that conflict with a release "
        f"in {time.perf_counter() - flagged_at:.1f} s",
        flush=True,
    )
    work: dict[str, object] = {
        "in_review": defaultdict(list),  # reviewer username -> [(review pk, [portion orders])]
        "pending": defaultdict(list),  # supervisor username -> [review pk]
        "cables": [],
        "new": [r.pk for r in stored if r.state == S.NEW],
        "approved": [r.pk for r in stored if r.state == S.APPROVED],
        "all_pending": [r.pk for r in stored if r.state == S.PENDING_APPROVAL],
        "all_in_review": [],  # [(review pk, [portion orders])]
    }
    for review in stored:
        if review.state == S.IN_REVIEW:
            orders = [order for _pk, order in portions[review.cable_id]]
            work["in_review"][review.reviewer.username].append((review.pk, orders))  # type: ignore[index]
            work["all_in_review"].append((review.pk, orders))  # type: ignore[attr-defined]
        elif review.state == S.PENDING_APPROVAL:
            supervisor = sup[review.pk % len(sup)].username
            work["pending"][supervisor].append(review.pk)  # type: ignore[index]
    work["cables"] = list(
        Cable.objects.filter(pk__in=cable_ids[:2000]).values_list("reference_id", flat=True)
    )
    print(
        f"seeded {len(stored):,} reviews ({per_state:,} in each of {len(states)} states) and "
        f"{len(decisions):,} decisions with bulk_create in {time.perf_counter() - started:.1f} s "
        f"(of {total:,} cables)",
        flush=True,
    )
    return work


# -- the simulated users ------------------------------------------------------------------------


class Client:
    """One browser: a cookie jar and a CSRF token, over http.client (a new connection per request:
    gunicorn's sync workers close each one)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.timing: dict[str, float] = {}  # the last response's Server-Timing (bench/server_timing.py)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            self.timing = parse_timing(response.getheader("Server-Timing") or "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", text
        finally:
            conn.close()

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        status, location, _ = self.request("POST", "/login/", {"username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login of {username} failed: HTTP {status}")


def parse_timing(header: str) -> dict[str, float]:
    """'app;dur=12.3, cpu;dur=11.8' -> {'app': 12.3, 'cpu': 11.8}."""
    found = {}
    for metric in header.split(","):
        name, _, rest = metric.strip().partition(";dur=")
        if rest:
            found[name] = float(rest)
    return found


@dataclass
class Run:
    port: int
    deadline: float
    budget: int
    think: float
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0
    no_search: bool = False

    def take(self) -> bool:
        with self.lock:
            if self.issued >= self.budget or time.perf_counter() > self.deadline:
                return False
            self.issued += 1
            return True

    def hit(
        self,
        client: Client,
        page: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        expect: int = 200,
    ) -> bool:
        if not self.take():
            return False
        started = time.perf_counter()
        try:
            status, location, _ = client.request(method, path, form)
        except OSError as e:
            status, location = 0, str(e)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[page].append(elapsed)
            if status != expect:
                self.errors[page].append(f"{method} {path}: HTTP {status} {location}")
        if self.think:
            time.sleep(random.uniform(0, 2 * self.think))
        return True


def reviewer(run: Run, client: Client, reviews: list[tuple[int, list[int]]]) -> None:
    rng = random.Random()
    while True:
        pk, orders = rng.choice(reviews)
        kind = rng.choice(["release", "release", "release", "withhold"])
        form = (
            {"kind": kind, "codes": "B6", "justification": "bench"} if kind == "withhold" else {"kind": kind}
        )
        if not (
            run.hit(client, "home", "GET", "/")
            and run.hit(client, "queue", "GET", "/reviews/")
            and run.hit(client, "review", "GET", f"/reviews/{pk}/")
            and run.hit(
                client,
                "decision",
                "POST",
                f"/reviews/{pk}/portions/{rng.choice(orders)}/decision/",
                form,
                expect=302,
            )
        ):
            return


def supervisor(run: Run, client: Client, pending: list[int]) -> None:
    for pk in pending:
        if not (
            run.hit(client, "approvals", "GET", "/approvals/")
            and run.hit(client, "approval", "GET", f"/approvals/{pk}/")
            and run.hit(client, "approve", "POST", f"/reviews/{pk}/approve/", {"note": "bench"}, expect=302)
        ):
            return


def reader(run: Run, client: Client, cables: list[str]) -> None:
    rng = random.Random()
    while True:
        words = urlencode({"q": rng.choice(SEARCH_WORDS)})
        if not (
            (run.no_search or run.hit(client, "search", "GET", f"/cables/?{words}"))
            and run.hit(client, "cable", "GET", f"/cables/{rng.choice(cables)}/")
            and run.hit(client, "cable", "GET", f"/cables/{rng.choice(cables)}/")
        ):
            return


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# -- one request at a time (--alone) -------------------------------------------------------------

ALONE_TARGET = 50.0  # ms of server time at p95, every page and every post


@dataclass
class Timed:
    page: str
    user: str
    method: str
    paths: list[str]  # cycled through (a post takes each once)
    forms: list[dict[str, str]] | None = None
    expect: int = 200
    location: str = ""  # a post's redirect must start with this (else it was refused)
    app: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first: list[float] = field(default_factory=list)  # server time of each path's first request


def _posts(page: str, user: str, verb: str, reviews: list[int], form: dict[str, str], location: str) -> Timed:
    """The same form posted once to each review's /reviews/<pk>/<verb>/, each answered by a
    redirect to location."""
    paths = [f"/reviews/{pk}/{verb}/" for pk in reviews]
    return Timed(page, user, "POST", paths, [form] * len(paths), 302, location)


def alone_pages(work: dict[str, object], n: int, warm: int, user_ids: dict[str, int]) -> list[Timed]:
    """Every page and every post of the benchmark users, each with n + warm requests' worth of
    objects (a post changes each review once)."""
    k = n + warm
    rev = "bench-reviewer-00"
    mine = work["in_review"][rev]  # type: ignore[index]
    pending = work["all_pending"]  # type: ignore[assignment]
    approved = work["approved"]  # type: ignore[assignment]
    new = work["new"]  # type: ignore[assignment]
    cables = work["cables"]  # type: ignore[assignment]
    if len(pending) < 2 * k or len(approved) < k or len(new) < k:
        raise SystemExit(f"--per-state must be at least {2 * k} for {n} requests per post")
    rng = random.Random(16)
    decisions, decision_forms = [], []
    for i in range(k):
        pk, orders = mine[i % len(mine)]
        decisions.append(f"/reviews/{pk}/portions/{rng.choice(orders)}/decision/")
        kind = ["release", "release", "release", "withhold"][i % 4]
        decision_forms.append(
            {"kind": kind, "codes": "B6", "justification": "bench"} if kind == "withhold" else {"kind": kind}
        )
    words = [urlencode({"q": SEARCH_WORDS[i % len(SEARCH_WORDS)]}) for i in range(k)]
    sup, rel, aud, rdr = "bench-supervisor-00", "bench-releaser-00", "bench-auditor-00", "bench-reader-00"
    return [
        Timed("home (reviewer)", rev, "GET", ["/"]),
        Timed("my reviews", rev, "GET", ["/reviews/"]),
        Timed("review page", rev, "GET", [f"/reviews/{pk}/" for pk, _ in mine]),
        Timed("decision POST", rev, "POST", decisions, decision_forms, 302, "/reviews/"),
        Timed("home (supervisor)", sup, "GET", ["/"]),
        Timed("approval queue", sup, "GET", ["/approvals/"]),
        Timed("approval page", sup, "GET", [f"/approvals/{pk}/" for pk in pending[: 2 * k]]),
        _posts("approve POST", sup, "approve", pending[:k], {"note": "bench"}, "/approvals/"),
        _posts(
            "return POST", sup, "return", pending[k : 2 * k], {"note": "bench: look again"}, "/approvals/"
        ),
        Timed("assign page", sup, "GET", ["/assign/"]),
        _posts("assign POST", sup, "assign", new[:k], {"reviewer": str(user_ids[rev]), "next": "/"}, "/"),
        Timed("due", sup, "GET", ["/due/"]),
        Timed("due (SECRET)", SECRET_SUPERVISOR, "GET", ["/due/"]),
        Timed("triage", sup, "GET", ["/triage/"]),
        Timed("triage (SECRET)", SECRET_SUPERVISOR, "GET", ["/triage/"]),
        Timed("quality", sup, "GET", ["/quality/"]),
        Timed("audit log", sup, "GET", ["/audit/"]),
        Timed("home (releaser)", rel, "GET", ["/"]),
        Timed("releases", rel, "GET", ["/releases/"]),
        _posts("release POST", rel, "release", approved[:k], {"note": "bench"}, "/releases/"),
        Timed("home (auditor)", aud, "GET", ["/"]),
        Timed("audit (auditor)", aud, "GET", ["/audit/"]),
        Timed("cable list", rdr, "GET", ["/cables/"]),
        Timed("search", rdr, "GET", [f"/cables/?{w}" for w in words]),
        Timed("cable page", rdr, "GET", [f"/cables/{ref}/" for ref in cables]),
        Timed("reading room", rdr, "GET", ["/reading-room/"]),
        Timed("jobs", sup, "GET", ["/jobs/"]),
    ]


def run_alone(port: int, pages: list[Timed], n: int, warm: int) -> None:
    """Each page n times after `warm` untimed requests, one request at a time."""
    clients: dict[str, Client] = {}
    for page in pages:
        client = clients.get(page.user)
        if client is None:
            client = clients[page.user] = Client(port)
            client.login(page.user)
        # Warm: every distinct page once (a review page's first view computes and caches its
        # cable's names and suggestions; those first views are reported apart), then `warm` more.
        if page.method == "GET":
            for path in dict.fromkeys(page.paths):
                client.request("GET", path)
                if client.timing:
                    page.first.append(client.timing["app"])
        for i in range(warm + n):
            path = page.paths[i % len(page.paths)]
            form = page.forms[i] if page.forms else None
            try:
                status, location, _ = client.request(page.method, path, form)
            except OSError as e:
                status, location = 0, str(e)
            if status != page.expect or (page.location and not location.startswith(page.location)):
                page.errors.append(f"{page.method} {path}: HTTP {status} {location}")
            if i >= warm and client.timing:
                page.app.append(client.timing["app"])
                page.cpu.append(client.timing["cpu"])
                page.rss.append(client.timing.get("rss", 0) / 1024)
        print(
            f"  {page.page}: p95 {percentile(page.app, 95):.1f} ms"
            + (f", {len(page.errors)} errors" if page.errors else ""),
            flush=True,
        )


def report_alone(pages: list[Timed], target: float) -> int:
    print(
        f"{'page or post':<20} {'n':>4} {'err':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'cpu p50':>7} {'cpu p95':>7} {'1st p95':>7}  (server time; target p95 <= {target:.0f} ms)"
    )
    missed = []
    for page in pages:
        if not page.app:
            print(f"{page.page:<20} no timings: {page.errors[:1]}")
            missed.append(page.page)
            continue
        p95 = percentile(page.app, 95)
        if p95 > target or page.errors:
            missed.append(page.page)
        print(
            f"{page.page:<20} {len(page.app):>4} {len(page.errors):>4} {statistics.median(page.app):>7.1f} "
            f"{p95:>7.1f} {max(page.app):>7.1f} {statistics.median(page.cpu):>7.1f} "
            f"{percentile(page.cpu, 95):>7.1f} "
            f"{f'{percentile(page.first, 95):7.1f}' if len(set(page.paths)) > 1 and page.first else '':>7}"
            f"{'  MISSED' if p95 > target else ''}"
        )
    for page in pages:
        for line in page.errors[:3]:
            print(f"  {page.page}: {line}", file=sys.stderr)
    peak = max((max(p.rss) for p in pages if p.rss), default=0)
    print(f"peak memory of the gunicorn worker (ru_maxrss) after all pages: {peak:.0f} MB")
    print(
        "1st p95: the first request of each distinct page (pages with more than one), before the timed ones"
    )
    if missed:
        print(f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


# -- capacity (--capacity) -----------------------------------------------------------------------

CAPACITY_P95 = 0.200  # s, client-observed, from the moment a request was due
CAPACITY_TARGET = {"sqlite": 60.0, "postgresql": 40.0}  # requests/s on 2 cores


def user_steps(role: str, items: list, rng: random.Random):  # type: ignore[type-arg]
    """The endless sequence of (page, method, path, form, expected status) of one simulated user."""
    if role == "reviewer":
        while True:
            pk, orders = rng.choice(items)
            kind = rng.choice(["release", "release", "release", "withhold"])
            form = (
                {"kind": kind, "codes": "B6", "justification": "bench"}
                if kind == "withhold"
                else {"kind": kind}
            )
            yield "home", "GET", "/", None, 200
            yield "queue", "GET", "/reviews/", None, 200
            yield "review", "GET", f"/reviews/{pk}/", None, 200
            yield "decision", "POST", f"/reviews/{pk}/portions/{rng.choice(orders)}/decision/", form, 302
    elif role == "supervisor":
        for pk in items:
            yield "approvals", "GET", "/approvals/", None, 200
            yield "approval", "GET", f"/approvals/{pk}/", None, 200
            yield "approve", "POST", f"/reviews/{pk}/approve/", {"note": "bench"}, 302
        while True:  # nothing left to approve
            yield "approvals", "GET", "/approvals/", None, 200
    else:
        while True:
            yield "search", "GET", "/cables/?" + urlencode({"q": rng.choice(SEARCH_WORDS)}), None, 200
            yield "cable", "GET", f"/cables/{rng.choice(items)}/", None, 200
            yield "cable", "GET", f"/cables/{rng.choice(items)}/", None, 200


def offered_step(port: int, users: list, rate: float, seconds: float) -> dict[str, object]:  # type: ignore[type-arg]
    """Requests due at `rate` per second (Poisson arrivals) for `seconds`, each taken by the next
    free one of the users (client, its steps); latency counts from when the request was due."""
    import queue as queues

    due: queues.Queue[float | None] = queues.Queue()
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(client: Client, steps) -> None:  # type: ignore[no-untyped-def]
        while True:
            at = due.get()
            if at is None:
                return
            page, method, path, form, expect = next(steps)
            try:
                status, _, _ = client.request(method, path, form)
            except OSError as e:
                status = 0
                path += f" ({e})"
            finished = time.perf_counter()
            with lock:
                times.append(finished - at)
                if status != expect:
                    errors.append(f"{method} {path}: HTTP {status}")

    threads = [threading.Thread(target=work, args=u, daemon=True) for u in users]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    for t in threads:
        t.start()
    rng = random.Random(int(rate))
    at = started
    while at < started + seconds:
        at += rng.expovariate(rate)
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put(at)
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {
        "rate": rate,
        "done": len(times) / elapsed,
        "p50": statistics.median(times) if times else 0.0,
        "p95": percentile(times, 95) if times else 0.0,
        "errors": errors,
        "client_cpu": cpu / elapsed,  # cores the client threads used
        "requests": len(times),
    }


def run_capacity(
    port: int,
    work: dict[str, object],
    n_rev: int,
    n_sup: int,
    n_read: int,
    rates: list[float],
    seconds: float,
    vendor: str,
    warm_seconds: float = 20,
) -> int:
    users = []
    rng = random.Random(2)
    for i in range(n_rev):
        name = f"bench-reviewer-{i:02d}"
        users.append((name, "reviewer", work["in_review"][name]))  # type: ignore[index]
    for i in range(n_sup):
        name = f"bench-supervisor-{i:02d}"
        users.append((name, "supervisor", work["pending"][name]))  # type: ignore[index]
    for i in range(n_read):
        users.append((f"bench-reader-{i:02d}", "reader", work["cables"]))
    logged = []
    for name, role, items in users:
        client = Client(port)
        client.login(name)
        logged.append((client, user_steps(role, items, random.Random(rng.random()))))
    warm = offered_step(port, logged, 10, warm_seconds)  # every worker's first requests, untimed
    print(
        f"warm-up: {warm['requests']} requests at 10/s offered, p95 {warm['p95'] * 1000:.0f} ms (not counted)"
    )  # type: ignore[operator]
    print(f"{'offered/s':>9} {'done/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'client CPU':>10}")
    best = 0.0
    for rate in rates:
        step = offered_step(port, logged, rate, seconds)
        ok = step["p95"] <= CAPACITY_P95 and not step["errors"]  # type: ignore[operator]
        print(
            f"{rate:>9.0f} {step['done']:>7.1f} {step['p95'] and step['p50'] * 1000:>7.0f} "  # type: ignore[operator]
            f"{step['p95'] * 1000:>7.0f} {len(step['errors']):>6} {step['client_cpu']:>9.3f}c"  # type: ignore[arg-type,operator]
            f"{'' if ok else '  p95 over 200 ms' if not step['errors'] else '  errors'}",
            flush=True,
        )
        for line in step["errors"][:3]:  # type: ignore[index]
            print(f"  {line}", file=sys.stderr)
        if not ok:
            break
        best = rate
    target = CAPACITY_TARGET.get(vendor, 60.0)
    print(
        f"capacity: {best:.0f} requests/s offered with p95 under {CAPACITY_P95 * 1000:.0f} ms "
        f"({len(users)} users, {vendor}); target {target:.0f}{'' if best >= target else '  MISSED'}"
    )
    print("client CPU: cores used by this process's client threads (subtract from the machine's 2)")
    return 0 if best >= target else 1


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "bench.server_timing:application",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            status, _, _ = Client(port).request("GET", "/login/")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped")
        time.sleep(0.1)
    raise SystemExit("gunicorn did not answer")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", f"sqlite:///{SCALE_SQLITE}"))
    ap.add_argument(
        "--users",
        type=int,
        default=20,
        help="simulated users: half reviewers, a quarter each supervisors and readers",
    )
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--per-state", type=int, default=PER_STATE, help="reviews seeded in each state")
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--think", type=float, default=0.5, help="mean pause between a user's requests (s)")
    ap.add_argument("--no-search", action="store_true", help="readers open cable pages only")
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    ap.add_argument(
        "--alone",
        action="store_true",
        help="every page and post one request at a time on one warm gunicorn worker; p95 of server time",
    )
    ap.add_argument("--per-page", type=int, default=200, help="--alone: timed requests per page")
    ap.add_argument("--warm", type=int, default=10, help="--alone: untimed requests per page first")
    ap.add_argument("--target", type=float, default=ALONE_TARGET, help="--alone: p95 target (ms)")
    ap.add_argument(
        "--pages",
        default="",
        help="--alone: only the pages whose names contain one of these comma-separated words",
    )
    ap.add_argument(
        "--capacity",
        action="store_true",
        help="the mixed workload offered at rising rates: the highest whose p95 stays under 200 ms",
    )
    ap.add_argument("--rates", default="10,20,30,40,50,60,70,80,100,120", help="--capacity: offered rates")
    ap.add_argument("--step-seconds", type=float, default=20, help="--capacity: seconds per rate")
    args = ap.parse_args()
    if args.database_url.startswith("sqlite:///") and not Path(args.database_url[10:]).exists():
        raise SystemExit(f"no database at {args.database_url[10:]}: run bench/scale.py first")

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STATIC_MANIFEST": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        # The benchmark users sign in with a password only (the second factor is not what is timed).
        "DECLASS_OTP_REQUIRED_ROLES": "",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    n_sup = n_read = max(args.users // 4, 1)
    n_rev = max(args.users - n_sup - n_read, 1)
    work = seed(n_rev, n_sup, n_read, args.per_state)
    from django.core.cache import caches

    # Every review page's first view computes its cable's names and suggestions, as on a new
    # deployment, rather than reading what an earlier run left in the shared cache.
    caches["aids"].clear()
    if connection.vendor == "postgresql":
        # The seeded reviews and decisions came in bulk: give the planner their statistics, as
        # autovacuum would have done by the time of a working day. (SQLite plans without them.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"database: {connection.vendor} {args.database_url}", flush=True)
    connection.close()

    port = free_port()
    if args.alone:
        from django.contrib.auth.models import User

        user_ids = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
        connection.close()
        pages = alone_pages(work, args.per_page, args.warm, user_ids)
        if args.pages:
            wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
            pages = [p for p in pages if any(w in p.page for w in wanted)]
        server = start_server(env, port, 1)
        try:
            run_alone(port, pages, args.per_page, args.warm)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        print(
            f"one gunicorn worker, one request at a time, {args.per_page} timed requests per page "
            f"after {args.warm} untimed; {connection.vendor}, {args.database_url}"
        )
        return report_alone(pages, args.target)
    server = start_server(env, port, args.workers)
    if args.capacity:
        try:
            vendor = connection.vendor
            rates = [float(r) for r in args.rates.split(",")]
            print(f"{args.workers} gunicorn workers, {args.step_seconds:g} s per offered rate", flush=True)
            return run_capacity(port, work, n_rev, n_sup, n_read, rates, args.step_seconds, vendor)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    try:
        run = Run(
            port,
            time.perf_counter() + args.seconds + 3600,
            args.requests,
            args.think,
            no_search=args.no_search,
        )
        threads = []
        clients = []
        for i in range(n_rev):
            clients.append(
                (f"bench-reviewer-{i:02d}", reviewer, work["in_review"][f"bench-reviewer-{i:02d}"])
            )
        for i in range(n_sup):
            clients.append(
                (f"bench-supervisor-{i:02d}", supervisor, work["pending"][f"bench-supervisor-{i:02d}"])
            )
        for i in range(n_read):
            clients.append((f"bench-reader-{i:02d}", reader, work["cables"]))
        logged_in = []
        for username, role, items in clients:  # logins are not timed
            client = Client(port)
            client.login(username)
            logged_in.append((client, role, items))
        started = time.perf_counter()
        run.deadline = started + args.seconds
        for client, role, items in logged_in:
            thread = threading.Thread(target=role, args=(run, client, items), daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    total = sum(len(v) for v in run.times.values())
    print(
        f"{args.users} users, {args.workers} gunicorn workers, think time 0-{2 * args.think:g} s: "
        f"{total:,} requests in {elapsed:.1f} s, {total / elapsed:.1f} requests/s"
    )
    print(
        f"{'page':<10} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'target':>7}"
    )
    for page in (
        "home",
        "queue",
        "review",
        "decision",
        "approvals",
        "approval",
        "approve",
        "search",
        "cable",
    ):
        times = run.times.get(page, [])
        if not times:
            continue
        target = TARGETS.get(page, PAGE_TARGET)
        p95 = percentile(times, 95)
        print(
            f"{page:<10} {len(times):>8} {len(run.errors.get(page, [])):>6} "
            f"{statistics.median(times) * 1000:>7.0f} {p95 * 1000:>7.0f} "
            f"{percentile(times, 99) * 1000:>7.0f} "
            f"{target * 1000:>5.0f}{'  MISSED' if p95 > target else ''}"
        )
    for page, errors in run.errors.items():
        for line in errors[:3]:
            print(f"  {page}: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
