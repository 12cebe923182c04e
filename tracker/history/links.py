"""Links between documents, as pages write them and ``tracker check`` reads them (pure
functions, no git): the document a link's path names, the ids a page gives its headings, and
the id a link's fragment names."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, unquote

ANCHOR_PREFIX = "section-"  # pages prefix heading ids so, never clashing with their own ids
_TWICE = ANCHOR_PREFIX * 2  # how the id of a heading whose words begin "Section" begins
# The longest id a page gives a heading: a repeated heading's id ending in thousands of digits
# made Python-Markdown (and our reading of it) number it by int(), which refuses over 4,300.
LONGEST_ID = 1000
# What an address's fragment holds as written (the URL standard's fragment percent-encode set
# takes controls, space, '"', '<', '>', '`' and every character past ASCII; a tab or newline
# is dropped): a browser encodes the rest.
_FRAGMENT_SAFE = "!#$%&'()*+,-./:;=?@[\\]^_{|}~"
_DROPPED = re.compile("[\t\n\r]")
# The files of the manual its pages show (an image a chapter names by its path, relative to the
# chapter, inside the manual's folder), by how their names end, and the largest one served
# (bytes): the website gives no address for any other, so the page shows it as written.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}  # fmt: skip
LARGEST_IMAGE = 10_000_000


def link_path(document: str, target: str) -> str | None:
    """The path under the root that a relative link's path (``target``, as written in the
    document at path ``document``) names, its percent-escapes decoded as a browser decodes
    them (``early%20help.md`` is "early help.md"); None when, decoded, it leads out of the
    root, is absolute or holds a control character. The website and ``tracker check`` both
    read links so."""
    decoded = unquote(target)
    if decoded.startswith("/") or any(ord(char) < 32 or char == "\x7f" for char in decoded):
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(document), decoded))
    return None if resolved.startswith("../") or resolved in ("..", ".") else resolved


def composed(text: str) -> str:
    """A name or id with each accent joined to its letter (NFC). Some systems save names with
    the accent apart (NFD: macOS's older file systems, and git there with precomposeunicode
    off), and an author types the other: the same letters, so the same id, and the same
    document a link names, whichever way a file name, front matter, a link or an address
    wrote them."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def page_anchor(fragment: str) -> str:
    """The id a link's ``#fragment`` goes to on a chapter's page: a heading's id as authors
    are told to write it (``reporting``) gets the page's prefix; one that has it already is
    left as written (``section-reporting``, copied from a page, or ``section-47-enquiries``
    for "Section 47 Enquiries", which its page gives as a second id: ``heading_aliases``)."""
    return fragment if fragment.startswith(ANCHOR_PREFIX) else ANCHOR_PREFIX + fragment


def landing_ids(fragment: str) -> tuple[str, str]:
    """The ids a browser looks for, in turn, to follow a link whose address ends ``#`` and
    ``fragment`` (as its href has it): the HTML standard's "indicated part of the document",
    the fragment as the address holds it (percent-encoded), then that decoded as UTF-8. So
    ``#ορισμοί`` and ``#%CE%BF%CF%81...`` both go to the id "ορισμοί", and ``#%41`` to "A"."""
    encoded = quote(_DROPPED.sub("", fragment), safe=_FRAGMENT_SAFE)
    return encoded, unquote(encoded, errors="replace")


def heading_aliases(ids: Iterable[str]) -> dict[str, str]:
    """The second id a page gives each heading whose words begin "Section", by its id
    (``section-section-47-enquiries`` -> ``section-47-enquiries``): the heading's id as authors
    are told to write it, which ``page_anchor`` leaves as written. Not where another heading
    already has it ("47 Enquiries" beside "Section 47 Enquiries"): ids stay as published."""
    ids = list(ids)
    taken = set(ids)
    aliases = {i: i.removeprefix(ANCHOR_PREFIX) for i in ids if i.startswith(_TWICE)}
    return {i: alias for i, alias in aliases.items() if alias not in taken}


def page_ids(anchors: Iterable[str]) -> set[str]:
    """Every id a page gives the headings with these ids (``DocMeta.anchors``, unprefixed)."""
    ids = [ANCHOR_PREFIX + anchor for anchor in anchors]
    return {*ids, *heading_aliases(ids).values()}


def shadowed(anchors: Iterable[str]) -> list[tuple[str, str]]:
    """Each heading whose words begin "Section" that gets no second id because another heading
    has it (``heading_aliases``), with that heading: ("section-47-enquiries", "47-enquiries")
    for "Section 47 Enquiries" beside "47 Enquiries" (ids as ``DocMeta.anchors`` gives them)."""
    ids = [ANCHOR_PREFIX + anchor for anchor in anchors]
    kept = heading_aliases(ids)
    return [
        (ident.removeprefix(ANCHOR_PREFIX), ident.removeprefix(_TWICE))
        for ident in dict.fromkeys(ids)
        if ident.startswith(_TWICE) and ident not in kept
    ]
