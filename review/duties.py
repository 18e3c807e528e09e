"""Separation of duties, decided here once: who may not take the second look at a review.

- The supervisor who approves or returns a review is never the one who submitted it
  (review.actions refuses; the approval page says so instead of offering the buttons).
- The supervisor who checks a sampled review (quality) had no part in it: neither its reviewer nor
  its submitter nor its approver (review.actions refuses; the sample and check pages say why).
"""

from __future__ import annotations

from typing import Any

from review.models import Review


def submitted(review: Review, user: Any) -> bool:
    """Did `user` submit the review (so may neither approve nor return it)?"""
    return review.submitted_by_id is not None and review.submitted_by_id == user.pk


def part_in(review: Review, user: Any) -> str:
    """The part `user` had in the review, which bars them from checking it: "reviewed",
    "approved", or "" (none: they may check it)."""
    if user.pk in (review.reviewer_id, review.submitted_by_id):
        return "reviewed"
    if review.approved_by_id == user.pk:
        return "approved"
    return ""
