"""Reading a repository: the only module that runs git to read. Refs and paths are validated
(``paths``) before git sees them; what git prints is parsed by ``parse``.

Reading uses a few streaming processes: one ``git log --raw -z`` over the whole history and one
``git cat-file --batch`` fed blob ids in the order the log met them (newest first), which keeps
git's delta-base cache warm.
"""

from __future__ import annotations

import re
import subprocess
import threading
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from tracker.errors import NotFoundError, RefError, RepositoryError
from tracker.repository.parse import RawCommit, nul_tokens, parse_log
from tracker.repository.paths import check_path, check_ref

_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
# Settings that would change what log prints are pinned, whatever the user's git config says.
_PINNED = [
    *("-c", "core.quotePath=false", "-c", "log.showSignature=false", "-c", "diff.renames=true"),
    *("-c", "log.showRoot=true", "-c", "i18n.logOutputEncoding=UTF-8"),
]
_LOG_FORMAT = "%x1e%H%x00%P%x00%ct%x00%an%x00%s%x00%(trailers:only,unfold)%x00%b%x00"


class GitRepo:
    """A repository opened for reading (bare or not)."""

    def __init__(self, path: str | Path) -> None:
        location = Path(path)
        if not location.exists():
            raise RepositoryError(f"The folder {str(path)!r} does not exist.")
        try:
            self._repo = git.Repo(location, search_parent_directories=True)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise RepositoryError(f"The folder {str(path)!r} is not a git repository.") from None
        self.git_dir = Path(self._repo.git_dir)
        tree = self._repo.working_tree_dir
        self.work_tree = Path(tree) if tree is not None else None  # None: a bare repository
        self._reader: _Batch | None = None
        self._reader_lock = threading.Lock()

    def close(self) -> None:
        """Stop the persistent git processes."""
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        self._repo.close()

    def _run(self, *args: str) -> str:
        try:
            return str(self._repo.git.execute(["git", *_PINNED, *args]))
        except GitCommandError as error:
            raise RepositoryError(_one_line(error)) from None

    def resolve(self, ref: str) -> str:
        """The commit id a validated revision names."""
        check_ref(ref)
        try:
            out = self._repo.git.execute(
                ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
            )
        except GitCommandError:
            raise NotFoundError(f"{ref!r} does not name a commit in this repository.") from None
        return str(out).strip()

    def is_shallow(self) -> bool:
        """Whether the repository is a shallow clone: its history is cut short."""
        status, out, _ = self._repo.git.execute(
            ["git", "rev-parse", "--is-shallow-repository"],
            with_exceptions=False,
            with_extended_output=True,
        )
        return status == 0 and str(out).strip() == "true"

    def branch_head(self, branch: str | None) -> tuple[str, str]:
        """(ref name, commit id) of the tracked branch: ``branch`` or the current one."""
        if branch is not None:
            return branch, self.resolve(branch)
        try:
            name = str(self._repo.git.execute(["git", "symbolic-ref", "--quiet", "HEAD"])).strip()
        except GitCommandError:
            name = "HEAD"  # detached
        try:
            sha = str(self._repo.git.execute(["git", "rev-parse", "--verify", "--quiet", "HEAD"]))
        except GitCommandError as error:
            if (error.stderr or "").strip():
                raise RepositoryError(_one_line(error)) from None  # e.g. git's safe.directory
            raise RepositoryError("The repository has no commits yet.") from None
        return name.removeprefix("refs/heads/"), sha.strip()

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether ``older`` is an ancestor of ``newer`` (both validated commit ids)."""
        for sha in (older, newer):
            if not _SHA.fullmatch(sha):
                return False
        status = self._repo.git.execute(
            ["git", "merge-base", "--is-ancestor", older, newer],
            with_exceptions=False,
            with_extended_output=True,
        )
        return bool(status[0] == 0)

    def has_commit(self, sha: str) -> bool:
        """Whether the object exists and is a commit."""
        if not _SHA.fullmatch(sha):
            return False
        status = self._repo.git.execute(
            ["git", "cat-file", "-e", f"{sha}^{{commit}}"],
            with_exceptions=False,
            with_extended_output=True,
        )
        return bool(status[0] == 0)

    def log(self, head: str, exclude: str | None = None) -> Iterator[RawCommit]:
        """Every commit reachable from ``head`` (not from ``exclude``), children first."""
        args = ["git", *_PINNED, "log", "--date-order", "--raw", "-z", "-M", "--no-abbrev"]
        args += ["--no-color", "--no-ext-diff", "--diff-merges=first-parent", "--no-mailmap"]
        args += ["--encoding=UTF-8"]
        args += [f"--format={_LOG_FORMAT}", head] + ([f"^{exclude}"] if exclude else []) + ["--"]
        for sha in (head, exclude):
            if sha is not None and not _SHA.fullmatch(sha):
                raise RefError(f"{sha!r} is not a commit id.")
        process: Any = self._repo.git.execute(args, as_process=True)
        try:
            yield from parse_log(nul_tokens(process.proc.stdout))
        finally:
            _finish(process.proc, "git log")

    def read_blobs(self, shas: Iterable[str], limit: int) -> Iterator[tuple[str, bytes | None]]:
        """Contents of blobs in the order given (cut after ``limit`` + 1 bytes); None if missing."""
        wanted = [sha for sha in shas if _SHA.fullmatch(sha)]
        if not wanted:
            return
        process: Any = self._repo.git.execute(
            ["git", "cat-file", "--batch"], as_process=True, istream=subprocess.PIPE
        )
        proc = process.proc
        writer = threading.Thread(target=_feed, args=(proc.stdin, wanted), daemon=True)
        writer.start()
        try:
            for sha in wanted:
                yield sha, _read_batch_answer(proc.stdout, limit)
        finally:
            writer.join()
            _finish(proc, "git cat-file")

    def read_blob(self, sha: str) -> bytes:
        """One blob's contents; a blob the history names but git lacks is RepositoryError."""
        if not _SHA.fullmatch(sha):
            raise RefError(f"{sha!r} is not an object id.")
        data = self._batch().read(sha)
        if data is None:
            raise RepositoryError(
                f"The repository is missing the object {sha[:12]}; it may be damaged."
            )
        return data

    def read_file(self, commit: str, path: str) -> bytes | None:
        """A file's contents at a commit, or None when the commit has no such file."""
        check_path(path)
        if not _SHA.fullmatch(commit):
            raise RefError(f"{commit!r} is not a commit id.")
        return self._batch().read(f"{commit}:{path}")

    def file_size(self, commit: str, path: str) -> int | None:
        """The size in bytes of a file at a commit, without reading it; None when there is none."""
        check_path(path)
        if not _SHA.fullmatch(commit):
            raise RefError(f"{commit!r} is not a commit id.")
        status, out, _ = self._repo.git.execute(
            ["git", "cat-file", "-s", f"{commit}:{path}"],
            with_exceptions=False,
            with_extended_output=True,
        )
        return int(out) if status == 0 and str(out).strip().isdigit() else None

    def _batch(self) -> _Batch:
        with self._reader_lock:  # one long-lived reader, however many threads ask at once
            if self._reader is None:
                self._reader = _Batch(self._repo)
            return self._reader

    def list_files(self, commit: str, folder: str) -> list[tuple[str, str]]:
        """(path, blob id) of every file under ``folder`` at ``commit``."""
        check_path(folder)
        out = self._run("ls-tree", "-r", "-z", "--full-tree", commit, "--", folder + "/")
        files = []
        for record in out.split("\0"):
            if record:
                meta, _, path = record.partition("\t")
                mode, kind, blob = meta.split()
                if kind == "blob" and mode != "120000":
                    files.append((path, blob))
        return files


class _Batch:
    """One long-lived ``git cat-file --batch`` for single reads, safe to share between threads."""

    def __init__(self, repo: git.Repo) -> None:
        process: Any = repo.git.execute(
            ["git", "cat-file", "--batch"], as_process=True, istream=subprocess.PIPE
        )
        self._process = process
        self._lock = threading.Lock()
        # Closed when no longer used, even if nobody calls close().
        self._finalizer = weakref.finalize(self, _stop, process.proc)

    def read(self, name: str) -> bytes | None:
        """The contents of a blob (by id, or ``commit:path``), None when there is none."""
        proc = self._process.proc
        with self._lock:
            try:
                proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
                proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                raise RepositoryError(
                    "git cat-file stopped; the repository may be damaged."
                ) from None
            return _read_batch_answer(proc.stdout, limit=1 << 62)

    def close(self) -> None:
        self._finalizer()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    proc.wait()


def _one_line(error: GitCommandError) -> str:
    detail = str(error.stderr or "").strip().removeprefix("stderr:").strip(" '\"\n")
    if "dubious ownership" in detail:
        return (
            "git refuses to read the repository because another user owns it; add it to git's "
            "safe.directory setting."
        )
    lines = [line.strip() for line in detail.splitlines() if line.strip()]
    first = lines[0].removeprefix("fatal: ").rstrip(".") if lines else "unknown error"
    return f"git could not read the repository: {first}."


def _finish(proc: subprocess.Popen[bytes], what: str) -> None:
    for stream in (proc.stdout, proc.stdin):
        if stream is not None:
            stream.close()
    status = proc.wait()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr is not None:
        proc.stderr.close()
    if status != 0 and status != -13:  # -13: SIGPIPE after we stopped reading early
        detail = stderr.strip().splitlines()
        reason = detail[-1] if detail else f"exit status {status}"
        raise RepositoryError(f"{what} failed, the repository may be damaged: {reason}.")


def _feed(stdin: IO[bytes], shas: list[str]) -> None:
    try:
        for sha in shas:
            stdin.write(sha.encode() + b"\n")
        stdin.close()
    except (BrokenPipeError, ValueError):
        pass


def _read_batch_answer(stdout: IO[bytes], limit: int) -> bytes | None:
    header = stdout.readline()
    if not header:
        raise RepositoryError("git cat-file stopped answering, the repository may be damaged.")
    parts = header.split()
    if len(parts) < 3 or parts[1] == b"missing":
        return None
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
