"""A static copy's addresses for a renamed chapter's former ids, which keep working
(docs/decisions.md): bookmarks and case notes cite them.

The service answers a former id's address as it answers the chapter's: it redirects the
chapter's page (today's, or on a date) to the chapter's own address, and serves the chapter's
history, diffs, feed and API documents there as they are. A file server cannot redirect. So at
each former id's address of a page the export has for the chapter, it writes a small page that
sends the browser on at once (``<meta http-equiv="refresh">``), says where to with a link a
reader can follow, and names the chapter's page as the canonical one; the feed and the API's
documents at a former id are made by the service, as it answers them (the same as the
chapter's). Nothing is written where the copy has a page of its own (another chapter took the
id, or its address reads as one of a page of the chapter's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from html import escape
from urllib.parse import quote

from tracker.errors import NotFoundError
from tracker.history.model import Document
from tracker.history.snapshot import Snapshot
from tracker.publish.urls import Exported
from web.site import View


def former_ids(snapshot: Snapshot) -> list[tuple[str, Document]]:
    """Each former id the service still answers for a document, with that document."""
    current = {document.id for document in snapshot.documents}
    found = []
    for document in snapshot.documents:
        for alias in document.aliases:
            if alias == document.id or alias in current:
                continue
            try:
                if snapshot.document(alias).key != document.key:
                    continue  # another document answers to it
            except NotFoundError:
                continue
            found.append((alias, document))
    return found


def seed(view: View, exported: Exported) -> None:
    """Record the feed and the API's documents at each former id, for the service to make:
    static address -> the service's (never in place of an address the copy has already)."""
    for alias, _document in former_ids(view.snapshot):
        chapter = f"/chapters/{quote(alias)}"
        exported.setdefault(f"{chapter}/feed.atom", f"{chapter}/feed.atom")
        exported.setdefault(f"/api{chapter}.json", f"/api{chapter}")
        exported.setdefault(f"/api{chapter}/history.json", f"/api{chapter}/history")


def pages(
    view: View, exported: Exported, base: str, written: Callable[[str], bool]
) -> Iterator[tuple[str, str]]:
    """The page at each former id's address of each page the copy has for a chapter (its
    page, on each date, its history and diffs; ``written``: whether a page's file was
    written), as (address, HTML) pairs."""
    routes: dict[str, list[str]] = defaultdict(list)  # the service's path -> static pages
    for static, served in exported.items():
        if served is not None and static.endswith("/"):
            routes[served.partition("?")[0]].append(static)
    title = view.snapshot.config.title
    # (no redirect only case apart from a page the copy has: where case is ignored, Windows'
    # and a Mac's file systems, some servers', the two are one file, and the page would be
    # lost to a redirect to itself; the page answers that address there anyway)
    folded = {static.casefold() for static in exported}
    for alias, document in former_ids(view.snapshot):
        own, former = f"/chapters/{quote(document.id)}/", f"/chapters/{quote(alias)}/"
        # (the address of a document that cannot be shown is another document's page)
        chapter = () if document.id in view.snapshot.clashing else (own.rstrip("/"),)
        for route in (*chapter, f"{own}history", f"{own}diff"):
            for target in routes.get(route, ()):
                moved = former + target.removeprefix(own)
                if target.startswith(own) and moved.casefold() not in folded and written(target):
                    yield moved, _page(alias, document, base, target, title)


def _page(alias: str, document: Document, base: str, target: str, manual: str) -> str:
    """A page that sends the browser on to ``target`` (a static address)."""
    name, address, now = escape(document.latest.title), escape(target), escape(document.id)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>This page has moved \N{EN DASH} {escape(manual)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="canonical" href="{escape(base)}{address}">\n'
        f'<meta http-equiv="refresh" content="0; url={address}">\n'
        "</head>\n<body>\n<main>\n<h1>This page has moved</h1>\n"
        f"<p>{name} has a new address: its id is now {now} (it was {escape(alias)}).</p>\n"
        f'<p>This page is now at <a href="{address}">{escape(base)}{address}</a>.</p>\n'
        "</main>\n</body>\n</html>\n"
    )
