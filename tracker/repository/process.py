"""The git processes that reading streams from, and the time they are given.

A git process that stops answering (a lock, a network fetch in a partial clone, a slow disk)
is killed after ``$TRACKER_GIT_TIMEOUT`` seconds without progress (default 60; a value that is
not a number of seconds under a day is refused, as an InputError) and reported
as a RepositoryError: the command line exits with status 2, the web answers 503, and the
next request starts a fresh process.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import threading
import time
import weakref
from pathlib import Path

from tracker.errors import GitTimeout, InputError, RepositoryError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Generator
    from typing import IO

DEFAULT_TIMEOUT = 60.0


TIMEOUT_VARIABLE = "TRACKER_GIT_TIMEOUT"
_LONGEST = 86_400  # a day: more is surely a mistake (a git that silent has hung)


def git_timeout() -> float:
    """Seconds a git process may go without progress before it is stopped: 60, or what
    ``$TRACKER_GIT_TIMEOUT`` says (whole or decimal seconds, less than a day). Anything else is
    the operator's mistake, said in one sentence (InputError: exit status 2) rather than
    replaced by the default unsaid; ``tracker serve`` asks before it starts."""
    return seconds_from(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT)


def seconds_from(variable: str, default: float) -> float:
    """Seconds an environment variable sets (whole or decimal, more than 0 and less than a
    day), or ``default`` where it is unset or empty; anything else is InputError."""
    text = os.environ.get(variable, "").strip()
    try:
        seconds = float(text) if text else default
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < _LONGEST:  # (nan too)
        raise InputError(
            f"{variable} is {text!r}, not a number of seconds (more than 0 and less than "
            f"{_LONGEST}, a day)."
        )
    return seconds


def timed_out(what: str, seconds: float) -> GitTimeout:
    return GitTimeout(
        f"{what} did not answer within {seconds:g} second{'' if seconds == 1 else 's'}, so it "
        "was stopped; the repository may be locked, very slow, or waiting for a remote "
        "(TRACKER_GIT_TIMEOUT sets the limit)."
    )


def not_run(error: OSError, cwd: Path) -> RepositoryError:
    """Why git could not be started in ``cwd``: the folder is gone (a repository removed or
    being cloned again while a service runs: Popen says ENOENT for a missing ``cwd`` as for
    a missing git), else git itself."""
    folder = Path(cwd)
    if not folder.is_dir():  # (the same sentences as for a --repo that is not there)
        if folder.exists():
            return RepositoryError(f"{str(folder)!r} is not a folder.")
        return RepositoryError(f"The folder {str(folder)!r} does not exist.")
    return RepositoryError(f"git could not be run ({error.strerror}); is it installed?")


class GitFailed(Exception):
    """A short git command exited with an error; ``stderr`` says why."""

    def __init__(self, status: int, stderr: str) -> None:
        super().__init__(stderr)
        self.status, self.stderr = status, stderr


def run_git(
    args: list[str],
    cwd: Path,
    check: bool = True,
    env: dict[str, str] | None = None,
    given: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a short git command (``given``: what it reads) and return what it printed
    (GitFailed when ``check`` and it fails); stopped, with what it started, after the time git
    is given."""
    seconds = git_timeout()
    try:
        process = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL if given is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env} if env else None,
            start_new_session=True,
        )
    except OSError as error:
        raise not_run(error, cwd) from None
    try:
        text = None if given is None else given.encode("utf-8", "surrogateescape")
        out, err = process.communicate(text, timeout=seconds)
    except subprocess.TimeoutExpired:
        kill(process)
        process.communicate()
        raise timed_out(f"git {_command(args)}", seconds) from None
    done = subprocess.CompletedProcess(
        args,
        process.returncode,
        out.decode("utf-8", "surrogateescape"),
        err.decode("utf-8", "replace"),
    )
    if check and done.returncode != 0:
        raise GitFailed(done.returncode, done.stderr)
    return done


def batch_objects(cwd: Path, names: list[str]) -> list[tuple[str, int] | None]:
    """The object id and size in bytes of each file git names so (``commit:path``, checked),
    from one ``git cat-file --batch-check``, without reading it; None for a name that is no
    file (none, or a folder)."""
    if not names:
        return []
    done = run_git(
        ["cat-file", "--batch-check"], cwd, False, given="".join(f"{n}\n" for n in names)
    )
    # (a line each, ended by "\n" alone: a name may hold characters splitlines() breaks at)
    answers = done.stdout.split("\n")[: len(names)]  # ("<id> <type> <size>", "<name> missing")
    if done.returncode != 0 or len(answers) != len(names):
        raise RepositoryError("git cat-file --batch-check failed; the repository may be damaged.")
    found: list[tuple[str, int] | None] = []
    for answer in answers:
        parts = answer.split(" ")
        blob = len(parts) == 3 and parts[1] == "blob" and parts[2].isdigit()
        found.append(
            (parts[0], int(parts[2])) if blob and not answer.endswith(" missing") else None
        )
    return found


def absent(cwd: Path, shas: list[str]) -> set[str]:
    """Those of these objects git has not (asked without reading them)."""
    return {sha for sha, found in zip(shas, batch_objects(cwd, shas), strict=True) if not found}


def stream_git(args: list[str], cwd: Path, stdin: bool = False) -> subprocess.Popen[bytes]:
    """A git process to stream from (and, with ``stdin``, to feed): in a session of its own,
    so that it and what it starts can be stopped together; its messages in English, which
    the reader recognises some of."""
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "LANGUAGE": "C", "LC_ALL": "C"},
            start_new_session=True,
        )
    except OSError as error:
        raise not_run(error, cwd) from None


def _command(args: list[str]) -> str:
    """The git command a list of arguments runs (past ``-c name=value`` pairs)."""
    rest = list(args)
    while rest[:1] == ["-c"]:
        rest = rest[2:]
    return rest[0] if rest else "git"


class Watchdog:
    """Kills a process (and what it started) once it has made no progress for ``seconds``
    while watched; ``progress()`` says it moved on."""

    def __init__(self, proc: subprocess.Popen[bytes], seconds: float, watching: bool = True):
        self.seconds = seconds
        self.fired = False
        self.watching = watching  # a long-lived reader is watched only while asked something
        self._proc = proc
        self._last = time.monotonic()
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def progress(self) -> None:
        self._last = time.monotonic()

    def watch(self, on: bool) -> None:
        self._last = time.monotonic()
        self.watching = on

    def _watch(self) -> None:
        while not self._stop.wait(min(1.0, self.seconds / 4)):
            if self.watching and time.monotonic() - self._last > self.seconds:
                self.fired = True
                kill(self._proc)
                return

    def stop(self) -> None:
        self._stop.set()


def kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop a git process and anything it started (a fetch, a hook): its own session."""
    if proc.poll() is not None:
        return  # done and reaped: its id may belong to another process by now
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()


class Batch:
    """One long-lived ``git cat-file --batch`` for single reads, safe to share between threads."""

    def __init__(self, cwd: Path) -> None:
        self._proc = stream_git(["cat-file", "--batch"], cwd, stdin=True)
        self._lock = threading.Lock()
        self._watchdog = Watchdog(self._proc, git_timeout(), watching=False)
        # Closed when no longer used, even if nobody calls close().
        self._finalizer = weakref.finalize(self, _stop, self._proc, self._watchdog)

    def read(self, name: str, limit: int = 1 << 62) -> bytes | None:
        """The contents of a blob (by id, or ``commit:path``; cut after ``limit`` + 1 bytes),
        None when there is none."""
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        with self._lock:
            self._watchdog.watch(True)
            try:
                proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
                proc.stdin.flush()
                return read_batch_answer(proc.stdout, limit)
            except (OSError, ValueError, RepositoryError):  # a closed pipe, a killed process
                raise self._failure() from None
            finally:
                self._watchdog.watch(False)

    def _failure(self) -> RepositoryError:
        if self._watchdog.fired:
            return timed_out("git cat-file", self._watchdog.seconds)
        return RepositoryError("git cat-file stopped; the repository may be damaged.")

    def close(self) -> None:
        self._finalizer()


def _stop(proc: subprocess.Popen[bytes], watchdog: Watchdog) -> None:
    watchdog.watch(True)  # closing the input ends it; one that does not is stopped
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    proc.wait()
    watchdog.stop()


def finish(proc: subprocess.Popen[bytes], what: str, watchdog: Watchdog | None = None) -> None:
    """Wait for a streaming process; a failure (or a timeout) is a RepositoryError. The
    watchdog still watches the wait: a git busy fetching is stopped too."""
    for stream in (proc.stdout, proc.stdin):
        if stream is not None:
            with contextlib.suppress(OSError):  # a pipe git already closed
                stream.close()
    try:
        status = proc.wait()
    finally:
        if watchdog is not None:
            watchdog.stop()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr is not None:
        proc.stderr.close()
    if watchdog is not None and watchdog.fired:
        raise timed_out(what, watchdog.seconds)
    if status != 0 and status != -13:  # -13: SIGPIPE after we stopped reading early
        detail = stderr.strip().splitlines()
        reason = detail[-1] if detail else f"exit status {status}"
        raise RepositoryError(f"{what} failed, the repository may be damaged: {reason}.")


def abandon(
    proc: subprocess.Popen[bytes], what: str, watchdog: Watchdog, writer: threading.Thread
) -> None:
    """Stop a streaming process nobody reads any more (git may be blocked writing to us, and
    the thread feeding it blocked writing to git); a timeout is still said as one."""
    kill(proc)
    writer.join()
    watchdog.stop()
    for stream in (proc.stdout, proc.stdin, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    proc.wait()
    if watchdog.fired:
        raise timed_out(what, watchdog.seconds)


def stream_blobs(
    cwd: Path, shas: list[str], limit: int
) -> Generator[tuple[str, bytes | None], None, None]:
    """The contents of blobs in the order given, from one ``git cat-file --batch`` fed by a
    thread of its own (cut after ``limit`` + 1 bytes; None for an object git lacks)."""
    if not shas:
        return
    proc = stream_git(["cat-file", "--batch"], cwd, stdin=True)
    assert proc.stdin is not None and proc.stdout is not None
    watchdog = Watchdog(proc, git_timeout())
    writer = threading.Thread(target=feed, args=(proc.stdin, shas), daemon=True)
    writer.start()
    answered = 0
    try:
        for sha in shas:
            data = read_batch_answer(proc.stdout, limit)
            answered += 1
            watchdog.watch(False)  # git is judged on its own answers, not on how long the
            yield sha, data  # caller works between them (a replay asks as it goes)
            watchdog.watch(True)
    finally:
        if answered < len(shas):  # stopped early, by the caller or by a failure
            abandon(proc, "git cat-file", watchdog, writer)
        else:
            writer.join()
            finish(proc, "git cat-file", watchdog)


def feed(stdin: IO[bytes], shas: list[str]) -> None:
    try:
        for sha in shas:
            stdin.write(sha.encode() + b"\n")
        stdin.close()
    except (BrokenPipeError, ValueError, OSError):
        pass


def read_batch_answer(stdout: IO[bytes], limit: int) -> bytes | None:
    header = stdout.readline()
    if not header:
        raise RepositoryError("git cat-file stopped answering, the repository may be damaged.")
    if header.rstrip(b"\n").endswith((b" missing", b" ambiguous")):
        return None  # ("<name> missing": a name may hold spaces, a path inside a commit)
    parts = header.split()
    if len(parts) != 3 or not parts[2].isdigit():
        raise RepositoryError(f"git cat-file answered {header[:80]!r}, which is not understood.")
    size = int(parts[2])
    data = _read_exactly(stdout, size, keep=limit + 1)
    stdout.read(1)  # the newline after the contents
    return data if parts[1] == b"blob" else None


def _read_exactly(stream: IO[bytes], size: int, keep: int) -> bytes:
    """Read ``size`` bytes, keeping the first ``keep`` of them (a huge blob is cut short)."""
    chunks, remaining, kept = [], size, 0
    while remaining:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            raise RepositoryError("git cat-file stopped mid-object, the repository may be damaged.")
        if kept < keep:
            chunks.append(chunk[: keep - kept])
            kept += len(chunks[-1])
        remaining -= len(chunk)
    return b"".join(chunks)


def one_line(stderr: str) -> str:
    """What git said, as one sentence of ours."""
    detail = stderr.strip()
    if "dubious ownership" in detail:
        return (
            "git refuses to read the repository because another user owns it; add it to git's "
            "safe.directory setting."
        )
    lines = [line.strip() for line in detail.splitlines() if line.strip()]
    first = lines[0].removeprefix("fatal: ").rstrip(".") if lines else "unknown error"
    return f"git could not read the repository: {first}."
