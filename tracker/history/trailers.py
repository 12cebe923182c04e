"""What each commit says about the versions it makes: notes, minor, declared go-live (SPEC §3).

A merge on the first-parent line takes these from the merged commits that touched the
document, and from the merge itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tracker.config import CONFIG_FILE
from tracker.dates import looks_like_date
from tracker.history.golive import Declared, Schedule, declared_go_live, is_valid_go_live
from tracker.history.model import Note, Problem, Version, unique_notes
from tracker.history.texts import ended
from tracker.repository.parse import DASHES as DASHES  # (for the commit-msg hook)
from tracker.repository.parse import HYPHENS as HYPHENS
from tracker.repository.parse import ODD_SPACES as ODD_SPACES  # (for the commit-msg hook)
from tracker.repository.parse import RawCommit
from tracker.repository.parse import lists_squashed as lists_squashed  # (for the commit-msg hook)
from tracker.repository.parse import message_lines as message_lines
from tracker.repository.parse import split_squash as split_squash

TRAILER_KEYS = {"go-live", "change-note", "change-type"}
# A Go-Live with its date in a subject (a trailer written under the subject, which git joins
# to it): a date or 'immediate' must follow, so "Update go-live: dates" is no such thing.
SLIPPED = re.compile(r"(?:^|\s)go-live[ \t]*:[ \t]*([0-9]{4}-[0-9]{2}-[0-9]{2}|immediate)\b", re.I)
# A subject that is a Change-Note or Change-Type trailer alone (git reads none in a subject).
_KEYED = re.compile(r"\s*(change-(?:note|type))[ \t]*:(.*)", re.I | re.S)
FAR_DAYS = 366  # a Go-Live further than this after its commit is warned of (a year's typo)
# Each key with its letters alone, to catch Golive:, Changenote: or Change-Notes:.
_PLAIN = {"golive": "Go-Live", "changenote": "Change-Note", "changetype": "Change-Type"}


@dataclass(frozen=True)
class Source:
    """One commit's word on a change."""

    commit: RawCommit
    committed: datetime  # when, in the manual's time zone: worked out here and nowhere else
    declared: Declared
    notes: tuple[Note, ...]
    minor: bool
    says_minor_or_note: bool  # it has a Change-Type or a Change-Note of its own


class Sources:
    """Reads each commit's trailers once; reports a malformed Go-Live once."""

    def __init__(self, zone: ZoneInfo, schedule: Schedule | None) -> None:
        self.zone = zone
        self.schedule = schedule
        self.problems: list[Problem] = []
        self._known: dict[str, Source] = {}
        # A schedule's rule that has ended -> its problem's place, since when, the latest commit
        self._ended: dict[str, tuple[int, date, date, str]] = {}

    def forget(self) -> None:
        """Drop the commits read so far: each is read once, so only problems need keeping."""
        self._known.clear()

    def of(self, commit: RawCommit, within: str = "", merged: bool = False) -> Source:
        """The commit's own notes, minor flag and declared go-live (``within``: the squash
        merge whose message lists it; ``merged``: a commit merged in, whose own day does not
        count, so a schedule that had ended is not said of it but of its merge)."""
        known = self._known.get(within + commit.sha)
        if known is None:
            known = self._known[within + commit.sha] = self._read(commit)
        if not merged and known.declared.source == "commit" and self.schedule is not None:
            self._schedule_ended(commit, known.declared.date)  # (once a commit: a document)
        return known

    def for_change(
        self,
        commit: RawCommit,
        merged: list[RawCommit],
        paths: set[str],
        earlier: Sequence[Version] = (),
    ) -> list[Source]:
        """The sources of one version: the commit, or for a merge (or a squash merge whose
        message is git's) the merged commits too.

        Merged commits count when they touched one of ``paths`` (every path the document has
        had, followed through renames on the branch), and were not copied to the tracked
        branch before (``_copied``: ``earlier`` is the document's versions so far). A merge of
        the main line into the branch only carries others' work, so it counts only with
        trailers of its own. The merge itself comes last (``combined`` reads the go-live from
        all of them); it lends notes only from an explicit Change-Note, as does a merge within
        the branch (``_as_merge``).
        """
        wanted = set(paths)
        touching = []
        for candidate in merged:
            if len(candidate.parents) > 1 and not has_trailers(candidate):
                continue
            touched = False
            for change in candidate.changes:
                if change.old_path in wanted or change.new_path in wanted:
                    touched = True
                    wanted.update(p for p in (change.old_path, change.new_path) if p)
            if touched:
                touching.append(candidate)
        own = self.of(commit)
        # (a squash merge's commits, as its message lists them: each counts, as what each
        # touched is not known; kept apart from the commits themselves, should they be met)
        squashed = [c for c in commit.squashed if len(c.parents) < 2 or has_trailers(c)]
        commits = [*touching, *squashed]  # (a merge among them counts only with trailers)
        read = [self.of(c, merged=True) for c in touching]
        read += [self.of(c, f"{commit.sha}:", merged=True) for c in squashed]
        if earlier and read:  # (those copied before: gone live already, and said then)
            kept = [
                (c, it) for c, it in zip(commits, read, strict=True) if not _copied(it, earlier)
            ]
            if kept or not squashed:  # (a merge's every commit copied: what it changed is
                commits, read = [c for c, _ in kept], [it for _, it in kept]  # its own)
        if not read:
            return [own]
        # A merge within the branch lends what a merge lends, beside commits that made the
        # change; where merges alone made it (a conflict resolved in one) and none of them
        # says what the change is, what it says: its subject, not an editorial fix.
        as_said = all(len(c.parents) > 1 for c in commits) and not any(
            source.says_minor_or_note for source in read
        )
        sources = [
            source if as_said or len(c.parents) < 2 else _as_merge(source)
            for source, c in zip(read, commits, strict=True)
        ]
        merge = _as_merge(own)
        if not merge.notes and not any(source.notes for source in sources):
            merge = replace(merge, notes=own.notes)  # (merges said only "minor": a note still)
        return [*sources, merge]

    def _read(self, commit: RawCommit) -> Source:
        moment = datetime.fromtimestamp(commit.timestamp, self.zone)
        committed = moment.date()
        go_live = [value for key, value in commit.trailers if key == "go-live"]
        valid = [value for value in go_live if is_valid_go_live(value)]
        # The last that is a date or 'immediate': one that is neither is ignored, and the
        # schedule, often sooner, must not take the place of a date the author also gave.
        trailer = valid[-1] if valid else None
        for value in dict.fromkeys(value for value in go_live if value not in valid):
            self.problems.append(Problem(
                "error", f"commit {commit.sha[:10]}",
                f"has 'Go-Live: {value}', which {not_a_go_live(value)}, so it was ignored",
                committed, rule="go-live-invalid",
            ))  # fmt: skip
        if len(set(go_live)) > 1:
            taken = f"the last valid one, {trailer}," if trailer else "none"
            self.problems.append(Problem(
                "warning", f"commit {commit.sha[:10]}",
                f"has {len(go_live)} Go-Live trailers ({', '.join(go_live)}); {taken} was taken",
                committed, rule="go-live-twice",
            ))  # fmt: skip
        self.problems += misspelt_trailers(commit, committed) + unread_trailers(commit, committed)
        declared = declared_go_live(committed, trailer, self.schedule)
        if declared.explicit and (declared.date - committed).days > FAR_DAYS:
            self.problems.append(Problem(
                "warning", f"commit {commit.sha[:10]}",
                f"has 'Go-Live: {trailer}', more than a year after the commit (every later "
                "change to its documents waits for it): is the year right?", committed,
                rule="go-live-far",
            ))  # fmt: skip
        explicit = [value for key, value in commit.trailers if key == "change-note" and value]
        notes = tuple(Note(text, True) for text in explicit) or tuple(
            Note(text, False) for text in (commit.subject.strip(),) if text
        )  # (an empty message, which git makes only when told to: no note, not an empty one)
        kinds = {value.lower() for key, value in commit.trailers if key == "change-type"}
        for kind in sorted(kinds - {"minor", "major"}):
            self.problems.append(Problem(
                "warning", f"commit {commit.sha[:10]}",
                f"has 'Change-Type: {kind}', which the tracker does not read (only 'minor' makes "
                "a change minor), so the change is not minor", committed, rule="unknown-trailer",
            ))  # fmt: skip
        return Source(commit, moment, declared, notes, "minor" in kinds, bool(kinds or explicit))

    def _schedule_ended(self, commit: RawCommit, committed: date) -> None:
        """Say that a schedule has no release left for a commit (its rule ends), once for
        each rule, dated by the latest such commit (so that it does not age while it lasts)."""
        rule = self.schedule.rule if self.schedule is not None else ""
        at, since, day, sha = self._ended.get(rule, (len(self.problems), committed, committed, ""))
        since = min(since, committed)
        if committed >= day:  # (a merged branch's commits may come after later ones)
            day, sha = committed, commit.sha
        problem = Problem(
            "warning", CONFIG_FILE,
            f"the release schedule has ended: commits since {since.isoformat()} without a "
            "Go-Live trailer went live on the day they were committed, as if there were no "
            f"schedule (the latest, {sha[:10]}, on {day.isoformat()}); extend its rule (UNTIL "
            "or COUNT) or remove it", day, rule="schedule-ended",
        )  # fmt: skip
        if at < len(self.problems):
            self.problems[at] = problem
        else:
            self.problems.append(problem)
        self._ended[rule] = (at, since, day, sha)


def misspelt_trailers(commit: RawCommit, committed: date) -> list[Problem]:
    """Trailers the tracker does not read whose keys look like one it does (Golive:). An
    error for one meant as a Go-Live when git read none of the commit (the date the author
    gave was lost, as for a Go-Live git did not read, ``unread_trailers``: the schedule, the
    commit or, in a squash merge, another commit's Go-Live dated the version); else a
    warning."""
    found = []
    taken = any(key == "go-live" for key, _ in commit.trailers)
    for key, _ in commit.trailers:
        if key in TRAILER_KEYS:
            continue
        intended = meant_trailer(key)
        if intended:
            lost = intended == "Go-Live" and not taken
            found.append(Problem(
                "error" if lost else "warning", f"commit {commit.sha[:10]}",
                f"has the trailer '{key}:', which the tracker does not read; did you mean "
                f"'{intended}:'?" + (" Its date was ignored: the version's go-live date does "
                "not come from it" if lost else ""),
                committed, rule="unknown-trailer",
            ))  # fmt: skip
    return found


def unread_trailers(commit: RawCommit, committed: date) -> list[Problem]:
    """The tracker's trailers written where git does not read them: an error for a Go-Live
    (the version's date was then the schedule's, or the commit's) unless git read another, or
    it is in the subject; else a warning. (Asked of every commit of a first read: most have
    none, and leave at the first test.)"""
    subject = commit.subject
    slipped = SLIPPED.search(subject) if ":" in subject and subject[:6] != "Revert" else None
    keyed = _KEYED.fullmatch(subject) if ":" in subject else None
    if slipped is None and keyed is None and not commit.unread:
        return []
    found = []
    if keyed:  # (git commit -m "Change-Type: minor": the subject, so the newsletter's note)
        minor = keyed[1].lower() == "change-type" and keyed[2].strip().lower() == "minor"
        found.append(Problem(
            "warning", f"commit {commit.sha[:10]}",
            f"has '{subject.strip()}' as its subject, where git does not read it as a trailer "
            "(a trailer goes in the message's last paragraph, under a subject and a blank "
            "line), so the newsletter shows it as the change's note"
            + (" and the change is not minor" if minor else ""),
            committed, rule="unread-trailer",
        ))  # fmt: skip
    taken = [value for key, value in commit.trailers if key == "go-live"]
    if slipped:  # ("Update\nGo-Live: 2024-03-13": one subject to git; a warning, as a subject
        # may also name a date so; an error when the Go-Live is the whole subject, which names
        # no date so: git commit -m "Go-Live: ..." went live early with CI passing)
        whole = slipped.end() == len(subject.rstrip()) and not subject[: slipped.start()].strip()
        found.append(Problem(
            "error" if whole and not taken else "warning", f"commit {commit.sha[:10]}",
            f"has 'Go-Live: {slipped.group(1)}' in its subject, where git does not read it as "
            "a trailer (a trailer under the subject needs a blank line between), so it was "
            "ignored", committed, rule="unread-trailer",
        ))  # fmt: skip
    # A key with a word processor's dash beside them: no trailer to git, nor those beside it.
    dashed = next((k for k, _ in (*commit.unread, *commit.trailers)
                   if any(c in DASHES for c in k)), None)  # fmt: skip
    for written, value in commit.unread:  # (the key as written: after an odd space, if any)
        odd = written[:1] if written[:1] in ODD_SPACES else ""
        key = written[len(odd) :].translate(HYPHENS).lower()
        # (a Go-Live of a squash merge's earlier commit, beside one git read: a warning)
        error = key == "go-live" and not taken
        dash = next((c for c in written if c in DASHES), "")
        where = (
            f"whose '{dash}' (U+{ord(dash):04X}, as a word processor writes a hyphen) makes it "
            "no trailer to git (type a plain '-')"
            if dash
            else f"after a space git takes for none (U+{ord(odd):04X}, as a word processor or "
            "mail program writes one before it), so that git read no trailer there (start the "
            "line with the key)"
            if odd
            else f"beside '{dashed}:', whose word processor's dash makes it no trailer to git, "
            "so that git read none beside it either"
            if dashed
            else "where git does not read it as a trailer (trailers go together, unindented, "
            "in the message's last paragraph, with no other text)"
        )
        found.append(Problem(
            "error" if error else "warning", f"commit {commit.sha[:10]}",
            f"has '{written[len(odd) :]}: {value}' {where}, so it was ignored"
            + (f" ({taken[-1]} was taken)" if key == "go-live" and taken else ""),
            committed, rule="unread-trailer",
        ))  # fmt: skip
    return found


def not_a_go_live(value: str) -> str:
    """What is wrong with a Go-Live that is neither a real date nor 'immediate', in words
    after it: a date of the right form but not on the calendar (2025-02-29) is said so, which
    "neither a date (YYYY-MM-DD)" did not tell its author (exploratory testing of dates)."""
    if looks_like_date(value.strip()):
        return "is not a real calendar date"
    return f"is neither a date (YYYY-MM-DD) nor 'immediate'{dashed_date(value)}"


def dashed_date(value: str) -> str:
    """What makes a Go-Live that reads as a date no date, where a word processor's dash is
    (Word's non-breaking hyphen, an en dash), as words after the finding; else ''."""
    dash = next((c for c in value if c in DASHES), "")
    if not dash or not is_valid_go_live(value.translate(HYPHENS)):
        return ""
    return f" (its '{dash}' is U+{ord(dash):04X}, as a word processor writes a hyphen: type '-')"


def meant_trailer(key: str) -> str | None:
    """The trailer a key not ours was likely meant to be, else None: the same letters
    (Golive, Changenote), a plural (Change-Notes), a date word (Go-live date), or one or two
    letters off (Go-Liv, Chnge-Note). Other keys (Change-Id, Reviewed-by) are left alone."""
    letters = re.sub(r"[^a-z]", "", key.lower())
    for plain, name in _PLAIN.items():
        if letters in (plain, plain + "s") or letters in (plain + "date", plain + "day"):
            return name
    import difflib  # (only for a trailer that is not one of ours)

    close = difflib.get_close_matches(letters, _PLAIN, n=1, cutoff=0.85)
    return _PLAIN[close[0]] if close else None


def has_trailers(commit: RawCommit) -> bool:
    """Whether a commit carries any of the tracker's trailers."""
    return any(key in TRAILER_KEYS for key, _ in commit.trailers)


def _as_merge(source: Source) -> Source:
    """What a merge lends a version it makes (or a squash merge, or a merge of a branch into
    the branch merged): its Go-Live, notes only from an explicit Change-Note (never git's
    "Merge branch 'typo' into feature"), and a say in whether the change is minor only with a
    Change-Type or Change-Note of its own."""
    explicit = tuple(note for note in source.notes if note.explicit)
    return replace(source, notes=explicit, minor=source.minor or not source.says_minor_or_note)


def _copied(source: Source, earlier: Sequence[Version]) -> bool:
    """Whether a merged commit's change went to the tracked branch before, copied (``git
    cherry-pick``, which keeps its author, the time its author made it and its message): a
    version of the document made by one commit of the same author, author time (to the
    second: 0, unknown, is none) and notes. Its notes were said then, in the release it went
    live in; merged again, they were said twice (exploratory testing of history shapes). A
    commit of the same author and notes alone is no copy (GitHub's editor writes "Update
    a.md" for each: review)."""
    authored, author = source.commit.authored, source.commit.author
    return bool(authored) and any(
        version.authored == authored
        and version.author == author
        and _said(version.notes) == _said(source.notes)
        and len(version.sources) == 1
        and version.commit != source.commit.sha
        for version in reversed(earlier)
    )


def _said(notes: tuple[Note, ...]) -> list[str]:
    """Notes as compared for a copy: as a version keeps them (``unique_notes``), by their words
    (a squash merge's listing runs a subject's spaces together, which git's own subject keeps:
    review)."""
    return [" ".join(ended(note.text).split()) for note in unique_notes(notes)]


def combined(sources: list[Source]) -> tuple[Declared, tuple[Note, ...], bool]:
    """(declared go-live, notes, minor) of a version made from these sources.

    The last source is the commit on the first-parent line. For a merge (more than one
    source), an author's explicit Go-Live among them wins over the schedule: the latest such
    date, never before the merge itself (SPEC §3). Without one, the merge's own date rules.
    """
    own = sources[-1]
    if len(sources) == 1:  # (nearly every version: no merge)
        return own.declared, unique_notes(own.notes), own.minor
    declared = own.declared
    explicit = [source.declared for source in sources if source.declared.explicit]
    if len(sources) > 1 and explicit:
        latest = max(explicit, key=lambda d: d.date)
        floor = own.committed.date()
        # (a date before its own commit is still said to be back-dated, whichever commit
        # of the branch gave it: SPEC §3)
        back_dated = latest.back_dated or next(
            (d.back_dated for d in explicit if d.back_dated), None
        )
        declared = latest if latest.date >= floor else Declared(floor, "merge", back_dated)
    chosen = [source for source in sources if not source.minor] or sources
    notes = unique_notes(note for source in chosen for note in source.notes)
    return declared, notes, all(source.minor for source in sources)
