"""``tracker preview``: the next release as practitioners will see it, and what will miss it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tracker.dates import in_words
from tracker.history.model import Document, Version
from tracker.history.releases import Release, undone_on
from tracker.history.snapshot import Snapshot
from tracker.history.texts import joined


@dataclass(frozen=True)
class Waiting:
    """A committed change that does not go live in the next release, and why."""

    document: Document
    version: Version
    reason: str


@dataclass(frozen=True)
class Preview:
    """The next release (None when nothing is coming), the changes that wait for later, and
    those undone the day they would go live (``undone``: no release lists them)."""

    release: Release | None
    waiting: tuple[Waiting, ...]
    undone: tuple[Waiting, ...] = ()


def preview(snapshot: Snapshot, today: date) -> Preview:
    """What goes live next, and every later change with the reason it waits."""
    upcoming = snapshot.upcoming(today)
    release = upcoming[0] if upcoming else None
    waiting, undone = [], []
    for document in snapshot.documents:
        for version in document.versions:
            if version.effective <= today:
                continue
            if undone_on(document, version.effective):
                when = in_words(version.effective)
                reason = f"changed and changed back on the day it would go live, {when}"
                undone.append(Waiting(document, version, reason))
            elif release is None or version.effective > release.date:
                waiting.append(Waiting(document, version, _reason(snapshot, version, release)))
    return Preview(release, tuple(sorted(waiting, key=_order)), tuple(sorted(undone, key=_order)))


def _order(item: Waiting) -> tuple[date, datetime]:
    return item.version.effective, item.version.committed


def _reason(snapshot: Snapshot, version: Version, release: Release | None = None) -> str:
    """Why a version goes live when it does rather than in the next release (``release``)."""
    when = in_words(version.effective)
    if version.held_back_by:
        left_out = version.held_by_left_out
        return (
            f"held back until {when}: the earlier commit {version.held_back_by[:10]} "
            + ("(left out: it cannot be read) would have gone live" if left_out else "goes live")
            + " then, and a later change cannot go live before it"
        )
    source = version.declared.source
    schedule = snapshot.config.schedule
    committed = version.committed.date()
    if (  # (the head's schedule, where it is the one that dated the version)
        source == "schedule"
        and schedule is not None
        and schedule.release_for(committed) == version.declared.date
    ):
        missed = [r for r in schedule.releases if committed <= r < version.effective]
        if missed:  # the last scheduled release it was too late for
            cutoff = missed[-1] - timedelta(days=schedule.cutoff_days)
            return (
                f"missed the cut-off for {in_words(missed[-1])} (committed "
                f"{in_words(committed)}; the cut-off was {in_words(cutoff)}), so goes live on "
                f"{when}"
            )
    if source in ("trailer", "merge"):
        return f"its Go-Live trailer says {when}"
    if (  # (the next release is one a Go-Live set, between two of the schedule's)
        source == "schedule"
        and schedule is not None
        and release is not None
        and release.date not in schedule.releases
        and version.effective in schedule.releases
    ):
        setter = next((entry for entry in release.entries
                       if entry.version.declared.source in ("trailer", "merge")), None)  # fmt: skip
        why = (
            f"the Go-Live of {setter.title} ({setter.version.commit[:10]}) set it"
            if setter is not None
            else "an earlier schedule set it"
        )
        return (
            f"goes live with the next scheduled release, {when}; the release on "
            f"{in_words(release.date)} is not one of the schedule's ({why})"
        )
    return f"goes live on {when}"


def preview_text(found: Preview, today: date, newsletter: str | None) -> str:
    """The preview in words: the release's entries, what waits, and the newsletter section."""
    lines: list[str] = []
    release = found.release
    if release is None:
        lines.append("No release is coming: nothing committed is waiting to go live.")
    else:
        days = (release.date - today).days
        lines.append(f"Next release: {in_words(release.date)} (in {days} day{'s' * (days != 1)}).")
        for entry in release.entries:
            notes = joined(note.text for note in entry.notes)
            minor = " [editorial]" if entry.minor else ""
            lines.append(
                f"  {entry.change:<10} {entry.title}{minor}" + (f": {notes}" if notes else "")
            )
    if found.waiting:
        lines += ["", "Committed, but waiting for a later release:"]
        for item in found.waiting:
            lines.append(f"  {item.version.title} ({item.version.commit[:10]}): {item.reason}.")
    if found.undone:
        lines += ["", "Committed, but undone before going live (practitioners see no change, "
                  "so no release lists it):"]  # fmt: skip
        for item in found.undone:
            lines.append(f"  {item.version.title} ({item.version.commit[:10]}): {item.reason}.")
    if newsletter is not None:
        lines += ["", "The newsletter section, as it will read:", "", newsletter.rstrip("\n")]
    return "\n".join(lines) + "\n"
