"""Cohort scale: assess a whole population shard by shard (issue 6).

Entry point: :func:`run_cohort` (used by ``trd assess COHORT --out RESULTS``). See ``run.py`` for
the steps and the module of each.
"""

from __future__ import annotations

from .run import run_cohort
from .summary import Summary

__all__ = ["run_cohort", "Summary"]
