"""Go-live rules (SPEC §3): pure functions from dates and trailers to dates."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any, Literal

from tracker.dates import looks_like_date

IMMEDIATE = "immediate"
# Scheduled releases are expanded this far from the rule's start (or up to its COUNT/UNTIL).
SCHEDULE_YEARS = 60
_MAX_RELEASES = 100_000
EXPANSION_SECONDS = 2.0


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

    @cached_property
    def releases(self) -> tuple[date, ...]:
        """Every scheduled release date, moved to working days, in order (or ScheduleError)."""
        shifted = {self.working_day_on_or_after(day) for day in expand_rule(self.rule)}
        return tuple(sorted(shifted))

    def release_for(self, committed: date) -> date | None:
        """The first scheduled release at least ``cutoff_days`` after ``committed``."""
        releases = self.releases
        try:
            earliest = committed + timedelta(days=self.cutoff_days)
        except OverflowError:  # (a commit dated at the end of the calendar)
            return None
        at = bisect.bisect_left(releases, earliest)
        return releases[at] if at < len(releases) else None


class ScheduleError(ValueError):
    """A release schedule that cannot be expanded; the message completes a sentence."""


def expand_rule(text: str) -> tuple[date, ...]:
    """The dates an RFC 5545 rule names, bounded, with any time zone dropped.

    dateutil walks to the year 9999 looking for a date a rule can never name (30 February), so
    the expansion runs in a thread of its own and a rule that takes too long is refused.
    """
    found: list[tuple[date, ...] | BaseException] = []

    def work() -> None:
        try:
            found.append(_expand(text))
        except Exception as error:  # dateutil raises ValueError, IndexError, TypeError...
            found.append(error)

    worker = threading.Thread(target=work, name="schedule-expansion", daemon=True)
    worker.start()
    worker.join(EXPANSION_SECONDS)
    if not found:
        raise ScheduleError("names no release dates we could find")
    if isinstance(found[0], BaseException):  # (dateutil's ValueError names what is wrong;
        detail = f" ({found[0]})" if isinstance(found[0], ValueError) else ""  # not the others)
        raise ScheduleError(
            f"is not a rule we can use, such as DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE"
            f"{detail}"
        )
    if not found[0]:
        raise ScheduleError("names no release dates")
    return found[0]


@lru_cache(maxsize=32)
def _expand(text: str) -> tuple[date, ...]:
    from dateutil.rrule import rruleset, rrulestr  # loaded when a schedule is first expanded

    # dateutil keeps a set's parts in private attributes; it has no public accessor.
    parsed: Any = rrulestr(text, forceset=True)
    bounded = rruleset()
    for rule in parsed._rrule:
        bounded.rrule(_bounded(rule))
    for rule in parsed._exrule:
        bounded.exrule(_bounded(rule))
    for moment in parsed._rdate:
        bounded.rdate(_naive(moment))
    for moment in parsed._exdate:
        bounded.exdate(_naive(moment))
    return tuple(moment.date() for moment in itertools.islice(bounded, _MAX_RELEASES))


def _bounded(rule: Any) -> Any:
    from dateutil.relativedelta import relativedelta
    from dateutil.rrule import DAILY

    if rule._freq > DAILY:
        raise ValueError("releases cannot be scheduled more often than daily")
    start = _naive(rule._dtstart)
    if rule._count is not None:
        return rrule_copy(rule, dtstart=start, until=None)
    horizon = start + relativedelta(years=SCHEDULE_YEARS)
    until = min(_naive(rule._until), horizon) if rule._until else horizon
    return rrule_copy(rule, dtstart=start, until=until)


def rrule_copy(rule: Any, **changes: datetime | None) -> Any:
    """A copy of a rule (a dateutil rrule) with some parts changed."""
    return rule.replace(**changes)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


# How a declared go-live was reached: an author's trailer, the schedule, the commit's own date,
# or the date of the merge that brought an earlier explicit date onto the branch.
GoLiveSource = Literal["trailer", "immediate", "schedule", "commit", "merge"]


@dataclass(frozen=True)
class Declared:
    """A commit's declared go-live date and how it was reached."""

    date: dt.date
    source: GoLiveSource
    back_dated: dt.date | None = None  # the trailer's date when it was before the commit

    @property
    def explicit(self) -> bool:
        """An author chose it (a Go-Live trailer), so the schedule never overrides it."""
        return self.source in ("trailer", "immediate")


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
