"""Running a git fetch: the tracked branch's (``write.fetch_branch``), stopped when it hangs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tracker.errors import RepositoryError
from tracker.repository.process import Watchdog, kill, timed_out


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
