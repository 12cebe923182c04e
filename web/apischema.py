"""The JSON API's answers, described for OpenAPI: each model is exactly what a route of ``api.py``
returns (``tracker/publish/views.py``, ``tracker/trackchanges/textviews.py``'s ``diff_json``,
``tracker/publish/newsletter.py``), field for field.

The routes do not validate or serialise through these models (their answers are built as they
always were); they are the description only, and ``tests/test_api_schema.py`` holds every answer
of the demo manual to them: ``extra="forbid"`` fails a field the answers gained without its
description. A field that is sometimes left out (not null) is ``Absent``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

T = TypeVar("T")


def _not_null(value: object) -> object:
    """A field that is left out when it has nothing to say is never null."""
    if value is None:
        raise ValueError("this field is left out, never null")
    return value


def _no_default(schema: dict[str, Any]) -> None:
    """A left-out field's schema: not required, no default (its absence says it)."""
    schema.pop("default", None)


# A field that is there or left out (never null): not required, with no default.
Absent = Annotated[T | SkipJsonSchema[None], BeforeValidator(_not_null)]
DateText = Annotated[
    str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})
]
MomentText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
DocumentType = Literal["chapter", "guidance"]
EntryChange = Literal["new", "updated", "withdrawn"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _left_out(description: str) -> Any:
    """A field that is there or left out (``Absent``)."""
    return Field(None, description=description, json_schema_extra=_no_default)


class Version(_Model):
    """One version of a document: one commit's change to it, and when it goes live and why."""

    commit: str = Field(description="The commit that made this version (full hash)")
    committed: MomentText = Field(description="When it was committed, with its time zone")
    go_live: DateText = Field(description="The day it goes (or went) live")
    declared_go_live: DateText = Field(description="The day its commit declared it goes live")
    go_live_source: Literal["trailer", "immediate", "schedule", "commit", "merge"] = Field(
        description="What declared that day: a Go-Live trailer (a date, or immediate), the "
        "release schedule, the commit's own day, or its merge"
    )
    back_dated_to: DateText | None = Field(
        description="A Go-Live before the commit, which went live when committed or merged"
    )
    held_back_by: str | None = Field(
        description="The earlier commit that goes live later and holds this version back"
    )
    minor: bool = Field(description="A minor change (Change-Type: minor), left out of newsletters")
    note: str = Field(description="Its notes as one line")
    notes: list[str] = Field(description="What changed, for practitioners: one line each")
    change_note: bool = Field(description="At least one note came from a Change-Note trailer")
    kind: Literal["added", "modified", "renamed", "withdrawn"] = Field(
        description="What the version did to its document (withdrawn: deleted or archived)"
    )
    path: str = Field(description="The file, under the manual's folder")
    title: str = Field(description="The document's title in this version")
    author: str = Field(description="The commit's author")
    sources: list[str] = Field(description="The commits it was made from (a merge's, several)")


class ChangeSummary(_Model):
    """What changed between two versions, by section, link and word count, and in words."""

    added_sections: list[str] = Field(description="Headings of the new sections")
    removed_sections: list[str] = Field(description="Headings of the sections removed")
    renamed_sections: list[tuple[str, str]] = Field(description="Each renamed heading: old, new")
    revised_sections: list[str] = Field(description="Headings of sections whose text changed")
    moved_blocks: int = Field(description="How many blocks moved")
    links_added: list[str] = Field(description="Targets of the new links, as written")
    links_removed: list[str] = Field(description="Targets of the links removed, as written")
    links_changed: list[tuple[str, str, str]] = Field(
        description="Each link that goes elsewhere now: its words, old target, new target"
    )
    links_retitled: list[tuple[str, str, str]] = Field(
        description="Each link with a new title: its words, old title, new title"
    )
    abbreviations_changed: list[tuple[str, str, str]] = Field(
        description="Each abbreviation that stands for something else: it, was, now"
    )
    words_added: int = Field(description="Words added")
    words_removed: int = Field(description="Words removed")
    whole: Literal["added", "removed"] | None = Field(
        description="When the whole document came or went, which; else null"
    )
    details: list[str] = Field(description="Front-matter fields that changed (title, status...)")
    retitled: tuple[str, str] | None = Field(description="The old and new title, if it changed")
    statuses: tuple[str, str] | None = Field(description="The old and new status, if it changed")
    relevelled: list[tuple[str, int, int]] = Field(
        description="Each heading at another level: its words, old level, new level"
    )
    coarse: bool = Field(description="Compared roughly: only the word counts are reliable")
    text: str = Field(description="The summary in one short paragraph")


class ClashingPage(_Model):
    """The page a document's address answers instead of it (tracker check's address-clash)."""

    id: str = Field(description="The other document, whose page that address is")
    page: Literal["history", "diff"] = Field(description="Which of its pages")


class ListedChapter(_Model):
    """A document as the contents list it, with the version in force today."""

    id: str = Field(description="The document's id")
    title: str = Field(description="Its title (as in force today, else its latest)")
    type: DocumentType = Field(description="Chapter or guidance")
    section: str | None = Field(description="The section of the contents it is listed under")
    withdrawn: bool = Field(description="The version in force today withdrew it")
    in_force: Version | None = Field(description="The version in force today; null before any")
    address_clash: ClashingPage | None = Field(
        description="Null, or the other document's page its address answers with instead"
    )


class Chapters(_Model):
    """Every document, in table-of-contents order."""

    chapters: list[ListedChapter] = Field(description="The documents")


class ChapterText(_Model):
    """A document's version in force on a day, with its Markdown."""

    id: str = Field(description="The document's id (now)")
    date: DateText = Field(description="The day asked for (today unless `at` names one)")
    version: Version | None = Field(description="The version in force that day; null before any")
    markdown: str | None = Field(
        description="The version's Markdown, front matter and all ('' for a deleted file); "
        "null with no version"
    )


class HistoryVersion(Version):
    """A version in a history, with what it changed."""

    summary: ChangeSummary = Field(description="What it changed from the version before it")


class LeftOut(_Model):
    """A version that could not be read, and is not published."""

    committed: DateText | None = Field(description="The day of its commit")
    file: str = Field(description="Its file, under the manual's folder")
    reason: str = Field(description="Why it could not be read")


class AlsoNamed(_Model):
    """The document whose id is the address this answer was given at."""

    id: str = Field(description="That other document's id")


class History(_Model):
    """A document's versions, oldest first."""

    id: str = Field(description="The document's id")
    title: str = Field(description="Its latest title")
    type: DocumentType = Field(description="Chapter or guidance, as its latest version says")
    former_ids: list[str] = Field(description="Other ids it has had")
    versions: list[HistoryVersion] = Field(description="Its versions, oldest first")
    left_out: list[LeftOut] = Field(description="Its versions that could not be read")
    address_clash: Absent[AlsoNamed] = _left_out(
        "Only where another document's id is this address: that document"
    )


class Segment(_Model):
    """A run of a block's words: the same on both sides, inserted, or deleted."""

    op: Literal["=", "+", "-"] = Field(description="= the same, + inserted, - deleted")
    text: str = Field(description="Its words, as plain text")
    marked: Absent[str] = _left_out(
        "Only where its formatting is part of the change: its words with Markdown's marks"
    )


class Block(_Model):
    """What happened to one block (heading, paragraph, list item...), in reading order."""

    status: Literal[
        "same", "changed", "rewritten", "split", "merged", "inserted", "deleted", "moved", "away"
    ] = Field(description="What happened to it (moved: at its new place; away: at its old)")
    kind: Literal["heading", "paragraph", "item", "row", "quote", "code", "rule"] = Field(
        description="What sort of block it is"
    )
    tag: str = Field(description="Its HTML element (h2, p, li, tr, pre, hr...)")
    level: int = Field(description="A heading's level; else its depth in lists and quotes")
    old: str | None = Field(description="Its old text; null when it is new")
    new: str | None = Field(description="Its new text; null when it is gone")
    notes: list[str] = Field(description="What words cannot show (a link's new target...)")
    segments: list[Segment] = Field(description="Its words, run by run")


class WordDiff(_Model):
    """What changed between two versions' texts, block by block."""

    summary: ChangeSummary = Field(description="What changed, in brief")
    coarse: bool = Field(description="Compared roughly: too large or too different")
    identical: bool = Field(description="The two texts are the same")
    blocks: list[Block] = Field(description="Every block, changed or not, in reading order")


class SourceLine(_Model):
    """A line of the Markdown source (a diff asked for with `source=true`)."""

    op: Literal[" ", "-", "+"] = Field(description="' ' the same, - removed, + added")
    text: str = Field(description="The line, without its line break")


class Diff(_Model):
    """What changed between two versions of a document."""

    id: str = Field(description="The document's id")
    from_: Version | None = Field(
        alias="from", description="The version compared from; null when from nothing"
    )
    to: Version = Field(description="The version compared to")
    notes: list[str] = Field(description="The notes of every version the diff covers")
    diff: WordDiff | list[SourceLine] = Field(
        description="The diff of the text; with `source=true`, of its Markdown, line by line"
    )
    from_absent: Absent[str] = _left_out(
        "Only where the start asked for names no version of it: why, in words"
    )
    address_clash: Absent[AlsoNamed] = _left_out(
        "Only where another document's id is this address: that document"
    )


class _EntryFields(_Model):
    id: str = Field(description="The document's id")
    title: str = Field(description="Its title (its last, for a withdrawal)")
    type: DocumentType = Field(description="Chapter or guidance")
    change: EntryChange = Field(description="What the release does to it")
    renamed: bool = Field(description="Updated under another title or file name")
    minor: bool = Field(description="Every change to it that day is minor")
    notes: list[str] = Field(description="What changed, for practitioners")


class ReleaseEntry(_EntryFields):
    """What a release does to one document."""

    summary: Absent[ChangeSummary] = _left_out("Only with `summaries=true`: what changed")


class SummarisedEntry(_EntryFields):
    """What a release does to one document, with what changed."""

    summary: ChangeSummary = Field(description="What changed from the version before")


class _ReleaseFields(_Model):
    date: DateText = Field(description="The day the release goes live")
    upcoming: bool = Field(description="Its day is after today")


class Release(_ReleaseFields):
    """A day on which the version in force of at least one document changes."""

    entries: list[ReleaseEntry] = Field(description="The documents it changes")


class SummarisedRelease(_ReleaseFields):
    """A release, each entry with what changed."""

    entries: list[SummarisedEntry] = Field(description="The documents it changes")


class Releases(_Model):
    """Releases, oldest first."""

    releases: list[Release] = Field(description="The releases")


class NewsletterManual(_Model):
    """How the newsletter names the manual."""

    title: str = Field(description="The manual's title")
    name: str = Field(description="Its short name")
    website: str = Field(description='How sentences name its website ("the DSCP website")')
    provider: str = Field(description='Who provides it, in a sentence ("DSCP")')
    site_url: str = Field(description="The website's address")
    contents_url: str = Field(description="Its contents page ('' without an absolute address)")


class NewsletterRelease(_Model):
    """The release the section is about."""

    date: DateText = Field(description="Its day")
    date_words: str = Field(description='Its day in words ("8th January 2025")')
    upcoming: bool = Field(description="Its day is after today")


class NewsletterItem(_Model):
    """One line of the section: a document changed."""

    id: str = Field(description="The document's id")
    title: str = Field(description="Its title")
    notes: list[str] = Field(description="The notes shown beside its title")
    url: str = Field(description="Its page ('' where it has none to link to)")
    changes_url: str = Field(description="The page of what changed ('' likewise)")
    summary: ChangeSummary = Field(description="What changed")


class NewsletterGroup(_Model):
    """The items under one heading."""

    heading: Literal[
        "New Chapters",
        "Updated Chapters",
        "New Guidance",
        "Updated Guidance",
        "Withdrawn Chapters",
        "Withdrawn Guidance",
    ] = Field(description="The heading")
    change: EntryChange = Field(description="What the release does to its documents")
    type: DocumentType = Field(description="Chapter or guidance")
    items: list[NewsletterItem] = Field(description="Its documents (minor changes left out)")


class Newsletter(_Model):
    """A release's newsletter section as data."""

    manual: NewsletterManual = Field(description="The manual")
    release: NewsletterRelease = Field(description="The release")
    groups: list[NewsletterGroup] = Field(description="The groups that have items, in order")
