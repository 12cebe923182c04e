"""The ids of a diff's headings, so that the chapter's same-page links (``[see
below](#reporting)``) go to the heading within the diff, which shows the text as a whole.

A heading the new version has gets the id its page gives it (``section-reporting``); one only
the old version had (deleted, or rewritten) gets the old page's id unless a heading of the new
version has it already: a link in either version's words goes to a heading of those words, and
no id is given twice. A chapter's leading ``# Title`` is its page's title and has none.
"""

from __future__ import annotations

import html
import re

from tracker.history.headings import heading_slug, unique
from tracker.history.links import ANCHOR_PREFIX, LONGEST_ID, heading_aliases, page_anchor
from tracker.trackchanges.compare import BlockChange
from tracker.trackchanges.text import Block

_SAME_PAGE = re.compile(r'href="#([^"]+)"')  # a link to an id of the page, in sanitised HTML


def heading_anchors(changes: list[BlockChange]) -> dict[int, tuple[str, str | None]]:
    """Each heading's id and its second id (``heading_aliases``), by the index of its change."""
    given: dict[int, str] = {}
    taken: set[str] = set()
    for side in ("new", "old"):
        first = True
        ids: set[str] = set()
        counted: dict[str, int] = {}
        for number, change in enumerate(changes):
            block: Block | None = getattr(change, side)
            if block is None or (side == "old" and change.status == "moved"):
                continue  # (a moved block's old place is its "away")
            title, first = first and block.kind == "heading" and block.level == 1, False
            if block.kind != "heading" or title:
                continue  # (the page's own title has no id)
            ident = unique((ANCHOR_PREFIX + heading_slug(_words(block)))[:LONGEST_ID], ids, counted)
            if number not in given and ident not in taken and (side == "new" or not change.new):
                given[number] = ident
                taken.add(ident)
    aliases = heading_aliases(given.values())
    return {number: (ident, aliases.get(ident)) for number, ident in given.items()}


def same_page_links(fragment: str) -> str:
    """Links to a heading of the same text given the page's prefix, as on the chapter's page."""
    return _SAME_PAGE.sub(lambda found: f'href="#{page_anchor(found.group(1))}"', fragment)


def _words(block: Block) -> str:
    """A heading's words as Python-Markdown slugs them: its text, without tags or images."""
    return "".join(html.unescape(t) for t in block.tokens if not t.startswith("<"))
