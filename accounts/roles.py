"""The four roles as Django groups, and what each may do (Meta.permissions on review.Review and the
other apps' models).

The groups are (re)made after every migrate, so a new permission reaches its roles without a
hand-written data migration.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

REVIEWER, SUPERVISOR, RELEASER, AUDITOR = "Reviewer", "Supervisor", "Releaser", "Auditor"

# Read-only access to everything, for the admin and the pages.
_VIEW = [
    "cables.view_cable",
    "cables.view_portion",
    "cables.view_cabletag",
    "cables.view_cablereference",
    "review.view_review",
    "review.view_decision",
    "review.view_span",
    "review.view_comment",
    "review.view_exemptioncode",
]

ROLES: dict[str, list[str]] = {
    REVIEWER: [
        *_VIEW,
        "review.review_cable",
        "review.record_referral",
        "aids.view_triage",
        "cases.view_case",
    ],
    SUPERVISOR: [
        *_VIEW,
        "review.open_review",
        "review.assign_review",
        "review.approve_review",
        "review.record_referral",
        "review.view_audit",
        "audit.view_auditevent",
        # Unlock a sign-in locked after repeated failures (accounts/lockouts.py).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "aids.view_triage",
        # Redaction rules: define, change, preview, switch on and off (review/rules.py).
        "review.manage_rules",
        # Request cases (cases/): open, attach, extend, hold, close; see the requester.
        "cases.view_case",
        "cases.manage_case",
        "cases.view_requester",
    ],
    RELEASER: [*_VIEW, "review.release_review", "cases.view_case", "cases.view_requester"],
    AUDITOR: [*_VIEW, "review.view_audit", "audit.view_auditevent", "cases.view_case"],
}


def ensure_groups(**kwargs: Any) -> None:
    """post_migrate: create the groups and give each exactly its permissions."""
    wanted = {name for perms in ROLES.values() for name in perms}
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={name.split(".")[0] for name in wanted}
        )
    }
    if not wanted <= set(found):
        return  # the permissions of an app not migrated yet; a later post_migrate comes back
    for role, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([found[name] for name in perms])
