"""SQLite files beside the repository: where they live, and opening them safely.

Every derived file of a repository lives in ``<git dir>/tracker/``, or in a folder of its own
under ``$TRACKER_CACHE_DIR``. A file that cannot be written is replaced by memory, with a
warning; a damaged one is removed and rebuilt by its owner.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from tracker.logs import Logger
from tracker.repository.read import GitRepo

LOCK_SECONDS = 30.0  # how long to wait for another process that is writing the same file
log = Logger(__name__)
_SAID: set[str] = set()  # the files said to be unwritable, each once


def cache_folder(repo: GitRepo) -> Path:
    """Where a repository's derived files live: ``$TRACKER_CACHE_DIR`` or its git directory."""
    base = os.environ.get("TRACKER_CACHE_DIR")
    return Path(base) / digest(str(repo.git_dir.resolve())) if base else repo.git_dir / "tracker"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def busy(error: sqlite3.OperationalError) -> bool:
    """Another process holds the index: that is not damage."""
    return any(word in str(error) for word in ("locked", "busy"))


def unwritable(error: sqlite3.Error) -> bool:
    """The file cannot be written now (disk full, read-only, an I/O error): not damage, so it
    is kept as it is for when it can be written again."""
    name = str(getattr(error, "sqlite_errorname", ""))
    words = ("disk is full", "readonly", "read-only", "disk I/O error", "unable to open")
    return name.startswith(_CANNOT_WRITE) or any(word in str(error) for word in words)


_CANNOT_WRITE = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")


def connect(
    path: Path | None, schema: str, timeout: float | None = None, shared: bool = False
) -> sqlite3.Connection:
    """Open (or create) a file with its schema; in memory when its folder cannot be written.
    ``shared``: usable from any thread (the caller holds a lock around every use)."""
    if path is not None:
        try:
            made_private(path.parent)  # (see private)
            if not reclaimed(path):  # what its rows say is read as this user's own, or nothing
                raise PermissionError(  # (docs/operators.md: a shared cache folder)
                    "it, its folder or the folder above it could be changed by other users; "
                    "make them writable by this user alone (chmod go-w), or set "
                    "TRACKER_CACHE_DIR to a folder of this user's"
                )
            with contextlib.suppress(FileExistsError):  # made this user's alone (0600), as
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # the index
            wait = LOCK_SECONDS if timeout is None else timeout
            connection = sqlite3.connect(path, timeout=wait, check_same_thread=not shared)
        except (OSError, sqlite3.OperationalError) as error:
            if str(path) not in _SAID:  # (once a process: a cache is opened for every diff)
                _SAID.add(str(path))
                log.warning("cannot write %s (%s); using memory instead.", path, error)
            connection = sqlite3.connect(":memory:", check_same_thread=not shared)
    else:
        connection = sqlite3.connect(":memory:", check_same_thread=not shared)
    connection.executescript(schema)
    connection.isolation_level = None  # transactions are begun and committed explicitly
    return connection


def emptied(path: Path, schema: str, tables: tuple[str, ...]) -> None:
    """Empty a file's tables in one transaction, so that other processes reading it keep the
    state they began with (removing a file in WAL mode that others have open is unsafe); one
    that is not a database any more is removed."""
    if not present(path):
        return
    try:
        connection = connect(path, schema, timeout=LOCK_SECONDS)
        try:
            connection.execute("BEGIN IMMEDIATE")
            for table in tables:
                connection.execute(f"DELETE FROM {table}")  # noqa: S608 (the caller's names)
            connection.execute("COMMIT")
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if not (busy(error) or unwritable(error)):
            remove(path)
    except sqlite3.DatabaseError:
        remove(path)


_JOURNALS = ("-journal", "-wal", "-shm")


def remove(path: Path) -> None:
    """Delete a damaged file and its journals."""
    for suffix in ("", *_JOURNALS):
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink(missing_ok=True)


def remove_ours(path: Path) -> None:
    """Remove a file no longer used (the raw index older versions kept: tens of megabytes at
    most), where it and its folder are this user's alone."""
    if present(path) and ours_alone(path):
        remove(path)


def private(path: Path) -> bool:
    """Whether the file and its folder belong to this user and no one else may write them: a
    pickle runs code when read back, so one another user could plant is never read (nor an
    answer read as this service's own). A file that is a symbolic link is never: what it names
    could be anything, another database of the user's among them; a folder may be one this
    user made (a cache kept on another disk), judged by the folder it names."""
    return present(path) and _ours(path.parent) and _files_ours(path)


def _files_ours(path: Path) -> bool:
    """Whether the file and every journal beside it that is there are this user's alone (not
    links): SQLite replays a journal it finds, so one another user left would put their pages
    in the file (their pickles). Each is looked at once: another worker may remake it."""
    for name in (path, *(Path(f"{path}{suffix}") for suffix in _JOURNALS)):
        try:
            if not _owned(name.lstat()):
                return False
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True


def _ours(folder: Path) -> bool:
    """Whether this user owns the folder and no one else may write it; a symbolic link to one
    of ours counts when this user made the link (another user's link, in a shared cache folder
    whose names can be worked out, could name any folder of ours, and be pointed elsewhere
    between a check and a read)."""
    try:
        link, info = folder.lstat(), folder.stat()
    except OSError:
        return False
    mine = info.st_uid == os.getuid() and not info.st_mode & 0o022 and stat.S_ISDIR(info.st_mode)
    return mine and link.st_uid == os.getuid() and _kept_in_place(folder)


def _kept_in_place(folder: Path) -> bool:
    """Whether no one else can put another folder in this one's place: the folder above is
    not writable by others, or is sticky (as /tmp is: only an entry's owner may rename it).
    A repository's git directory shared with a group (core.sharedRepository) is let be: who
    can write it can run code through git's own settings anyway."""
    above = folder.parent
    try:
        info = above.stat()
    except OSError:
        return False
    if not info.st_mode & 0o022 or info.st_mode & stat.S_ISVTX:
        return True
    return (above / "HEAD").is_file() and (above / "objects").is_dir()


def _owned(info: os.stat_result) -> bool:
    mine = info.st_uid == os.getuid() and not info.st_mode & 0o022
    return mine and not stat.S_ISLNK(info.st_mode)


def ours_alone(path: Path) -> bool:
    """Whether a file may be read and written as this user's alone: its folder is, and the
    file is too, or is not there yet (for files not opened through ``connect``)."""
    return _ours(path.parent) and _files_ours(path)


def made_private(folder: Path) -> None:
    """Make a cache folder and any folder above it that is missing, each this user's alone
    (``mkdir(parents=True)`` makes the ones above with the umask's mode: 0775 under umask
    002, where others could rename the cache folder and put one of theirs in its place)."""
    if not folder.is_dir():
        made_private(folder.parent)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)


def present(path: Path) -> bool:
    """Whether the file is there (False too when its folder may not be looked into: a cache
    folder of another user's is no cache of ours, not a failure)."""
    try:
        return path.is_file()
    except OSError:
        return False


def claimed(folder: Path) -> None:
    """A folder of ours that others may write (made under umask 002 by a version before 0700
    folders) made ours alone, with a warning; what is in it is then judged file by file."""
    with contextlib.suppress(OSError):  # (through a descriptor, never through a link)
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            mode = os.fstat(descriptor)
            if mode.st_uid == os.getuid() and mode.st_mode & 0o022:
                os.fchmod(descriptor, 0o700)
                log.warning("%s could be written by other users; it is now this user's.", folder)
        finally:
            os.close(descriptor)


def reclaimed(path: Path) -> bool:
    """Before a cache file is opened: whether it can be, as this user's alone (its folder
    taken back first, ``claimed``). One that others could have written, or whose journal they
    could have (its rows may say anything, a trigger may rewrite what is written), is removed
    with its journals, to be made again, never made ours by chmod; if it cannot be, False."""
    folder = path.parent
    claimed(folder)
    if not _ours(folder):  # (nothing is removed through another user's folder or link)
        return False
    if _files_ours(path):
        return True
    log.warning("%s may be written by other users, so it is made again.", path)
    remove(path)
    return not any(Path(f"{path}{suffix}").exists() for suffix in ("", *_JOURNALS))


def library_versions(names: Sequence[str]) -> str:
    """The installed versions of these distributions, from the names of their ``.dist-info``
    folders (importlib.metadata would cost every command tens of milliseconds to import)."""
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for folder in sys.path:
        with contextlib.suppress(OSError):
            for entry in os.listdir(folder or "."):  # noqa: PTH208 (names, not Paths: fast)
                name, _, rest = entry.partition("-")
                if entry.endswith(".dist-info") and _normal(name) in wanted:
                    found.setdefault(_normal(name), rest.removesuffix(".dist-info"))
    for key, name in wanted.items():
        if key not in found:  # installed some other way: ask the slower, thorough way
            from importlib import metadata

            found[key] = metadata.version(name)
    return "".join(f"{name}={found[key]};" for key, name in sorted(wanted.items()))


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def megabytes(variable: str, default: float) -> int:
    """The bound in bytes an environment variable sets, in whole or decimal megabytes (0 for
    none), else ``default``; anything else is the operator's mistake, said in one sentence."""
    import math

    from tracker.errors import InputError

    text = os.environ.get(variable, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or value > 1e9:  # (a petabyte: surely a mistake)
        raise InputError(f"{variable} is {text!r}, not a number of megabytes (0 or more).")
    return int(value * 1_000_000)
