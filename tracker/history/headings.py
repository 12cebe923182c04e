"""How Python-Markdown makes a heading's id, where our reading of the text must agree with the
page (``documents.heading_ids`` for ``tracker check``, the diff's headings): which underscores
are emphasis, and how a repeated id is numbered. Pure functions, linear on hostile text."""

from __future__ import annotations

import re

_UNDERSCORES = re.compile(r"_+")
_NUMBERED = re.compile(r"(.*)_([0-9]+)")  # an id ending _N: a repeat counts on from N


def unique(ident: str, taken: set[str], counted: dict[str, int]) -> str:
    """``ident``, or, when a heading before it has it, the next free ``_1``, ``_2`` (counting
    on from N for one that ends ``_N``), added to ``taken``: Python-Markdown's ``toc.unique``,
    which walks from 1 for every repeat. ``counted`` holds, for numbers found taken, where a
    walk past them may go on from (ids are only ever added, so a number taken stays taken),
    shortened as they are walked: thousands of repeated headings cost little more than one."""
    if ident in taken:
        numbered = _NUMBERED.fullmatch(ident)
        stem, number = (numbered[1], int(numbered[2]) + 1) if numbered else (ident, 1)
        walked = []
        while f"{stem}_{number}" in taken:
            walked.append(number)
            number = counted.get(f"{number}:{stem}", number + 1)
        for passed in walked:
            counted[f"{passed}:{stem}"] = number
        ident = f"{stem}_{number}"
    taken.add(ident)
    return ident


def emphasis_out(text: str) -> str:
    """The text without the underscores that make emphasis, as Python-Markdown reads them: a
    run that opens (after a non-word character, before a word's) paired with the next run of
    its length that closes (before a non-word character); one inside a word ("Step_1") or
    unpaired ("snake_case_") is shown. One pass, the open runs kept on a stack."""
    if "_" not in text:
        return text
    dropped: list[re.Match[str]] = []
    opened: list[re.Match[str]] = []
    for run in _UNDERSCORES.finditer(text):
        before = text[run.start() - 1] if run.start() else " "
        after = text[run.end()] if run.end() < len(text) else " "
        if not _word(after) and not before.isspace():
            while opened and len(opened[-1][0]) != len(run[0]):
                opened.pop()  # (an opener of another length is left unclosed)
            if opened:
                dropped += (opened.pop(), run)
                continue
        if not _word(before) and _word(after):
            opened.append(run)
    kept, at = [], 0
    for run in sorted(dropped, key=lambda found: found.start()):
        kept.append(text[at : run.start()])
        at = run.end()
    return "".join(kept) + text[at:]


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"
