"""The ids of headings written as raw HTML in a chapter (``<h2 id="contacts">``), as its page
gives them: with the page's prefix, as Markdown's headings have theirs (``page_anchor``), so that
none clashes with the page's own ids. Read from the text without Python-Markdown, as
``documents.heading_ids`` reads the Markdown headings, for ``tracker check``'s links.
"""

from __future__ import annotations

import re
from html import unescape

from tracker.history.links import ANCHOR_PREFIX, page_anchor

# A heading's start tag and its attributes, a quoted value holding '>' too (nothing in it
# holds '<': one stops there, so a hostile text is read in about one pass).
_HEADING_TAG = re.compile(r"""<[hH][1-6](?=[\s/>])((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>""")
# A line indented as code (Python-Markdown's indented code block). A paragraph's line so
# indented is taken for code too: rare, and a link to a heading there is then reported as
# broken though it works, never the other way round.
_INDENTED = re.compile(r"^(?: {4}|\t).*$", re.M)
# An attribute, as a browser reads one: a name, and a value quoted or not.
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def raw_heading_ids(text: str) -> list[str]:
    """The ids raw HTML gives headings in ``text`` (its code already taken out), without the
    page's prefix (as ``DocMeta.anchors`` holds them): ``contacts`` for ``id="contacts"`` and
    for ``id="section-contacts"`` alike. HTML comments and lines indented as code are left out,
    as the page leaves them."""
    if "<h" not in text and "<H" not in text:
        return []
    found = []
    for tag in _HEADING_TAG.finditer(_INDENTED.sub("", _without_comments(text))):
        ident = _id_of(tag.group(1) or "")
        if ident:
            found.append(page_anchor(ident).removeprefix(ANCHOR_PREFIX))
    return found


def _id_of(attributes: str) -> str | None:
    """The value of the first ``id`` among a start tag's attributes (a browser keeps the first)."""
    for attribute in _ATTRIBUTE.finditer(attributes):
        if attribute.group(1).lower() == "id":
            value = next((v for v in attribute.group(2, 3, 4) if v is not None), "")
            return unescape(value)
    return None


def _without_comments(text: str) -> str:
    """The text without its HTML comments (one not closed runs to the end)."""
    if "<!--" not in text:
        return text
    kept, start = [], 0
    while (opened := text.find("<!--", start)) >= 0:
        kept.append(text[start:opened])
        closed = text.find("-->", opened + 4)
        start = len(text) if closed < 0 else closed + 3
    kept.append(text[start:])
    return "".join(kept)
