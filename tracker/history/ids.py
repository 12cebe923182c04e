"""What a document's id may be: one the website can read from an address (``web.pages``) and
a static copy can name its pages' files after (``web.outdir``). A front matter ``id`` must be
plain words (``ID_PATTERN``); an id a file's path gives may hold more (spaces, brackets), as
an address percent-encodes them, but nothing no address or file can hold."""

from __future__ import annotations

import re
import unicodedata

ID_PATTERN = re.compile(r"[^\W_][\w.-]*(/[^\W_][\w.-]*)*")
MAX_ID = 300  # the longest id the website reads from an address (``web.pages.check_id``)
MAX_PART = 240  # bytes of one part of an id: a file's name holds 255 (a static copy's folders)
PAGE_FILE = "index.html"  # the file a static copy writes each page as


def id_problem(ident: str) -> str | None:
    """Why an id given in front matter (or to ``tracker new``) cannot be a document's, as
    ``tracker check`` says it ("'id' '../etc' must be words..."), or None."""
    if not ID_PATTERN.fullmatch(ident):
        return (
            f"'id' {ident!r} must be words of letters, digits, '.', '_' or '-' joined by '/', "
            "each starting with a letter or digit (no '..', no leading or doubled '/')"
        )
    beyond = _beyond_addresses(ident)
    return None if beyond is None else f"'id' {beyond}"


def path_id_problem(ident: str) -> str | None:
    """Why an id a file's path gives cannot be a document's, or None: the website refuses an
    address with it (``web.pages.check_id``), or a static copy cannot name its page's file
    (``web.outdir.check_relative``). Looser than ``ID_PATTERN``: a file's name may hold
    spaces, brackets or apostrophes, which an address percent-encodes."""
    if any(part in ("", ".", "..") for part in ident.split("/")):
        return "a part of it is '.' or '..'"
    if not ident.isprintable() and any(unicodedata.category(c) == "Cc" for c in ident):
        return "it holds a control character"
    if "\\" in ident:
        return "it holds a backslash"
    beyond = _beyond_addresses(ident)
    return None if beyond is None else f"it {beyond}"


def _beyond_addresses(ident: str) -> str | None:
    """Why a well-formed id is still no address or file name, or None."""
    if len(ident) > MAX_ID:
        return f"is {len(ident)} characters long: at most {MAX_ID} can be an address"
    parts = ident.split("/")
    longest = max(len(part.encode("utf-8", "surrogateescape")) for part in parts)
    if longest > MAX_PART:
        return f"has a part of {longest} bytes: a static copy's file names hold {MAX_PART}"
    if PAGE_FILE in parts:
        return f"has a part {PAGE_FILE!r}: a static copy names each page's file so"
    return None
