"""The kept history's file (``derived.py``): its tables, and the one transaction that writes a
new state into them: readers see the old state or the new, never a mix."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from tracker.index import store
from tracker.index.answers import SCHEMA_VERSION
from tracker.index.store import connect
from tracker.logs import Logger

SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;  -- a cache: a power cut may lose the last write, never corrupt it
DROP TABLE IF EXISTS derived;
CREATE TABLE IF NOT EXISTS kept (
    slot TEXT PRIMARY KEY, schema TEXT NOT NULL, head TEXT NOT NULL, settings TEXT NOT NULL,
    snapshot BLOB NOT NULL, builder BLOB NOT NULL, plain TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    row TEXT PRIMARY KEY, state BLOB NOT NULL, history TEXT NOT NULL, live TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS releases (
    day TEXT PRIMARY KEY, entries BLOB NOT NULL, text TEXT NOT NULL);
"""  # (answers.py reads the texts: plain, history and live, text)
_KEEP = "INSERT OR REPLACE INTO kept VALUES ('latest', ?, ?, ?, ?, ?, ?)"
_COUNT = """UPDATE kept SET plain = json_set(plain, '$.days', (SELECT count(*) FROM releases))
WHERE slot = 'latest'"""
WHERE = "FROM kept WHERE slot = 'latest' AND schema = ?"
log = Logger(__name__)


def write(
    path: Path,
    head: tuple[Any, ...],
    documents: list[tuple[str, bytes, str, str]],
    live: list[str],
    releases: tuple[list[tuple[str, bytes, str]], list[str], bool],
    base: str | None,
) -> None:
    """Write a new state in one transaction (``base``: see derived.keep): the rows of the
    documents not kept yet, those no longer ``live`` let go, the release days written anew or
    ``gone`` (every day, when ``every``) and the small parts."""
    written, gone, every = releases
    with contextlib.suppress(OSError):  # made private from the start: see store.private
        store.made_private(path.parent)
    # (one others could write, which may hold a trigger rewriting what is read back, goes)
    if store.reclaimed(path):
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        with contextlib.suppress(OSError):  # (one of ours from before, readable by others)
            found = path.lstat()  # (never through a link; the folder is this user's alone)
            if stat.S_ISREG(found.st_mode) and found.st_mode & 0o077:
                # By its name: closing a descriptor of the file would drop every lock this
                # process's SQLite connections hold on it (POSIX locks are the process's), and
                # another worker's connection closing next would take itself for the last, and
                # checkpoint and delete the WAL under this one's reader (exploratory testing:
                # two workers, pushes under load, the index damaged and rebuilt again and again).
                path.chmod(0o600)
    connection = connect(path, SCHEMA, timeout=2.0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            if base is not None:
                now = connection.execute(f"SELECT head {WHERE}", (SCHEMA_VERSION,)).fetchone()
                if now is None or now[0] != base:  # another process kept another state first
                    connection.execute("ROLLBACK")
                    log.info("the derived index moved on meanwhile; it was not written.")
                    return
            connection.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)", documents
            )
            connection.execute(
                "DELETE FROM documents WHERE row NOT IN (SELECT value FROM json_each(?))",
                (json.dumps(live),),
            )  # documents no longer in the snapshot (a reader of an older state still has them)
            if every:
                connection.execute("DELETE FROM releases")
            connection.executemany("DELETE FROM releases WHERE day = ?", [(d,) for d in gone])
            connection.executemany("INSERT OR REPLACE INTO releases VALUES (?, ?, ?)", written)
            connection.execute(_KEEP, head)
            connection.execute(_COUNT)  # (answers.py: a warm command checks it)
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # (SQLite may have rolled back itself, as
                connection.execute("ROLLBACK")  # on a full disk: the first error is the one)
            raise
    finally:
        connection.close()
