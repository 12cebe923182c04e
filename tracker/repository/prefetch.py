"""Reading blobs while the log that names them is still being read.

A first read lists every commit (``git log``), then reads every version's blob (``git cat-file
--batch``). Run one after the other, Python waited for each git in turn. Here the cat-file
starts with the log: it is fed each blob id as the log's parser meets it (newest first, as
``read_blobs`` would be fed), and a thread drains its answers into memory, up to a budget of
bytes, so that git reads blobs on the other core while Python is still parsing the log.

The answers are handed out only for the very order they were asked in; anything else (the
log read again without renames, say), or a cat-file that stopped (a partial clone's fetch),
goes back to ``GitRepo.read_blobs``, which knows how to go on after a blob git lacks.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from tracker.errors import RepositoryError
from tracker.repository.process import (
    Watchdog,
    abandon,
    finish,
    git_timeout,
    stream_git,
    timed_out,
)

Reads = Iterator[tuple[str, bytes | None]]
BUDGET = 8 << 20  # bytes of answers held before the thread stops draining (and git waits)
_END = object()  # the answers are over: all given, or git stopped


class Prefetch:
    """A ``git cat-file --batch`` fed blob ids as they are found; a context manager."""

    def __init__(
        self, cwd: Path, limit: int, fallback: Callable[[list[str]], Reads], budget: int = BUDGET
    ) -> None:
        self.order: list[str] = []  # the ids asked, in order, each once
        self._seen: set[str] = set()
        self._limit, self._fallback, self._budget = limit, fallback, budget
        self._ids: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._answers: deque[object] = deque()  # bytes, None (missing), then _END
        self._held = 0
        self._asked_all = False
        self._stopped = False
        self._failed = False  # git stopped before every answer was given
        self._behind = False  # the answers held are over the budget: git is kept waiting
        self._taken_all = False  # ``reads`` gave every answer asked for
        self._ready = threading.Condition()
        self._proc = stream_git(["cat-file", "--batch"], cwd, stdin=True)
        self._watchdog = Watchdog(self._proc, git_timeout())
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._writer.start()
        self._reader.start()

    def want(self, sha: str) -> None:
        """Ask for a blob (once: an id asked before is passed over)."""
        if sha not in self._seen:
            self._seen.add(sha)
            self.order.append(sha)
            self._ids.put(sha)

    def asked_all(self) -> None:
        """No more ids will be asked for."""
        with self._ready:
            self._asked_all = True
            self._ready.notify_all()
        self._ids.put(None)

    def reads(self, shas: list[str]) -> Reads:
        """``GitRepo.read_blobs(shas)``: from what was read ahead when ``shas`` is the order
        asked for; otherwise, and from a blob git stopped on, by ``read_blobs`` itself."""
        if shas != self.order:
            self.close()
            yield from self._fallback(shas)
            return
        for position, sha in enumerate(shas):
            try:
                data = self._next()
            except RepositoryError:
                self.close()
                if self._watchdog.fired:
                    raise timed_out("git cat-file", self._watchdog.seconds) from None
                yield from self._fallback(shas[position:])
                return
            yield sha, data
        self._taken_all = True
        self.close()

    def _next(self) -> bytes | None:
        with self._ready:
            while not self._answers:
                self._ready.wait()
            answer = self._answers.popleft()
            if answer is _END:
                self._answers.appendleft(_END)
                raise RepositoryError("git cat-file stopped answering.")
            assert answer is None or isinstance(answer, bytes)
            self._held -= len(answer or b"")
            self._ready.notify_all()
            return answer

    def _write(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        with contextlib.suppress(OSError, ValueError):  # git stopped, or it was stopped
            while (sha := self._ids.get()) is not None:
                with self._ready:  # (before it is sent: the answer may come back at once)
                    self._watchdog.watch(not self._behind)  # an answer is owed: git is timed
                stdin.write(sha.encode() + b"\n")
                if self._ids.empty():
                    stdin.flush()  # git waits for whole lines: what is known is sent at once
            stdin.close()

    def _drain(self) -> None:
        """Take git's answers a chunk at a time (a lock and a switch of threads per chunk,
        not per blob: most chunks hold dozens of blobs), and hand them over parsed."""
        stdout = self._proc.stdout
        assert stdout is not None
        read: Callable[[int], bytes] = getattr(stdout, "read1", stdout.read)
        answers = _Answers(self._limit)
        try:
            while True:
                with self._ready:
                    while self._held > self._budget and not self._stopped:
                        self._behind = True  # Python is behind, not git: git is not timed
                        self._watchdog.watch(False)
                        self._ready.wait()
                    self._behind = False
                    if self._stopped or (self._asked_all and answers.count == len(self.order)):
                        return
                    # Git is timed only while it owes an answer, not while the log finds ids.
                    self._watchdog.watch(answers.count < len(self.order))
                chunk = read(1 << 20)  # (waits for git, not for the lock)
                if not chunk:
                    break
                found = answers.parse(chunk)
                with self._ready:
                    self._answers.extend(found)
                    self._held += sum(len(data or b"") for data in found)
                    self._ready.notify_all()
            with self._ready:  # git's input closed after the last answer: the normal end
                over = self._asked_all and answers.count == len(self.order)
            if not over:
                self._failed = True
        except (OSError, ValueError):
            self._failed = True
        finally:
            with self._ready:
                self._answers.append(_END)
                self._ready.notify_all()

    def close(self) -> None:
        """Stop git and the threads (at once, unless every answer was taken)."""
        with self._ready:
            if self._stopped:
                return
            self._stopped = True
            self._ready.notify_all()
        self._ids.put(None)  # (the writer ends at the first None it takes)
        if self._taken_all and not self._failed:
            self._writer.join()  # it closes git's input: git ends, and the reader with it
            self._reader.join()
            finish(self._proc, "git cat-file", self._watchdog)
        else:
            with contextlib.suppress(RepositoryError):  # a timeout is said by ``reads``
                abandon(self._proc, "git cat-file", self._watchdog, self._writer)
            self._reader.join()

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class _Answers:
    """``git cat-file --batch`` output parsed as it comes, in chunks that may end anywhere:
    "<id> blob <size>\\n<contents>\\n" (contents cut after ``limit`` + 1 bytes, as
    ``read_batch_answer`` cuts them), or "<id> missing\\n" (None)."""

    def __init__(self, limit: int) -> None:
        self.count = 0  # answers parsed whole
        self._keep = limit + 1
        self._head = b""  # the start of a header line
        self._left = -1  # bytes of contents (and their newline) still to come; -1: a header
        self._wanted = 0  # of which to keep
        self._blob = False
        self._parts: list[bytes] = []

    def parse(self, chunk: bytes) -> list[bytes | None]:
        found: list[bytes | None] = []
        at, end = 0, len(chunk)
        while at < end:
            if self._left < 0:
                line = chunk.find(b"\n", at)
                if line < 0:
                    self._head += chunk[at:]
                    break
                fields = (self._head + chunk[at:line]).split()
                self._head, at = b"", line + 1
                if len(fields) < 3 or fields[1] == b"missing":
                    found.append(None)
                    continue
                size = int(fields[2])
                self._left, self._wanted, self._blob = (
                    size + 1,
                    min(size, self._keep),
                    fields[1] == b"blob",
                )
                self._parts = []
            take = min(self._left, end - at)
            if self._wanted:
                piece = chunk[at : at + min(take, self._wanted)]
                self._parts.append(piece)
                self._wanted -= len(piece)
            at += take
            self._left -= take
            if self._left == 0:
                self._left = -1
                found.append(b"".join(self._parts) if self._blob else None)
        self.count += len(found)
        return found
