"""What one branch head says: documents, versions and releases, frozen and shared.

A Snapshot is a value. Many requests may read it at once, and nothing in it depends on the
clock: questions that depend on "today" (what is in force, what is upcoming) take it as an
argument, so a server that runs past midnight answers them anew.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import MappingProxyType

from tracker.config import Config
from tracker.dates import looks_like_date, parse_date
from tracker.errors import InputError, NotFoundError, shown
from tracker.history.documents import path_id
from tracker.history.links import composed
from tracker.history.meant import meant
from tracker.history.model import (
    INVALID_ID,
    LEFT_OUT,
    Document,
    Documents,
    Loader,
    Problem,
    Version,
    left_out,
)
from tracker.history.releases import (
    EntryRow,
    Place,
    Release,
    ReleaseRows,
    Releases,
    contents_keys,
    place_of,
)
from tracker.repository.paths import Root, check_ref

# A document's key, the path of its newest version, and what is wrong with that version.
Notice = tuple[int, str, str]
PAGES = ("history", "diff", "feed.atom")  # the website's pages under a chapter's address
API_PAGES = ("history", "diff")  # the JSON API's (/api/chapters/{id}/history), of those
# A static copy's pages under a chapter's address besides those (``Urls``, query strings made
# parts of the address): the chapter as in force on a date, and what changed between two
# versions (its parts dates, commits or '-', any part read so), on the text or the source.
_COPY_PAGES = re.compile(r"at/[0-9]{4}-[0-9]{2}-[0-9]{2}|diff/[^/]+/[^/]+(/source)?")
# A revision the website reads (``Snapshot.published_point``): a name, then steps back along
# the first-parent line (``~``, ``~3``, ``^``, ``^1``; ``^2``, a merge's other parent, is not
# on the line); and a commit's id, or its start.
_REVISION = re.compile(r"([^~^]+)((?:~[0-9]*|\^1?)*)")
_STEP = re.compile(r"~[0-9]*|\^1?")
_HEX = re.compile(r"[0-9a-f]{4,64}")


def page_addresses(ident: str) -> list[tuple[str, str]]:
    """Each (id, page) such that ``ident`` reads as the address of that page of a document with
    that id, on the website or in a static copy of it: ``a/history`` is the address of a's
    history (its diff and feed likewise), ``a/at/2024-10-02`` of a's page as in force on that
    day in a static copy, ``a/diff/A/B`` (``/source``) of what changed in it between A and B;
    so where a document has the id ``a``, a document with such an id cannot be shown."""
    parent, _, page = ident.rpartition("/")
    found = [(parent, page)] if parent and page in PAGES else []
    parts = ident.split("/")
    for cut in (2, 3, 4):
        page = "/".join(parts[-cut:])
        if len(parts) > cut and _COPY_PAGES.fullmatch(page):
            found.append(("/".join(parts[:-cut]), page))
    return found


def page_of(parent: str, page: str) -> str:
    """How ``tracker check`` and ``tracker new`` name a page of ``page_addresses``: "the
    history page of 'a' on the website"."""
    if page in PAGES:
        return f"the {page} page of {parent!r} on the website"
    kind, first, *rest = page.split("/")
    if kind == "at":
        what = f"the page of {parent!r} as in force on {first}"
    else:
        source = " (on its Markdown source)" if rest[1:] else ""
        what = f"the page of what changed in {parent!r} from {first} to {rest[0]}{source}"
    return f"{what} in a static copy of the website"


def notices_of(document: Document) -> list[Notice]:
    """What is wrong with a document's newest version (said by the commands that show it)."""
    latest = document.latest
    problems = () if latest.deleted else latest.meta.problems
    return [(document.key, latest.path, str(problem)) for problem in problems]


class NotYetInForce(NotFoundError):
    """A document asked for on a day before its first version went live (a diff ending
    then, or the API's document on that day)."""

    def __init__(self, document: Document, day: date) -> None:
        super().__init__(f"{document.id!r} was not yet in force on {day}.")
        self.document, self.day = document, day


@dataclass(frozen=True)
class Outline:
    """What a snapshot needs of a document without reading it: its place in the contents, the
    ids it answers to and what is wrong with it. Kept per document, so that a new commit works
    out again only the documents it touches."""

    place: Place
    names: tuple[tuple[str, int], ...]  # (id, rank): see names_of
    notices: tuple[Notice, ...]

    @classmethod
    def of(cls, document: Document) -> Outline:
        latest = document.latest
        rank = (0 if latest.meta.id else 1) if not latest.deleted else 2
        names = ((document.id, rank), *((alias, 3) for alias in document.aliases))
        return cls(place_of(document), names, tuple(notices_of(document)))


def names_of(outlines: Iterable[Outline]) -> dict[str, int]:
    """Every id and former id (``outlines`` in contents order) -> the document it names.

    An id names, of the documents that have it now, the first that is published and whose id
    is explicit, else the first published, else the first; a former id names the first
    document that had it, when no document has it now.
    """
    best: dict[str, tuple[int, int, int]] = {}  # id -> (rank, place, key): the least wins
    for place, outline in enumerate(outlines):
        for ident, rank in outline.names:
            found = (rank, place, outline.place[0])
            if ident not in best or found < best[ident]:
                best[ident] = found
    return {ident: found[2] for ident, found in best.items()}


def contents(outlines: Mapping[int, Outline], sections: Sequence[str]) -> list[int]:
    """The documents' keys in table-of-contents order."""
    return contents_keys((outlines[key].place for key in sorted(outlines)), sections)


def changed_days(
    before: Mapping[int, Sequence[tuple[date, EntryRow]]],
    after: Mapping[int, Sequence[tuple[date, EntryRow]]],
    orders: tuple[Sequence[int], Sequence[int]],
) -> set[date]:
    """The release days whose entries change when the documents of ``after`` (their entries
    now) are worked out again: the days on which a document's row differs from ``before``
    (their entries as kept; none for a document new to the manual), and every day of a
    document when the places of the documents already in the contents changed among
    themselves (``orders``: the contents order before and after), since each day's rows are
    in contents order."""
    old, new = orders
    kept = set(old)  # (one worked out again may move among the others worked out again too)
    days: set[date] = set()
    for key, entries in after.items():
        was, now = dict(before.get(key, ())), dict(entries)
        among = {*kept, key}
        if [k for k in old if k in among] != [k for k in new if k in among]:
            days.update(was.keys() | now.keys())
        else:
            days.update(day for day in was.keys() | now.keys() if was.get(day) != now.get(day))
    return days


def entries_by_day(
    order: Sequence[int],
    kept: Mapping[date, Sequence[EntryRow]],
    new: Mapping[int, Sequence[tuple[date, EntryRow]]],
) -> dict[date, list[EntryRow]]:
    """The release entries of some days: those ``kept`` of the documents not in ``new``, and
    those of ``new`` (the documents worked out again), each day's in contents order (``order``).
    A day left without entries maps to an empty list."""
    found: dict[date, list[EntryRow]] = {
        day: [row for row in rows if row[0] not in new] for day, rows in kept.items()
    }
    for entries in new.values():
        for day, row in entries:
            found.setdefault(day, []).append(row)
    position = {key: number for number, key in enumerate(order)}
    for rows in found.values():
        rows.sort(key=lambda row: position[row[0]])
    return found


def assemble(
    head: tuple[str, str, Root, Config],
    problems: tuple[Problem, ...],
    line: Sequence[str],
    outlines: Mapping[int, Outline],
    order: Sequence[int],
    known: tuple[Mapping[int, Document], Loader | None],
    releases: Callable[[], ReleaseRows],
) -> Snapshot:
    """The snapshot of ``head`` (branch, commit, root, settings) from each document's outline
    (``order``: their keys in contents order); ``known``: the documents in memory, and how to
    read the others when first wanted; ``releases``: how to read the release entries."""
    ordered = [outlines[key] for key in order]
    notices = tuple(notice for outline in ordered for notice in outline.notices)
    parts = (problems, line, names_of(ordered), notices)
    return made(head, Documents(order, *known), releases, parts)


def made(
    head: tuple[str, str, Root, Config],
    documents: Documents,
    releases: Callable[[], ReleaseRows],
    parts: tuple[tuple[Problem, ...], Sequence[str], Mapping[str, int], tuple[Notice, ...]],
) -> Snapshot:
    """A snapshot of its parts (``parts``: problems, the first-parent line oldest first, the
    names of documents and the notices), its releases made from their rows when first wanted."""
    branch, commit, root, config = head
    problems, line, names, notices = parts
    return Snapshot(
        branch=branch,
        head=commit,
        root=root,
        config=config,
        documents=documents,
        releases=Releases(documents, releases),
        problems=problems,
        line=MappingProxyType({sha: number for number, sha in enumerate(line)}),
        names=MappingProxyType(dict(names)),
        notices=notices,
    )


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
    documents: Documents  # table-of-contents order
    releases: Releases  # oldest first
    problems: tuple[Problem, ...]
    line: Mapping[str, int]  # commit id -> its place on the first-parent line (read-only)
    names: Mapping[str, int]  # id or former id -> the key of the document it names
    notices: tuple[Notice, ...]  # what is wrong with each document's newest version

    def read_all(self) -> None:
        """Read every document and release now (a server keeps them): the kept history's file
        is then no longer needed."""
        self.documents.read_all()
        self.releases.read_all()

    def left_out(self, document: Document) -> list[Problem]:
        """The versions of a document that could not be read and are not published."""
        return left_out(self.problems, document)

    def has_id(self, ident: str) -> bool:
        """Whether a document has this id now (a former id is not enough)."""
        ident = composed(ident)
        key = self.names.get(ident)  # (a document that has it now comes before a former one)
        return key is not None and self.documents.by_key(key).id == ident

    @cached_property
    def clashing(self) -> Mapping[str, tuple[str, str]]:
        """The ids whose address on the website, or in a static copy of it, is a page of
        another document that has its id now, each with that id and page (``page_addresses``):
        no document with one of them can be shown at its address (``tracker check``'s
        address-clash). Read from the names, reading only the documents that could be one."""
        found = {}
        for ident in self.names:
            addresses = [a for a in page_addresses(ident) if self.has_id(a[0])]
            if addresses and self.has_id(ident):
                found[ident] = addresses[0]
        return MappingProxyType(found)

    def document(self, ident: str) -> Document:
        """The document with this id (or a former id), or NotFoundError.

        Where two share an id (a duplicate, or a withdrawn document whose id a new one took)
        the one still published wins, then the one whose id is explicit (``names_of``).
        """
        ident = composed(ident)
        key = self.names.get(ident)
        if key is None:
            unread = [p for p in self.problems if p.rule in LEFT_OUT and p.document is None]
            named = [p for p in unread if path_id(p.where) == ident]
            if named:  # a file that would be that document, had it been read
                why = "is not published" if named[-1].rule == INVALID_ID else "could not be read"
                raise NotFoundError(
                    f"There is no document with the id {shown(ident)}: {named[-1].where} {why} "
                    "(see 'tracker check')."
                )
            said = meant(self.documents, self.root, ident)
            raise NotFoundError(f"There is no document with the id {shown(ident)}{said}")
        return self.documents.by_key(key)

    def on_day(self, ident: str, day: date) -> Document:
        """The document an id names on a day: the one whose version in force then had the id
        (a case note cites an id as it was), else the one it names now (NotFoundError)."""
        return self.named_on(composed(ident), day) or self.document(ident)

    def named_on(self, ident: str, day: date) -> Document | None:
        """The document whose version in force on ``day`` had this id, if one did (an id
        renamed away and later given to another file named the first one then)."""
        for document in self.documents:
            version = document.shown_on(day)
            if version is not None and version.id == ident and not version.deleted:
                return document
        return None

    def release(self, day: date) -> Release:
        """The release on ``day``, or NotFoundError."""
        for release in self.releases:
            if release.date == day:
                return release
        raise NotFoundError(f"There is no release on {day.isoformat()}.")

    def upcoming(self, today: date) -> tuple[Release, ...]:
        """Releases after ``today``, soonest first."""
        return self.releases.after(today)

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
            return document.shown_on(point.day)
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

    def published_point(self, text: str) -> Point:
        """A date or a revision a reader of the website named, found in this snapshot alone,
        never by git: the branch's own name or one of its commits (the whole id or its first
        4 or more hex digits), either followed by steps back along the line (``main~2``,
        ``3f9c2a1^``). Any other name answers as a name that names nothing does, whether or
        not a branch or tag has it: so no answer tells what else the repository holds (draft
        branches may be named after cases or people)."""
        if looks_like_date(text):
            return Point(text, day=parse_date(text))
        check_ref(text)  # (malformed: 400, whatever the repository holds)
        named = _REVISION.fullmatch(text)
        base, steps = named.groups() if named else ("", "")
        commit = self.head if base in (self.branch, "HEAD") else self._commit_from(base, text)
        back = sum(int(step[1:] or 1) for step in _STEP.findall(steps))
        position = self.line[commit] - back if commit is not None else -1
        if position < 0:
            raise NotFoundError(
                f"{shown(text)} is not a date (YYYY-MM-DD) or a commit of the branch "
                f"{self.branch!r}: each chapter's history lists the commits of its versions."
            )
        return Point(text, commit=self._by_position[position] if back else commit)

    def _commit_from(self, text: str, asked: str) -> str | None:
        """The commit of the line whose id is or begins with ``text`` (4 or more hex digits)."""
        prefix = text.lower()
        if not _HEX.fullmatch(prefix):
            return None
        if prefix in self.line:
            return prefix
        found = [commit for commit in self.line if commit.startswith(prefix)]
        if len(found) > 1:
            raise InputError(
                f"{shown(asked)} begins the ids of {len(found)} commits of the branch "
                f"{self.branch!r}: give more of the one meant."
            )
        return found[0] if found else None

    @cached_property
    def _by_position(self) -> tuple[str, ...]:
        """The first-parent line's commits, oldest first (``line`` the other way round)."""
        return tuple(sorted(self.line, key=self.line.__getitem__))

    def compared(
        self, document: Document, start: Point | None, end: Point | None, today: date
    ) -> tuple[Version | None, Version]:
        """The two versions a diff compares (None: the defaults).

        By default the version in force today is compared with the version before it.
        """
        if end is not None:
            after = self.version_at(document, end)
            if after is None and end.day is not None:  # (it may exist, waiting to go live)
                raise NotYetInForce(document, end.day)
            if after is None:
                raise NotFoundError(f"{document.id!r} did not exist yet at {end.text!r}.")
        else:
            after = document.shown_on(today) or document.latest
        if start is not None:
            return self.version_at(document, start), after
        position = document.versions.index(after)
        return (document.versions[position - 1] if position else None), after
