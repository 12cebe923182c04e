"""Go-live rules (SPEC §3): pure functions from dates and trailers to dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.rrule import rrule, rruleset, rrulestr

from tracker.dates import looks_like_date

IMMEDIATE = "immediate"
# How far ahead we look for a scheduled release before deciding the schedule has ended.
_SEARCH_YEARS = 10


@dataclass(frozen=True)
class Schedule:
    """The partnership's release schedule: an RFC 5545 rule, a cut-off and working days."""

    rule: str
    cutoff_days: int
    is_holiday: Callable[[date], bool]

    def working_day_on_or_after(self, day: date) -> date:
        """Move a weekend or bank holiday forward to the next working day."""
        while day.weekday() >= 5 or self.is_holiday(day):
            day += timedelta(days=1)
        return day

    def occurrences_from(self, start: date) -> Iterable[date]:
        """Scheduled release dates on or after ``start`` (before the working-day shift)."""
        parsed: rrule | rruleset = rrulestr(self.rule, forceset=True)
        after = datetime.combine(start, datetime.min.time())
        limit = after.replace(year=after.year + _SEARCH_YEARS)
        for moment in parsed.xafter(after, inc=True):
            if moment > limit:
                return
            yield moment.date()

    def release_for(self, committed: date) -> date | None:
        """The first scheduled release at least ``cutoff_days`` after ``committed``."""
        # Start a week early: a Saturday occurrence before the commit can move past it.
        for occurrence in self.occurrences_from(committed - timedelta(days=7)):
            release = self.working_day_on_or_after(occurrence)
            if (release - committed).days >= self.cutoff_days:
                return release
        return None


@dataclass(frozen=True)
class Declared:
    """A commit's declared go-live date and how it was reached."""

    date: dt.date
    source: str  # "trailer", "immediate", "schedule", "commit" or "merge"
    back_dated: dt.date | None = None  # the trailer's date when it was before the commit


def is_valid_go_live(value: str) -> bool:
    """True for ``immediate`` or a real ``YYYY-MM-DD`` date."""
    if value.strip().lower() == IMMEDIATE:
        return True
    if not looks_like_date(value.strip()):
        return False
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


def declared_go_live(committed: date, trailer: str | None, schedule: Schedule | None) -> Declared:
    """Rules 1-3 of SPEC §3. ``trailer`` must already be valid (see is_valid_go_live)."""
    if trailer is not None:
        value = trailer.strip()
        if value.lower() == IMMEDIATE:
            return Declared(committed, "immediate")
        wanted = date.fromisoformat(value)
        if wanted < committed:
            return Declared(committed, "trailer", back_dated=wanted)
        return Declared(wanted, "trailer")
    if schedule is not None:
        release = schedule.release_for(committed)
        if release is not None:
            return Declared(release, "schedule")
    return Declared(committed, "commit")


def effective_dates(declared: Sequence[date]) -> list[date]:
    """Effective go-live of each version: no version goes live before the one it builds on."""
    effective: list[date] = []
    for day in declared:
        effective.append(max(day, effective[-1]) if effective else day)
    return effective
