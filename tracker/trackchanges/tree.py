"""Sanitised HTML -> blocks: headings, paragraphs, list items, table rows, quotes, code, rules.

A list item's own text is its inline content exactly as rendered (a link or emphasis keeps the
spacing around it); its paragraphs and other block-level content are separated by breaks, and
the lists nested in it are blocks of their own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from tracker.trackchanges.flat import flat_blocks, flat_pieces
from tracker.trackchanges.text import (
    INLINE,
    Block,
    make_block,
    numbered,
    paragraph_blocks,
    spoken_as,
)

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LISTS = frozenset({"ul", "ol"})
_VOID = frozenset({"br", "hr", "img"})


def html_blocks(clean: str) -> tuple[Block, ...]:
    """The blocks of sanitised (so well-formed) HTML."""
    found = flat_blocks(clean)  # quicker, where the HTML is written as a tree would write it
    return found if found is not None else tree_blocks(html_tree(clean))


def tree_blocks(root: _Node) -> tuple[Block, ...]:
    """The blocks of a tree of HTML."""
    return tuple(_blocks(root, depth=0, container=""))


def html_pieces(clean: str, separator: str) -> list[tuple[Block, ...]] | None:
    """The blocks of each piece of sanitised HTML between paragraphs holding only the word
    ``separator``; None if the separator stands anywhere else."""
    pieces = flat_pieces(clean, separator)  # quicker, where the HTML allows
    if pieces is None:
        pieces = _tree_pieces(clean, separator)
    if sum(block.html.count(separator) for blocks in pieces for block in blocks):
        return None
    return pieces


def _tree_pieces(clean: str, separator: str) -> list[tuple[Block, ...]]:
    pieces: list[tuple[Block, ...]] = []
    piece = _Node("root")
    for child in html_tree(clean).children:
        if isinstance(child, _Node) and child.tag == "p" and child.children == [separator]:
            pieces.append(tree_blocks(piece))
            piece = _Node("root")
        else:
            piece.children.append(child)
    pieces.append(tree_blocks(piece))
    return pieces


def html_tree(clean: str) -> _Node:
    """The tree of sanitised HTML, as ``HTMLParser`` reads it (``parsed_tree``), quicker.

    The sanitiser writes every tag as ``<name attr="value">`` and escapes every ``<`` in text,
    so tags are found by one pattern; text and attribute values are unescaped as the parser
    unescapes them. Anything else (a ``<`` outside a tag) is left to the parser.
    """
    root = _Node("root")
    stack = [root]
    at = 0
    for match in _TAG.finditer(clean):
        start = match.start()
        if start > at:
            text = clean[at:start]
            if "<" in text:
                return parsed_tree(clean)
            stack[-1].children.append(html.unescape(text) if "&" in text else text)
        at = match.end()
        closing, tag, attributes, alone = match.groups()
        tag = tag.lower()
        if not closing:
            attrs = (
                [_attribute(found) for found in _ATTRIBUTE.finditer(attributes)]
                if attributes
                else []
            )
            node = _Node(tag, attrs)
            stack[-1].children.append(node)
            if tag in _VOID:
                continue
            stack.append(node)
            if not alone:
                continue
        for depth in range(len(stack) - 1, 0, -1):  # an end tag closes what it matches
            if stack[depth].tag == tag:
                del stack[depth:]
                break
    text = clean[at:]
    if "<" in text:
        return parsed_tree(clean)
    if text:
        stack[-1].children.append(html.unescape(text) if "&" in text else text)
    return root


def _attribute(found: re.Match[str]) -> tuple[str, str | None]:
    name, value = found.groups()
    return name.lower(), value if value is None or "&" not in value else html.unescape(value)


def parsed_tree(clean: str) -> _Node:
    """The tree of any HTML, by ``HTMLParser``."""
    builder = _TreeBuilder()
    builder.feed(clean)
    builder.close()
    return builder.root


# A start or end tag, its attributes all "quoted" as the sanitiser writes them.
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'<>/=]+(?:="[^"]*")?)*)\s*(/?)>')
_ATTRIBUTE = re.compile(r'([^\s"\'<>/=]+)(?:="([^"]*)")?')


class _Node:
    """An element: its tag, attributes and children (elements and text, unescaped)."""

    __slots__ = ("attrs", "children", "tag")  # one is made for every tag: kept small and quick

    def __init__(
        self,
        tag: str,
        attrs: list[tuple[str, str | None]] | None = None,
        children: list[_Node | str] | None = None,
    ) -> None:
        self.tag = tag
        self.attrs = [] if attrs is None else attrs
        self.children: list[_Node | str] = [] if children is None else children

    def inner(self) -> str:
        return "".join(
            html.escape(child, quote=False) if isinstance(child, str) else child.outer()
            for child in self.children
        )

    def outer(self) -> str:
        attrs = "".join(f' {k}="{html.escape(v or "")}"' for k, v in self.attrs)
        if self.tag in _VOID:
            return f"<{self.tag}{attrs}>"
        return f"<{self.tag}{attrs}>{self.inner()}</{self.tag}>"

    def elements(self) -> Iterator[_Node]:
        return (child for child in self.children if isinstance(child, _Node))


class _TreeBuilder(HTMLParser):
    """A small tree from sanitised HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _inline(child: _Node | str) -> bool:
    return isinstance(child, str) or child.tag in INLINE or child.tag == "br"


def _blocks(node: _Node, depth: int, container: str) -> Iterator[Block]:
    """Blocks of a node's children; loose text and inline elements become paragraphs."""
    loose: list[_Node | str] = []
    for child in node.children:
        if _inline(child):
            loose.append(child)
            continue
        assert isinstance(child, _Node)
        yield from _paragraph(loose, depth, container)
        loose = []
        yield from _element(child, depth, container)
    yield from _paragraph(loose, depth, container)


def _paragraph(
    loose: list[_Node | str], depth: int, container: str, spoken: str = ""
) -> Iterator[Block]:
    yield from paragraph_blocks(_Node("p", children=loose).inner(), depth, container, spoken)


def _element(child: _Node, depth: int, container: str) -> Iterator[Block]:
    tag = child.tag
    if tag in HEADINGS:
        yield make_block(
            "heading", tag, int(tag[1]), "", child.inner(), spoken=spoken_as(child.attrs)
        )
    elif tag in {"p", "dt", "dd"}:
        yield from _paragraph(child.children, depth, container, spoken_as(child.attrs))
    elif tag in _LISTS:
        yield from _list(child, depth + 1)
    elif tag == "table":
        for row in _rows(child):
            yield make_block("row", "tr", 0, "table", row.inner())
    elif tag == "blockquote":
        yield from _blocks(child, depth, "blockquote")
    elif tag == "pre":
        yield make_block("code", "pre", 0, "", child.inner(), spoken=spoken_as(child.attrs))
    elif tag == "hr":
        yield make_block("rule", "hr", 0, "", "")
    else:  # dl, and any wrapper: its contents
        yield from _blocks(child, depth, container)


def _list(node: _Node, depth: int) -> Iterator[Block]:
    """The blocks of a list's items, each numbered as its list numbers it."""
    items = list(node.elements())
    numbers = numbered(node.tag, dict(node.attrs).get("start"), len(items))
    for number, item in zip(numbers, items, strict=True):
        yield from _item(item, depth, node.tag, number)


def _item(item: _Node, depth: int, container: str, number: int | None) -> Iterator[Block]:
    """A list item's own text, then the items of the lists nested in it.

    One paragraph (a loose list's item) reads as the text of a tight one; an item of several
    paragraphs keeps them, so that joining or parting them is a change a reader sees.
    """
    paragraphs = sum(1 for child in item.elements() if child.tag == "p")
    own = "".join(
        html.escape(child, quote=False)
        if isinstance(child, str)
        else child.outer()
        if _inline(child)
        else f" {child.inner() if child.tag == 'p' and paragraphs == 1 else child.outer()} "
        for child in item.children
        if isinstance(child, str) or child.tag not in _LISTS
    )
    yield make_block("item", "li", depth, container, own, number, spoken_as(item.attrs))
    for child in item.elements():
        if child.tag in _LISTS:
            yield from _list(child, depth + 1)


def _rows(table: _Node) -> Iterator[_Node]:
    for child in table.elements():
        if child.tag == "tr":
            yield child
        elif child.tag in {"thead", "tbody"}:
            yield from _rows(child)
