"""What an id that names no document was likely meant for. An author has the chapter's file
open, or its title on the page, and gave that ("tracker show managing-allegations", the file
of the chapter 'allegations'): each try got the same sentence, with no hint (newcomer's
testing)."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable

from tracker.history.model import Document
from tracker.repository.paths import Root

_COMPARED = 100  # (the longest id compared with every document's for a near one)


def meant(documents: Iterable[Document], root: Root, ident: str) -> str:
    """How a sentence that says no document has the id ends: ': <what the id names> (give its
    id).' for an id that is a document's file (its path under the root or in the repository,
    with or without ``.md``, or its name alone where no other document's file has it) or
    title (in any case), "; did you mean '<id>'?" for one near a document's id, else '.'."""
    published = [doc for doc in documents if not doc.latest.deleted]
    asked = ident.removeprefix("./").removesuffix(".md")
    under = root.relative(asked) or asked
    for doc in published:
        if doc.latest.path.removesuffix(".md") in (asked, under):
            return f": that is the file of the {doc.latest.type} '{doc.id}' (give its id)."
    named = [doc for doc in published if _name(doc.latest.path) == posixpath.basename(asked)]
    if len(named) == 1:
        doc = named[0]
        return f": {doc.latest.path} is the file of the {doc.latest.type} '{doc.id}' (give its id)."
    words = " ".join(ident.split()).casefold()
    titled = [doc for doc in published if doc.latest.title.casefold() == words]
    if len(titled) == 1:
        doc = titled[0]
        return f": that is the title of the {doc.latest.type} '{doc.id}' (give its id)."
    if len(ident) > _COMPARED:
        return "."
    near = difflib.get_close_matches(ident, [doc.id for doc in published], n=1, cutoff=0.8)
    return f"; did you mean '{near[0]}'?" if near else "."


def _name(path: str) -> str:
    return posixpath.basename(path).removesuffix(".md")
