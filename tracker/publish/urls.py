"""Every address the service gives out, built in one place from the manual's ``site_url``.

With a ``site_url`` the addresses are absolute (newsletters, feeds); without one they are
paths from the site's root (``/chapters/referrals``), which the web pages use as they are.

A static export (``tracker build``) gives every page an address a plain file server can serve,
with no query string (``/chapters/referrals/at/2024-11-13/``), and records for each one the
address the service answers it at, so that the exporter writes exactly the pages linked to.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote, urlencode

# A static export's addresses: each static path, and the service's address that answers it
# (None for a file the exporter writes itself, such as the API's index).
Exported = dict[str, str | None]


@dataclass(frozen=True)
class Urls:
    """Addresses of the pages of one manual."""

    site_url: str = ""  # validated by the config: http(s), no trailing slash
    # Exporting: static addresses, each recorded here with the service's address for it.
    exported: Exported | None = field(default=None, compare=False)
    # Ids whose address is another document's page (``Snapshot.clashing``): no page of the
    # site shows such a document at its address, so none is given out for it.
    clashing: Container[str] = field(default=frozenset(), compare=False)

    @property
    def absolute(self) -> bool:
        """Whether the addresses carry the site's own address (so work outside it)."""
        return bool(self.site_url)

    @property
    def static(self) -> bool:
        """Whether these are a static export's addresses."""
        return self.exported is not None

    def _path(
        self, path: str, query: dict[str, str] | None = None, static: str | None = None
    ) -> str:
        """``path`` with its query; when exporting, ``static`` (default: ``path``) instead."""
        served = path + (f"?{urlencode(query)}" if query else "")
        if self.exported is None:
            return self.site_url + served
        chosen = path if static is None else static
        self.exported.setdefault(chosen, served)
        return self.site_url + chosen

    def home(self) -> str:
        """The home page."""
        return self._path("/")

    def contents(self) -> str:
        """The table of contents."""
        return self._path("/chapters", static="/chapters/")

    def chapter(self, ident: str, at: date | None = None) -> str | None:
        """A chapter as in force today, or on ``at``; None for one that cannot be shown at its
        address (``clashing``: a link to it would open another document's page)."""
        if ident in self.clashing:
            return None
        path = f"/chapters/{quote(ident)}"
        static = f"{path}/at/{at.isoformat()}/" if at else f"{path}/"
        return self._path(path, {"at": at.isoformat()} if at else None, static)

    def api_chapter(self, ident: str, at: date) -> str:
        """The JSON API's answer for a chapter on a day (no static export has one)."""
        return self.site_url + f"/api/chapters/{quote(ident)}?{urlencode({'at': at.isoformat()})}"

    def history(self, ident: str) -> str:
        """A chapter's versions."""
        path = f"/chapters/{quote(ident)}/history"
        return self._path(path, static=f"{path}/")

    def diff(self, ident: str, start: str = "", end: str = "", source: bool = False) -> str:
        """What changed in a chapter between two dates or revisions (default: its last change),
        on the text or (``source``) on the Markdown."""
        query = {key: value for key, value in (("from", start), ("to", end)) if value}
        path = f"/chapters/{quote(ident)}/diff"
        static = f"{path}/{quote(start or '-', safe='')}/{quote(end or '-', safe='')}/"
        if source:
            query["source"] = "true"
            static += "source/"
        return self._path(path, query, static)

    def release_diff(self, ident: str, day: date) -> str:
        """What changed in a chapter on a release date: the day before against the day."""
        return self.diff(ident, (day - timedelta(days=1)).isoformat(), day.isoformat())

    def file(self, commit: str, path: str) -> str:
        """A file of the manual (an image a chapter shows) as it was at a commit, by its path
        under the root."""
        return self._path(f"/files/{commit}/{quote(path)}")

    def permanent(self, path: str) -> str:
        """An id of a feed or of its entry (RFC 4287: it never changes, "relocated, migrated,
        ... exported"): the service's address ``path``, served or exported alike."""
        return self.site_url + path

    def chapter_feed(self, ident: str) -> str:
        """A chapter's Atom feed."""
        return self._path(f"/chapters/{quote(ident)}/feed.atom")

    def releases(self) -> str:
        """Every release."""
        return self._path("/releases", static="/releases/")

    def release(self, day: date) -> str:
        """One release."""
        path = f"/releases/{day.isoformat()}"
        return self._path(path, static=f"{path}/")

    def newsletter(self, day: date, fmt: str | None = None) -> str:
        """A release's newsletter section."""
        query = {"format": fmt} if fmt else None
        path = f"/releases/{day.isoformat()}/newsletter"
        static = f"{path}/" if fmt in (None, "html") else f"{path}/{fmt}/"
        return self._path(path, query, static)

    def newsletter_file(
        self, day: date, extension: str, inline: bool = False, alone: bool = False
    ) -> str:
        """A release's newsletter section as a file to download (or, ``inline``, to show; the
        email HTML ``alone`` on a page of its own, with a heading and a way back)."""
        query = {"inline": "true", **({"alone": "true"} if alone else {})} if inline else None
        path = f"/releases/{day.isoformat()}/newsletter"
        # (the email as the frame shows it, and on a page of its own)
        static = f"{path}-preview{'-page' if alone else ''}.html" if inline else None
        return self._path(f"{path}.{extension}", query, static)

    def search(self) -> str:
        """The search page."""
        return self._path("/search", static="/search/")

    def search_index(self) -> str:
        """What a static export's search page searches: the documents in force, as JSON."""
        return self._record("/search/index.json")

    def api(self) -> str:
        """The JSON API's description (in a static export, the list of its documents)."""
        return self._record("/api/index.json") if self.static else self._path("/openapi.json")

    def _record(self, static: str) -> str:
        """A static export's file that no address of the service answers."""
        if self.exported is not None:
            self.exported.setdefault(static, None)
        return self.site_url + static

    def releases_feed(self) -> str:
        """The Atom feed of releases."""
        return self._path("/feeds/releases.atom")

    def newsletter_feed(self) -> str:
        """The Atom feed of releases gone live, for a mailing tool's RSS-to-email."""
        return self._path("/feeds/newsletter.atom")
