"""Commits dated by a clock that was wrong. Git takes a commit's date from the computer it was
made on, and the tracker dates its changes from it: a laptop whose clock was reset to 2000
put a new duty in force months before it was written (never announced), and one whose clock
ran ten years ahead held a chapter's changes back until then, with nothing said (exploratory
testing of history shapes). The date cannot be mended after a push, so it is said before one
(``tracker check`` in the pre-push hook or CI)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tracker.history.model import Problem
from tracker.history.snapshot import Snapshot

RULE = "clock-wrong"
SLACK = timedelta(days=1)  # (two computers' clocks a few minutes or hours apart are no matter)


def clock_problems(snapshot: Snapshot, since: date, now: datetime | None = None) -> list[Problem]:
    """An error for each commit on the first-parent line, among those that changed documents,
    dated more than a day before the one it follows (said if that one was made since
    ``since``), or after today by the clock (``now``: the computer's, not a day the command
    is asked to take as today, which may be any)."""
    now = now or datetime.now(snapshot.config.timezone)
    dated: dict[str, datetime] = {}
    for document in snapshot.documents:
        for version in document.versions:
            if version.commit in snapshot.line:  # (a merged commit is dated by its merge)
                dated.setdefault(version.commit, version.committed)
    found = []
    before: tuple[str, datetime] | None = None
    for commit in sorted(dated, key=snapshot.line.__getitem__):
        when = dated[commit]
        day = when.date()
        if when > now + SLACK:
            found.append(Problem(
                "error", f"commit {commit[:10]}",
                f"is dated {day}, after today ({now.date()}): the clock of the computer it was "
                "made on was likely wrong, and its changes wait for that date (its documents' "
                "later changes with them); before it is pushed, make it again once the clock is "
                "right (git commit --amend --no-edit dates it now)",
                rule=RULE,
            ))  # fmt: skip
        elif before is not None and when < before[1] - SLACK and before[1].date() >= since:
            found.append(Problem(
                "error", f"commit {commit[:10]}",
                f"is dated {day}, before the commit it follows ({before[0][:10]}, dated "
                f"{before[1].date()}): the clock of the computer one of them was made on was "
                f"likely wrong, and this one's changes are dated from {day} (a chapter it adds "
                "counts as in force from the first release after that day, whose newsletter has "
                "gone out without it); before it is pushed, make it again once the clock is "
                "right (git commit --amend --no-edit dates it now)",
                before[1].date(), rule=RULE,
            ))  # fmt: skip
        before = (commit, when)
    return found
