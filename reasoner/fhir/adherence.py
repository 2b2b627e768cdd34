"""Proportion of days covered (PDC) from dispensing records, PQA method (clinical-reference §2).

Why a separate module: the method has details that change the number (early refills, the cap at
the trial end), and it must be testable on its own against hand-computed values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Supply:
    """One dispense: handed over on ``start``, covering ``days`` days."""

    rid: str
    start: dt.date
    days: int


def proportion_of_days_covered(supplies: Iterable[Supply], start: dt.date, end: dt.date) -> tuple[float, list[str]] | None:
    """PDC over ``[start, end)`` and the ids of the dispenses that covered any of it.

    An early refill's supply starts the day after the previous supply runs out (it is shifted,
    not double counted); coverage beyond ``end`` is not counted. None when the period is empty.
    """
    total = (end - start).days
    if total <= 0:
        return None
    covered = 0
    used: list[str] = []
    supply_end: dt.date | None = None
    for s in sorted(supplies, key=lambda s: (s.start, s.rid)):
        begin = s.start if supply_end is None or s.start >= supply_end else supply_end
        finish = begin + dt.timedelta(days=s.days)
        supply_end = finish
        lo, hi = max(begin, start), min(finish, end)
        if hi > lo:
            covered += (hi - lo).days
            used.append(s.rid)
    return covered / total, used
