"""Writing commits with fixed dates: the demo manual and tests build repositories with it."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import time
from pathlib import Path
from typing import IO

import git

from tracker.errors import RefError, RepositoryError
from tracker.repository.paths import check_ref
from tracker.repository.process import Watchdog, git_timeout, kill, timed_out
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
    folder.mkdir(parents=True, exist_ok=True)
    seconds = git_timeout()
    with (folder / "fetch.lock").open("a") as lock:
        _lock(lock, seconds)
        refspec = f"+refs/heads/{branch}:refs/heads/{branch}"
        status, said = _fetch(
            ["fetch", "--progress", "--no-tags", "--update-head-ok", remote, refspec],
            repo.work_tree or repo.git_dir,
            seconds,
        )
    if status != 0:
        raise RepositoryError(f"git could not fetch {branch!r} from {remote!r}: {_reason(said)}.")
    return repo.resolve(branch)


def _reason(said: str) -> str:
    """Why git failed, as one clause: its first ``fatal:`` line, else its first ``error:``
    line, else its last line. Not its last line first: after the reason git gives advice
    ("Please make sure you have the correct access rights / and the repository exists.")."""
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    reason = next(
        (
            line.removeprefix(prefix)
            for prefix in ("fatal:", "error:")
            for line in lines
            if line.startswith(prefix)
        ),
        lines[-1] if lines else "unknown error",
    )
    printable = "".join(char if char.isprintable() else "\ufffd" for char in reason.strip())
    return printable[:300].rstrip(".") or "unknown error"


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


def _fetch(args: list[str], cwd: Path, seconds: float) -> tuple[int, str]:
    """Run a git fetch, stopped (with what it started) once it has said nothing for
    ``seconds``: its progress on stderr is what shows that it is moving. Returns its exit
    status and the end of what it said."""
    try:
        process = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        raise RepositoryError(
            f"git could not be run ({error.strerror}); is it installed?"
        ) from None
    assert process.stderr is not None
    watchdog = Watchdog(process, seconds)
    said = b""
    try:
        while chunk := os.read(process.stderr.fileno(), 65536):
            watchdog.progress()
            said = (said + chunk)[-65536:]  # progress lines may run long: the end says why
        process.wait()
    finally:
        watchdog.stop()
        kill(process)  # when this thread was interrupted; nothing once git has ended
        process.wait()
        process.stderr.close()
    if watchdog.fired:
        raise timed_out("git fetch", seconds)
    return process.returncode, said.decode("utf-8", "replace")
