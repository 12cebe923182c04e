"""The data the history is made of: versions, documents, notes and problems.

Every value here is frozen: a snapshot of the manual is shared by many requests at once.
The words for kinds and levels are closed vocabularies (``Literal``) that mypy checks; a
document that leaves the manual is "withdrawn" everywhere: history, releases, newsletter,
command line and JSON.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, overload

from tracker.history.documents import DocMeta, default_title
from tracker.history.golive import Declared
from tracker.history.texts import ended

# What a version did to its document. "withdrawn": deleted, or newly marked archived.
VersionKind = Literal["added", "modified", "renamed", "withdrawn"]
Level = Literal["error", "warning"]
# The rules of versions that are not published because they cannot be read, or (INVALID_ID)
# because the id their path gives could not be a web address (docs/authors.md).
INVALID_ID = "invalid-id"
LEFT_OUT = frozenset({"missing-object", "not-utf8", "too-large", "lfs-pointer", INVALID_ID})
# The rule of the newest settings that cannot be read, as ``tracker check`` reports them (the
# manual's head is then read with the last readable ones: ``tracker/settings.py``).
SETTINGS_INVALID = "settings-invalid"


@dataclass(frozen=True)
class Note:
    """One line for practitioners; ``explicit`` when it came from a Change-Note trailer."""

    text: str
    explicit: bool


@dataclass(frozen=True)
class Problem:
    """Something ``tracker check`` reports; ``rule`` names the check (docs/authors.md)."""

    level: Level
    where: str  # a file under the root, a document's id, or a commit
    message: str
    day: date | None = None  # when it happened, for problems that age
    rule: str = ""
    line: int | None = None  # in the file, where known
    document: int | None = None  # the key of the document it concerns, where known
    committed: date | None = None  # a version left out: the day of its commit, kept at the head

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


# How a version's declared go-live was reached, as a reason says it (a misspelt trailer's date,
# which is the schedule's, must not read as the trailer's).
_DECLARED_BY = {"trailer": "by its Go-Live", "immediate": "by its Go-Live (immediate)",
                "schedule": "by the release schedule", "commit": "as committed (no release "
                "was scheduled)", "merge": "by its merge"}  # fmt: skip


@dataclass(frozen=True)
class Version:
    """One commit's change to one document."""

    key: int
    id: str
    commit: str
    committed: datetime
    author: str
    path: str
    old_path: str | None
    blob: str | None  # None: the file was deleted
    meta: DocMeta
    kind: VersionKind
    notes: tuple[Note, ...]
    minor: bool
    declared: Declared
    sources: tuple[str, ...]
    effective: date = date.min
    held_back_by: str | None = None
    # A version left out just before this one (it could not be read) and the day it would
    # have gone live: this one goes live no earlier, as it would have after it.
    waits_for: tuple[str, date] | None = None
    authored: int = 0  # its commit's author time (``RawCommit.authored``): a copy keeps it

    @property
    def title(self) -> str:
        """The document's title in this version."""
        return self.meta.title or default_title(self.path)

    @property
    def type(self) -> str:
        """``chapter`` or ``guidance``."""
        return self.meta.type

    @property
    def deleted(self) -> bool:
        """The file is gone: there is no text to show."""
        return self.blob is None

    @property
    def withdrawn(self) -> bool:
        """Deleted, or marked ``status: archived``."""
        return self.deleted or self.meta.status == "archived"

    @property
    def held_back(self) -> bool:
        """Goes live later than declared because an earlier version goes live later."""
        return self.effective > self.declared.date

    @property
    def note(self) -> str:
        """All notes as one line (several, each ending as a sentence)."""
        from tracker.history.texts import joined  # (loaded with the model's readers anyway)

        return joined(note.text for note in self.notes)

    @property
    def held_by_left_out(self) -> bool:
        """Held back by a version left out (it could not be read), not by one published."""
        return self.waits_for is not None and self.waits_for[0] == self.held_back_by

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the version goes live when it does, in words, when that is not plain (dates as
        ``YYYY-MM-DD``, as the command line's history table has them)."""
        return self.reasons_with(date.isoformat)

    def reasons_with(self, words: Callable[[date], str]) -> tuple[str, ...]:
        """``reasons``, with dates written by ``words`` (the website: ``13 November 2024``)."""
        found = []
        if self.declared.back_dated:
            merged = self.declared.source == "merge"
            found.append(
                f"back-dated: Go-Live {words(self.declared.back_dated)} is before the commit, "
                f"so it went live when {'merged' if merged else 'committed'}"
            )
        if self.held_back_by:
            left_out = self.held_by_left_out
            found.append(
                f"held back: declared {words(self.declared.date)} "
                f"{_DECLARED_BY[self.declared.source]}, but the earlier commit "
                f"{self.held_back_by[:10]}"
                + (
                    " (left out: it cannot be read) would have gone live"
                    if left_out
                    else " goes live"
                )
                + f" on {words(self.effective)}"
            )
        return tuple(found)


@dataclass(frozen=True)
class Document:
    """A document's versions, oldest first, and every id it has had."""

    key: int
    versions: tuple[Version, ...]
    aliases: tuple[str, ...]

    @property
    def id(self) -> str:
        """The id of the newest version."""
        return self.versions[-1].id

    @property
    def latest(self) -> Version:
        """The newest version, whether or not it is in force."""
        return self.versions[-1]

    @property
    def changes(self) -> list[tuple[Version | None, Version]]:
        """Each version with the one before it (None before the first): what its history shows."""
        return list(zip((None, *self.versions[:-1]), self.versions, strict=True))

    def went_live(self, version: Version) -> bool:
        """False for a version superseded by a later one going live the same day."""
        return self.in_force(version.effective) is version

    @property
    def first_published(self) -> Version | None:
        """The first version whose text went live (None: none ever does)."""
        return next((v for v in self.versions if not v.withdrawn and self.went_live(v)), None)

    def shown_on(self, day: date) -> Version | None:
        """The version in force on ``day`` as every page, feed, diff and command speaks of it:
        none before a text of the document first went live. A draft archived or deleted
        before going live was never in force, so a later version's going live must not make
        it, on the days between, a chapter "withdrawn" with the draft as its last text."""
        version = self.in_force(day)
        if version is None or not version.withdrawn:
            return version
        published = self.first_published
        return None if published is not None and day < published.effective else version

    def going_live(self, day: date) -> list[Version]:
        """The versions whose effective go-live is ``day``."""
        first = bisect.bisect_left(self.versions, day, key=_effective)
        return list(self.versions[first : bisect.bisect_right(self.versions, day, key=_effective)])

    def in_force(self, day: date) -> Version | None:
        """The newest version whose effective go-live is on or before ``day`` (effective dates
        never go down along a document's versions: each waits for the one before)."""
        at = self.place_in_force(day)
        return None if at is None else self.versions[at]

    def place_in_force(self, day: date) -> int | None:
        """Where the version in force on ``day`` is in ``versions`` (None: none yet)."""
        at = bisect.bisect_right(self.versions, day, key=_effective)
        return at - 1 if at else None


# Reads the documents with these keys from where they are kept (index/derived.py).
Loader = Callable[[Sequence[int]], Mapping[int, Document]]


class Documents(Sequence[Document]):
    """A snapshot's documents, in table-of-contents order.

    Read back from the kept history, a document is read when first wanted: a command that
    shows one chapter reads one row, and iterating reads every row not read yet, at once.
    Safe to share between threads; equal to any sequence of the same documents.
    """

    def __init__(
        self, keys: Sequence[int], known: Mapping[int, Document], load: Loader | None = None
    ) -> None:
        self.keys = tuple(keys)
        self._known = dict(known)
        self._load = load if len(self._known) < len(self.keys) else None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, documents: Iterable[Document]) -> Documents:
        """Documents already in memory."""
        documents = list(documents)
        return cls([d.key for d in documents], {d.key: d for d in documents})

    def by_key(self, key: int) -> Document:
        """The document with this key (KeyError if the snapshot has none)."""
        found = self._known.get(key)
        if found is None:
            self._read([key])
            found = self._known[key]
        return found

    @property
    def read(self) -> int:
        """How many documents have been read so far."""
        return len(self._known)

    def read_all(self) -> None:
        """Read every document now (a server keeps them; the file is then let go)."""
        if self._load is not None:
            self._read(self.keys)

    def _read(self, keys: Sequence[int]) -> None:
        with self._lock:
            wanted = [key for key in keys if key not in self._known]
            if wanted and self._load is not None:
                self._known.update(self._load(wanted))
            if len(self._known) >= len(self.keys):
                self._load = None

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, index: int) -> Document: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Document, ...]: ...
    def __getitem__(self, index: int | slice) -> Document | tuple[Document, ...]:
        if isinstance(index, slice):
            keys = self.keys[index]
            self._read(keys)
            return tuple(self._known[key] for key in keys)
        return self.by_key(self.keys[index])

    def __iter__(self) -> Iterator[Document]:
        self.read_all()
        return iter([self._known[key] for key in self.keys])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Documents({len(self.keys)} documents)"


def _effective(version: Version) -> date:
    return version.effective


def unique_notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    """Notes in order, each text once: as a newsletter shows them (each ending as a sentence
    does, ``ended``), so "Contact numbers updated" and "Contact numbers updated." are one, and
    its spaces folded; the first written is kept."""
    seen: dict[str, Note] = {}
    for note in notes:
        seen.setdefault(" ".join(ended(note.text).split()), note)
    return tuple(seen.values())


def left_out(problems: Iterable[Problem], document: Document) -> list[Problem]:
    """The versions of a document that could not be read and are not published: its own, and
    a new file's before it could be (at its first path, by the day of its first version; not
    another's at a path it left: review)."""
    first = document.versions[0]
    return [
        p
        for p in problems
        if p.rule in LEFT_OUT
        and (
            p.document == document.key
            or (
                p.document is None
                and p.where == first.path
                and (p.committed is None or p.committed <= first.committed.date())
            )
        )
    ]
