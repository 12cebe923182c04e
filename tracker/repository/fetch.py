"""Fetching from a remote: a branch (``write.fetch_branch``) and the texts a partial clone lacks.

A partial clone (``git clone --filter=blob:none``) has every commit and tree but only the
blobs it has read. Before reading, the blobs it lacks are fetched in a few ``git fetch``
processes of many objects each (git's own fetching on demand takes one object at a time). A
remote that cannot be reached (or refuses) is told from one that lacks an object: git names
the object it lacks ("not our ref <id>"), and says nothing of the kind when it cannot connect.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from tracker.errors import GitTimeout, RepositoryError
from tracker.logs import Logger
from tracker.repository.process import (
    Watchdog,
    git_timeout,
    kill,
    not_run,
    run_git,
    timed_out,
)

# git's settings of a partial clone: extensions.partialClone, remote.<name>.promisor = true
_PROMISOR = re.compile(r"^\s*(partialclone\s*=|promisor\s*=\s*true)", re.IGNORECASE | re.MULTILINE)
_BATCH = 8000  # object ids on one fetch's command line (about 330 kB: well within ARG_MAX)
_AGAIN = 300.0  # seconds for which a remote's failure is remembered, not asked again
# What git says when a remote does not let objects be fetched by their ids at all (protocol v0
# without uploadpack.allowAnySHA1InWant): not one object it lacks, so not asked one by one.
_REFUSED = "does not allow request for unadvertised object"
# What git's on-demand fetch of a missing object runs (promisor-remote.c), ids as arguments.
_FETCH = ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--progress", "--no-tags",
          "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none"]  # fmt: skip
log = Logger(__name__)


def is_partial(common_dir: Path) -> bool:
    """Whether the repository is a partial clone: its settings name a promisor remote (read
    from the file: no process)."""
    try:
        settings = (common_dir / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True  # (unknown: read as one, which costs a process or two more)
    return _PROMISOR.search(settings) is not None


class Promisor:
    """A partial clone's remote, which fetches the blobs the clone lacks (shared by threads)."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._lock = threading.Lock()
        self._lacking: dict[str, float] = {}  # blob → when the remote said it lacks it
        self._down = -_AGAIN  # when the remote last could not be reached
        self._name: str | None = None  # the remote's, once asked
        self._failed = False  # whether texts were left out because it could not be reached

    def may_come(self) -> bool:
        """Whether texts were left out because the remote could not be reached, long enough
        ago that it is asked again (a service reads what it left out then: another process's
        fetch, a poll's, does not tell this one)."""
        with self._lock:
            return self._failed and time.monotonic() - self._down >= _AGAIN

    def reached(self) -> bool:
        """A fetch from the remote has just worked (a push webhook's, a poll's): it is asked
        again at once. Whether texts had been left out because it could not be reached."""
        with self._lock:
            failed, self._failed, self._down = self._failed, False, -_AGAIN
        return failed

    def unfetchable(self, wanted: Iterable[str]) -> set[str]:
        """The blobs of ``wanted`` that the clone lacks and its remote cannot supply, each said
        in a warning (once while remembered); the others it lacks are fetched first."""
        with self._lock:
            need = self._absent(wanted)
            now = time.monotonic()
            if not need or now - self._down < _AGAIN:
                return set(need)  # (a remote just found unreachable: said already)
            known = {sha for sha in need if now - self._lacking.get(sha, -_AGAIN) < _AGAIN}
            if len(known) == len(need):
                return known  # (said when the remote was asked)
            remote = self._name = self._name or self._remote()
            lacking, rest, reason = self._fetch(remote, [sha for sha in need if sha not in known])
            refused = _REFUSED in reason  # (for good: reaching the remote again changes nothing)
            self._lacking.update(dict.fromkeys(lacking, time.monotonic()))
            if lacking:
                log.warning(
                    "The remote %r does not have %s this partial clone lacks (%s); the "
                    "versions made of %s are left out.", remote, _texts(len(lacking)),
                    _named(lacking), _them(len(lacking)),
                )  # fmt: skip
            # (it answered: what it lacks now it lacks for good, and is not asked again soon)
            self._failed = bool(rest) and not refused
            if rest:
                self._down = time.monotonic()
                # (not how many: a later read may lack more, and is not said again)
                log.warning(
                    "git could not fetch the texts this partial clone lacks from %r: %s; the "
                    "versions made of them are left out, each said in a warning of its own.",
                    remote,
                    reason,
                )
            return known | lacking | set(rest)

    def _absent(self, wanted: Iterable[str]) -> list[str]:
        """The blobs of ``wanted`` the clone does not have (asked without fetching)."""
        listed = run_git(
            ["cat-file", "--batch-all-objects", "--batch-check=%(objectname)", "--unordered"],
            self._cwd,
            check=False,
        )  # (the ids in the pack indexes and of the loose objects: milliseconds)
        if listed.returncode != 0:
            why = fetch_reason(listed.stderr)
            raise RepositoryError(f"git could not list the repository's objects: {why}.")
        wanted = set(wanted)
        return sorted(wanted - {sha for sha in listed.stdout.split() if sha in wanted})

    def _remote(self) -> str:
        """The name of the remote git fetches missing objects from."""
        found = run_git(
            ["config", "--get-regexp", r"^(remote\..*\.promisor|extensions\.partialclone)$"],
            self._cwd, check=False,
        )  # fmt: skip
        names = []
        for line in found.stdout.splitlines():
            key, _, value = line.partition(" ")
            if key.startswith("remote.") and value.strip().lower() in ("true", "yes", "on", "1"):
                names.append(key.removeprefix("remote.").removesuffix(".promisor"))
            elif key == "extensions.partialclone" and value.strip():
                names.append(value.strip())
        return names[0] if names else "origin"

    def _fetch(self, remote: str, need: list[str]) -> tuple[set[str], list[str], str]:
        """Fetch ``need`` from ``remote`` in batches: (what the remote lacks, what was not
        fetched because it could not be reached, git's reason)."""
        lacking: set[str] = set()
        for start in range(0, len(need), _BATCH):
            batch = need[start : start + _BATCH]
            while batch:
                try:
                    status, said = run_fetch([*_FETCH, "--end-of-options", remote, *batch],
                                             self._cwd, git_timeout())  # fmt: skip
                except GitTimeout as error:  # a remote that does not answer: as one gone
                    said, status = f"fatal: {str(error).rstrip('.')}", -1
                if status == 0:
                    break
                named = None if _REFUSED in said else next((s for s in batch if s in said), None)
                if named is None:  # git could not connect, or was refused: nothing was fetched
                    rest = [sha for sha in need[start:] if sha not in lacking]
                    return lacking, rest, fetch_reason(said)
                lacking.add(named)  # the remote has no such object: the others again, without it
                batch.remove(named)
        return lacking, [], ""


def _named(shas: set[str]) -> str:
    """The first few object ids, short, and how many more."""
    names = sorted(sha[:12] for sha in shas)
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(names[:10]) + more


def _texts(count: int) -> str:
    return "one text" if count == 1 else f"{count} texts"


def _them(count: int) -> str:
    return "it" if count == 1 else "them"


def run_fetch(args: list[str], cwd: Path, seconds: float) -> tuple[int, str]:
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
        raise not_run(error, cwd) from None
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


def fetch_reason(said: str) -> str:
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
