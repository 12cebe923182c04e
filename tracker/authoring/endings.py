"""``tracker check``'s rule ``line-endings-only``: an upcoming change whose text differs from the
version before it only in its line endings (a Windows editor saving CR LF where the file had LF,
or the other way) or in its last line break. The page shows nothing new, yet the change is not
minor unless its commit says so, so the newsletter lists the chapter as updated, with the
commit's subject as its note (exploratory testing of authors' tools)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import pairwise

from tracker.history.model import Problem, Version
from tracker.history.snapshot import Snapshot

RULE = "line-endings-only"


def ending_problems(
    snapshot: Snapshot, today: date, source: Callable[[Version], str]
) -> list[Problem]:
    """A warning for each upcoming version, not minor, whose text is the one before it but for
    its line endings, at the same path."""
    problems = []
    for document in snapshot.documents:
        for before, version in pairwise(document.versions):
            if (
                version.effective <= today
                or version.minor
                or version.deleted
                or before.deleted
                or before.blob == version.blob
                or before.path != version.path
                or not before.blob
                or not version.blob
            ):
                continue
            if _plain(source(before)) == _plain(source(version)):
                message = (
                    f"goes live on {version.effective} with commit {version.commit[:10]}, which "
                    "changes only its line endings (CR LF for LF, as a Windows editor may save, "
                    "or the last line break): the page shows nothing new, yet the newsletter "
                    "lists it as updated"
                )
                problems.append(Problem("warning", document.id, message, rule=RULE))
    return problems


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
