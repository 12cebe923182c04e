"""The line of a document's file a finding of ``tracker check`` is on (1-based, its front
matter counted), found in the text where what the finding names is written: a link's or an
image's address, or a front matter key. Read only for a document that has such a finding;
None where it cannot be found so (an address written otherwise than it is read, such as
``a\\_b.md`` or ``a&amp;b.md``, or a key written otherwise than plainly).

Findings come in the order of the text (links, then links written as HTML, then images), so
each address is looked for from where the one before was found, then from the body's start:
about one pass over the text a kind, and never more than ``SCANNED`` characters a document,
however hostile (50,000 broken links, their definitions in reverse order)."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Callable

from tracker.history.documents import KNOWN_KEYS, split_front_matter
from tracker.history.model import Version

SCANNED = 20_000_000  # characters searched for addresses in one document, at most
# What a front matter finding names: the line it gives (YAML's), a known key, an unknown one.
_AT_LINE = re.compile(r" at line (\d+)(?: \(|$)")
_KNOWN = re.compile(
    rf"(?:the front matter holds an impossible date \()?'({'|'.join(sorted(KNOWN_KEYS))})'"
)
_UNKNOWN = re.compile(
    r"unknown front matter key ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|.+?)(?:: .*)?"
)
_UNCLOSED = "the front matter has no closing"  # (its opening line)
_LATE = "the front matter does not start on the first line"  # (the line of its '---')
_BEFORE = "(<\"'="  # what an address follows in a link or image: Markdown's, HTML's


class _Text:
    """A document's text, where its body starts, and where the last address was found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.body = self.cursor = len(text) - len(split_front_matter(text)[1])
        self.scanned = 0
        self.keys: dict[str, int] | None = None  # each front matter key -> its first line
        self.kind = ""  # of the findings looked for last (each kind is in the text's order)
        self.ends: list[int] | None = None  # where each line ends

    def line(self, at: int) -> int:
        """The line of the character at ``at`` (a search in where the lines end: counting the
        line ends before it each time made 120,000 findings in a text take a minute)."""
        if self.ends is None:
            self.ends = [end.start() for end in re.finditer("\n", self.text)]
        return bisect_left(self.ends, at) + 1

    def find(self, address: str) -> int | None:
        """Where ``address`` is written as a link's or an image's address (after one of
        ``_BEFORE``, or a reference's ``]:``), from the cursor on, then from the body's start;
        else where it is written at all; None past the budget."""
        text, plain = self.text, None
        for start, end in ((self.cursor, len(text)), (self.body, self.cursor)):
            if self.scanned > SCANNED:
                return None
            at = text.find(address, start, end + len(address))
            while at >= 0:
                if at and (text[at - 1] in _BEFORE or _defined(text, at)):
                    self.scanned += at - start
                    return at
                plain = at if plain is None else plain
                at = text.find(address, at + 1, end + len(address))
            self.scanned += end - start
        return plain

    def key(self, key: str) -> int | None:
        """The line of the front matter's first line for ``key`` (plain or quoted)."""
        if self.keys is None:
            self.keys = {}
            for number, line in enumerate(self.text[: self.body].split("\n")[1:], start=2):
                name, colon, _ = line.partition(":")
                name = name.rstrip(" \t")
                if colon and name and name[0] not in " \t-#":
                    quoted = len(name) > 1 and name[0] == name[-1] and name[0] in "\"'"
                    self.keys.setdefault(name[1:-1] if quoted else name, number)
        return self.keys.get(key)


class Lines:
    """Lines found in the current text of documents (``text_of``: a version's Markdown)."""

    def __init__(self, text_of: Callable[[Version], str] | None) -> None:
        self.text_of = text_of
        self.texts: dict[str, _Text] = {}  # by blob

    def _text(self, version: Version) -> _Text | None:
        if self.text_of is None or not version.blob:
            return None
        if version.blob not in self.texts:
            self.texts[version.blob] = _Text(self.text_of(version))
        return self.texts[version.blob]

    def address(self, version: Version, *addresses: str, kind: str = "link") -> int | None:
        """The line where the first of ``addresses`` found in the body is written (asked
        again for the same address, its next place: a document with the same broken link
        twice has two findings). The findings of each ``kind`` come in the text's order: the
        first of a kind is looked for from the body's start."""
        found = self._text(version)
        if found is not None and found.kind != kind:
            found.cursor, found.kind = found.body, kind
        for address in filter(None, addresses) if found else ():  # (a same-page link's path: '')
            assert found is not None
            at = found.find(address)
            if at is not None:
                found.cursor = at + len(address)
                return found.line(at)
        return None

    def key(self, version: Version, key: str) -> int | None:
        """The line of ``key`` in the version's front matter (None: not written plainly)."""
        found = self._text(version)
        return found.key(key) if found is not None else None

    def front_matter(self, version: Version, message: str) -> int | None:
        """The line a front matter finding is on: the one YAML names, the key's, or the
        opening '---' (one with no closing line, or not on the first line)."""
        if (at := _AT_LINE.search(message)) is not None:
            return int(at.group(1))
        found = self._text(version)
        if found is None:
            return None
        if message.startswith(_UNCLOSED):
            return 1
        if message.startswith(_LATE):
            return found.line(len(found.text) - len(found.text.lstrip()))
        key = _key(message)
        return found.key(key) if key is not None else None


def _defined(text: str, at: int) -> bool:
    """Whether the address at ``at`` follows a reference's label (``[r]: at``)."""
    return text[max(0, at - 40) : at].rstrip(" \t").endswith("]:")


def _key(message: str) -> str | None:
    """The key a front matter finding names (an unknown one as its message writes it)."""
    if (known := _KNOWN.match(message)) is not None:
        return known.group(1)
    unknown = _UNKNOWN.fullmatch(message)
    try:
        return str(ast.literal_eval(unknown.group(1))) if unknown else None
    except (ValueError, SyntaxError):
        return None
