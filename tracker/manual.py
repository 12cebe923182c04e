"""Opening a manual: the pipeline from a git repository to a frozen Snapshot, and the reader.

    repository -> settings -> git's log and blob metadata -> history -> contents -> releases

``read_snapshot`` runs those steps for one branch head. A ``Manual`` is what the command line
and the web hold: it keeps the latest snapshot (read again only when the branch moves), reads
the texts the snapshot names and works out their diffs. It is safe to share between threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.collector import pausing_collector
from tracker.config import CONFIG_FILE, parse_config
from tracker.dates import looks_like_date, parse_date
from tracker.errors import ConfigError, RepositoryError
from tracker.history import texts
from tracker.history.model import Document, Problem, Version
from tracker.history.releases import ReleaseRows, entry_rows
from tracker.history.snapshot import (
    Outline,
    Point,
    Snapshot,
    assemble,
    changed_days,
    contents,
    entries_by_day,
)
from tracker.index import derived, published
from tracker.index.held import Held
from tracker.index.store import cache_folder
from tracker.logs import Logger
from tracker.repository.paths import Root, check_ref, tracked_name
from tracker.repository.read import GitRepo
from tracker.settings import read_settings, unreadable_changes, with_settings_error
from tracker.versiontexts import Texts

if TYPE_CHECKING:
    from tracker.history.walk import HistoryBuilder
    from tracker.trackchanges.cache import Differ

log = Logger(__name__)


@pausing_collector  # (collector.py: a third of a first read went to it)
def read_snapshot(
    repo: GitRepo,
    root: Root,
    branch: str,
    head: str,
    trusted: bool = True,
    held: Held | None = None,
    settings: str | None = None,
    says: bool = False,
    checked: bool = False,
) -> Snapshot:
    """The pipeline: settings, git's log and the documents' metadata, the rules, the releases.

    The snapshot last read is kept in the index (``index/derived.py``), a row per document:
    the same head is read back (its documents when first wanted); a head that only added
    commits, under the same settings, replays only them and works out again only the
    documents they touch. ``trusted``: False reads the whole history again, whatever is kept.
    ``held``: the documents a service holds (``index/held.py``), not read back again.
    ``settings``: manual.toml's text to read the head with instead of its own; never kept.
    ``says``: a kept head that is off the new first-parent line is said (``Manual.publishing``;
    one no longer on the branch is said by ``Manual.snapshot``). ``checked``: documents read
    back whose texts git has lost since are ``derived.LostTexts``.
    """
    kept = derived.stored(repo, branch, root, held, checked) if trusted else None

    def whole() -> Snapshot:  # the kept history turned out to be damaged: read all again
        derived.forget(repo, branch, root)
        return read_snapshot(repo, root, branch, head, False, held, settings, says)

    if kept is not None and kept.head == head and settings is None:
        snapshot = kept.snapshot(whole)
        if (
            snapshot is not None
            and snapshot.head == head
            and snapshot.root == root
            and not _lacking(snapshot.problems)  # git may have them now: read again
        ):
            _warn(snapshot.problems)
            return snapshot
    cut = repo.shallow_cut()  # (a kept snapshot was read from the whole history)
    if cut:  # its oldest commit would look like the manual's creation
        at = f" at commit {cut[0][:10]}" if cut[0] != "?" else ""
        raise RepositoryError(
            f"This is a shallow clone, so its history is cut short{at} and go-live dates and "
            "releases cannot be worked out; fetch the whole history with 'git fetch "
            "--unshallow' (in CI, a checkout with fetch-depth 0)."
        )
    from tracker.history.walk import HistoryBuilder, NotAContinuation  # (the warm path needs
    # neither: the branch has not moved)

    text = read_settings(repo, root, head) if settings is None else settings
    going_on = _continued(repo, kept, text or "", head)  # with the settings it was made with
    if going_on is not None:
        try:
            _replay(going_on.builder, repo, (branch, head), root, since=going_on.builder.head)
        except NotAContinuation:  # the kept head is off the new first-parent line (merged in)
            if says:
                was = going_on.builder.head
                published.rewritten(repo, branch, was, "off its first-parent line")
            going_on = None
        except derived.ReadBackError:  # a document kept for the old head is damaged
            derived.forget(repo, branch, root)
            going_on = None
    if going_on is None:
        builder = HistoryBuilder(root, parse_config(text))
        _replay(builder, repo, (branch, head), root)
        going_on = derived.Continued(builder, {}, {}, [])
    place = (branch, head, root)
    return _moved_on(repo, place, (text or "", settings is None), going_on, (kept, held), whole)


def _replay(
    builder: HistoryBuilder,
    repo: GitRepo,
    at: tuple[str, str],
    root: Root,
    since: str | None = None,
) -> None:
    """Move the builder on to the branch's ``head`` through the commits git gives (since
    ``since``, the builder's head); they and their metadata are let go as it returns."""
    from tracker.index import raw

    branch, head = at  # ("HEAD": detached, and no pipeline named it: see tracked_name)
    settings = root.join(CONFIG_FILE)
    read = raw.load(repo, head, root, builder.walker.config, since=since, settings=settings)
    try:  # (the metadata is read from git as the replay asks for it)
        builder.advance(read.commits, read.metas, head, read.settings, branch)
    except BaseException:
        with contextlib.suppress(RepositoryError):  # (the first error is the one to say)
            read.metas.close()
        raise
    read.metas.close()


def _moved_on(
    repo: GitRepo,
    at: tuple[str, str, Root],
    settings: tuple[str, bool],
    going_on: derived.Continued,
    stored: tuple[derived.Stored | None, Held | None],
    whole: Callable[[], Snapshot],
) -> Snapshot:
    """The snapshot after the builder moved on (from nothing, or from the kept head): only
    the documents it touched are worked out again, and only the release days they change
    (``settings``: their text, and whether the snapshot is kept)."""
    builder, (branch, head, root), (kept, held) = going_on.builder, at, stored
    config = builder.walker.config
    touched = {key: builder.settled[key] for key in builder.walker.touched}
    entries = {key: entry_rows(document) for key, document in touched.items()}
    outlines = {**going_on.outlines, **{key: Outline.of(d) for key, d in touched.items()}}
    order = contents(outlines, config.sections)
    if not order and root.folder and not repo.list_files(head, root.folder):  # (git has no
        # empty folders: none listed, no folder)
        raise RepositoryError(  # (a mistyped --root read as a manual with nothing in it yet)
            f"There is no folder {root.folder!r} in branch {branch!r}, nor has it ever held a "
            "document; give the manual's folder with --root."
        )
    rows = {key: row for key, row in going_on.rows.items() if key not in touched}
    earlier = derived.earlier(going_on, kept, touched.keys(), whole)
    days = changed_days(earlier, entries, (going_on.order, order))
    others = [key for key in going_on.order if key not in touched]
    # Every day when the others moved too, or when nothing is kept (every day is new).
    every = others != [key for key in order if key not in touched] or not rows
    old = kept.release_rows(None if every else days) if kept is not None and rows else {}
    if old is None:  # the kept entries cannot be read back
        return whole()
    if not every:  # the touched documents' entries on the days read only
        entries = {
            key: [(d, row) for d, row in found if d in days] for key, found in entries.items()
        }
    changed = entries_by_day(order, old, entries)  # (every day, when ``every``)

    state: str | None = None  # the new snapshot's, once kept

    def releases() -> ReleaseRows:
        now = changed
        if not every and kept is not None:
            found = kept.release_rows(None)
            now = {**(dict(whole().releases.rows()) if found is None else found), **changed}
        now = {day: found for day, found in now.items() if found}
        if held is not None and state is not None:  # (a new commit next takes them as they are)
            held.hold_releases(state, now)
        return sorted(now.items())

    problems = tuple(builder.walker.problems)
    _warn(problems)
    load = kept.loader(rows, whole) if kept is not None and rows else None
    snapshot = assemble((branch, head, root, config), problems, builder.line, outlines, order,
                        (touched, load), releases)  # fmt: skip
    going_on = derived.Continued(builder, outlines, rows, order)
    base = kept.head if kept is not None and rows else None  # (it keeps the other rows)
    text, keeping = settings
    if keeping:
        state = derived.keep(repo, text, snapshot, going_on, (touched, changed, every), base, held)
    return snapshot


def _continued(
    repo: GitRepo, kept: derived.Stored | None, settings: str, head: str
) -> derived.Continued | None:
    """The builder kept for an earlier head, when ``head`` only adds commits to it and the
    settings are the same (anything else, a rewritten branch or new settings, replays all)."""
    if kept is None or kept.head == head or kept.settings != settings:
        return None  # (the same head: its snapshot could not be read back, so read it all)
    if not repo.is_ancestor(kept.head, head):
        return None  # (said by a publishing manual: Manual.snapshot)
    found = kept.builder()
    if found is None or _lacking(found.builder.walker.problems):
        return None
    return found


def _lacking(problems: Iterable[Problem]) -> bool:
    """Whether versions were left out for objects git lacked (it may have them by now)."""
    return any(problem.rule == "missing-object" for problem in problems)


def _warn(problems: tuple[Problem, ...]) -> None:
    for warning in texts.warnings(problems):  # said on every read, not only by 'tracker check'
        log.warning("%s", warning)


class Manual:
    """A manual in a content repository, opened once and shared by every request."""

    def __init__(
        self,
        repo: GitRepo,
        root: Root,
        branch: str | None = None,
        lazy: bool = False,
        publishing: bool = False,
        kept_when_done: bool = False,
        checked: bool | None = None,
    ) -> None:
        self.repo = repo
        self.root = root
        self.branch = branch  # None: the repository's current branch
        # Publishing (``tracker serve``, ``tracker build``): a branch found rewritten since it
        # was last read is said, as what practitioners were shown may have changed.
        self.publishing = publishing
        # Kept when done (``tracker build``): the head read is kept as the one published only
        # once ``done`` is called, so that a build stopped by a mistake says a rewrite again.
        self.kept_when_done = kept_when_done
        # Checked (unless lazy, by default): every document is read with the snapshot, and one
        # read back from the kept history whose texts git has lost since is read anew (as a
        # first read, it says what it lacks: ``derived.LostTexts``). ``tracker check`` too.
        self.checked = not lazy if checked is None else checked
        self._unkept: tuple[str, str] | None = None  # (branch, head) to keep when done
        # Lazy: documents read from the kept history when first wanted (a command that shows
        # one chapter reads one); otherwise every document is read with the snapshot (a
        # server, which keeps it).
        self.lazy = lazy
        self.texts = Texts(repo)
        self._differ: Differ | None = None
        self._differ_lock = threading.Lock()
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None
        self._again = False  # read again, though the branch has not moved (read_again)
        self._lacks = False  # whether the latest snapshot left out texts git lacked
        self._held = None if lazy else Held()  # (a server's: see index/held.py)
        self._unbroken: tuple[str, Snapshot | None] | None = None  # (before_broken_settings)

    def snapshot(self) -> Snapshot:
        """The manual at the tracked branch's head now: read again only when it has moved."""
        seen = self._tracked()  # cheap: no lock while nothing has moved
        if self._lacks and self.repo.texts_may_come():  # (left out while its remote was down)
            self.read_again()
        with self._lock:  # one reader at a time; the others then share its snapshot
            latest = self._latest
            if latest is None or self._again or (latest.branch, latest.head) != seen:
                # Asked again inside the lock: a request that saw an older head while another
                # read a newer one must not take the manual back (and rebuild the index) to it.
                branch, head = self._tracked() if latest else seen
                if latest is None or self._again or (latest.branch, latest.head) != (branch, head):
                    # (a detached HEAD is moved, by CI too, rather than rewritten: not said)
                    says = self.publishing and self.repo.branch_head(self.branch)[0] != "HEAD"
                    if says:
                        keep = not self.kept_when_done
                        published.kept(self.repo, self.root, branch, head, keep)
                        self._unkept = None if keep else (branch, head)
                    latest = self._read(branch, head, says)
                    self._latest, self._again = latest, False
                    self._lacks = _lacking(latest.problems)
        return latest

    def _read(
        self, branch: str, head: str, says: bool = False, text: str | None = None
    ) -> Snapshot:
        """The snapshot of this head (``text``: the settings to read it with, never kept),
        every document read when ``checked``: read anew if git has lost texts of any."""

        def read(trusted: bool) -> Snapshot:
            found = read_snapshot(self.repo, self.root, branch, head, trusted, self._held, text,
                                  says, self.checked)  # fmt: skip
            if self.checked:
                found.documents.read_all() if self.lazy else found.read_all()
            return found

        try:
            return read(True)
        except derived.LostTexts:  # (the kept history is dropped: an untrusted read reads all)
            log.warning("%s; the history is read anew.", derived.LOST)
            return read(False)

    def done(self) -> None:
        """Keep the head last read as the one published (see ``kept_when_done``)."""
        if self._unkept is not None:
            published.keep_head(self.repo, self.root, *self._unkept)
            self._unkept = None

    def _tracked(self) -> tuple[str, str]:
        return tracked_name(self.repo.branch_head(self.branch))

    def before_broken_settings(self) -> Snapshot | None:
        """The manual as it stood before the commit that broke its settings, while the
        branch's newest ones cannot be read (a server shows it, saying so): the commit before
        the oldest of the unreadable changes to ``manual.toml`` since its last readable one.
        None when the newest change to them is readable (what fails is not a commit's: a
        library that no longer knows their bank holidays) or none of the last 100 is."""
        branch, head = self._tracked()
        with self._lock:
            if self._unbroken is not None and self._unbroken[0] == head:
                return self._unbroken[1]
            found, (_, before) = None, unreadable_changes(self.repo, self.root, head)
            if before is not None:
                try:
                    found = self._read(branch, before)
                except RepositoryError:  # (the manual's folder came with the breaking commit)
                    return None
                self._latest = found
            self._unbroken = (head, found)
            return found

    def despite_broken_settings(self) -> Snapshot:
        """The manual at the branch's head now, even while its settings cannot be read (for
        ``tracker check``): then read with those before the commits that broke them (else the
        defaults), led by their error; never kept: other commands refuse the head as before."""
        try:
            return self.snapshot()
        except ConfigError as error:
            branch, head = self._tracked()
            broken, before = unreadable_changes(self.repo, self.root, head)
            text = read_settings(self.repo, self.root, before) if before is not None else None
            found = self._read(branch, head, text=text or "")
            return with_settings_error(found, error, broken, before)

    def read_again(self) -> None:
        """Read the snapshot again when next asked (a partial clone may fetch texts it lacked)."""
        with self._lock:
            self._again = True

    @property
    def differ(self) -> Differ:
        """Diffs between versions, cached (made when first asked: Markdown loads with it)."""
        with self._differ_lock:
            if self._differ is None:
                from tracker.trackchanges.cache import Differ

                self._differ = Differ(self.texts.blob, cache_folder(self.repo))
            return self._differ

    @property
    def latest(self) -> Snapshot | None:
        """The snapshot read last, if any (whatever the branch head is now)."""
        return self._latest

    def compared(
        self,
        snapshot: Snapshot,
        document: Document,
        start: str | None,
        end: str | None,
        today: date,
    ) -> tuple[Version | None, Version]:
        """The two versions a diff compares, from the dates or revisions a user gave."""
        points = [self.point(text) if text else None for text in (start, end)]
        return snapshot.compared(document, points[0], points[1], today)

    def point(self, text: str) -> Point:
        """A date or a revision a user named, validated (and the revision resolved)."""
        if looks_like_date(text):
            return Point(text, day=parse_date(text))
        return Point(text, commit=self.repo.resolve(text))

    def close(self) -> None:
        """Stop the git processes the manual keeps open."""
        self.repo.close()


def open_manual(
    repo_path: str | Path = ".",
    root: str = "procedures",
    branch: str | None = None,
    lazy: bool = False,
    once: bool = False,
    publishing: bool = False,
    kept_when_done: bool = False,
) -> Manual:
    """Open the manual in a repository (validating the root folder and branch name); ``lazy``,
    ``publishing`` and ``kept_when_done``: see Manual; ``once``: for a command that reads it
    once, now (see GitRepo: its first snapshot is of the head when it was opened)."""
    folder = Root.parse(root)
    if branch is not None:
        check_ref(branch)
    return Manual(GitRepo(repo_path, once=once), folder, branch, lazy, publishing, kept_when_done)
