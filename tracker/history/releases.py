"""Versions -> releases and their entries (SPEC §4), and the table of contents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from tracker.history.model import Document, Note, Version, unique_notes

# What a release does to a document practitioners see: it comes, changes, or is withdrawn.
EntryChange = Literal["new", "updated", "withdrawn"]


@dataclass(frozen=True)
class Entry:
    """What one release does to one document."""

    document: Document
    version: Version  # the version in force from the release date
    before: Version | None  # the version in force the day before
    change: EntryChange
    renamed: bool
    notes: tuple[Note, ...]
    minor: bool

    @property
    def id(self) -> str:
        """The document's id."""
        return self.document.id

    @property
    def title(self) -> str:
        """The title practitioners knew: the new one, or the last one for a withdrawal."""
        shown = self.before if self.change == "withdrawn" and self.before else self.version
        return shown.title

    @property
    def type(self) -> str:
        """``chapter`` or ``guidance``."""
        shown = self.before if self.change == "withdrawn" and self.before else self.version
        return shown.type


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


def contents_order(documents: Iterable[Document], sections: Sequence[str]) -> tuple[Document, ...]:
    """Table-of-contents order: configured sections, then first appearance; order; title."""
    documents = list(documents)
    ranks = {name: rank for rank, name in enumerate(sections)}
    for document in documents:
        ranks.setdefault(document.latest.meta.section or "", len(ranks))

    def key(document: Document) -> tuple[int, float, str, str]:
        meta = document.latest.meta
        order = meta.order if meta.order is not None else float("inf")
        return ranks[meta.section or ""], order, document.latest.title.casefold(), document.id

    return tuple(sorted(documents, key=key))


def build_releases(documents: Sequence[Document]) -> tuple[Release, ...]:
    """Every release, oldest first; entries in the order of ``documents``."""
    by_date: dict[date, list[Entry]] = {}
    for document in documents:
        for day in sorted({version.effective for version in document.versions}):
            entry = _entry(document, day)
            if entry is not None:
                by_date.setdefault(day, []).append(entry)
    return tuple(Release(day, tuple(entries)) for day, entries in sorted(by_date.items()))


def _entry(document: Document, day: date) -> Entry | None:
    after = document.in_force(day)
    before = document.in_force(day - timedelta(days=1))
    assert after is not None
    was_live = before is not None and not before.withdrawn
    if after.withdrawn and not was_live:
        return None  # nothing practitioners could see changed
    change: EntryChange
    if after.withdrawn:
        change = "withdrawn"
    elif not was_live:
        change = "new"
    else:
        change = "updated"
    going_live = document.going_live(day)
    notes = unique_notes(note for v in going_live if not v.minor for note in v.notes)
    renamed = (
        change == "updated"
        and before is not None
        and (before.title != after.title or before.path != after.path)
    )
    return Entry(
        document=document,
        version=after,
        before=before,
        change=change,
        renamed=renamed,
        notes=notes,
        minor=all(v.minor for v in going_live),
    )
