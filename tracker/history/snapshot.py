"""What one branch head says: documents, versions and releases, frozen and shared.

A Snapshot is a value. Many requests may read it at once, and nothing in it depends on the
clock: questions that depend on "today" (what is in force, what is upcoming) take it as an
argument, so a server that runs past midnight answers them anew.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from tracker.config import Config
from tracker.errors import NotFoundError, shown
from tracker.history.model import LEFT_OUT, Document, Problem, Version
from tracker.history.releases import Release
from tracker.repository.paths import Root


@dataclass(frozen=True)
class Point:
    """A moment a user named: a date, or a commit (resolved to its id); ``text`` as typed."""

    text: str
    day: date | None = None
    commit: str | None = None


@dataclass(frozen=True, eq=False)  # one per head: equal only to itself, hashable
class Snapshot:
    """The manual as the history up to ``head`` of ``branch`` makes it."""

    branch: str
    head: str
    root: Root
    config: Config
    documents: tuple[Document, ...]  # table-of-contents order
    releases: tuple[Release, ...]  # oldest first
    problems: tuple[Problem, ...]
    line: Mapping[str, int]  # commit id -> its place on the first-parent line (read-only)

    def __getstate__(self) -> dict[str, Any]:
        """As kept in the index (``pickle``): the read-only line as a plain dict."""
        return {**self.__dict__, "line": dict(self.line)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, MappingProxyType(value) if name == "line" else value)

    def left_out(self, document: Document) -> list[Problem]:
        """The versions of a document that could not be read and are not published."""
        paths = {path for v in document.versions for path in (v.path, v.old_path) if path}
        return [
            p
            for p in self.problems
            if p.rule in LEFT_OUT and (p.document == document.key or p.where in paths)
        ]

    def document(self, ident: str) -> Document:
        """The document with this id (or a former id), or NotFoundError.

        Where two share an id (a duplicate, or a withdrawn document whose id a new one took)
        the one still published wins, then the one whose id is explicit.
        """
        named = [document for document in self.documents if document.id == ident]
        published = [document for document in named if not document.latest.deleted]
        for candidates in (
            [document for document in published if document.latest.meta.id],
            published,
            named,
            [document for document in self.documents if ident in document.aliases],
        ):
            if candidates:
                return candidates[0]
        raise NotFoundError(f"There is no document with the id {shown(ident)}.")

    def release(self, day: date) -> Release:
        """The release on ``day``, or NotFoundError."""
        for release in self.releases:
            if release.date == day:
                return release
        raise NotFoundError(f"There is no release on {day.isoformat()}.")

    def upcoming(self, today: date) -> tuple[Release, ...]:
        """Releases after ``today``, soonest first."""
        return tuple(release for release in self.releases if release.is_upcoming(today))

    def default_release(self, today: date) -> Release:
        """The next upcoming release, else the latest."""
        upcoming = self.upcoming(today)
        if upcoming:
            return upcoming[0]
        if not self.releases:
            raise NotFoundError("The manual has no releases yet.")
        return self.releases[-1]

    def version_at(self, document: Document, point: Point) -> Version | None:
        """The version in force on a date, or current at a commit; None before it existed."""
        if point.day is not None:
            return document.in_force(point.day)
        position = self.line.get(point.commit or "")
        if position is None:
            raise NotFoundError(
                f"The commit {point.text!r} is not on the tracked branch {self.branch!r}."
            )
        found = None
        for version in document.versions:
            if self.line[version.commit] <= position:
                found = version
        return found

    def compared(
        self, document: Document, start: Point | None, end: Point | None, today: date
    ) -> tuple[Version | None, Version]:
        """The two versions a diff compares (None: the defaults).

        By default the version in force today is compared with the version before it.
        """
        if end is not None:
            after = self.version_at(document, end)
            if after is None:
                raise NotFoundError(f"{document.id!r} did not exist yet at {end.text!r}.")
        else:
            after = document.in_force(today) or document.latest
        if start is not None:
            return self.version_at(document, start), after
        position = document.versions.index(after)
        return (document.versions[position - 1] if position else None), after
