"""The practitioners' pages (SPEC §8): home, contents, chapter, history, diff, releases, search."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from tracker.dates import parse_date
from tracker.errors import InputError, NotFoundError
from tracker.history.model import Document, Version
from tracker.history.releases import Release
from tracker.publish.chapter import render_chapter, rewrite_links
from tracker.publish.views import comparing
from tracker.trackchanges.views import shift_headings
from web import newsletters
from web.rendering import render_page, site
from web.site import View

router = APIRouter(default_response_class=HTMLResponse)
RECENT_DAYS = 90  # contents tags a chapter New or Updated for releases this recent
RECENT_CHAPTERS = 10  # the home page lists this many recently updated chapters
MAX_ID = 300
FROM = Query(None, alias="from", description="a date (YYYY-MM-DD) or a commit of the branch")
TO = Query(None, alias="to", description="a date (YYYY-MM-DD) or a commit of the branch")


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


def day_from(text: str | None, what: str) -> date | None:
    """A date from the query string, or None when not given."""
    return parse_date(text, what) if text else None


@router.get("/")
def home(request: Request) -> Response:
    view = site(request).view()
    upcoming = view.snapshot.upcoming(view.today)
    past = [r for r in view.snapshot.releases if not r.is_upcoming(view.today)]
    context = {
        "upcoming": upcoming[0] if upcoming else None,
        "latest": past[-1] if past else None,
        "recent": recently_updated(view),
    }
    return render_page(request, "home.html", context, view=view)


def recently_updated(view: View) -> list[tuple[Document, Version]]:
    """Chapters in force whose latest change went live most recently, newest first."""
    found = []
    for document in view.snapshot.documents:
        version = document.in_force(view.today)
        if version is not None and not version.withdrawn and len(document.versions) > 1:
            found.append((document, version))
    found.sort(key=lambda pair: pair[1].effective, reverse=True)
    return found[:RECENT_CHAPTERS]


@router.get("/chapters")
def contents(request: Request) -> Response:
    view = site(request).view()
    tags = recent_tags(view)
    sections: dict[str, list[tuple[Document, Version, str | None]]] = {}
    withdrawn = []
    for document in view.snapshot.documents:
        version = document.in_force(view.today)
        if version is None:
            continue
        if version.withdrawn:
            withdrawn.append((document, version))
            continue
        section = version.meta.section or "Other procedures"
        sections.setdefault(section, []).append((document, version, tags.get(document.id)))
    context = {"sections": sections, "withdrawn": withdrawn}
    return render_page(request, "contents.html", context, view=view)


def recent_tags(view: View) -> dict[str, str]:
    """ "New" or "Updated 13 November 2024" for chapters changed by recent releases."""
    since = view.today - timedelta(days=RECENT_DAYS)
    tags: dict[str, str] = {}
    for release in view.snapshot.releases:
        if since < release.date <= view.today:
            for entry in release.entries:
                if entry.change == "new":
                    tags[entry.id] = "New"
                elif entry.change == "updated" and not entry.minor:
                    tags[entry.id] = f"Updated {release.date.day} {release.date:%B %Y}"
    return tags


@router.get("/chapters/{ident:path}/history")
def history(request: Request, ident: str) -> Response:
    view = site(request).view()
    document = view.snapshot.document(check_id(ident))
    differ = view.manual.differ
    rows = []
    for number, version in enumerate(document.versions):
        before = document.versions[number - 1] if number else None
        rows.append({"version": version, "before": before,
                     "summary": differ.summary(before, version)})  # fmt: skip
    rows.reverse()
    context = {"document": document, "rows": rows, "title": document.latest.title}
    return render_page(request, "history.html", context, view=view)


@router.get("/chapters/{ident:path}/diff")
def diff(
    request: Request,
    ident: str,
    start: str | None = FROM,
    end: str | None = TO,
    source: bool = False,
) -> Response:
    view = site(request).view()
    document = view.snapshot.document(check_id(ident))
    manual = view.manual
    before, after = manual.compared(view.snapshot, document, start, end, view.today)
    body = manual.differ.view(before, after, "source-html" if source else "html")
    if not source:
        body = rewrite_links(body, after.path, _linker(view, None))
    context = {
        "document": document,
        "before": before,
        "after": after,
        "between": comparing(before, after),
        "summary": manual.differ.view(before, after, "summary"),
        "body": Markup(shift_headings(body, 2)),  # noqa: S704 (built from sanitised fragments)
        "source": source,
        "start": start or (before.commit if before else ""),
        "end": end or after.commit,
        "title": after.title,
    }
    return render_page(request, "diff.html", context, view=view)


@router.get("/chapters/{ident:path}")
def chapter(request: Request, ident: str, at: str | None = None) -> Response:
    view = site(request).view()
    document = view.snapshot.document(check_id(ident))
    day = day_from(at, "date")
    version = document.in_force(day or view.today)
    if version is None:
        raise NotFoundError(
            f"{document.latest.title} was not yet in force on {(day or view.today).isoformat()}."
        )
    shown = _last_text(document, version)
    text = view.manual.texts.of(shown) if shown else ""
    context = {
        "document": document,
        "version": version,
        "at": day,
        "title": version.title,
        "body": Markup(render_chapter(text, shown.path, _linker(view, day)) if shown else ""),  # noqa: S704
        "next": _next_version(document, version),
        "previous": _previous(document, version),
    }
    return render_page(request, "chapter.html", context, view=view)


def _last_text(document: Document, version: Version) -> Version | None:
    """The version whose text is shown: this one, or for a deletion the one before it."""
    if not version.deleted:
        return version
    earlier = [v for v in document.versions if v.effective <= version.effective and not v.deleted]
    return earlier[-1] if earlier else None


def _previous(document: Document, version: Version) -> Version | None:
    position = document.versions.index(version)
    return document.versions[position - 1] if position else None


def _next_version(document: Document, version: Version) -> Version | None:
    """The next version to go live after the one shown, if any."""
    later = [v for v in document.versions if v.effective > version.effective]
    return later[0] if later else None


def _linker(view: View, day: date | None) -> Any:
    """Maps a document path under the root to its page (keeping the date when one is shown)."""
    by_path: dict[str, str] = {}
    for document in view.snapshot.documents:
        for version in document.versions:
            by_path[version.path] = document.id

    def link(path: str, fragment: str) -> str | None:
        ident = by_path.get(path)
        if ident is None:
            return None
        address = view.urls.chapter(ident, day)
        return f"{address}#{fragment}" if fragment else address

    return link


@router.get("/releases")
def releases(request: Request) -> Response:
    view = site(request).view()
    everything = list(reversed(view.snapshot.releases))
    context = {
        "upcoming": [r for r in everything if r.is_upcoming(view.today)],
        "past": [r for r in everything if not r.is_upcoming(view.today)],
    }
    return render_page(request, "releases.html", context, view=view)


def release_on(view: View, text: str) -> Release:
    """The release on a date from an address: 400 if it is not a date, 404 if none."""
    return view.snapshot.release(parse_date(text, "release date"))


@router.get("/releases/{day}")
def release(request: Request, day: str) -> Response:
    view = site(request).view()
    found = release_on(view, day)
    differ = view.manual.differ
    entries = [(entry, differ.summary(entry.before, entry.version)) for entry in found.entries]
    context = {"release": found, "entries": entries}
    return render_page(request, "release.html", context, view=view)


@router.get("/releases/{day}/newsletter")
def newsletter(request: Request, day: str, format: str = "html") -> Response:
    view = site(request).view()
    found = release_on(view, day)
    fmt = newsletters.check_format(format)
    context = {
        "release": found,
        "format": fmt,
        "formats": newsletters.LABELS,
        "text": newsletters.render(view, found, fmt),
    }
    return render_page(request, "newsletter.html", context, view=view)


@router.get("/releases/{day}/newsletter.{extension}")
def newsletter_file(request: Request, day: str, extension: str, inline: bool = False) -> Response:
    view = site(request).view()
    found = release_on(view, day)
    return newsletters.download(view, found, extension, inline)


@router.get("/search")
def search(request: Request, q: str = "") -> Response:
    view = site(request).view()
    query = q.strip()[:200]
    hits = site(request).search_index(view).search(query) if query else []
    context = {"query": query, "hits": hits}
    return render_page(request, "search.html", context, view=view)
