"""The older versions' metadata read by a second process, on a whole read of a long history.

The replay asks for each version's metadata (its front matter and title) as it goes, oldest
first (``raw.Metas``). At 10,000 commits that is about 16,000 blobs, 150 MB of text from ``git
cat-file``, and reading, decoding and parsing them took the replay's one Python thread about
0.4 s of a 2 s first read while the machine's second core sat half idle. Here another Python
process reads and parses them while the replay runs and hands over only what it found (most
versions of a chapter share their front matter, so a few bytes each).

The worker is this same code (``python -I``, with this package's folder first on its path, so
neither the current folder nor the environment can put other code in its place) and reads
with the same ``GitRepo``. It is used for a whole read of at least ``FROM`` versions, on a
machine with two cores or more, and never for a partial clone (whose fetching is its reader's
own). Anything unexpected (the worker cannot start, stops, answers out of turn or in a shape not
understood) and this process reads what is left itself, as it would have without a worker: the
answers are the same, and so are git's errors. The first ``HEAD_START`` versions are read here
while the worker starts.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import fields
from datetime import date
from pathlib import Path

from tracker.history.documents import MAX_BYTES, DocMeta, parse_document
from tracker.repository.process import Process, Watchdog, git_timeout, kill, start_python
from tracker.repository.read import GitRepo

FROM = 2_000  # versions to read, at least, for a worker to be worth starting
HEAD_START = 500  # read here first, while the worker starts (it takes about 0.1 s)
_BATCH = 256  # versions a message
_FIELDS = tuple(f.name for f in fields(DocMeta))
_DUE = _FIELDS.index("review_due")  # the one field marshal cannot carry as it is (a date)
_PACKAGE = str(Path(__file__).resolve().parent.parent.parent)  # the folder holding tracker/
_MAIN = "import sys; sys.path.insert(0, sys.argv[1]); from tracker.index.worker import main; main()"


def metas(repo: GitRepo, shas: list[str], whole: set[str]) -> Iterator[tuple[str, DocMeta]]:
    """The metadata of these blobs, in their order (``whole``: those read with their links and
    heading ids), by a worker when it is worth one."""
    done = 0
    worker = _Worker.start(repo, shas[HEAD_START:], whole) if _worth(repo, shas) else None
    if worker is not None:
        try:
            for sha, data in repo.read_blobs(shas[:HEAD_START], MAX_BYTES):
                yield sha, parse_document(data, sha in whole)
                done += 1
            for sha, meta in worker.answers():
                if sha != shas[done]:
                    break  # out of turn: what is left is read here
                yield sha, meta
                done += 1
        finally:
            worker.close()
    for sha, data in repo.read_blobs(shas[done:], MAX_BYTES):
        yield sha, parse_document(data, sha in whole)


def _worth(repo: GitRepo, shas: list[str]) -> bool:
    if len(shas) < FROM or repo.partial:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # (not on every system)
        return (os.cpu_count() or 1) > 1


class _Worker:
    """A worker process reading blobs' metadata; ``answers`` until it ends or goes wrong."""

    def __init__(self, proc: Process, sender: threading.Thread) -> None:
        self._proc, self._sender = proc, sender
        # (judged on how long it takes to answer, not on how long the replay takes between)
        self._watchdog = Watchdog(proc, git_timeout(), watching=False)

    @classmethod
    def start(cls, repo: GitRepo, shas: list[str], whole: set[str]) -> _Worker | None:
        # (its messages are not read: what went wrong is met again here, and said)
        proc = start_python(["-c", _MAIN, _PACKAGE, str(repo.work_tree or repo.git_dir)])
        if proc is None:
            return None
        asked = "".join(f"{sha} {int(sha in whole)}\n" for sha in shas).encode()
        sender = threading.Thread(target=_send, args=(proc, asked), daemon=True)
        sender.start()
        return cls(proc, sender)

    def answers(self) -> Iterator[tuple[str, DocMeta]]:
        """What the worker found, as it comes; ends early (quietly) if anything is amiss."""
        made: dict[tuple[object, ...], DocMeta] = {}  # (versions alike share one, as here)
        assert self._proc.stdout is not None
        while True:
            self._watchdog.watch(True)
            try:
                batch = marshal.load(self._proc.stdout)  # noqa: S302 (our worker, our pipe)
            except (EOFError, ValueError, TypeError, OSError):
                return
            finally:
                self._watchdog.watch(False)
            if not isinstance(batch, list) or not batch:
                return
            for item in batch:
                found = _meta(item, made)
                if found is None:
                    return
                yield found

    def close(self) -> None:
        """Stop the worker (done or not) and what it started."""
        kill(self._proc)
        self._sender.join()  # (its writing fails at once if the worker is gone)
        self._watchdog.stop()
        if self._proc.stdout is not None:
            with contextlib.suppress(OSError):
                self._proc.stdout.close()
        self._proc.wait()


def _send(proc: Process, asked: bytes) -> None:
    """Ask for the blobs (a thread's work: the worker reads them all before it answers, and
    the pipe holds far less)."""
    assert proc.stdin is not None
    with contextlib.suppress(OSError, ValueError):  # (a worker that stopped)
        proc.stdin.write(asked)
    with contextlib.suppress(OSError, ValueError):
        proc.stdin.close()


def _plain(meta: DocMeta) -> tuple[object, ...]:
    values = [getattr(meta, name) for name in _FIELDS]
    due = values[_DUE]
    values[_DUE] = due.toordinal() if isinstance(due, date) else None
    return tuple(values)


def _meta(item: object, made: dict[tuple[object, ...], DocMeta]) -> tuple[str, DocMeta] | None:
    """A (sha, values) the worker sent, as a DocMeta (None: not in the shape it sends)."""
    if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
        return None
    sha, values = item
    if not (isinstance(values, tuple) and len(values) == len(_FIELDS)):
        return None
    found = made.get(values)
    if found is None:
        due = values[_DUE]
        if due is not None and not isinstance(due, int):
            return None
        shown = list(values)
        shown[_DUE] = None if due is None else date.fromordinal(due)
        found = made[values] = DocMeta(*shown)
    return sha, found


def main() -> None:
    """The worker: blob ids (each with 1 to read it whole) on stdin, their metadata on stdout."""
    asked = [line.split() for line in sys.stdin.buffer.read().decode().splitlines()]
    shas, whole = [sha for sha, _ in asked], {sha for sha, flag in asked if flag == "1"}
    out = sys.stdout.buffer
    batch: list[tuple[str, tuple[object, ...]]] = []
    repo = GitRepo(sys.argv[2])
    try:
        for sha, data in repo.read_blobs(shas, MAX_BYTES):
            batch.append((sha, _plain(parse_document(data, sha in whole))))
            if len(batch) == _BATCH:
                marshal.dump(batch, out)
                out.flush()
                batch = []
        if batch:
            marshal.dump(batch, out)
        out.flush()
    finally:
        repo.close()
