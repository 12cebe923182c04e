"""A Markdown document cut into chunks that can be rendered one at a time (SPEC §6).

Chunks are separated by blank lines, never inside a fenced code block, an HTML comment or an
HTML block, and never before an indented continuation. A long table is cut into pieces with
its header repeated, so that versions changing one row share the rendering of the rest; each
piece after the first says so, and its repeated header is not shown. Reference-link
definitions go with every chunk that may use them: those whose label it writes in brackets
(a chunk that writes none of them shares its rendering with the other version's even where
a definition changed; with every definition, a text of 20,000 took minutes and gigabytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from markdown import Markdown

from tracker.history.documents import split_front_matter

BLOCK_LEVEL = frozenset(Markdown().block_level_elements) - {"hr"}
TABLE_ROWS = 100  # rows per piece of a long table
_OPEN_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# An HTML block, which Python-Markdown keeps raw, blank lines and all, until its element closes.
_HTML_BLOCK = re.compile(rf"^ {{0,3}}<({'|'.join(sorted(BLOCK_LEVEL))})(?=[\s>/])", re.IGNORECASE)
_MARKS = frozenset("<`~[>")  # how an HTML block, a fence or a reference definition starts
_QUOTE_MARK = re.compile(r"^ {0,3}> ?")  # (a definition in a quotation counts for the document)
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# As Python-Markdown reads them: a label, a target without spaces, an optional title, nothing else.
_REFERENCE = re.compile(
    r"^ {0,3}\[[^\]]+\]:[ \t]*(<[^>\s]*>|\S+)([ \t]+(\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*$"
)
# What a label can be (Python-Markdown's definitions hold no bracket).
_LABEL = re.compile(r"\[([^\[\]]*)\]")
_QUOTED_BREAK = re.compile(r"\n[ \t]*(?:>[ \t]*)*")


@dataclass(frozen=True)
class Chunk:
    """One piece of a document's Markdown."""

    text: str
    references: str = ""  # the document's reference-link definitions, if it has any
    continues_table: bool = False  # its first row repeats the header of the piece before

    @cached_property
    def key(self) -> str:
        """What identifies the chunk's rendering."""
        return f"{self.text}\0{self.references}\0{self.continues_table}"


def document_chunks(source: str) -> list[Chunk]:
    """The chunks of a document's body (front matter left out)."""
    _, body = split_front_matter(source)
    paragraphs, references = _paragraphs(body)
    labelled: dict[str, list[int]] = {}  # each label's definitions, by their place
    for place, line in enumerate(references):
        labelled.setdefault(_label(line.split("]:", 1)[0]), []).append(place)
    return [
        Chunk(text, _used(text, labelled, references), continues)
        for paragraph in paragraphs
        for text, continues in _cut_table(paragraph)
    ]


def _used(text: str, labelled: dict[str, list[int]], references: list[str]) -> str:
    """The definitions (in the document's order: the last of a label wins) whose label
    ``text`` writes in brackets (a link ``[words][label]``, ``[label][]`` or ``[label]``),
    read as loosely as Python-Markdown or more (case, runs of white space): one too many
    changes nothing, one too few would lose a link."""
    if not labelled:
        return ""
    written = {_label(found.group(1)) for found in _LABEL.finditer(text)}
    places = sorted(place for label in written for place in labelled.get(label, ()))
    return "\n".join(references[place] for place in places)


def _label(words: str) -> str:
    """A label as Python-Markdown matches it: a line break inside a block quote takes the
    quote's marks (``[x][working\n> together]`` is ``working together``)."""
    words = _QUOTED_BREAK.sub(" ", words)
    return " ".join(words.lstrip(" ").lstrip("[").split()).lower()


def _paragraphs(body: str) -> tuple[list[str], list[str]]:
    """Blank-line separated chunks, and the reference definitions found outside code."""
    chunks: list[list[str]] = [[]]
    references: list[str] = []
    fence: tuple[str, int] | None = None
    raw: tuple[str, int] | None = None  # an HTML block open: its tag, how deep
    comment = blank = False
    for line in body.splitlines():
        inside = fence is not None or comment or raw is not None
        if not inside and blank and line.strip() and not line[:1].isspace():
            chunks.append([])
        if fence is not None:
            fence = None if _closes(line, fence) else fence
        elif comment:
            comment = "-->" not in line
        elif raw is not None:
            raw = _still_open(raw, line)
        elif line.lstrip(" ")[:1] not in _MARKS and "<!--" not in line:
            pass  # most lines: no HTML block, fence, comment or definition can start here
        elif html := _HTML_BLOCK.match(line):
            raw = _still_open((html.group(1).lower(), 0), line)
        elif opened := _OPEN_FENCE.match(line):
            marker = opened.group(1)
            if not (marker[0] == "`" and "`" in opened.group(2)):
                fence = (marker[0], len(marker))
        elif "<!--" in line:
            comment = "-->" not in line[line.index("<!--") :]
        elif _REFERENCE.match(line):
            references.append(line.strip())
        elif line.lstrip(" ")[:1] == ">" and _REFERENCE.match(quoted := _unquoted(line)):
            references.append(quoted.strip())
        blank = not line.strip()
        chunks[-1].append(line)
    return [text for lines in chunks if (text := "\n".join(lines).strip("\n"))], references


def _unquoted(line: str) -> str:
    """A line of a quotation (however deep) without its marks."""
    while found := _QUOTE_MARK.match(line):
        line = line[found.end() :]
    return line


def is_html_block(text: str) -> bool:
    """Whether a chunk starts an HTML block, which Python-Markdown keeps raw until it closes."""
    return bool(_HTML_BLOCK.match(text))


def _still_open(raw: tuple[str, int], line: str) -> tuple[str, int] | None:
    """An HTML block after one more of its lines: None once its first element has closed."""
    tag, depth = raw
    opened = len(re.findall(rf"<{tag}\b[^>]*(?<!/)>", line, re.IGNORECASE))
    closed = len(re.findall(rf"</{tag}\s*>", line, re.IGNORECASE))
    depth += opened - closed
    return (tag, depth) if depth > 0 else None


def _closes(line: str, fence: tuple[str, int]) -> bool:
    """A closing fence: the same character, at least as long, nothing after it."""
    char, length = fence
    stripped = line.strip()
    return (
        len(line) - len(line.lstrip(" ")) < 4
        and len(stripped) >= length
        and set(stripped) == {char}
    )


def _cut_table(chunk: str) -> list[tuple[str, bool]]:
    lines = chunk.split("\n")
    if len(lines) <= TABLE_ROWS + 2 or not TABLE_RULE.match(lines[1]) or "|" not in lines[0]:
        return [(chunk, False)]
    header, rows = lines[:2], lines[2:]
    return [
        ("\n".join(header + rows[at : at + TABLE_ROWS]), at > 0)
        for at in range(0, len(rows), TABLE_ROWS)
    ]
