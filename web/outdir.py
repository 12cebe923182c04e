"""The folder a static export is written to: only what changed is rewritten, and only our files
are ever removed.

A manifest in the folder (``.tracker-build.json``) lists each file the export wrote with the
SHA-256 of its content, and what the exporter keeps about each page (``pages``: what shaped
it and what it links to, so that a page whose inputs are unchanged need not be rendered). A
new build writes a file only when its content differs from what the folder holds (or the file
is gone), removes the files of the last build that it no longer makes (each only while its
content is what the manifest lists), and leaves every other file alone. The manifest is never
taken as proof of a file's content: each file is read and compared (a folder committed with a
manifest and pages of its own keeps none of them, and a manifest naming files of someone's own
has none of them removed). Each file a build writes is said in a journal first
(``.tracker-build.journal``, gone with the manifest written): the files of a build stopped
before its manifest are the next build's to remove.

Nothing is written, created or removed through a symbolic link inside the folder: each folder
on the way is opened without following links, and a file is written to a new temporary file
(created exclusively, never through a link) that then replaces the target, link or not.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import InputError
from tracker.index.store import digest as name_digest

MANIFEST = ".tracker-build.json"
LOCK = ".tracker-build.lock"  # held while a build writes, so that two never interleave
# Each file a build is about to write, a line ahead of it: a build stopped before its manifest
# (a cancelled CI job's SIGTERM) left files no later build knew were its own, to remove.
JOURNAL = ".tracker-build.journal"
FORMAT = 2  # the manifest's layout (1: files only, still read)
SAVE_EVERY = 500  # files written between saves of the manifest during a build


@dataclass(frozen=True)
class Counts:
    """What a build did to the folder."""

    written: int
    unchanged: int
    removed: int


def check_relative(path: str) -> str:
    """A file's path inside the folder, refused if it could leave it or hide in it."""
    parts = path.split("/")
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or any(part in ("", ".", "..") for part in parts)
        or path in (MANIFEST, LOCK, JOURNAL)
    ):
        raise InputError(f"The export cannot write a file named {path!r}.")
    return path


class OutDir:
    """A folder to export into, checked before anything is rendered."""

    def __init__(
        self,
        root: Path,
        previous: dict[str, str],
        pages: dict[str, Any],
        vouch: Path | None = None,
        believed: bool = True,
    ) -> None:
        self.root = root
        self.listed = previous  # path -> SHA-256, as the last build's manifest lists them
        # the same, to keep a file as unchanged: none from a manifest not believed (an empty
        # digest, never a file's), whose files are all written anew
        self.previous = previous if believed else dict.fromkeys(previous, "")
        self.previous_pages = pages if believed else {}  # what it kept about its pages
        self.hashes: dict[str, str] = {}  # this build's files so far
        self.written = self.unchanged = 0
        self._lock: int | None = None
        self._vouch = vouch
        # What builds stopped before their manifest were writing (path -> SHA-256), and
        # where this one says what it is about to write.
        self.journaled: dict[str, str] = {}
        self._journal: int | None = None

    @classmethod
    def open(cls, out: Path, forbidden: Iterable[Path] = (), vouches: Path | None = None) -> OutDir:
        """The folder ``out``: new, empty, or holding a manifest of ours; never inside a
        ``forbidden`` folder (the content repository's git directory and, for a linked
        worktree, the common git directory it shares).

        ``vouches``: a folder of this user's alone (the cache folder) where each build keeps
        the SHA-256 of the manifest it wrote last into each output folder. A manifest that is
        not the one this user's last build wrote there (committed with the folder, copied from
        elsewhere, edited, or the cache folder was not kept) is not believed: every file is
        written anew (what it lists that this build does not make is still removed while it is
        what the manifest lists, so that a withdrawn chapter's pages do not linger, and no
        manifest can have a file of someone's own removed)."""
        root = out.resolve()
        for place in forbidden:
            git_dir = place.resolve()
            if root == git_dir or git_dir in root.parents:
                raise InputError(f"{out} is inside the repository's git directory; choose another.")
        if root.exists() and not root.is_dir():
            raise InputError(f"{out} is not a folder.")
        manifest, journal = root / MANIFEST, root / JOURNAL
        ours = manifest.is_file() and not manifest.is_symlink()
        journaled = journal.is_file() and not journal.is_symlink()  # (a build's, stopped)
        if (
            root.exists()
            and not (ours or journaled)
            and any(p.name != LOCK for p in root.iterdir())
        ):
            raise InputError(
                f"{out} holds files but no tracker build's list of them; give an empty or new "
                "folder (or, if a build by an older tracker was stopped there, empty it)."
            )
        vouch = vouches / f"build-{name_digest(str(root))}.sha256" if vouches else None
        believed = ours and (vouch is None or _vouched(manifest, vouch))
        folder = cls(root, *(_read_manifest(manifest) if ours else ({}, {})), vouch, believed)
        folder._take_lock(out)
        folder.journaled = _read_journal(journal) if journaled else {}
        try:  # (never through a link, and never waiting on a pipe: a regular file or none)
            folder._journal = os.open(journal, _JOURNAL, 0o644)
            if not stat.S_ISREG(os.fstat(folder._journal).st_mode):
                raise OSError(errno.EINVAL, "not a file")
        except OSError:  # (a link, a folder, a pipe: planted)
            folder.close()
            raise InputError(f"{journal} cannot be written; remove it and build again.") from None
        return folder

    def _take_lock(self, out: Path) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # (below a file, on a file system that cannot be written)
            why = error.strerror.lower() if error.strerror else "it cannot be made"
            raise InputError(f"{out} cannot be made a folder ({why}).") from None
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW
        try:
            handle = os.open(self.root / LOCK, flags, 0o644)
        except OSError as error:  # (a folder of someone else's, a read-only file system)
            why = error.strerror.lower() if error.strerror else "it cannot be written"
            raise InputError(f"{out} cannot be written ({why}).") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise InputError(
                f"Another tracker build is writing to {out}; try again later."
            ) from None
        self._lock = handle

    def close(self) -> None:
        """Let another build write to the folder."""
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        if self._lock is not None:
            os.close(self._lock)  # closing the file releases its lock
            self._lock = None

    def put(self, path: str, content: bytes) -> bool:
        """Keep a file of this build, writing it only if it changed; False when this build
        already has a file by that name (the first is kept)."""
        path = check_relative(path)
        if path in self.hashes:
            return False
        digest = hashlib.sha256(content).hexdigest()
        self.hashes[path] = digest
        if self._unchanged(path, digest):
            self.unchanged += 1
            return True
        if self._journal is not None and self.listed.get(path) != digest:
            os.write(self._journal, (json.dumps([path, digest]) + "\n").encode())
        self._write(path, content)
        self.written += 1
        if self.written % SAVE_EVERY == 0:  # an interrupted build still knows its files
            self._save({**self.listed, **self.hashes}, self.previous_pages)
        return True

    def reuse(self, path: str, digest: str) -> bool:
        """Keep the last build's file at ``path`` as a file of this build, without its content,
        when it is still there and was ``digest``; False when it cannot be (to be made anew)."""
        path = check_relative(path)
        if path in self.hashes or not self._unchanged(path, digest):
            return False
        self.hashes[path] = digest
        self.unchanged += 1
        return True

    def finish(self, pages: Mapping[str, Any] | None = None) -> Counts:
        """Remove what the last build wrote and this one did not, each file only while it is
        what the manifest lists (its SHA-256: a file changed since, or one a manifest not
        written by a build names, is someone's own and left alone); keep the manifest (with
        ``pages``, what the exporter keeps about this build's pages)."""
        listed, journaled = self.listed, self.journaled
        gone = [path for path in sorted((set(listed) | set(journaled)) - set(self.hashes))
                if any(self._still(path, files[path]) for files in (listed, journaled)
                       if path in files)]  # fmt: skip
        for path in gone:
            self._remove(path)
        self._save(self.hashes, pages or {})
        with suppress(FileNotFoundError):  # (the manifest says it all now)
            (self.root / JOURNAL).unlink()
        self.close()
        return Counts(self.written, self.unchanged, len(gone))

    def sync(self, files: Mapping[str, bytes]) -> Counts:
        """Keep exactly ``files``: ``put`` each, then ``finish``."""
        for path, content in files.items():
            self.put(path, content)
        return self.finish()

    @contextmanager
    def _folder(self, path: str, create: bool = False) -> Iterator[int | None]:
        """The folder holding ``path``, opened without following a symbolic link on the way
        (None when a folder on the way does not exist and is not to be made)."""
        handle: int | None = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in path.split("/")[:-1]:
                outer, handle = handle, None  # _inner closes it
                assert outer is not None
                handle = _inner(outer, part, create, self.root / path)
                if handle is None:
                    break
            yield handle
        finally:
            if handle is not None:
                os.close(handle)

    def _unchanged(self, path: str, digest: str) -> bool:
        return self.previous.get(path) == digest and self._holds(path, digest)

    def _still(self, path: str, digest: str) -> bool:
        """Whether ``path`` holds what the manifest lists (False below a link or a file)."""
        try:
            return self._holds(path, digest)
        except InputError:
            return False

    def _holds(self, path: str, digest: str) -> bool:
        """Whether ``path`` is a file (not a link) whose content has the SHA-256 ``digest``:
        a manifest says what a build wrote, not what the folder holds now (someone may have
        changed a file since, or committed the folder, manifest and all, with pages of their
        own in it: the build must not keep those as its own)."""
        name = path.split("/")[-1]
        with self._folder(path) as folder:
            if folder is None:
                return False
            try:
                flags = (
                    os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
                )  # (a FIFO: no wait)
                handle = os.open(name, flags, dir_fd=folder)
            except OSError:  # gone, a link, or unreadable: written anew
                return False
            with os.fdopen(handle, "rb") as stream:
                if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                    return False
                return hashlib.file_digest(stream, "sha256").hexdigest() == digest

    def _write(self, path: str, content: bytes) -> None:
        with self._folder(path, create=True) as folder:
            assert folder is not None
            _replace(folder, path.split("/")[-1], content)

    def _remove(self, path: str) -> None:
        parts = path.split("/")
        with self._folder(path) as folder:
            if folder is None:
                return
            with suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                os.unlink(parts[-1], dir_fd=folder)  # a link itself, never what it points to
        for depth in range(len(parts) - 1, 0, -1):  # folders left empty, deepest first
            with self._folder("/".join(parts[:depth])) as parent:
                if parent is None:
                    continue
                try:
                    os.rmdir(parts[depth - 1], dir_fd=parent)
                except OSError:  # not empty, or not a folder: leave it
                    break

    def _save(self, hashes: Mapping[str, str], pages: Mapping[str, Any]) -> None:
        data = {"tracker-build": FORMAT, "files": dict(sorted(hashes.items())), "pages": pages}
        text = json.dumps(data, indent=None, separators=(",", ":")) + "\n"
        with self._folder(MANIFEST) as folder:
            assert folder is not None
            _replace(folder, MANIFEST, text.encode("utf-8"))
        if self._vouch is not None:  # (in a folder of this user's alone)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            with suppress(OSError):  # (unwritable: the next build writes every file again)
                made = os.open(self._vouch.parent, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    _replace(made, self._vouch.name, digest.encode())
                finally:
                    os.close(made)


def _inner(handle: int, part: str, create: bool, path: Path) -> int | None:
    """The folder ``part`` in the open folder ``handle`` (closed): opened, made first if
    ``create``, None if it does not exist; never a symbolic link."""
    try:
        if create:
            with suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=handle)
        return os.open(part, _FOLDER, dir_fd=handle)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise InputError(
                f"{path} is below a symbolic link or a file; the export will not write through it."
            ) from None
        if error.errno == errno.ENOENT and not create:
            return None
        raise
    finally:
        os.close(handle)


_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
# A temporary file is always new (O_EXCL): a link or file planted at its name is never used.
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _replace(folder: int, name: str, content: bytes) -> None:
    """Write ``name`` in the open ``folder`` through a new temporary file renamed over it: the
    rename replaces a symbolic link at ``name`` itself, never what it points to."""
    for _ in range(10):
        temporary = f".{name[:200]}.{secrets.token_hex(6)}.tmp"
        try:
            handle = os.open(temporary, _NEW, 0o644, dir_fd=folder)
            break
        except FileExistsError:
            continue
    else:
        raise OSError(errno.EEXIST, f"no free temporary name beside {name}")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)
        raise


_JOURNAL = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def _read_journal(journal: Path) -> dict[str, str]:
    """What builds stopped before their manifest were about to write: path -> SHA-256 (a line
    that cannot be read, as a build stopped while writing it leaves one, is passed over)."""
    found: dict[str, str] = {}
    try:
        handle = os.open(journal, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        with os.fdopen(handle, "rb") as stream:
            lines = stream.read(64 << 20).decode("utf-8", "replace").split("\n")
    except OSError:
        return found
    for line in lines:
        with suppress(ValueError, TypeError, InputError):
            path, digest = json.loads(line)
            found[check_relative(str(path))] = str(digest)
    return found


def _vouched(manifest: Path, vouch: Path) -> bool:
    """Whether the manifest is the one this user's last build wrote into its folder."""
    try:
        wanted = vouch.read_text(encoding="ascii").strip()
        return hashlib.sha256(manifest.read_bytes()).hexdigest() == wanted
    except (OSError, ValueError):
        return False


def _read_manifest(manifest: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """The files of the last build, and what the exporter kept about its pages."""
    try:
        data: Any = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"] if data.get("tracker-build") in (1, FORMAT) else None
        if isinstance(files, dict) and all(isinstance(v, str) for v in files.values()):
            pages = data.get("pages")
            checked = {check_relative(str(path)): value for path, value in files.items()}
            return checked, pages if isinstance(pages, dict) else {}
    except (OSError, ValueError, AttributeError, KeyError, InputError):
        pass
    raise InputError(f"{manifest} cannot be read; delete the folder's contents and build again.")
