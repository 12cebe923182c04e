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
    dated after today by the computer's clock (``now``; not a day the command is asked to take
    as today, which may be any), or more than a day before the one it follows (unless that
    one is after today: its clock was the wrong one). Each is said while it is new: while the
    commit after it, or today where none is, is since ``since`` (the one it follows may be
    months older: review)."""
    now = now or datetime.now(snapshot.config.timezone)
    dated: dict[str, datetime] = {}
    for document in snapshot.documents:
        for version in document.versions:
            if version.commit in snapshot.line:  # (a merged commit is dated by its merge)
                dated.setdefault(version.commit, version.committed)
    line = sorted(dated.items(), key=lambda item: snapshot.line[item[0]])
    found = []
    for at, (commit, when) in enumerate(line):
        made = line[at + 1][1].date() if at + 1 < len(line) else now.date()  # (made by then)
        before = line[at - 1] if at else None
        if made < since:
            continue
        if when > now + SLACK:
            said = (
                f"is dated {when.date()}, after the computer's date today ({now.date()}): the "
                "clock of the computer it was made on was likely wrong, and its changes wait "
                "for that date (its documents' later changes with them)"
            )
        elif before is not None and when < before[1] - SLACK and before[1] <= now + SLACK:
            said = (
                f"is dated {when.date()}, before the commit it follows ({before[0][:10]}, dated "
                f"{before[1].date()}): the clock of the computer one of them was made on was "
                f"likely wrong, and this one's changes are dated from {when.date()} (a chapter "
                "it adds counts as in force from the first release after that day, whose "
                "newsletter has gone out without it)"
            )
        else:
            continue
        again = (
            "git commit --amend --no-edit dates it now"
            if at + 1 == len(line) and commit == snapshot.head
            else f"git rebase --force-rebase {commit[:10]}^ dates it and the commits after it now"
        )
        found.append(Problem(
            "error", f"commit {commit[:10]}",
            f"{said}; before it is pushed, make it again once the clock is right ({again})",
            made, rule=RULE,
        ))  # fmt: skip
    return found
