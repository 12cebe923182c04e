"""A chunk of Markdown read without Markdown, for the track changes of a chunk Python-Markdown
cannot read (nested past what Python's stack holds) or should not (``blocks.MAX_CHUNK``,
``blocks.UNBALANCED``): its headings, list items and table rows kept, its text escaped."""

from __future__ import annotations

import html
import re

from tracker.trackchanges.chunks import TABLE_RULE, Chunk
from tracker.trackchanges.text import Block, make_block


def without_header(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """A later piece of a long table, without the header row it repeats."""
    return blocks[1:] if blocks and blocks[0].kind == "row" else blocks


def plain_chunk(chunk: Chunk) -> tuple[Block, ...]:
    """A chunk read without Markdown: headings, list items and table rows kept, text escaped."""
    blocks = _plain(chunk.text)
    return without_header(blocks) if chunk.continues_table else blocks


def _plain(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    paragraph: list[str] = []  # (its lines, made a block once: remade for each, 10,000 took 60 s)

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(make_block("paragraph", "p", 0, "", " ".join(paragraph)))
            paragraph.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or TABLE_RULE.match(stripped):
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        item = re.match(r"(?:[-*+]|\d+[.)])\s+(.*)", stripped)
        if not (heading or item or stripped.startswith("|")):
            paragraph.append(html.escape(stripped))
            continue
        end_paragraph()
        if heading:
            level = len(heading.group(1))
            blocks.append(
                make_block("heading", f"h{level}", level, "", html.escape(heading.group(2)))
            )
        elif item:
            depth = (len(line) - len(line.lstrip())) // 4 + 1
            blocks.append(make_block("item", "li", depth, "ul", html.escape(item.group(1))))
        else:
            cells = [html.escape(cell.strip()) for cell in stripped.strip("|").split("|")]
            blocks.append(
                make_block("row", "tr", 0, "table", "".join(f"<td>{c}</td>" for c in cells))
            )
    end_paragraph()
    return tuple(blocks)
