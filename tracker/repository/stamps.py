"""What a repository's files look like now, so that a long-lived reader notices a change
without asking git: the branch's ref files (a web request checks them before each answer) and
the git folder itself (a repository replaced at its path)."""

from __future__ import annotations

import re
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


def ref_stamp(
    common_dir: Path, git_dir: Path, branch: str | None, current: str | None = None
) -> tuple[object, ...] | None:
    """What the files holding the branch's ref look like now (``branch`` None: the checked-out
    one, last seen as ``current``); None when they cannot tell (refs in a reftable, or a
    revision that is not a branch name)."""
    if (common_dir / "reftable").exists():
        return None
    heads = common_dir / "refs" / "heads"
    packed = common_dir / "packed-refs"
    if branch is None:  # the checked-out branch: HEAD says which
        names = [git_dir / "HEAD", packed]
        names += [heads / current] if current and current != "HEAD" else []
    elif _SHA.fullmatch(branch):
        return (branch,)  # a commit id names the same commit for ever
    elif (heads / branch).is_file() or _packed(packed, branch):
        names = [heads / branch, packed]
    else:
        return None  # a tag, HEAD~2...: asked of git every time
    stamp: list[object] = [branch]
    for name in names:
        try:
            info = name.stat()
        except OSError:
            stamp.append((str(name), None))
        else:
            stamp.append((str(name), info.st_ino, info.st_mtime_ns, info.st_size))
    return tuple(stamp)


def identity(folder: Path) -> tuple[int, int, int] | None:
    """Which folder is at this path now, and when an entry was last made or removed in it
    (device, inode and change time; None when there is none). A folder deleted and made again
    may get the same inode (file systems reuse them at once), never the same change time; git
    changes it too (``index``, ``FETCH_HEAD``, ``HEAD`` replaced), so what keeps it also starts
    afresh after each commit or fetch: a process, a few milliseconds."""
    try:
        info = folder.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino, info.st_ctime_ns


def _packed(packed: Path, branch: str) -> bool:
    """Whether a packed-refs file holds the branch."""
    try:
        return f" refs/heads/{branch}\n".encode() in packed.read_bytes()
    except OSError:
        return False
