"""The review tests' cable fixture, for tests of the aids that run reviews."""

from tests.review.conftest import cable  # noqa: F401
