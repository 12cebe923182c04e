"""The practitioners' pages (SPEC §8): home, contents, chapter, history, diff, releases, search.

Every route reads one ``View`` (the snapshot now, today's date) and asks the engine; what a page
says about chapters (what is recent, which text to show) is ``tracker.publish.contents``.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import partial
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from tracker.dates import PARTS, PartsError, from_parts, parse_date, short_date
from tracker.errors import InputError, NotFoundError
from tracker.history.ids import MAX_ID
from tracker.history.links import LARGEST_IMAGE
from tracker.history.model import Document, Version
from tracker.history.releases import Release
from tracker.history.snapshot import NotYetInForce, Snapshot
from tracker.publish import contents as chapters
from tracker.publish.chapter import render_chapter, rewrite_links
from tracker.publish.views import comparing, days_compared, notes_between, withdrawn_since
from tracker.repository.paths import check_path
from tracker.trackchanges.shared import shift_headings
from web import newsletters
from web.addresses import IMAGES, linker, media, successor_link, titler
from web.rendering import current_view, render_page, scrolling_tables, site
from web.site import View

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)
get = partial(router.api_route, methods=["GET", "HEAD"])
MAX_QUERY = 200
MAX_PART = 20  # characters of a date's day, month or year given back in the form
# (A commit of the branch: its id or 4+ hex digits of it, or the branch's name, with ~N or ^.)
FROM = Query(None, alias="from", description="a date (YYYY-MM-DD) or a commit of the branch")
TO = Query(None, alias="to", description="a date (YYYY-MM-DD) or a commit of the branch")
# Files of the manual a chapter may show, by ending: images only, each with its media type.
MAX_FILE = LARGEST_IMAGE  # bytes
# An image is a document of its own when opened: nothing in it may run, nothing be fetched.
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def check_id(ident: str) -> str:
    """A chapter id from an address: refused before it is looked up if it could not be one."""
    if (
        not ident
        or len(ident) > MAX_ID
        or ident.startswith("/")
        or any(part in ("", ".", "..") for part in ident.split("/"))
        or any(ord(char) < 32 or char == "\x7f" for char in ident)
    ):
        raise InputError("The chapter id in this address is not valid.")
    return ident


def document_for(view: View, ident: str, page: str) -> Document | None:
    """The document whose ``page`` an address names, or None when the address names a chapter
    whose own id ends with that word (``/chapters/guides/history`` for the id ``guides/history``).
    """
    snapshot = view.snapshot
    if not snapshot.has_id(ident) and snapshot.has_id(f"{ident}/{page}"):
        return None
    return snapshot.document(check_id(ident))


def compared(
    view: View, document: Document, start: str | None, end: str | None
) -> tuple[Version | None, Version]:
    """The two versions a diff compares, from the dates or commits of the branch an address
    names (``Snapshot.published_point``: a reader names no other branch or tag, and cannot
    tell from the answer whether one exists)."""
    snapshot = view.snapshot
    points = [snapshot.published_point(text) if text else None for text in (start, end)]
    return snapshot.compared(document, points[0], points[1], view.today)


def day_from(text: str | None, what: str) -> date | None:
    """A date from the query string, or None when not given."""
    return parse_date(text, what) if text else None


@get("/")
def home(request: Request) -> Response:
    view = current_view(request)
    upcoming = view.snapshot.upcoming(view.today)
    past = [r for r in view.snapshot.releases if not r.is_upcoming(view.today)]
    context = {
        "upcoming": upcoming[0] if upcoming else None,
        "latest": past[-1] if past else None,
        "recent": chapters.recently_updated(view.snapshot, view.today),
    }
    return render_page(request, "home.html", context, view=view)


@get("/chapters")
def contents(request: Request) -> Response:
    view = current_view(request)
    listing = chapters.contents(view.snapshot, view.today)
    context = {"sections": listing.sections, "withdrawn": listing.withdrawn, "title": "Contents"}
    return render_page(request, "contents.html", context, view=view)


@get("/chapters/{ident:path}/history")
def history(request: Request, ident: str) -> Response:
    view = current_view(request)
    document = document_for(view, ident, "history")
    if document is None:
        return chapter(request, f"{ident}/history", request.query_params.get("at"))
    changes = document.changes
    summarise = view.manual.differ.summariser(changes)
    rows = []
    for before, version in changes:
        rows.append(
            {
                "version": version,
                "before": before,
                "summary": summarise(before, version),
                "went_live": chapters.went_live(document, version),
            }
        )
    rows.reverse()
    latest = document.latest
    context = {
        "document": document,
        "rows": rows,
        "title": f"History of {latest.title}",
        "left_out": view.snapshot.left_out(document),
        "selected_from": document.versions[-2].commit if len(document.versions) > 1 else "",
        "selected_to": latest.commit,
    }
    return render_page(request, "history.html", context, view=view)


@get("/chapters/{ident:path}/diff")
def diff(
    request: Request,
    ident: str,
    start: str | None = FROM,
    end: str | None = TO,
    source: bool = False,
) -> Response:
    view = current_view(request)
    document = document_for(view, ident, "diff")
    if document is None:
        return chapter(request, f"{ident}/diff", request.query_params.get("at"))
    manual = view.manual
    try:
        before, after = compared(view, document, start, end)
    except NotYetInForce as error:  # (said as the page says it: title and date in words)
        raise NotFoundError(
            f"{document.latest.title} was not yet in force on {short_date(error.day)}."
        ) from None
    body = manual.differ.view(before, after, "source-html" if source else "html")
    if not source:
        old = media(view, before) if before else None
        link, titles = linker(view, None), titler(view)
        was = before.path if before else None  # (its links' targets went from there)
        body = rewrite_links(body, after.path, link, media(view, after), old, titles, was)
    release = next((r for r in view.snapshot.releases if r.date == after.effective), None)
    context = {
        "document": document,
        "before": before,
        "after": after,
        "release": release,
        "between": comparing(document, before, after, start, short_date),
        "notes": notes_between(document, before, after) if before else (),
        "summary": manual.differ.view(before, after, "summary"),
        "body": Markup(  # noqa: S704 (built from sanitised fragments)
            shift_headings(body, 2) if source else scrolling_tables(shift_headings(body, 2))
        ),
        "source": source,
        "start": start or (before.commit if before else ""),
        "end": end or after.commit,
        "selected_from": before.commit if before else "",
        "selected_to": after.commit,
        "title": f"What changed in {after.title}",
        "days": days_compared(document, before, after, short_date),
    }
    return render_page(request, "diff.html", context, view=view)


@get("/chapters/{ident:path}")
def chapter(request: Request, ident: str, at: str | None = None) -> Response:
    view = current_view(request)
    # A date asked for in the page's form (``_date_form.html``), read from the query whichever
    # route sends the request here (an id ending "/history" is the history's).
    given = {name: request.query_params.get(name) for name in PARTS}
    asked = None
    if at is None and any(value is not None for value in given.values()):
        found = _asked(view, ident, {name: value or "" for name, value in given.items()})
        if isinstance(found, Response):
            return found
        asked = found
    return _chapter(request, view, ident, day_from(at, "date"), asked)


def _asked(view: View, ident: str, parts: dict[str, str]) -> Response | dict[str, Any] | None:
    """Where a date the form asks for leads (303 to ``?at=YYYY-MM-DD``, the address a case
    note cites), or what to mend, said on the page: a date that is none, or one before the
    chapter first came into force (whose page would be a 404: review)."""
    try:
        on = from_parts(**parts)
        document = moved_to(view.snapshot, check_id(ident), on)  # (an unknown id: 404)
        _in_force_on(
            view.snapshot.document(document) if isinstance(document, str) else document, on
        )
    except PartsError as error:  # (the page, today's, saying what to mend)
        typed = {name: value[:MAX_PART] for name, value in parts.items()}
        return {"error": str(error), "fields": error.fields, "typed": typed}
    address = view.urls.chapter(ident, on)  # (none: an id whose address is another page's)
    return RedirectResponse(address, status_code=303) if address else None


def _in_force_on(document: Document, on: date) -> None:
    """PartsError unless the document has a page on ``on`` (one never in force has one)."""
    if chapters.never_in_force(document) or document.shown_on(on) is not None:
        return
    first = chapters.first_version(document)
    raise PartsError(
        f"The date must be on or after {short_date(first.effective)}, when this {first.type} "
        "first came into force",
        PARTS,
    )


def _chapter(
    request: Request, view: View, ident: str, day: date | None, asked: dict[str, Any] | None
) -> Response:
    """The chapter's page on ``day`` (None: today), with what is wrong with a date its form
    asked for (``asked``: then 400)."""
    status, dated = 200 if asked is None else 400, day is not None
    document = moved_to(view.snapshot, check_id(ident), day)
    if isinstance(document, str):  # a former id (renamed): the chapter's address now
        # 302, not 301: a former id may later be given to another chapter, and browsers keep
        # a permanent redirect for ever.
        address = view.urls.chapter(document, day)
        assert address is not None  # (moved_to sends no one to an address that is another's)
        if asked is not None:  # (the date to mend: said on the chapter's page, as typed)
            address += f"?{urlencode(asked['typed'])}"
        return RedirectResponse(address, status_code=302)
    if chapters.never_in_force(document):  # added and withdrawn before going live: none of
        # its texts was ever in force, so none is shown
        latest = document.latest
        context = {
            "document": document,
            "version": latest,
            "title": latest.title,
            "never": True,
            "at": None,
            "body": "",
            "next": None,
            "previous": None,
            "withdrawal_notes": latest.notes,
            "own_pages": view.snapshot.document(document.id) is document,
            "asked": asked,
            "noindex": dated,
        }  # fmt: skip (the withdrawal's own)
        return render_page(request, "chapter.html", context, status, view)
    version = document.shown_on(day or view.today)
    if version is None and day is None:  # not yet in force: show it as it will go live
        version = chapters.first_version(document)
        day = version.effective
    if version is None:
        assert day is not None  # without a date, the first version was taken above
        raise NotFoundError(f"{document.latest.title} was not yet in force on {short_date(day)}.")
    # What changed on a day is what every version going live that day changed (SPEC §4), and
    # a withdrawn chapter was withdrawn by the first of its withdrawn versions. Its text is the
    # version's own (an archived file may be edited to name what replaced it), or a deletion's
    # last text in force (not a draft's, never in force).
    withdrawal = withdrawn_since(document, version) if version.withdrawn else version
    shown = chapters.text_version(document, version)
    text = view.manual.texts.of(shown) if shown else ""
    html = render_chapter(text, shown.path, linker(view, day), media(view, shown)) if shown else ""
    coming = chapters.next_version(document, version)
    today = document.shown_on(view.today)
    changed = chapters.changed_by(document, version)
    context = {
        "document": document,
        "version": version,
        "at": day,
        "title": version.title,
        "body": Markup(scrolling_tables(html)),  # noqa: S704 (Markdown sanitised by nh3)
        "next": coming,
        "next_notes": chapters.notes_on(document, coming.effective) if coming else (),
        "goes_live": chapters.first_version(document).effective,
        "previous": chapters.previous_version(document, version),
        "notes": chapters.notes_on(document, version.effective),
        "withdrawal": withdrawal,
        "withdrawal_notes": chapters.notes_on(document, withdrawal.effective),
        "successor": successor_link(view, document, withdrawal) if version.withdrawn else None,
        # The version a date names may be today's: then it is no past or future version.
        "in_force_today": today is not None,
        "shows_current": chapters.unchanged_between(document, version, today),
        # The day its text last changed (a day whose changes were undone is none), and whether
        # that change has a page (the first version's has none).
        "changed": changed,
        "changed_from": chapters.previous_version(document, changed),
        # A document shown at an id another has now (withdrawn since) has no pages of its own
        # to link to: its id's history, feed and diffs are the other's.
        "own_pages": view.snapshot.document(document.id) is document,
        "asked": asked,
        "unread": chapters.unread_since(view.snapshot, document, version, day or view.today),
        "noindex": dated,  # (a search engine shows the chapter's own address, not a day's)
    }
    return render_page(request, "chapter.html", context, status, view)


def moved_to(snapshot: Snapshot, ident: str, day: date | None) -> Document | str:
    """The document an id names (on ``day``: the one that had the id then, as a case note
    cites it), or the id to send the reader on to: the document's own, when that names the
    same document (on the day), so that a reader is sent on at most once, never in a loop;
    never to an address that is another document's page (``Snapshot.clashing``)."""
    document = snapshot.on_day(ident, day) if day else snapshot.document(ident)
    if document.id == ident:
        return document
    there = snapshot.on_day(document.id, day) if day else snapshot.document(document.id)
    if there is not document or document.id in snapshot.clashing:
        return document  # shown at this address
    return document.id


@get("/files/{commit}/{path:path}")
def file(request: Request, commit: str, path: str) -> Response:
    view = current_view(request)
    kind = IMAGES.get(PurePosixPath(path).suffix.lower())
    published = view.snapshot.config.is_published  # (as the manual's documents: not _drafts/)
    if kind is None or not published(check_path(path)):
        raise NotFoundError("Only the images the manual publishes are served at this address.")
    if commit not in view.snapshot.line:
        raise NotFoundError("That commit is not one of the manual's versions.")
    where = view.snapshot.root.join(path)
    data = view.manual.texts.file(commit, where, MAX_FILE)
    for other in ("NFD", "NFC") if data is None and not where.isascii() else ():
        # (a chapter names the image with its accents joined to their letters, or apart, and
        # the file was saved the other way: the same name, as a link's is)
        named = unicodedata.normalize(other, path)
        if named != path and published(named):
            data = data or view.manual.texts.file(commit, view.snapshot.root.join(named), MAX_FILE)
    if data is None:
        raise NotFoundError(
            f"The manual had no image {path!r} of at most {MAX_FILE // 1_000_000} MB then."
        )
    headers = {"Content-Security-Policy": FILE_POLICY, "Cache-Control": "public, max-age=300"}
    return Response(data, media_type=kind, headers=headers)


@get("/releases")
def releases(request: Request) -> Response:
    view = current_view(request)
    everything = list(reversed(view.snapshot.releases))
    context = {
        "upcoming": [r for r in everything if r.is_upcoming(view.today)],
        "past": [r for r in everything if not r.is_upcoming(view.today)],
        "title": "Releases",
    }
    return render_page(request, "releases.html", context, view=view)


def release_on(view: View, text: str, page: bool = True) -> Release:
    """The release on a date from an address: 400 if it is not a date, 404 if none (said with
    the date as pages write it; ``page`` False: as the API and the command line write it)."""
    day = parse_date(text, "release date")
    try:
        return view.snapshot.release(day)
    except NotFoundError:
        if not page:
            raise
        raise NotFoundError(f"There is no release on {short_date(day)}.") from None


@get("/releases/{day}")
def release(request: Request, day: str) -> Response:
    view = current_view(request)
    found = release_on(view, day)
    summarise = view.manual.differ.summariser((e.before, e.version) for e in found.entries)
    entries = [(entry, summarise(entry.before, entry.version)) for entry in found.entries]
    context = {"release": found, "entries": entries}
    return render_page(request, "release.html", context, view=view)


@get("/releases/{day}/newsletter")
def newsletter(request: Request, day: str, format: str = "html") -> Response:
    view = current_view(request)
    found = release_on(view, day)
    fmt = newsletters.check_format(format)
    context: dict[str, Any] = {
        "release": found,
        "format": fmt,
        "formats": newsletters.LABELS,
        "text": newsletters.render(view, found, fmt, str(request.base_url)),
        # (without a site_url, the links name this address, which readers may not reach)
        "asked_at": "" if view.snapshot.config.site_url else str(request.base_url).rstrip("/"),
    }
    return render_page(request, "newsletter.html", context, view=view)


@get("/releases/{day}/newsletter.{extension}")
def newsletter_file(
    request: Request, day: str, extension: str, inline: bool = False, alone: bool = False
) -> Response:
    view = current_view(request)
    found = release_on(view, day)
    return newsletters.download(view, found, extension, str(request.base_url), inline, alone)


@get("/search")
def search(request: Request, q: str = "") -> Response:
    view = current_view(request)
    query = " ".join("".join(c if c.isprintable() else " " for c in q[:MAX_QUERY]).split())
    hits = site(request).search_index(view).search(query) if query else []
    context = {"query": query, "hits": hits, "title": "Search"}
    return render_page(request, "search.html", context, view=view)
