"""Streaks: consecutive days with at least one graded answer, in the user's time zone."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Streaks:
    current: int
    best: int


def _bridged(last_active: date, next_active: date, next_due: date | None, rest_days: bool) -> bool:
    """Whether the days strictly between two active days keep the streak alive."""
    if next_active - last_active <= timedelta(days=1):
        return True
    if not rest_days or next_due is None:
        return False
    # Rest days: a gap is forgiven when nothing was due on any day of it.
    return next_active - timedelta(days=1) < next_due


def streaks(active: dict[date, date | None], today: date, rest_days: bool) -> Streaks:
    """`active` maps each day with a graded answer to the first day anything was due after
    that day's reviews; `today` is the user's today."""
    days = sorted(active)
    if not days:
        return Streaks(current=0, best=0)
    best = run = 1
    for previous, day in itertools.pairwise(days):
        run = run + 1 if _bridged(previous, day, active[previous], rest_days) else 1
        best = max(best, run)
    last = days[-1]
    # Today still counts as open: a streak that reached yesterday is current.
    alive = last >= today - timedelta(days=1) or _bridged(last, today, active[last], rest_days)
    return Streaks(current=run if alive else 0, best=best)
