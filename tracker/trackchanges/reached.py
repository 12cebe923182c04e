"""A chapter moved to another folder: a link or image of its earlier version compared as one of
the later version's that reaches the same file from the later version's folder, where the
later version has one. Its author mends a relative link to reach the same chapter from there
(``../b/x.md`` becomes ``../../b/x.md``): that is no change for a reader, yet its paragraph was
marked changed, with nothing in it marked. One that reaches a file the later version links to
nowhere is compared as written: a folder renamed with all it holds moves the chapters and
images its chapters reach too, and links written alike then stay the same (review of an
earlier attempt, which compared every link by its path and found them all changed). The
notes and summary read links so too (``linknotes.read_links``).

Only the comparing reads them so: each version is shown as written, what is deleted read from
the earlier version's folder (``publish.chapter.rewrite_links``)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import replace
from html import unescape
from urllib.parse import urlsplit

from tracker.history.hrefs import manual_target
from tracker.history.links import composed, link_path
from tracker.trackchanges.text import Block

# A link's href or an image's src in sanitised HTML, read attribute by attribute (each value
# in double quotes: an image's alt text may hold 'src="', review).
_LINKED = re.compile(r'(<(a|img)(?:\s+[a-z-]+="[^"]*")*?\s+(?:href|src)=")([^"]*)(")')


def as_compared(olds: list[Block], news: list[Block], folders: tuple[str, str]) -> list[Block]:
    """``olds``, the blocks of a version in folder ``folders[0]``, to be compared with
    ``news``, in ``folders[1]``: each link to a chapter and each image written as the later
    version writes one that reaches the same file, where it has one; else as written. The
    blocks without any, as they were."""
    old_folder, new_folder = folders
    reaching: dict[str, list[str]] = {}  # what a later address reaches -> each written so
    for block in news:
        for found in (
            _LINKED.finditer(block.html) if "<a " in block.html or "<img " in block.html else ()
        ):
            target = _target(found[2], unescape(found[3]), new_folder)
            if target is not None and found[3] not in (written := reaching.setdefault(target, [])):
                written.append(found[3])

    def compared(value: str, tag: str) -> str:
        """As written where the later version writes it so to reach the same file (one file
        may be named two ways: review), else as the later version first writes that file."""
        target = _target(tag, unescape(value), old_folder)
        written = reaching.get(target, []) if target is not None else []
        return value if value in written or not written else written[0]

    return [
        block
        if "<a " not in block.html and "<img " not in block.html
        else _decided(block, compared)
        for block in olds
    ]


def _decided(block: Block, compared: Callable[[str, str], str]) -> Block:
    """The block with each address as ``compared`` gives it, in its HTML and its tokens."""

    def one(found: re.Match[str]) -> str:
        return f"{found[1]}{compared(found[3], found[2])}{found[4]}"

    tokens = tuple(_LINKED.sub(one, t) if t[0] == "<" else t for t in block.tokens)
    return replace(block, html=_LINKED.sub(one, block.html), tokens=tokens)


def _target(tag: str, value: str, folder: str) -> str | None:
    """What a relative link to a chapter, or an image, reaches from a chapter in ``folder``
    (None: anything else, or a path out of the manual, compared as written)."""
    if tag == "a":
        found = manual_target(value.strip("\t\n\f\r "))  # (as the page reads it)
        if found is None or not found[0]:
            return None  # (an address, or the chapter's own heading: the same from anywhere)
        path, query, fragment = found[0], "", found[1]
    else:
        try:
            parts = urlsplit(value)
        except ValueError:
            return None
        if parts.scheme or parts.netloc or value.startswith("/") or not parts.path:
            return None
        path, query, fragment = parts.path, parts.query, parts.fragment
    reached = link_path(posixpath.join(folder, "-"), path)
    return None if reached is None else f"{tag} {composed(reached)}?{query}#{fragment}"
