"""Commits -> document versions with go-live dates (SPEC §3): the history pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from tracker.config import Config
from tracker.history.documents import DocMeta
from tracker.history.golive import effective_dates
from tracker.history.identity import Walker
from tracker.history.model import Document, Problem, Version
from tracker.repository.parse import RawCommit
from tracker.repository.paths import Root


@dataclass(frozen=True)
class History:
    """Every document of the manual and what reading the history found wrong."""

    documents: tuple[Document, ...]  # in order of first appearance
    problems: tuple[Problem, ...]


def first_parent_line(commits: Mapping[str, RawCommit], head: str) -> list[str]:
    """The tracked branch's first-parent line, oldest first."""
    line, sha = [], head
    while sha in commits:
        line.append(sha)
        parents = commits[sha].parents
        sha = parents[0] if parents else ""
    return line[::-1]


def build_history(
    commits: Mapping[str, RawCommit],
    metas: Mapping[str, DocMeta],
    head: str,
    root: Root,
    config: Config,
) -> History:
    """Walk the first-parent line oldest first and record each document's versions."""
    walker = Walker(metas, root, config)
    absorbed: set[str] = set()
    order = {sha: position for position, sha in enumerate(reversed(list(commits)))}
    for sha in first_parent_line(commits, head):
        commit = commits[sha]
        merged = _merged_commits(commits, commit, absorbed, order)
        absorbed.update(merged)
        absorbed.add(sha)
        walker.apply(commit, [commits[s] for s in merged])
    documents = [_settle(document) for document in walker.finish()]
    return History(tuple(documents), tuple(walker.problems))


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
    """Effective go-live per version; a version held back names the version that holds it."""
    effective = effective_dates([version.declared.date for version in document.versions])
    settled: list[Version] = []
    for version, day in zip(document.versions, effective, strict=True):
        holder = None
        if day > version.declared.date:
            holder = next(v.commit for v in settled if v.effective == day)
        settled.append(replace(version, effective=day, held_back_by=holder))
    return replace(document, versions=tuple(settled))
