"""The words a reader sees, read by the tests alone (docs/decisions.md, "The words of a diff").

A version's words come from Python-Markdown rendering the whole document with the project's
extensions, sanitised as a chapter page is, and read here: nothing of the diff's own tokenizer,
blocks or text views is used, so a test comparing the two can fail.

Words: the rendered text split at white space, where every element other than an inline one
(``a abbr b code em i strong sub sup``, and the diff's own ``ins del span``) and every ``<br>``
also separate words; character references decoded; punctuation stays with the letters it
touches in the rendered text. An image is one word of its own, standing for its address and
description.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import markdown
import nh3

from tracker.history.documents import split_front_matter
from tracker.publish.chapter import ATTRIBUTES, TAGS

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
INLINE = frozenset({"a", "abbr", "b", "code", "em", "i", "strong", "sub", "sup", "ins", "del"})
INLINE_TOO = frozenset({"span"})  # the diff's labels and glyphs
OTHER = {"new": "del", "old": "ins"}  # the mark a side does not read
AWAY = {"new": {"diff-away", "diff-old"}, "old": {"diff-moved", "diff-new"}}


def image_word(src: str, alt: str) -> str:
    """How an image counts: one word, never split at the spaces of its description."""
    return f"\0image {src} {alt}\0"


def rendered_html(source: str) -> str:
    """A document's body rendered whole and sanitised, as its chapter page shows it."""
    _, body = split_front_matter(source)
    html = markdown.markdown(body, extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )


class _Reader(HTMLParser):
    """Text and images of HTML, with white space wherever an element separates words.

    With ``side``, it reads one side of a rendered diff: the other side's marks, blocks that
    stand only on the other side (a moved block where it was or now is, a rewritten block's
    other half), visually hidden labels, glyphs and notes are left out, and a mark of white
    space (``diff-space``) reads as one space.
    """

    def __init__(self, side: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.side = side
        self.hidden: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden = outside = bool(self.hidden) and self.hidden[-1]
        values = dict(attrs) if attrs else {}
        classes = set((values.get("class") or "").split()) if attrs else set()
        if self.side is not None:
            if tag in {"ul", "ol"}:
                hidden = False  # a nested list holds blocks of its own
            if classes & AWAY[self.side] or classes & {"vh", "diff-note"}:
                hidden = True
            if tag == OTHER[self.side]:
                hidden = True
            if "diff-space" in classes and not hidden:
                self.parts.append(" ")
            hidden = hidden or "diff-space" in classes or "aria-hidden" in values
        if tag not in INLINE and tag not in INLINE_TOO and not outside:
            self.parts.append(" ")
        if tag == "img" and not hidden:
            self.parts.append(
                " " + image_word(values.get("src") or "", values.get("alt") or "") + " "
            )
        if tag not in {"br", "hr", "img"}:
            self.hidden.append(hidden)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "hr", "img"}:
            return
        if self.hidden:
            self.hidden.pop()
        outside = bool(self.hidden) and self.hidden[-1]
        if tag not in INLINE and tag not in INLINE_TOO and not outside:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not (self.hidden and self.hidden[-1]):
            self.parts.append(data)

    def words(self) -> list[str]:
        text = "".join(self.parts)
        found: list[str] = []
        for number, piece in enumerate(text.split("\0")):
            if number % 2:
                found.append(f"\0{piece}\0")
            else:
                found += piece.split()
        return found


def html_words(html: str, side: str | None = None) -> list[str]:
    """The words of HTML; with ``side`` ("old" or "new"), of that side of a rendered diff."""
    reader = _Reader(side)
    reader.feed(html)
    reader.close()
    return reader.words()


def document_words(source: str) -> list[str]:
    """The oracle: the words of a version rendered as a whole."""
    return html_words(rendered_html(source))


def as_plain_text(words: list[str]) -> list[str]:
    """The words as plain text (JSON) gives them: an image as ``[image: its description]``."""
    if not any(word[0] == "\0" for word in words):
        return words
    found: list[str] = []
    for word in words:
        if word.startswith("\0image "):
            alt = word[7:-1].split(" ", 1)[1]
            found += f"[image: {alt or 'no description'}]".split()
        else:
            found.append(word)
    return found


def json_words(data: dict[str, Any], side: str) -> tuple[list[str], list[str]]:
    """The words of one side of a diff's JSON: from each block's text, and from its segments."""
    skip = "away" if side == "new" else "moved"
    keep = {"=", "+" if side == "new" else "-"}
    texts: list[str] = []
    segments: list[str] = []
    for block in data["blocks"]:
        if block["status"] == skip:
            continue
        texts += (block[side] or "").split()
        segments += "".join(s["text"] for s in block["segments"] if s["op"] in keep).split()
    return texts, segments


def assert_reads_as(rendered: str, data: dict[str, Any], old: list[str], new: list[str]) -> None:
    """Each side of a diff's HTML and JSON holds the words of its version (as the oracle reads
    them): the old side its unchanged and deleted words, the new side unchanged and inserted."""
    for side, expected in (("old", old), ("new", new)):
        assert html_words(rendered, side) == expected, f"the {side} side of the HTML"
        texts, segments = json_words(data, side)
        plain = as_plain_text(expected)
        assert texts == plain, f"the {side} side of the JSON's text"
        assert segments == plain, f"the {side} side of the JSON's segments"
