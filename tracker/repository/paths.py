"""Validation of what users type before it reaches git: revisions and repository paths."""

from __future__ import annotations

import os
import re

from tracker.errors import InputError, RefError, shown

# A revision as a user may type one: branch and tag names, ids, HEAD~2, main^. Never an option,
# never a range, a path (``rev:path``), a reflog selector or whitespace.
_REF = re.compile(r"(?!-)[A-Za-z0-9_./~^+-]{1,200}")

# The modes of files (plain, executable) in git's trees: not a symbolic link (120000) nor a
# submodule (160000), which tracker/authoring/notfiles.py asks for by their modes.
FILES = ("100644", "100755")
Modes = tuple[str, ...]
Listed = list[tuple[str, str]]  # (path, object id) of each entry


def check_ref(ref: str) -> str:
    """Refuse a revision that could be read as an option, a range or anything but a name."""
    if not _REF.fullmatch(ref) or ".." in ref or "//" in ref or ref.endswith((".", "/")):
        raise RefError(f"{shown(ref)} is not a valid branch, tag or commit name.")
    return ref


def check_path(path: str) -> str:
    """Refuse a repository path that could escape the tree or confuse git's batch protocol."""
    parts = path.split("/")
    if (
        not path
        or path.startswith(("-", "/"))
        or any(part in ("", ".", "..") for part in parts)
        or any(ord(char) < 32 for char in path)
    ):
        raise RefError(f"{shown(path)} is not a valid folder or file path inside the repository.")
    return path


class Root:
    """The manual's folder inside the repository; ``folder`` is "" for the repository's top.
    Immutable and hashable (a plain class, not a dataclass: a warm command, which opens the
    repository, does not load dataclasses)."""

    __slots__ = ("folder",)
    folder: str

    def __init__(self, folder: str = "") -> None:
        object.__setattr__(self, "folder", folder)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Root is immutable: {name!r} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Root is immutable: {name!r} cannot be deleted")

    def __eq__(self, other: object) -> bool:
        return other.folder == self.folder if isinstance(other, Root) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.folder)

    def __repr__(self) -> str:
        return f"Root(folder={self.folder!r})"

    def __reduce__(self) -> tuple[type[Root], tuple[str]]:
        return Root, (self.folder,)

    @classmethod
    def parse(cls, text: str) -> Root:
        """A folder a user named (``--root``), validated; ``""``, ``.`` or ``/`` is the top."""
        folder = text.strip("/")
        if folder in ("", "."):
            return cls("")
        if ".git" in folder.casefold().split("/"):  # (git tracks nothing there: init and new
            raise InputError(  # would write into git's own folder)
                f"The root folder {shown(text)} is inside git's own folder (.git)."
            )
        try:
            return cls(check_path(folder))
        except RefError:
            raise InputError(
                f"The root folder {shown(text)} is not a valid path inside the repository."
            ) from None

    @property
    def prefix(self) -> str:
        """What every path under the root starts with: ``procedures/``, or nothing."""
        return f"{self.folder}/" if self.folder else ""

    def join(self, relative: str) -> str:
        """The repository path of a path under the root."""
        return self.prefix + relative

    def relative(self, path: str | None) -> str | None:
        """The path under the root of a repository path, None when it lies outside."""
        folder = self.folder  # (asked of every change of every commit: no prefix made)
        if path is None or not folder:
            return path
        end = len(folder)
        if path.startswith(folder) and path[end : end + 1] == "/":
            return path[end + 1 :]
        return None


def tracked_name(at: tuple[str, str]) -> tuple[str, str]:
    """(branch, head) as git gave them, a detached HEAD (as CI checks out) named by the branch
    its pipeline says it builds (GitLab's ``CI_COMMIT_BRANCH``, GitHub's ``GITHUB_REF_NAME``)
    when it says one: the history is then that branch's, kept under its name (what the rules
    say of it, such as branch-replaced, depends on the name)."""
    branch, head = at
    if branch == "HEAD":
        branch = os.environ.get("CI_COMMIT_BRANCH") or os.environ.get("GITHUB_REF_NAME") or branch
    return branch, head
