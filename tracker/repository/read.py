"""Reading a repository: the only module that runs git to read. Refs and paths are validated
(``paths``) before git sees them; what git prints is parsed by ``parse``.

Reading uses a few streaming processes: one ``git log --raw -z`` over the whole history and one
``git cat-file --batch`` fed blob ids in the order the log met them (newest first), which keeps
git's delta-base cache warm. A partial clone fetches the blobs it lacks first (``fetch``).
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from tracker.errors import GitTimeout, NotFoundError, RefError, RepositoryError
from tracker.logs import Logger
from tracker.repository.paths import FILES, Listed, Modes, check_path, check_ref
from tracker.repository.process import (
    Batch,
    GitFailed,
    Watchdog,
    absent,
    batch_objects,
    finish,
    git_timeout,
    one_line,
    run_git,
    stream_blobs,
    stream_git,
    timed_out,
)
from tracker.repository.stamps import identity, ref_stamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracker.repository.fetch import Promisor
    from tracker.repository.parse import RawCommit

# What git says of a revision naming an object that is not a commit ("dereferenced": older gits).
_NOT_COMMIT = re.compile(r"expected commit type, but the object dereference\w* to (\w+) type")
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
# Settings that would change what log prints are pinned, whatever the user's git config says.
_PINNED = [
    *("-c", "core.quotePath=false", "-c", "log.showSignature=false", "-c", "diff.renames=true"),
    *("-c", "log.showRoot=true", "-c", "i18n.logOutputEncoding=UTF-8"),
]
_STOPS = 3  # git stopping this often on blobs it could not fetch: an error (they were fetched)
_FEW = 16  # blobs read one by one by the long-lived reader rather than by a process of their own
_MISSING = ("unable to read", "could not fetch", "missing blob", "bad object")
_LINK_BYTES = 4096  # the longest path a symbolic link holds: a larger blob is no link's
log = Logger(__name__)
_LOG_FORMAT = "%x1e%H%x00%P%x00%ct%x00%at%x00%an%x00%s%x00%(trailers:only,unfold)%x00%b%x00"
_LOG_FLAGS = ("--date-order", "--raw", "-z", "--no-abbrev", "--no-color", "--no-ext-diff",
              "--diff-merges=first-parent", "--no-mailmap", "--encoding=UTF-8", "--full-history",
              "--sparse", f"--format={_LOG_FORMAT}")  # fmt: skip


def _at(commit: str, path: str) -> str:
    """``commit:path`` for git, both checked (a path is never read as an option)."""
    if not _SHA.fullmatch(commit):
        raise RefError(f"{commit!r} is not a commit id.")
    return f"{commit}:{check_path(path)}"


class GitRepo:
    """A repository opened for reading (bare or not)."""

    def __init__(self, path: str | Path, once: bool = False) -> None:
        """``once``: for a command that reads the repository once, now (the command line):
        the checked-out branch and its head are asked for in the same git process as the
        folders, and given to the first ``branch_head(None)``."""
        location = Path(path)
        if not location.is_dir():
            if location.exists():
                raise RepositoryError(f"{str(path)!r} is not a folder.")
            raise RepositoryError(f"The folder {str(path)!r} does not exist.")
        asked = ["--path-format=absolute", "--git-common-dir", "--absolute-git-dir"]
        asked += ["--is-bare-repository", "--show-toplevel"]
        head = ["HEAD", "--symbolic-full-name", "HEAD", "--"] if once else []
        found = run_git(["rev-parse", *asked, *head], location, check=False)
        answer = found.stdout.splitlines()
        # (git stops at the first question it cannot answer: --show-toplevel in a bare
        # repository, HEAD in one with no commits; those ask for the head again, alone)
        self._first: tuple[str, str] | None = None
        if once and found.returncode == 0 and answer[-1:] == ["--"] and len(answer) == 7:
            self._first = (answer[5].removeprefix("refs/heads/"), answer[4])
        if len(answer) < 3 or answer[2] not in ("true", "false"):
            if "dubious ownership" in found.stderr:
                raise RepositoryError(one_line(found.stderr))
            raise RepositoryError(f"The folder {str(path)!r} is not a git repository.")
        self.common_dir, self.git_dir = Path(answer[0]), Path(answer[1])
        # None: a bare repository
        self.work_tree = Path(answer[3]) if answer[2] == "false" and len(answer) > 3 else None
        self._head: tuple[tuple[object, ...], tuple[str, str]] | None = None  # see branch_head
        self._cwd = self.work_tree or self.git_dir
        self._reader: Batch | None = None
        self._reader_of: tuple[int, int, int] | None = None  # the git folder it was started in
        self._reader_lock = threading.Lock()
        self._promisor: Promisor | None = None  # see read_blobs

    @property
    def opened_at(self) -> tuple[str, str] | None:
        """The checked-out branch and its head when a ``once`` repository was opened, until the
        first ``branch_head(None)`` takes them (None: not asked, or taken)."""
        return self._first

    def close(self) -> None:
        """Stop the persistent git processes."""
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def _run(self, *args: str) -> str:
        try:
            return self._git(*_PINNED, *args).stdout
        except GitFailed as error:
            raise RepositoryError(one_line(error.stderr)) from None

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A short git command in the repository (``process.run_git``)."""
        return run_git(list(args), self._cwd, check=check)

    def resolve(self, ref: str) -> str:
        """The commit id a validated revision names."""
        check_ref(ref)
        found = self._git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False
        )
        if found.returncode != 0:
            peeled = _NOT_COMMIT.search(found.stderr)  # (a tree's or blob's sha, or a tag of one)
            if peeled:
                raise NotFoundError(f"{ref!r} names a {peeled.group(1)}, not a commit.")
            if found.stderr.strip():
                raise RepositoryError(one_line(found.stderr))  # e.g. git's safe.directory
            raise NotFoundError(f"{ref!r} does not name a commit in this repository.")
        return found.stdout.strip()

    def shallow_cut(self) -> list[str]:
        """The commits where a shallow clone's history is cut (their parents are absent);
        empty for a whole repository."""
        if not (self.common_dir / "shallow").exists():
            return []  # git marks a shallow repository with this file: a whole one, no process
        found = self._git(
            "rev-parse", "--is-shallow-repository", "--git-path", "shallow", check=False
        )
        answer = found.stdout.splitlines()
        if found.returncode != 0 or not answer or answer[0].strip() != "true" or len(answer) < 2:
            return []
        path = Path(answer[1].strip())
        path = path if path.is_absolute() else self._cwd / path
        try:
            return [sha for sha in path.read_text().split() if _SHA.fullmatch(sha)] or ["?"]
        except OSError:
            return ["?"]  # shallow, but the file naming the cut could not be read

    def branch_head(self, branch: str | None) -> tuple[str, str]:
        """(ref name, commit id) of the tracked branch: ``branch`` or the current one.

        Asked on every web request, so the answer is kept while the files git keeps refs in
        are unchanged (git replaces a ref's file on every update: a new inode and time): a
        few ``stat`` calls instead of a process. A repository whose refs are not kept in
        files (reftable) asks git every time.
        """
        if branch is None and self._first is not None:  # asked with the folders, just now
            answer, self._first = self._first, None
            self._head = ((), answer)  # (): never matched by a stamp
            return answer
        guess = self._head[1][0] if self._head is not None else None  # the branch last seen
        stamp = ref_stamp(self.common_dir, self.git_dir, branch, guess)  # taken first:
        # an update after it changes it
        if stamp is not None and self._head is not None and self._head[0] == stamp:
            return self._head[1]
        answer = self._branch_head(branch)
        exact = stamp is not None and (branch is not None or answer[0] in (guess, "HEAD"))
        self._head = (stamp if exact and stamp else (), answer)  # (): never matched, a guess
        return answer

    def _branch_head(self, branch: str | None) -> tuple[str, str]:
        if branch is not None:  # gone (a prune, a damaged ref): the repository is at fault,
            try:  # not a request (the service answers 503, not 404)
                return branch, self.resolve(branch)
            except NotFoundError as error:
                raise RepositoryError(
                    f"The branch {branch!r} is not in this repository, or git lacks the commit "
                    "it names."
                    if "does not name" in str(error)
                    else str(error)
                ) from None
        found = self._git("rev-parse", "HEAD", "--symbolic-full-name", "HEAD", "--", check=False)
        answer = [word for word in found.stdout.split() if word != "--"]  # git echoes the "--"
        if found.returncode != 0 or len(answer) != 2:
            if "revision" in found.stderr or not found.stderr.strip():  # unknown, bad: unborn
                raise RepositoryError(self._unborn())
            raise RepositoryError(one_line(found.stderr))  # e.g. git's safe.directory
        sha, name = answer  # name: "HEAD" when detached
        return name.removeprefix("refs/heads/"), sha

    def _unborn(self) -> str:
        """What to say of a current branch with no commits (new, or 'checkout --orphan')."""
        found = self._git("symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
        others = self._git("for-each-ref", "--count=1", "refs/heads/", check=False).stdout
        if found and others.strip():
            return (
                f"The current branch {found!r} has no commits yet; commit to it, or name a "
                "branch that has them with --branch."
            )
        return "The repository has no commits yet."

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether ``older`` is an ancestor of ``newer`` (both validated commit ids)."""
        for sha in (older, newer):
            if not _SHA.fullmatch(sha):
                return False
        return self._git("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0

    def changed_path(self, head: str, path: str, limit: int) -> list[list[str]]:
        """[commit, its first parent ("" for none)] of the newest ``limit`` commits of
        ``head``'s first-parent line that changed a file, newest first."""
        args = [*_PINNED, "log", "--first-parent", f"-n{limit}", "--format=%H %P"]
        found = self._git(*args, self.resolve(head), "--", ":(top,literal)" + check_path(path))
        return [[*line.split(), ""][:2] for line in found.stdout.splitlines() if line]

    def log(self, head: str, exclude: str | None = None, folder: str = "") -> list[RawCommit]:
        """Every commit reachable from ``head`` (not from ``exclude``), children first.

        With a ``folder``, every commit is still listed, but only the changes inside it: git
        then never reads (nor compares, for renames) files elsewhere in the repository, so
        objects missing outside the manual cannot stop it. When objects inside it are missing,
        git cannot compare files to pair a rename: the log is read again without renames, and
        that is said.
        """
        for sha in (head, exclude):
            if sha is not None and not _SHA.fullmatch(sha):
                raise RefError(f"{sha!r} is not a commit id.")
        args = [*_LOG_FLAGS, head]
        args += [f"^{exclude}"] if exclude else []
        args += ["--", ":(top,literal)" + check_path(folder) + "/"] if folder else ["--"]
        try:
            return list(self._log(["-M", *args]))
        except GitTimeout:
            raise
        except RepositoryError as error:
            if not any(word in str(error) for word in _MISSING):
                raise
            log.warning(
                "git cannot compare files to follow renames, because objects are missing (%s); "
                "a chapter moved without an explicit id shows as withdrawn and added again.",
                str(error).rstrip("."),
            )
            return list(self._log(["--no-renames", *args]))

    def _log(self, args: list[str]) -> Iterator[RawCommit]:
        from tracker.repository.parse import nul_tokens, parse_log  # (not for a warm command)

        proc = stream_git([*_PINNED, "log", *args], self._cwd)
        assert proc.stdout is not None
        watchdog = Watchdog(proc, git_timeout())
        try:
            yield from parse_log(nul_tokens(proc.stdout, watchdog.progress))
        except RepositoryError:
            if watchdog.fired:
                raise timed_out("git log", watchdog.seconds) from None
            raise
        finally:
            finish(proc, "git log", watchdog)

    def read_blobs(self, shas: Iterable[str], limit: int) -> Iterator[tuple[str, bytes | None]]:
        """Contents of blobs in the order given (cut after ``limit`` + 1 bytes); None if missing.

        A partial clone first fetches the blobs it lacks, in batches; those its remote lacks or
        cannot send are passed over as missing, and said (``fetch.Promisor``). Should git still
        stop on a blob it cannot fetch, that blob is passed over too, a few times at most.
        """
        wanted = [sha for sha in shas if _SHA.fullmatch(sha)]
        absent = self.lacking(wanted) if self.partial else set()
        if len(wanted) <= _FEW:  # a new commit's: the long-lived reader, with no new process
            try:
                found = [(sha, None if sha in absent else self._read_one(sha, limit))
                         for sha in wanted]  # fmt: skip
            except GitTimeout:
                raise
            except RepositoryError:
                pass  # it stopped (git could not fetch a blob): read as below, which goes on
            else:
                yield from found
                return
        stops = 0
        done = 0
        while done < len(wanted):
            rest = wanted[done:]
            reads = stream_blobs(self._cwd, [sha for sha in rest if sha not in absent], limit)
            try:
                for sha in rest:
                    data = None if sha in absent else next(reads)[1]
                    done += 1
                    yield sha, data
            except GitTimeout:
                raise
            except RepositoryError:
                stops += 1
                if stops > _STOPS or done >= len(wanted):
                    raise
                absent.add(wanted[done])  # the blob git stopped on
            finally:
                reads.close()

    @property
    def partial(self) -> bool:
        """Whether the repository is a partial clone, whose blobs may have to be fetched."""
        from tracker.repository.fetch import is_partial  # (not for a warm command)

        return is_partial(self.common_dir)

    def remote_reached(self) -> bool:
        """A fetch from the remote has just worked: a partial clone asks it for texts again at
        once. Whether texts had been left out because it could not be reached (then a snapshot
        read since lacks them: read it again)."""
        with self._reader_lock:
            promisor = self._promisor
        return promisor is not None and promisor.reached()

    def texts_may_come(self) -> bool:
        """Whether texts a partial clone left out because its remote could not be reached may
        be fetched now (it is asked again five minutes after it failed)."""
        with self._reader_lock:
            promisor = self._promisor
        return promisor is not None and promisor.may_come()

    def lacking(self, shas: list[str]) -> set[str]:
        """The blobs of these git has not; a partial clone's are fetched first (``Promisor``)."""
        from tracker.repository.fetch import Promisor

        if not self.partial:
            return absent(self._cwd, shas)
        with self._reader_lock:
            self._promisor = self._promisor or Promisor(self._cwd)
        return self._promisor.unfetchable(shas)

    def read_blob(self, sha: str) -> bytes:
        """One blob's contents; a blob the history names but git lacks is RepositoryError."""
        if not _SHA.fullmatch(sha):
            raise RefError(f"{sha!r} is not an object id.")
        data = self._read_one(sha)
        if data is None:
            raise RepositoryError(
                f"The repository is missing the object {sha[:12]}; it may be damaged."
            )
        return data

    def read_file(self, commit: str, path: str) -> bytes | None:
        """A file's contents at a commit, or None when the commit has no such file."""
        return self._read_one(_at(commit, path))

    def file_objects(self, files: Iterable[tuple[str, str]]) -> list[tuple[str, int] | None]:
        """The blob id and size of each file (commit, path), without reading it; None: none,
        or no file but a symbolic link (whose blob is the path it points to) or a submodule."""
        asked = list(files)
        objects = batch_objects(self._cwd, [_at(commit, path) for commit, path in asked])
        found: dict[str, list[str]] = {}  # (commit -> the paths that may be links there)
        for (commit, path), blob in zip(asked, objects, strict=True):
            if blob is not None and blob[1] <= _LINK_BYTES:
                found.setdefault(commit, []).append(path)
        links = {(commit, path) for commit, paths in found.items()
                 for path in set(paths) - self._plain_files(commit, paths)}  # fmt: skip
        return [None if (commit, path) in links else blob
                for (commit, path), blob in zip(asked, objects, strict=True)]  # fmt: skip

    def _read_one(self, name: str, limit: int = 1 << 62) -> bytes | None:
        reader, started_in = self._long_lived()
        found = self._read_with(reader, name, limit)
        if found is None and identity(self.git_dir) != started_in:
            # The git folder changed since the reader started: perhaps the repository was
            # replaced at its path (deleted and cloned again while a service ran), and a reader
            # started in the old one looks for objects there, so that every text of the new
            # one read as missing until a restart. Ask a new reader (the old one is dropped,
            # not closed: another thread may be reading with it; it stops when none is).
            with self._reader_lock:
                if self._reader is reader:
                    self._reader = None
            reader, _ = self._long_lived()
            found = self._read_with(reader, name, limit)
        return found

    def _long_lived(self) -> tuple[Batch, tuple[int, int, int] | None]:
        """The long-lived reader (one, however many threads ask at once), and which git folder
        it was started in."""
        with self._reader_lock:
            if self._reader is None:
                self._reader, self._reader_of = Batch(self._cwd), identity(self.git_dir)
            return self._reader, self._reader_of

    def _read_with(self, reader: Batch, name: str, limit: int) -> bytes | None:
        try:
            return reader.read(name, limit)
        except RepositoryError:
            with self._reader_lock:  # it stopped: the next read starts a new one
                if self._reader is reader:
                    self._reader = None
            reader.close()
            raise

    def _plain_files(self, commit: str, paths: list[str]) -> set[str]:
        """Those of ``paths`` that are files at ``commit`` (from one ``git ls-tree``)."""
        named = [f":(literal){check_path(path)}" for path in dict.fromkeys(paths)]
        return {path for path, _ in self._files(commit, named)}

    def list_files(self, commit: str, folder: str, modes: Modes = FILES) -> Listed:
        """Each entry of ``modes`` under ``folder`` (``""``: the whole tree) at ``commit``."""
        return self._files(commit, [check_path(folder) + "/"] if folder else [], "-r", modes=modes)

    def _files(self, commit: str, named: list[str], *flags: str, modes: Modes = FILES) -> Listed:
        """(path, object id) of each entry ``git ls-tree`` lists of ``modes`` (files: no link)."""
        if not _SHA.fullmatch(commit):
            raise RefError(f"{commit!r} is not a commit id.")
        out = self._run("ls-tree", *flags, "-z", "--full-tree", commit, "--", *named)
        listed = (record.partition("\t") for record in out.split("\0") if record)
        return [(path, meta.split()[2]) for meta, _, path in listed if meta[:6] in modes]
