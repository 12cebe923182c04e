"""A DocumentDiff as accessible HTML; the Markdown source's diff as a table of lines."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from tracker.history.hrefs import manual_target
from tracker.trackchanges.anchors import heading_anchors, same_page_links
from tracker.trackchanges.compare import BlockChange, DocumentDiff, SourceLine
from tracker.trackchanges.linknotes import LinkNote
from tracker.trackchanges.shared import TARGET_CLASS
from tracker.trackchanges.text import (
    LINE,
    Block,
    is_gap,
    is_image,
    is_line_break,
    is_word,
    tag_name,
)
from tracker.trackchanges.wordiff import DELETE, EQUAL, INSERT, Ops

LABELS = {INSERT: "inserted text", DELETE: "deleted text"}
_SIGN = f'<span aria-hidden="true">{LINE}</span>'  # a line break, seen
_LINE = f'<span class="diff-space"><span class="vh"> line break </span>{_SIGN}</span>'
MARKS = {INSERT: "ins", DELETE: "del"}
_CELL = re.compile(r"(<t[dh]\b[^>]*>|</t[dh]>)")
Anchors = dict[int, tuple[str, str | None]]  # a heading's id and second id, by its change


# --- HTML ---------------------------------------------------------------------------------


def diff_html(diff: DocumentDiff) -> str:
    """The rendered text with changes marked: <ins>/<del> with hidden labels, never colour alone."""
    parts = [f'<div class="diff{" diff-coarse" if diff.coarse else ""}">']
    if diff.coarse:
        parts.append(
            '<p class="diff-note">This comparison is simplified because the versions '
            "are very large or very different.</p>"
        )
    anchors = heading_anchors(diff.changes)
    for container, group in _groups(diff.changes):
        parts.append(_group_html(container, group, anchors))
    parts.append("</div>")
    return same_page_links("\n".join(parts))


def _groups(changes: list[BlockChange]) -> Iterator[tuple[str, list[tuple[int, BlockChange]]]]:
    """Consecutive changes shown in the same container (a list, a table, a quotation), each
    with its index."""
    group: list[tuple[int, BlockChange]] = []
    container = None
    for number, change in enumerate(changes):
        shown = change.shown.container
        key = "list" if shown in {"ul", "ol"} else shown
        if group and key != container:
            yield container or "", group
            group = []
        container = key
        group.append((number, change))
    if group:
        yield container or "", group


def _group_html(container: str, group: list[tuple[int, BlockChange]], anchors: Anchors) -> str:
    if container == "list":
        return _list_html([change for _, change in group])
    inner = "\n".join(_block_html(change, anchor=anchors.get(n)) for n, change in group)
    if container == "table":
        return f'<table class="diff-table">\n{inner}\n</table>'
    if container == "blockquote":
        return f"<blockquote>\n{inner}\n</blockquote>"
    return inner


def _list_html(group: list[BlockChange]) -> str:
    """List items nested by depth; an item's sub-list goes inside it, before its </li>."""
    out: list[str] = []
    open_lists: list[str] = []  # the tags of the lists open, outermost first
    item_open: list[bool] = []  # whether each open list has an <li> not yet closed
    base = min(change.shown.level for change in group)
    for change in group:
        level = change.shown.level - base + 1
        while len(open_lists) > level:
            out.append("</li>" * item_open.pop() + f"</{open_lists.pop()}>")
        if len(open_lists) == level and item_open[-1]:
            out.append("</li>")
            item_open[-1] = False
        while len(open_lists) < level:
            if open_lists and not item_open[-1]:
                out.append("<li>")  # a sub-list with no item of its own above it
                item_open[-1] = True
            open_lists.append(change.shown.container)
            item_open.append(False)
            out.append(f"<{open_lists[-1]}>")
        out.append(_block_html(change, close=False))
        item_open[-1] = True
    while open_lists:
        out.append("</li>" * item_open.pop() + f"</{open_lists.pop()}>")
    return "".join(out)


def _block_html(
    change: BlockChange, close: bool = True, anchor: tuple[str, str | None] | None = None
) -> str:
    block = change.shown
    status = change.status
    if status == "same":
        body = block.html
    elif status in {"inserted", "deleted", "away"} or (status == "rewritten"):
        body = _whole(block, INSERT if change.new is not None else DELETE)
    elif change.ops:
        body = _merged(change.ops)
    else:
        body = block.html
    notes = "".join(f' <span class="diff-note">{_note(note)}</span>' for note in change.notes)
    after = ""
    if block.tag == "tr":
        body = _in_cells(body, change.notes)
        notes = ""
    elif block.kind in {"heading", "code", "rule"} and notes:
        # A note is not part of a heading's name, nor of code: it follows the element.
        after = "".join(f'<p class="diff-note">{_note(note)}</p>' for note in change.notes)
        notes = ""
    classes = f"diff-{status}"
    if status == "rewritten":
        classes += " diff-new" if change.new else " diff-old"
    tag = block.tag
    # A numbered step keeps its number (as its version numbers it; a deleted one, as the old
    # did): the list around it is written without its start, and a deleted step would move
    # every later number on by one.
    number = f' value="{block.number}"' if block.number is not None else ""
    opening = f'<{tag} class="{classes}"{number}{block.spoken}>'
    if anchor:  # a heading's id, and its second id inside it (as on the chapter's page)
        ident, alias = anchor
        opening = f'<{tag} class="{classes}" id="{ident}"{block.spoken}>'
        opening += f'<span id="{alias}"></span>' if alias else ""
    if tag == "hr":
        return f'<hr class="{classes}">{after}'
    return f"{opening}{body}{notes}" + (f"</{tag}>{after}" if close else "")


def _note(note: str) -> str:
    """A note as HTML: a link's targets that are chapters of the manual as links a page names
    by the chapters' titles (``publish.chapter.rewrite_links``), any other target as text."""
    if not isinstance(note, LinkNote):
        return html.escape(note)
    now, was = _target(note.now), _target(note.was, "-was")
    return f"The link “{html.escape(note.text)}” now goes to {now} (it went to {was})."


def _target(href: str, was: str = "") -> str:
    found = manual_target(href)
    if found is None or not found[0]:  # (a web address, or a heading of the same chapter)
        return html.escape(href)
    return f'<a class="{TARGET_CLASS}{was}" href="{html.escape(href)}">{html.escape(href)}</a>'


def _mark(op: str, inner: str) -> str:
    tag = MARKS[op]
    return f'<{tag}><span class="vh">{LABELS[op]}: </span>{inner}</{tag}>'


def _whole(block: Block, op: str) -> str:
    """A block inserted or deleted as a whole: one mark (one per cell for a table row)."""
    if block.tag != "tr":
        return _mark(op, block.html) if block.html.strip() else block.html
    pieces = _CELL.split(block.html)
    return "".join(
        piece if _CELL.fullmatch(piece) or not piece.strip() else _mark(op, piece)
        for piece in pieces
    )


def _merged(ops: Ops) -> str:
    """The new text's markup with inserted and deleted words marked.

    Every token only one version has, other than an inline tag, stands inside a mark, so that
    each side reads as its version does; white space and line breaks alone get a mark of their
    own (``diff-space``). Deleted text keeps the formatting it had where that is whole within
    it; a deleted line break is shown by a sign, so the text keeps the new version's lines.
    """
    out: list[str] = []
    for op, tokens in ops:
        text = "".join(tokens)
        if op == EQUAL:
            out.append(text)
        elif "<" not in text and "\n" not in text:  # words and spaces alone: the most often
            out.append(_gap_mark(op, tokens) if text.isspace() else _mark(op, text))
        elif all(is_gap(token) for token in tokens):
            out.append(_gap_mark(op, tokens))
        elif op == INSERT:
            out.append(_inserted(tokens))
        else:
            kept = _whole_tags(tokens)
            if not any(is_word(t) or is_line_break(t) or is_image(t) for t in kept):
                continue  # only a tag went (a link's old address): nothing to read as deleted
            out.append(_mark(DELETE, "".join(_LINE if is_line_break(t) else t for t in kept)))
    # A deletion and an insertion side by side ("within 24 hours" to "2 hours") are set apart
    # by a gap (``diff-next``): without their colours, as printed, in a high-contrast mode, or
    # to a reader who cannot tell the two, "<del>24</del><ins>2</ins>" read as 242.
    # (Tags between them, as where plain words became bold, draw nothing between them.)
    return _NEXT.sub(lambda found: f'{found[1]}<{found[3]} class="diff-next">', "".join(out))


_NEXT = re.compile(r"(</(del|ins)>(?:<(?!/?(?:del|ins)\b)[^<>]*>)*)<(?!\2)(del|ins)>")


def _inserted(tokens: list[str]) -> str:
    """Inserted tokens: their tags as markup, the rest marked."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            gap = all(is_gap(token) for token in run)
            out.append(_gap_mark(INSERT, run) if gap else _mark(INSERT, "".join(run)))
            run.clear()

    for token in tokens:
        if token.startswith("<") and not is_image(token) and tag_name(token) != "br":
            flush()
            out.append(token)
        else:
            run.append(token)
    flush()
    return "".join(out)


def _whole_tags(tokens: list[str]) -> list[str]:
    """Deleted tokens with the inline elements that open and close among them; other tags go."""
    keep = [not token.startswith("<") or is_image(token) or tag_name(token) == "br"
            for token in tokens]  # fmt: skip
    opened: list[tuple[str, int]] = []
    for number, token in enumerate(tokens):
        if keep[number]:
            continue
        name = tag_name(token)
        if not token.startswith("</"):
            opened.append((name, number))
        elif opened and opened[-1][0] == name:
            keep[opened.pop()[1]] = keep[number] = True
    return [token for token, kept in zip(tokens, keep, strict=True) if kept]


def _gap_mark(op: str, tokens: list[str]) -> str:
    """White space or line breaks that came or went, marked so they are seen. A deleted line
    break is shown by its sign alone, so the text keeps the new version's lines."""
    breaks = any(is_line_break(token) for token in tokens)
    label = f"{LABELS[op].split()[0]} {'line break' if breaks else 'space'}"
    body = "".join(
        _SIGN + (token if op == INSERT else "") if is_line_break(token) else token
        for token in tokens
    )
    tag = MARKS[op]
    return f'<{tag} class="diff-space"><span class="vh">{label}</span>{body}</{tag}>'


_CELL_END = re.compile(r"</t[dh]>")


def _in_cells(row: str, notes: tuple[str, ...]) -> str:
    """A row with its notes in its cells: a link's in the cell that holds the link (it was
    in the first, a column away from the link it spoke of: practitioners' exploratory
    testing), any other in the first."""
    for note in notes:
        shown = f' <span class="diff-note">{_note(note)}</span>'
        # (the link's words as the rendered cell writes text: quotes are not escaped there)
        link = f">{html.escape(note.text, quote=False)}</a>" if isinstance(note, LinkNote) else ""
        at = row.find(link) if link else -1
        match = _CELL_END.search(row, max(at, 0))
        if not match:
            row += shown
        else:
            row = row[: match.start()] + shown + row[match.start() :]
    return row


# --- the Markdown source, for authors -----------------------------------------------------


def source_html(lines: list[SourceLine]) -> str:
    """The source diff as a table of lines, words within changed lines marked."""
    rows = []
    for line in lines:
        if line.ops:
            body = _merged(line.ops)
        elif line.op == " ":
            body = html.escape(line.text)
        else:
            body = _mark(INSERT if line.op == "+" else DELETE, html.escape(line.text))
        sign = {"+": "+", "-": "\N{MINUS SIGN}", " ": ""}[line.op]
        kind = {"+": "inserted", "-": "deleted", " ": "same"}[line.op]
        rows.append(
            f'<tr class="diff-{kind}"><td class="diff-sign" aria-hidden="true">{sign}'
            f"</td><td><code>{body}</code></td></tr>"
        )
    return '<table class="diff-source">\n' + "\n".join(rows) + "\n</table>"
