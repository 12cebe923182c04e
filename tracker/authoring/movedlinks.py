"""A chapter moved to another folder with a link left as it was, which now reaches another
chapter: the namesake in the new folder (``referrals.md``), not the one it reached. A diff
shows such a link as the same (a folder renamed moves the chapters its chapters link to as
well, and then links written alike still reach them: ``trackchanges.reached``), so its author
is told here, while the move is recent."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from datetime import date
from urllib.parse import quote

from tracker.authoring.lines import Lines
from tracker.errors import RepositoryError
from tracker.history.documents import parse_document
from tracker.history.links import composed, link_path
from tracker.history.model import Document, Problem, Version
from tracker.history.snapshot import Snapshot

RULE = "link-now-elsewhere"


def moved_link_problems(
    snapshot: Snapshot, since: date, lines: Lines, source: Callable[[Version], str]
) -> list[Problem]:
    """For each chapter whose last move to another folder goes live since ``since`` (or is to
    come), each link its text had before the move and still has, written alike, that reached
    one chapter of the manual and now reaches another (``source``: a version's Markdown, for
    the links of the one before the move, which only a newest version keeps read)."""
    had: dict[str, Document] = {}  # each path a document has had, as links name them
    for document in snapshot.documents:
        for version in document.versions:
            had[composed(version.path)] = document
    live = {composed(d.latest.path): d for d in snapshot.documents if not d.latest.deleted}
    problems = []
    for document in snapshot.documents:
        moved = _last_move(document)
        if moved is None or document.latest.deleted or moved[1].effective < since:
            continue
        before, latest = moved[0], document.latest
        if not latest.meta.links:
            continue
        try:
            earlier = parse_document(source(before).encode("utf-8")).links
        except RepositoryError:  # (git lacks it: missing-object's to say, not this rule's)
            continue
        kept = set(earlier) & set(latest.meta.links)
        for target in sorted(kept):
            path = target.partition("#")[0]
            went = link_path(before.path, path) if path else None
            goes = link_path(latest.path, path) if path else None
            was, now = had.get(composed(went or "")), live.get(composed(goes or ""))
            if was is None or now is None or was is now or was.latest.deleted:
                continue  # (one that reaches nothing now is broken-link's to say)
            folder = posixpath.dirname(latest.path) or "."
            mended = quote(posixpath.relpath(was.latest.path, folder), safe="/")
            message = (
                f"was moved from {posixpath.dirname(before.path) or 'the top folder'}/ and still "
                f"links to {path}, which from its new folder is {now.latest.path}, not "
                f"{was.latest.path}, which it reached before: if it should still go there, "
                f"write {mended}"
            )
            line = lines.address(latest, target, path)
            problems.append(Problem("warning", latest.path, message, rule=RULE, line=line))
    return problems


def _last_move(document: Document) -> tuple[Version, Version] | None:
    """The version before the document's last move to another folder, and the one that moved
    it (None: it never moved folder)."""
    versions = [v for v in document.versions if not v.deleted]
    for before, version in zip(reversed(versions[:-1]), reversed(versions[1:]), strict=True):
        if posixpath.dirname(before.path) != posixpath.dirname(version.path):
            return before, version
    return None
