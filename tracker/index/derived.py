"""The derived history kept between runs: the snapshot of the branch head last read, and the
builder that made it, so that a new commit replays only itself (SPEC §9).

One SQLite file per branch and root beside the raw index. Both are kept as ``pickle`` (read
back in milliseconds with the collector paused: a snapshot is many small objects). The index
folder is the service's own, like the git directory it sits in: whoever can write there can
already run code through git's own settings. A damaged or foreign file is removed and rebuilt;
one that cannot be written is left as it was. The caller checks the types it reads back.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
import sqlite3
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tracker.index.log import SCHEMA_VERSION as RAW_SCHEMA
from tracker.index.store import busy, cache_folder, connect, digest, remove, unwritable
from tracker.repository.paths import Root
from tracker.repository.read import GitRepo

_LIBRARIES = ("holidays", "python-dateutil", "tzdata", "PyYAML", "Markdown")  # dates, parsing
# What is kept is pickled objects of these modules: any change to their code (a new release,
# a field added) gives another fingerprint, and the kept history is then replayed, never
# read back into classes of another shape.
_PICKLED = ("config.py", "history/model.py", "history/documents.py", "history/golive.py",
            "history/identity.py", "history/releases.py", "history/snapshot.py",
            "history/trailers.py", "history/walk.py", "repository/parse.py",
            "repository/paths.py")  # fmt: skip
_RULES = ("dates.py", "errors.py")  # what the pickled objects were made with, besides
_CODE = hashlib.sha256(
    b"".join((Path(__file__).parent.parent / name).read_bytes() for name in _PICKLED + _RULES)
    + "".join(f"{name}={metadata.version(name)};" for name in _LIBRARIES).encode()
).hexdigest()[:16]
SCHEMA_VERSION = f"2.{RAW_SCHEMA}.{_CODE}"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS derived (
    slot TEXT PRIMARY KEY, schema TEXT NOT NULL, head TEXT NOT NULL, settings TEXT NOT NULL,
    state BLOB NOT NULL);
"""
_WHERE = "FROM derived WHERE slot = 'latest' AND schema = ?"
log = logging.getLogger(__name__)


@dataclass
class Stored:
    """What the file holds for a branch: the head it was read at and the text of the settings
    it was read with; the snapshot and its builder (one pickle: they share their documents)
    are read when first wanted."""

    path: Path
    head: str
    settings: str
    _state: Any = None

    def snapshot(self) -> Any:
        return self._read()[0]

    def builder(self) -> Any:
        return self._read()[1]

    def _read(self) -> tuple[Any, Any]:
        if self._state is None:
            state = _unpickled(self.path, "state")
            ok = isinstance(state, tuple) and len(state) == 2
            self._state = state if ok else (None, None)
        return self._state  # type: ignore[no-any-return]


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
    """Keep the newest snapshot (of ``snapshot.head``) and its builder, in one statement:
    readers see the old pair or the new, never a mix."""
    path = derived_path(repo, branch, root)
    row = (
        SCHEMA_VERSION,
        snapshot.head,
        settings,
        pickle.dumps((snapshot, builder), protocol=pickle.HIGHEST_PROTOCOL),
    )
    for attempt in (1, 2):
        try:
            _write(path, row)
            return
        except sqlite3.OperationalError as error:
            if busy(error) or unwritable(error) or attempt == 2:
                log.warning(
                    "the derived index was not written (%s); it is rebuilt when needed.", error
                )
                return
            remove(path)  # a file of another shape (an older version's): start it again
        except sqlite3.DatabaseError:
            remove(path)  # damaged: start it again


def _write(path: Path, row: tuple[Any, ...]) -> None:
    connection = connect(path, _SCHEMA, timeout=2.0)
    with contextlib.suppress(OSError):
        path.chmod(0o600)  # the service's own: see _private
    try:
        connection.execute("INSERT OR REPLACE INTO derived VALUES ('latest', ?, ?, ?, ?)", row)
    finally:
        connection.close()


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
    if not _private(path):
        log.warning("%s may be written by other users, so it is not read back.", path)
        return None
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
        if paused:
            gc.enable()
    return found


def _private(path: Path) -> bool:
    """Whether the file and its folder belong to this user and no one else may write them: a
    pickle runs code when read back, so one another user could plant is never read."""
    for place in (path, path.parent):
        try:
            info = place.stat()
        except OSError:
            return False
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            return False
    return True
