"""How a command opens the manual: the whole way (the repository, its snapshot now, today in
the manual's time zone), or, for ``tracker releases`` and ``tracker history`` in text, from the
answers kept with the history when the branch has not moved (``index/answers.py``): one git
process and a few queries, without loading the engine. Both print the same text, with the
same warnings before it (tests compare them).
"""

from __future__ import annotations

import os

from tracker.logs import Logger
from tracker.repository.paths import Root

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from datetime import date
    from pathlib import Path

    from tracker.config import Config
    from tracker.history.model import Problem
    from tracker.history.snapshot import Snapshot
    from tracker.index.answers import Kept
    from tracker.manual import Manual
    from tracker.repository.read import GitRepo


log = Logger(__name__)
UNPUSHED = "not-pushed"


class Opened:
    """What a command reads: the manual, its snapshot now, and the day taken as today (a plain
    class: dataclasses, with inspect, is not loaded for '--help')."""

    __slots__ = ("manual", "snapshot", "today", "unpushed")

    def __init__(
        self, manual: Manual, snapshot: Snapshot, today: date, unpushed: tuple[Problem, ...] = ()
    ) -> None:
        self.manual, self.snapshot, self.today = manual, snapshot, today
        self.unpushed = unpushed  # (for tracker check: its findings; said by other commands)


def opened(
    args: argparse.Namespace,
    repo: GitRepo | None = None,
    despite: bool = False,
    worktree: bool = False,
) -> Opened:
    """The manual a command names (``--repo``, ``--root``, ``--branch``), read the whole way
    (``repo``: that repository, opened already by ``answered``; ``despite``: even while its
    newest settings cannot be read, for ``tracker check``: ``Manual.despite_broken_settings``;
    ``worktree``: saying first what is not committed, which the command does not read)."""
    from tracker import dates
    from tracker.manual import Manual, open_manual

    fixed = fixed_today(args.today)
    if repo is None:
        manual = open_manual(args.repo, root=args.root, branch=args.branch, lazy=True, once=True)
    else:  # (its root and branch checked by answered)
        manual = Manual(repo, Root.parse(args.root), args.branch, lazy=True)
    manual.checked = despite  # (tracker check reads every document: see Manual.checked)
    snapshot = manual.despite_broken_settings() if despite else manual.snapshot()
    today = dates.today(snapshot.config.timezone, fixed)
    unpushed: tuple[Problem, ...] = ()
    if worktree:
        _uncommitted(manual, args.command, snapshot.config)
        unpushed = tuple(_unpushed(manual, snapshot))
        for problem in unpushed if args.command != "check" else ():
            log.warning("%s: %s.", problem.where, problem.message)
    return Opened(manual, snapshot, today, unpushed)


def _uncommitted(manual: Manual, command: str, config: Config) -> None:
    """Say that files of the manual have changes not committed yet: the command reads commits
    only, and an author who runs it before committing (as a newcomer does) was told all was
    well of a chapter it never read. Files of the manual: its documents, ``manual.toml``, its
    templates and images (where the manual's folder is the repository's top, its scripts and
    README are not; nor a submodule's own changes)."""
    if manual.repo.work_tree is None:
        return  # (a bare repository: nothing is checked out)
    from tracker.errors import TrackerError
    from tracker.repository.process import run_git

    asked = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]
    pathspec = f":(top,literal){manual.root.folder}"
    # (no optional locks: git writes nothing, its index's times included, and a commit made
    # meanwhile never fails on the index's lock)
    quiet = {"GIT_OPTIONAL_LOCKS": "0"}
    try:
        found = run_git([*asked, "--", pathspec], manual.repo.work_tree, False, env=quiet)
    except TrackerError:  # (git did not answer in time: nothing said, the command goes on)
        return
    changed = [
        entry
        for entry in found.stdout.split("\0")
        if entry[2:3] == " " and _of_the_manual(manual.root.relative(entry[3:]) or "", config)
    ]
    if found.returncode == 0 and changed:
        where = f"{manual.root.folder}/" if manual.root.folder else "the repository"
        log.warning(
            "%d file%s under %s %s changes not committed yet: tracker %s reads only what is "
            "committed.", len(changed), "s" * (len(changed) != 1), where,
            "have" if len(changed) != 1 else "has", command,
        )  # fmt: skip


def _unpushed(manual: Manual, snapshot: Snapshot) -> list[Problem]:
    """Say of the commits not yet on the branch's upstream (``tracker check`` run before a
    push) whose changes count as live since a day that has passed: git dates a commit when
    it is made, not pushed, so once pushed its changes show as in force since then, which they
    were not, in a release whose newsletter went out without them (exploratory testing of
    history shapes). "Passed" by the computer's clock, not a day asked to be taken as today
    (a push is now). Nothing is said of a branch with no upstream (not pushed before: a first
    push of a whole history named every commit, review); more than a few are said at once, in
    one warning (rule ``not-pushed``)."""
    if manual.repo.work_tree is None:
        return []
    from tracker import dates
    from tracker.errors import TrackerError
    from tracker.repository.process import run_git

    today, where = dates.today(snapshot.config.timezone), manual.repo.work_tree
    asked = ["rev-parse", "--verify", "--quiet", "--abbrev-ref", f"{snapshot.branch}@{{upstream}}"]
    try:
        upstream = run_git(asked, where, False).stdout.strip()
        if not upstream:
            return []
        found = run_git(["rev-list", snapshot.head, "--not", upstream, "--"], where, False)
    except TrackerError:  # (git did not answer in time: nothing said, the command goes on)
        return []
    unpushed = set(found.stdout.split()) if found.returncode == 0 else set()
    late: dict[str, list[str]] = {}  # commit -> what it changes, live since a passed day
    for document in snapshot.documents if unpushed else ():
        for version in document.versions:
            if version.commit in unpushed and version.effective < today:
                late.setdefault(version.commit, []).append(f"{version.title} ({version.effective})")
    if not late or _merged_later(snapshot.branch, upstream, where):
        return []
    from tracker.history.model import Problem

    again = (
        "git commit --amend --no-edit"
        if set(late) == {snapshot.head}
        else f"git rebase --force-rebase --rebase-merges {upstream}, which dates every commit "
        "not yet on it now"
    )
    said = [  # (oldest first)
        f"commit {commit[:10]}: {'; '.join(late[commit])}"
        for commit in sorted(late, key=snapshot.line.__getitem__)
    ]
    if len(late) == 1:
        commit, changes = said[0].split(": ", 1)
        message = (
            f"{changes} is not yet on {upstream} but counts as live since a day that has "
            "passed: pushed so, its changes will show as in force since then, which they were "
            f"not. Date it now ({again}), so that it goes live at the next release"
        )
    else:
        commit, listed = f"branch {snapshot.branch}", "; ".join(said[:3]) + "; …" * (len(said) > 3)
        message = (
            f"{len(late)} commits not yet on {upstream} count as live since days that have "
            f"passed ({listed}): pushed so, their changes will show as in force since then, "
            f"which they were not. Date them now ({again}), so that they go live at the next "
            "release"
        )
    return [Problem("warning", commit, message, rule=UNPUSHED)]


def _merged_later(branch: str, upstream: str, where: Path) -> bool:
    """Whether the branch goes to its remote as a branch of its own, not as the one the remote
    publishes (its ``HEAD``, as cloning set it): a feature branch, whose changes are dated by
    the merge that takes them in (SPEC §3), not by their commits (review). Where the remote's
    ``HEAD`` is not known (not cloned), the branch is taken as the one published."""
    from tracker.errors import TrackerError
    from tracker.repository.process import run_git

    try:
        remote = run_git(["config", "--get", f"branch.{branch}.remote"], where, False)
        name = remote.stdout.strip()
        if remote.returncode != 0 or not name or name == ".":
            return False
        # (the branch it names, if it has it: a HEAD naming a branch deleted since is unknown)
        asked = ["rev-parse", "--verify", "--quiet", "--abbrev-ref", f"refs/remotes/{name}/HEAD"]
        published = run_git(asked, where, False).stdout.strip()
    except TrackerError:  # (git did not answer in time: said, as before)
        return False
    return bool(published) and published != upstream


_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")  # (shown by chapters)


def _of_the_manual(relative: str, config: Config) -> bool:
    """Whether a file under the root is one the manual reads (``_uncommitted``)."""
    from tracker.config import CONFIG_FILE, TEMPLATES_FOLDER

    return (
        config.is_document(relative)
        or relative == CONFIG_FILE
        or relative.startswith(f"{TEMPLATES_FOLDER}/")
        or (relative.lower().endswith(_IMAGES) and config.is_published(relative))
    )


def fixed_today(text: str | None) -> date | None:
    """The day a user fixed as today (``--today`` or ``TRACKER_TODAY``), validated."""
    if text is None:
        return None
    from tracker import dates

    what = "--today date" if text != os.environ.get("TRACKER_TODAY") else "TRACKER_TODAY date"
    return dates.parse_date(text, what)


def answered(args: argparse.Namespace, ident: str | None) -> tuple[bool, GitRepo]:
    """Print ``tracker releases`` (``ident`` None) or ``tracker history ident`` from the
    answers kept for the branch head, with the warnings a read says, if they are kept:
    whether it was printed, and the repository opened (the whole way goes on with it)."""
    from tracker.index.answers import opened as kept_for

    fixed = fixed_today(args.today)  # (checked first, as the whole way does)
    kept, repo = kept_for(args.repo, args.root, args.branch)
    return kept is not None and _said(kept, ident, fixed, warn=True), repo


def answered_after(read: Opened, ident: str | None) -> bool:
    """Print the same from the answers kept just now by the whole way's read, if it could
    keep them: the text is then read rather than written again (a new commit's command). Its
    warnings were said by the read."""
    from tracker.index.answers import read as kept_at

    snapshot = read.snapshot
    kept = kept_at(read.manual.repo, snapshot.branch, snapshot.head, snapshot.root)
    return kept is not None and _said(kept, ident, read.today, warn=False)


def _said(kept: Kept, ident: str | None, fixed: date | None, warn: bool) -> bool:
    from tracker.console import out, warn_about

    try:
        today = kept.today(fixed)
        if today is None:
            return False
        found = kept.releases(today) if ident is None else kept.history(ident, today)
    finally:
        kept.close()
    if kept.damaged:
        from tracker.index.answers import rebuilt

        rebuilt(kept.path)
    if found is None:
        return False
    text, keys = (found, None) if isinstance(found, str) else (found[0], [found[1]])
    if warn:  # (as the whole way's read says them: manual._warn, then cli._warn_about)
        for warning in kept.problems:
            log.warning("%s", warning)
        warn_about(kept.notices, keys)
    out(text, end="")
    return True
