"""``tracker check``'s rule ``line-endings-only``: an upcoming release's changes to a chapter
that leave its text as it was the day before but for its line endings (a Windows editor saving
CR LF where the file had LF, or the other way) or its last line break. The page shows nothing
new, yet the changes are not minor unless their commits say so, so the newsletter lists the
chapter as updated, with their notes (exploratory testing of authors' tools). Compared as the
release compares them: the text in force the day before with the text in force that day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tracker.history.model import Problem, Version
from tracker.history.releases import day_runs, undone
from tracker.history.snapshot import Snapshot

RULE = "line-endings-only"


def ending_problems(
    snapshot: Snapshot, today: date, source: Callable[[Version], str]
) -> list[Problem]:
    """A warning for each upcoming run of a live chapter's changes going live on one day, not
    all minor, whose text at the end is the one before it but for its line endings."""
    problems = []
    for document in snapshot.documents:
        versions = document.versions
        for first, last in day_runs(versions):
            before, after = versions[first - 1] if first else None, versions[last]
            if (
                before is None
                or after.effective <= today
                or all(version.minor for version in versions[first : last + 1])
                or before.withdrawn
                or after.withdrawn
                or not before.blob
                or before.path != after.path
                or undone(before, after)  # (the same blob: change-undone's to say)
            ):
                continue
            if _plain(source(before)) == _plain(source(after)):
                changes = "changes that alter" if last > first else "a change that alters"
                message = (
                    f"goes live on {after.effective} with {changes} only its line endings (CR "
                    "LF or LF) or its last line break: the page shows nothing new, yet the "
                    "newsletter lists it as updated"
                )
                problems.append(Problem("warning", document.id, message, rule=RULE))
    return problems


def _plain(text: str) -> str:
    """The text but for its line endings (a lone CR is not one: the front matter and headings
    are read otherwise with it) and its last line break."""
    return text.replace("\r\n", "\n").rstrip("\n")
