"""The derived history kept between runs: the snapshot of the branch head last read, and the
builder that made it, so that a new commit replays only itself (SPEC §9).

One SQLite file per branch and root, in parts a command reads as it needs them: a row per
document (a ``pickle`` named by the hash of its contents), a row per release day, the
snapshot's small part and the builder's state (read only when the branch moved), and beside
them the command line's answers as text (``answers.py``: read without the engine). The index
folder is the service's own, like the git directory it sits in: whoever can write there can
already run code through git's own settings. A damaged or foreign file is emptied and rebuilt
(removed only when it is no longer a database); one that cannot be written is left as it was.
The caller checks the types it reads back.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.collector import collector_paused, pausing_collector
from tracker.config import Config
from tracker.errors import RepositoryError
from tracker.history.model import Document, Documents, Loader, Problem
from tracker.history.releases import EntryRow, ReleaseRows, entry_rows
from tracker.history.snapshot import Notice, Outline, Snapshot, made
from tracker.history.texts import day_lines
from tracker.index import store
from tracker.index.answers import SCHEMA_VERSION, derived_path, history_of, plain, sealed
from tracker.index.held import Held
from tracker.index.keptfile import SCHEMA, WHERE, write
from tracker.index.store import busy, connect, emptied, present, private, remove, unwritable
from tracker.logs import Logger
from tracker.repository.paths import Root
from tracker.repository.read import GitRepo

if TYPE_CHECKING:  # read back only when the branch moves
    from tracker.history.walk import HistoryBuilder

log = Logger(__name__)


_UNREADABLE = (
    "The kept history of the manual could not be read back (its file changed while it was "
    "read); run the command again."
)


LOST = (  # (said when documents read back were made of texts git has lost since)
    "git no longer has texts that the kept history of the manual was read from (missing from "
    "the repository, or a partial clone could not fetch them)"
)
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


class ReadBackError(RepositoryError):
    """A document the kept history names could not be read back (the file was removed or
    damaged while a command was reading it)."""


class LostTexts(ReadBackError):
    """Documents read back were made of texts git has lost since (a fresh read leaves those
    versions out, and says so): the kept history is dropped. Looked for when ``checked``."""


# What the snapshot's part holds: the head's branch, root and settings, the problems, the
# first-parent line, the documents' keys in contents order and their rows, the ids they
# answer to, their notices, and the release entries by date.
_Part = tuple[
    str, Root, Config, tuple[Problem, ...], list[str], list[int], dict[int, str],
    dict[str, int], tuple[Notice, ...],
]  # fmt: skip


@dataclass
class Continued:
    """What a new commit goes on from: the builder, each document's outline and row, and the
    documents' keys in contents order, as they were at the kept head."""

    builder: HistoryBuilder
    outlines: dict[int, Outline]
    rows: dict[int, str]
    order: list[int]


@dataclass
class Stored:
    """What the file holds for a branch: the head it was read at and the text of the settings
    it was read with. Its parts are read when first wanted, in one read transaction, which
    stays open while documents are still to be read (readers never see a later write)."""

    path: Path
    head: str
    settings: str
    _connection: sqlite3.Connection | None = None
    # One connection, used by whichever thread first wants a document or the releases.
    _lock: threading.RLock = field(default_factory=threading.RLock)
    read: dict[int, Document] = field(default_factory=dict)  # the documents read back so far
    held: Held | None = None  # a service's documents, by row (held.py): not read back again
    state: str | None = None  # the name of the snapshot's part, once read (held.py)
    repo: GitRepo | None = None  # documents read back are checked against the texts it has

    def snapshot(self, whole: Callable[[], Snapshot] | None = None) -> Snapshot | None:
        """The snapshot of ``head``; its documents are read when first wanted (``whole``:
        see ``loader``)."""
        part = self._part("snapshot")
        if not (isinstance(part, tuple) and len(part) == 9):
            return None
        branch, root, config, problems, line, order, rows, names, notices = part
        if self.held is not None:
            self.held.hold({}, live=rows.values())
        documents = Documents(order, {}, self.loader(rows, whole))

        def releases() -> ReleaseRows:  # read when first wanted, in the same transaction
            found = self.release_rows(None)
            if found is not None:
                return sorted(found.items())
            if whole is None:
                raise ReadBackError(_UNREADABLE)
            log.warning("the derived index is damaged; the history is read again.")
            return whole().releases.rows()

        return made((branch, self.head, root, config), documents, releases,
                    (problems, line, names, notices))  # fmt: skip

    def release_rows(self, days: Collection[date] | None) -> dict[date, list[EntryRow]] | None:
        """The release entries of these days (None: every day), in this read transaction;
        None if they cannot be read back. Every day's are taken as ``held`` when it has them."""
        held, state = (self.held, self.state) if days is None else (None, None)
        if held is not None and state and (kept := held.releases(state)) is not None:
            return kept
        with self._lock:
            count = self._select(f"json_extract(plain, '$.days') {WHERE}", (SCHEMA_VERSION,))
            if count is None or self._connection is None:
                return None
            try:
                if days is None:
                    query = "SELECT day, entries FROM releases"
                    answer = self._connection.execute(query).fetchall()
                else:
                    wanted = json.dumps([day.isoformat() for day in days])
                    answer = self._connection.execute(
                        "SELECT day, entries FROM releases WHERE day IN "
                        "(SELECT value FROM json_each(?))",
                        (wanted,),
                    ).fetchall()
            except sqlite3.Error as error:
                _failed(self.path, error)
                return None
        if days is None and len(answer) != count[0]:  # rows lost: damaged
            return None
        found: dict[date, list[EntryRow]] = {}
        with collector_paused():  # many small objects: see collector.py
            for day, entries in answer:
                rows = _unpickled(self.path, entries)
                if not isinstance(rows, list):
                    return None
                found[date.fromisoformat(day)] = rows
        if held is not None and state:
            held.hold_releases(state, found)
        return found

    def builder(self) -> Continued | None:
        """The builder of ``head``, each document's outline and row and the contents order:
        the documents are read when the new commits touch them."""
        from tracker.history.walk import HistoryBuilder

        part, small = self._part("builder"), self._part("snapshot")  # (small: has the line)
        if not (isinstance(part, tuple) and len(part) == 4 and isinstance(small, tuple)):
            return None
        builder, outlines, rows, order = part
        if not isinstance(builder, HistoryBuilder) or (builder.head, len(small)) != (self.head, 9):
            return None
        builder.resume(self.loader(rows), rows, list(small[4]))
        return Continued(builder, outlines, rows, order)

    def _part(self, column: str) -> Any:
        row = self._select(f"{column} {WHERE}", (SCHEMA_VERSION,))
        if row is not None and column == "snapshot":
            self.state = _name(row[0])
        return None if row is None else _unpickled(self.path, row[0])

    def _select(self, query: str, values: tuple[str, ...] = ()) -> tuple[Any, ...] | None:
        """The first row a query answers, in this read transaction (begun by the first), if
        the file still holds the head it was opened for."""
        if not private(self.path):
            if present(self.path):  # (else gone since: nothing to say)
                log.warning("%s may be written by other users, so it is not read back.", self.path)
            return None
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = connect(self.path, SCHEMA, timeout=2.0, shared=True)
                    self._connection.execute("BEGIN")  # what follows sees one state of the file
                    row = self._connection.execute(f"SELECT head {WHERE}", (SCHEMA_VERSION,))
                    if tuple(row.fetchone() or ()) != (self.head,):
                        self.close()  # written anew since it was looked at: read from scratch
                        return None
                found = self._connection.execute(f"SELECT {query}", values).fetchone()
            except sqlite3.Error as error:
                _failed(self.path, error)
                return None
        return tuple(found) if found else None

    def loader(self, rows: dict[int, str], whole: Callable[[], Snapshot] | None = None) -> Loader:
        """Reads the documents of these rows (those ``held`` taken as they are), in this read
        transaction; a document that cannot be read back (the file damaged) is taken from
        ``whole``, a snapshot read anew."""

        def load(keys: Sequence[int]) -> dict[int, Document]:
            with self._lock:
                connection = self._connection
                held = self.held
                found = held.take({key: rows[key] for key in keys}) if held is not None else {}
                wanted = {rows[key]: key for key in keys if key not in found}
                unpickled: dict[int, Document] = {}
                try:
                    if wanted:
                        assert connection is not None
                        with collector_paused():  # for them all, not each: see collector.py
                            unpickled = dict(self._unpickled_rows(connection, wanted))
                except (sqlite3.Error, AssertionError) as error:
                    log.warning("the derived index could not be read (%s).", error)
                if whole is not None and self._lost(unpickled.values()):  # (not the builder's)
                    emptied(self.path, SCHEMA, ("kept", "documents", "releases"))
                    raise LostTexts(LOST)
                found.update(unpickled)
                if self.held is not None:
                    self.held.hold({rows[key]: document for key, document in found.items()})
                if any(key not in found for key in keys) and whole is not None:
                    log.warning("the derived index is damaged; the history is read again.")
                    emptied(self.path, SCHEMA, ("kept", "documents", "releases"))
                    again = whole().documents
                    return {key: again.by_key(key) for key in keys}
                if any(key not in found for key in keys):
                    raise ReadBackError(_UNREADABLE)
                self.read.update(found)
                return found

        return load

    def _lost(self, documents: Iterable[Document]) -> bool:
        """Whether git has lost a text these documents' versions were read from, since kept."""
        blobs = {v.blob for d in documents for v in d.versions if v.blob and _SHA.fullmatch(v.blob)}
        return self.repo is not None and bool(blobs) and bool(self.repo.lacking(sorted(blobs)))

    def _unpickled_rows(
        self, connection: sqlite3.Connection, wanted: dict[str, int]
    ) -> Iterator[tuple[int, Document]]:
        """The documents of these rows (name -> key) that read back whole."""
        for name, state in connection.execute(
            "SELECT row, state FROM documents WHERE row IN (SELECT value FROM json_each(?))",
            (json.dumps(list(wanted)),),
        ):
            document = _unpickled(self.path, state) if _named(state, name) else None
            if isinstance(document, Document):
                yield wanted[name], document

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def earlier(
    going_on: Continued,
    kept: Stored | None,
    touched: Iterable[int],
    whole: Callable[[], Snapshot],
) -> dict[int, list[tuple[date, EntryRow]]]:
    """The release entries the touched documents had at the kept head, worked out again from
    the documents as kept there (read back when the new commits touched them)."""
    keys = [key for key in touched if key in going_on.rows]
    if kept is None or not keys:
        return {}
    unread = [key for key in keys if key not in kept.read]
    if unread:  # (each was read when the new commits first touched it: not expected)
        kept.loader(going_on.rows, whole)(unread)
    return {key: entry_rows(kept.read[key]) for key in keys}


def forget(repo: GitRepo, branch: str, root: Root) -> None:
    """Drop what was kept for the branch (it is rebuilt by the next read)."""
    emptied(derived_path(repo, branch, root), SCHEMA, ("kept", "documents", "releases"))


def stored(
    repo: GitRepo, branch: str, root: Root, held: Held | None = None, checked: bool = False
) -> Stored | None:
    """What was kept for the branch, if anything usable (``held``: see Stored; ``checked``: the
    documents a snapshot reads back are checked against the texts git still has, LostTexts)."""
    path = derived_path(repo, branch, root)
    if not present(path):
        return None
    try:
        connection = connect(path, SCHEMA, timeout=2.0)
        try:
            row = connection.execute(f"SELECT head, settings {WHERE}", (SCHEMA_VERSION,)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        _failed(path, error)
        return None
    if not row:
        return None
    return Stored(path, str(row[0]), str(row[1]), held=held, repo=repo if checked else None)


def keep(
    repo: GitRepo,
    settings: str,
    snapshot: Snapshot,
    going_on: Continued,
    new: tuple[dict[int, Document], dict[date, list[EntryRow]], bool],
    base: str | None,
    held: Held | None = None,
) -> str:
    """Keep the newest snapshot (of ``snapshot.head``) and what to go on from (``going_on``:
    the rows of its documents kept already), with what is new: the documents not kept yet and
    the release entries of the days that changed (and whether those are every day), in one
    transaction: readers see the old state or the new, never a mix. ``base``: the head whose
    kept state this builds on (None: it is complete); if another process has kept another
    state since, nothing is written (the next read moves on from that one). ``held``: where a
    service holds its documents, given the new ones by the names of their rows. Returns the
    name of the snapshot's part (held.py)."""
    path = derived_path(repo, snapshot.branch, snapshot.root)
    documents, changed, every = new
    states = {key: _pickled(document) for key, document in documents.items()}
    names = {**going_on.rows, **{key: _name(state) for key, state in states.items()}}
    # (a row is named by its contents: written once, never changed)
    if held is not None:
        held.hold({names[key]: document for key, document in documents.items()}, names.values())
    part: _Part = (
        snapshot.branch,
        snapshot.root,
        snapshot.config,
        snapshot.problems,
        going_on.builder.line,  # (the builder is kept without it)
        list(snapshot.documents.keys),
        names,
        dict(snapshot.names),
        snapshot.notices,
    )
    kept = _pickled((going_on.builder, going_on.outlines, names, going_on.order))
    ids = (dict(snapshot.names), names)
    said = plain(snapshot.config.timezone.key, ids, snapshot.problems, snapshot.notices)
    small = _pickled(part)
    state = _name(small)  # (held.py: the release entries held are this snapshot's)
    head = (SCHEMA_VERSION, snapshot.head, settings, small, kept, said)
    releases = [_day(day, rows) for day, rows in changed.items() if rows]
    gone = [day.isoformat() for day, rows in changed.items() if not rows]
    rows = [(names[key], state, *history_of(documents[key])) for key, state in states.items()]
    for attempt in (1, 2):
        try:
            write(path, head, rows, list(names.values()), (releases, gone, every), base)
            if base is None:  # (a whole read; before issue 8's fourth round git's log was kept too)
                store.remove_ours(path.with_name("index-" + path.name.removeprefix("derived-")))
            return state
        except sqlite3.OperationalError as error:
            if busy(error) or unwritable(error) or attempt == 2:
                log.warning(
                    "the derived index was not written (%s); it is rebuilt when needed.", error
                )
                return state
            remove(path)  # a file of another shape (an older version's): start it again
            every, base = True, None
            changed = dict(snapshot.releases.rows())
            releases = [_day(day, rows) for day, rows in changed.items()]
            rows = [(names[key], _pickled(document), *history_of(document)) for key, document in (
                (key, snapshot.documents.by_key(key)) for key in names)]  # fmt: skip
        except sqlite3.DatabaseError:
            remove(path)  # damaged: start it again
            return state
    return state


def _day(day: date, rows: list[EntryRow]) -> tuple[str, bytes, str]:
    """A release day's row: its entries, and their lines in ``tracker releases``."""
    return day.isoformat(), _pickled(rows), sealed(day_lines(rows))


def _name(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()[:32]


def _named(state: bytes, name: str) -> bool:
    """Whether a document's row holds what it was named for (else it is damaged)."""
    return _name(state) == name


def _pickled(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _failed(path: Path, error: sqlite3.Error) -> None:
    """A file that cannot be read now is left for later; a damaged one is removed."""
    if isinstance(error, sqlite3.OperationalError) and (busy(error) or unwritable(error)):
        return
    if isinstance(error, sqlite3.ProgrammingError | sqlite3.InterfaceError):
        log.warning("the derived index could not be read (%s).", error)
        return  # our mistake, not the file's: it is kept
    log.warning("the derived index is damaged (%s); it is rebuilt.", error)
    remove(path)


@pausing_collector  # (many small objects: see collector.py)
def _unpickled(path: Path, data: bytes) -> Any:
    try:
        return pickle.loads(data)  # noqa: S301 (our own file, in the service's own folder)
    except Exception:  # written by another version of the code, or damaged: rebuilt
        log.warning("the derived index could not be read back; it is rebuilt.")
        return None
