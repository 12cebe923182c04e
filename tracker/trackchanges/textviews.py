"""A DocumentDiff as terminal text or JSON: the words of each block, changes marked."""

from __future__ import annotations

import html
import re
from typing import Any

from tracker.trackchanges.compare import BlockChange, DocumentDiff
from tracker.trackchanges.summary import summarise
from tracker.trackchanges.text import (
    LINE,
    Block,
    address_and_title,
    image_description,
    image_file,
    is_formatting,
    is_gap,
    is_image,
    is_line_break,
    is_word,
    plain_texts,
    same_look,
    tag_name,
    tokenize,
)
from tracker.trackchanges.wordiff import DELETE, EQUAL, INSERT, Ops

_CELL = re.compile(r"(<t[dh]\b[^>]*>|</t[dh]>)")
_COLOURS = {INSERT: ("\x1b[32m", "\x1b[0m"), DELETE: ("\x1b[31m", "\x1b[0m")}
COLOUR_CODES = ("\x1b[32m", "\x1b[31m", "\x1b[0m")  # all a coloured text diff writes itself
_BRACKETS = {INSERT: ("{+", "+}"), DELETE: ("[-", "-]")}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Markdown's marks for the formatting of marked words, where it is part of the change.
_MARKS = {"strong": ("**", "**"), "b": ("**", "**"), "em": ("_", "_"), "i": ("_", "_"),
          "code": ("`", "`"), "sup": ("^", "^"), "sub": ("~", "~")}  # fmt: skip
Stacks = list[tuple[str, ...]]  # the formatting tags open around each token of a run


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
    marks = block.kind != "code"  # (code is code: its <code> is no formatting of words)
    if change.status in {"inserted", "deleted", "away", "rewritten"}:
        op = INSERT if change.new is not None else DELETE
        cells = _CELL.split(block.html) if row else [block.html]
        body = _cells_text(
            [
                _ops_text([(op, list(tokenize(cell)))], colour, row=False, marks=marks)
                for cell in cells
                if not _CELL.fullmatch(cell) and cell.strip()
            ],
            row,
        )
    elif change.ops:
        body = _ops_text(change.ops, colour, row=row, marks=marks)
    else:
        body = _ops_text([(EQUAL, list(block.tokens))], colour, row=row)
    if block.kind == "heading":
        return "#" * block.level + " " + body
    if block.kind == "item":
        bullet = "-" if block.number is None else f"{block.number}."
        return "  " * (block.level - 1) + f"{bullet} " + body
    if block.kind == "quote":
        return "> " + body
    if block.kind == "row":
        return body
    if block.kind == "rule":
        return "---"
    return body


def _cells_text(cells: list[str], row: bool) -> str:
    return "| " + " | ".join(cells) + " |" if row else "".join(cells)


def _ops_text(ops: Ops, colour: bool, row: bool, marks: bool = False) -> str:
    out: list[str] = []
    formatting = _formatting(ops) if marks else [None] * len(ops)
    written: tuple[str, bool, bool] | None = None  # the run just written, if marked words
    for (op, tokens), stacks in zip(ops, formatting, strict=True):
        before, written = written, None
        if op == DELETE and row:
            kept = [i for i, t in enumerate(tokens) if tag_name(t) in {"", "br", "img"}]
            tokens = [tokens[i] for i in kept]
            stacks = None if stacks is None else [stacks[i] for i in kept]
        if op != EQUAL and tokens and all(is_gap(token) for token in tokens):
            start, end = _BRACKETS[op]
            shown = LINE if any(is_line_break(token) for token in tokens) else " "
            out.append(_COLOURS[op][0] + start + shown + end + _COLOURS[op][1] if colour
                       else start + shown + end)  # fmt: skip
            continue
        if stacks is None:
            words = "".join(_token_text(token, row) for token in tokens)
        else:
            words = _marked_text(tokens, stacks, row)
        if op == EQUAL or not words.strip():
            out.append(words)
            continue
        start, end = _BRACKETS[op]
        text = f"{start}{words.strip()}{end}"
        if colour:
            text = _COLOURS[op][0] + text + _COLOURS[op][1]
        lead = " " if words[:1].isspace() else ""
        trail = " " if words[-1:].isspace() else ""
        written = (op, bool(lead), bool(trail))
        if before is not None and before[0] != op:
            # The other side of the change just written: a space both sides have at one edge
            # is shown once, outside the two (`kept [-a-]{+**a**+}`, not `kept [-a-] {+**a**+}`).
            if lead and before[1]:
                lead = ""
            if trail and before[2]:
                out[-1] = out[-1][:-1]
        out.append(lead + text + trail)
    text = " ".join("".join(out).split(" ")).strip()
    text = re.sub(r"[ \t\r\n]+", " ", text)
    return f"{text} |" if row else text


def _formatting(ops: Ops) -> list[Stacks | None]:
    """For each run of a word diff, the formatting each of its tokens is to be shown in, where
    the run is part of a change (the runs between two equal ones) whose words' formatting is
    part of what changed; None elsewhere."""
    if not any(op != EQUAL and token[:1] == "<" for op, tokens in ops for token in tokens):
        return [None] * len(ops)  # most often: no tag came or went
    sides: dict[str, list[str]] = {DELETE: [], INSERT: []}  # the tags open on each side
    around: dict[str, tuple[str, ...]] = {}  # ...where the change began
    found: list[Stacks | None] = []
    change: list[tuple[str, list[str], Stacks]] = []  # the runs of the change being read
    for op, tokens in [*ops, (EQUAL, [])]:
        if op != EQUAL:
            if not change:
                around = {side: tuple(tags) for side, tags in sides.items()}
            stacks: Stacks = []
            for token in tokens:
                _follow(sides[op], token)
                stacks.append(tuple(sides[op]))
            change.append((op, tokens, stacks))
            continue
        found += _shown(change, around)
        change = []
        for token in tokens:
            _follow(sides[DELETE], token)
            _follow(sides[INSERT], token)
        found.append(None)
    return found[:-1]


def _shown(
    change: list[tuple[str, list[str], Stacks]], around: dict[str, tuple[str, ...]]
) -> list[Stacks | None]:
    """The formatting to show in the runs of one change: none when every word in it stands in
    the formatting around it (on its side); else, when each word still stands in that, what it
    stands in besides (``guide`` made emphasis inside bold shows as ``_guide_``); else all of
    it (``a`` that bold no longer reaches shows as ``**a**`` then ``a``)."""
    words = [
        (around[op], stack)
        for op, tokens, stacks in change
        for token, stack in zip(tokens, stacks, strict=True)
        if is_word(token) or is_image(token)
    ]
    if all(stack == outside for outside, stack in words):
        return [None] * len(change)
    if all(stack[: len(outside)] == outside for outside, stack in words):
        return [[stack[len(around[op]) :] for stack in stacks] for op, _, stacks in change]
    return [stacks for _, _, stacks in change]


def _follow(tags: list[str], token: str) -> None:
    """Open or close a formatting tag."""
    if not is_formatting(token):
        return
    token = same_look(token)  # (<b> as the <strong> it looks the same as, as it is compared)
    if token[1] != "/":
        tags.append(token)
        return
    name = tag_name(token)
    for at in range(len(tags) - 1, -1, -1):
        if tag_name(tags[at]) == name:
            del tags[at:]
            return


def _marked_text(tokens: list[str], stacks: Stacks, row: bool) -> str:
    """Tokens as text, each word with all its formatting in Markdown's marks; spaces and breaks
    stay outside the marks, as Markdown has them."""
    out: list[str] = []
    shown: tuple[str, ...] = ()
    gap = ""  # spaces and breaks not yet written
    for token, stack in zip(tokens, stacks, strict=True):
        text = _token_text(token, row)
        if not (is_word(token) or is_image(token)):
            gap += text
            continue
        same = 0
        while same < min(len(shown), len(stack)) and shown[same] == stack[same]:
            same += 1
        out += [_mark(tag)[1] for tag in reversed(shown[same:])]
        out.append(gap)
        out += [_mark(tag)[0] for tag in stack[same:]]
        out.append(text)
        shown, gap = stack, ""
    out += [_mark(tag)[1] for tag in reversed(shown)]
    out.append(gap)
    return "".join(out)


def _mark(tag: str) -> tuple[str, str]:
    """The marks before and after words in a formatting tag: a link's with its address and
    title (as an image is named), an abbreviation's with its title."""
    name = tag_name(tag)
    if name in ("a", "abbr"):
        address, title = (_CONTROL.sub("\N{REPLACEMENT CHARACTER}", part)
                          for part in address_and_title(tag))  # fmt: skip
        if name == "abbr":
            return "", f" ({title})" if title else ""
        return "[", f"]({address}" + (f" “{title}”" if title else "") + ")"
    return _MARKS.get(name, ("", ""))


def _token_text(token: str, row: bool) -> str:
    if is_image(token):  # (with its file's name: a new picture under the same description
        named = image_file(token)  # looked unchanged)
        return f"[image: {image_description(token)}" + (f", {named}]" if named else "]")
    if token[0] == "<":
        if row and token[:3] in ("<td", "<th"):
            return "| "
        return " " if is_gap(token) else ""
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
    segments = []
    if change.ops:
        texts = plain_texts([token for _, tokens in change.ops for token in tokens])
        marks = block.kind != "code"
        formatting = _formatting(change.ops) if marks else [None] * len(change.ops)
        for (op, tokens), stacks in zip(change.ops, formatting, strict=True):
            text = "".join(texts[: len(tokens)])
            del texts[: len(tokens)]
            if text:
                segment = {"op": op, "text": text}
                if stacks is not None and op != EQUAL:  # its formatting is part of the change
                    marked = _marked_text(tokens, stacks, row=False)
                    if marked.strip() != text.strip():
                        segment["marked"] = marked
                segments.append(segment)
    elif block.plain:  # a whole block: its text, worked out once for every diff it is in
        op = EQUAL if change.status == "same" else INSERT if change.new is not None else DELETE
        segments.append({"op": op, "text": block.plain})
    return {
        "status": change.status,
        "kind": block.kind,
        "tag": block.tag,
        "level": block.level,
        # A moved block's old text is its own (its ops may give the new text whole).
        "old": _side_text(change.ops, DELETE)
        if change.ops and change.status != "moved"
        else _text_of(change.old),
        "new": _side_text(change.ops, INSERT) if change.ops else _text_of(change.new),
        "notes": list(change.notes),
        "segments": segments,
    }


def _text_of(block: Block | None) -> str | None:
    return block.text if block else None


def _side_text(ops: Ops, side: str) -> str:
    """One side's text of a word diff (for a merged block: both old paragraphs)."""
    tokens = [token for op, run in ops if op in (EQUAL, side) for token in run]
    return " ".join("".join(plain_texts(tokens)).split())
