"""Commits -> document versions with go-live dates (SPEC §3): the history pipeline."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tracker.config import CONFIG_FILE, Config, parse_config, settings_text
from tracker.errors import ConfigError, RepositoryError
from tracker.history.documents import DocMeta
from tracker.history.golive import Schedule, effective_dates
from tracker.history.identity import Draft, Walker
from tracker.history.model import Document, Loader, Problem, Version
from tracker.repository.parse import RawCommit, first_parent_line
from tracker.repository.paths import Root


@dataclass(frozen=True)
class History:
    """Every document of the manual and what reading the history found wrong."""

    documents: tuple[Document, ...]  # in order of first appearance
    problems: tuple[Problem, ...]


def build_history(
    commits: Mapping[str, RawCommit],
    metas: Mapping[str, DocMeta],
    head: str,
    root: Root,
    config: Config,
    settings: Iterable[tuple[str, bytes | RepositoryError | None]] = (),
) -> History:
    """Walk the first-parent line oldest first and record each document's versions."""
    builder = HistoryBuilder(root, config)
    builder.advance(commits, metas, head, settings)
    return builder.history()


class NotAContinuation(ValueError):
    """The commits given do not go on from the head a builder was built to."""


class HistoryBuilder:
    """The history, built once and then moved forward with each new commit of the branch.

    ``advance`` replays only the commits the branch gained; a document they do not touch
    keeps its versions and go-live dates as they were (effective dates chain within one
    document only). The builder is kept in the index between runs (``pickle``); the settings
    and the blob metadata it works with are given again each time.
    """

    def __init__(self, root: Root, config: Config) -> None:
        self.walker = Walker({}, root, config)
        self.head: str | None = None
        self.line: list[str] = []  # the first-parent line, oldest first
        self.settled: dict[int, Document] = {}  # by key
        self.ruled = False  # whether the history has had settings of its own (``advance``)
        self.read_rules = False  # whether a commit's settings were read so far (``_rules``)

    def advance(
        self,
        commits: Mapping[str, RawCommit],
        metas: Mapping[str, DocMeta],
        head: str,
        settings: Iterable[tuple[str, bytes | RepositoryError | None]] = (),
        branch: str = "",
    ) -> None:
        """Replay the commits from the head known so far to ``head`` (``commits``: those new
        commits, children first; ``metas``: at least their documents' metadata; ``settings``:
        the settings file as each of them that changed it left it, oldest first; ``branch``:
        the tracked branch's name, for ``replaced_branch``).

        The release rules (``[releases]``) that date a commit's changes are those of the
        settings as that commit left them: a partnership that changes its release day does not
        move the releases it has had. Commits from before the first settings file take its
        rules (a schedule written down when the tracker was taken up describes the history
        before it); the rest of the settings are the head's, given to the builder."""
        line = first_parent_line(commits, head)
        start = commits[line[0]].parents[:1] if line else ()
        if (start[0] if start else None) != self.head:
            raise NotAContinuation("the new commits do not continue the history built so far")
        changed = dict(settings)
        if changed and not self.ruled:  # the history's first settings: they date what came before
            if self.head is not None:  # (replayed without them: all of it goes again)
                raise NotAContinuation("the first settings date the history before them too")
            first = next(iter(changed))
            before: set[str] = set(line[: line.index(first)]) if first in line else set()
            earlier = self.walker.config.earlier_changes != "committed"  # (else: no rules)
            self.walker.sources.schedule = self._rules(changed[first], None) if earlier else None
            self.ruled = True
        else:
            first, before = "", set()
        self.walker.metas = metas
        absorbed: set[str] = set()  # every commit reachable from the old head is done already
        order = {sha: position for position, sha in enumerate(reversed(list(commits)))}
        self.walker.touched.clear()
        for sha in line:
            commit = commits[sha]
            merged = _merged_commits(commits, commit, absorbed, order)
            absorbed.update(merged)
            absorbed.add(sha)
            if sha in changed:
                self.walker.sources.schedule = self._rules(changed[sha], commit)
            if len(commit.parents) > 1 and branch:
                self.walker.sources.problems += replaced_branch(
                    commit, branch, self.walker.sources.zone
                )
            self.walker.apply(commit, [commits[s] for s in merged])
        for document in self.walker.finish(self.walker.touched):
            settled = self.settled[document.key] = _settle(document)
            # The walker goes on from the settled versions: kept together, they are one copy.
            self.walker.documents[document.key].versions = list(settled.versions)
        if before and self.walker.config.earlier_changes is None:
            self.walker.sources.problems += _dated_earlier(commits[first], before, self.settled)
        self.line += line
        self.head = head
        self.walker.metas = {}
        self.walker.sources.forget()

    def _rules(
        self, data: bytes | RepositoryError | None, commit: RawCommit | None
    ) -> Schedule | None:
        """The release schedule of the settings a commit left (None: it removed them), or,
        where they cannot be read (or git lacks them), the one before, with a warning."""
        sources = self.walker.sources
        try:
            if isinstance(data, RepositoryError):
                raise data
            schedule = _schedule_of(data)
            self.read_rules = self.read_rules or commit is not None
            return schedule
        except (ConfigError, RepositoryError) as error:
            if commit is not None:
                day = datetime.fromtimestamp(commit.timestamp, sources.zone).date()
                # (none before it: the newest readable settings' date it, as they do the
                # commits before the first settings; "the schedule before it" named none)
                used = (
                    "the release schedule before it"
                    if self.read_rules
                    else "the newest readable settings' release schedule"
                )
                sources.problems.append(Problem(
                    "warning", f"commit {commit.sha[:10]}",
                    f"left {CONFIG_FILE} unreadable ({str(error).rstrip('.')}), so {used} "
                    "dated this commit's changes and later ones, until readable settings were "
                    "committed", day, rule="settings-unread",
                ))  # fmt: skip
            # (none read before it: the newest readable settings', as the warning says, also
            # where earlier_changes = "committed" left the changes before them none)
            return sources.schedule if self.read_rules else self.walker.config.schedule

    def __getstate__(self) -> dict[str, Any]:
        """As kept in the index: without its documents, which are kept apart, a row each,
        nor its first-parent line, which the snapshot keeps (``resume`` gives them back), and
        with the settings, given again on each read."""
        walker = copy.copy(self.walker)
        walker.documents = {}
        walker.metas = {}
        walker.relatives = {}  # (worked out again as asked)
        return {**self.__dict__, "walker": walker, "settled": {}, "line": []}

    def resume(self, documents: Loader, keys: Iterable[int], line: list[str]) -> None:
        """Give a builder read back from the index its first-parent line and its documents
        (``keys``), to be read when the new commits touch them."""
        self.line = line
        known = set(keys)
        self.settled = _Kept(documents, known)
        self.walker.documents = _Drafts(self.settled, known)

    def history(self) -> History:
        """Every document so far, in order of first appearance, and the problems found."""
        documents = [self.settled[key] for key in sorted(self.settled)]
        return History(tuple(documents), tuple(self.walker.problems))


# git's, GitHub's and GitLab's messages for merging one branch into another: "Merge branch
# 'main' into feat", "Merge branch 'main' of https://... into feat", "Merge remote-tracking
# branch 'origin/main' into feat", "Merge branch 'main' into 'feat'".
# Without " into ..." (git leaves it out for a merge into main or master): ``git pull`` on the
# tracked branch itself, "Merge branch 'main' of https://..." or "Merge remote-tracking branch
# 'origin/main'".
_MERGED_INTO = re.compile(
    r"Merge (?P<remote>remote-tracking )?branch '(?P<merged>[^']+)'(?P<url> of \S+)?"
    r"(?: into '?(?P<into>[^'\s]+)'?)?\s*"
)


def replaced_branch(commit: RawCommit, branch: str, zone: ZoneInfo) -> list[Problem]:
    """A merge on the tracked branch's first-parent line that merged the tracked branch into
    another one, which the tracked branch then moved on to (a fast-forward: "update branch"
    or ``git pull`` on the other, then it is pushed as the tracked branch), or into itself
    (``git pull`` on it, with commits not pushed yet). The tracked branch's own commits since
    the two parted are then the merge's second parent, so their changes count as merged work,
    dated from the merge (go-live dates they had move), and the other commits as changes of
    the tracked branch, each on its own date. Git's history no longer says otherwise: only
    the merge's message does."""
    found = _MERGED_INTO.fullmatch(commit.subject)
    if found is None:
        return []
    merged, into = found["merged"], found["into"]
    if branch in ("", "HEAD"):  # detached, and no CI said which branch: it may be any
        return []  # (a branch brought up to date from main has such a merge, rightly)
    names = {branch, branch.partition("/")[2]} - {""}  # (tracked as "origin/main": "main" too)
    # The branch merged by its own name (a remote's copy, "origin/main", is main; but
    # "origin/fix/main" is fix/main), and the one it was merged into (git leaves " into X"
    # out for main and master only).
    name = merged.partition("/")[2] if found["remote"] else merged
    target = into if into is not None else name if name in ("main", "master") else None
    pulled = name == target  # (into itself: "git pull", where "--rebase" makes no merge)
    if pulled:  # (from a remote, by its address or its remote-tracking branch; "Merge branch
        # 'main' into 'main'" is GitLab's merge of a fork's main, made on the tracked branch)
        if not (found["url"] or found["remote"]):
            return []
        if not (target == branch or branch.endswith(f"/{target}")):
            return []  # (another branch pulled into itself, then merged into this one)
    elif into is None or into in names or (merged not in names and name not in names):
        return []  # (merged into the tracked branch, rightly; or another branch merged)
    shown = branch
    day = datetime.fromtimestamp(commit.timestamp, zone).date()
    before = commit.parents[1][:10]
    push = (
        f"git push --force-with-lease origin {before}:{shown}"
        if "/" not in shown
        else f"git push --force-with-lease, with {before} as the branch's new head"
    )
    if pulled:  # ("git pull" where "git pull --rebase" makes no merge: exploratory testing)
        said = (
            f"merged '{merged}' into '{shown}' itself (a 'git pull' that made a merge), so the "
            f"changes pushed to '{shown}' before it now count as work merged on {day} (go-live "
            "dates they had may have moved, and a release they were in may be gone), and the "
            f"commits it merged them with as changes made on '{shown}'; to undo it, move "
            f"'{shown}' back to {before} ({push}), then put those commits on it again with "
            "'git pull --rebase' and push"
        )
    else:
        said = (
            f"merged '{shown}' into '{into}', and '{shown}' then moved on to it (a fast-forward), "
            f"so the changes made on '{shown}' before it now count as work merged on {day} "
            f"(go-live dates they had may have moved), and those of '{into}' as changes made on "
            f"'{shown}'; to undo it, move '{shown}' back to {before} ({push}) and merge "
            f"'{into}' into it"
        )
    return [Problem("error", f"commit {commit.sha[:10]}", said, day, rule="branch-replaced")]


EARLIER_RULE = "earlier-changes"


def _dated_earlier(
    settings: RawCommit, before: set[str], documents: Mapping[int, Document]
) -> list[Problem]:
    """A warning where the first settings' release rules dated a change committed before them
    on another day than its commit's, as they do unless ``earlier_changes`` says how: right
    for a manual whose history was kept before the tracker was taken up, wrong for one
    published without a schedule, whose past releases then move (exploratory testing)."""
    moved = [
        version
        for document in documents.values()
        for version in document.versions
        if version.commit in before
        and version.declared.source == "schedule"
        and version.declared.date != version.committed.date()
    ]
    if not moved:
        return []
    example = min(moved, key=lambda version: version.committed)
    day = datetime.fromtimestamp(settings.timestamp, example.committed.tzinfo).date()
    count = f"{len(moved)} version{'s' * (len(moved) != 1)}"
    message = (
        f"the changes committed before the first {CONFIG_FILE} (commit {settings.sha[:10]}, "
        f"{day}) are dated by the release schedule: {count} go live on a release day, not "
        f"when committed (the first, {example.title!r} committed {example.committed.date()}, "
        f"on {example.declared.date}). That is right if the schedule says how they were "
        'released; if they went live when committed, set earlier_changes = "committed" under '
        '[releases]; earlier_changes = "schedule" keeps them so dated and ends this warning'
    )
    return [Problem("warning", CONFIG_FILE, message, rule=EARLIER_RULE)]


def _schedule_of(data: bytes | None) -> Schedule | None:
    """The release schedule of a settings file's bytes (None: no file), or ConfigError."""
    return parse_config(settings_text(data) if data is not None else None).schedule


class _Kept(dict[int, Document]):
    """Settled documents read back from the index when first wanted."""

    def __init__(self, load: Loader, keys: set[int]) -> None:
        super().__init__()
        self._load = load
        self._keys = keys

    def __missing__(self, key: int) -> Document:
        if key not in self._keys:
            raise KeyError(key)
        found = self[key] = self._load([key])[key]
        return found


class _Drafts(dict[int, Draft]):
    """The walker's documents, made from settled documents read back when first wanted."""

    def __init__(self, settled: _Kept, keys: set[int]) -> None:
        super().__init__()
        self._settled = settled
        self._keys = keys

    def __missing__(self, key: int) -> Draft:
        if key not in self._keys:
            raise KeyError(key)
        document = self._settled[key]
        found = self[key] = Draft(key, list(document.versions), list(document.aliases))
        return found


def _merged_commits(
    commits: Mapping[str, RawCommit], merge: RawCommit, absorbed: set[str], order: dict[str, int]
) -> list[str]:
    """Commits a merge brings in: reachable from its other parents, not from its first."""
    found: set[str] = set()
    stack = list(merge.parents[1:])
    while stack:
        sha = stack.pop()
        if sha in found or sha in absorbed or sha not in commits:
            continue
        found.add(sha)
        stack.extend(commits[sha].parents)
    return sorted(found, key=order.__getitem__)


def _settle(document: Document) -> Document:
    """Effective go-live per version; a version held back names the version that holds it.

    Only the newest version keeps the links and heading ids of its text (what the checks
    read): earlier versions drop them, which keeps a long history small to hold and to read.
    """
    effective = effective_dates([_earliest(version) for version in document.versions])
    settled: list[Version] = []
    last = len(document.versions) - 1
    for number, (version, day) in enumerate(zip(document.versions, effective, strict=True)):
        holder, waits = None, version.waits_for
        if day > version.declared.date:  # held back: by the version that first went live that
            earlier = next((v for v in settled if v.effective == day), None)  # day, or by what
            if earlier is not None:  # held it back (a version left out, which it waited for)
                holder = earlier.held_back_by or earlier.commit
                waits = earlier.waits_for if holder == _left_out(earlier) else waits
            holder = holder or _left_out(version)
        meta = version.meta
        if number < last and (meta.links or meta.anchors):
            meta = replace(meta, links=(), anchors=())
        settled.append(_dated(version, (day, holder, waits), meta))
    return replace(document, versions=tuple(settled))


def _earliest(version: Version) -> date:
    """The day a version can go live, whatever came before: its declared day, or the day of a
    version left out just before it (which it would have waited for), if later."""
    waits = version.waits_for
    return max(version.declared.date, waits[1]) if waits else version.declared.date


def _left_out(version: Version) -> str | None:
    """The commit of the version left out that this one waits for, if any."""
    return version.waits_for[0] if version.waits_for else None


def _dated(
    version: Version, dated: tuple[date, str | None, tuple[str, date] | None], meta: DocMeta
) -> Version:
    """``dataclasses.replace(version, effective=..., held_back_by=..., waits_for=...,
    meta=...)``, without its cost (every version of every document is settled on a first read:
    0.2 s of 15,000): a copy of the frozen version's fields with these changed. A test compares
    the two."""
    effective, holder, waits = dated
    copied = object.__new__(Version)
    copied.__dict__.update(
        version.__dict__, effective=effective, held_back_by=holder, waits_for=waits, meta=meta
    )
    return copied
