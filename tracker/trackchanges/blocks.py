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

import markdown
import nh3

from tracker.trackchanges.chunks import TABLE_RULE, Chunk, document_chunks
from tracker.trackchanges.text import Block, make_block
from tracker.trackchanges.tree import html_blocks
from tracker.trackchanges.wordiff import Deadline

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "blockquote", "pre", "code", "hr", "a", "strong", "em", "b", "i", "br", "sup",
    "sub", "abbr", "img", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt"},
                      "th": {"align"}, "td": {"align"}, "ol": {"start"}}  # fmt: skip
MAX_CHUNK = 20_000  # characters; a longer chunk is read plainly
UNBALANCED = 30  # more unclosed [ or < than this and a chunk is read plainly


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
            blocks.append(
                make_block("heading", f"h{level}", level, "", html.escape(heading.group(2)))
            )
        elif item:
            depth = (len(line) - len(line.lstrip())) // 4 + 1
            blocks.append(make_block("item", "li", depth, "ul", html.escape(item.group(1))))
        elif stripped.startswith("|"):
            cells = [html.escape(cell.strip()) for cell in stripped.strip("|").split("|")]
            blocks.append(
                make_block("row", "tr", 0, "table", "".join(f"<td>{c}</td>" for c in cells))
            )
        elif blocks and blocks[-1].kind == "paragraph":
            last = blocks.pop()
            blocks.append(
                make_block("paragraph", "p", 0, "", f"{last.html} {html.escape(stripped)}")
            )
        else:
            blocks.append(make_block("paragraph", "p", 0, "", html.escape(stripped)))
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
    return html_blocks(clean)


_LOCAL = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's converter: a Markdown instance is not safe to share while it converts."""
    converter: markdown.Markdown | None = getattr(_LOCAL, "converter", None)
    if converter is None:
        converter = _LOCAL.converter = markdown.Markdown(
            extensions=EXTENSIONS, output_format="html"
        )
    return converter
