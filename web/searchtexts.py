"""The chapters' words as search reads them, kept in a file beside the index, by blob.

Reading a chapter as its page shows it (``tracker.publish.searchtext``) converts its Markdown:
about 10 ms a chapter, seconds of CPU for a manual of hundreds. A service keeps what it read in
memory, but a restart, each of several workers and each static export would convert every
chapter again; with this file only the first of them does, and a new commit costs the chapters
it changed. The words depend on the version's text alone (its blob), and on the code and the
libraries that convert it: rows made by another version of either are never read, and go.

As the diff cache (``tracker.trackchanges.cache``): a file that others could write is never
read (its words would be served as the manual's), a locked or unwritable one is a miss, and a
damaged one is removed and made again.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import time
from collections.abc import Iterable, Mapping
from contextlib import closing
from functools import cache
from pathlib import Path

from tracker.index.store import connect, library_versions, present, private, remove

_SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS words (
    made TEXT NOT NULL, blob TEXT NOT NULL, headings TEXT NOT NULL, text TEXT NOT NULL,
    used INTEGER NOT NULL, PRIMARY KEY (made, blob));
"""
_LIBRARIES = ("Markdown", "nh3")  # (and Python's own HTML parser: its version is in the key)
WAIT = 2.0  # seconds to wait for another worker writing the file
UNUSED_DAYS = 60  # a version not in force on any day a search was built for so long goes
_DAY = 86_400
_MANY = 500  # blob ids asked for in one query (SQLite allows 32,766 parameters)


@cache
def made_by() -> str:
    """What the words were read with: Python, the libraries, and the engine's code (the
    conversion reaches into much of it: a change anywhere reads every chapter again)."""
    digest = hashlib.sha256(f"{sys.version}\n{library_versions(_LIBRARIES)}\n".encode())
    folder = Path(__file__).parent.parent / "tracker"
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


class KeptWords:
    """The words of the versions read before, in ``folder/search.sqlite``."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "search.sqlite"
        self._swept = False  # (other versions' rows and long-unused ones go at the first write)

    def get(self, blobs: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(headings, text) of each of these blobs that was kept; nothing if the file cannot be
        read now."""
        wanted = sorted(set(blobs))
        if not wanted or not present(self.path) or not private(self.path):
            return {}
        found: dict[str, tuple[str, str]] = {}
        try:
            with closing(sqlite3.connect(self.path, timeout=WAIT)) as connection:
                for start in range(0, len(wanted), _MANY):
                    part = wanted[start : start + _MANY]
                    rows = connection.execute(
                        "SELECT blob, headings, text FROM words WHERE made = ? AND blob IN "  # noqa: S608
                        f"({', '.join('?' * len(part))})",
                        (made_by(), *part),
                    )
                    found.update((blob, (headings, text)) for blob, headings, text in rows)
        except sqlite3.OperationalError:
            return {}
        except sqlite3.DatabaseError:
            remove(self.path)
            return {}
        return found

    def put(self, found: Mapping[str, tuple[str, str]], used: Iterable[str] = ()) -> None:
        """Keep the words of new blobs, and note that the ``used`` ones were wanted today."""
        now = int(time.time())
        rows = [(made_by(), blob, h, t, now) for blob, (h, t) in found.items()]
        touched = [(now, made_by(), blob) for blob in sorted(set(used) - found.keys())]
        if not rows and not touched:
            return
        try:
            with closing(connect(self.path, _SCHEMA, timeout=WAIT)) as connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT OR REPLACE INTO words VALUES (?, ?, ?, ?, ?)", rows)
                connection.executemany(
                    "UPDATE words SET used = ? WHERE made = ? AND blob = ? AND used < ?",
                    [(*row, now - _DAY) for row in touched],  # (once a day is enough)
                )
                if not self._swept:  # (after the words wanted now were marked so)
                    connection.execute(
                        "DELETE FROM words WHERE made != ? OR used < ?",
                        (made_by(), now - UNUSED_DAYS * _DAY),
                    )
                connection.execute("COMMIT")
                self._swept = True
        except sqlite3.OperationalError:
            return
        except sqlite3.DatabaseError:
            remove(self.path)
