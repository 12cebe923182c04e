"""A block of rendered text: its tokens, read the way a browser shows them (SPEC §6).

A block's inner HTML is cut into tokens: tags, entities, words, runs of spaces, line breaks and
other characters. Outside ``<pre>`` white space is folded as a browser folds it (one space
between words, none at the edges of a block or beside a line break), so that versions differing
only in the spacing of their source compare equal. Tags are inline (formatting, links, images)
or breaks: ``<br>`` and every block-level tag, which separate words as a space does.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
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
_FOLDABLE = re.compile(r"[ \t\n\r\f]+")

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

    @cached_property
    def words(self) -> list[str]:
        """The block's words and punctuation, tags and spaces left out."""
        return [html.unescape(t) if "&" in t else t for t in self.tokens if is_word(t)]

    @cached_property
    def text(self) -> str:
        """Plain text with its spacing folded."""
        return " ".join("".join(plain_texts(self.tokens)).split())

    @cached_property
    def key(self) -> str:
        """What must be equal for two blocks to be the same block."""
        return f"{self.kind}\0{self.tag}\0{self.level}\0{self.container}\0{self.html}"

    @cached_property
    def links(self) -> list[tuple[str, str]]:
        """(text, target) of each link."""
        return _links(self.tokens)


def make_block(kind: BlockKind, tag: str, level: int, container: str, inner: str) -> Block:
    """A block from its inner HTML, white space folded as it is shown."""
    tokens = fold(tokenize(inner), pre=kind == "code")
    return Block(kind, tag, level, container, "".join(tokens), tokens)


def tokenize(fragment: str) -> tuple[str, ...]:
    """Split inline HTML into tags, entities, words, spaces, line breaks and punctuation."""
    return tuple(TOKEN.findall(fragment))


def tag_name(token: str) -> str:
    """The element a tag opens or closes ("" for a token that is not a tag)."""
    match = _NAME.match(token)
    return match.group(1).lower() if match else ""


def is_word(token: str) -> bool:
    """A token that is text, not a tag or white space."""
    return not token.startswith("<") and not token.isspace() and token != BREAK


def is_image(token: str) -> bool:
    """An image tag: marked like a word when it comes or goes."""
    return token.startswith("<img")


def is_break(token: str) -> bool:
    """A tag that separates words as a space does: ``<br>`` or a block-level tag."""
    return token == BREAK or (token.startswith("<") and tag_name(token) not in INLINE)


def is_gap(token: str) -> bool:
    """White space or a break: what lies between words."""
    return token.isspace() or is_break(token)


def is_line_break(token: str) -> bool:
    """A line break a reader sees: ``<br>``, or a new line in preformatted text."""
    return token == "\n" or tag_name(token) == "br"  # noqa: S105 (a token, not a password)


def fold(tokens: tuple[str, ...], pre: bool = False) -> tuple[str, ...]:
    """White space as a browser shows it: outside ``<pre>`` one space between words, no space
    at the edges of a block or beside a break, the space kept where the source had it."""
    out: list[str] = []
    last: int | None = None  # where the last token a reader sees (not an inline tag) went
    depth = int(pre)
    for token in tokens:
        name = tag_name(token)
        if name == "pre" and token.startswith("</"):
            depth -= 1  # white space just inside </pre> is kept: it is checked above
            out.append(token)
            last = len(out) - 1
            continue
        foldable = not depth and _folds(token)
        if foldable and (last is None or out[last].isspace() or is_break(out[last])):
            continue
        if is_break(token) and not depth and last is not None and _folds(out[last]):
            del out[last]
        out.append(" " if foldable else token)
        if not name or name not in INLINE or name == "img":
            last = len(out) - 1
        depth += name == "pre"
    if last is not None and not depth and _folds(out[last]):
        del out[last]
    return tuple(out)


def _folds(token: str) -> bool:
    return _FOLDABLE.fullmatch(token) is not None


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


def image_description(token: str) -> str:
    """What an image shows, in words: its description, or that it has none."""
    alt = _ALT.search(token)
    return html.unescape(alt.group(1)) if alt and alt.group(1) else "no description"


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
