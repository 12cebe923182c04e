"""Full-text search over the documents in force: SQLite FTS5, ranked, with marked snippets.

A search index is built in memory for one snapshot and one day (the documents in force change
with both), from each document's title, headings and text as its page shows them
(``tracker.publish.searchtext``), and answers from many threads.
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass

MAX_TERMS = 12  # words of a query; the rest are ignored
MAX_QUERY = 200  # characters
_WORD = re.compile(r"\w[\w'’-]*")  # noqa: RUF001 (a typographic apostrophe)
# Marks that never occur in text: FTS5 puts them around matches; html-escaping leaves them.
_OPEN, _CLOSE = "\x02", "\x03"


@dataclass(frozen=True)
class Entry:
    """One document as the index reads it: its words as its page shows them."""

    id: str
    title: str
    headings: str
    text: str  # the whole text, headings too


@dataclass(frozen=True)
class Hit:
    """One result: the document and a snippet with the matched words in ``<mark>``."""

    id: str
    title: str
    snippet: str  # safe HTML


class SearchIndex:
    """An in-memory FTS5 table of documents, safe to query from many threads."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            "id UNINDEXED, title, headings, text, tokenize = 'porter unicode61')"
        )
        self._db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?)",
            ((e.id, e.title, e.headings, e.text) for e in entries),
        )

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Documents matching every word of ``query``, best first (title, headings, text)."""
        match = fts_query(query)
        if not match:
            return []
        with self._lock:
            rows = self._db.execute(
                "SELECT id, title, snippet(docs, 3, ?, ?, '…', 24) FROM docs "
                "WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 10.0, 4.0, 1.0) LIMIT ?",
                (_OPEN, _CLOSE, match, limit),
            ).fetchall()
        return [Hit(ident, title, _marked(snippet)) for ident, title, snippet in rows]


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: each a quoted prefix term, all required.

    Quoting every word means no user input is read as FTS5 syntax (NEAR, OR, column filters).
    """
    words = _WORD.findall(text[:MAX_QUERY])[:MAX_TERMS]
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def _marked(snippet: str) -> str:
    return html.escape(snippet).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
