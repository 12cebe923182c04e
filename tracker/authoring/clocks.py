"""Commits dated by a clock that was wrong. Git takes a commit's date from the computer it was
made on, and the tracker dates its changes from it: a laptop whose clock was reset to 2000
put a new duty in force months before it was written (never announced), and one whose clock
ran ten years ahead held a chapter's changes back until then, with nothing said (exploratory
testing of history shapes). The date cannot be mended after a push, so it is said before one
(``tracker check`` in the pre-push hook or CI). And a time zone that is no place's, which
dates every commit by a clock that depends on the computer, or on none."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tracker.config import CONFIG_FILE
from tracker.history.model import Problem
from tracker.history.snapshot import Snapshot

RULE = "clock-wrong"
ZONE_RULE = "timezone-no-place"
# Names the time zone database has that are no place's zone, and what each is. They are read
# (a manual that always gave one keeps its past releases, and its pages: a review of their
# refusal), and said by check.
NO_PLACE = {
    "localtime": "the zone of the computer that reads the manual, so that a laptop in London "
    "and a server in UTC put one commit in two releases",
    "posixrules": "the rules the computer applies to zones written as POSIX strings (often New "
    "York's), no place's by its name",
    "Factory": "no zone at all: every time in UTC, named '-00'",
    "right/": "a zone counting leap seconds, which git's times do not, so that its days end "
    "seconds early",
}
SLACK = timedelta(days=1)  # (two computers' clocks a few minutes or hours apart are no matter)


def clock_problems(snapshot: Snapshot, since: date, now: datetime | None = None) -> list[Problem]:
    """An error for each commit on the first-parent line, among those that changed documents,
    dated after today by the computer's clock (``now``; not a day the command is asked to take
    as today, which may be any), or more than a day before an earlier commit whose date is
    right. Commits are read in order, each dated right unless it is so: a run of commits made
    by one wrong clock is each said, and the commit after one dated ahead is not blamed
    (review). Each is said while it is new: while the next commit dated right, or today where
    none is, is since ``since`` (the one before may be months older: review)."""
    now = now or datetime.now(snapshot.config.timezone)
    dated: dict[str, datetime] = {}
    for document in snapshot.documents:
        for version in document.versions:
            if version.commit in snapshot.line:  # (a merged commit is dated by its merge)
                dated.setdefault(version.commit, version.committed)
    line = sorted(dated.items(), key=lambda item: snapshot.line[item[0]])
    right: tuple[str, datetime] | None = None  # the latest commit so far dated right
    wrong: list[tuple[str, datetime, tuple[str, datetime] | None]] = []  # each, what was right
    made: dict[str, date] = {}  # a wrong one -> the day the next commit dated right was made
    waiting: list[str] = []  # wrong ones since the last commit dated right
    for commit, when in line:
        if when > now + SLACK or (right is not None and when < right[1] - SLACK):
            wrong.append((commit, when, right))
            waiting.append(commit)
            continue
        made.update(dict.fromkeys(waiting, when.date()))
        waiting.clear()
        right = (commit, when)
    found = []
    for commit, when, before in wrong:
        if made.get(commit, now.date()) < since:
            continue
        if when > now + SLACK:
            said = (
                f"is dated {when.date()}, after the computer's date today ({now.date()}): the "
                "clock of the computer it was made on was likely wrong, and its changes wait "
                "for that date (its documents' later changes with them)"
            )
        else:
            assert before is not None
            said = (
                f"is dated {when.date()}, before an earlier commit ({before[0][:10]}, dated "
                f"{before[1].date()}): the clock of the computer it was made on was likely "
                f"wrong, and its changes are dated from {when.date()} (a chapter it adds counts "
                "as in force from the first release after that day, whose newsletter has gone "
                "out without it)"
            )
        found.append(Problem(
            "error", f"commit {commit[:10]}",
            f"{said}; before it is pushed, make it again once the clock is right "
            f"({_again(snapshot, commit)})", made.get(commit, now.date()), rule=RULE,
        ))  # fmt: skip
    return found


def _again(snapshot: Snapshot, commit: str) -> str:
    """How to date a commit again: the last by amending it, another by rebasing from it
    (merges kept), the first of all from the root."""
    if commit == snapshot.head:
        return "git commit --amend --no-edit dates it now"
    start = "--root" if snapshot.line[commit] == 0 else f"{commit[:10]}^"
    return f"git rebase --force-rebase --rebase-merges {start} dates it and those after it now"


def zone_problems(snapshot: Snapshot) -> list[Problem]:
    """A warning if ``manual.timezone`` names no place's zone (``NO_PLACE``), under the
    database's ``posix/`` folder too."""
    name = snapshot.config.timezone.key
    zone = name.removeprefix("posix/")  # (the same files again, in some databases)
    what = NO_PLACE.get("right/" if zone.startswith("right/") else zone)
    if what is None:
        return []
    message = f"manual.timezone {name!r} is {what}; name the partnership's zone, as 'Europe/London'"
    return [Problem("warning", CONFIG_FILE, message, rule=ZONE_RULE)]
