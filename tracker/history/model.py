"""The data the history is made of: versions, documents, notes and problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.history.documents import DocMeta, default_title
from tracker.history.golive import Declared


@dataclass(frozen=True)
class Note:
    """One line for practitioners; ``explicit`` when it came from a Change-Note trailer."""

    text: str
    explicit: bool


@dataclass(frozen=True)
class Problem:
    """Something ``tracker check`` reports."""

    level: str  # "error" or "warning"
    where: str
    message: str
    day: date | None = None  # when it happened, for problems that age

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
    blob: str | None
    meta: DocMeta
    kind: str  # added, modified, renamed, deleted
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
    def withdrawn(self) -> bool:
        """Deleted, or marked ``status: archived``."""
        return self.kind == "deleted" or self.meta.status == "archived"

    @property
    def held_back(self) -> bool:
        """Goes live later than declared because an earlier version goes live later."""
        return self.effective > self.declared.date

    @property
    def note(self) -> str:
        """All notes as one line."""
        return " ".join(note.text for note in self.notes)


@dataclass
class Document:
    """A document's versions, oldest first, and every id it has had."""

    key: int
    versions: list[Version] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The id of the newest version."""
        return self.versions[-1].id

    @property
    def latest(self) -> Version:
        """The newest version, whether or not it is in force."""
        return self.versions[-1]

    def in_force(self, day: date) -> Version | None:
        """The newest version whose effective go-live is on or before ``day``."""
        found = None
        for version in self.versions:
            if version.effective <= day:
                found = version
        return found


def unique_notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    """Notes in order, each text once."""
    seen: dict[str, Note] = {}
    for note in notes:
        seen.setdefault(note.text, note)
    return tuple(seen.values())
