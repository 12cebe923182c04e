"""Opening a manual: the pipeline from a git repository to a frozen Snapshot, and the reader.

    repository -> settings -> index (raw log, blob metadata) -> history -> contents -> releases

``read_snapshot`` runs those steps for one branch head. A ``Manual`` is what the command line
and the web hold: it keeps the latest snapshot (read again only when the branch moves), reads
the texts the snapshot names and works out their diffs. It is safe to share between threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from tracker.config import CONFIG_FILE, parse_config
from tracker.dates import looks_like_date, parse_date
from tracker.errors import RepositoryError
from tracker.history.documents import decode
from tracker.history.model import LEFT_OUT, Document, Problem, Version
from tracker.history.releases import build_releases, contents_order
from tracker.history.snapshot import Point, Snapshot
from tracker.history.walk import HistoryBuilder, NotAContinuation
from tracker.index import derived
from tracker.index import log as index
from tracker.index.store import cache_folder
from tracker.repository.paths import Root, check_ref
from tracker.repository.read import GitRepo

if TYPE_CHECKING:
    from tracker.trackchanges.cache import Differ

TEMPLATES_FOLDER = "_templates"
log = logging.getLogger(__name__)


def read_snapshot(repo: GitRepo, root: Root, branch: str, head: str) -> Snapshot:
    """The pipeline: settings, the index brought up to date, the rules, the releases.

    The snapshot last read is kept in the index (``index/derived.py``): the same head is read
    back whole; a head that only added commits, under the same settings, replays only them.
    """
    kept = derived.stored(repo, branch, root)
    if kept is not None and kept.head == head:
        snapshot = kept.snapshot()
        if (
            isinstance(snapshot, Snapshot)
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
    settings = read_settings(repo, root, head)
    builder = _continued(repo, kept, settings or "", head)  # with the settings it was made with
    if builder is not None:
        try:
            raw = index.load(repo, branch, head, root, builder.walker.config, since=builder.head)
            builder.advance(raw.commits, raw.metas, head)
        except NotAContinuation:  # the kept head is off the new first-parent line (merged in)
            builder = None
    if builder is None:
        builder = HistoryBuilder(root, parse_config(settings))
        raw = index.load(repo, branch, head, root, builder.walker.config)
        builder.advance(raw.commits, raw.metas, head)
    config = builder.walker.config
    history = builder.history()
    _warn(history.problems)
    documents = contents_order(history.documents, config.sections)
    snapshot = Snapshot(
        branch=branch,
        head=head,
        root=root,
        config=config,
        documents=documents,
        releases=build_releases(documents),
        problems=history.problems,
        line=MappingProxyType({sha: number for number, sha in enumerate(builder.line)}),
    )
    derived.keep(repo, branch, root, settings or "", snapshot, builder)
    return snapshot


def _continued(
    repo: GitRepo, kept: derived.Stored | None, settings: str, head: str
) -> HistoryBuilder | None:
    """The builder kept for an earlier head, when ``head`` only adds commits to it and the
    settings are the same (anything else, a rewritten branch or new settings, replays all)."""
    if kept is None or kept.head == head or kept.settings != settings:
        return None  # (the same head: its snapshot could not be read back, so read it all)
    if not repo.is_ancestor(kept.head, head):
        return None
    builder = kept.builder()
    if not isinstance(builder, HistoryBuilder) or builder.head != kept.head:
        return None
    return None if _lacking(builder.walker.problems) else builder


def _lacking(problems: Iterable[Problem]) -> bool:
    """Whether versions were left out for objects git lacked (it may have them by now)."""
    return any(problem.rule == "missing-object" for problem in problems)


def _warn(problems: tuple[Problem, ...]) -> None:
    for problem in problems:  # said on every read, not only by 'tracker check'
        if problem.rule in LEFT_OUT and (problem.day is None or problem.rule == "missing-object"):
            log.warning("%s: %s.", problem.where, problem.message)


def read_settings(repo: GitRepo, root: Root, head: str) -> str | None:
    """The text of the manual's settings at ``head`` (None when it has no manual.toml)."""
    data = repo.read_file(head, root.join(CONFIG_FILE))
    return decode(data) if data is not None else None


class Texts:
    """Reads the text of versions and the manual's own template files from git."""

    def __init__(self, repo: GitRepo) -> None:
        self._repo = repo
        self._templates: tuple[str, dict[str, str]] | None = None  # (head, files) read last
        self._lock = threading.Lock()

    def blob(self, sha: str) -> str:
        """A blob's contents as text."""
        return decode(self._repo.read_blob(sha))

    def of(self, version: Version) -> str:
        """The Markdown of a version ('' for a deletion)."""
        return self.blob(version.blob) if version.blob else ""

    def file(self, commit: str, path: str, limit: int) -> bytes | None:
        """A file at a commit (by its path in the repository), if it has one of at most
        ``limit`` bytes; a larger one is never read."""
        size = self._repo.file_size(commit, path)
        if size is None or size > limit:
            return None
        return self._repo.read_file(commit, path)

    def templates(self, snapshot: Snapshot) -> dict[str, str]:
        """The manual's own templates (``<root>/_templates/``) at the snapshot, by file name:
        read from git once per branch head (a feed renders every release with them)."""
        folder = snapshot.root.join(TEMPLATES_FOLDER)
        key = f"{snapshot.head}:{folder}"
        with self._lock:
            if self._templates is None or self._templates[0] != key:
                files = {
                    path[len(folder) + 1 :]: self.blob(blob)
                    for path, blob in self._repo.list_files(snapshot.head, folder)
                }
                self._templates = (key, files)
            return dict(self._templates[1])


class Manual:
    """A manual in a content repository, opened once and shared by every request."""

    def __init__(self, repo: GitRepo, root: Root, branch: str | None = None) -> None:
        self.repo = repo
        self.root = root
        self.branch = branch  # None: the repository's current branch
        self.texts = Texts(repo)
        self._differ: Differ | None = None
        self._differ_lock = threading.Lock()
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        """The manual at the tracked branch's head now: read again only when it has moved."""
        seen = self.repo.branch_head(self.branch)  # cheap: no lock while nothing has moved
        with self._lock:  # one reader at a time; the others then share its snapshot
            latest = self._latest
            if latest is None or (latest.branch, latest.head) != seen:
                # Asked again inside the lock: a request that saw an older head while another
                # read a newer one must not take the manual back (and rebuild the index) to it.
                branch, head = self.repo.branch_head(self.branch) if latest else seen
                if latest is None or (latest.branch, latest.head) != (branch, head):
                    latest = self._latest = read_snapshot(self.repo, self.root, branch, head)
        return latest

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
    repo_path: str | Path = ".", root: str = "procedures", branch: str | None = None
) -> Manual:
    """Open the manual in a repository (validating the root folder and branch name)."""
    folder = Root.parse(root)
    if branch is not None:
        check_ref(branch)
    return Manual(GitRepo(repo_path), folder, branch)
