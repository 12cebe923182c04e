"""What the web service holds between requests: one Manual, the clock and the search index.

Every request asks ``Site.view()`` for what it reads: the manual's snapshot now (re-read only
when the branch has moved, so a commit shows on the next request) and today's date (fixed by
``--today``, else the current date in the manual's time zone, so it moves at midnight).
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo

from tracker import dates
from tracker.errors import ConfigError, TrackerError, clause
from tracker.history.snapshot import Snapshot
from tracker.index.search import Entry, SearchIndex
from tracker.index.store import cache_folder
from tracker.logs import Logger
from tracker.manual import Manual
from tracker.publish.searchtext import shown_text
from tracker.publish.urls import Exported, Urls
from web import ahead
from web.busy import give_way
from web.searchtexts import KeptWords

log = Logger("tracker.web")  # (under "tracker": the command line's handler says it)
FAILING_WINDOW = 600.0  # seconds: /healthz says "degraded" while pages answered 503 this lately


@dataclass(frozen=True)
class View:
    """What one request reads: the manual, its snapshot and the day taken as today."""

    manual: Manual
    snapshot: Snapshot
    today: date
    stale: str | None = None  # why the snapshot is not the branch head's (its settings broke)
    exported: Exported | None = None  # a static export's addresses, when exporting
    read: int = 0  # which read of the manual the snapshot is (kept answers are keyed by it)

    @property
    def urls(self) -> Urls:
        """Addresses for pages: paths from the site's root (a static export's, when exporting)."""
        return Urls(exported=self.exported, clashing=self.snapshot.clashing)


class Site:
    """The state of a running service, shared by every request and safe between threads."""

    def __init__(
        self,
        manual: Manual,
        fixed_today: date | None = None,
        clock: Callable[[tzinfo], date] = dates.today,
        exported: Exported | None = None,
    ) -> None:
        self.manual = manual
        self.fixed_today = fixed_today
        self.exported = exported  # set by a static export (web/export.py): its addresses
        self.clock = clock  # today in a time zone; asked on every request
        self._lock = threading.Lock()
        self._search: tuple[tuple[int, date], SearchIndex] | None = None
        # Each snapshot's number, never reused: a snapshot read again at the same head (texts
        # a partial clone fetched since) is another, so nothing kept of the first is shown.
        self._reads: weakref.WeakKeyDictionary[Snapshot, int] = weakref.WeakKeyDictionary()
        self._numbers = itertools.count(1)
        self._reads_lock = threading.Lock()
        self._stale_said = ""  # the head shown instead of one with broken settings, said once
        # Why pages answered 503, said once each, and when each was last met (/healthz).
        self._unreadable: dict[str, float] = {}
        # What was wrong with newest versions of the heads read so far (None: nothing read).
        self._noticed: set[tuple[str, str]] | None = None
        self._failing = False  # whether the manual could not be read when last asked

    def unreadable(self, problem: TrackerError) -> None:
        """Say in the log why a page answers 503 (the manual, or a version of it, cannot be
        read), once for each reason until the manual can be read again (at most 1,000 reasons
        are kept: past that, those not met for ten minutes make way, said again if met again)."""
        now = time.monotonic()
        with self._reads_lock:
            known = str(problem) in self._unreadable
            if not known and len(self._unreadable) >= 1000:
                for reason, at in list(self._unreadable.items()):
                    if now - at > FAILING_WINDOW:
                        del self._unreadable[reason]
            said = known or len(self._unreadable) >= 1000
            if known or not said:
                self._unreadable[str(problem)] = now
        if not said:
            log.warning("%s; the service answers 503.", clause(problem))

    def failing_lately(self, window: float = FAILING_WINDOW) -> list[str]:
        """Why pages answered 503 in the last ``window`` seconds (in this worker), the last
        met first: a version git lacks fails its pages, not the rest (``/healthz``)."""
        now = time.monotonic()
        with self._reads_lock:
            met = sorted(self._unreadable.items(), key=lambda item: -item[1])
        return [reason for reason, at in met if now - at <= window]

    def view(self) -> View:
        """The manual as it stands now, and today's date in its time zone.

        When a commit breaks the manual's settings (``manual.toml``), the manual as it stood
        before that commit is shown, saying so on every page, rather than no page at all (the
        same in every worker, whatever each read last, and after a restart); only when no
        commit had readable settings is there nothing to show (503). It is said in the log
        once for each head.
        """
        try:
            view = self._now()
        except TrackerError:
            self._failing = True
            raise
        if self._failing:  # (the branch is back, the repository mended)
            with self._reads_lock:
                said, self._failing = bool(self._unreadable), False
                self._unreadable.clear()
            if said:
                log.warning("the manual can be read again (%s).", view.snapshot.head[:10])
        return view

    def _now(self) -> View:
        stale = None
        try:
            snapshot = self.manual.snapshot()
        except ConfigError as error:
            last = self.manual.before_broken_settings()
            if last is None:  # nothing before them; or mended meanwhile: the newest then
                snapshot = self.manual.snapshot()  # (else the error again: 503)
            else:
                with self._reads_lock:
                    said, self._stale_said = self._stale_said == last.head, last.head
                if not said:
                    log.warning(
                        "%s; showing the manual as it stood at %s.", clause(error), last.head[:10]
                    )
                snapshot, stale = last, str(error)
        today = self.fixed_today or self.clock(snapshot.config.timezone)
        with self._reads_lock:
            read = self._reads.get(snapshot) or next(self._numbers)
            new, before = snapshot not in self._reads, None
            self._reads[snapshot] = read
            if new:  # (every problem said so far: two heads read at once, in either order,
                # never say one twice; at most 10,000 kept, then those of this head)
                now = {(notice[1], notice[2]) for notice in snapshot.notices}
                before = self._noticed
                kept = before is not None and len(before) < 10_000
                self._noticed = before | now if kept and before is not None else now
        if new and before is not None:
            self._notice(snapshot, before)
        return View(self.manual, snapshot, today, stale, self.exported, read)

    def _notice(self, snapshot: Snapshot, said: set[tuple[str, str]]) -> None:
        """Say in the log what is wrong with the newest versions a new head brought (bad front
        matter pushed: the pages show the version before, and nobody was told), at most 20;
        what was said before, for any head, is not said again. (The service says all of them as it
        starts, on the command line: the first read here is taken as said.)"""
        fresh = [(path, problem) for _, path, problem in snapshot.notices
                 if (path, problem) not in said]  # fmt: skip
        for path, problem in fresh[:20]:
            log.warning("%s: %s (at %s; see 'tracker check').", path, problem, snapshot.head[:10])
        if len(fresh) > 20:
            log.warning("and %d more such problems (see 'tracker check').", len(fresh) - 20)

    def search_index(self, view: View) -> SearchIndex:
        """The search index of the documents in force: built once per head and day."""
        key = (view.read, view.today)
        with self._lock:
            if self._search is None or self._search[0] != key:
                self._search = (key, SearchIndex(entries(view)))
            return self._search[1]

    def warm_search(self) -> threading.Thread:
        """Build today's search index in the background, so that a service's first search
        does not wait for it (each chapter is read as its page shows it: seconds for a
        manual of hundreds), outside the index's lock, giving way to the requests being
        answered (``busy.py``); a search asked for meanwhile builds the index itself (the
        chapters' words read so far are kept: ``searchtext.py``). A manual that cannot be read
        now is left to the requests."""

        def build() -> None:
            view = self.view()
            found = SearchIndex(entries(view, _pausing(lambda: self._search is not None)))
            with self._lock:
                if self._search is None:  # (else a search built one meanwhile)
                    self._search = ((view.read, view.today), found)

        return _in_background("search-index", build, "the search index was not built ahead")

    def work_ahead(self, after: threading.Thread | None, stop: threading.Event) -> threading.Thread:
        """Work out the summaries of the manual's changes in the background (``ahead.py``),
        once ``after`` (the search index's warm-up) has ended, giving way to requests, until
        done or ``stop`` is set."""

        def work() -> None:
            if after is not None:
                after.join()
            view = self.view()
            folder = cache_folder(view.manual.repo)
            made = ahead.work_ahead(
                view.snapshot, view.manual.differ, folder, _pausing(stop.is_set)
            )
            log.debug("%d summaries worked out ahead", made)

        return _in_background("summaries-ahead", work, "no summaries were worked out ahead")


class _NotWanted(Exception):
    """Work in the background is not wanted any more (a search built the index meanwhile; the
    service is stopping)."""


def _pausing(unwanted: Callable[[], bool]) -> Callable[[], None]:
    """What background work calls before each step: it waits while requests are answered
    (``busy.py``), and stops the work once ``unwanted``."""

    def pause() -> None:
        give_way(done=unwanted)
        if unwanted():
            raise _NotWanted

    return pause


def _in_background(name: str, work: Callable[[], None], failed: str) -> threading.Thread:
    """``work`` in a thread of its own; a manual that cannot be read now is left to the
    requests (said in the log at debug level, as ``failed``)."""

    def run() -> None:
        try:
            work()
        except _NotWanted:
            pass
        except TrackerError as error:
            log.debug("%s: %s", failed, error)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def entries(view: View, pause: Callable[[], None] | None = None) -> list[Entry]:
    """The documents in force on the view's day, as search reads them (``pause``: called
    before each that is read now, not found in the kept words: ``searchtexts.py``)."""
    in_force = []
    for document in view.snapshot.documents:
        version = document.in_force(view.today)
        if version is not None and not version.withdrawn:
            in_force.append((document.id, version))
    kept = KeptWords(cache_folder(view.manual.repo))
    known = kept.get(version.blob for _, version in in_force if version.blob)
    read: dict[str, tuple[str, str]] = {}
    found = []
    try:
        for key, version in in_force:
            words = known.get(version.blob) if version.blob else None
            if words is None:
                if pause is not None:
                    pause()
                words = shown_text(view.manual.texts.of(version), version.path)
                if version.blob:
                    read[version.blob] = words
            found.append(Entry(key, version.title, *words))
    finally:  # (what was read is kept, should the warm-up stop half way)
        kept.put(read, known)
    return found
