"""A block of rendered text: its tokens, read the way a browser shows them (SPEC §6).

A block's inner HTML is cut into tokens: tags, entities, words, runs of spaces, line breaks and
other characters. Outside ``<pre>`` white space is folded as a browser folds it (one space
between words, none at the edges of a block or beside a line break), so that versions differing
only in the spacing of their source compare equal. Tags are inline (formatting, links, images)
or breaks: ``<br>`` and every block-level tag, which separate words as a space does.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

# Words (with inner apostrophes and hyphens), tags, entities, spaces, line breaks, any other.
TOKEN = re.compile(r"<[^>]*>|\n|[^\S\n]+|&#?\w+;|[\w’'‘-]+|.", re.S)  # noqa: RUF001 (quotes)
INLINE = frozenset({"a", "strong", "em", "b", "i", "code", "sup", "sub", "abbr", "img"})
BREAK = "\0break\0"  # a token no document holds: where one block becomes two
LINE = "\N{DOWNWARDS ARROW WITH CORNER LEFTWARDS}"  # how a line break is shown when it is text
_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
_HREF = re.compile(r'href="([^"]*)"')
_ALT = re.compile(r'alt="([^"]*)"')
_SRC = re.compile(r'src="([^"]*)"')
_TITLE = re.compile(r'title="([^"]*)"')

_TAG = re.compile(r"(<[^>]*>)")
_RUN = re.compile(r"[\t\n\r\f]|  ")
_RUN_OF_SPACES = re.compile(r"[ \t\n\r\f]+")
_SEEN = "(?!/?(?:a|abbr|b|code|em|i|strong|sub|sup)[\\s>])"  # a tag a reader sees: image, break
# Where folding white space token by token may drop a space: a space beside a tag a reader
# sees, two spaces with only tags between them, or tags alone between a space and an edge.
_UNSURE = re.compile(rf"<{_SEEN}[^>]*> | <{_SEEN}| (?:<[^>]*>)+ |^(?:<[^>]*>)+ | (?:<[^>]*>)+$")

BlockKind = Literal["heading", "paragraph", "item", "row", "quote", "code", "rule"]


@dataclass(frozen=True)
class Block:
    """One unit of the rendered text that a reader sees as a whole."""

    kind: BlockKind
    tag: str  # h2, p, li, tr, pre, hr...
    level: int  # heading level, list depth
    container: str  # ul, ol, table or "" (what consecutive blocks are grouped in)
    html: str  # sanitised inner HTML, its white space folded (outside <pre>)
    tokens: tuple[str, ...] = field(repr=False)
    # An item of a numbered list: its number in its version (None for any other block). Not
    # compared: a step renumbered because one was added above it has not changed.
    number: int | None = field(default=None, compare=False)
    # Its element's lang and dir, as written (' lang="ur" dir="rtl"'): shown as the page shows
    # them, so that right-to-left words read so and a screen reader speaks each language in its
    # own voice (WCAG 1.3.2, 3.1.2). Not compared: the words are what changed, or not.
    spoken: str = field(default="", compare=False)

    @cached_property
    def words(self) -> list[str]:
        """The block's words and punctuation, tags and spaces left out."""
        words = [t for t in self.tokens if t[0] != "<" and not t.isspace()]  # is_word, quicker
        return [html.unescape(t) if "&" in t else t for t in words]

    @cached_property
    def plain(self) -> str:
        """Plain text as ``plain_texts`` gives it, spacing as shown."""
        return "".join(plain_texts(self.tokens))

    @cached_property
    def text(self) -> str:
        """Plain text with its spacing folded."""
        return " ".join(self.plain.split())

    @cached_property
    def compared(self) -> str:
        """The HTML as it is compared: tags that look the same written alike (``same_look``)."""
        return same_look(self.html)

    @cached_property
    def key(self) -> str:
        """What must be equal for two blocks to be the same block."""
        return f"{self.kind}\0{self.tag}\0{self.level}\0{self.container}\0{self.compared}"

    @cached_property
    def links(self) -> list[tuple[str, str]]:
        """(text, target) of each link."""
        return [(text, target) for text, target, _ in self.titled_links]

    @cached_property
    def titled_links(self) -> list[tuple[str, str, str]]:
        """(text, target, title) of each link ("" for a title it lacks)."""
        return _elements(self.tokens, "<a ") if "<a " in self.html else []

    @cached_property
    def abbreviations(self) -> list[tuple[str, str]]:
        """(text, title) of each abbreviation ("" for a title it lacks)."""
        found = _elements(self.tokens, "<abbr") if "<abbr" in self.html else []
        return [(text, title) for text, _, title in found]


def paragraph_blocks(inner: str, depth: int, container: str, spoken: str = "") -> Iterator[Block]:
    """A paragraph's block from its inner HTML (a quotation's paragraph is a quote), if it
    holds anything shown."""
    if not inner or inner.isspace():
        return
    if container == "blockquote":
        block = make_block("quote", "p", depth, container, inner, spoken=spoken)
    else:
        block = make_block("paragraph", "p", depth, "", inner, spoken=spoken)
    if block.tokens:
        yield block


def make_block(
    kind: BlockKind,
    tag: str,
    level: int,
    container: str,
    inner: str,
    number: int | None = None,
    spoken: str = "",
) -> Block:
    """A block from its inner HTML, white space folded as it is shown."""
    if kind == "code" or "<pre" in inner:
        tokens = fold(tokenize(inner), pre=kind == "code")
        inner = "".join(tokens)
    else:
        # Quicker, with the same result: runs of white space in the text made one space first;
        # the token by token fold only where a space meets a tag or a block's edge.
        if _RUN.search(inner):
            parts = _TAG.split(inner)
            parts[::2] = [_RUN_OF_SPACES.sub(" ", part) for part in parts[::2]]
            inner = "".join(parts)
        inner = inner.strip(" ")  # spaces at a block's edges are not shown
        tokens = tokenize(inner)
        if "<" in inner and _UNSURE.search(inner):  # every case of it is beside a tag
            tokens = fold(tokens)
            inner = "".join(tokens)
    return Block(kind, tag, level, container, inner, tokens, number, spoken)  # (tokens: inner's)


def spoken_as(attributes: list[tuple[str, str | None]]) -> str:
    """An element's lang and dir (of its attributes, their values unescaped) as a block keeps
    them: written out again, escaped, in that order."""
    found = dict(attributes)
    return "".join(
        f' {name}="{html.escape(found[name] or "")}"' for name in ("lang", "dir") if name in found
    )


def numbered(tag: str, start: str | None, count: int) -> list[int | None]:
    """The numbers of a list's items: an ordered list's counted from its ``start`` (1 if it
    has none), a bulleted one's None."""
    if tag != "ol":
        return [None] * count
    first = int(start) if start is not None and start.isdigit() else 1
    return list(range(first, first + count))


_STEP = re.compile(r" *[0-9]{1,9}\. ")  # a chunk that begins with a numbered step
# A chunk in a quotation, or holding raw HTML or a comment, which the page's lists end at
_ENDS_LISTS = re.compile(r"\A *>|^<", re.M)


def steps_counted(parts: list[tuple[str, tuple[Block, ...]]]) -> list[Block]:
    """The blocks of a document's chunks (each chunk's text and blocks, in order), a loose
    list's steps counted on across its chunks as the page counts them.

    A loose list (a blank line between its steps) is read a step at a time, each chunk
    numbered from what it wrote ("1." for every step, as often as not), where the page numbers
    the list on from its first step. A chunk that begins with a numbered step, right after a
    chunk that ended in a list, goes on with that list at its step's depth; within a chunk the
    numbers are the page's already. Any other chunk (a paragraph, a comment, a quotation, raw
    HTML) ends the lists."""
    last: dict[int, int] = {}  # depth -> the number the list going on there gave last
    out: list[Block] = []
    for text, blocks in parts:
        going_on = last if _STEP.match(text) else {}
        last = {}
        shift: dict[int, int] = {}  # depth -> added to this chunk's numbers there
        for block in blocks:
            if block.kind != "item":
                going_on, shift, last = {}, {}, {}
            else:
                for deeper in [depth for depth in (*last, *going_on) if depth > block.level]:
                    last.pop(deeper, None)
                    going_on.pop(deeper, None)
                    shift.pop(deeper, None)
                if block.number is None:
                    last.pop(block.level, None)
                    going_on.pop(block.level, None)
                else:
                    if block.level in going_on:  # (its list's first step in this chunk)
                        shift[block.level] = going_on.pop(block.level) + 1 - block.number
                    number = block.number + shift.get(block.level, 0)
                    block = block if number == block.number else replace(block, number=number)
                    last[block.level] = number
            out.append(block)
        if not blocks or blocks[-1].kind != "item" or _ENDS_LISTS.search(text):
            last = {}
    return out


def tokenize(fragment: str) -> tuple[str, ...]:
    """Split inline HTML into tags, entities, words, spaces, line breaks and punctuation."""
    return tuple(TOKEN.findall(fragment))


def tag_name(token: str) -> str:
    """The element a tag opens or closes ("" for a token that is not a tag)."""
    match = _NAME.match(token)
    return match.group(1).lower() if match else ""


# Elements the page shows alike, compared as one: <b> as <strong>, <i> as <em> (bold, italic).
LOOKS_AS = {"b": "strong", "i": "em"}
_SAME_LOOK = re.compile(r"<(/?)([bi])>")  # (the sanitiser writes them with no attributes)


def same_look(fragment: str) -> str:
    """HTML with each ``<b>`` and ``<i>`` (opening or closing) written as the ``<strong>`` and
    ``<em>`` they look the same as, so that one written for the other is no change."""
    if "b>" not in fragment and "i>" not in fragment:  # most often (looked for in C)
        return fragment
    return _SAME_LOOK.sub(lambda found: f"<{found[1]}{LOOKS_AS[found[2]]}>", fragment)


def is_word(token: str) -> bool:
    """A token that is text, not a tag or white space."""
    return token[0] != "<" and not token.isspace() and token != BREAK


def is_image(token: str) -> bool:
    """An image tag: marked like a word when it comes or goes."""
    return token.startswith("<img")


def is_break(token: str) -> bool:
    """A tag that separates words as a space does: ``<br>`` or a block-level tag."""
    return token == BREAK or (token[:1] == "<" and _tag_kind(token) >= _BREAK_TAG)


def is_formatting(token: str) -> bool:
    """An inline tag other than an image: formatting or a link, nothing a reader sees alone."""
    return token[:1] == "<" and _tag_kind(token) == _INLINE_TAG


def is_gap(token: str) -> bool:
    """White space or a break: what lies between words."""
    return token.isspace() or is_break(token)


def is_line_break(token: str) -> bool:
    """A line break a reader sees: ``<br>``, or a new line in preformatted text."""
    return token == "\n" or (token[:3] == "<br" and tag_name(token) == "br")  # noqa: S105


def fold(tokens: tuple[str, ...], pre: bool = False) -> tuple[str, ...]:
    """White space as a browser shows it: outside ``<pre>`` one space between words, no space
    at the edges of a block or beside a break, the space kept where the source had it."""
    if pre:
        return tokens
    out: list[str] = []
    last = -1  # where the last token a reader sees (not an inline tag) went
    depth = 0
    for token in tokens:
        first = token[0]
        if first == "<":
            kind = _tag_kind(token)
            if kind == _PRE_CLOSE:
                depth -= 1  # white space just inside </pre> is kept: it is checked below
            elif kind >= _BREAK_TAG and not depth and last >= 0 and _foldable(out[last]):
                del out[last]  # no space before a break
            out.append(token)
            if kind != _INLINE_TAG:
                last = len(out) - 1
            depth += kind == _PRE_OPEN
        elif first in _FOLDS and not depth and token.isspace() and token.isascii():
            if last >= 0 and not out[last].isspace() and not is_break(out[last]):
                out.append(" ")
                last = len(out) - 1
        else:
            out.append(token)
            last = len(out) - 1
    if last >= 0 and not depth and _foldable(out[last]):
        del out[last]
    return tuple(out)


_FOLDS = frozenset(" \t\n\r\f")


def _foldable(token: str) -> bool:
    """White space a browser folds (not a no-break space)."""
    return token[0] in _FOLDS and token.isspace() and token.isascii()


_INLINE_TAG, _IMAGE, _BREAK_TAG, _PRE_OPEN, _PRE_CLOSE = range(5)


@functools.lru_cache(maxsize=4096)
def _tag_kind(token: str) -> int:
    name = tag_name(token)
    if name == "pre":
        return _PRE_CLOSE if token.startswith("</") else _PRE_OPEN
    if name == "img":
        return _IMAGE
    return _INLINE_TAG if name in INLINE else _BREAK_TAG


def plain_texts(tokens: list[str] | tuple[str, ...]) -> list[str]:
    """Each token as plain text: a line break a new line, a table cell after the first a tab,
    any other break a new line, an image `` [image: its description] `` (spaced, as an image
    stands apart from the words beside it), other tags nothing."""
    texts: list[str] = []
    started = False  # text or a cell has come before
    for token in tokens:
        name = tag_name(token)
        if token == BREAK:
            texts.append("\n")
        elif not token.startswith("<"):
            texts.append(html.unescape(token) if "&" in token else token)
        elif name == "img":
            texts.append(f" [image: {image_description(token)}] ")  # a word of its own
        elif name in {"td", "th"} and not token.startswith("</"):
            texts.append("\t" if started else "")
        elif is_break(token) and not token.startswith("</") and (name == "br" or started):
            texts.append("\n")
        else:
            texts.append("")
        started = started or bool(texts[-1].strip()) or name in {"td", "th"}
    return texts


def image_file(token: str) -> str:
    """The address of the file an image shows, and its title if it has one ("" for none)."""
    source, title = (
        found.group(1) if found else "" for found in (_SRC.search(token), _TITLE.search(token))
    )
    named = [html.unescape(source)] + ([f"“{html.unescape(title)}”"] if title else [])
    return ", ".join(part for part in named if part)


def address_and_title(token: str) -> tuple[str, str]:
    """A link's address and title, an abbreviation's title ("" for what a tag lacks)."""
    href, title = (
        html.unescape(found.group(1)) if found else ""
        for found in (_HREF.search(token), _TITLE.search(token))
    )
    return href, title


def image_description(token: str) -> str:
    """What an image shows, in words: its description, or that it has none."""
    alt = _ALT.search(token)
    return html.unescape(alt.group(1)) if alt and alt.group(1) else "no description"


def _elements(tokens: tuple[str, ...], opening: str) -> list[tuple[str, str, str]]:
    """(words, address, title) of each element whose tag starts ``opening`` (links, ``<a ``;
    abbreviations, ``<abbr``)."""
    name = tag_name(opening)
    closing = f"</{name}>"
    found: list[tuple[str, str, str]] = []
    tag: str | None = None
    words: list[str] = []
    for token in tokens:
        if token.startswith(opening) and tag_name(token) == name:
            tag, words = token, []
        elif token == closing and tag is not None:
            found.append((" ".join("".join(words).split()), *address_and_title(tag)))
            tag = None
        elif tag is not None and token[0] != "<":  # (its spaces too: "the “team” guide")
            words.append(" " if token == BREAK else html.unescape(token))
    return found
