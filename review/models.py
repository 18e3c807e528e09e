"""Review workflow models: built in the review-workflow issue (state machine, decisions, audit)."""

from __future__ import annotations
