"""A DocumentDiff as accessible HTML, terminal text or JSON."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from tracker.trackchanges.blocks import Block, is_image, tokenize
from tracker.trackchanges.compare import BlockChange, DocumentDiff, SourceLine
from tracker.trackchanges.summary import summarise
from tracker.trackchanges.wordiff import DELETE, EQUAL, INSERT, Ops

LABELS = {INSERT: "inserted text", DELETE: "deleted text"}
MARKS = {INSERT: "ins", DELETE: "del"}
_CELL = re.compile(r"(<t[dh]\b[^>]*>|</t[dh]>)")
_COLOURS = {INSERT: ("\x1b[32m", "\x1b[0m"), DELETE: ("\x1b[31m", "\x1b[0m")}
_BRACKETS = {INSERT: ("{+", "+}"), DELETE: ("[-", "-]")}
_ALT = re.compile(r'alt="([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# --- HTML ---------------------------------------------------------------------------------


def diff_html(diff: DocumentDiff) -> str:
    """The rendered text with changes marked: <ins>/<del> with hidden labels, never colour alone."""
    parts = [f'<div class="diff{" diff-coarse" if diff.coarse else ""}">']
    if diff.coarse:
        parts.append(
            '<p class="diff-note">This comparison is simplified because the versions '
            "are very large or very different.</p>"
        )
    for container, group in _groups(diff.changes):
        parts.append(_group_html(container, group))
    parts.append("</div>")
    return "\n".join(parts)


def _groups(changes: list[BlockChange]) -> Iterator[tuple[str, list[BlockChange]]]:
    """Consecutive changes shown in the same container (a list, a table, a quotation)."""
    group: list[BlockChange] = []
    container = None
    for change in changes:
        shown = change.shown.container
        key = "list" if shown in {"ul", "ol"} else shown
        if group and key != container:
            yield container or "", group
            group = []
        container = key
        group.append(change)
    if group:
        yield container or "", group


def _group_html(container: str, group: list[BlockChange]) -> str:
    if container == "list":
        return _list_html(group)
    inner = "\n".join(_block_html(change) for change in group)
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


def _block_html(change: BlockChange, close: bool = True) -> str:
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
    notes = "".join(f' <span class="diff-note">{html.escape(note)}</span>' for note in change.notes)
    after = ""
    if block.tag == "tr":
        body = _in_first_cell(body, notes)
        notes = ""
    elif block.kind in {"heading", "code", "rule"} and notes:
        # A note is not part of a heading's name, nor of code: it follows the element.
        after = "".join(f'<p class="diff-note">{html.escape(note)}</p>' for note in change.notes)
        notes = ""
    classes = f"diff-{status}"
    if status == "rewritten":
        classes += " diff-new" if change.new else " diff-old"
    tag = block.tag
    opening = f'<{tag} class="{classes}">'
    if tag == "hr":
        return f'<hr class="{classes}">{after}'
    return f"{opening}{body}{notes}" + (f"</{tag}>{after}" if close else "")


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
    """New text's markup with inserted and deleted words marked; deleted tags are dropped."""
    out: list[str] = []
    run: list[str] = []
    run_op = EQUAL

    def flush() -> None:
        if run:
            text = "".join(run)
            out.append(text if run_op == EQUAL or not text.strip() else _mark(run_op, text))
            run.clear()

    for op, tokens in ops:
        for token in tokens:
            if token.startswith("<") and not is_image(token):
                if op == DELETE:
                    continue
                flush()
                out.append(token)
                continue
            if op != run_op:
                flush()
                run_op = op
            run.append(token)
    flush()
    return "".join(out)


def _in_first_cell(row: str, notes: str) -> str:
    if not notes:
        return row
    match = re.search(r"</t[dh]>", row)
    if not match:
        return row + notes
    return row[: match.start()] + notes + row[match.start() :]


def shift_headings(fragment: str, by: int) -> str:
    """Headings ``by`` levels lower (at most h6), to sit under a page's own headings."""
    return re.sub(
        r"<(/?)h([1-6])\b", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}", fragment
    )


# --- text ---------------------------------------------------------------------------------


def diff_text(diff: DocumentDiff, colour: bool = False, context: int = 1) -> str:
    """Changed blocks with a little context, ``[-old-]{+new+}``; colours only when asked."""
    summary = summarise(diff).text()
    if diff.identical or all(change.status == "same" for change in diff.changes):
        return summary + "\n"
    lines = [summary, ""]
    shown = _with_context(diff.changes, context)
    last = -1
    for index in shown:
        if index != last + 1:
            lines.append("  …")
        change = diff.changes[index]
        lines.append(_text_line(change, colour))
        lines += [f"    ({note})" for note in change.notes]
        last = index
    if last != len(diff.changes) - 1:
        lines.append("  …")
    return "\n".join(lines) + "\n"


def _with_context(changes: list[BlockChange], context: int) -> list[int]:
    keep: set[int] = set()
    heading = None
    for index, change in enumerate(changes):
        if change.shown.kind == "heading":
            heading = index
        if change.status != "same":
            keep.update(range(max(0, index - context), min(len(changes), index + context + 1)))
            if heading is not None:
                keep.add(heading)
    return sorted(keep)


def _text_line(change: BlockChange, colour: bool) -> str:
    block = change.shown
    row = block.tag == "tr"
    if change.status in {"inserted", "deleted", "away", "rewritten"}:
        op = INSERT if change.new is not None else DELETE
        cells = _CELL.split(block.html) if row else [block.html]
        body = _cells_text(
            [
                _ops_text([(op, list(tokenize(cell)))], colour, row=False)
                for cell in cells
                if not _CELL.fullmatch(cell) and cell.strip()
            ],
            row,
        )
    elif change.ops:
        body = _ops_text(change.ops, colour, row=row)
    else:
        body = _ops_text([(EQUAL, list(block.tokens))], colour, row=row)
    if block.kind == "heading":
        return "#" * block.level + " " + body
    if block.kind == "item":
        return "  " * (block.level - 1) + "- " + body
    if block.kind == "quote":
        return "> " + body
    if block.kind == "row":
        return body
    if block.kind == "rule":
        return "---"
    return body


def _cells_text(cells: list[str], row: bool) -> str:
    return "| " + " | ".join(cells) + " |" if row else "".join(cells)


def _ops_text(ops: Ops, colour: bool, row: bool) -> str:
    out: list[str] = []
    for op, tokens in ops:
        if op == DELETE and row:
            tokens = [t for t in tokens if not t.startswith("<")]
        words = "".join(_token_text(token, row) for token in tokens)
        if op == EQUAL or not words.strip():
            out.append(words)
            continue
        start, end = _BRACKETS[op]
        text = f"{start}{words.strip()}{end}"
        if colour:
            text = _COLOURS[op][0] + text + _COLOURS[op][1]
        lead = " " if words[:1].isspace() else ""
        trail = " " if words[-1:].isspace() else ""
        out.append(lead + text + trail)
    text = " ".join("".join(out).split(" ")).strip()
    text = re.sub(r"[ \t\r\n]+", " ", text)
    return f"{text} |" if row else text


def _token_text(token: str, row: bool) -> str:
    if is_image(token):
        alt = _ALT.search(token)
        return f"[image: {html.unescape(alt.group(1)) if alt else 'no description'}]"
    if token[0] == "<":
        return "| " if row and token[:3] in ("<td", "<th") else ""
    text = html.unescape(token) if "&" in token else token
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)  # never terminal escapes


# --- JSON ---------------------------------------------------------------------------------


def diff_json(diff: DocumentDiff) -> dict[str, Any]:
    """The diff as data: the summary and each block's segments."""
    return {
        "summary": summarise(diff).to_json(),
        "coarse": diff.coarse,
        "identical": diff.identical,
        "blocks": [_change_json(change) for change in diff.changes],
    }


def _change_json(change: BlockChange) -> dict[str, Any]:
    block = change.shown
    if change.ops:
        ops = change.ops
    elif change.status == "same":
        ops = [(EQUAL, list(block.tokens))]
    else:
        ops = [(INSERT if change.new is not None else DELETE, list(block.tokens))]
    segments = [
        {"op": op, "text": text}
        for op, tokens in ops
        if (text := html.unescape("".join(t for t in tokens if not t.startswith("<"))))
    ]
    return {
        "status": change.status,
        "kind": block.kind,
        "tag": block.tag,
        "level": block.level,
        "old": _side_text(change.ops, DELETE) if change.ops else _text_of(change.old),
        "new": _side_text(change.ops, INSERT) if change.ops else _text_of(change.new),
        "notes": list(change.notes),
        "segments": segments,
    }


def _text_of(block: Block | None) -> str | None:
    return block.text if block else None


def _side_text(ops: Ops, side: str) -> str:
    """One side's text of a word diff (for a merged block: both old paragraphs)."""
    tokens = (t for op, run in ops if op in (EQUAL, side) for t in run if not t.startswith("<"))
    return " ".join(html.unescape("".join(tokens)).split())


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
