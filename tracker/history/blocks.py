"""A chapter's Markdown cut as Python-Markdown's block parser cuts it into the pieces whose
text it reads for links (paragraphs, headings, quotes' paragraphs), with its reference
definitions (``[r]: referrals.md``) taken out; in one pass over the lines however hostile.
Lists and indented code are not cut out (Python-Markdown's list items do not end a paragraph:
``Text\\n- item`` is one)."""

from __future__ import annotations

import re

_BLANK_LINE = re.compile(r"\n\n+")
_QUOTED = re.compile(r"(?: {0,3}> ?)*")  # each level of quote (QuoteProcessor.clean)
# ReferenceProcessor.RE: a definition, its destination or title perhaps on the next line.
_DEFINITION = re.compile(
    r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
    r"""((["'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""",
    re.M,
)


def inline_blocks(text: str) -> tuple[list[str], dict[str, str]]:
    """The text's pieces read inline, in order, and its reference definitions (each label, as
    Python-Markdown keeps it: stripped, in lower case, -> its destination; the last wins).
    The text has its fenced code and lines of spaces taken out."""
    blocks: list[str] = []
    references: dict[str, str] = {}
    for chunk in _BLANK_LINE.split(text):
        if "[" not in chunk:
            continue  # (no link, no definition: most of a chapter's paragraphs)
        if "#" not in chunk and ">" not in chunk:  # (one paragraph: nothing cuts it)
            blocks.extend(_undefined(chunk.strip("\n"), references))
            continue
        for lines, heading in _cut(chunk):
            if heading:
                blocks.append(lines[0])
            else:
                blocks.extend(_undefined("\n".join(lines), references))
    return blocks, references


def _cut(chunk: str) -> list[tuple[list[str], bool]]:
    """The lines of each piece of a block (a heading's words alone), with quotes' marks taken
    off: a heading line is a piece of its own (HashHeaderProcessor, found on any line, before
    all else); a line quoted more deeply than the lines before it begins a piece (the rest of
    a quote, lines not marked too, belongs to it); an empty line within a quote ends one. The
    lines after a heading or such an empty line are read in its quote (or none) again."""
    pieces: list[tuple[list[str], bool]] = []
    current: list[str] = []
    depth = 0
    for line in chunk.split("\n"):
        marks = _QUOTED.match(line).group()  # type: ignore[union-attr]  # (it matches "")
        level = marks.count(">")
        content = line[len(marks) :]
        if level and not content.strip():
            content = ""
        header = heading_words(content)
        if level > depth or header is not None or not content:
            if current:
                pieces.append((current, False))
            current = []
            depth = level if header is not None or not content else max(depth, level)
        if header is not None:
            pieces.append(([header], True))
        elif content:
            current.append(content)
    if current:
        pieces.append((current, False))
    return pieces


def heading_words(line: str) -> str | None:
    """The words of a heading line, as Python-Markdown's HashHeaderProcessor reads them
    (``#{1,6}(?P<header>(?:\\\\.|[^\\\\])*?)#*$``: no space is needed after the #s, closing #s
    are dropped unless escaped, and a line ending in a backslash no character follows is not
    one); None for another line. (Not that pattern: it takes quadratic time on some lines.)"""
    if not line.startswith("#"):
        return None
    level = min(6, len(line) - len(line.lstrip("#")))
    rest = line[level:]
    words = rest.rstrip("#")
    if (len(words) - len(words.rstrip("\\"))) % 2:  # (its last backslash escapes a "#")
        if len(words) == len(rest):
            return None
        words = rest[: len(words) + 1]
    return words.strip()


def _undefined(block: str, references: dict[str, str]) -> list[str]:
    """The pieces of a block around its reference definitions, each kept in ``references``
    (ReferenceProcessor: text before and after a definition are blocks of their own)."""
    pieces, shown = [], 0
    if "]:" in block:
        for found in _DEFINITION.finditer(block):
            references[found.group(1).strip().lower()] = found.group(2).lstrip("<").rstrip(">")
            pieces.append(block[shown : found.start()])
            shown = found.end()
    pieces.append(block[shown:])
    return [piece.strip("\n") for piece in pieces if piece.strip()]
