"""Markdown -> a flat list of blocks (headings, paragraphs, list items, table rows, quotes).

Each chunk of source between blank lines is rendered by Python-Markdown as it would be on its
own, and remembered, so the chunks two versions share are rendered once. Every fragment is
sanitised. For speed, chunks that can be are converted many at a time (``render_chunks``), by
a converter without the inline patterns that cannot match them; tests/test_diff_render.py
holds this to reading each chunk alone the plain way. Safe from many threads: each thread has
its own Markdown converters (a converter keeps state while it converts), and the memory of
rendered chunks is locked.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections import OrderedDict
from typing import Any

import markdown
import nh3

from tracker.history.brackets import Brackets
from tracker.trackchanges.chunks import Chunk, document_chunks, is_html_block
from tracker.trackchanges.plainread import plain_chunk, without_header
from tracker.trackchanges.text import Block, steps_counted
from tracker.trackchanges.tree import html_blocks, html_pieces
from tracker.trackchanges.wordiff import Deadline

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "blockquote", "pre", "code", "hr", "a", "strong", "em", "b", "i", "br", "sup",
    "sub", "abbr", "img", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "*": {"lang", "dir", "title"},  # (nh3 keeps lang and title unless told: dir too)
}  # fmt: skip  (as the page keeps them)
MAX_CHUNK = 20_000  # characters; a longer chunk is read plainly
UNBALANCED = 30  # more unclosed [ or < than this and a chunk is read plainly


def parse_blocks(source: str, deadline: Deadline | None = None) -> list[Block]:
    """The blocks of a Markdown document (front matter left out)."""
    return parse_pair(source, "", deadline)[0]


def parse_pair(
    old: str, new: str, deadline: Deadline | None = None
) -> tuple[list[Block], list[Block], bool]:
    """The blocks of two versions of a document, and whether any chunk was read plainly.

    Chunks only one version has are rendered first, a batch at a time: past the deadline the
    rest are read plainly (words and structure, no inline formatting), and a chunk both
    versions share is then plain in both, so it still compares equal.
    """
    old_chunks, new_chunks = document_chunks(old), document_chunks(new)
    shared = {c.key for c in old_chunks} & {c.key for c in new_chunks}
    order = [c for c in old_chunks + new_chunks if c.key not in shared] + old_chunks
    rendered: dict[str, tuple[Block, ...]] = {}
    waiting: dict[str, Chunk] = {}  # to be rendered, in order
    plain = False
    for chunk in order:
        if chunk.key in rendered or chunk.key in waiting:
            continue
        known = _RENDERED.get(chunk.key)
        if known is not None:
            rendered[chunk.key] = known
        elif _risky(chunk.text):
            rendered[chunk.key], plain = plain_chunk(chunk), True
        else:
            waiting[chunk.key] = chunk
    for batch in _batches(list(waiting.values())):
        if deadline is not None and deadline.passed():
            rendered.update((chunk.key, plain_chunk(chunk)) for chunk in batch)
            plain = True
        else:
            rendered.update(zip([c.key for c in batch], render_chunks(batch), strict=True))
    return (
        steps_counted([(chunk.text, rendered[chunk.key]) for chunk in old_chunks]),
        steps_counted([(chunk.text, rendered[chunk.key]) for chunk in new_chunks]),
        plain,
    )


def _risky(text: str) -> bool:
    """Text Python-Markdown would take too long over: very long, or with many unclosed marks.

    A long chunk that is an HTML block (an element never closed makes the rest of a document
    one) is not: Python-Markdown keeps it as it is, reading it once for its tags, and the page
    shows its text, Markdown and all; read plainly, it would show headings and lists instead.
    """
    return (
        (len(text) > MAX_CHUNK and not is_html_block(text))
        or text.count("[") - text.count("]") > UNBALANCED
        or text.count("<") - text.count(">") > UNBALANCED
    )


class _Remembered:
    """The most recently rendered chunks, least recently used forgotten past ``limit`` bytes of
    memory (as ``weight`` reckons them)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._chunks: OrderedDict[str, tuple[tuple[Block, ...], int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Block, ...] | None:
        with self._lock:
            found = self._chunks.get(key)
            if found is not None:
                self._chunks.move_to_end(key)
                return found[0]
            return None

    def put(self, key: str, value: tuple[Block, ...]) -> None:
        size = weight(key, value)
        with self._lock:
            known = self._chunks.pop(key, None)
            if known is not None:
                self.size -= known[1]
            self._chunks[key] = (value, size)
            self.size += size
            while self.size > self.limit and len(self._chunks) > 1:
                _, (_, gone) = self._chunks.popitem(last=False)
                self.size -= gone

    def clear(self) -> None:
        with self._lock:
            self._chunks.clear()
            self.size = 0


def weight(key: str, blocks: tuple[Block, ...]) -> int:
    """About the bytes a chunk's blocks take once compared (a little more, measured on the
    synthetic manual: 1.3 times): each block's HTML three times (its own, as compared, in its
    key), each token a string and its place, the block itself. Its source's characters alone
    were a nineteenth of it: a bound of 32 million of them let a service's memory grow by
    hundreds of megabytes."""
    return len(key) + sum(len(b.html) * 3 + len(b.tokens) * 60 + 300 for b in blocks)


_RENDERED = _Remembered(limit=32 * 2**20)  # bytes


def render_chunk(chunk: Chunk) -> tuple[Block, ...]:
    """Render one chunk with Python-Markdown, sanitise it and cut it into blocks."""
    try:
        blocks = _render(_source(chunk))
    except RecursionError:  # absurdly deep nesting: read it plainly
        _LOCAL.converters = None  # (left part-way, as render_chunks says)
        return plain_chunk(chunk)
    if chunk.continues_table:
        blocks = without_header(blocks)
    _RENDERED.put(chunk.key, blocks)
    return blocks


def render_chunks(chunks: list[Chunk]) -> list[tuple[Block, ...]]:
    """Chunks rendered as ``render_chunk`` renders each, with one conversion where they allow.

    Chunks that can be read apart (``_apart``) and have the same reference definitions (those
    of one version: in one conversion the last definition of a label wins, so another
    version's would be taken for its own) and the same steps of a conversion left out (so that
    a chunk with no table is not tried for one with those that have) are converted together,
    each followed by the
    reference definitions it is rendered with and a paragraph of a word no document holds
    (``SEPARATOR``): the blocks between two separators are the blocks of one chunk. A blank
    line and a paragraph end whatever the chunk before had open (a list, a quotation, a table)
    but raw HTML, a fenced code block or a reference definition, which are converted alone. If
    the separators are not found as they were put, each chunk is rendered alone.
    """
    found: dict[int, tuple[Block, ...]] = {}
    together: dict[tuple[frozenset[str], frozenset[str], str], list[int]] = {}
    for number, chunk in enumerate(chunks):
        if _apart(chunk.text):
            present = _present(_source(chunk))
            group = (_unused_for(present), _unused_steps_for(present), chunk.references)
            together.setdefault(group, []).append(number)
        else:
            found[number] = render_chunk(chunk)
    for (unused, _, _), numbers in together.items():
        source = f"\n\n{SEPARATOR}\n\n".join(_source(chunks[number]) for number in numbers)
        try:
            converter = _converter(unused, _unused_blocks(source))
            pieces = html_pieces(_clean(converter.convert(source)), SEPARATOR)
        except RecursionError:
            # Python-Markdown stopped part-way leaves its parser's state as it was (a list
            # read 500 deep: each paragraph of every text converted after that read as a
            # list item's, without <p>): this thread's converters are made again.
            _LOCAL.converters = None
            pieces = None
        if pieces is None or len(pieces) != len(numbers):
            found.update((number, render_chunk(chunks[number])) for number in numbers)
            continue
        for number, blocks in zip(numbers, pieces, strict=True):
            chunk = chunks[number]
            blocks = without_header(blocks) if chunk.continues_table else blocks
            _RENDERED.put(chunk.key, blocks)
            found[number] = blocks
    return [found[number] for number in range(len(chunks))]


def _source(chunk: Chunk) -> str:
    """What Python-Markdown converts for a chunk: its text, then the reference definitions."""
    return chunk.text + ("\n\n" + chunk.references if chunk.references else "")


# A word no document holds (it changes with every start), so it marks where a chunk ends.
SEPARATOR = f"trackerchunk{secrets.token_hex(12)}"
BATCH = 30_000  # characters converted at once at most, so the deadline is looked at often


def _batches(chunks: list[Chunk]) -> list[list[Chunk]]:
    """Chunks in runs of about BATCH characters."""
    batches: list[list[Chunk]] = []
    size = BATCH
    for chunk in chunks:
        if size >= BATCH:
            batches.append([])
            size = 0
        batches[-1].append(chunk)
        size += len(chunk.text)
    return batches


def _apart(text: str) -> bool:
    """Whether a chunk reads the same converted after others: nothing in it is raw HTML, a
    fence, a reference definition or an indented continuation of what came before (nor a mark
    Python-Markdown drops first, which would join what was either side of it into one)."""
    return not (
        "<" in text
        or "\x02" in text
        or "\x03" in text
        or "```" in text
        or "~~~" in text
        or "]:" in text
        or text[:1].isspace()
        or SEPARATOR in text
    )


# The inline patterns of Python-Markdown that cannot match a text without these characters.
# A text with none of a pattern's characters is converted without trying it: each pattern is
# tried on every piece of text, and this is most of what a conversion costs. A text holding
# characters that Python-Markdown turns into others first (tabs into spaces) keeps them all.
_NEEDS = {
    "backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",),
    "image_link": ("[",), "image_reference": ("[",), "short_reference": ("[",),
    "short_image_ref": ("[",), "autolink": ("<",), "automail": ("<",), "html": ("<",),
    "entity": ("&",), "em_strong": ("*", "_"), "em_strong2": ("_",), "not_strong": ("*", "_"),
    "linebreak": ("  ",),  # two spaces before a line's end
}  # fmt: skip
_CHARACTERS = tuple(sorted({need for needs in _NEEDS.values() for need in needs if len(need) == 1}))
_CHANGED_FIRST = ("\t", "\r", "\x02", "\x03")
_DROPPED_FIRST = ("\x02", "\x03")  # (Python-Markdown's own marks, dropped by its first step)


def _unused(text: str) -> frozenset[str]:
    """The inline patterns that cannot match anywhere in ``text``."""
    return _unused_for(_present(text))


# The other steps of a conversion that change nothing in a text without any of these: block
# processors that cannot match it (each is tried on every block of a text until one matches;
# the reference processor searches every block for a definition), the fenced code and raw HTML
# preprocessors (with no fence, "<" or "&", the HTML one gives the lines back as they came) and
# the tree processor that puts back backslash-escaped characters. No step before these writes
# any of them (the first only turns tabs into spaces, line ends into "\n" and drops "\x02" and
# "\x03").
_STEP_NEEDS = {
    "table": ("|",), "quote": (">",), "hashheader": ("#",), "reference": ("]:",),
    "fenced_code_block": ("```", "~~~"), "html_block": ("<", "&"), "unescape": ("\\",),
}  # fmt: skip


def _unused_blocks(text: str) -> frozenset[str]:
    """The block processors, preprocessors and tree processors that change nothing in ``text``."""
    return _unused_steps_for(_present(text))


_LOOKED_FOR = tuple(
    sorted({*_CHARACTERS, *_CHANGED_FIRST, "  ", *(n for ns in _STEP_NEEDS.values() for n in ns)})
)


def _present(text: str) -> frozenset[str]:
    """Which of the characters and strings the steps need ``text`` holds (each looked for with
    ``in``, a search in C: a set made of the text would hash every character of it)."""
    return frozenset([need for need in _LOOKED_FOR if need in text])


@functools.lru_cache(maxsize=256)
def _unused_for(present: frozenset[str]) -> frozenset[str]:
    if not present.isdisjoint(_CHANGED_FIRST):
        return frozenset()
    return frozenset(name for name, needs in _NEEDS.items() if present.isdisjoint(needs))


@functools.lru_cache(maxsize=256)
def _unused_steps_for(present: frozenset[str]) -> frozenset[str]:
    if not present.isdisjoint(_DROPPED_FIRST):  # dropped, they join what was either side of
        return frozenset()  # them: "]\x02:" is "]:" when the steps see it (review)
    return frozenset(name for name, needs in _STEP_NEEDS.items() if present.isdisjoint(needs))


def _clean(converted: str) -> str:
    return nh3.clean(
        converted,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )


def _render(chunk: str) -> tuple[Block, ...]:
    return html_blocks(_clean(_converter(_unused(chunk), _unused_blocks(chunk)).convert(chunk)))


_LOCAL = threading.local()
CONVERTERS = 32  # a thread's converters kept at most (each about 15 KB; the oldest made goes)


def _converter(
    unused: frozenset[str] = frozenset(), unused_blocks: frozenset[str] = frozenset()
) -> markdown.Markdown:
    """This thread's converter without the ``unused`` inline patterns and ``unused_blocks``
    block processors, reset.

    A Markdown instance is not safe to share while it converts: each thread has its own.
    """
    converters: dict[tuple[frozenset[str], frozenset[str]], markdown.Markdown] | None = getattr(
        _LOCAL, "converters", None
    )
    if converters is None:
        converters = _LOCAL.converters = {}
    converter = converters.get((unused, unused_blocks))
    if converter is None:
        if len(converters) >= CONVERTERS:  # varied texts ask for many combinations
            del converters[next(iter(converters))]
        converter = converters[unused, unused_blocks] = _Markdown(
            extensions=[*EXTENSIONS, Brackets()], output_format="html"
        )
        for name in unused:
            if name in converter.inlinePatterns:
                converter.inlinePatterns.deregister(name)
        if not len(converter.inlinePatterns):
            # With no pattern to try, the inline tree processor gives every text back as it was
            # (its placeholders' marks cannot be in a text: the first step drops "\x02").
            converter.treeprocessors.deregister("inline")
        for name in unused_blocks:
            for steps in (
                converter.preprocessors,
                converter.parser.blockprocessors,
                converter.treeprocessors,
            ):
                if name in steps:
                    steps.deregister(name)
    converter.reset()
    return converter


class _Markdown(markdown.Markdown):
    """Python-Markdown, telling block-level tags from a set (its own looks for the tag in a
    list of fifty, for every element it writes out)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.block_level_set = frozenset(self.block_level_elements)  # no extension of ours adds any

    def is_block_level(self, tag: Any) -> bool:
        return isinstance(tag, str) and tag.lower().rstrip("/") in self.block_level_set
