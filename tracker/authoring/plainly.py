"""A chapter the website shows as written, without its formatting (``tracker.publish.plain``:
marks nested deeper than Python-Markdown can read, or thousands of '<' never closed), which
``tracker check`` says before a practitioner finds it."""

from __future__ import annotations

from collections.abc import Callable

from tracker.history.model import Problem, Version
from tracker.history.snapshot import Snapshot

RULE = "shown-plain"


def plain_problems(
    snapshot: Snapshot, source: Callable[[Version], str], why: Callable[[str], str | None]
) -> list[Problem]:
    """A warning for each document in force or to come whose text ``why`` says is shown as
    written, with its reason."""
    found = []
    for doc in snapshot.documents:
        version = doc.latest
        if version.withdrawn or not version.blob:
            continue
        reason = why(source(version))
        if reason is not None:
            message = (
                f"the page shows this text as written, without its formatting: {reason}; nest "
                "lists, quotations and emphasis less deeply, and end each HTML tag with '>' "
                "(write '\\<' for a '<' that begins no tag)"
            )
            found.append(Problem("warning", version.path, message, rule=RULE))
    return found
