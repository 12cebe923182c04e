"""The pipeline: git repository -> versions -> go-live dates -> releases, in one function."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from tracker.config import CONFIG_FILE, Config, parse_config
from tracker.dates import looks_like_date, parse_date
from tracker.errors import InputError, NotFoundError, RefError
from tracker.history.documents import decode
from tracker.history.releases import Release, build_releases, contents_order
from tracker.history.walk import Document, Problem, Version, build_history, first_parent_line
from tracker.index import log as index
from tracker.repository.paths import check_path
from tracker.repository.read import GitRepo


@dataclass
class Manual:
    """A manual read from git at one moment: everything the CLI and the web show."""

    repo: GitRepo
    branch: str
    head: str
    root: str
    config: Config
    today: date
    documents: list[Document]  # table-of-contents order
    releases: list[Release]  # oldest first
    problems: list[Problem] = field(default_factory=list)
    line: dict[str, int] = field(default_factory=dict)  # first-parent commit -> position

    def version_at(self, document: Document, point: str) -> Version | None:
        """The version in force on a date, or current at a commit; None before it existed."""
        if looks_like_date(point):
            return document.in_force(parse_date(point))
        sha = self.repo.resolve(point)
        if sha not in self.line:
            raise RefError(f"The commit {point!r} is not on the tracked branch {self.branch!r}.")
        found = None
        for version in document.versions:
            if self.line[version.commit] <= self.line[sha]:
                found = version
        return found

    def document(self, ident: str) -> Document:
        """The document with this id (or a former id), or NotFoundError.

        Where two share an id (a duplicate, or a withdrawn document whose id a new one took)
        the one still published wins, then the one whose id is explicit.
        """
        for match in (
            lambda d: d.id == ident and d.latest.kind != "deleted" and d.latest.meta.id,
            lambda d: d.id == ident and d.latest.kind != "deleted",
            lambda d: d.id == ident,
            lambda d: ident in d.aliases,
        ):
            for document in self.documents:
                if match(document):
                    return document
        raise NotFoundError(f"There is no document with the id {ident!r}.")

    def compared(
        self, document: Document, start: str | None, end: str | None
    ) -> tuple[Version | None, Version]:
        """The two versions a diff compares, from dates or commits (None: the defaults).

        By default the version in force today is compared with the version before it.
        """
        if end:
            after = self.version_at(document, end)
            if after is None:
                raise InputError(f"{document.id!r} did not exist yet at {end!r}.")
        else:
            after = document.in_force(self.today) or document.latest
        if start:
            return self.version_at(document, start), after
        position = document.versions.index(after)
        return (document.versions[position - 1] if position else None), after

    def release(self, day: date) -> Release:
        """The release on ``day``, or NotFoundError."""
        for release in self.releases:
            if release.date == day:
                return release
        raise NotFoundError(f"There is no release on {day.isoformat()}.")

    def default_release(self) -> Release:
        """The next upcoming release, else the latest."""
        upcoming = [release for release in self.releases if release.upcoming]
        if upcoming:
            return upcoming[0]
        if not self.releases:
            raise NotFoundError("The manual has no releases yet.")
        return self.releases[-1]

    def source(self, version: Version) -> str:
        """The Markdown of a version ('' for a deletion)."""
        if version.blob is None:
            return ""
        return decode(self.repo.read_blob(version.blob))

    def template_files(self) -> dict[str, str]:
        """The manual's own templates (``<root>/_templates/``), by file name."""
        folder = f"{self.root}/_templates" if self.root else "_templates"
        found = {}
        for path, blob in self.repo.list_files(self.head, folder):
            found[path[len(folder) + 1 :]] = decode(self.repo.read_blob(blob))
        return found


def open_manual(
    repo_path: str | Path = ".",
    root: str = "procedures",
    branch: str | None = None,
    today: date | str | None = None,
) -> Manual:
    """Read the manual: resolve the branch, load settings, sync the index, apply the rules."""
    root = _check_root(root)
    day = parse_date(today, "--today date") if isinstance(today, str) else today
    repo = GitRepo(repo_path)
    branch_name, head = repo.branch_head(branch)
    config_file = f"{root}/{CONFIG_FILE}" if root else CONFIG_FILE
    config_bytes = repo.read_file(head, config_file)
    config = parse_config(decode(config_bytes) if config_bytes is not None else None)
    day = day or datetime.now(config.timezone).date()
    snapshot = index.load(repo, branch_name, head, root, config)
    history = build_history(snapshot.commits, snapshot.metas, head, root, config)
    documents = contents_order(history.documents, config.sections)
    return Manual(
        repo=repo,
        branch=branch_name,
        head=head,
        root=root,
        config=config,
        today=day,
        documents=documents,
        releases=build_releases(documents, day),
        problems=history.problems,
        line={sha: n for n, sha in enumerate(first_parent_line(snapshot.commits, head))},
    )


def _check_root(root: str) -> str:
    root = root.strip("/")
    if root in ("", "."):
        return ""
    try:
        return check_path(root)
    except Exception:
        raise InputError(
            f"The root folder {root!r} is not a valid path inside the repository."
        ) from None
