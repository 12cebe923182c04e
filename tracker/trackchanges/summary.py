"""A plain-English summary of a diff, from its structure (SPEC §6)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tracker.trackchanges.compare import BlockChange, DocumentDiff
from tracker.trackchanges.linknotes import (
    read_links,
    retargeted,
    retitled_abbreviations,
    retitled_links,
)
from tracker.trackchanges.text import is_image
from tracker.trackchanges.wordiff import DELETE, INSERT

OPENING = "the opening text"
_WORDLIKE = re.compile(r"[^\W_]")


@dataclass
class Summary:
    """What changed, by section, link and word count."""

    added_sections: list[str] = field(default_factory=list)
    removed_sections: list[str] = field(default_factory=list)
    renamed_sections: list[tuple[str, str]] = field(default_factory=list)
    revised_sections: list[str] = field(default_factory=list)
    moved_blocks: int = 0
    links_added: list[str] = field(default_factory=list)
    links_removed: list[str] = field(default_factory=list)
    links_changed: list[tuple[str, str, str]] = field(default_factory=list)
    links_retitled: list[tuple[str, str, str]] = field(default_factory=list)  # text, was, now
    abbreviations_changed: list[tuple[str, str, str]] = field(default_factory=list)  # ditto
    words_added: int = 0
    words_removed: int = 0
    whole: Literal["added", "removed"] | None = None  # when the document itself came or went
    details: list[str] = field(default_factory=list)  # front-matter fields that changed
    retitled: tuple[str, str] | None = None  # the old and new title, when it changed
    statuses: tuple[str, str] | None = None  # the old and new status, when it changed
    relevelled: list[tuple[str, int, int]] = field(default_factory=list)  # heading, was, now
    coarse: bool = False  # the comparison was simplified: only word counts are reliable

    def to_json(self) -> dict[str, Any]:
        """The summary as data, with its sentence."""
        return {**asdict(self), "text": self.text()}

    def text(self) -> str:
        """One short paragraph: "New section: Non-fatal strangulation. Revised: Definitions."."""
        if self.whole == "added":
            return f"A new document of {_word_count(self.words_added)}."
        if self.whole == "removed":
            return f"The whole document ({_word_count(self.words_removed)}) was removed."
        if self.coarse:
            return (
                "Too large or too different to compare closely: roughly "
                + _words(self.words_added, self.words_removed)
            ).replace(" .", ".")
        pairs = {"title": self.retitled, "status": self.statuses}
        details = [
            f"{name} (“{pair[0]}” to “{pair[1]}”)" if (pair := pairs.get(name)) else name
            for name in self.details
        ]
        parts = [
            _listed("Details changed", details, plural="Details changed"),
            _listed("New section", self.added_sections),
            _listed("Removed section", self.removed_sections),
            _listed(
                "Renamed",
                [f"“{old}” to “{new}”" for old, new in self.renamed_sections],
                plural="Renamed",
            ),
            _listed("Revised", self.revised_sections, plural="Revised"),
            *(
                f"“{name}” is now a level {now} heading (it was level {was})."
                for name, was, now in self.relevelled
            ),
            _count(self.moved_blocks, "block moved", "blocks moved"),
            _links(len(self.links_added), len(self.links_removed)),
            _count(len(self.links_changed), "link now goes elsewhere", "links now go elsewhere"),
            _count(len(self.links_retitled), "link has a new title", "links have new titles"),
            _count(
                len(self.abbreviations_changed),
                "abbreviation now stands for something else",
                "abbreviations now stand for something else",
            ),
            _words(self.words_added, self.words_removed),
        ]
        sentence = " ".join(part for part in parts if part)
        return sentence or "No changes."


def summarise(diff: DocumentDiff) -> Summary:
    """The summary of a diff (worked out once per diff: several views ask for it)."""
    known: Summary | None = diff.__dict__.get("_summary")
    if known is None:
        known = _summarise(diff)
        object.__setattr__(diff, "_summary", known)
    return known


def _summarise(diff: DocumentDiff) -> Summary:
    """Walk the changes once, keeping track of the section each one falls in."""
    summary = Summary(
        details=list(diff.details),
        retitled=diff.titles,
        statuses=diff.statuses,
        coarse=diff.coarse,
    )
    sections = _SectionTracker()
    titled = False  # a level 1 heading met: only the first is the title's
    for change in diff.changes:
        sections.follow(change)
        if change.shown.kind == "heading":
            _heading(summary, change, titled)
            titled = titled or any(b is not None and b.level == 1 for b in (change.old, change.new))
        if (
            (change.shown.kind != "heading" or _restyled(change))
            and change.status not in {"same", "away"}
            and (change.status != "moved" or change.ops)
        ):
            name = sections.current(change, summary.renamed_sections)
            if name not in summary.added_sections and name not in summary.revised_sections:
                summary.revised_sections.append(name)
        summary.moved_blocks += change.status == "moved"
        added, removed = _word_counts(change)
        summary.words_added += added
        summary.words_removed += removed
    summary.revised_sections = [
        name for name in summary.revised_sections if name not in summary.removed_sections
    ]
    _link_changes(summary, diff)
    if bool(diff.old) != bool(diff.new):
        summary.whole = "added" if diff.new else "removed"
    return summary


class _SectionTracker:
    def __init__(self) -> None:
        self.old: str = OPENING
        self.new: str = OPENING

    def follow(self, change: BlockChange) -> None:
        """The section each side is in, from a heading met where it stands on that side.

        A moved block stands where the new version has it: its old heading is not where the
        old version's text is read (that is the "away" change), so a deletion after it still
        belongs to the old section it was in.
        """
        old = None if change.status == "moved" else change.old
        for side, block in (("old", old), ("new", change.new)):
            if block is not None and block.kind == "heading":
                setattr(self, side, block.text if block.level > 1 else OPENING)

    def current(self, change: BlockChange, renamed: list[tuple[str, str]]) -> str:
        if change.new is not None:
            return self.new
        return dict(renamed).get(self.old, self.old)  # a renamed section goes by its new name


def _heading(summary: Summary, change: BlockChange, titled: bool) -> None:
    old, new = change.old, change.new
    # (the title's heading come or gone, the title now or before: said once, as the title's)
    was, now = summary.retitled if summary.retitled and not titled else (None, None)
    if change.status in {"inserted", "rewritten"} and new is not None and old is None:
        if (new.level, new.text) != (1, now):
            summary.added_sections.append(new.text)
    elif change.status in {"deleted", "rewritten"} and old is not None and new is None:
        if (old.level, old.text) != (1, was):
            summary.removed_sections.append(old.text)
    elif old is not None and new is not None:
        if old.text != new.text and not (
            not titled and old.level == new.level == 1 and summary.retitled == (old.text, new.text)
        ):  # (the title's heading renamed is said once: "Details changed: title (...)")
            summary.renamed_sections.append((old.text, new.text))
        if old.level != new.level:  # (its place among the sections moves; renamed too, or not)
            summary.relevelled.append((new.text, old.level, new.level))


def _restyled(change: BlockChange) -> bool:
    """A heading whose words and level stayed but not its HTML (bold, a link...): its section
    is revised (it is neither renamed nor new)."""
    old, new = change.old, change.new
    return (
        old is not None and new is not None and old.compared != new.compared
        and (old.text, old.level) == (new.text, new.level)
    )  # fmt: skip


def _word_counts(change: BlockChange) -> tuple[int, int]:
    if change.ops:
        counts: Counter[str] = Counter()
        for op, tokens in change.ops:
            counts[op] += sum(1 for token in tokens if _counts(token))
        return counts[INSERT], counts[DELETE]
    if change.status in {"inserted", "rewritten"} and change.new is not None and change.old is None:
        return sum(map(_counts, change.new.tokens)), 0
    if change.status in {"deleted", "rewritten"} and change.old is not None and change.new is None:
        return 0, sum(map(_counts, change.old.tokens))
    return 0, 0


def _counts(token: str) -> bool:
    """A word, for counting: punctuation, tags and spaces are not counted; an image is one."""
    if token[0] == "<":
        return is_image(token)
    return token.isalnum() or _WORDLIKE.search(token) is not None


def _link_changes(summary: Summary, diff: DocumentDiff) -> None:
    changed = retargeted(diff.old, diff.new, diff.folders)
    summary.links_changed = [(text, was, now) for text, was, now, _, _ in changed]
    summary.links_retitled = retitled_links(diff.old, diff.new)
    # An abbreviation is said once, however often it is used (each use carries its title).
    summary.abbreviations_changed = list(dict.fromkeys(retitled_abbreviations(diff.old, diff.new)))
    # Targets as the page reads them (``./c.md`` is ``c.md``), each said as written.
    old_links, new_links = read_links(diff.old, diff.new, diff.folders)
    written = {target: to for _, target, to in old_links}
    written |= {target: to for _, target, to in new_links}
    old = Counter(target for _, target, _ in old_links)
    new = Counter(target for _, target, _ in new_links)
    # A link whose target changed is reported once, as changed, not as added and removed.
    old.subtract(Counter(target for *_, target, _ in changed))
    new.subtract(Counter(target for *_, target in changed))
    summary.links_added = sorted(written[t] for t in (+(new - old)).elements())
    summary.links_removed = sorted(written[t] for t in (+(old - new)).elements())


def _listed(label: str, names: list[str], plural: str | None = None) -> str:
    if not names:
        return ""
    heading = label if len(names) == 1 else (plural or label + "s")
    return f"{heading}: {', '.join(names)}."


def _count(number: int, one: str, many: str) -> str:
    if not number:
        return ""
    return f"1 {one}." if number == 1 else f"{number} {many}."


def _links(added: int, removed: int) -> str:
    parts = []
    if added:
        parts.append(f"{added} link{'s' * (added != 1)} added")
    if removed:
        parts.append(f"{removed} link{'s' * (removed != 1)} removed")
    return (", ".join(parts) + ".").capitalize() if parts else ""


def _word_count(words: int) -> str:
    """``1 word``, ``5 words``."""
    return f"{words} word{'s' * (words != 1)}"


def _words(added: int, removed: int) -> str:
    if not added and not removed:
        return ""
    if added and removed:
        return f"{added} word{'s' * (added != 1)} added, {removed} removed."
    if added:
        return f"{added} word{'s' * (added != 1)} added."
    return f"{removed} word{'s' * (removed != 1)} removed."
