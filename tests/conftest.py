"""Named users and small make_* helpers (no factory library)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import import_module
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test import TransactionTestCase

from accounts.models import Profile
from accounts.roles import AUDITOR, RELEASER, REVIEWER, SUPERVISOR
from cables.models import Cable, CableReference, CableTag, Portion, access_rank

# Fixtures through which a test reaches the database; pytest-django refuses database access to a
# test that has none of them (or the django_db mark), unless it asks for one while it runs.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="leave out the tests whose outcome cannot depend on the database: those that never reach "
        "it and those marked same_on_every_database (CI runs them on SQLite, then this on PostgreSQL)",
    )


def touches_database(item: pytest.Item) -> bool:
    """Whether the test may reach the database: through a fixture (directly or by way of another
    fixture, which fixturenames includes), the django_db mark, or a fixture asked for while it runs
    (request.getfixturevalue: any test that calls it counts as reaching the database)."""
    names = set(getattr(item, "fixturenames", ()))
    function = getattr(item, "function", None)
    asks = function is not None and "getfixturevalue" in function.__code__.co_names
    return asks or bool(names & DATABASE_FIXTURES) or item.get_closest_marker("django_db") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --database-tests-only, deselect what a second database cannot change: tests that never
    reach the database, and those marked same_on_every_database. A test marked postgres stays."""
    if not config.getoption("--database-tests-only"):
        return
    keep, leave_out = [], []
    for item in items:
        same = item.get_closest_marker("same_on_every_database") or not touches_database(item)
        (leave_out if same and not item.get_closest_marker("postgres") else keep).append(item)
    if leave_out:
        config.hook.pytest_deselected(items=leave_out)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.getoption("--database-tests-only"):
        return (
            "--database-tests-only: tests that never reach the database, and those marked "
            "same_on_every_database, are deselected (they ran on SQLite)"
        )
    return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """No persistent connections in tests: the live server's request threads would otherwise keep
    theirs open, and PostgreSQL then refuses to drop the test database at the end."""
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test databases, and before it drops them at the end: on PostgreSQL, end
    every other session still connected to this process's test database. A request thread of the
    live server (the browser tests) can outlive the server's stop with its connection open, and
    PostgreSQL then refuses the DROP DATABASE ("is being accessed by other users"): the database
    was left behind and the run ended with a warning."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def audit_triggers_survive_flush() -> Iterator[None]:
    """Let tests with transaction=True (live_server, threads) clean up on SQLite.

    Django empties the tables after such a test with DELETE, which SQLite's append-only triggers
    refuse on the audit log and the release copies; around that clean-up only, the triggers are
    lifted and put back.
    (PostgreSQL empties with TRUNCATE, which its triggers do not cover.)
    """
    # The audit log's triggers, and the same kind on the release copies.
    triggers = [
        import_module("review.migrations.0003_audit_append_only"),
        import_module("review.migrations.0005_release_copy_immutable"),
    ]
    original = TransactionTestCase._fixture_teardown

    def teardown(self: TransactionTestCase) -> None:
        if connection.vendor != "sqlite":
            return original(self)
        with connection.cursor() as cursor:
            for module in triggers:
                for statement in module.SQLITE_REVERSE:
                    cursor.execute(statement)
        try:
            original(self)
        finally:
            with connection.cursor() as cursor:
                for module in triggers:
                    for statement in module.SQLITE:
                        cursor.execute(statement)

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]
    yield
    TransactionTestCase._fixture_teardown = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: ids repeat across tests' rolled-back databases."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    # Tests that log in with a real password would otherwise spend a second per hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str | None = None, clearance: str = "TS") -> User:
    """A user with one role (a group) and a clearance. No password: tests use force_login."""
    user = User.objects.create(username=username)
    Profile.objects.create(user=user, clearance=clearance)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def alice(db: None) -> User:
    """A reviewer cleared to TOP SECRET."""
    return make_user("alice", REVIEWER)


@pytest.fixture
def bob(db: None) -> User:
    """A supervisor cleared to TOP SECRET."""
    return make_user("bob", SUPERVISOR)


@pytest.fixture
def carol(db: None) -> User:
    """A user with no role (cleared to TOP SECRET, which alone gives nothing)."""
    return make_user("carol")


@pytest.fixture
def dave(db: None) -> User:
    """A reviewer cleared only to CONFIDENTIAL."""
    return make_user("dave", REVIEWER, clearance="C")


@pytest.fixture
def erin(db: None) -> User:
    """A releaser cleared to TOP SECRET."""
    return make_user("erin", RELEASER)


@pytest.fixture
def frank(db: None) -> User:
    """An auditor cleared to TOP SECRET."""
    return make_user("frank", AUDITOR)


@pytest.fixture
def sam(db: None) -> User:
    """A second supervisor, cleared only to SECRET."""
    return make_user("sam", SUPERVISOR, clearance="S")


def make_cable(
    reference_id: str,
    *,
    portions: list[dict[str, Any]] | None = None,
    tags: list[str] | None = None,
    references: list[tuple[str, str, str]] | None = None,
    **fields: Any,
) -> Cable:
    """A stored cable built directly (without the parser), for page tests.

    references are (label, text, cited reference id).
    """
    text = fields.pop("text", f"cable {reference_id}")
    fields.setdefault("sent_at", datetime(2007, 4, 19, 22, 51, tzinfo=UTC))
    fields.setdefault("level", "C")
    fields.setdefault("classification", "CONFIDENTIAL")
    fields.setdefault("origin", "AMEMBASSY TOKYO")
    fields.setdefault("year", Cable.derive_year(fields["sent_at"], reference_id))
    cable = Cable.objects.create(
        reference_id=reference_id,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        tags=tags or [],
        **fields,
    )
    for order, portion in enumerate(portions or [], start=1):
        Portion.objects.create(cable=cable, order=order, **portion)
    rank = access_rank(cable.level, [p.get("level", "") for p in portions or []])
    if rank != cable.access_rank:
        Cable.objects.filter(pk=cable.pk).update(access_rank=rank)
        cable.access_rank = rank
    for position, tag in enumerate(tags or [], start=1):
        CableTag.objects.create(cable=cable, tag=tag, position=position)
    for order, (label, ref_text, cited) in enumerate(references or [], start=1):
        CableReference.objects.create(
            cable=cable, order=order, label=label, text=ref_text, cited_reference_id=cited
        )
    return cable
