"""The manual's settings as git holds them: ``manual.toml``'s text at a commit, and, while the
newest cannot be read, the changes that broke them since the last readable ones (the website
shows the manual as it stood before them) and their error as a finding of ``tracker check``,
which reads the branch's head with the last readable settings meanwhile
(``Manual.despite_broken_settings``)."""

from __future__ import annotations

import dataclasses

from tracker.config import CONFIG_FILE, parse_config, settings_text
from tracker.errors import ConfigError
from tracker.history.model import SETTINGS_INVALID, Problem
from tracker.history.snapshot import Snapshot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracker.repository.paths import Root
    from tracker.repository.read import GitRepo

SEARCH = 100  # changes to the settings looked through for the last readable ones


def read_settings(repo: GitRepo, root: Root, head: str) -> str | None:
    """The text of the manual's settings at ``head`` (None when it has no manual.toml)."""
    data = repo.read_file(head, root.join(CONFIG_FILE))
    return settings_text(data) if data is not None else None


def unreadable_changes(repo: GitRepo, root: Root, head: str) -> tuple[list[str], str | None]:
    """The unreadable changes to the settings since the last readable ones, newest first, and
    the commit before the oldest of them. Its commit is None when that oldest change is the
    manual's first commit (nothing came before it) or none of the last 100 is readable; there
    are no changes when the newest one is readable (what fails is not a commit's: a library
    that no longer knows their bank holidays)."""
    path, before, broken = root.join(CONFIG_FILE), None, []
    changes = repo.changed_path(head, path, SEARCH)
    for sha, parent in changes:
        data = repo.read_file(sha, path)
        try:
            parse_config(settings_text(data) if data is not None else None)
            break  # readable: the commit after it broke them
        except ConfigError:
            broken.append(sha)
            before = parent or None  # (the manual's first commit: nothing before it)
    else:
        before = before if len(changes) < SEARCH else None
    return broken, before


def with_settings_error(
    snapshot: Snapshot, error: ConfigError, broken: list[str], before: str | None
) -> Snapshot:
    """The snapshot of the head read with the settings before ``broken`` (the defaults when
    ``before`` is None), its problems led by the settings' error, on their file and line; the
    history's warnings that those commits left them unreadable (``settings-unread``) are
    left out, as the error says it."""
    reason = str(error).removeprefix(CONFIG_FILE).removeprefix(":").strip().rstrip(".")
    instead = (
        f"the settings as they were before commit {broken[-1][:10]}, which broke them"
        if before is not None and broken
        else "the default settings"
    )
    message = f"{reason}; until it is mended, the manual is read with {instead}"
    found = Problem("error", CONFIG_FILE, message, rule=SETTINGS_INVALID, line=error.line)
    said = {f"commit {sha[:10]}" for sha in broken}
    others = (p for p in snapshot.problems if p.rule != "settings-unread" or p.where not in said)
    return dataclasses.replace(snapshot, problems=(found, *others))
