"""The history as git holds it, read for the rules: the commits touching the manual (children
first) and the metadata of each version the rules replay.

Nothing here is kept between runs: what the rules derive from it is (``derived.py``), and a
new commit reads only the commits its head has that the kept head has not. Git stays the only
source of truth. (Until issue 8's fourth round the commits and metadata were kept too, in a
"raw index" beside the derived one: it spared reading git again when ``manual.toml`` changed,
and cost every first read about a quarter of a second; see docs/performance.md.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from tracker.errors import RepositoryError
from tracker.history.documents import MAX_BYTES, DocMeta, parse_document
from tracker.repository.parse import Change, RawCommit, first_parent_line
from tracker.repository.paths import Root
from tracker.repository.read import GitRepo


class DocumentTest(Protocol):
    """Tells which paths under the root are documents (the Config does)."""

    def is_document(self, relative_path: str) -> bool:
        """Whether a path under the root is a document."""


class Metas(dict[str, DocMeta]):
    """Each version's metadata by blob id, parsed as git's answers arrive: the replay asks for
    them in the order git is reading them (oldest first), so it runs while git reads ahead
    (on a first read, Python's replay would otherwise wait for the last blob). Only ``get``
    and ``[]`` read on: ``in``, ``len`` and iterating see what has been read so far. ``close``
    when done: what was never asked for is not read."""

    def __init__(
        self,
        known: dict[str, DocMeta],
        reads: Iterator[tuple[str, bytes | None]] | None = None,
        coming: Iterable[str] = (),
        whole: set[str] | None = None,
    ) -> None:
        super().__init__(known)
        self._reads = reads if reads is not None else iter(())
        self._coming, self._whole = set(coming) - known.keys(), whole

    def get(self, sha: str, default: DocMeta | None = None) -> DocMeta | None:  # type: ignore[override]
        found = dict.get(self, sha)
        if found is None and sha in self._coming:
            found = self._until(sha)
        return default if found is None else found

    def __missing__(self, sha: str) -> DocMeta:
        found = self._until(sha) if sha in self._coming else None
        if found is None:
            raise KeyError(sha)
        return found

    def _until(self, wanted: str) -> DocMeta | None:
        whole, found = self._whole, None
        for sha, data in self._reads:
            self._coming.discard(sha)
            meta = self[sha] = parse_document(data, whole is None or sha in whole)
            if sha == wanted:
                found = meta
                break
        if not self._coming:
            self.close()  # the last one read: git's process is ended now, not when done
        return found

    def close(self) -> None:
        """Stop reading from git (a generator's ``close``: its process ends)."""
        closing = getattr(self._reads, "close", None)
        if closing is not None:
            closing()


@dataclass(frozen=True)
class RawHistory:
    """The history as git gives it: commits children-first, blob metadata by id."""

    commits: Mapping[str, RawCommit]
    metas: Metas
    # The settings file as each first-parent commit that changed it left it, oldest first
    # (None: removed; an error: git lacks it), read only when a ``settings`` path is given.
    settings: tuple[tuple[str, bytes | RepositoryError | None], ...] = ()


def load(
    repo: GitRepo,
    head: str,
    root: Root,
    wanted: DocumentTest,
    since: str | None = None,
    settings: str | None = None,
) -> RawHistory:
    """The history up to ``head``; with ``since`` (an ancestor of ``head``: the caller has asked
    git), only the commits ``head`` has that ``since`` has not, and their documents' metadata;
    with ``settings`` (the settings file's path), that file as each commit that changed it
    left it (a few, read one by one: the release rules in force when each change was made).

    Only the versions the rules replay are read: the document blobs of the commits on the
    first-parent line (a merge's changes are against its first parent). Those in the head's
    tree (the newest versions) are read whole, with their links and heading ids
    (``parse_document``), and first. The rest is read as the replay asks for it (``Metas``),
    oldest first; or now, newest first, where a head's text cannot be read (binary, too large:
    the text before it stays in force, and is read whole too). (A partial clone's reader
    fetches what it lacks before it reads: see ``GitRepo.read_blobs``.)
    """
    new = _under_root(repo.log(head, exclude=since, folder=root.folder), root)
    commits = {commit.sha: commit for commit in new}
    line = first_parent_line(commits, head)
    if since is not None and not (line and commits[line[0]].parents[:1] == (since,)):
        return RawHistory(commits, Metas({}))  # not a continuation (the kept head was merged
        # in): the builder refuses it before asking for anything, and the whole is read
    kept = _settings(repo, (commits[sha] for sha in line), settings) if settings else ()
    whole = _at_head(repo, head, root, commits, since)
    order = list(dict.fromkeys(_document_blobs((commits[sha] for sha in line), root, wanted)))
    first = order if whole is None else [sha for sha in reversed(order) if sha in whole]
    metas = {sha: parse_document(data) for sha, data in repo.read_blobs(first, MAX_BYTES)}
    if whole is None:
        return RawHistory(commits, Metas(metas), kept)
    if not any(meta.unreadable for meta in metas.values()):
        rest = [sha for sha in order if sha not in metas]
        return RawHistory(
            commits, Metas(metas, repo.read_blobs(rest, MAX_BYTES), rest, whole), kept
        )
    rest = [sha for sha in reversed(order) if sha not in metas]  # (newest first, as the log)
    for sha, data in repo.read_blobs(rest, MAX_BYTES):
        metas[sha] = parse_document(data, False)
    line_commits = [commits[sha] for sha in reversed(line)]
    again = _in_force_instead(line_commits, whole, metas)
    for sha, data in repo.read_blobs(again, MAX_BYTES):
        metas[sha] = parse_document(data)
    return RawHistory(commits, Metas(metas), kept)


def _settings(
    repo: GitRepo, line: Iterable[RawCommit], path: str
) -> tuple[tuple[str, bytes | RepositoryError | None], ...]:
    """The settings file as each commit of the first-parent line (oldest first) that changed
    it left it: its bytes, None where it was removed (or moved away), or why it cannot be read
    (fetched first in a partial clone, with the long-lived reader when they are few)."""
    changed: list[tuple[str, str | None]] = []
    for commit in line:
        touched, left = False, None
        for change in commit.changes:
            if change.new_path == path and change.new_blob:
                touched, left = True, change.new_blob
            elif change.old_path == path and change.new_path != path:
                touched = True
        if touched:
            changed.append((commit.sha, left))
    read = dict(repo.read_blobs({blob for _, blob in changed if blob}, MAX_BYTES))
    found: list[tuple[str, bytes | RepositoryError | None]] = []
    for sha, blob in changed:
        data = read.get(blob) if blob else None
        if blob and (data is None or len(data) > MAX_BYTES):  # (a partial clone's remote may
            found.append((sha, RepositoryError(  # lack it: the rules before it stay, said so)
                f"git lacks its contents, {blob[:12]}" if data is None else "it is too large"
            )))  # fmt: skip
        else:
            found.append((sha, data))
    return tuple(found)


def _under_root(commits: list[RawCommit], root: Root) -> list[RawCommit]:
    """The commits with only their changes under the root (git's log was of the root only,
    but a rename into or out of it names a path outside)."""
    prefix = root.prefix
    for position, commit in enumerate(commits):
        if not all(_under(c, prefix) for c in commit.changes):
            changes = tuple(c for c in commit.changes if _under(c, prefix))
            commits[position] = replace(commit, changes=changes)
    return commits


def _at_head(
    repo: GitRepo, head: str, root: Root, commits: Mapping[str, RawCommit], known: str | None
) -> set[str] | None:
    """The blobs to read whole: at least every blob of the head's tree (None: every blob).

    When ``known`` (whose tree was read whole) is given, the head goes on from it along its
    first-parent line (``load`` has checked): the head's tree is its tree changed by the new
    commits, whose blobs are enough. Otherwise (a first read) git lists the head's tree.
    """
    if known is not None:
        new = commits.values()
        return {change.new_blob for commit in new for change in commit.changes if change.new_blob}
    try:
        return {blob for _, blob in repo.list_files(head, root.folder)}
    except RepositoryError:
        return None


def _in_force_instead(
    new: list[RawCommit], whole: set[str], metas: Mapping[str, DocMeta]
) -> list[str]:
    """Blobs read in part that are a document's newest readable text: where the head's file
    cannot be read (not UTF-8, too large), the text before it stays in force, and its links and
    heading ids are what the checks read. A file moved while it could not be read is followed
    to its path before the move."""
    unreadable: set[str] = set()  # paths whose newer text cannot be read
    found = []
    for commit in new:  # children first: the newest text of a path comes first
        for change in commit.changes:
            blob, path = change.new_blob, change.new_path
            meta = metas.get(blob or "")
            if blob is None or path is None or meta is None:
                continue
            if meta.unreadable is not None and (blob in whole or path in unreadable):
                unreadable.add(path)
                if change.old_path is not None:  # (moved: its text before is the same file's)
                    unreadable.add(change.old_path)
            elif path in unreadable:
                unreadable.discard(path)
                if blob not in whole:
                    found.append(blob)
    return found


def _under(change: Change, prefix: str) -> bool:
    """Whether either side of a change is under the root (``prefix``: ``Root.prefix``)."""
    old, new = change.old_path, change.new_path
    return (old is not None and old.startswith(prefix)) or (
        new is not None and new.startswith(prefix)
    )


def _is_document(change: Change, root: Root, wanted: DocumentTest) -> bool:
    """Whether the change's new file is a document under the root."""
    relative = root.relative(change.new_path)
    return relative is not None and wanted.is_document(relative)


def _document_blobs(commits: Iterable[RawCommit], root: Root, wanted: DocumentTest) -> list[str]:
    """The blobs of the document versions the commits make, in their order (each path is
    asked about once: a first read asks of some 30,000 changes, over a few hundred paths)."""
    answers: dict[str, bool] = {}
    found = []
    for commit in commits:
        for change in commit.changes:
            blob, path = change.new_blob, change.new_path
            if blob and path is not None:
                known = answers.get(path)
                if known is None:
                    known = answers[path] = _is_document(change, root, wanted)
                if known:
                    found.append(blob)
    return found
