"""Issue 15 moved models out of review into accounts, audit, quality and aids without touching their
tables: a database made by the migrations before the split keeps its rows, and the permissions
given on the moved models follow them to their new apps (the content types move)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The last migration before the split (accounts/0001 depends on it); migrating to it unapplies the
# split's migrations of every app.
BEFORE_SPLIT = [("review", "0010_review_release_refused")]
NEW_APPS = ["accounts", "audit", "quality", "aids"]
NOW = datetime(2026, 1, 2, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_keeps_its_rows_and_permissions() -> None:
    # accounts to zero as well: its later migrations (a column of Profile's) came after the split.
    executor = _migrate([*BEFORE_SPLIT, ("accounts", None)])
    try:
        old = executor.loader.project_state(BEFORE_SPLIT).apps
        # auth and contenttypes are as they were: their own models will do.
        user = User.objects.create(username="kept")
        old.get_model("review", "Profile").objects.create(user_id=user.pk, clearance="S")
        old.get_model("review", "AuditEvent").objects.create(
            seq=1,
            at=NOW,
            actor_id=user.pk,
            actor_name="kept",
            action="test.kept",
            prev_hash="0" * 64,
            hash="1" * 64,
        )
        old.get_model("review", "QualitySample").objects.create(
            drawn_by_id=user.pk,
            drawn_at=NOW,
            percent=10,
            seed=1,
            population=0,
            population_sha256="0" * 64,
            access_rank=4,
        )
        old.get_model("review", "TriageModel").objects.create(
            version=7, created_at=NOW, summary={}, threshold=0.5, model=b"x", sha256="0" * 64, library="x"
        )
        # The content types and a group's permission as such a database has them (made by
        # post_migrate while the models were review's).
        ContentType.objects.filter(app_label__in=NEW_APPS).delete()
        ContentType.objects.clear_cache()
        audit_type = ContentType.objects.create(app_label="review", model="auditevent")
        permission = Permission.objects.create(
            content_type=audit_type, codename="view_auditevent", name="Can view audit event"
        )
        group = Group.objects.create(name="kept auditors")
        group.permissions.add(permission)
    finally:
        _migrate()

    from accounts.models import Profile
    from aids.models import TriageModel
    from audit.models import AuditEvent
    from quality.models import QualitySample

    assert Profile.objects.get(user__username="kept").clearance == "S"
    assert AuditEvent.objects.get(seq=1).action == "test.kept"
    assert QualitySample.objects.get().drawn_by.username == "kept"
    assert TriageModel.objects.get().version == 7
    ContentType.objects.clear_cache()
    moved = ContentType.objects.get(pk=audit_type.pk)
    assert (moved.app_label, moved.model) == ("audit", "auditevent")
    granted = Group.objects.get(name="kept auditors").permissions.get()
    assert f"{granted.content_type.app_label}.{granted.codename}" == "audit.view_auditevent"


@pytest.mark.django_db(transaction=True)
def test_the_append_only_triggers_outlive_the_split() -> None:
    """The triggers are the table's, made by review's migrations: still there once AuditEvent is audit's."""
    from django.db import DatabaseError, transaction

    from audit import log as audit

    audit.record(None, "access.denied")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE review_auditevent SET note = 'changed'")
