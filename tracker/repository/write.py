"""Writing commits with fixed dates: the demo manual and tests build repositories with it."""

from __future__ import annotations

import fcntl
import os
import re
import time
from pathlib import Path
from typing import IO

import git

from tracker.errors import RefError, RepositoryError
from tracker.repository.fetch import fetch_reason, run_fetch
from tracker.repository.paths import check_ref
from tracker.repository.process import git_timeout
from tracker.repository.read import GitRepo


class RepoWriter:
    """Writes commits with fixed dates: used by ``tracker demo`` to build the demo repository."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._repo = git.Repo.init(path, initial_branch="main")
        self._repo.git.execute(["git", "config", "commit.gpgSign", "false"])

    def _env(self, author: str, when: str) -> dict[str, str]:
        match = re.fullmatch(r"(.+?)\s*<([^>]+)>", author)
        name, email = (match.group(1), match.group(2)) if match else (author, "")
        return {
            **os.environ,
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
        }

    def switch(self, branch: str, create_from: str | None = None) -> None:
        """Check out ``branch``, creating it at ``create_from`` first when given."""
        check_ref(branch)
        args = ["git", "checkout", "--quiet"]
        args += ["-b", branch, create_from] if create_from else [branch]
        self._repo.git.execute(args)

    def commit_all(self, message: str, author: str, when: str) -> None:
        """Stage the whole work tree and commit it."""
        self._repo.git.execute(["git", "add", "--all"])
        self._repo.git.execute(
            ["git", "commit", "--quiet", "--no-verify", "--cleanup=whitespace", "-m", message],
            env=self._env(author, when),
        )

    def merge(self, branch: str, message: str, author: str, when: str) -> None:
        """Merge ``branch`` into the current branch with a merge commit."""
        check_ref(branch)
        self._repo.git.execute(
            ["git", "merge", "--quiet", "--no-ff", "--no-verify", "-m", message, "--", branch],
            env=self._env(author, when),
        )


def fetch_branch(repo: GitRepo, branch: str, remote: str = "origin") -> str:
    """Bring ``branch`` up to date from ``remote``, as it is there (a force-push included),
    and return its new head: what a push webhook and ``tracker serve --poll`` do.

    Several service workers may fetch at once: a lock file beside the index lets one in at a
    time (git's own ref locks would otherwise make the others fail). Neither the wait for the
    lock nor the fetch goes on for ever: each gives up, with a RepositoryError, after
    ``$TRACKER_GIT_TIMEOUT`` seconds (the fetch: without progress, as every git process).
    """
    check_ref(branch)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote):
        raise RefError(f"{remote!r} is not a remote's name.")
    folder = repo.git_dir / "tracker"  # the repository's own: every worker of it shares it
    folder.mkdir(mode=0o700, exist_ok=True)  # (this user's alone, as the caches' folders)
    seconds = git_timeout()
    descriptor = os.open(folder / "fetch.lock", os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "a") as lock:
        _lock(lock, seconds)
        refspec = f"+refs/heads/{branch}:refs/heads/{branch}"
        status, said = run_fetch(
            ["fetch", "--progress", "--no-tags", "--update-head-ok", remote, refspec],
            repo.work_tree or repo.git_dir,
            seconds,
        )
    if status != 0:
        why = fetch_reason(said)
        raise RepositoryError(f"git could not fetch {branch!r} from {remote!r}: {why}.")
    return repo.resolve(branch)


def _lock(lock: IO[str], seconds: float) -> None:
    """Take the fetch lock, waiting for another worker's fetch at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                waited = f"{seconds:g} second{'' if seconds == 1 else 's'}"
                raise RepositoryError(
                    f"Another fetch of this repository still held its lock after {waited}, so "
                    "this one was not made (TRACKER_GIT_TIMEOUT sets the wait)."
                ) from None
            time.sleep(0.05)
