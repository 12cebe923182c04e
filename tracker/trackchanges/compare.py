"""Two versions of a document -> what changed, block by block and word by word (SPEC §6)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Literal

from tracker.history.documents import parse_document, split_front_matter, unreadable
from tracker.trackchanges.align import StepKind, align
from tracker.trackchanges.blocks import parse_pair
from tracker.trackchanges.linknotes import link_notes, reaching
from tracker.trackchanges.reached import as_compared
from tracker.trackchanges.text import (
    BREAK,
    Block,
    is_break,
    is_formatting,
    is_gap,
    tag_name,
    tokenize,
)
from tracker.trackchanges.wordiff import (
    DELETE,
    EQUAL,
    INSERT,
    Deadline,
    Ops,
    diff_items,
    diff_tokens,
    diff_words,
    settle,
)

REWRITE_BELOW = 0.5  # a block keeping less than this share of its words is shown old-then-new
TIME_BUDGET = 1.2  # seconds; past it the rest of a diff is coarser (answers stay under 2 s)
PARSE_SHARE = 0.6  # of the budget, for rendering Markdown; the rest is read plainly


# What happened to one block. "moved": the block at its new place; "away": where it used to be.
BlockStatus = Literal[
    "same", "changed", "rewritten", "split", "merged", "inserted", "deleted", "moved", "away"
]  # fmt: skip


@dataclass(frozen=True)
class BlockChange:
    """What happened to one block, in reading order.

    ``status``: same, changed, rewritten, split, merged, inserted, deleted, moved (the block at
    its new place) or away (where a moved block used to be).
    """

    status: BlockStatus
    old: Block | None
    new: Block | None
    ops: Ops = field(default_factory=list)
    notes: tuple[str, ...] = ()

    @property
    def shown(self) -> Block:
        """The block a reader sees: the new one, or the old one if it is gone."""
        block = self.new or self.old
        assert block is not None
        return block


@dataclass(frozen=True)
class DocumentDiff:
    """Every block's change, and whether time or size made the diff coarser."""

    changes: list[BlockChange]
    coarse: bool
    old: list[Block] = field(default_factory=list)
    new: list[Block] = field(default_factory=list)
    details: tuple[str, ...] = ()  # front-matter fields that changed (title, status...)
    titles: tuple[str, str] | None = None  # (old, new) when the title changed
    statuses: tuple[str, str] | None = None  # (old, new) when the status changed
    folders: tuple[str, str] = ("", "")  # (old, new): where links' targets are read from

    @property
    def identical(self) -> bool:
        """Nothing changed."""
        return not self.details and all(change.status == "same" for change in self.changes)


def diff_documents(
    old_source: str,
    new_source: str,
    seconds: float = TIME_BUDGET,
    folders: tuple[str, str] = ("", ""),
    named: tuple[str, str] | None = None,
) -> DocumentDiff:
    """Parse, align and word-diff two versions of a document's Markdown (``folders``: each
    version's, where a link's target is read from: a chapter may move to another; ``named``:
    the titles their file names give, for a chapter that names none of its own)."""
    deadline = Deadline(seconds)
    parsing = Deadline(seconds * PARSE_SHARE)
    old, new, plain = parse_pair(old_source, new_source, parsing)
    # A chapter moved to another folder: a link mended to reach the same file from there is
    # compared as the same link (``reached``: the notes read links alike); shown as written.
    sides = (as_compared(old, new, folders), new) if folders[0] != folders[1] else None
    reached = reaching(new, folders[1]) if sides is not None else None  # (its notes likewise)
    linked = partial(link_notes, folders=folders, reached=reached)
    steps, coarse = align(*(sides or (old, new)), deadline)
    coarse |= plain
    changes: list[BlockChange] = []
    for step in steps:
        olds = [old[i] for i in step.old]
        news = [new[j] for j in step.new]
        if sides is not None:
            compared = ([sides[0][i] for i in step.old], [sides[1][j] for j in step.new])
        else:
            compared = (olds, news)
        if step.kind == "same":
            changes.append(BlockChange("same", olds[0], news[0]))
        elif step.kind == "delete":
            changes.append(BlockChange("deleted", olds[0], None))
        elif step.kind == "insert":
            changes.append(BlockChange("inserted", None, news[0]))
        elif step.kind == "away":
            note = f"“{_start(olds[0])}” moved from here: it now comes {_after(new, step.new[0])}."
            changes.append(BlockChange("away", olds[0], None, notes=(note,)))
        elif step.kind == "moved":
            note = f"Moved here: it used to come {_after(old, step.old[0])}."
            same = compared[0][0].key == compared[1][0].key
            ops = [] if same else _ops(olds, news, deadline, compared)
            if _restructured(ops):  # cells or paragraphs changed: shown whole, as the old is
                ops = [(INSERT, list(news[0].tokens))]  # where it used to be
            notes = (note, *linked(olds, news)) if ops else (note,)
            changes.append(BlockChange("moved", olds[0], news[0], ops, notes))
        elif deadline.passed():
            coarse = True
            changes += _rewrite(olds, news)
        else:
            changes += _compare(step.kind, olds, news, deadline, linked, compared)
        # diff-match-patch past the deadline gives what is left as deleted and inserted whole
        coarse |= deadline.passed()
    details = _details(old_source, new_source, named)
    return DocumentDiff(_once_a_list(changes), coarse, old, new, *details, folders=folders)


DETAILS = ("title", "type", "section", "order", "owner", "review_due", "status", "id")


Pair = tuple[str, str] | None


def _details(
    old_source: str, new_source: str, named: tuple[str, str] | None = None
) -> tuple[tuple[str, ...], Pair, Pair]:
    """The front-matter fields whose values differ (what the rendered text does not show), and
    the old and new title, and status, if they are among them (an archived chapter restored
    is "status (archived to live)", not a bare "status": review of the author's testing).
    ``named``: the titles the two file names give a chapter that names none (renamed, it was
    "No changes." beside a release's "renamed": exploratory testing)."""
    if not old_source or not new_source:
        return (), None, None
    old_data, new_data = old_source.encode("utf-8"), new_source.encode("utf-8")
    front, body = split_front_matter(old_source)
    if (
        named is None
        and front == split_front_matter(new_source)[0]
        and unreadable(old_data) is None
        and unreadable(new_data) is None
        # The fields are the front matter's but a title it does not give, the body's first
        # heading: with the same front matter, one that gives a title gives every field.
        and parse_document(old_source[: len(old_source) - len(body)].encode("utf-8")).title
    ):
        return (), None, None
    old, new = parse_document(old_data), parse_document(new_data)
    names = tuple(name for name in DETAILS if getattr(old, name) != getattr(new, name))
    fallback = named or ("", "")  # (titled by its file name, before or after: as it shows)
    titles = (old.title or fallback[0], new.title or fallback[1])
    if named is not None and titles[0] != titles[1] and "title" not in names:
        names = ("title", *names)
    statuses = (old.status, new.status) if "status" in names else None
    return names, (titles if "title" in names and all(titles) else None), statuses


def _after(blocks: list[Block], index: int) -> str:
    """Where a block stands, by the block before it."""
    if index == 0:
        return "at the start of the document"
    return f"after “{_start(blocks[index - 1])}”"


def _ops(
    olds: list[Block],
    news: list[Block],
    deadline: Deadline,
    compared: tuple[list[Block], list[Block]] | None = None,
) -> Ops:
    """The word diff of blocks, shown as written, compared as ``compared`` (the same blocks,
    a moved chapter's mended links read as the same: ``as_compared``)."""
    keys = (_joined(compared[0]), _joined(compared[1])) if compared else None
    return diff_words(_joined(olds), _joined(news), deadline, olds[0].kind == "code", keys)


def _compare(
    kind: StepKind,
    olds: list[Block],
    news: list[Block],
    deadline: Deadline,
    linked: Callable[[list[Block], list[Block]], tuple[str, ...]],  # (link_notes, as set up)
    compared: tuple[list[Block], list[Block]],
) -> list[BlockChange]:
    ops = _ops(olds, news, deadline, compared)
    if _kept_share(ops) < REWRITE_BELOW and olds[0].kind != "heading":
        return _rewrite(olds, news)
    if _restructured(ops):
        return _rewrite(olds, news)  # cells or paragraphs came or went: not comparable in place
    if kind == "split":
        if not _parted_at_a_gap(ops):
            return _rewrite(olds, news)  # one word became two blocks: no mark could say so
        first, second = _cut(ops)
        return [
            BlockChange("split", olds[0], news[0], first, ("Split from one paragraph.",)),
            BlockChange("split", None, news[1], second, linked(olds, news)),
        ]
    if kind == "merge":
        # The break between the old paragraphs reads as a space on the old side.
        ops = settle([(op, [" " if t == BREAK else t for t in tokens]) for op, tokens in ops])
        return [
            BlockChange(
                "merged",
                olds[-1],
                news[0],
                ops,
                ("Two paragraphs joined into one.", *linked(olds, news)),
            )
        ]
    notes = linked(olds, news)
    if olds[0].kind == "heading" and olds[0].level != news[0].level:
        notes += (f"Now a level {news[0].level} heading (it was level {olds[0].level}).",)
    lists = (olds[0].container, news[0].container)
    if olds[0].kind == news[0].kind == "item" and lists in _LISTS:
        notes += (_LISTS[lists],)
    return [BlockChange("changed", olds[0], news[0], ops, notes)]


# A list whose items became numbered steps, or the other way: a change of meaning (things to
# consider, or an order to follow) that no word marks (practitioners' exploratory testing).
_LISTS = {
    ("ul", "ol"): "Now a numbered list (it was a list of bullet points).",
    ("ol", "ul"): "Now a list of bullet points (it was a numbered list).",
}


def _once_a_list(changes: list[BlockChange]) -> list[BlockChange]:
    """``changes`` with a list's note that its items are numbered now (or no longer) on the
    first of them only: a list is the items that follow one another at one depth (an item
    inserted among them, a sub-list between them, are the list's; an item of an outer list
    ends a sub-list: review)."""
    kept = []
    said: dict[int, str] = {}  # the note said of the list at each depth
    for change in changes:
        block = change.shown
        if block.kind != "item":
            said.clear()  # (a paragraph, heading or table: the lists have ended)
        for deeper in [level for level in said if level > block.level]:
            del said[deeper]  # (an item of an outer list: the sub-lists before it have ended)
        note = next((n for n in change.notes if n in _LISTS.values()), "")
        if note and said.get(block.level) == note:
            change = replace(change, notes=tuple(n for n in change.notes if n != note))
        elif note:
            said[block.level] = note
        kept.append(change)
    return kept


def _joined(blocks: list[Block]) -> list[str]:
    tokens: list[str] = []
    for number, block in enumerate(blocks):
        tokens += ([BREAK] if number else []) + list(block.tokens)
    return tokens


def _cut(ops: Ops) -> tuple[Ops, Ops]:
    """Cut the ops of one old block against two new ones at the break."""
    first: Ops = []
    second: Ops = []
    target = first
    for op, tokens in ops:
        if BREAK in tokens and op != DELETE:
            at = tokens.index(BREAK)
            if tokens[:at]:
                target.append((op, tokens[:at]))
            target = second
            if tokens[at + 1 :]:
                target.append((op, tokens[at + 1 :]))
        else:
            target.append((op, tokens))
    # The white space that stood where the paragraph was cut is the cut itself: not marked.
    while first and first[-1][0] == DELETE and all(t.isspace() for t in first[-1][1]):
        first.pop()
    while second and second[0][0] == DELETE and all(t.isspace() for t in second[0][1]):
        second.pop(0)
    return first, second


def _kept_share(ops: Ops) -> float:
    """How much of the old block survives: below REWRITE_BELOW it reads as rewritten.

    A block that keeps most of its old words reads best with changes marked in place, however
    much is added, so the share is of the old words (and of both sides together).
    """
    counts = {EQUAL: 0, DELETE: 0, INSERT: 0}
    for op, tokens in ops:
        counts[op] += len([t for t in tokens if t[0] != "<" and not t.isspace() and t != BREAK])
    old_words = counts[EQUAL] + counts[DELETE]
    both = old_words + counts[EQUAL] + counts[INSERT]
    if not old_words or not both:
        return 1.0
    return max(counts[EQUAL] / old_words, 2 * counts[EQUAL] / both)


def _rewrite(olds: list[Block], news: list[Block]) -> list[BlockChange]:
    return [BlockChange("rewritten", block, None) for block in olds] + [
        BlockChange("rewritten", None, block) for block in news
    ]


def _restructured(ops: Ops) -> bool:
    """Whether a block-level tag (a table cell, a paragraph in a list item) came or went."""
    return any(
        token[0] == "<" and is_break(token) and tag_name(token) != "br"
        for op, tokens in ops
        if op != EQUAL
        for token in tokens
    )


def _parted_at_a_gap(ops: Ops) -> bool:
    """Whether a paragraph split where its old text had white space or a break."""
    old = [t for op, tokens in ops if op != INSERT for t in tokens if not is_formatting(t)]
    at = 0
    for op, tokens in ops:
        if op == INSERT and BREAK in tokens:
            before = old[at - 1] if at else " "
            after = old[at] if at < len(old) else " "
            return is_gap(before) or is_gap(after)
        at += sum(1 for t in tokens if not is_formatting(t)) if op != INSERT else 0
    return True


def _start(block: Block, words: int = 8) -> str:
    text = block.text.split()
    if len(text) > words:
        return " ".join(text[:words]).rstrip(".,;:") + "…"
    return " ".join(text).rstrip(".,;:")


@dataclass(frozen=True)
class SourceLine:
    """A line of the Markdown source: op is ' ', '-' or '+'; ``ops`` marks words within it."""

    op: str
    text: str
    ops: Ops = field(default_factory=list)


def source_diff(old: str, new: str, seconds: float = TIME_BUDGET) -> list[SourceLine]:
    """Line diff of two sources; a changed line is paired with its old line and word-diffed."""
    deadline = Deadline(seconds)
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[SourceLine] = []
    i = j = 0
    removed: list[str] = []
    added: list[str] = []
    for op, count in [*diff_items(old_lines, new_lines, deadline), (EQUAL, 0)]:
        if op == DELETE:
            removed += old_lines[i : i + count]
            i += count
        elif op == INSERT:
            added += new_lines[j : j + count]
            j += count
        else:
            lines += _changed_lines(removed, added, deadline)
            removed, added = [], []
            lines += [SourceLine(" ", text) for text in old_lines[i : i + count]]
            i, j = i + count, j + count
    return lines


def _changed_lines(removed: list[str], added: list[str], deadline: Deadline) -> list[SourceLine]:
    """Removed then added lines; lines paired in order get their changed words marked."""
    paired = min(len(removed), len(added)) if not deadline.passed() else 0
    word_ops = [
        diff_tokens(tokenize(html.escape(a)), tokenize(html.escape(b)), deadline)
        for a, b in zip(removed[:paired], added[:paired], strict=True)
    ]
    return [
        SourceLine("-", text, _side(word_ops[k], DELETE) if k < paired else [])
        for k, text in enumerate(removed)
    ] + [
        SourceLine("+", text, _side(word_ops[k], INSERT) if k < paired else [])
        for k, text in enumerate(added)
    ]


def _side(ops: Ops, keep: str) -> Ops:
    """One side of a word diff: equal runs and the runs of ``keep``."""
    return [(op, tokens) for op, tokens in ops if op in (EQUAL, keep)]
