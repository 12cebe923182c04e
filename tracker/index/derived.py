"""The derived history kept between runs: the snapshot of the branch head last read, and the
builder that made it, so that a new commit replays only itself (SPEC §9).

One SQLite file per branch and root beside the raw index. Both are kept as ``pickle`` (read
back in milliseconds with the collector paused: a snapshot is many small objects). The index
folder is the service's own, like the git directory it sits in: whoever can write there can
already run code through git's own settings. A damaged or foreign file is removed and rebuilt;
one that cannot be written is left as it was. The caller checks the types it reads back.
"""

from __future__ import annotations

import gc
import logging
import pickle
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.index.log import SCHEMA_VERSION as RAW_SCHEMA
from tracker.index.store import busy, cache_folder, connect, digest, remove, unwritable
from tracker.repository.paths import Root
from tracker.repository.read import GitRepo

# Bump when the classes kept here change shape: older files are then rebuilt.
SCHEMA_VERSION = f"1.{RAW_SCHEMA}"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS derived (
    slot TEXT PRIMARY KEY, schema TEXT NOT NULL, head TEXT NOT NULL, settings TEXT NOT NULL,
    snapshot BLOB NOT NULL, builder BLOB NOT NULL);
"""
_WHERE = "FROM derived WHERE slot = 'latest' AND schema = ?"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    """What the file holds for a branch: the head it was read at and the text of the settings
    it was read with. The snapshot and the builder are read only when wanted."""

    path: Path
    head: str
    settings: str

    def snapshot(self) -> Any:
        return _unpickled(self.path, "snapshot")

    def builder(self) -> Any:
        return _unpickled(self.path, "builder")


def derived_path(repo: GitRepo, branch: str, root: Root) -> Path:
    return cache_folder(repo) / f"derived-{digest(branch + chr(0) + root.folder)}.sqlite"


def stored(repo: GitRepo, branch: str, root: Root) -> Stored | None:
    """What was kept for the branch, if anything usable."""
    path = derived_path(repo, branch, root)
    row = _row(path, "head, settings") if path.exists() else None
    return Stored(path, str(row[0]), str(row[1])) if row else None


def keep(
    repo: GitRepo, branch: str, root: Root, settings: str, snapshot: Any, builder: Any
) -> None:
    """Keep the newest snapshot (of ``snapshot.head``) and its builder, in one transaction:
    readers see the old pair or the new, never a mix."""
    path = derived_path(repo, branch, root)
    row = (
        SCHEMA_VERSION,
        snapshot.head,
        settings,
        pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL),
        pickle.dumps(builder, protocol=pickle.HIGHEST_PROTOCOL),
    )
    try:
        connection = connect(path, _SCHEMA, timeout=2.0)
        try:
            connection.execute(
                "INSERT OR REPLACE INTO derived VALUES ('latest', ?, ?, ?, ?, ?)", row
            )
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if not (busy(error) or unwritable(error)):
            remove(path)
        log.warning("the derived index was not written (%s); it is rebuilt when needed.", error)
    except sqlite3.DatabaseError:
        remove(path)


def _row(path: Path, columns: str) -> tuple[Any, ...] | None:
    try:
        connection = connect(path, _SCHEMA, timeout=2.0)
        try:
            row = connection.execute(f"SELECT {columns} {_WHERE}", (SCHEMA_VERSION,)).fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if not (busy(error) or unwritable(error)):
            remove(path)
        return None
    except sqlite3.DatabaseError:
        remove(path)
        return None
    return tuple(row) if row else None


def _unpickled(path: Path, column: str) -> Any:
    row = _row(path, column)
    if row is None:
        return None
    paused = gc.isenabled()
    gc.disable()  # many small objects: the collector would otherwise run hundreds of times
    try:
        found = pickle.loads(row[0])  # noqa: S301 (our own file, in the service's own folder)
    except Exception:  # written by another version of the code, or damaged: rebuilt
        remove(path)
        return None
    finally:
        gc.freeze()  # long-lived and free of cycles: never worth scanning again
        if paused:
            gc.enable()
    return found
