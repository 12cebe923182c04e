"""A chapter's Markdown with its code taken out (fenced blocks, code spans), so that the links
and headings shown as code are not read as the page's own; each in one pass over the text,
however hostile (a pattern searched from each candidate took minutes on some texts).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict, deque

_TICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_OPENS = re.compile(r" {0,3}(```|~~~)")  # a fence's line: any, with an info string or none
_CLOSES = re.compile(r" {0,3}(```|~~~)[ \t]*")  # one that can close a block: the fence alone


def without_fences(text: str) -> str:
    """The text (which begins with a newline) with each fenced block, from its opening line
    to the next line of the same fence alone, made one empty line; a fence no line closes is
    text. (As the pattern ``\\n {0,3}(```|~~~).*?\\n {0,3}\\1[ \\t]*$`` replaced by a newline.)"""
    lines = text.split("\n")
    closing: dict[str, deque[int]] = {"```": deque(), "~~~": deque()}
    for number, line in enumerate(lines):
        if found := _CLOSES.fullmatch(line):
            closing[found.group(1)].append(number)
    kept, number = [], 0
    while number < len(lines):
        opened = _OPENS.match(lines[number]) if number else None  # (after a newline)
        later = closing[opened.group(1)] if opened else None
        while later and later[0] <= number:
            later.popleft()
        if later:
            kept.append("")
            number = later[0] + 1
        else:
            kept.append(lines[number])
            number += 1
    return "\n".join(kept)


def without_code_spans(text: str) -> str:
    """The text without its code spans (``code_spans``)."""
    kept, shown_from = [], 0
    for start, end, _ in code_spans(text):
        kept.append(text[shown_from:start])
        shown_from = end
    return "".join(kept) + text[shown_from:]


def code_spans(text: str) -> list[tuple[int, int, int]]:
    """Each code span's start, end and number of backticks either side, paired as
    Python-Markdown pairs them in a paragraph: a run of n backticks not escaped opens a span
    that the next run of exactly n closes; else, when the longest run after it in the
    paragraph is shorter, the first of those (its first backticks open it); else none does."""
    runs = [(run.start(), len(run.group())) for run in _TICKS.finditer(text)]
    later: dict[int, deque[int]] = defaultdict(deque)  # a run's length -> the runs, in order
    for number, (_, length) in enumerate(runs):
        later[length].append(number)
    blanks = [blank.start() for blank in _BLANK_LINE.finditer(text)]
    blocks = [bisect_left(blanks, start) for start, _ in runs]
    longest = _longest_after(runs, blocks)
    spans, number = [], 0
    while number < len(runs):
        start, length = runs[number]
        back = start  # (a run of backslashes before it: an odd one escapes its first backtick)
        while back and text[back - 1] == "\\":
            back -= 1
        escaped = (start - back) % 2
        start, length = start + escaped, length - escaped
        closing = None
        for size in (length, longest[number]) if length else ():
            same = later[size]
            while same and same[0] <= number:
                same.popleft()
            if same and blocks[same[0]] == blocks[number] and 0 < size <= length:
                closing = same[0]
                break
        if closing is None:  # (no run closes it in its paragraph: its backticks are text)
            number += 1
            continue
        spans.append((start, runs[closing][0] + runs[closing][1], runs[closing][1]))
        number = closing + 1
    return spans


def _longest_after(runs: list[tuple[int, int]], blocks: list[int]) -> list[int]:
    """For each run of backticks, the length of the longest after it in its paragraph."""
    longest, block, found = [0] * len(runs), -1, 0
    for number in range(len(runs) - 1, -1, -1):
        if blocks[number] != block:
            block, found = blocks[number], 0
        longest[number] = found
        found = max(found, runs[number][1])
    return longest
