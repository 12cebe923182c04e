"""``tracker check``: what an author should fix before a release (SPEC §7)."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from datetime import date, timedelta

from tracker.history.documents import path_id
from tracker.history.model import Problem
from tracker.history.snapshot import Snapshot

# Go-live warnings cover versions not yet live and those that went live this recently.
RECENT_DAYS = 30


def check_manual(snapshot: Snapshot, today: date, since: date | None = None) -> list[Problem]:
    """Every error and warning, errors first."""
    since = since or _recent(today)
    problems = [
        # Commits cannot be changed: what is wrong with an old one is history, not a to-do.
        *(p for p in snapshot.problems if p.day is None or p.day >= since),
        *_front_matter(snapshot),
        *_duplicate_ids(snapshot),
        *_broken_links(snapshot),
        *_go_live(snapshot, since),
        *_missing_notes(snapshot, today),
        *_overdue_reviews(snapshot, today),
    ]
    return sorted(problems, key=lambda p: p.level != "error")


def _recent(today: date) -> date:
    """The first day of the recent past that go-live warnings look at."""
    try:
        return today - timedelta(days=RECENT_DAYS)
    except OverflowError:
        return date.min


def _front_matter(snapshot: Snapshot) -> list[Problem]:
    return [
        Problem("error", doc.latest.path, problem)
        for doc in snapshot.documents
        if not doc.latest.deleted
        for problem in doc.latest.meta.problems
    ]


def _duplicate_ids(snapshot: Snapshot) -> list[Problem]:
    paths: dict[str, list[str]] = defaultdict(list)
    for doc in snapshot.documents:
        if not doc.latest.deleted:
            paths[doc.latest.meta.id or path_id(doc.latest.path)].append(doc.latest.path)
    return [
        Problem("error", found[1], f"has the id {ident!r}, which {found[0]} already uses")
        for ident, found in sorted(paths.items())
        if len(found) > 1
    ]


def _broken_links(snapshot: Snapshot) -> list[Problem]:
    live = {doc.latest.path for doc in snapshot.documents if not doc.latest.deleted}
    problems = []
    for doc in snapshot.documents:
        version = doc.latest
        if version.deleted:
            continue
        for target in version.meta.links:
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(version.path), target))
            if resolved not in live:
                problems.append(
                    Problem("error", version.path, f"links to {target}, which is not a document")
                )
    return problems


def _go_live(snapshot: Snapshot, since: date) -> list[Problem]:
    """Back-dated and held-back versions that are not yet live or went live recently."""
    return [
        Problem("warning", f"{doc.id} (commit {version.commit[:10]})", reason)
        for doc in snapshot.documents
        for version in doc.versions
        if version.effective >= since
        for reason in version.reasons
    ]


def _missing_notes(snapshot: Snapshot, today: date) -> list[Problem]:
    problems = []
    for release in snapshot.upcoming(today):
        for entry in release.entries:
            if entry.minor or any(note.explicit for note in entry.notes):
                continue
            shown = "by its title alone" if entry.type == "guidance" else "with its commit subject"
            problems.append(
                Problem(
                    "warning",
                    entry.id,
                    f"goes live on {release.date} without a Change-Note, "
                    f"so the newsletter lists it {shown}",
                )
            )
    return problems


def _overdue_reviews(snapshot: Snapshot, today: date) -> list[Problem]:
    return [
        Problem("warning", doc.id, f"was due for review on {doc.latest.meta.review_due}")
        for doc in snapshot.documents
        if not doc.latest.withdrawn
        and doc.latest.meta.review_due is not None
        and doc.latest.meta.review_due < today
    ]
