"""Markdown -> a flat list of blocks (headings, paragraphs, list items, table rows, quotes).

Each chunk of source between blank lines is rendered by Python-Markdown on its own and
remembered, so the chunks two versions share are rendered once. Every fragment is sanitised.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html.parser import HTMLParser

import markdown
import nh3

from tracker.documents import split_front_matter
from tracker.wordiff import Deadline

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "blockquote", "pre", "code", "hr", "a", "strong", "em", "b", "i", "br", "sup",
    "sub", "abbr", "img", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt"},
                      "th": {"align"}, "td": {"align"}, "ol": {"start"}}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Words (with inner apostrophes and hyphens), tags, entities, spaces, and any other character.
TOKEN = re.compile(r"<[^>]*>|\s+|&#?\w+;|[\w’'‘-]+|.", re.S)  # noqa: RUF001 (typographic quotes)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.M)
_HREF = re.compile(r'href="([^"]*)"')
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
TABLE_ROWS = 100  # rows per piece of a long table
MAX_CHUNK = 200_000  # characters; a longer chunk is read plainly


@dataclass(frozen=True)
class Block:
    """One unit of the rendered text that a reader sees as a whole."""

    kind: str  # heading, paragraph, item, row, quote, code, rule
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
        return f"{self.tag}\0{self.level}\0{self.html}"

    @cached_property
    def links(self) -> list[tuple[str, str]]:
        """(text, target) of each link."""
        return _links(self.tokens)


def is_word(token: str) -> bool:
    """A token that is text, not a tag or white space."""
    return not token.startswith("<") and not token.isspace()


def tokenize(fragment: str) -> tuple[str, ...]:
    """Split inline HTML into tags, entities, words, spaces and punctuation."""
    return tuple(TOKEN.findall(fragment))


def parse_blocks(source: str, deadline: Deadline | None = None) -> list[Block]:
    """The blocks of a Markdown document (front matter left out)."""
    return parse_pair(source, "", deadline)[0]


def parse_pair(
    old: str, new: str, deadline: Deadline | None = None
) -> tuple[list[Block], list[Block]]:
    """The blocks of two versions of a document, rendered chunk by chunk.

    Chunks only one version has are rendered first: past the deadline the rest are read plainly
    (words and structure, no inline formatting), and a chunk both versions share is then plain
    in both, so it still compares equal.
    """
    old_chunks, new_chunks = _chunks(old), _chunks(new)
    shared = set(old_chunks) & set(new_chunks)
    order = [c for c in old_chunks + new_chunks if c not in shared] + old_chunks
    rendered: dict[str, tuple[Block, ...]] = {}
    for chunk in dict.fromkeys(order):
        known = _RENDERED.get(chunk)
        if known is not None:
            rendered[chunk] = known
        elif len(chunk) > MAX_CHUNK or (deadline is not None and deadline.passed()):
            rendered[chunk] = plain_chunk(chunk)
        else:
            rendered[chunk] = render_chunk(chunk)
    return (
        [block for chunk in old_chunks for block in rendered[chunk]],
        [block for chunk in new_chunks for block in rendered[chunk]],
    )


def _chunks(source: str) -> list[str]:
    """A document's chunks, each carrying the reference-link definitions it may use."""
    _, body = split_front_matter(source)
    references = "\n".join(_REFERENCE.findall(body))
    suffix = "\n\n" + references if references else ""
    return [chunk + suffix for chunk in split_chunks(body)]


def split_chunks(body: str) -> list[str]:
    """Source split at blank lines, never inside a fence or before an indented continuation.

    A long table is cut into tables of TABLE_ROWS rows, each with the header again, so that
    versions which change one row share the rendering of the rest.
    """
    return [piece for chunk in _paragraphs(body) for piece in _cut_table(chunk)]


def _cut_table(chunk: str) -> list[str]:
    lines = chunk.split("\n")
    if len(lines) <= TABLE_ROWS + 2 or not _TABLE_RULE.match(lines[1]) or "|" not in lines[0]:
        return [chunk]
    header, body = lines[:2], lines[2:]
    return [
        "\n".join(header + body[at : at + TABLE_ROWS]) for at in range(0, len(body), TABLE_ROWS)
    ]


def _paragraphs(body: str) -> list[str]:
    chunks: list[list[str]] = [[]]
    fence: str | None = None
    blank = False
    for line in body.splitlines():
        opened = _FENCE.match(line)
        if fence is None and blank and line.strip() and not line[:1].isspace():
            chunks.append([])
        if opened and (fence is None or opened.group(1).startswith(fence)):
            fence = None if fence else opened.group(1)[:3]
        blank = not line.strip()
        chunks[-1].append(line)
    return [text for lines in chunks if (text := "\n".join(lines).strip("\n"))]


class _Remembered(OrderedDict[str, tuple[Block, ...]]):
    """The most recently rendered chunks (a bounded least-recently-used map)."""

    def get(self, key: str, default: None = None) -> tuple[Block, ...] | None:  # type: ignore[override]
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def put(self, key: str, value: tuple[Block, ...]) -> None:
        self[key] = value
        while len(self) > 20_000:
            self.popitem(last=False)


_RENDERED = _Remembered()


def render_chunk(chunk: str) -> tuple[Block, ...]:
    """Render one chunk with Python-Markdown, sanitise it and cut it into blocks."""
    blocks = _render(chunk)
    _RENDERED.put(chunk, blocks)
    return blocks


def plain_chunk(chunk: str) -> tuple[Block, ...]:
    """A chunk read without Markdown: headings, list items and table rows kept, text escaped."""
    blocks = []
    for line in chunk.split("\n"):
        stripped = line.strip()
        if not stripped or _TABLE_RULE.match(stripped):
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


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=EXTENSIONS, output_format="html")


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
    for child in node.elements():
        tag = child.tag
        if tag in HEADINGS:
            yield _block("heading", tag, int(tag[1]), "", child.inner())
        elif tag == "p":
            yield _block(
                "quote" if container == "blockquote" else "paragraph",
                "p",
                depth,
                container if container == "blockquote" else "",
                child.inner(),
            )
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
        elif tag in {"dl", "div"}:
            yield from _blocks(child, depth, container)
        else:
            yield _block("paragraph", "p", depth, "", child.outer())


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


def _block(kind: str, tag: str, level: int, container: str, inner: str) -> Block:
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
