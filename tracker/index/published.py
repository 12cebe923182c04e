"""The head of each branch a publishing process (``tracker serve``, ``tracker build``) last
read, kept beside the index but apart from the kept history: the history is kept for whichever
command reads the branch, so after a force-push an author's ``tracker check`` run first would
leave the service nothing to compare with, and practitioners would not be told that what they
were shown may have changed (review)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from tracker.index.store import cache_folder, digest, made_private, ours_alone, present, reclaimed
from tracker.logs import Logger
from tracker.repository.paths import Root
from tracker.repository.read import GitRepo

_HEAD = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # (SHA-1 or SHA-256)
_SAID: set[tuple[str, str, str]] = set()  # (repository, branch, head before), each said once
log = Logger(__name__)


def kept(repo: GitRepo, root: Root, branch: str, head: str, keep: bool = True) -> None:
    """Say if the branch no longer holds the head a publishing manual read last (not the kept
    history's head, which an author's command may have moved on already); then, if ``keep``,
    keep ``head`` as the one read last (else ``keep_head``, once what was read is published)."""
    before = last(repo, root, branch)
    if before is not None and before != head:
        if not repo.is_ancestor(before, head):
            rewritten(repo, branch, before, "no longer on it")
        elif not _on_the_line(repo, root, before, head):
            rewritten(repo, branch, before, "off its first-parent line")
    if keep and before != head:
        keep_head(repo, root, branch, head)


def _on_the_line(repo: GitRepo, root: Root, before: str, head: str) -> bool:
    """Whether ``before``, an ancestor of ``head``, is on its first-parent line: not a head
    merged back in from another line after the branch was reset (its commits are a side
    branch's now, their versions the merge's). Read from the commits since ``before`` alone."""
    from tracker.repository.parse import first_parent_line  # (a publishing process's, rarely)

    commits = {commit.sha: commit for commit in repo.log(head, before, root.folder)}
    line = first_parent_line(commits, head)
    return bool(line) and commits[line[0]].parents[:1] == (before,)


def rewritten(repo: GitRepo, branch: str, old: str | None, where: str) -> None:
    """Say that the branch was rewritten: the head read before is ``where``. Once a process:
    a head whose settings cannot be read is read again on each request, and fails again."""
    said = (str(repo.git_dir), branch, old or "")
    if old and said not in _SAID:
        _SAID.add(said)
        log.warning(
            "The branch %r was rewritten (a force-push, a reset or a rebase): commit %s, which "
            "the tracker read last, is %s, so its whole history is read again, and versions, "
            "go-live dates and releases shown before may have changed",
            *(branch, old[:12], where),
        )


def _path(repo: GitRepo, root: Root, branch: str) -> Path:
    return cache_folder(repo) / f"published-{digest(f'{branch}:{root.folder}')}"


def last(repo: GitRepo, root: Root, branch: str) -> str | None:
    """The branch's head a publishing manual read last (None: none, or none that can be
    trusted: a file others could write is never read)."""
    path = _path(repo, root, branch)
    if present(path) and ours_alone(path):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = path.read_text(encoding="ascii").strip()
            return text if _HEAD.fullmatch(text) else None
    return None


def keep_head(repo: GitRepo, root: Root, branch: str, head: str) -> None:
    """Keep ``head`` as the branch's head a publishing manual read last."""
    path = _path(repo, root, branch)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    try:  # (written whole at once, in a folder of this user's alone, never through a link)
        made_private(path.parent)
        if reclaimed(path):
            flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW
            with os.fdopen(os.open(temporary, flags, 0o600), "w", encoding="ascii") as out:
                out.write(head + "\n")
            temporary.replace(path)
    except OSError:  # (a cache that cannot be written: nothing is said of the next rewrite)
        with contextlib.suppress(OSError):
            temporary.unlink()
