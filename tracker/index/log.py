"""The derived index: the parsed git log and each blob's metadata, kept in SQLite.

It lives in ``<git dir>/tracker/`` (or ``$TRACKER_CACHE_DIR``), is brought up to date
incrementally when the branch moves forward, and is rebuilt from git whenever the branch was
rewritten or the file is damaged. Git stays the only source of truth.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from tracker.errors import RepositoryError
from tracker.history.documents import MAX_BYTES, MISSING, DocMeta, parse_document
from tracker.index.fingerprint import parser
from tracker.index.store import RAW_SCHEMA, busy, cache_folder, connect, digest, remove, unwritable
from tracker.repository.parse import Change, RawCommit
from tracker.repository.paths import Root
from tracker.repository.read import LOG_SIGNATURE, GitRepo

log = logging.getLogger(__name__)

# Bumped (in store.py: the derived file names it too) when the stored shape or the meaning
# of parsed metadata changes: old indexes rebuild.
SCHEMA_VERSION = RAW_SCHEMA
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commits (
    seq INTEGER PRIMARY KEY, sha TEXT UNIQUE NOT NULL, parents TEXT NOT NULL,
    timestamp INTEGER NOT NULL, author TEXT NOT NULL, subject TEXT NOT NULL,
    trailers TEXT NOT NULL, changes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (
    sha TEXT PRIMARY KEY, meta TEXT NOT NULL, whole INTEGER NOT NULL, missing INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS lacking ON blobs (missing) WHERE missing = 1;
"""
# ``whole``: 0 when the blob's links and heading ids were left out (``parse_document``); only
# a document's newest version keeps them, and every blob in the head's tree is read whole.
# ``missing``: 1 when git lacked the blob (read again each time, found through ``lacking``).


class DocumentTest(Protocol):
    """Tells which paths under the root are documents (the Config does)."""

    @property
    def document_signature(self) -> str:
        """Names the rule, so that the index is rebuilt when it changes."""

    def is_document(self, relative_path: str) -> bool:
        """Whether a path under the root is a document."""


@dataclass(frozen=True)
class RawHistory:
    """The history as the index holds it: commits children-first, blob metadata by id."""

    commits: Mapping[str, RawCommit]
    metas: Mapping[str, DocMeta]


def index_path(repo: GitRepo, branch: str, root: Root) -> Path:
    """Where the index of one branch and root lives."""
    return cache_folder(repo) / f"index-{digest(branch + chr(0) + root.folder)}.sqlite"


def load(
    repo: GitRepo,
    branch: str,
    head: str,
    root: Root,
    wanted: DocumentTest,
    since: str | None = None,
) -> RawHistory:
    """The history up to ``head``, read from the index after bringing it up to date; with
    ``since`` (an ancestor of ``head``: the caller has asked git), only the commits ``head``
    has that ``since`` has not, and their documents' metadata."""
    path = index_path(repo, branch, root)  # (connect makes again one others could write)
    # As it is; rebuilt from git if damaged; in memory if it cannot even be rebuilt.
    for attempt in (path, path, None):
        try:
            return _sync(connect(attempt, _SCHEMA), repo, head, root, wanted, since)
        except sqlite3.OperationalError as error:
            if attempt is not None and (busy(error) or unwritable(error)):
                why = "is busy" if busy(error) else f"cannot be written ({error})"
                log.warning("the index %s; reading git directly and keeping it as it was.", why)
                return _sync(connect(None, _SCHEMA), repo, head, root, wanted, since)
            if attempt is not None:
                remove(attempt)
        except sqlite3.DatabaseError:
            if attempt is not None:
                remove(attempt)
    raise AssertionError("an in-memory index cannot be damaged")


def _sync(
    connection: sqlite3.Connection,
    repo: GitRepo,
    head: str,
    root: Root,
    wanted: DocumentTest,
    since: str | None = None,
) -> RawHistory:
    with closing(connection):
        settings = {
            "schema": SCHEMA_VERSION,
            "parser": parser(),  # metadata read by other code is read again
            "log": digest(LOG_SIGNATURE),  # and a log asked for otherwise
            "root": root.folder,
            "documents": wanted.document_signature,
        }
        _retry_missing(connection, repo)
        read: RawHistory | None = None
        added: list[str] | None = None  # the commits since ``since``, when the index was there
        if _known_head(connection, settings) != head:
            # One write transaction: readers see the old history or the new, never half.
            connection.execute("BEGIN IMMEDIATE")
            try:
                known = _known_head(connection, settings)  # another process may have done it
                if known != head:
                    read, new = _update(connection, repo, known, head, root, wanted, since)
                    added = [commit.sha for commit in new] if since and known == since else None
                    settings["head"] = head
                    connection.executemany(
                        "INSERT OR REPLACE INTO meta VALUES (?, ?)", settings.items()
                    )
                connection.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back itself
                    connection.execute("ROLLBACK")
                raise
        if read is not None and since is None:  # read whole just now: not read back again
            return _checked(read, head, root, wanted)
        if since is None:
            return _read(connection, head, root, wanted)
        only = set(added if added is not None else repo.rev_list(head, exclude=since))
        return _read(connection, head, root, wanted, only)


def _retry_missing(connection: sqlite3.Connection, repo: GitRepo) -> None:
    """Read again the blobs git lacked last time: a fetch or a repair may have brought them."""
    lacking = [sha for (sha,) in connection.execute("SELECT sha FROM blobs WHERE missing = 1")]
    if not lacking:
        return
    found = [(sha, data) for sha, data in repo.read_blobs(lacking, MAX_BYTES) if data is not None]
    if found:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "UPDATE blobs SET meta = ?, whole = 1, missing = 0 WHERE sha = ?",
            ((_json(parse_document(data)), sha) for sha, data in found),
        )
        connection.execute("COMMIT")


def _known_head(connection: sqlite3.Connection, settings: dict[str, str]) -> str | None:
    stored = dict(connection.execute("SELECT key, value FROM meta"))
    fresh = all(stored.get(key) == value for key, value in settings.items())
    return stored.get("head") if fresh else None


def _update(
    connection: sqlite3.Connection,
    repo: GitRepo,
    known: str | None,
    head: str,
    root: Root,
    wanted: DocumentTest,
    since: str | None = None,
) -> tuple[RawHistory | None, list[RawCommit]]:
    """Add what the branch gained since ``known``, or everything if it was rewritten (and
    then give the history so read), with the commits added. ``since``: a commit the caller
    knows is an ancestor of ``head`` (git is not asked again)."""
    # (False too when git lacks ``known``)
    if known and (known == since or repo.is_ancestor(known, head)):
        new = list(repo.log(head, exclude=known, folder=root.folder))
        _store(connection, repo, new, root, wanted, _at_head(repo, head, root, new, known))
        return None, new
    connection.execute("DELETE FROM commits")
    connection.execute("DELETE FROM blobs")
    new = list(repo.log(head, folder=root.folder))
    return _store(connection, repo, new, root, wanted, _at_head(repo, head, root, new, None)), new


def _at_head(
    repo: GitRepo, head: str, root: Root, new: list[RawCommit], known: str | None
) -> set[str] | None:
    """The blobs to read whole: at least every blob of the head's tree (None: every blob).

    When ``known`` (whose tree was read whole) is on the head's first-parent line, the head's
    tree is its tree changed by the new commits: their blobs are enough. Otherwise (a rebuild,
    or a merge whose first parent is another line) git lists the head's tree.
    """
    if known is not None and _on_first_parent_line(new, head, known):
        return {change.new_blob for commit in new for change in commit.changes if change.new_blob}
    try:
        return {blob for _, blob in repo.list_files(head, root.folder)}
    except RepositoryError:
        return None


def _on_first_parent_line(new: list[RawCommit], head: str, known: str) -> bool:
    """Whether following first parents from ``head`` through the new commits reaches ``known``."""
    parents = {commit.sha: commit.parents for commit in new}
    sha = head
    while sha != known:
        if not parents.get(sha):
            return False
        sha = parents[sha][0]
    return True


def _store(
    connection: sqlite3.Connection,
    repo: GitRepo,
    new: list[RawCommit],
    root: Root,
    wanted_file: DocumentTest,
    whole: set[str] | None,
) -> RawHistory:
    """Append commits (given children first) and parse the blobs they bring, reading whole
    those ``whole`` names (None: all) and any stored in part that it now names; the commits
    and the blob metadata parsed."""
    (top,) = connection.execute("SELECT COALESCE(MAX(seq), 0) FROM commits").fetchone()
    rows, commits, prefix = [], {}, root.prefix
    for position, commit in enumerate(reversed(new), start=top + 1):
        changes = commit.changes
        if not all(_under(c, prefix) for c in changes):  # (git's log was of the root only)
            changes = tuple(c for c in changes if _under(c, prefix))
            commit = replace(commit, changes=changes)
        rows.append(
            (
                position,
                commit.sha,
                " ".join(commit.parents),
                commit.timestamp,
                commit.author,
                commit.subject,
                json.dumps(commit.trailers),
                json.dumps([_change_row(c) for c in changes]),
            )
        )
        commits[commit.sha] = commit
    wanted = _document_blobs(commits.values(), root, wanted_file)
    connection.executemany("INSERT OR REPLACE INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    # Newest first, as the log met them: git's delta cache stays warm.
    order = list(dict.fromkeys(reversed(wanted)))
    known = _stored(connection, order) if top else {}  # (a new index holds none)
    todo = [sha for sha in order if sha not in known]
    if whole is None:
        todo += [sha for (sha,) in connection.execute("SELECT sha FROM blobs WHERE whole = 0")]
    else:
        todo += [sha for sha, done in _stored(connection, whole).items() if not done]
    metas, blobs = {}, []
    texts: dict[tuple[DocMeta, str], str] = {}  # each distinct metadata's JSON, made once (the
    # key holds the order's text too: -0.0 equals 0.0, but is written otherwise)
    shared: dict[int, tuple[DocMeta, str]] = {}  # by object: most are shared (none hashed)
    for sha, data in repo.read_blobs(todo, limit=MAX_BYTES):
        read_whole = whole is None or sha in whole
        metas[sha] = meta = parse_document(data, read_whole)
        missing = meta.unreadable is not None and meta.unreadable.startswith(MISSING)
        held, text = shared.get(id(meta), (None, ""))  # (held: so its id is never reused)
        if held is not meta:
            key = (meta, repr(meta.order))
            text = texts.get(key) or texts.setdefault(key, _json(meta))
            shared[id(meta)] = meta, text
        blobs.append((sha, text, int(read_whole), int(missing)))
    again = _in_force_instead(new, whole, metas) if whole is not None else []
    for sha, data in repo.read_blobs(again, limit=MAX_BYTES):
        metas[sha] = meta = parse_document(data)
        blobs.append((sha, _json(meta), 1, 0))
    connection.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)", blobs)
    return RawHistory(dict(reversed(commits.items())), metas)


def _json(meta: DocMeta) -> str:
    return json.dumps(meta.to_json())


def _in_force_instead(
    new: list[RawCommit], whole: set[str], metas: Mapping[str, DocMeta]
) -> list[str]:
    """Blobs read in part that are a document's newest readable text: where the head's file
    cannot be read (not UTF-8, too large), the text before it stays in force, and its links and
    heading ids are what the checks read."""
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
            elif path in unreadable:
                unreadable.discard(path)
                if blob not in whole:
                    found.append(blob)
    return found


def _stored(connection: sqlite3.Connection, shas: Iterable[str]) -> dict[str, int]:
    """Which of these blobs the index holds, and whether each was read whole."""
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS asked (sha TEXT PRIMARY KEY)")
    connection.execute("DELETE FROM asked")
    connection.executemany("INSERT OR IGNORE INTO asked VALUES (?)", ((sha,) for sha in shas))
    query = "SELECT sha, whole FROM blobs WHERE sha IN (SELECT sha FROM asked)"
    return dict(connection.execute(query))


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


def _change_row(c: Change) -> tuple[str | None, ...]:
    return (c.status, c.old_path, c.new_path, c.old_blob, c.new_blob, c.old_mode, c.new_mode)


def _read(
    connection: sqlite3.Connection,
    head: str,
    root: Root,
    wanted: DocumentTest,
    only: set[str] | None = None,
) -> RawHistory:
    """The stored history (of the commits ``only`` names, if given); anything malformed or
    missing counts as damage (and a rebuild)."""
    commits: dict[str, RawCommit] = {}
    query = "SELECT sha, parents, timestamp, author, subject, trailers, changes FROM commits"
    if only is not None:
        connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (sha TEXT PRIMARY KEY)")
        connection.execute("DELETE FROM wanted")
        connection.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((s,) for s in only))
        query += " WHERE sha IN (SELECT sha FROM wanted)"
    try:
        for sha, parents, stamp, author, subject, trailers, changes in connection.execute(
            query + " ORDER BY seq DESC"
        ):
            commits[sha] = RawCommit(
                sha=sha,
                parents=tuple(parents.split()),
                timestamp=int(stamp),
                author=str(author),
                subject=str(subject),
                trailers=tuple((str(k), str(v)) for k, v in json.loads(trailers)),
                changes=tuple(Change(*row) for row in json.loads(changes)),
            )
        metas = _metas(connection, commits, root, wanted, only is not None)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise sqlite3.DatabaseError(f"damaged index: {error}") from None
    if only is not None and len(commits) != len(only):
        raise sqlite3.DatabaseError("damaged index: commits are missing")
    return _checked(RawHistory(commits, metas), head, root, wanted)


def _checked(history: RawHistory, head: str, root: Root, wanted: DocumentTest) -> RawHistory:
    """The history, if it holds the head and the metadata of every document version."""
    if head not in history.commits or not _complete(history.commits, history.metas, root, wanted):
        raise sqlite3.DatabaseError("damaged index: commits or documents are missing")
    return history


def _metas(
    connection: sqlite3.Connection,
    commits: dict[str, RawCommit],
    root: Root,
    wanted: DocumentTest,
    some: bool,
) -> dict[str, DocMeta]:
    """The metadata of every blob (``some``: of the blobs the commits bring only)."""
    query = "SELECT sha, meta FROM blobs"
    if some:
        connection.execute("DELETE FROM wanted")
        blobs = {(blob,) for blob in _document_blobs(commits.values(), root, wanted)}
        connection.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", blobs)
        query += " WHERE sha IN (SELECT sha FROM wanted)"
    return {sha: DocMeta.from_json(json.loads(meta)) for sha, meta in connection.execute(query)}


def _complete(
    commits: Mapping[str, RawCommit], metas: Mapping[str, DocMeta], root: Root, wanted: DocumentTest
) -> bool:
    """Every document version the commits name has its metadata."""
    return all(blob in metas for blob in _document_blobs(commits.values(), root, wanted))
