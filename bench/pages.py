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


# -- seeding (in this process, with Django) ---------------------------------------------------


def seed(reviewers: int, supervisors: int, readers: int, per_state: int) -> dict[str, object]:
    """Users and 1,000 reviews in every state; returns what the simulated users work on."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from accounts.models import Profile
    from accounts.roles import REVIEWER, SUPERVISOR
    from cables.models import Cable, Portion
    from review.models import Decision, ExemptionCode, Review

    S = Review.State
    started = time.perf_counter()
    password = make_password(PASSWORD)  # hashed once, shared by every bench user
    names = (
        [(f"bench-reviewer-{i:02d}", REVIEWER) for i in range(reviewers)]
        + [(f"bench-supervisor-{i:02d}", SUPERVISOR) for i in range(supervisors)]
        + [(f"bench-reader-{i:02d}", REVIEWER) for i in range(readers)]
    )
    users: dict[str, User] = {}
    with transaction.atomic():
        for username, role in names:
            user, _ = User.objects.update_or_create(username=username, defaults={"password": password})
            Profile.objects.update_or_create(user=user, defaults={"clearance": "TS"})
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
    rev = [users[n] for n, _ in names if n.startswith("bench-reviewer")]
    sup = [users[n] for n, _ in names if n.startswith("bench-supervisor")]

    with transaction.atomic():
        old = Review.objects.filter(case_number__startswith=CASE_PREFIX)
        Decision.codes.through.objects.filter(decision__review__in=old).delete()
        Decision.objects.filter(review__in=old).delete()
        old.delete()
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
                case_number=f"{CASE_PREFIX}{n + 1:05d}",
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
        stored = list(Review.objects.filter(case_number__startswith=CASE_PREFIX).order_by("case_number"))
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
    work: dict[str, object] = {
        "in_review": defaultdict(list),  # reviewer username -> [(review pk, [portion orders])]
        "pending": defaultdict(list),  # supervisor username -> [review pk]
        "cables": [],
    }
    for review in stored:
        if review.state == S.IN_REVIEW:
            orders = [order for _pk, order in portions[review.cable_id]]
            work["in_review"][review.reviewer.username].append((review.pk, orders))  # type: ignore[index]
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
        form = {"kind": kind, "codes": "B1" if kind == "withhold" else "", "justification": "bench"}
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
            "config.wsgi",
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
    if connection.vendor == "postgresql":
        # The seeded reviews and decisions came in bulk: give the planner their statistics, as
        # autovacuum would have done by the time of a working day. (SQLite plans without them.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"database: {connection.vendor} {args.database_url}", flush=True)
    connection.close()

    port = free_port()
    server = start_server(env, port, args.workers)
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
