"""Sanitised HTML -> blocks, as ``tree.py`` reads it, by cutting the HTML rather than rebuilding it.

``tree.py`` makes a node of every element and a string of every text, unescaped, then writes
each block's inner HTML back out from them (escaping the text again). Where the HTML is written
as that writing would write it (every tag ``<name attr="value">`` in lower case, no character
reference but ``&amp;``, ``&lt;`` and ``&gt;``, no ``<`` or ``>`` but the tags'; as the sanitiser
writes what Python-Markdown makes of a text, most often) the HTML written back is the HTML
read, so a block's inner HTML is a slice of it: only block-level elements are made, and inline
ones only checked to nest. Anything else (an element closed out of order, a tag or reference
written otherwise, text beside the items of a list) is left to ``tree.py``: None.
tests/test_diff_render.py holds this to ``tree.py`` on the corpus and on Hypothesis's HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from tracker.trackchanges.text import (
    INLINE,
    Block,
    make_block,
    numbered,
    paragraph_blocks,
    spoken_as,
)

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LISTS = frozenset({"ul", "ol"})
_START = re.compile(r' start="([0-9]+)"')  # (an ordered list's first number, as sanitised)
_ATTRIBUTE = re.compile(r' (lang|dir)="([^"]*)"')  # (as the sanitiser writes them)
_INLINE = INLINE | {"br"}  # what tree.py's _inline takes for inline
_VOID = frozenset({"br", "hr", "img"})
# A tag as tree.py's _Node writes it: name and attribute names in lower case, values quoted
# with nothing in them that html.escape would write otherwise (a "&" is checked apart).
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)(?: [a-z]+="[^"<>\']*")*>')
_ODD_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt);)")  # unescaped and escaped, it would change


class _Element:
    """A block-level element: its tag, where it starts, its inner HTML starts and ends, and
    where it ends in the HTML; the block-level elements in it."""

    __slots__ = ("children", "end", "inner_end", "inner_start", "start", "tag")

    def __init__(self, tag: str, start: int, inner_start: int) -> None:
        self.tag = tag
        self.start = start
        self.inner_start = self.inner_end = self.end = inner_start
        self.children: list[_Element] = []


def flat_blocks(clean: str) -> tuple[Block, ...] | None:
    """The blocks of sanitised HTML as tree.py's ``tree_blocks`` reads them; None if the HTML
    is not written as tree.py would write it, or not shaped as this reads it."""
    root = _root(clean)
    found = None if root is None else _read(clean, [root])
    return None if found is None else found[0]


def flat_pieces(clean: str, separator: str) -> list[tuple[Block, ...]] | None:
    """As tree.py's ``html_pieces`` before it looks for the separator in the blocks: the blocks
    of each piece of the HTML between paragraphs holding only ``separator``."""
    root = _root(clean)
    if root is None:
        return None
    pieces: list[_Element] = []
    piece = _Element("root", 0, 0)
    for child in root.children:
        if child.tag == "p" and not child.children and _inner(clean, child) == separator:
            piece.inner_end = child.start
            pieces.append(piece)
            piece = _Element("root", child.end, child.end)
        else:
            piece.children.append(child)
    piece.inner_end = len(clean)
    pieces.append(piece)
    return _read(clean, pieces)


def _read(clean: str, roots: list[_Element]) -> list[tuple[Block, ...]] | None:
    try:
        return [tuple(_blocks(clean, root, 0, "")) for root in roots]
    except _NotFlat:
        return None


def _root(clean: str) -> _Element | None:
    """The block-level elements of the HTML under a root, if it is written canonically."""
    tags = list(_TAG.finditer(clean))
    if len(tags) != clean.count("<") or len(tags) != clean.count(">"):
        return None  # a tag written otherwise, or a "<" or ">" in text or a value
    if "&" in clean and _ODD_REFERENCE.search(clean):
        return None
    root = _Element("root", 0, 0)
    stack = [root]
    inline: list[str] = []  # the inline elements open in the innermost block-level one
    for match in tags:
        closing, tag = match.group(1, 2)
        if tag in _INLINE:
            if closing:
                if not inline or inline.pop() != tag:
                    return None
            elif tag not in _VOID:
                inline.append(tag)
            continue
        if inline:
            return None  # a block-level tag inside an inline element
        if closing:
            element = stack.pop()
            if element.tag != tag or element is root:
                return None
            element.inner_end, element.end = match.start(), match.end()
            continue
        element = _Element(tag, match.start(), match.end())
        stack[-1].children.append(element)
        if tag in _VOID:
            continue  # its end and inner end are where its tag ends
        stack.append(element)
    if len(stack) != 1 or inline:
        return None
    root.inner_end = root.end = len(clean)
    return root


def _gaps(clean: str, node: _Element) -> Iterator[tuple[str, _Element | None]]:
    """The inline HTML before each block-level child (then the child), and after the last."""
    at = node.inner_start
    for child in node.children:
        yield clean[at : child.start], child
        at = child.end
    yield clean[at : node.inner_end], None


def _blocks(clean: str, node: _Element, depth: int, container: str) -> Iterator[Block]:
    for loose, child in _gaps(clean, node):
        yield from paragraph_blocks(loose, depth, container)
        if child is not None:
            yield from _element(clean, child, depth, container)


def _spoken(clean: str, element: _Element) -> str:
    """An element's lang and dir, as ``text.spoken_as`` writes them, from its start tag."""
    found = _ATTRIBUTE.findall(clean, element.start, element.inner_start)
    return spoken_as([(name, html.unescape(value)) for name, value in found]) if found else ""


def _inner(clean: str, element: _Element) -> str:
    return clean[element.inner_start : element.inner_end]


def _element(clean: str, child: _Element, depth: int, container: str) -> Iterator[Block]:
    tag = child.tag
    if tag in _HEADINGS:
        spoken = _spoken(clean, child)
        yield make_block("heading", tag, int(tag[1]), "", _inner(clean, child), spoken=spoken)
    elif tag in {"p", "dt", "dd"}:
        yield from paragraph_blocks(_inner(clean, child), depth, container, _spoken(clean, child))
    elif tag in _LISTS:
        yield from _list(clean, child, depth + 1)
    elif tag == "table":
        for row in _rows(clean, child):
            yield make_block("row", "tr", 0, "table", _inner(clean, row))
    elif tag == "blockquote":
        yield from _blocks(clean, child, depth, "blockquote")
    elif tag == "pre":
        yield make_block("code", "pre", 0, "", _inner(clean, child), spoken=_spoken(clean, child))
    elif tag == "hr":
        yield make_block("rule", "hr", 0, "", "")
    else:  # dl, and any wrapper: its contents
        yield from _blocks(clean, child, depth, container)


def _elements(clean: str, node: _Element) -> list[_Element]:
    """The elements in a list or table: tree.py reads inline ones too, so none may stand there."""
    if any(loose and not loose.isspace() for loose, _ in _gaps(clean, node)):
        raise _NotFlat
    return node.children


class _NotFlat(Exception):
    """Inline content where tree.py would read it as an element of a list or table."""


def _list(clean: str, node: _Element, depth: int) -> Iterator[Block]:
    """The blocks of a list's items, each numbered as its list numbers it."""
    items = _elements(clean, node)
    start = _START.search(clean, node.start, node.inner_start)
    numbers = numbered(node.tag, start.group(1) if start else None, len(items))
    for number, item in zip(numbers, items, strict=True):
        yield from _item(clean, item, depth, node.tag, number)


def _item(
    clean: str, item: _Element, depth: int, container: str, number: int | None
) -> Iterator[Block]:
    paragraphs = sum(1 for child in item.children if child.tag == "p")
    own: list[str] = []
    for loose, child in _gaps(clean, item):
        own.append(loose)
        if child is None or child.tag in _LISTS:
            continue
        if child.tag == "p" and paragraphs == 1:
            own.append(f" {_inner(clean, child)} ")
        else:
            own.append(f" {clean[child.start : child.end]} ")
    yield make_block("item", "li", depth, container, "".join(own), number, _spoken(clean, item))
    for child in item.children:
        if child.tag in _LISTS:
            yield from _list(clean, child, depth + 1)


def _rows(clean: str, table: _Element) -> Iterator[_Element]:
    for child in _elements(clean, table):
        if child.tag == "tr":
            yield child
        elif child.tag in {"thead", "tbody"}:
            yield from _rows(clean, child)
