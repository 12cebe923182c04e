"""The data the history is made of: versions, documents, notes and problems.

Every value here is frozen: a snapshot of the manual is shared by many requests at once.
The words for kinds and levels are closed vocabularies (``Literal``) that mypy checks; a
document that leaves the manual is "withdrawn" everywhere: history, releases, newsletter,
command line and JSON.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from tracker.history.documents import DocMeta, default_title
from tracker.history.golive import Declared

# What a version did to its document. "withdrawn": deleted, or newly marked archived.
VersionKind = Literal["added", "modified", "renamed", "withdrawn"]
Level = Literal["error", "warning"]
# The rules of versions that are not published because they cannot be read (docs/authors.md).
LEFT_OUT = frozenset({"missing-object", "not-utf8", "too-large"})


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

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


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
        """All notes as one line."""
        return " ".join(note.text for note in self.notes)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the version goes live when it does, in words, when that is not plain."""
        found = []
        if self.declared.back_dated:
            found.append(
                f"back-dated: Go-Live {self.declared.back_dated.isoformat()} is before the "
                "commit, so it went live when committed"
            )
        if self.held_back_by:
            found.append(
                f"held back: declared {self.declared.date.isoformat()}, but the earlier commit "
                f"{self.held_back_by[:10]} goes live on {self.effective.isoformat()}"
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

    def going_live(self, day: date) -> list[Version]:
        """The versions whose effective go-live is ``day``."""
        first = bisect.bisect_left(self.versions, day, key=_effective)
        return list(self.versions[first : bisect.bisect_right(self.versions, day, key=_effective)])

    def in_force(self, day: date) -> Version | None:
        """The newest version whose effective go-live is on or before ``day`` (effective dates
        never go down along a document's versions: each waits for the one before)."""
        at = bisect.bisect_right(self.versions, day, key=_effective)
        return self.versions[at - 1] if at else None


def _effective(version: Version) -> date:
    return version.effective


def unique_notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    """Notes in order, each text once."""
    seen: dict[str, Note] = {}
    for note in notes:
        seen.setdefault(note.text, note)
    return tuple(seen.values())
