"""Diffs between two versions, cached by blob pair in memory and beside the index (SPEC §9).

A Differ is shared by every thread of a server: its memory cache is locked, a diff asked for
by several threads at once is worked out by the first and waited for by the rest, and each
read or write of the cache file uses a connection of its own.

A diff simplified for time or size (``coarse``) is never cached in the file, since it may be
exact next time; nor should anything showing one be kept: whoever keeps what it makes (the
page cache, the static export) makes it inside ``noting_coarse()``, which says whether any
view given out meanwhile was such a diff, in that thread or any it handed work to (a context
variable: Starlette runs a route in a thread with a copy of the request's context).
"""

from __future__ import annotations

import json
import posixpath
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import closing, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, get_args

from tracker.history.documents import default_title
from tracker.history.model import Version
from tracker.index.store import (
    connect,
    digest,
    library_versions,
    megabytes,
    present,
    private,
    remove,
)
from tracker.trackchanges.compare import TIME_BUDGET, DocumentDiff, SourceLine, diff_documents
from tracker.trackchanges.compare import source_diff as line_diff
from tracker.trackchanges.summary import summarise
from tracker.trackchanges.textviews import diff_json, diff_text
from tracker.trackchanges.views import diff_html, source_html

# Bump when the diff's algorithm or its rendering changes: cached answers are then ignored
# (as they are when a library that renders or diffs is another version: ``made_by``).
# 24: and one that comes to be titled by it, or no longer is, says both titles;
# 23: a chapter titled by its file name, renamed, has its title changed (was "No changes.");
# 22: a moved chapter's links mended to reach the same files, or written alike, are no change
# (its summary too), shown as written;
# 21: a reference definition in a quotation counts (19 and 20, between releases, wrote a
# moved chapter's earlier addresses as from its new folder: undone); 18: a link's words in a
# note spaced as written; 17: a link's new and old targets linked (its
# note in its own cell), a change beside a change set apart, a list numbered or not said; 16: a
# status's change; 15: blocks keep lang and dir; 14: numbered steps
ALGORITHM = "24"
_LIBRARIES = ("Markdown", "nh3", "diff-match-patch", "fast-diff-match-patch")
_SCHEMA = """CREATE TABLE IF NOT EXISTS diffs (
    old TEXT NOT NULL, new TEXT NOT NULL, view TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (old, new, view));"""
REMEMBERED = 16  # diffs kept in memory, so that a second view of one is not worked out again
# The file's bound: anyone may ask for the diff of any two versions, each kept, so it would grow
# without end; past it the oldest quarter of the rows goes (their pages are reused).
SIZE_VARIABLE = "TRACKER_DIFF_CACHE_MB"
DEFAULT_MB = 500
LARGEST_SHARE = 16  # a view bigger than this share of the bound is not kept
CACHE_WAIT = 2.0  # seconds to wait for another writer of the cache file

View = Literal[
    "html", "text", "text-colour", "json", "summary", "summary-json",
    "source-html", "source-text", "source-json",
]  # fmt: skip
VIEWS: tuple[View, ...] = get_args(View)


class Noted:
    """Whether a coarse diff was given out while this was noting (``noting_coarse``)."""

    coarse = False


_NOTED: ContextVar[Noted | None] = ContextVar("tracker_noted_coarse", default=None)


@contextmanager
def noting_coarse() -> Iterator[Noted]:
    """Note whether the views given out in this context (and threads started from it) were
    coarse; one noting inside another tells the outer one too."""
    noted = Noted()
    token = _NOTED.set(noted)
    try:
        yield noted
    finally:
        _NOTED.reset(token)
        outer = _NOTED.get()
        if outer is not None and noted.coarse:
            outer.coarse = True


def _source_text(lines: list[SourceLine]) -> str:
    return "".join(f"{line.op}{line.text}\n" for line in lines)


def _source_json(lines: list[SourceLine]) -> str:
    return json.dumps([{"op": line.op, "text": line.text} for line in lines], ensure_ascii=False)


_RENDER: dict[View, Callable[[Any], str]] = {
    "html": diff_html,
    "text": diff_text,
    "text-colour": lambda diff: diff_text(diff, colour=True),
    "json": lambda diff: json.dumps(diff_json(diff), ensure_ascii=False),
    "summary": lambda diff: summarise(diff).text(),
    "summary-json": lambda diff: json.dumps(summarise(diff).to_json(), ensure_ascii=False),
    "source-html": source_html,
    "source-text": _source_text,
    "source-json": _source_json,
}

Diff = DocumentDiff | list[SourceLine]


class Differ:
    """Views of the diff between two versions; ``read`` gives a blob's text by its id."""

    def __init__(
        self,
        read: Callable[[str], str],
        folder: Path,
        seconds: float = TIME_BUDGET,
        bound: int | None = None,
    ) -> None:
        """``bound``: the file's size in bytes (default ``$TRACKER_DIFF_CACHE_MB``)."""
        self._read = read
        self._path = folder / "diffs.sqlite"
        self._seconds = seconds
        self._bound = bound_from_environment() if bound is None else bound
        self._lock = threading.Lock()
        self._recent: OrderedDict[_Pair, Diff] = OrderedDict()
        self._making: dict[_Pair, Future[Diff]] = {}  # the diffs being worked out now
        self.made_by = f"{ALGORITHM}.{digest(library_versions(_LIBRARIES))}"
        self._swept = False  # (rows of other versions deleted at the first write)

    @property
    def bound(self) -> int:
        """The cache file's bound in bytes (0: it keeps nothing new)."""
        return self._bound

    def view(self, start: Version | None, end: Version, view: View, remember: bool = True) -> str:
        """One view of the diff between two versions (``start`` None: from nothing);
        ``remember`` False: the diff is not kept in memory for another view (work done ahead
        of readers, which would push out the diffs they are looking at)."""
        if view not in _RENDER:
            raise ValueError(f"unknown diff view {view!r}")
        key = self._key(start, end, view)
        found = self._lookup(key)
        if found is not None:
            return found
        pair, places = _blobs(start, end), (_folders(start, end), _named(start, end))
        diff = self._diff(*pair, view.startswith("source-"), remember, *places)
        body = _RENDER[view](diff)
        if isinstance(diff, DocumentDiff) and diff.coarse:
            noted = _NOTED.get()  # a coarse answer depends on timing: it may be better next time
            if noted is not None:
                noted.coarse = True
        elif len(body.encode()) * LARGEST_SHARE <= self._bound:
            self._store(key, body)
        return body

    def summary(self, start: Version | None, end: Version) -> dict[str, Any]:
        """The plain-English summary of a change, as data with its sentence (``text``)."""
        data: dict[str, Any] = json.loads(self.view(start, end, "summary-json"))
        return data

    def summariser(
        self, changes: Iterable[tuple[Version | None, Version]]
    ) -> Callable[[Version | None, Version], dict[str, Any]]:
        """``summary`` for a page's many changes (a history's hundreds of versions): those the
        cache file holds read in one go, on one connection rather than one a change (a third
        of a long history's page); any other worked out when asked for."""
        keys = [self._key(start, end, "summary-json") for start, end in changes]
        found = self._lookup_many(keys)

        def summarise(start: Version | None, end: Version) -> dict[str, Any]:
            body = found.get(self._key(start, end, "summary-json"))
            return self.summary(start, end) if body is None else dict(json.loads(body))

        return summarise

    def _key(self, start: Version | None, end: Version, view: View) -> tuple[str, str, str]:
        old_blob, new_blob = _blobs(start, end)
        folders = _folders(start, end)  # (a chapter moved to another folder: its links' notes)
        moved = f":{folders[0]}>{folders[1]}" if folders else ""
        named = _named(start, end)  # (and one titled by its file name, renamed: its title)
        moved += f":{json.dumps(named, ensure_ascii=False)}" if named else ""
        return (f"{self.made_by}:{old_blob}{moved}", new_blob, view)

    def named(self, start: Version | None, end: Version) -> tuple[str, str]:
        """The pair ``kept`` names a change by (its blobs, and where they differ the versions'
        folders and names: a moved chapter's was never found, and worked out ahead again)."""
        old, new, _ = self._key(start, end, "summary-json")
        return old[len(self.made_by) + 1 :], new

    def kept(self, view: View) -> set[tuple[str, str]]:
        """The pairs (``named``) whose ``view`` the cache file holds (made by this code)."""
        if not present(self._path) or not private(self._path):
            return set()
        prefix = f"{self.made_by}:"
        try:
            with closing(sqlite3.connect(self._path, timeout=CACHE_WAIT)) as connection:
                rows = connection.execute(
                    "SELECT old, new FROM diffs WHERE view = ? AND substr(old, 1, ?) = ?",
                    (view, len(prefix), prefix),
                ).fetchall()
        except sqlite3.DatabaseError:  # (busy or damaged: as a miss; a lookup removes damage)
            return set()
        return {(str(old)[len(prefix) :], str(new)) for old, new in rows}

    def size(self) -> int:
        """The bytes the cache file's rows take (0 when there is none)."""
        if not present(self._path) or not private(self._path):
            return 0
        try:
            with closing(sqlite3.connect(self._path, timeout=CACHE_WAIT)) as connection:
                return _size(connection)
        except sqlite3.DatabaseError:
            return 0

    def _diff(
        self,
        old_blob: str,
        new_blob: str,
        source: bool,
        remember: bool = True,
        folders: tuple[str, str] | None = None,
        named: tuple[str, str] | None = None,
    ) -> Diff:
        """The diff of a blob pair, remembered for the next view of the same pair (``folders``:
        the two versions' folders, ``named`` the titles their file names give, where they
        differ)."""
        key = (old_blob, new_blob, source, folders, named)
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
            making = self._making.get(key)  # (asked for again while it is worked out)
            mine = making is None
            if making is None:
                making = self._making[key] = Future()
        if not mine:  # the newsletter's readers opening one change at once: worked out once
            made = making.result()
            if remember:  # (its maker may have been working ahead, not keeping it)
                with self._lock:
                    self._remember(key, made)
            return made
        try:
            old = self._read(old_blob) if old_blob else ""
            new = self._read(new_blob) if new_blob else ""
            diff: Diff
            if source:
                diff = line_diff(old, new, self._seconds)
            else:
                diff = diff_documents(old, new, self._seconds, folders or ("", ""), named)
        except BaseException as error:
            with self._lock:
                del self._making[key]
            making.set_exception(error)  # (each waiting answers as this thread does)
            raise
        with self._lock:
            del self._making[key]
            if remember:
                self._remember(key, diff)
        making.set_result(diff)
        return diff

    def _remember(self, key: _Pair, diff: Diff) -> None:
        """Keep the diff in memory, the most recent of those kept (the lock held)."""
        self._recent[key] = diff
        self._recent.move_to_end(key)
        while len(self._recent) > REMEMBERED:
            self._recent.popitem(last=False)

    # A cache is worth a short wait only: past it, work the answer out (or keep it) without.
    # An OperationalError (locked, busy, a table another thread is still creating) is a miss;
    # any other DatabaseError ("file is not a database") is damage, and the file goes.

    def _lookup(self, key: tuple[str, str, str]) -> str | None:
        if not present(self._path) or not private(self._path):  # (its HTML is served as
            return None  # it is: one others could write is never read, and made again)
        try:
            with closing(sqlite3.connect(self._path, timeout=CACHE_WAIT)) as connection:
                row = connection.execute(
                    "SELECT body FROM diffs WHERE old = ? AND new = ? AND view = ?", key
                ).fetchone()
        except sqlite3.OperationalError:
            return None
        except sqlite3.DatabaseError:
            remove(self._path)
            return None
        return str(row[0]) if row else None

    def _lookup_many(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
        if not keys or not present(self._path) or not private(self._path):
            return {}
        found = {}
        try:
            with closing(sqlite3.connect(self._path, timeout=CACHE_WAIT)) as connection:
                for key in dict.fromkeys(keys):
                    row = connection.execute(
                        "SELECT body FROM diffs WHERE old = ? AND new = ? AND view = ?", key
                    ).fetchone()
                    if row:
                        found[key] = str(row[0])
        except sqlite3.DatabaseError:  # (as misses: each is then looked up alone, which
            return {}  # removes a damaged file)
        return found

    def _store(self, key: tuple[str, str, str], body: str) -> None:
        try:  # (connect makes the file again if others could have written it)
            with closing(connect(self._path, _SCHEMA, timeout=CACHE_WAIT)) as connection:
                if not self._swept:  # the rows of another version are never read again
                    prefix = f"{self.made_by}:"
                    connection.execute(
                        "DELETE FROM diffs WHERE substr(old, 1, ?) != ?", (len(prefix), prefix)
                    )
                    self._swept = True
                connection.execute("INSERT OR REPLACE INTO diffs VALUES (?, ?, ?, ?)", (*key, body))
                if _size(connection) > self._bound:  # the oldest quarter goes
                    connection.execute(
                        "DELETE FROM diffs WHERE rowid <= (SELECT rowid FROM diffs ORDER BY "
                        "rowid LIMIT 1 OFFSET (SELECT count(*) / 4 FROM diffs))"
                    )
        except sqlite3.OperationalError:
            return
        except sqlite3.DatabaseError:
            remove(self._path)


# The blobs, source or not, the folders moved and the file names' titles, where they differ.
_Pair = tuple[str, str, bool, tuple[str, str] | None, tuple[str, str] | None]


def _folders(start: Version | None, end: Version) -> tuple[str, str] | None:
    """The folders of two versions of a chapter moved between them to another, whose links'
    targets are read from each (None where both are in one folder, as nearly all are)."""
    if start is None:
        return None
    old, new = posixpath.dirname(start.path), posixpath.dirname(end.path)
    return (old, new) if old != new else None


def _named(start: Version | None, end: Version) -> tuple[str, str] | None:
    """The titles the file names of two versions give, where either names no title of its own
    and is titled by its file name (None for the others, nearly all)."""
    if start is None or (start.meta.title is not None and end.meta.title is not None):
        return None
    return default_title(start.path), default_title(end.path)


def _blobs(start: Version | None, end: Version) -> tuple[str, str]:
    """The blob pair a diff is kept under ("" for no text: before the first, or deleted)."""
    return (start.blob if start and start.blob else "", end.blob or "")


def _size(connection: sqlite3.Connection) -> int:
    """The bytes of the file's pages in use (those freed are reused before it grows)."""
    pages, free, size = (
        connection.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("page_count", "freelist_count", "page_size")
    )
    return int((pages - free) * size)


def bound_from_environment() -> int:
    """The bound in bytes that ``TRACKER_DIFF_CACHE_MB`` sets (whole or decimal megabytes; 0
    keeps no new diff in the file)."""
    return megabytes(SIZE_VARIABLE, DEFAULT_MB)
