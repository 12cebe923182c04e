"""A heading's words as its page shows them, read by Python-Markdown itself, for the headings
whose words a plain reading cannot vouch for (``headings.plainly_shown``: a code span, an
underscore not inside a word, a link, a tag, an escape, a character reference). Which runs of
``_`` and ``*`` pair up is Python-Markdown's delimiter algorithm (the rule of 3, runs paired
in part, ``*`` and ``_`` read together), and a code span shows its words without the spaces
around them: no short rule gives the page's reading of every such heading (``_-x_`` is "-x",
``_a__`` "a_"), so the page's own is asked. Python-Markdown is loaded only when a heading
needs it (most never do), and reads such a heading alone in about 0.2 ms.
"""

from __future__ import annotations

import threading

# The page's extensions (publish/chapter.py's EXTENSIONS; a test holds the two alike), with
# its toc: the words are what its toc makes the id from.
EXTENSIONS = ("tables", "fenced_code", "sane_lists")
# Python-Markdown reads the words of a heading this long at most, and of a document's headings
# this many characters in all; the rest are read by the plain rule. Its time grows faster than
# a heading's length on some text (a heading of 200 unclosed '[' takes 10 ms), and every
# command reads the headings of each chapter's newest version: so a chapter, however long,
# costs about a second at most. No chapter has headings an author links to beyond them.
LONGEST = 200
READ_AT_MOST = 20_000

_LOCAL = threading.local()


def shown_words(words: str) -> str | None:
    """The words of a heading (as its line gives them, closing #s taken off) that the page's
    toc makes its id from: its text rendered inline, tags taken out and character references
    read, each run of white space one space. None if Python-Markdown cannot read them
    (marks nested past what Python's stack holds: the page cannot be shown either)."""
    reader: _Reader | None = getattr(_LOCAL, "reader", None)
    if reader is None:
        reader = _LOCAL.reader = _Reader()
    try:
        return reader.read(words)
    except RecursionError:  # (its parser left part-way, in the state it was: made again)
        _LOCAL.reader = None
        return None


class _Reader:
    """One thread's Python-Markdown, whose toc hands over the words it would make an id of."""

    def __init__(self) -> None:
        import markdown
        from markdown.extensions.toc import TocExtension

        from tracker.history.brackets import Brackets

        self.named: list[str] = []
        headings = TocExtension(slugify=self._named)
        self.converter = markdown.Markdown(
            extensions=[*EXTENSIONS, headings, Brackets()], output_format="html"
        )

    def _named(self, words: str, _separator: str) -> str:
        self.named.append(words)
        return "heading"

    def read(self, words: str) -> str:
        """The words of the heading ``## {words}`` as the page's toc hands them over: read
        whole, since its preprocessors rewrite some text too (``&#1x;`` is ``&#1;x;`` once
        its HTML reader has read it). A space after the words keeps a last '#' or '\\' of
        theirs (a setext heading's "C#") in them, as it is in the heading's."""
        converter = self.converter
        converter.reset()
        self.named.clear()
        converter.convert(f"## {words} \n")
        return self.named[0]
