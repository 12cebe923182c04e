"""The command line's plain text of the history: ``tracker releases`` (a release day's lines)
and ``tracker history`` (a document's versions), and the warnings a read says.

Written from the history's own rows and documents, by ``publish/views.py`` for a command, and
by ``index/derived.py`` when it keeps the history: a warm command reads them back
(``index/answers.py``) without loading the engine. Only the part that depends on the day a
command runs ("upcoming") is added when it runs, by the functions here, on both paths.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from tracker.history.model import Document, Problem
    from tracker.history.releases import EntryRow

NO_RELEASES = "No releases yet.\n"
# A sentence's end (a full stop, question or exclamation mark, an ellipsis; the CJK full stop
# and full-width marks, the Arabic question mark, the Devanagari danda), then any closing
# quotes or brackets.
_ENDED = re.compile(r"[.!?\u2026\u3002\uff01\uff1f\u061f\u0964][\"'\u2019\u201d\u00bb)\]]*\Z")


def ended(text: str) -> str:
    """The text ending as a sentence does: a full stop added unless it ends with one, a
    question or exclamation mark or an ellipsis (a closing quote or bracket may follow)."""
    text = text.strip()
    return text if _ENDED.search(text) else f"{text}."


def joined(notes: Iterable[str]) -> str:
    """Notes as one text: one as it is written; several each ending as a sentence (a commit's
    subject, taken as a note, has no full stop, and they would run together)."""
    found = [text.strip() for text in notes if text.strip()]
    return found[0] if len(found) == 1 else " ".join(ended(text) for text in found)


def day_lines(rows: Iterable[EntryRow]) -> str:
    """A release day's entries, one line each (and a newline after each)."""
    lines = []
    for _key, _at, _was, change, renamed, notes, minor, title, *_ in rows:
        said = joined(text for text, _ in notes)
        lines.append(
            f"  {change + ', renamed' if renamed else change:<17} {title}"
            + (" [minor]" if minor else "")
            + (f": {said}" if said else "")
            + "\n"
        )
    return "".join(lines)


def releases_text(days: Iterable[tuple[str, str]], today: str) -> str:
    """Every release newest first, from (day, its ``day_lines``) in that order; ``today`` and
    the days as ``YYYY-MM-DD`` (which sort as the dates do)."""
    parts = [
        f"{day}  (upcoming)\n{lines}\n" if day > today else f"{day}\n{lines}\n"
        for day, lines in days
    ]
    return "".join(parts) if parts else NO_RELEASES


def history_lines(document: Document) -> str:
    """A document's versions, oldest first, with why each goes live when it does (without
    ``history_end``)."""
    lines = [f"{document.latest.title} ({document.id})", ""]
    lines.append(f"{'committed':<10}  {'go-live':<10}  {'commit':<10}  {'change':<9}  note")
    for version in document.versions:
        lines.append(
            f"{version.committed.date().isoformat()}  {version.effective.isoformat()}  "
            f"{version.commit[:10]}  {version.kind:<9}  {version.note}"
            + ("  [minor]" if version.minor else "")
        )
        lines += [f"{'':<36}{reason}" for reason in version.reasons]
        if version.path != document.latest.path or version.old_path:
            lines.append(f"{'':<36}path: {version.path}")
    return "\n".join(lines)


def history_end(lines: str, goes_live: str, today: str) -> str:
    """``history_lines`` as shown on ``today``: with the day the newest version goes live, if
    that is later (``goes_live``; effective dates never go down along the versions, so the
    version in force is another one until then)."""
    if goes_live > today:
        return f"{lines}\n\nThe newest version goes live on {goes_live}.\n"
    return f"{lines}\n"


def warnings(problems: Iterable[Problem]) -> list[str]:
    """What a read says of its problems on every command (not only ``tracker check``): the
    versions left out, but for those of a single day's commit (a file git lacks is said
    always: git may have it later)."""
    from tracker.history.model import LEFT_OUT  # (loaded already by whoever has problems)

    return [
        f"{problem.where}: {problem.message}."
        for problem in problems
        if problem.rule in LEFT_OUT and (problem.day is None or problem.rule == "missing-object")
    ]
