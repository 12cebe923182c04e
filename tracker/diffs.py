"""Differences between two versions of a document's Markdown source."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One line of a source diff: ``op`` is ' ', '-' or '+'."""

    op: str
    text: str


def source_diff(old: str, new: str) -> list[Line]:
    """Line diff of two Markdown sources, every line kept (context included)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[Line] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [Line(" ", text) for text in old_lines[i1:i2]]
            continue
        lines += [Line("-", text) for text in old_lines[i1:i2]]
        lines += [Line("+", text) for text in new_lines[j1:j2]]
    return lines


def unified(old: str, new: str, old_label: str, new_label: str, context: int = 3) -> str:
    """A unified diff, as authors know it from git."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_label,
            tofile=new_label,
            n=context,
        )
    )
