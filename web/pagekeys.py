"""What shapes each page of a static export, as one key: a page whose key is unchanged since
the last build is not rendered again (``web/export.py``).

Every key starts from what shapes every page (``Keys.shared``): the code and the libraries
that render (their files and versions), the manual's settings and its own templates, where
today falls among the manual's dates (``era``; the day itself when ``--today`` fixed it, since
every page then shows a banner naming it), the export's address and the assets. Then:

- a page about one document (the chapter, as in force on a date, its history, its diffs, its
  feed, its API documents) adds that document's versions, the problems that left versions of
  it out, the dates of releases among its versions and every path and id of the manual (its
  links to other chapters); a diff adds every chapter's title as shown today (a note of a
  link that now goes elsewhere names the chapters it goes to and went to), and so does the
  page of a chapter whose file went on under another id (it names that chapter); a
  chapter as in force on a date also adds which chapters were in force that day (the export
  links a chapter only on a day it was in force), and whether the day is today or after it
  (its banner says so);
- a page about one release (the release, its newsletter section in each format, its API
  documents) adds what the release holds: each entry's versions, notes and kind;
- a file of the manual (``/files/COMMIT/PATH``) is named by its commit, so it never changes;
- any other page (those that list everything: home, contents, releases, feeds, search) adds
  the branch head, which settles everything the manual says; a chapter's API document adds
  the day itself (it names the day its version is in force on), and so does the releases
  feed while it has no release to show (it then says it was updated today).

Pages read today only to compare it with the manual's dates: whether a version has gone live,
whether a release is upcoming, whether a release is recent enough for the contents to tag its
chapters. So a build on a new day renders every page again only when one of those dates was
passed since (``era``, in every key), and otherwise only the chapters' API documents. A page
that comes to read today otherwise (a count of days, the date itself) must add its dates to
``era``, or the day to its key (as the API documents do); ``tests/test_export.py`` builds on
the first and the last day of each era and compares with a build from nothing.

A key errs on the side of rendering again: any doubt about which route answers an address
(a chapter whose id ends in ``/history``, a former id's feed or API document) falls back to
the branch head. The pages at a former id's addresses that send the browser on to the
chapter's (``web/moved.py``) are not rendered and have no key: every build makes them anew. A page
that comes to show more (another chapter's title on a chapter's page, say) must add it to its
key here; ``tests/test_export.py`` checks, after each kind of change, that a build over the
last one equals a build from nothing.
"""

from __future__ import annotations

import hashlib
import re
import sys
from datetime import date, timedelta
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import parse_qs, unquote

from tracker.config import CONFIG_FILE
from tracker.errors import ConfigError, NotFoundError, TrackerError
from tracker.history.model import Document
from tracker.history.releases import Release
from tracker.history.snapshot import Snapshot
from tracker.publish.contents import RECENT_DAYS, ids_by_path, shown_title
from web.site import View

# The libraries whose output ends up in pages: a new version may render differently.
LIBRARIES = ("markdown", "nh3", "jinja2", "govuk-frontend-jinja", "feedgen", "css-inline",
             "fastapi", "starlette", "pydantic", "markupsafe")  # fmt: skip
CODE = (Path(__file__).parent, Path(__file__).parent.parent / "tracker")  # web/ and tracker/
_SUFFIXES = ("history", "diff", "feed.atom")  # the routes under a chapter's address
_RELEASE = re.compile(r"/(?:api/)?releases/(\d{4}-\d{2}-\d{2})(?:/newsletter(?:\.\w+)?)?")
_CHAPTER = re.compile(r"/(?:api/)?chapters/(.+)")
_FEEDS = ("/feeds/releases.atom", "/feeds/newsletter.atom")  # say they were updated today
# when they have no release (gone live) yet


@cache
def code_version() -> str:
    """A digest of the code that renders pages (every file of web/ and tracker/, the versions
    of the libraries it uses, and Python's): a new release of any of them renders anew."""
    digest = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-\n".encode())
    for folder in CODE:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and "build" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def era(snapshot: Snapshot, today: date) -> date | None:
    """The latest of the manual's dates on or before ``today`` that a page compares today
    with (None: today is before them all): pages read the same on every day from it until the
    next. Those dates: each version's go-live, each release's date, and the day a release stops
    being recent for the contents' tags (``RECENT_DAYS`` later)."""
    latest: date | None = None
    for document in snapshot.documents:
        for version in document.versions:  # (go-live dates never go down along them)
            if version.effective > today:
                break
            if latest is None or version.effective > latest:
                latest = version.effective
    recent = timedelta(days=RECENT_DAYS)
    for release in snapshot.releases:
        days = [release.date]
        if release.date <= today - recent:  # (else after today; 9999-12-31 has no day after)
            days.append(release.date + recent)
        for day in days:
            if day <= today and (latest is None or day > latest):
                latest = day
    return latest


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class Keys:
    """The key of each page of one build, from the view every page of the build reads."""

    def __init__(self, view: View, base: str, styled: bool, fixed_today: bool) -> None:
        snapshot = view.snapshot
        self.view = view
        manual = view.manual
        settings = manual.repo.read_file(snapshot.head, snapshot.root.join(CONFIG_FILE))
        try:
            templates = sorted(manual.texts.templates(snapshot).items())
        except ConfigError as error:  # (a template not UTF-8: its pages say so; others build)
            templates = [("", str(error))]
        stale = (view.stale, snapshot.head) if view.stale else None
        when = view.today if fixed_today else era(snapshot, view.today)
        # (and which documents cannot be shown at their address: every page that lists or
        # links one names it unlinked, whichever document's arrival made the clash)
        clashing = sorted(snapshot.clashing.items())
        self.shared = _digest(
            code_version(), settings, templates, when, fixed_today, base, styled,
            stale, snapshot.root.folder, snapshot.branch, clashing,
        )  # fmt: skip
        # (and the versions left out: a partial clone's texts fetched since, at the same head)
        left = sorted(p.where for p in snapshot.problems if p.rule == "missing-object")
        self.head = _digest(self.shared, snapshot.head, left)
        self.files = _digest(code_version(), base, styled)  # images: named by their commit
        by_path = ids_by_path(snapshot)
        self.names = {d.id for d in snapshot.documents} | {
            alias for d in snapshot.documents for alias in d.aliases
        }
        self.links = _digest(sorted(by_path.items()), sorted(self.names))
        self.ids = {d.id for d in snapshot.documents}
        linked = sorted(set(by_path.values()))
        self._linked = [(ident, snapshot.document(ident)) for ident in linked]
        self._release_dates = {release.date for release in snapshot.releases}
        self._empty_feeds = (  # (feeds.py)
            all(release.minor for release in snapshot.releases),
            all(r.minor or r.is_upcoming(view.today) for r in snapshot.releases),
        )
        self._documents: dict[int, str] = {}
        self._in_force: dict[date, str] = {}
        self._releases: dict[date, str] = {}
        self._shown_titles: str | None = None
        # Documents whose file went on under another id: a withdrawn page names the chapter.
        self._renamed = {p.document for p in snapshot.problems if p.rule == "id-changed"}

    def key(self, served: str) -> str:
        """The key of the page the service answers at ``served`` (a path and its query)."""
        path, _, query = served.partition("?")
        path = unquote(path)
        if path.startswith("/files/"):
            return _digest(self.files, served)
        try:
            release = _RELEASE.fullmatch(path)
            if release:
                found = self.view.snapshot.release(date.fromisoformat(release.group(1)))
                return _digest(self.shared, served, self._release(found))
            chapter = _CHAPTER.fullmatch(path)
            if chapter:
                return self._chapter_key(served, chapter.group(1), parse_qs(query))
        except (TrackerError, ValueError):
            pass  # not a page of one document or release: keyed by the head below
        empty = path in _FEEDS and self._empty_feeds[_FEEDS.index(path)]
        if empty or path.startswith("/api/chapters/"):
            return _digest(self.head, served, self.view.today)  # (they name the day)
        on = parse_qs(query).get("at") if path.startswith("/chapters/") else None
        return _digest(self.head, served, self._today_and(on[0])) if on else self._by_head(served)

    def _by_head(self, served: str) -> str:
        return _digest(self.head, served)

    def _chapter_key(self, served: str, rest: str, query: dict[str, list[str]]) -> str:
        suffix = next((s for s in _SUFFIXES if rest.endswith(f"/{s}")), None)
        ident = rest.removesuffix(f"/{suffix}") if suffix else rest
        if suffix and rest in self.names:  # the route answers the chapter ``rest`` instead
            raise NotFoundError(rest)
        if ident not in self.ids:
            raise NotFoundError(ident)  # a former id (redirected): keyed by the head
        document = self.view.snapshot.document(ident)
        if document.id != ident:
            raise NotFoundError(ident)
        on = query.get("at") if suffix is None else None
        extra = self._on(date.fromisoformat(on[0])) if on else ""
        if suffix == "diff" or (suffix is None and document.key in self._renamed):
            extra = _digest(extra, self._titles())  # (links' notes, or the chapter it went on as)
        if suffix is None and not on and served.startswith("/api/"):
            extra = self.view.today.isoformat()  # the API's chapter names the day it is read
        return _digest(self.shared, served, self.links, self._document(document), extra)

    def _document(self, document: Document) -> str:
        found = self._documents.get(document.key)
        if found is None:
            dates = self._release_dates
            released = [v.effective for v in document.versions if v.effective in dates]
            found = _digest(document, self.view.snapshot.left_out(document), released)
            self._documents[document.key] = found
        return found

    def _titles(self) -> str:
        """Every chapter's title as its page shows it today: a diff's note of a link that now
        goes elsewhere names the chapters it goes to and went to (``web/addresses.py``,
        ``titler``), and the history keeps only the newest version's links, not those of the
        versions a diff compares (a retitle renders every diff page again: rare)."""
        if self._shown_titles is None:
            today = self.view.today
            shown = [(ident, shown_title(d, today)) for ident, d in self._linked]
            self._shown_titles = _digest(shown)
        return self._shown_titles

    def _on(self, day: date) -> str:
        """What a chapter as in force on ``day`` shows besides its own document: which
        chapters were in force then, and the day against today."""
        return _digest(self._in_force_on(day), self._today_and(day.isoformat()))

    def _today_and(self, text: str) -> tuple[bool, bool] | None:
        """Whether a chapter's ``at`` day is today, and whether it is still to come (its
        banner says "in force today", or "as it will stand")."""
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return day == self.view.today, day > self.view.today

    def _in_force_on(self, day: date) -> str:
        found = self._in_force.get(day)
        if found is None:
            found = _digest([ident for ident, d in self._linked if d.shown_on(day) is not None])
            self._in_force[day] = found
        return found

    def _release(self, release: Release) -> str:
        found = self._releases.get(release.date)
        if found is None:
            entries = [
                (e.id, e.document.key, e.version, e.before, e.change, e.renamed, e.notes, e.minor)
                for e in release.entries
            ]
            found = _digest(release.date, entries)
            self._releases[release.date] = found
        return found
