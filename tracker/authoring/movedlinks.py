"""A chapter moved to another folder with a link left as it was, which now reaches another
chapter: the namesake in the new folder (``referrals.md``), not the one it reached. A diff
shows such a link as the same (a folder renamed moves the chapters its chapters link to as
well, and then links written alike still reach them: ``trackchanges.reached``), so its author
is told here, while the move is recent."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from urllib.parse import quote

from tracker.authoring.lines import Lines
from tracker.errors import GitTimeout, RepositoryError
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
    one chapter of the manual then and now reaches another (``source``: a version's Markdown,
    for the links of the one before the move, which only a newest version keeps read: read
    only where a link of the newest could be one)."""
    held = _holders(snapshot, snapshot.line)
    live = {composed(d.latest.path): d for d in snapshot.documents if not d.latest.deleted}
    problems = []
    for document in snapshot.documents:
        moved = _last_move(document)
        if moved is None or document.latest.deleted or moved[1].effective < since:
            continue
        before, latest = moved[0], document.latest
        reached: dict[str, tuple[Document, Document] | None] = {}  # (each path once)
        for path in dict.fromkeys(target.partition("#")[0] for target in latest.meta.links):
            went, goes = (link_path(v.path, path) if path else None for v in (before, latest))
            was = _holder(held, went, snapshot.line.get(moved[1].commit, -1)) if went else None
            now = live.get(composed(goes)) if goes else None
            if was is not None and now is not None and was is not now and not was.latest.deleted:
                reached[path] = (was, now)
        found = [
            (target, path, *elsewhere)
            for target in latest.meta.links  # (in the text's order, each place it is written)
            if (elsewhere := reached.get(path := target.partition("#")[0])) is not None
        ]
        if not found:
            continue
        try:
            earlier = set(parse_document(source(before).encode("utf-8")).links)
        except GitTimeout:
            raise
        except RepositoryError:  # (git lacks it now, though it was read into the kept
            continue  # history: not this rule's to say, and the others' findings stand)
        folder = posixpath.dirname(before.path)
        for target, path, was, now in found:
            if target not in earlier:
                continue
            fragment = target.partition("#")[2]
            here = posixpath.dirname(latest.path) or "."
            mended = quote(posixpath.relpath(was.latest.path, here), safe="/")
            message = (
                f"was moved from {f'{folder}/' if folder else 'the top folder'} and still links "
                f"to {target}, which from its new folder is {now.latest.path}, not "
                f"{was.latest.path}, which it reached before: if it should still go there, "
                f"write {mended}{f'#{fragment}' if fragment else ''}"
            )
            line = lines.address(latest, target, path, kind=RULE)
            problems.append(Problem("warning", latest.path, message, rule=RULE, line=line))
    return problems


_Held = dict[str, list[tuple[int, bool, Document]]]


def _holders(snapshot: Snapshot, line: Mapping[str, int]) -> _Held:
    """For each path a document has had (as links name it): where on the branch's
    first-parent line (``line``) a document came to it or left it (deleted, or moved away),
    in that order (within one commit, one leaving before one coming)."""
    held: _Held = defaultdict(list)
    for document in snapshot.documents:
        previous = None
        for version in document.versions:
            place = line.get(version.commit)
            if place is None:  # (every version's commit is on it: its merge's, if merged)
                continue
            if previous is not None and not previous.deleted and previous.path != version.path:
                held[composed(previous.path)].append((place, False, document))
            held[composed(version.path)].append((place, not version.deleted, document))
            previous = version
    for events in held.values():
        events.sort(key=lambda event: (event[0], event[1]))
    return held


def _holder(held: _Held, path: str, place: int) -> Document | None:
    """The document at ``path`` just before the commit at ``place`` on the first-parent line
    (None: none was there)."""
    holder = None
    for at, present, document in held.get(composed(path), ()):
        if at >= place:
            break
        holder = document if present else None
    return holder


def _last_move(document: Document) -> tuple[Version, Version] | None:
    """The version before the document's last move to another folder, and the one that moved
    it (None: it never moved folder)."""
    versions = [v for v in document.versions if not v.deleted]
    for before, version in zip(reversed(versions[:-1]), reversed(versions[1:]), strict=True):
        if posixpath.dirname(before.path) != posixpath.dirname(version.path):
            return before, version
    return None
