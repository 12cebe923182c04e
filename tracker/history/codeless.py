"""A chapter's Markdown with its code taken out (fenced blocks, code spans), so that the links
and headings shown as code are not read as the page's own; each in one pass over the text,
however hostile (a pattern searched from each candidate took minutes on some texts).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from collections.abc import Sequence

_TICKS = re.compile(r"`+")
MASK = "\x00"  # (no tag's name, attribute or end; not a space: a line of it is not blank)
_MASKED = re.compile(r"[^ \t\n]")  # (spaces kept: a line's indent says whether it is code)
# Where a paragraph ends, for code spans: a blank line, or a line a quotation begins (Python-
# Markdown's BlockQuoteProcessor splits a paragraph at any line starting ">" after at most
# three spaces).
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n|\n {0,3}>")
# FencedBlockPreprocessor.FENCED_BLOCK_RE, read a line at a time: a fence of three or more
# backticks or tildes at the very start of a line (no indent), then spaces, then either
# "{attributes}" to the line's end, or a language's name ("[\w#.+-]*") and spaces and perhaps
# hl_lines="..." (whose quotes may close on a later line); the block ends at the first line
# that is the same fence, of the same length, alone but for spaces. Tabs count as spaces
# (Python-Markdown expands them first).
_FENCE = re.compile(r"`{3,}|~{3,}")
_CLOSING = re.compile(r"(`{3,}|~{3,}) *")
_LANGUAGE = re.compile(r"[\w#.+-]*")
_HL_LINES = "hl_lines="
_WORD = re.compile(r"[^ =}]*")  # (attr_list's scanner: a word, a key or a value)


def without_fences(text: str) -> str:
    """The text (which begins with a newline) with each fenced block, from its opening line
    to its closing line, made one empty line, where Python-Markdown's ``fenced_code`` finds
    them (``FENCED_BLOCK_RE``); a fence no line closes is text. In one pass over the lines."""
    lines = text.split("\n")
    plain = [line.expandtabs(4) if "\t" in line else line for line in lines]
    closing: dict[str, list[int]] = defaultdict(list)
    quoted: dict[str, list[int]] = {'"': [], "'": []}  # lines ending in a quote (and spaces)
    for number, line in enumerate(plain):
        if found := _CLOSING.fullmatch(line):
            closing[found.group(1)].append(number)
        last = line.rstrip(" ")[-1:]
        if last in quoted:
            quoted[last].append(number)
    kept, number = [], 0
    while number < len(lines):
        opened = _opening(plain[number]) if number else None  # (after a newline)
        end = number
        if opened is not None and opened[1]:  # (its hl_lines quote closes on a later line)
            later = quoted[opened[1]]
            at = bisect_right(later, number)
            end = later[at] if at < len(later) else -1
        fences = closing.get(opened[0], []) if opened is not None and end >= 0 else []
        at = bisect_right(fences, end)
        if at < len(fences):
            kept.append("")
            number = fences[at] + 1
        else:
            kept.append(lines[number])
            number += 1
    return "\n".join(kept)


def _opening(line: str) -> tuple[str, str] | None:
    """The fence a line opens a block with, and the quote its hl_lines="..." is still open
    with at the line's end ('' when none is); None for a line that opens none."""
    fence = _FENCE.match(line)
    if fence is None:
        return None
    rest = line[fence.end() :].lstrip(" ")
    if rest.startswith("{"):  # (an attribute list: to the line's end, its braces matched)
        return (fence.group(), "") if rest.endswith("}") and _attributes(rest[1:-1]) else None
    named = _LANGUAGE.match(rest).end()  # type: ignore[union-attr]  # (it matches "")
    after = rest[named:].lstrip(" ")
    if not after:
        return fence.group(), ""
    if after.startswith(_HL_LINES):
        value = after[len(_HL_LINES) :]
    elif after.startswith("=") and named == len(rest) - len(after):
        value = after[1:] if rest[:named].endswith(_HL_LINES[:-1]) else ""
    else:
        return None
    quote = value[:1]
    if quote not in ('"', "'"):
        return None
    return fence.group(), "" if value[1:].rstrip(" ").endswith(quote) else quote


def _attributes(listed: str) -> bool:
    """Whether Python-Markdown reads a fence's ``{...}`` as attributes (``attr_list``'s
    scanner leaves no '}' unread): words, key=value, key="value" or key='value', spaces."""
    at = 0
    while at < len(listed):
        if listed[at] == " ":
            at += 1
            continue
        word = _WORD.match(listed, at).end()  # type: ignore[union-attr]  # (it matches "")
        if word == at:
            break  # ('=' or '}' where a word should be: the scanner stops)
        at = word
        if listed[at : at + 1] != "=":
            continue
        quote = listed[at + 1 : at + 2]
        closed = listed.find(quote, at + 2) if quote in ('"', "'") else -1
        if closed >= 0:
            at = closed + 1
        elif (value := _WORD.match(listed, at + 1).end()) > at + 1:  # type: ignore[union-attr]
            at = value
    return "}" not in listed[at:]


def without_code_spans(text: str, raw: Sequence[tuple[int, int]] = ()) -> str:
    """The text with each code span (``code_spans``) masked: each of its characters but line
    ends and spaces made ``MASK``, so that its line still holds text (a paragraph's line that
    is all code is no blank line: a line indented under it goes on the paragraph, as on the
    page), every line keeps its indent, and no tag begins or ends in it. None in the ``raw``
    parts (raw HTML blocks, whose backticks are text, and pair with none outside them)."""
    kept: list[str] = []
    shown_from = 0
    masked = text
    if raw:  # (each read as a blank line: a raw block ends the paragraph before it)
        pieces, at = [], 0
        for begin, end in raw:
            size = end - begin  # (as long as the part: the offsets stay)
            blank = "\n" + " " * (size - 2) + "\n" if size >= 2 else " " * size
            pieces += [text[at:begin], blank]
            at = end
        masked = "".join(pieces) + text[at:]
    for start, end, _ in code_spans(masked):
        kept += (text[shown_from:start], _MASKED.sub(MASK, text[start:end]))
        shown_from = end
    return "".join(kept) + text[shown_from:]


def code_spans(text: str) -> list[tuple[int, int, int]]:
    """Each code span's start, end and number of backticks either side, paired as
    Python-Markdown pairs them in a paragraph (``_PARAGRAPH_END``): a run of n backticks not
    escaped opens a span that the next run of exactly n closes; else, when the longest run
    after it in the paragraph is shorter, the first of those (its first backticks open it);
    else none does."""
    runs = [(run.start(), len(run.group())) for run in _TICKS.finditer(text)]
    later: dict[int, deque[int]] = defaultdict(deque)  # a run's length -> the runs, in order
    for number, (_, length) in enumerate(runs):
        later[length].append(number)
    blanks = [blank.start() for blank in _PARAGRAPH_END.finditer(text)]
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
