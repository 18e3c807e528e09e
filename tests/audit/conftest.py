"""The review tests' cable fixture, for tests of the audit log that run reviews."""

from tests.review.conftest import cable  # noqa: F401
