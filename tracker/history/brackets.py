"""Links' brackets matched in linear time, for every Python-Markdown converter the tracker makes.

Python-Markdown finds a link's words by counting brackets from each ``[`` to the ``]`` that
closes it (``LinkInlineProcessor.getText``; its six link and image patterns each do so), and a
link's address by counting parentheses from its ``(`` (``getLink``). A bracket that nothing
closes is counted to the end of its paragraph, again for every such bracket: a paragraph of
20,000 unclosed ``[`` (a pasted data dump, a document gone wrong) took 67 s to render, 3,000
``x [a] [b [c]`` 12 s, 5,000 ``[a](`` 7 s; a page, its track changes and `tracker build`
waited as long. ``Brackets`` gives each of those patterns a ``getText`` and ``getLink`` that
answer the same from each bracket's partner, found in one pass over the paragraph (an address
with a quotation mark before its closing parenthesis, which may be a title, is still read by
the library's own loop). ``tests/test_brackets.py`` holds them to the library's on random text.
"""

from __future__ import annotations

import bisect
import re
import types
from collections.abc import Callable
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import dequote

_BRACKET = re.compile(r"[\[\]]")
_PARENTHESIS = re.compile(r"[()]")
_QUOTE = re.compile("['\"]")
# The patterns that call getText, and of them those that call getLink (Python-Markdown 3's
# names; one it lacks is passed over).
_PATTERNS = (
    "link",
    "image_link",
    "reference",
    "image_reference",
    "short_reference",
    "short_image_ref",
)
_LINKS = ("link", "image_link")


def partners(data: str, opening: str = "[") -> dict[int, int]:
    """Where each opening bracket of ``data`` (``[``, or ``(``) is closed: the index just past
    the closing one that brings the count of those opened after it back to zero. One that
    nothing closes is not a key."""
    closed: dict[int, int] = {}
    open_at: list[int] = []
    for found in (_BRACKET if opening == "[" else _PARENTHESIS).finditer(data):
        at = found.start()
        if data[at] == opening:
            open_at.append(at)
        elif open_at:
            closed[open_at.pop()] = at + 1
    return closed


class _Text:
    """What is known of one text the patterns ask about: where its brackets and parentheses
    close, where its quotation marks are. Each depends only on the text after it, so it holds
    for another text that ends as this one does from there: the text the converter goes on
    with once a link is made (its words before, a placeholder, the same words after)."""

    def __init__(self, data: str) -> None:
        self.data = data
        self.brackets = partners(data)
        self.parentheses = partners(data, "(")
        self.quotes = {mark: [] for mark in "'\""}  # type: dict[str, list[int]]
        for found in _QUOTE.finditer(data):
            self.quotes[found.group()].append(found.start())
        self.any_quote = sorted(self.quotes["'"] + self.quotes['"'])
        self.closing = {  # each mark that has only spaces between it and a ")"
            mark: [found.start() for found in re.finditer(f"{mark}(?= *\\))", data)]
            for mark in "'\""
        }
        self.parenthesis_at = [found.start() for found in _PARENTHESIS.finditer(data)]
        self.open_before = [0]  # how many are open before each parenthesis, and after all
        for at in self.parenthesis_at:
            self.open_before.append(self.open_before[-1] + (1 if data[at] == "(" else -1))

    def shift(self, data: str, start: int) -> int | None:
        """How far ``data``'s characters from ``start`` on lie before this text's same ones
        (where this text ends with them), else None."""
        if data is self.data:
            return 0
        offset = len(self.data) - len(data)
        if start + offset >= 0 and self.data.endswith(data[start:]):
            return offset
        return None

    @staticmethod
    def after(positions: list[int], at: int) -> int | None:
        """The first of ``positions`` at ``at`` or after."""
        place = bisect.bisect_left(positions, at)
        return positions[place] if place < len(positions) else None

    def depth(self, start: int, mark: int) -> int:
        """How many parentheses are open at ``mark``, counting the one just before ``start``."""
        counted = self.open_before[bisect.bisect_left(self.parenthesis_at, mark)]
        return 1 + counted - self.open_before[bisect.bisect_left(self.parenthesis_at, start)]

    def nth_parenthesis(self, mark: int, count: int) -> int | None:
        """Where the ``count``th parenthesis after ``mark`` is, either way round."""
        place = bisect.bisect_right(self.parenthesis_at, mark) + count - 1
        return self.parenthesis_at[place] if place < len(self.parenthesis_at) else None


class _Known:
    """The texts last asked about: a paragraph, and the words of a link in it (read while
    the paragraph's are), each read once while the converter goes along them."""

    KEPT = 4

    def __init__(self) -> None:
        self.texts: list[_Text] = []

    def of(self, data: str, start: int) -> tuple[_Text, int]:
        """What is known of ``data`` from ``start`` on, and the shift of its positions."""
        for text in self.texts:
            offset = text.shift(data, start)
            if offset is not None:
                return text, offset
        text = _Text(data)
        self.texts = [text, *self.texts[: self.KEPT - 1]]
        return text, 0


def _get_text(known: _Known, data: str, index: int) -> tuple[str, int, bool]:
    """``LinkInlineProcessor.getText``: the words after the ``[`` just before ``index`` up to
    the ``]`` that closes it, the index past that ``]``, and whether one does. Where nothing
    closes it, the rest of the text, its end and False, as the library's own loop gives."""
    if index < 1 or data[index - 1 : index] != "[":  # (every pattern calls it past a "[")
        return _counted(data, index)
    text, offset = known.of(data, index - 1)
    end = text.brackets.get(index - 1 + offset)
    if end is None:
        return data[index:], len(data), False
    return data[index : end - offset - 1], end - offset, True


def _counted(data: str, index: int) -> tuple[str, int, bool]:
    """The library's loop, for a call not just past a ``[``."""
    count = 1
    for at in range(index, len(data)):
        count += {"[": 1, "]": -1}.get(data[at], 0)
        if count == 0:
            return data[index:at], at + 1, True
    return data[index:], len(data), False


_Link = tuple[str, str | None, int, bool]


def _get_link(
    known: _Known, pattern: Any, library: Callable[[str, int], _Link], data: str, index: int
) -> _Link:
    """``LinkInlineProcessor.getLink``: the address (and title) in the parentheses at ``index``,
    the index past them, and whether they close, as the library's loop reads them.

    Up to the first quotation mark that loop counts parentheses: where the one at ``index``
    closes before any, that is the address. From a quotation mark on, it takes the text as a
    title: the link ends at the first ``)`` that the same mark (or the other kind, once it has
    opened a second title) comes just before, spaces apart, the mark having come again since it
    opened; failing that, at the ``)`` that closes as many as were open at the mark, counting
    every parenthesis after it; failing that, nowhere. Where that count ends on a ``(`` (the
    loop then gives a broken answer), the library's loop is asked.
    """
    found = pattern.RE_LINK.match(data, pos=index)
    if found is None or found.group(1) or data[index : index + 1] != "(":
        return library(data, index)  # (no link, or an address written <so>)
    start = found.end()
    text, offset = known.of(data, index)
    after = text.after
    end = text.parentheses.get(index + offset)
    mark = after(text.any_quote, start + offset)
    if mark is None or (end is not None and end <= mark):
        if end is None:
            return "", None, len(data), False
        return pattern.unescape(data[start : end - offset - 1]).strip(), None, end - offset, True
    other = after(text.quotes["'" if text.data[mark] == '"' else '"'], mark + 1)
    title = after(text.closing[text.data[mark]], mark + 1)  # (where the mark comes again)
    second = None if other is None else after(text.closing[text.data[other]], other + 1)
    ends = []  # (where a title's ")" is, where its mark opened it)
    if title is not None:
        ends.append((text.data.index(")", title), mark))
    if other is not None and second is not None:
        ends.append((text.data.index(")", second), other))
    if ends:
        closed, opened = (at - offset for at in min(ends))
        words = data[opened + 1 : data.rindex(data[opened], 0, closed)]
        words = pattern.RE_TITLE_CLEAN.sub(" ", dequote(pattern.unescape(words.strip())))
        return pattern.unescape(data[start:opened]).strip(), words, closed + 1, True
    backup = text.nth_parenthesis(mark, text.depth(start + offset, mark))
    if backup is None:
        return "", None, len(data), False
    if text.data[backup] == "(":
        return library(data, index)
    return pattern.unescape(data[start : backup - offset]).strip(), None, backup - offset + 1, True


class Brackets(Extension):
    """Gives the link and image patterns a converter has a linear ``getText`` and ``getLink``
    (one record of the texts for them all)."""

    def extendMarkdown(self, md: Markdown) -> None:
        known = _Known()

        def get_text(_pattern: Any, data: str, index: int) -> tuple[str, int, bool]:
            return _get_text(known, data, index)

        for name in _PATTERNS:
            if name not in md.inlinePatterns:
                continue
            pattern: Any = md.inlinePatterns[name]
            pattern.getText = types.MethodType(get_text, pattern)
            if name in _LINKS:
                library = pattern.getLink

                def get_link(
                    this: Any, data: str, index: int, library: Callable[..., _Link] = library
                ) -> _Link:
                    return _get_link(known, this, library, data, index)

                pattern.getLink = types.MethodType(get_link, pattern)
