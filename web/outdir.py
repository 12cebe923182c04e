"""The folder a static export is written to: only what changed is rewritten, and only our files
are ever removed.

A manifest in the folder (``.tracker-build.json``) lists each file the export wrote with the
SHA-256 of its content. A new build writes a file only when its content differs (or the file
is gone), removes the files of the last build that it no longer makes, and leaves every other
file alone. Nothing is written or removed through a symbolic link inside the folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import InputError

MANIFEST = ".tracker-build.json"
LOCK = ".tracker-build.lock"  # held while a build writes, so that two never interleave
FORMAT = 1  # the manifest's layout
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
        or path in (MANIFEST, LOCK)
    ):
        raise InputError(f"The export cannot write a file named {path!r}.")
    return path


class OutDir:
    """A folder to export into, checked before anything is rendered."""

    def __init__(self, root: Path, previous: dict[str, str]) -> None:
        self.root = root
        self.previous = previous  # path -> SHA-256, from the last build's manifest
        self.hashes: dict[str, str] = {}  # this build's files so far
        self.written = self.unchanged = 0
        self._lock: int | None = None

    @classmethod
    def open(cls, out: Path, forbidden: Path | None = None) -> OutDir:
        """The folder ``out``: new, empty, or holding a manifest of ours; never inside
        ``forbidden`` (the content repository's git directory)."""
        root = out.resolve()
        if forbidden is not None:
            git_dir = forbidden.resolve()
            if root == git_dir or git_dir in root.parents:
                raise InputError(f"{out} is inside the repository's git directory; choose another.")
        if root.exists() and not root.is_dir():
            raise InputError(f"{out} is not a folder.")
        manifest = root / MANIFEST
        ours = manifest.is_file() and not manifest.is_symlink()
        if root.exists() and not ours and any(p.name != LOCK for p in root.iterdir()):
            raise InputError(
                f"{out} holds files that a tracker build did not write; "
                "give an empty or new folder."
            )
        folder = cls(root, _read_manifest(manifest) if ours else {})
        folder._take_lock(out)
        return folder

    def _take_lock(self, out: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW
        handle = os.open(self.root / LOCK, flags, 0o644)
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
        if self.previous.get(path) == digest and self._is_file(path):
            self.unchanged += 1
            return True
        self._write(path, content)
        self.written += 1
        if self.written % SAVE_EVERY == 0:  # an interrupted build still knows its files
            self._save({**self.previous, **self.hashes})
        return True

    def finish(self) -> Counts:
        """Remove what the last build wrote and this one did not; keep the manifest."""
        gone = sorted(set(self.previous) - set(self.hashes))
        for path in gone:
            self._remove(path)
        self._save(self.hashes)
        self.close()
        return Counts(self.written, self.unchanged, len(gone))

    def sync(self, files: Mapping[str, bytes]) -> Counts:
        """Keep exactly ``files``: ``put`` each, then ``finish``."""
        for path, content in files.items():
            self.put(path, content)
        return self.finish()

    def _place(self, path: str) -> Path:
        """The file's place, every folder on the way checked not to be a symbolic link."""
        here = self.root
        for part in path.split("/")[:-1]:
            here = here / part
            if here.is_symlink():
                raise InputError(
                    f"{here} is a symbolic link; the export will not write through it."
                )
        return here / path.split("/")[-1]

    def _is_file(self, path: str) -> bool:
        target = self._place(path)
        return target.is_file() and not target.is_symlink()

    def _write(self, path: str, content: bytes) -> None:
        target = self._place(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(content)
        temporary.replace(target)  # replaces a link itself, never what it points to

    def _remove(self, path: str) -> None:
        target = self._place(path)
        if target.is_symlink() or target.is_file():
            target.unlink()
        folder = target.parent
        while folder != self.root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

    def _save(self, hashes: Mapping[str, str]) -> None:
        data = {"tracker-build": FORMAT, "files": dict(sorted(hashes.items()))}
        temporary = self.root / f".{MANIFEST}.tmp"
        temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        temporary.replace(self.root / MANIFEST)


def _read_manifest(manifest: Path) -> dict[str, str]:
    try:
        data: Any = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"] if data.get("tracker-build") == FORMAT else None
        if isinstance(files, dict) and all(isinstance(v, str) for v in files.values()):
            return {check_relative(str(path)): value for path, value in files.items()}
    except (OSError, ValueError, AttributeError, KeyError, InputError):
        pass
    raise InputError(f"{manifest} cannot be read; delete the folder's contents and build again.")
