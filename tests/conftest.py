"""Named users and small make_* helpers (no factory library)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User

from cables.models import Cable, CableReference, CableTag, Portion


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    # Tests that log in with a real password would otherwise spend a second per hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username: str) -> User:
    # No password: tests log in with client.force_login, which skips the slow hashing.
    return User.objects.create(username=username)


@pytest.fixture
def alice(db: None) -> User:
    """A reviewer."""
    return _user("alice")


@pytest.fixture
def bob(db: None) -> User:
    """A supervisor."""
    return _user("bob")


@pytest.fixture
def carol(db: None) -> User:
    """A user with no role."""
    return _user("carol")


@pytest.fixture
def dave(db: None) -> User:
    """A reviewer cleared only to CONFIDENTIAL."""
    return _user("dave")


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
    for position, tag in enumerate(tags or [], start=1):
        CableTag.objects.create(cable=cable, tag=tag, position=position)
    for order, (label, ref_text, cited) in enumerate(references or [], start=1):
        CableReference.objects.create(
            cable=cable, order=order, label=label, text=ref_text, cited_reference_id=cited
        )
    return cable
