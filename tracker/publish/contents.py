"""What the website says about chapters: the contents, what is recent, which text to show."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from tracker.history.links import composed
from tracker.history.model import Document, Note, Problem, Version, unique_notes
from tracker.history.releases import day_notes, undone_on
from tracker.history.snapshot import Snapshot
from tracker.history.texts import ended

RECENT_DAYS = 90  # the contents tag a chapter New or Updated for releases this recent
RECENT_CHAPTERS = 10  # the home page lists this many recently updated chapters
OTHER_SECTION = "Other procedures"  # where documents without a section are listed


@dataclass(frozen=True)
class Listed:
    """One line of the contents: the document, its version in force, and a tag if recent."""

    document: Document
    version: Version
    tag: str | None = None


@dataclass(frozen=True)
class Contents:
    """The contents on a day: sections in table-of-contents order, and withdrawn documents."""

    sections: dict[str, list[Listed]]
    withdrawn: list[Listed]


def contents(snapshot: Snapshot, today: date) -> Contents:
    """Documents in force by section (in the snapshot's order); withdrawn ones apart."""
    tags = recent_tags(snapshot, today)
    sections: dict[str, list[Listed]] = {}
    withdrawn = []
    for document in snapshot.documents:
        version = document.shown_on(today)
        if version is None:
            continue
        if version.withdrawn:
            withdrawn.append(Listed(document, version))
        else:
            section = sections.setdefault(version.meta.section or OTHER_SECTION, [])
            section.append(Listed(document, version, tags.get(document.id)))
    return Contents(sections, withdrawn)


def recent_tags(snapshot: Snapshot, today: date) -> dict[str, str]:
    """ "New" or "Updated 13 November 2024" for documents changed by recent releases."""
    since = today - timedelta(days=RECENT_DAYS)
    tags: dict[str, str] = {}
    for release in snapshot.releases:
        if since < release.date <= today:
            for entry in release.entries:
                if entry.change == "new":
                    tags[entry.id] = "New"
                elif entry.change == "updated" and not entry.minor:
                    tags[entry.id] = f"Updated {release.date.day} {release.date:%B %Y}"
    return tags


def recently_updated(snapshot: Snapshot, today: date) -> list[Listed]:
    """Documents in force whose last change for practitioners (not an editorial one) went live
    most recently, newest first; each with the version that made that change."""
    found = []
    for document in snapshot.documents:
        current = document.in_force(today)
        if current is None or current.withdrawn:
            continue
        change = last_change(document, today)
        if change is not None:
            found.append(Listed(document, change))
    found.sort(key=lambda listed: listed.version.effective, reverse=True)
    return found[:RECENT_CHAPTERS]


def last_change(document: Document, today: date) -> Version | None:
    """The version in force from the newest day after the first that went live by ``today``
    and changed the document for practitioners, as its release entry says (not every change
    that day editorial, nor undone that day).

    Read from the version in force backwards, a day at a time, so that a chapter's whole
    history is not walked on every home page (it was, and grew with the manual's age).
    """
    versions = document.versions
    last = bisect.bisect_right(versions, today, key=_effective) - 1  # versions[:last+1] live
    while last > 0:
        day = versions[last].effective
        first = last
        while first > 0 and versions[first - 1].effective == day:
            first -= 1
        going_live = versions[first : last + 1]
        if first > 0 and not all(v.minor for v in going_live) and not undone_on(document, day):
            return versions[last]
        last = first - 1
    return None


def _effective(version: Version) -> date:
    return version.effective


def text_version(document: Document, version: Version) -> Version | None:
    """The version whose text is shown: this one, or for a deletion the last one with text
    that was in force (a draft deleted before its day was never anyone's to follow)."""
    if not version.deleted:
        return version
    earlier = [
        v
        for v in document.versions
        if v.effective <= version.effective and not v.deleted and went_live(document, v)
    ]
    return earlier[-1] if earlier else None


def previous_version(document: Document, version: Version) -> Version | None:
    """The version before this one, if any."""
    position = document.versions.index(version)
    return document.versions[position - 1] if position else None


def next_version(document: Document, version: Version) -> Version | None:
    """The next version to go live after this one (the one in force from that day), if any;
    a day whose changes are undone that day (``undone``) is none: nothing changes."""
    days = sorted({v.effective for v in document.versions if v.effective > version.effective})
    coming = [day for day in days if not undone_on(document, day)]
    return document.in_force(coming[0]) if coming else None


def changed_by(document: Document, version: Version) -> Version:
    """The version whose day last changed what ``version`` shows: itself, or, where the changes
    going live on its day were undone that day (``undone``), the one in force the day before
    (and so on back): what a page says was "last updated"."""
    while undone_on(document, version.effective):
        before = document.place_in_force(version.effective - timedelta(days=1))
        assert before is not None  # (undone: something was in force the day before)
        version = document.versions[before]
    return version


def unchanged_between(document: Document, one: Version, other: Version | None) -> bool:
    """Whether ``other`` (in force on another day) is ``one``, or every change between them was
    undone the day it went live (``undone``): practitioners read the same text either day."""
    if other is None or one is other:
        return one is other
    low, high = sorted((one.effective, other.effective))
    days = {v.effective for v in document.versions if low < v.effective <= high}
    return all(undone_on(document, day) for day in days)


def first_version(document: Document) -> Version:
    """The version a document first goes live with (for one not yet in force): its first
    text to go live, drafts withdrawn before going live passed over."""
    published = document.first_published
    if published is not None:
        return published
    return document.in_force(document.versions[0].effective) or document.versions[0]


def shown_title(document: Document, today: date) -> str:
    """A document's title as its page shows it today (a withdrawn chapter's: its last text's;
    one not yet in force: the one it goes live with)."""
    return (document.shown_on(today) or first_version(document)).title


def successor(snapshot: Snapshot, document: Document, withdrawal: Version) -> Document | None:
    """The chapter a withdrawn one's file went on as when it was given another id (said by
    ``id-changed`` in the history), by the commit that withdrew it: where a reader whose
    bookmark leads to the withdrawn page goes on to (practitioners' exploratory testing)."""
    for problem in snapshot.problems:
        if problem.rule != "id-changed" or problem.document != document.key:
            continue
        ident = ids_by_path(snapshot).get(composed(problem.where))
        other = snapshot.document(ident) if ident is not None else None
        if other is not None and any(v.commit == withdrawal.commit for v in other.versions):
            return other
    return None


@lru_cache(maxsize=8)
def ids_by_path(snapshot: Snapshot) -> Mapping[str, str]:
    """Every path a document has had under the root, its accents joined to their letters
    (``composed``: as a link names it, whichever way either saved them) -> its id (worked out
    once per snapshot: each chapter page and diff turns its links into pages with it)."""
    found = {}
    for document in snapshot.documents:
        for version in document.versions:
            found[composed(version.path)] = document.id
    return MappingProxyType(found)


def never_in_force(document: Document) -> bool:
    """Whether no text of the document is ever in force: every version with a text is
    withdrawn, or replaced on the day it would go live (added and deleted before going live)."""
    return all(v.withdrawn or not went_live(document, v) for v in document.versions)


def notes_on(document: Document, day: date) -> tuple[Note, ...]:
    """What a chapter's page says changed on ``day``: its release entry's notes (those of every
    version going live that day but editorial ones, SPEC §4), or on a day of editorial changes
    alone, theirs; none on a day whose changes are undone that day (``undone``: the text is as
    it was, and the notes would announce what is not in force)."""
    if undone_on(document, day):
        return ()
    going_live = document.going_live(day)
    return day_notes(going_live) or unique_notes(n for v in going_live for n in v.notes)


def sentences(notes: Iterable[Note]) -> str:
    """Notes one after another as the website's pages write them: each ends as a sentence
    does (a commit's subject line, taken as a note, has no full stop), so none run together."""
    return " ".join(ended(note.text) for note in notes if note.text.strip())


def went_live(document: Document, version: Version) -> bool:
    """False for a version superseded by a later one going live the same day."""
    return document.went_live(version)


def unread_since(
    snapshot: Snapshot, document: Document, version: Version, day: date
) -> list[Problem]:
    """The versions of a document whose contents git lacks (a damaged copy: they were
    published) committed after ``version`` and by ``day``: one may have been in force on
    ``day`` in its place (the page stated the version before as in force then: exploratory
    testing of history shapes). A text that is not UTF-8, too large or an LFS pointer was never
    published, so the version before it was in force: it is not counted."""
    since = version.committed.date()
    return [
        problem
        for problem in snapshot.left_out(document)
        if problem.rule == "missing-object"
        and problem.committed is not None
        and since <= problem.committed <= day
    ]
