"""Commits -> document versions with go-live dates (SPEC §3).

Identity: a document is its front-matter ``id`` (default: its path under the root), so a file
moved with its id keeps its history; an id-less file follows git's rename detection.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tracker.config import Config
from tracker.documents import DocMeta, default_title, path_id
from tracker.gitlog import Change, RawCommit
from tracker.golive import Declared, declared_go_live, effective_dates, is_valid_go_live


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


@dataclass
class History:
    """Every document of the manual and what reading the history found wrong."""

    documents: list[Document]
    problems: list[Problem]


@dataclass
class _Source:
    commit: RawCommit
    committed: date
    declared: Declared
    notes: tuple[Note, ...]
    minor: bool


def first_parent_line(commits: Mapping[str, RawCommit], head: str) -> list[str]:
    """The tracked branch's first-parent line, oldest first."""
    line, sha = [], head
    while sha in commits:
        line.append(sha)
        parents = commits[sha].parents
        sha = parents[0] if parents else ""
    return line[::-1]


def build_history(
    commits: Mapping[str, RawCommit],
    metas: Mapping[str, DocMeta],
    head: str,
    root: str,
    config: Config,
) -> History:
    """Walk the first-parent line oldest first and record each document's versions."""
    walker = _Walker(metas, root, config)
    absorbed: set[str] = set()
    order = {sha: position for position, sha in enumerate(reversed(list(commits)))}
    for sha in first_parent_line(commits, head):
        commit = commits[sha]
        merged = _merged_commits(commits, commit, absorbed, order)
        absorbed.update(merged)
        absorbed.add(sha)
        walker.apply(commit, [commits[s] for s in merged])
    documents = walker.finish()
    return History(documents, walker.problems)


def _merged_commits(
    commits: Mapping[str, RawCommit], merge: RawCommit, absorbed: set[str], order: dict[str, int]
) -> list[str]:
    """Commits a merge brings in: reachable from its other parents, not from its first."""
    found: set[str] = set()
    stack = list(merge.parents[1:])
    while stack:
        sha = stack.pop()
        if sha in found or sha in absorbed or sha not in commits:
            continue
        found.add(sha)
        stack.extend(commits[sha].parents)
    return sorted(found, key=order.__getitem__)


class _Walker:
    """The state of the tree while the first-parent line is replayed."""

    def __init__(self, metas: Mapping[str, DocMeta], root: str, config: Config) -> None:
        self.metas = metas
        self.prefix = f"{root}/" if root else ""
        self.config = config
        self.zone: ZoneInfo = config.timezone
        self.documents: dict[int, Document] = {}
        self.live: dict[str, int] = {}  # path under root -> document key
        self.by_id: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.keys = itertools.count()

    def _relative(self, path: str | None) -> str | None:
        if path is None or not path.startswith(self.prefix):
            return None
        relative = path[len(self.prefix) :]
        return relative if self.config.is_document(relative) else None

    def apply(self, commit: RawCommit, merged: list[RawCommit]) -> None:
        """Record the versions one first-parent commit makes."""
        entries = [self._entry(change) for change in commit.changes]
        entries = [entry for entry in entries if entry[0] or entry[1]]
        leaving = {old: self.live.pop(old) for old, _, _ in entries if old and old in self.live}
        touched: set[int] = set()
        for old, new, change in entries:
            if new is not None:
                key = self._key_for(old, new, change, leaving)
                touched.add(key)
                self._add_version(key, commit, merged, change, old, new)
        for old, _, change in entries:
            gone = leaving.get(old) if old is not None else None
            if gone is not None and gone not in touched:
                touched.add(gone)  # deleted, moved out of the manual, or replaced by another id
                self._add_version(gone, commit, merged, change, old, None)

    def _entry(self, change: Change) -> tuple[str | None, str | None, Change]:
        return self._relative(change.old_path), self._relative(change.new_path), change

    def _key_for(self, old: str | None, new: str, change: Change, leaving: dict[str, int]) -> int:
        meta = self.metas.get(change.new_blob or "", DocMeta())
        wanted = meta.id or path_id(new)
        known = self.by_id.get(wanted)
        if known is not None and known not in self.live.values():
            return known  # same id: the same document, moved or brought back
        if old is not None and old in leaving:
            before = self.documents[leaving[old]].latest.meta.id
            if meta.id is None or before is None or meta.id == before:
                return leaving[old]  # a modification, or a rename git detected
        key = next(self.keys)  # a new document (or a duplicate id, which check reports)
        self.documents[key] = Document(key)
        return key

    def _add_version(
        self,
        key: int,
        commit: RawCommit,
        merged: list[RawCommit],
        change: Change,
        old: str | None,
        new: str | None,
    ) -> None:
        document = self.documents[key]
        previous = document.versions[-1] if document.versions else None
        paths = {p for p in (change.old_path, change.new_path) if p}
        sources = self._sources(commit, merged, paths)
        if new is None:
            assert old is not None
            meta = previous.meta if previous else DocMeta()
            kind, path, blob, ident = (
                "deleted",
                old,
                None,
                previous.id if previous else path_id(old),
            )
        else:
            meta = self.metas.get(change.new_blob or "", DocMeta())
            path, blob, ident = new, change.new_blob, meta.id or path_id(new)
            kind = _kind(previous, old, new)
            self.live[new] = key
        if ident in self.by_id and self.by_id[ident] != key and kind != "deleted":
            ident = path_id(path) if meta.id else ident  # a duplicate id: fall back to the path
        self.by_id[ident] = key
        if ident not in document.aliases:
            document.aliases.append(ident)
        committed = datetime.fromtimestamp(commit.timestamp, self.zone)
        floor = committed.date()
        declared = max((source.declared for source in sources), key=lambda d: d.date)
        if declared.date < floor:
            declared = Declared(floor, "merge")
        document.versions.append(
            Version(
                key=key,
                id=ident,
                commit=commit.sha,
                committed=committed,
                author=commit.author,
                path=path,
                old_path=old if old != path else None,
                blob=blob,
                meta=meta,
                kind=kind,
                notes=_notes(sources),
                minor=all(source.minor for source in sources),
                declared=declared,
                sources=tuple(source.commit.sha for source in sources),
            )
        )

    def _sources(
        self, commit: RawCommit, merged: list[RawCommit], paths: set[str]
    ) -> list[_Source]:
        """The commits whose notes and trailers a version takes (SPEC §3 on merges)."""
        touching = [
            c
            for c in merged
            if any(p in paths for ch in c.changes for p in (ch.old_path, ch.new_path))
            # A merge of the main line into the branch only carries others' work.
            and (len(c.parents) < 2 or _has_trailers(c))
        ]
        own = self._source(commit)
        has_own_trailers = _has_trailers(commit)
        if not touching:
            return [own]
        sources = [self._source(c) for c in touching]
        if has_own_trailers:
            own_notes = tuple(note for note in own.notes if note.explicit)
            sources.append(replace(own, notes=own_notes))
        return sources

    def _source(self, commit: RawCommit) -> _Source:
        committed = datetime.fromtimestamp(commit.timestamp, self.zone).date()
        go_live = [value for key, value in commit.trailers if key == "go-live"]
        trailer = go_live[-1] if go_live else None
        if trailer is not None and not is_valid_go_live(trailer):
            self.problems.append(
                Problem(
                    "error",
                    f"commit {commit.sha[:10]}",
                    f"has 'Go-Live: {trailer}', which is neither a date (YYYY-MM-DD) nor "
                    "'immediate', so it was ignored",
                )
            )
            trailer = None
        declared = declared_go_live(committed, trailer, self.config.schedule)
        explicit = [value for key, value in commit.trailers if key == "change-note" and value]
        notes = tuple(Note(text, True) for text in explicit) or (Note(commit.subject, False),)
        kinds = {value.lower() for key, value in commit.trailers if key == "change-type"}
        return _Source(commit, committed, declared, notes, minor="minor" in kinds)

    def finish(self) -> list[Document]:
        """Work out effective dates and return the documents in first-appearance order."""
        for document in self.documents.values():
            _settle(document)
        return [doc for doc in self.documents.values() if doc.versions]


_TRAILER_KEYS = {"go-live", "change-note", "change-type"}


def _has_trailers(commit: RawCommit) -> bool:
    return any(key in _TRAILER_KEYS for key, _ in commit.trailers)


def _kind(previous: Version | None, old: str | None, new: str) -> str:
    if previous is None or previous.kind == "deleted":
        return "added"
    return "renamed" if previous.path != new else "modified"


def _notes(sources: list[_Source]) -> tuple[Note, ...]:
    """Notes of the non-minor sources (of all, when every source is minor), de-duplicated."""
    chosen = [source for source in sources if not source.minor] or sources
    notes: list[Note] = []
    for source in chosen:
        for note in source.notes:
            if note.text not in {n.text for n in notes}:
                notes.append(note)
    return tuple(notes)


def _settle(document: Document) -> None:
    """Effective go-live per version; a version held back names the version that holds it."""
    effective = effective_dates([version.declared.date for version in document.versions])
    settled: list[Version] = []
    for version, day in zip(document.versions, effective, strict=True):
        holder = None
        if day > version.declared.date:
            holder = next(v.commit for v in settled if v.effective == day)
        settled.append(replace(version, effective=day, held_back_by=holder))
    document.versions = settled
