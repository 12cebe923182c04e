"""Versions -> releases and their entries (SPEC §4), and the table of contents."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, overload

from tracker.collector import collector_paused
from tracker.history.links import composed
from tracker.history.model import Document, Documents, Note, Version, unique_notes

# What a release does to a document practitioners see: it comes, changes, or is withdrawn.
EntryChange = Literal["new", "updated", "withdrawn"]


# What is kept of an entry (index/derived.py): the document's key, the places of its versions,
# then change, renamed, notes, minor, title, type and id, which is all a list of releases shows.
# Plain data only: thousands are read back at once, and a note as a (text, explicit) pair reads
# back in a third of the time a Note object takes.
NoteRow = tuple[str, bool]
EntryRow = tuple[int, int, int | None, EntryChange, bool, tuple[NoteRow, ...], bool, str, str, str]


class Entry(tuple[Any, ...]):
    """What one release does to one document.

    A tuple of the entry's row behind the documents it refers to: thousands are read back at
    once from the kept history, and the document and its versions are read only when asked
    for. Two entries are equal when their rows are.
    """

    __slots__ = ()

    @classmethod
    def made(cls, documents: Documents, row: EntryRow) -> Entry:
        return tuple.__new__(cls, (documents, *row))

    @property
    def row(self) -> EntryRow:
        return self[1:]

    @property
    def key(self) -> int:
        """The document's key."""
        return self[1]  # type: ignore[no-any-return]

    @property
    def document(self) -> Document:
        documents: Documents = self[0]
        return documents.by_key(self[1])

    @property
    def version(self) -> Version:
        """The version in force from the release date."""
        at: int = self[2]
        return self.document.versions[at]

    @property
    def before(self) -> Version | None:
        """The version in force the day before."""
        was: int | None = self[3]
        return None if was is None else self.document.versions[was]

    @property
    def change(self) -> EntryChange:
        return self[4]  # type: ignore[no-any-return]

    @property
    def renamed(self) -> bool:
        return self[5]  # type: ignore[no-any-return]

    @property
    def notes(self) -> tuple[Note, ...]:
        rows: tuple[NoteRow, ...] = self[6]
        return tuple([Note(text, explicit) for text, explicit in rows])

    @property
    def minor(self) -> bool:
        return self[7]  # type: ignore[no-any-return]

    @property
    def title(self) -> str:
        """The title practitioners knew: the new one, or the last one for a withdrawal."""
        return self[8]  # type: ignore[no-any-return]

    @property
    def type(self) -> str:
        """``chapter`` or ``guidance``."""
        return self[9]  # type: ignore[no-any-return]

    @property
    def id(self) -> str:
        """The document's id."""
        return self[10]  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self[1:] == other[1:]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[1:])

    def __repr__(self) -> str:
        return f"Entry{self[1:]!r}"


@dataclass(frozen=True)
class Release:
    """A date on which the version in force of at least one document changes."""

    date: date
    entries: tuple[Entry, ...]

    def is_upcoming(self, today: dt.date) -> bool:
        """Scheduled after ``today``: authors and practitioners can preview it."""
        return self.date > today

    @property
    def minor(self) -> bool:
        """Every entry is minor."""
        return all(entry.minor for entry in self.entries)


# Release entries by date, as kept (index/derived.py).
ReleaseRows = list[tuple[date, list[EntryRow]]]


class Releases(Sequence[Release]):
    """A snapshot's releases, oldest first: made from their rows when first wanted (a command
    about one chapter needs none of them). Safe to share; equal to any sequence of the same
    releases."""

    def __init__(self, documents: Documents, rows: Callable[[], ReleaseRows]) -> None:
        self._documents = documents
        self._rows: Callable[[], ReleaseRows] | None = rows
        self._made: tuple[Release, ...] = ()
        self._lock = threading.Lock()

    @property
    def made(self) -> tuple[Release, ...]:
        if self._rows is not None:
            with self._lock:
                if self._rows is not None:
                    with collector_paused():  # thousands of tuples: see collector.py
                        self._made = self._releases(self._rows())
                        self._rows = None
        return self._made

    def read_all(self) -> None:
        """Make every release now."""
        _ = self.made

    def after(self, day: date) -> tuple[Release, ...]:
        """The releases after ``day``, soonest first; while the others are not wanted, these
        alone are made (a check or a preview asks for the few upcoming of thousands)."""
        if self._rows is None:
            return tuple(release for release in self.made if release.date > day)
        with collector_paused():
            return self._releases([(when, rows) for when, rows in self.rows() if when > day])

    def _releases(self, rows: ReleaseRows) -> tuple[Release, ...]:
        """Releases made from their entries' rows."""
        entry, documents = Entry.made, self._documents
        return tuple(
            Release(day, tuple([entry(documents, row) for row in found])) for day, found in rows
        )

    def rows(self) -> ReleaseRows:
        """The entries' rows by date, as kept."""
        rows = self._rows
        if rows is not None:
            return rows()
        return [(release.date, [entry.row for entry in release.entries]) for release in self.made]

    def __len__(self) -> int:
        return len(self.made)

    @overload
    def __getitem__(self, index: int) -> Release: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Release, ...]: ...
    def __getitem__(self, index: int | slice) -> Release | tuple[Release, ...]:
        return self.made[index]

    def __iter__(self) -> Iterator[Release]:
        return iter(self.made)

    def __reversed__(self) -> Iterator[Release]:
        return reversed(self.made)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Releases({len(self)} releases)"


# Where a document goes in the contents: its key, section, order, title (case-folded) and id.
Place = tuple[int, str, float, str, str]


def place_of(document: Document) -> Place:
    """What a document's place in the contents depends on (its newest version's metadata)."""
    meta = document.latest.meta
    order = meta.order if meta.order is not None else float("inf")
    return document.key, meta.section or "", order, document.latest.title.casefold(), document.id


def contents_order(documents: Iterable[Document], sections: Sequence[str]) -> tuple[Document, ...]:
    """Table-of-contents order: configured sections, then first appearance; order; title."""
    documents = list(documents)
    by_key = {document.key: document for document in documents}
    return tuple(by_key[key] for key in contents_keys(map(place_of, documents), sections))


def contents_keys(places: Iterable[Place], sections: Sequence[str]) -> list[int]:
    """The keys of documents in table-of-contents order (``places`` in order of first
    appearance): configured sections, then sections in order of first appearance, then
    documents without a section (docs/authors.md); then order; title; id."""
    places = list(places)
    ranks = {name: rank for rank, name in enumerate(sections)}
    for place in places:
        if place[1]:
            ranks.setdefault(place[1], len(ranks))
    ranks[""] = len(ranks)
    ranked = sorted((ranks[section], order, title, ident, key) for key, section, order, title,
                    ident in places)  # fmt: skip
    return [item[4] for item in ranked]


def entry_rows(document: Document) -> list[tuple[date, EntryRow]]:
    """What each release does to one document, by date (a document's entries depend on its
    own versions only: kept per document, a new commit works out only those it touches)."""
    # Effective dates never go down along the versions: each day's are a run of them, the
    # newest in force that day at its end and the one in force the day before just ahead of
    # it (one pass, not four searches a day: 0.1 s of a first read; a test compares the two).
    found = []
    versions = document.versions
    for first, last in day_runs(versions):
        was = first - 1 if first else None
        row = _entry(document, last, was, versions[first : last + 1])
        if row is not None:
            found.append((versions[first].effective, row))
    return found


def day_runs(versions: Sequence[Version]) -> Iterator[tuple[int, int]]:
    """The first and last place of each run of a document's versions going live on one day."""
    first, count = 0, len(versions)
    while first < count:
        day, last = versions[first].effective, first
        while last + 1 < count and versions[last + 1].effective == day:
            last += 1
        yield first, last
        first = last + 1


def undone(before: Version | None, after: Version) -> bool:
    """Whether the versions going live on a day leave a live document as it was the day before
    (``before``: then in force; ``after``: in force that day): the same text at the same path,
    as a change and its revert, or a deletion and the file put back, leave it. Practitioners
    see nothing changed, and the changes' notes would announce what is not in force: there is
    no entry (docs/decisions.md, "A change undone before it goes live")."""
    return (
        before is not None
        and not before.withdrawn
        and before.blob == after.blob
        and composed(before.path) == composed(after.path)
    )


def undone_on(document: Document, day: dt.date) -> bool:
    """Whether versions go live on ``day`` and leave the document as it was (``undone``)."""
    at, was = document.place_in_force(day), document.place_in_force(day - dt.timedelta(days=1))
    return (
        at is not None
        and at != was
        and undone(None if was is None else document.versions[was], document.versions[at])
    )


def day_notes(going_live: Iterable[Version]) -> tuple[Note, ...]:
    """An entry's notes: those of the versions going live on its day that are not minor, in
    commit order, each text once (SPEC §4)."""
    return unique_notes(note for v in going_live if not v.minor for note in v.notes)


def _entry(
    document: Document, at: int, was: int | None, going_live: Sequence[Version]
) -> EntryRow | None:
    """The entry of the release on the day ``going_live`` (the versions going live that day)
    go live: ``at`` is the place of the version in force that day, ``was`` the day before's."""
    after = document.versions[at]
    before = None if was is None else document.versions[was]
    was_live = before is not None and not before.withdrawn
    if (after.withdrawn and not was_live) or undone(before, after):
        return None  # nothing practitioners could see changed
    change: EntryChange
    if after.withdrawn:
        change = "withdrawn"
    elif not was_live:
        change = "new"
    else:
        change = "updated"
    notes = day_notes(going_live)
    renamed = (
        change == "updated"
        and before is not None
        and (before.title != after.title or composed(before.path) != composed(after.path))
    )
    shown = before if change == "withdrawn" and before else after
    return (
        document.key,
        at,
        was,
        change,
        renamed,
        tuple([(note.text, note.explicit) for note in notes]),
        all(v.minor for v in going_live),
        shown.title,
        shown.type,
        document.id,
    )
