"""A chapter moved to another folder: a link or image of its earlier version compared as one of
the later version's that reaches the same file from the later version's folder. Its author
mends a relative link to reach the same chapter from there (``../b/x.md`` becomes
``../../b/x.md``): that is no change for a reader, yet its paragraph was marked changed, with
nothing in it marked. One the later version writes alike stays compared as written: a folder
renamed with all it holds moves the chapters and images its chapters reach too (review of an
earlier attempt, which compared every link by its path and found them all changed).

Only the comparing reads them so: each version is shown as written, what is deleted read from
the earlier version's folder (``publish.chapter.rewrite_links``)."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
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
    ``news``, in ``folders[1]``: each link to a chapter and each image the later version does
    not write alike, written as the later version writes one that reaches the same file, where
    it has one; the blocks without any, as they were."""
    old_folder, new_folder = folders
    written: Counter[str] = Counter()  # the addresses the later version writes, as written
    reaching: dict[str, str] = {}  # what a later address reaches -> the first written so
    for block in news:
        for found in (
            _LINKED.finditer(block.html) if "<a " in block.html or "<img " in block.html else ()
        ):
            written[found[3]] += 1
            target = _target(found[2], unescape(found[3]), new_folder)
            if target is not None:
                reaching.setdefault(target, found[3])

    def compared(value: str, tag: str) -> str:
        """An earlier address as compared: written alike as often as the later version
        writes it (a chapter linked twice, once mended: review), else as the later version
        writes what it reaches, if it does."""
        if written[value] > 0:
            written[value] -= 1
            return value
        target = _target(tag, unescape(value), old_folder)
        return (reaching.get(target) if target is not None else None) or value

    blocks = []
    for block in olds:
        if "<a " not in block.html and "<img " not in block.html:
            blocks.append(block)
            continue
        blocks.append(_decided(block, compared))
    return blocks


def _decided(block: Block, compared: Callable[[str, str], str]) -> Block:
    """The block with each address as ``compared`` gives it, decided once for each place it is
    written, in the HTML and the same in its tokens (which hold its tags in the same order)."""
    values = [compared(found[3], found[2]) for found in _LINKED.finditer(block.html)]
    in_html, in_tokens = iter(values), iter(values)
    html = _LINKED.sub(lambda found: f"{found[1]}{next(in_html)}{found[4]}", block.html)
    tokens = tuple(
        _LINKED.sub(lambda found: f"{found[1]}{next(in_tokens, found[3])}{found[4]}", t)
        if t[0] == "<"
        else t
        for t in block.tokens
    )
    return replace(block, html=html, tokens=tokens)


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
