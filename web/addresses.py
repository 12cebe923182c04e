"""The addresses a chapter's rendered links and images take on the website: a chapter's
page (on a day, or as it stands), its title where a diff's note names it, and an image's file
as at a version's commit."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

from tracker.history.links import IMAGE_TYPES
from tracker.history.model import Document, Version
from tracker.publish import contents as chapters
from tracker.publish.chapter import NO_PAGE, Linker, Media, Titles
from web.site import View

IMAGES = IMAGE_TYPES  # (tracker check's broken-image asks the same)


def linker(view: View, day: date | None) -> Linker:
    """Maps a document path under the root to its page (keeping the date when one is shown)."""
    by_path = chapters.ids_by_path(view.snapshot)

    def link(path: str, fragment: str) -> str | None:
        ident = by_path.get(path)
        if ident is None:
            return None
        on = day
        if on is not None and view.exported is not None:
            # A static export has no page for a chapter on a day it was not in force (the
            # service answers 404 there): such a link goes to the chapter as it stands.
            on = day if view.snapshot.document(ident).shown_on(on) is not None else None
        address = view.urls.chapter(ident, on)
        if address is None:  # a chapter that cannot be shown: its words stand unlinked
            return NO_PAGE
        return f"{address}#{fragment}" if fragment else address

    return link


def titler(view: View) -> Titles:
    """Maps a document path under the root to its title as its page shows it today
    (``shown_title``: a static export's pages that show it key it so, ``web/pagekeys.py``)."""
    by_path = chapters.ids_by_path(view.snapshot)

    def title(path: str) -> str | None:
        ident = by_path.get(path)
        if ident is None:
            return None
        return chapters.shown_title(view.snapshot.document(ident), view.today)

    return title


def media(view: View, version: Version) -> Media:
    """Maps an image's path under the root to its address as it was in ``version``'s commit."""

    def address(path: str) -> str | None:
        if PurePosixPath(path).suffix.lower() not in IMAGES:
            return None
        if not view.snapshot.config.is_published(path):  # (_drafts/, exclude: not served)
            return None
        return view.urls.file(version.commit, path)

    return address


def successor_link(view: View, document: Document, withdrawal: Version) -> tuple[str, str] | None:
    """The title and address (or "": no page) of the chapter a withdrawn one went on as under
    another id (``chapters.successor``), or None."""
    found = chapters.successor(view.snapshot, document, withdrawal)
    if found is None:
        return None
    return chapters.shown_title(found, view.today), view.urls.chapter(found.id) or ""
