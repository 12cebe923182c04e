"""Footnotes as GitHub writes them (``[^1]`` in the text, ``[^1]: the note`` below), which the
page does not make: it shows ``[^1]`` as written and the note as a paragraph where it stands,
often under another section than the words it explains ("within 3 working days[^1]" with
"[^1]: Working days exclude bank holidays" at the chapter's end; a note of one word is read
as a link's address, and the note is lost). Authors preview on GitHub, where they work, so
``tracker check`` says so (practitioners' exploratory testing)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tracker.authoring.lists import body_problems, quoted_prose
from tracker.history.model import Problem, Version
from tracker.history.snapshot import Snapshot

RULE = "footnote"
_NOTE = re.compile(r" {0,3}\[\^([^\]\s]{1,40})\]:")  # (a footnote's note, from its line's start)


def footnotes(body: str) -> Iterator[tuple[int, str]]:
    """(line, label) of each footnote's note in ``body``, outside code, raw HTML and comments
    (in a quotation too, and not in a quotation's code)."""
    if "[^" not in body:
        return  # (no line could hold one: most texts, read in a moment)
    for number, line in quoted_prose(body):
        if (note := _NOTE.match(line)) is not None:
            yield number, note.group(1)


def footnote_problems(snapshot: Snapshot, source: Callable[[Version], str]) -> list[Problem]:
    """A warning for each footnote's note in the text of each document in force or to come."""

    def said(body: str) -> Iterator[tuple[int, str]]:
        for number, label in footnotes(body):
            note = f"[^{label}]"
            yield (
                number,
                (
                    f"a footnote ('{note}:'), which GitHub shows as a footnote but the page does "
                    f"not: it shows '{note}' in the text as written and the note as a paragraph "
                    "where it stands; write the note into the sentence it explains, or in brackets "
                    "after it"
                ),
            )

    return body_problems(snapshot, source, RULE, said)
