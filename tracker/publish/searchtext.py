"""A chapter's words as its page shows them, for search: the service's index and the static
export's both read them here, so that search finds exactly what a practitioner can read.

The text is the chapter's sanitised HTML (``chapter.render_chapter``, as its page has it), so
what the page leaves out is never found nor quoted: a ``<script>`` or ``<style>`` block, an HTML
comment, a tag's attributes. An image counts by its description, which is what a screen
reader reads of it.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from html.parser import HTMLParser

from tracker.publish.chapter import render_chapter

# Elements that run on within a line: words either side of them are not parted.
_INLINE = {"a", "abbr", "b", "code", "em", "i", "strong", "sub", "sup"}
_HEADINGS = {f"h{level}" for level in range(1, 7)}
_ENDED = re.compile(r"[.!?:;…]$")  # a heading that ends as a sentence does needs no full stop
# Converting Markdown costs about 10 ms a chapter (4 s for 300 long ones, where reading the
# Markdown as text took 0.4 s): the texts found are kept, so that an index built again for a
# new commit or a new day converts only the texts it has not read (a bound in characters:
# the texts of a manual of several thousand chapters).
KEPT_CHARACTERS = 64_000_000


class _Kept:
    """The texts found, by their Markdown's digest, the least recently used going first."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._texts: OrderedDict[bytes, tuple[str, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> tuple[str, str] | None:
        with self._lock:
            found = self._texts.get(key)
            if found is not None:
                self._texts.move_to_end(key)
            return found

    def put(self, key: bytes, found: tuple[str, str]) -> None:
        with self._lock:
            if key not in self._texts:
                self._texts[key] = found
                self._size += len(found[0]) + len(found[1])
            while self._size > self.bound:
                _, (headings, text) = self._texts.popitem(last=False)
                self._size -= len(headings) + len(text)


_KEPT = _Kept(KEPT_CHARACTERS)


def shown_text(source: str, path: str) -> tuple[str, str]:
    """(headings, text) of a chapter's Markdown as its page shows it (the text holds the
    headings too), each with its white space folded."""
    key = hashlib.sha256(source.encode()).digest()  # (the words do not depend on the path)
    found = _KEPT.get(key)
    if found is None:
        found = _read(source, path)
        _KEPT.put(key, found)
    return found


def _read(source: str, path: str) -> tuple[str, str]:
    # Any address will do, as long as it is one the converted text can be filled in with:
    # render_chapter keeps each chapter converted once, for its page and for this.
    html = render_chapter(source, path, lambda _target, _fragment: "#", lambda _path: "#")
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return " ".join("".join(reader.headings).split()), " ".join("".join(reader.text).split())


class _Reader(HTMLParser):
    """The words of sanitised HTML, and those of its headings apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: list[str] = []
        self._heading = 0  # how deep inside heading elements
        self._said = ""  # the last words of the heading being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE:
            self._part()
        if tag in _HEADINGS:
            self._heading += 1
            self._said = ""
        elif tag == "img":
            self.handle_data(dict(attrs).get("alt") or "")
            self._part()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HEADINGS:
            self._heading = max(0, self._heading - 1)
            if self._said and not _ENDED.search(self._said):  # (a snippet ran a heading into
                self.text.append(".")  # the paragraph after it: "…Strangulation Non-fatal…")
            self._said = ""
        if tag not in _INLINE:
            self._part()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading:
            self.headings.append(data)
            self._said = data.rstrip() or self._said  # (the heading's last words so far)

    def _part(self) -> None:
        self.text.append(" ")
        self.headings.append(" ")
