"""Conflict markers left in a chapter by a merge (``<<<<<<< HEAD`` ... ``=======`` ...
``>>>>>>> branch``), which git lets an author commit: the page showed both wordings of an
instruction, the first under a heading "<<<<<<< HEAD", and the diff's summary said "New
section: <<<<<<< HEAD" (exploratory testing of history shapes)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tracker.authoring.lists import body_problems, prose_lines
from tracker.history.model import Problem, Version
from tracker.history.snapshot import Snapshot

RULE = "conflict-marker"
# A marker's line as git writes it: seven "<", "|" (diff3's base) or ">" then a space and a
# name, or nothing. "=======" alone is left out: under a line of text it is a heading's line.
_MARKER = re.compile(r"(<{7}|\|{7}|>{7})(?: .*)?$")


def markers(body: str) -> Iterator[tuple[int, str]]:
    """(line, marker line) of each conflict marker in ``body``, outside code, raw HTML and
    comments."""
    if "<<<<<<<" not in body and "|||||||" not in body and ">>>>>>>" not in body:
        return  # (no line could be one: most texts, read in a moment)
    for number, line, text in prose_lines(body):
        if text and _MARKER.match(line) is not None:
            yield number, line.rstrip()


def conflict_problems(snapshot: Snapshot, source: Callable[[Version], str]) -> list[Problem]:
    """An error for each conflict marker in the text of each document in force or to come."""

    def said(body: str) -> Iterator[tuple[int, str]]:
        for number, line in markers(body):
            shown = line if len(line) <= 40 else f"{line[:39]}…"
            yield (
                number,
                f"a conflict marker ('{shown}') left from a merge, which the page shows as "
                "text: keep the wording meant and delete the other, and the marker lines from "
                "'<<<<<<<' to '>>>>>>>'",
            )

    return body_problems(snapshot, source, RULE, said, "error")
