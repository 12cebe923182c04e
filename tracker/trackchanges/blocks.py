"""Markdown -> a flat list of blocks (headings, paragraphs, list items, table rows, quotes).

Each chunk of source between blank lines is rendered by Python-Markdown on its own and
remembered, so the chunks two versions share are rendered once. Every fragment is sanitised.
Safe from many threads: each thread has its own Markdown converter (a converter keeps state
while it converts), and the memory of rendered chunks is locked.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from typing import Literal

import markdown
import nh3

from tracker.trackchanges.chunks import TABLE_RULE, Chunk, document_chunks
from tracker.trackchanges.wordiff import Deadline

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "blockquote", "pre", "code", "hr", "a", "strong", "em", "b", "i", "br", "sup",
    "sub", "abbr", "img", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt"},
                      "th": {"align"}, "td": {"align"}, "ol": {"start"}}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
INLINE = {"a", "strong", "em", "b", "i", "code", "br", "sup", "sub", "abbr", "img"}
# Words (with inner apostrophes and hyphens), tags, entities, spaces, and any other character.
TOKEN = re.compile(r"<[^>]*>|\s+|&#?\w+;|[\w’'‘-]+|.", re.S)  # noqa: RUF001 (typographic quotes)
_HREF = re.compile(r'href="([^"]*)"')
MAX_CHUNK = 20_000  # characters; a longer chunk is read plainly
UNBALANCED = 30  # more unclosed [ or < than this and a chunk is read plainly


BlockKind = Literal["heading", "paragraph", "item", "row", "quote", "code", "rule"]


@dataclass(frozen=True)
class Block:
    """One unit of the rendered text that a reader sees as a whole."""

    kind: BlockKind
    tag: str  # h2, p, li, tr, pre, hr...
    level: int  # heading level, list depth
    container: str  # ul, ol, table or "" (what consecutive blocks are grouped in)
    html: str  # sanitised inner HTML
    tokens: tuple[str, ...] = field(repr=False)

    @cached_property
    def words(self) -> list[str]:
        """The block's words and punctuation, tags and spaces left out."""
        return [
            html.unescape(t) if "&" in t else t
            for t in self.tokens
            if t[0] != "<" and not t.isspace()
        ]

    @cached_property
    def text(self) -> str:
        """Plain text with its spacing folded."""
        plain = "".join(html.unescape(t) for t in self.tokens if not t.startswith("<"))
        return " ".join(plain.split())

    @cached_property
    def key(self) -> str:
        """What must be equal for two blocks to be the same block."""
        return f"{self.kind}\0{self.tag}\0{self.level}\0{self.container}\0{self.html}"

    @cached_property
    def links(self) -> list[tuple[str, str]]:
        """(text, target) of each link."""
        return _links(self.tokens)


def is_word(token: str) -> bool:
    """A token that is text, not a tag or white space."""
    return not token.startswith("<") and not token.isspace()


def is_image(token: str) -> bool:
    """An image tag: marked like a word when it comes or goes."""
    return token.startswith("<img")


def tokenize(fragment: str) -> tuple[str, ...]:
    """Split inline HTML into tags, entities, words, spaces and punctuation."""
    return tuple(TOKEN.findall(fragment))


def parse_blocks(source: str, deadline: Deadline | None = None) -> list[Block]:
    """The blocks of a Markdown document (front matter left out)."""
    return parse_pair(source, "", deadline)[0]


def parse_pair(
    old: str, new: str, deadline: Deadline | None = None
) -> tuple[list[Block], list[Block], bool]:
    """The blocks of two versions of a document, and whether any chunk was read plainly.

    Chunks only one version has are rendered first: past the deadline the rest are read plainly
    (words and structure, no inline formatting), and a chunk both versions share is then plain
    in both, so it still compares equal.
    """
    old_chunks, new_chunks = document_chunks(old), document_chunks(new)
    shared = {c.key for c in old_chunks} & {c.key for c in new_chunks}
    order = [c for c in old_chunks + new_chunks if c.key not in shared] + old_chunks
    rendered: dict[str, tuple[Block, ...]] = {}
    plain = False
    for chunk in order:
        if chunk.key in rendered:
            continue
        known = _RENDERED.get(chunk.key)
        if known is None and ((deadline is not None and deadline.passed()) or _risky(chunk.text)):
            known, plain = plain_chunk(chunk), True
        rendered[chunk.key] = known if known is not None else render_chunk(chunk)
    return (
        [block for chunk in old_chunks for block in rendered[chunk.key]],
        [block for chunk in new_chunks for block in rendered[chunk.key]],
        plain,
    )


def _risky(text: str) -> bool:
    """Text Python-Markdown would take too long over: very long, or with many unclosed marks."""
    return (
        len(text) > MAX_CHUNK
        or text.count("[") - text.count("]") > UNBALANCED
        or text.count("<") - text.count(">") > UNBALANCED
    )


class _Remembered:
    """The most recently rendered chunks, least recently used forgotten past a size in chars."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._chunks: OrderedDict[str, tuple[Block, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Block, ...] | None:
        with self._lock:
            found = self._chunks.get(key)
            if found is not None:
                self._chunks.move_to_end(key)
            return found

    def put(self, key: str, value: tuple[Block, ...]) -> None:
        with self._lock:
            if key not in self._chunks:
                self.size += len(key)
            self._chunks[key] = value
            while self.size > self.limit and len(self._chunks) > 1:
                old, _ = self._chunks.popitem(last=False)
                self.size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._chunks.clear()
            self.size = 0


_RENDERED = _Remembered(limit=32_000_000)


def render_chunk(chunk: Chunk) -> tuple[Block, ...]:
    """Render one chunk with Python-Markdown, sanitise it and cut it into blocks."""
    text = chunk.text + ("\n\n" + chunk.references if chunk.references else "")
    try:
        blocks = _render(text)
    except RecursionError:  # absurdly deep nesting: read it plainly
        return plain_chunk(chunk)
    if chunk.continues_table:
        blocks = _without_header(blocks)
    _RENDERED.put(chunk.key, blocks)
    return blocks


def _without_header(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """A later piece of a long table, without the header row it repeats."""
    return blocks[1:] if blocks and blocks[0].kind == "row" else blocks


def plain_chunk(chunk: Chunk) -> tuple[Block, ...]:
    """A chunk read without Markdown: headings, list items and table rows kept, text escaped."""
    blocks = _plain(chunk.text)
    return _without_header(blocks) if chunk.continues_table else blocks


def _plain(text: str) -> tuple[Block, ...]:
    blocks = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or TABLE_RULE.match(stripped):
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        item = re.match(r"(?:[-*+]|\d+[.)])\s+(.*)", stripped)
        if heading:
            level = len(heading.group(1))
            blocks.append(_block("heading", f"h{level}", level, "", html.escape(heading.group(2))))
        elif item:
            depth = (len(line) - len(line.lstrip())) // 4 + 1
            blocks.append(_block("item", "li", depth, "ul", html.escape(item.group(1))))
        elif stripped.startswith("|"):
            cells = [html.escape(cell.strip()) for cell in stripped.strip("|").split("|")]
            blocks.append(_block("row", "tr", 0, "table", "".join(f"<td>{c}</td>" for c in cells)))
        elif blocks and blocks[-1].kind == "paragraph":
            last = blocks.pop()
            blocks.append(_block("paragraph", "p", 0, "", f"{last.html} {html.escape(stripped)}"))
        else:
            blocks.append(_block("paragraph", "p", 0, "", html.escape(stripped)))
    return tuple(blocks)


def _render(chunk: str) -> tuple[Block, ...]:
    converter = _converter()
    converter.reset()
    clean = nh3.clean(
        converter.convert(chunk),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )
    builder = _TreeBuilder()
    builder.feed(clean)
    builder.close()
    return tuple(_blocks(builder.root, depth=0, container=""))


_LOCAL = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's converter: a Markdown instance is not safe to share while it converts."""
    converter: markdown.Markdown | None = getattr(_LOCAL, "converter", None)
    if converter is None:
        converter = _LOCAL.converter = markdown.Markdown(
            extensions=EXTENSIONS, output_format="html"
        )
    return converter


@dataclass
class _Node:
    tag: str
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[_Node | str] = field(default_factory=list)

    def inner(self, skip: frozenset[str] = frozenset()) -> str:
        return "".join(
            html.escape(child, quote=False) if isinstance(child, str) else child.outer(skip)
            for child in self.children
            if isinstance(child, str) or child.tag not in skip
        )

    def outer(self, skip: frozenset[str] = frozenset()) -> str:
        attrs = "".join(f' {k}="{html.escape(v or "")}"' for k, v in self.attrs)
        if self.tag in {"br", "hr", "img"}:
            return f"<{self.tag}{attrs}>"
        return f"<{self.tag}{attrs}>{self.inner(skip)}</{self.tag}>"

    def elements(self) -> Iterator[_Node]:
        return (child for child in self.children if isinstance(child, _Node))


class _TreeBuilder(HTMLParser):
    """A small tree from sanitised (so well-formed) HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in {"br", "hr", "img"}:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


_LISTS = frozenset({"ul", "ol"})


def _blocks(node: _Node, depth: int, container: str) -> Iterator[Block]:
    """Blocks of a node's children; loose text and inline elements become paragraphs."""
    loose: list[_Node | str] = []
    for child in node.children:
        if isinstance(child, str) or child.tag in INLINE:
            loose.append(child)
            continue
        yield from _paragraph(loose, depth, container)
        loose = []
        yield from _element(child, depth, container)
    yield from _paragraph(loose, depth, container)


def _paragraph(loose: list[_Node | str], depth: int, container: str) -> Iterator[Block]:
    inner = _Node("p", children=loose).inner()
    if inner.strip():
        quoted = container == "blockquote"
        yield _block("quote" if quoted else "paragraph", "p", depth, container if quoted else "",
                     inner)  # fmt: skip


def _element(child: _Node, depth: int, container: str) -> Iterator[Block]:
    tag = child.tag
    if tag in HEADINGS:
        yield _block("heading", tag, int(tag[1]), "", child.inner())
    elif tag in {"p", "dt", "dd"}:
        yield from _paragraph(child.children, depth, container)
    elif tag in _LISTS:
        for item in child.elements():
            yield from _item(item, depth + 1, tag)
    elif tag == "table":
        for row in _rows(child):
            yield _block("row", "tr", 0, "table", row.inner())
    elif tag == "blockquote":
        yield from _blocks(child, depth, "blockquote")
    elif tag == "pre":
        yield _block("code", "pre", 0, "", child.inner())
    elif tag == "hr":
        yield _block("rule", "hr", 0, "", "")
    else:  # dl, and any wrapper: its contents
        yield from _blocks(child, depth, container)


def _item(item: _Node, depth: int, container: str) -> Iterator[Block]:
    own = " ".join(
        part.strip()
        for part in [
            html.escape(child, quote=False)
            if isinstance(child, str)
            else (child.inner() if child.tag == "p" else child.outer())
            for child in item.children
            if isinstance(child, str) or child.tag not in _LISTS
        ]
        if part.strip()
    )
    yield _block("item", "li", depth, container, own)
    for child in item.elements():
        if child.tag in _LISTS:
            for nested in child.elements():
                yield from _item(nested, depth + 1, child.tag)


def _rows(table: _Node) -> Iterator[_Node]:
    for child in table.elements():
        if child.tag == "tr":
            yield child
        elif child.tag in {"thead", "tbody"}:
            yield from _rows(child)


def _block(kind: BlockKind, tag: str, level: int, container: str, inner: str) -> Block:
    inner = inner.strip()
    return Block(kind, tag, level, container, inner, tokenize(inner))


def _links(tokens: tuple[str, ...]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    target: str | None = None
    words: list[str] = []
    for token in tokens:
        if token.startswith("<a "):
            match = _HREF.search(token)
            target, words = html.unescape(match.group(1)) if match else "", []
        elif token == "</a>" and target is not None:  # noqa: S105 (a tag, not a password)
            found.append((" ".join(words), target))
            target = None
        elif target is not None and is_word(token):
            words.append(html.unescape(token))
    return found
