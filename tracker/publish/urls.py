"""Every address the service gives out, built in one place from the manual's ``site_url``.

With a ``site_url`` the addresses are absolute (newsletters, feeds); without one they are
paths from the site's root (``/chapters/referrals``), which the web pages use as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class Urls:
    """Addresses of the pages of one manual."""

    site_url: str = ""  # validated by the config: http(s), no trailing slash

    @property
    def absolute(self) -> bool:
        """Whether the addresses carry the site's own address (so work outside it)."""
        return bool(self.site_url)

    def _path(self, path: str, query: dict[str, str] | None = None) -> str:
        return self.site_url + path + (f"?{urlencode(query)}" if query else "")

    def home(self) -> str:
        """The home page."""
        return self._path("/")

    def contents(self) -> str:
        """The table of contents."""
        return self._path("/chapters")

    def chapter(self, ident: str, at: date | None = None) -> str:
        """A chapter as in force today, or on ``at``."""
        return self._path(f"/chapters/{quote(ident)}", {"at": at.isoformat()} if at else None)

    def history(self, ident: str) -> str:
        """A chapter's versions."""
        return self._path(f"/chapters/{quote(ident)}/history")

    def diff(self, ident: str, start: str = "", end: str = "") -> str:
        """What changed in a chapter between two dates or revisions (default: its last change)."""
        query = {key: value for key, value in (("from", start), ("to", end)) if value}
        return self._path(f"/chapters/{quote(ident)}/diff", query)

    def release_diff(self, ident: str, day: date) -> str:
        """What changed in a chapter on a release date: the day before against the day."""
        return self.diff(ident, (day - timedelta(days=1)).isoformat(), day.isoformat())

    def file(self, commit: str, path: str) -> str:
        """A file of the manual (an image a chapter shows) as it was at a commit, by its path
        under the root."""
        return self._path(f"/files/{commit}/{quote(path)}")

    def chapter_feed(self, ident: str) -> str:
        """A chapter's Atom feed."""
        return self._path(f"/chapters/{quote(ident)}/feed.atom")

    def releases(self) -> str:
        """Every release."""
        return self._path("/releases")

    def release(self, day: date) -> str:
        """One release."""
        return self._path(f"/releases/{day.isoformat()}")

    def newsletter(self, day: date, fmt: str | None = None) -> str:
        """A release's newsletter section."""
        query = {"format": fmt} if fmt else None
        return self._path(f"/releases/{day.isoformat()}/newsletter", query)

    def newsletter_file(self, day: date, extension: str, inline: bool = False) -> str:
        """A release's newsletter section as a file to download (or, ``inline``, to show)."""
        query = {"inline": "true"} if inline else None
        return self._path(f"/releases/{day.isoformat()}/newsletter.{extension}", query)

    def search(self) -> str:
        """The search page."""
        return self._path("/search")

    def api(self) -> str:
        """The JSON API's description."""
        return self._path("/openapi.json")

    def releases_feed(self) -> str:
        """The Atom feed of releases."""
        return self._path("/feeds/releases.atom")
