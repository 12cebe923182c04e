"""Plain text and JSON views of releases and histories, shared by the CLI and the web API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from tracker.dates import in_words, looks_like_date, parse_date
from tracker.errors import InputError
from tracker.history import texts
from tracker.history.model import Document, Note, Version, unique_notes
from tracker.history.releases import Entry, Release
from tracker.history.snapshot import Snapshot
from tracker.publish.contents import never_in_force, unread_since, went_live

Words = Callable[[date], str]  # how a sentence writes a date

# (version before, version after) -> the summary of that change as data
Summariser = Callable[[Version | None, Version], dict[str, Any]]


def version_json(version: Version) -> dict[str, Any]:
    """One version as SPEC §7's history shape, with the reasons behind its date."""
    return {
        "commit": version.commit,
        "committed": version.committed.isoformat(),
        "go_live": version.effective.isoformat(),
        "declared_go_live": version.declared.date.isoformat(),
        "go_live_source": version.declared.source,
        "back_dated_to": version.declared.back_dated.isoformat()
        if version.declared.back_dated
        else None,
        "held_back_by": version.held_back_by,
        "minor": version.minor,
        "note": version.note,
        "notes": [note.text for note in version.notes],
        "change_note": any(note.explicit for note in version.notes),
        "kind": version.kind,
        "path": version.path,
        "title": version.title,
        "author": version.author,
        "sources": list(version.sources),
    }


def history_json(
    document: Document, summarise: Summariser | None = None, snapshot: Snapshot | None = None
) -> dict[str, Any]:
    """A document's versions, oldest first; each with what it changed, given a summariser; and,
    given the snapshot, the versions left out because they could not be read (``left_out``:
    the day each was committed, its file and why; a reader of the versions alone could not
    know that one is missing: exploratory testing of history shapes)."""
    versions = []
    for number, version in enumerate(document.versions):
        data = version_json(version)
        if summarise is not None:
            data["summary"] = summarise(document.versions[number - 1] if number else None, version)
        versions.append(data)
    found: dict[str, Any] = {
        "id": document.id,
        "title": document.latest.title,
        "type": document.latest.type,
        "former_ids": [alias for alias in document.aliases if alias != document.id],
        "versions": versions,
    }
    if snapshot is not None:
        found["left_out"] = [
            {"committed": p.committed and str(p.committed), "file": p.where, "reason": p.message}
            for p in snapshot.left_out(document)
        ]
    return found


def entry_json(entry: Entry, summarise: Summariser | None = None) -> dict[str, Any]:
    """One release entry; with what changed in it, given a summariser."""
    extra = {"summary": summarise(entry.before, entry.version)} if summarise else {}
    return extra | {
        "id": entry.id,
        "title": entry.title,
        "type": entry.type,
        "change": entry.change,
        "renamed": entry.renamed,
        "minor": entry.minor,
        "notes": [note.text for note in entry.notes],
    }


def release_json(
    release: Release, today: date, summarise: Summariser | None = None
) -> dict[str, Any]:
    """One release and its entries."""
    return {
        "date": release.date.isoformat(),
        "upcoming": release.is_upcoming(today),
        "entries": [entry_json(entry, summarise) for entry in release.entries],
    }


def releases_text(snapshot: Snapshot, today: date) -> str:
    """Every release, newest first, one line per entry (written from the entries' rows as
    kept: thousands of releases, without making an object for each entry)."""
    rows = reversed(snapshot.releases.rows())
    days = ((day.isoformat(), texts.day_lines(entries)) for day, entries in rows)
    return texts.releases_text(days, today.isoformat())


def history_text(document: Document, today: date) -> str:
    """A document's versions, oldest first, with why each goes live when it does."""
    goes_live = document.latest.effective.isoformat()
    return texts.history_end(texts.history_lines(document), goes_live, today.isoformat())


def comparing(
    document: Document,
    start: Version | None,
    end: Version,
    asked: str | None = None,
    words: Words = in_words,
) -> str:
    """What a diff compares, in words for practitioners (``asked``: the start a user named;
    ``words``: how dates are written, ``dates.short_date`` on the website's pages)."""
    after = described(document, end, words)
    if start is None and asked:
        why = absent_at(asked, words)
        return f"{why[0].upper()}{why[1:]}, so the whole of {after} is shown as new."
    if start is None:
        return f"The whole of {after}, the first."
    if start is end:  # (two dates within one version, or after the withdrawal)
        if end.withdrawn:
            day = words(withdrawn_since(document, end).effective)
            return f"Nothing changed: it was withdrawn on {day}, before both."
        return f"Nothing changed: both are {after}."
    return f"Comparing {described(document, start, words)} with {after}."


def days_compared(
    document: Document, start: Version | None, end: Version, words: Words = in_words
) -> str:
    """The days of the versions a diff compares, as its page's title gives them ("8 November
    2023 to 13 November 2024"; "up to …" for a first version, "… (no change)" for a version
    compared with itself), so that two diffs' titles differ as their versions do."""

    def day(version: Version) -> str:  # (as ``described`` names it)
        live = went_live(document, version)
        return words(version.effective if live else version.committed.date())

    if start is None:
        return f"up to {day(end)}"
    if start is end:
        return f"{day(end)} (no change)"
    return f"{day(start)} to {day(end)}"


def described(document: Document, version: Version, words: Words = in_words) -> str:
    """A version as a diff names it: by the day it went live, or by its commit's day when it
    never did (a later commit took its place before its day came)."""
    if not went_live(document, version):
        what = "the withdrawal" if version.withdrawn else "the version"
        when = words(version.committed.date())
        return f"{what} committed on {when} (replaced before it went live)"
    if not version.withdrawn:
        return f"the version in force from {words(version.effective)}"
    since = withdrawn_since(document, version)
    if since is version or since.effective == version.effective:
        return f"its withdrawal on {words(version.effective)}"
    day, withdrawn = words(version.effective), words(since.effective)
    if version.deleted:  # (an archived chapter's file deleted: no text)
        return f"its file's deletion on {day}, while withdrawn (since {withdrawn})"
    return f"its text as changed on {day}, while withdrawn (since {withdrawn})"


def withdrawn_since(document: Document, version: Version) -> Version:
    """The version that withdrew a withdrawn version's document (itself, or the first of the
    withdrawn versions just before it: an archived chapter's file may still be edited)."""
    versions = document.versions
    at = versions.index(version)
    # (back over the withdrawn versions and the drafts never in force between them: a chapter
    # withdrawn, drafted again and withdrawn before the draft went live was withdrawn once)
    while at > 0 and (versions[at - 1].withdrawn or not went_live(document, versions[at - 1])):
        at -= 1
    while versions[at] is not version and not (
        versions[at].withdrawn and went_live(document, versions[at])
    ):
        at += 1  # (a withdrawal replaced before its day was never one)
    return versions[at]


def notes_between(document: Document, start: Version | None, end: Version) -> tuple[Note, ...]:
    """The notes of every version a diff covers, each text once: those after ``start`` up to
    ``end`` (from the first, without a start); ``end``'s alone when it is not after ``start``
    (two dates on either side of several changes show them all, not the last one's note)."""
    versions = document.versions
    last = versions.index(end)
    first = versions.index(start) + 1 if start is not None else 0
    covered = versions[first : last + 1] if first <= last else (end,)
    return unique_notes(note for version in covered for note in version.notes)


def diff_json(
    document: Document, start: Version | None, end: Version, body: Any, asked: str | None
) -> dict[str, Any]:
    """A diff as data (the command line's ``diff --format json`` and the API's)."""
    found: dict[str, Any] = {
        "id": document.id,
        "from": version_json(start) if start else None,
        "to": version_json(end),
        "notes": [note.text for note in notes_between(document, start, end)],
        "diff": body,
    }
    if start is None and asked:
        found["from_absent"] = absent_at(asked)
    return found


def absent_at(asked: str, words: Words = in_words) -> str:
    """Why a diff from the date or revision a user named starts from nothing; ``tracker show``
    says the same when asked for that date."""
    if looks_like_date(asked):
        return f"it was not yet in force on {words(parse_date(asked))}"
    return f"it did not exist yet at {asked!r}"


def version_label(version: Version | None, asked: str | None = None) -> str:
    """How a diff names a version (``asked``: the start a user named)."""
    if version is None:
        return f"nothing ({absent_at(asked)})" if asked else "(nothing)"
    return f"{version.path} @ {version.commit[:10]} (go-live {version.effective.isoformat()})"


def diff_page(title: str, between: str, summary: str, body: str) -> str:
    """A standalone accessible HTML page around a rendered diff."""
    css = (Path(__file__).parent / "templates" / "diff.css").read_text(encoding="utf-8")
    from markupsafe import Markup  # with Jinja2, for this page only

    from tracker.publish.templating import template_environment
    from tracker.trackchanges.shared import shift_headings

    template = template_environment({}).get_template("diff_page.html.j2")
    # Both are ours: the diff's HTML is built from sanitised fragments, the CSS ships with us.
    trusted = {"body": Markup(shift_headings(body, 2)), "css": Markup(css)}  # noqa: S704
    return template.render(title=title, between=between, summary=summary, **trusted)


def shown_on(
    snapshot: Snapshot, document: Document, ident: str, day: date, today: date
) -> tuple[Version, list[str]]:
    """The version ``tracker show`` prints for an id on a day, with notes to say of it; an
    InputError where no text of it is in force then."""
    notes = []
    then = snapshot.on_day(ident, day)  # (a case note cites an id as it was then)
    if then is not document:
        now = f"now {then.id!r}" if then.id != ident else "withdrawn since"
        notes.append(f"on {day} {ident!r} named another document ({now}); that is shown.")
        document = then
    never = never_said(document, today)
    if never is not None:
        raise InputError(never)
    version = document.shown_on(day)
    if version is None:
        raise InputError(f"{document.id!r} was not yet in force on {day.isoformat()}.")
    if version.deleted:  # (withdrawn on the day the page says: a draft's never counts)
        withdrawal = withdrawn_since(document, version)
        raise InputError(f"{document.id!r} was withdrawn on {withdrawal.effective.isoformat()}.")
    if version.withdrawn:  # (its own text: an archived file may name what replaced it)
        notes.append(f"{document.id!r} is archived (withdrawn).")
    notes += [
        f"a later version, committed on {gone.committed}, could not be read ({gone.message}): "
        f"it may have been in force on {day} in place of the text shown."
        for gone in unread_since(snapshot, document, version, day)
    ]
    return version, notes


def never_said(document: Document, today: date) -> str | None:
    """What to say of a document none of whose texts is ever in force (added and withdrawn
    before going live: its texts are drafts no one was asked to follow); None for others."""
    if not never_in_force(document):
        return None
    gone = document.latest.effective
    if gone > today:
        said = f"is never in force: it is withdrawn on {gone}, the day it would go live"
    else:
        said = f"was never in force: it was withdrawn on {gone}, the day it would have gone live"
    return f"{document.id!r} {said}."
