"""``tracker check``'s findings about names that differ only where a reader cannot see it: the
sections of the table of contents and ``manual.toml``'s list of them, and ids that differ
only in case.

The contents group chapters by their ``section`` exactly as written: "Referral and
assessment" beside "Referral and Assessment" (or with a non-breaking space pasted from Word)
makes two sections of one, and a misspelt name in ``manual.toml``'s ``sections`` orders
nothing, its section falling to the end. Neither was said (author's exploratory testing). Ids
that differ only in case are two addresses on the website, but one folder in a static copy
written to, or served from, a file system that ignores case (Windows', a Mac's), and one
file in a checkout there when they come from the files' names.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict

from tracker.config import CONFIG_FILE
from tracker.history.model import Document, Problem
from tracker.history.snapshot import Snapshot


def name_problems(snapshot: Snapshot) -> list[Problem]:
    """The findings about sections and ids (rules ``section-spelling``, ``section-unused`` and
    ``id-case``), for the documents on the contents (live ones; deleted and archived ones
    are listed apart)."""
    listed = [doc for doc in snapshot.documents if not doc.latest.withdrawn]
    return [
        *_spellings(listed, snapshot.config.sections),
        *_unused(listed, snapshot.config.sections),
        *_id_cases([doc for doc in snapshot.documents if not doc.latest.deleted]),
    ]


def folded(name: str) -> str:
    """A name as a reader sees it: case and every kind of space (a non-breaking one, a tab,
    two) set aside."""
    return " ".join(name.split()).casefold()


def _spellings(documents: list[Document], configured: tuple[str, ...]) -> list[Problem]:
    """Documents whose section is another's but for case or spaces: the contents list them
    apart. The spelling kept is the one ``manual.toml`` lists, else the one most documents
    use (the first met where as many use another)."""
    used: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in documents:
        if doc.latest.meta.section:
            used[folded(doc.latest.meta.section)][doc.latest.meta.section] += 1
    chosen = {folded(name): name for name in reversed(configured)}
    found = []
    for doc in documents:
        section = doc.latest.meta.section
        if not section or len(used[folded(section)]) < 2:
            continue
        kept = chosen.get(folded(section)) or used[folded(section)].most_common(1)[0][0]
        if section != kept:
            message = (
                f"has the section {section!r}, which differs from {kept!r} only in case or "
                "spaces, so the contents list them as two sections; write it as "
                f"{kept!r}"
            )
            found.append(Problem("warning", doc.latest.path, message, rule="section-spelling"))
    return found


def _unused(documents: list[Document], configured: tuple[str, ...]) -> list[Problem]:
    """Names in ``manual.toml``'s ``sections`` that no document on the contents has: a
    misspelling orders nothing, and its section goes after the listed ones."""
    sections = {doc.latest.meta.section for doc in documents if doc.latest.meta.section}
    found = []
    for name in dict.fromkeys(configured):
        if name in sections:
            continue
        by_fold = {folded(section): section for section in sorted(sections)}
        near = by_fold.get(folded(name)) or next(
            iter(difflib.get_close_matches(name, sorted(sections), n=1, cutoff=0.8)), None
        )
        hint = f"; did you mean {near!r}?" if near else " (a section no longer used?)"
        message = (
            f"names the section {name!r} in 'sections', which no chapter has, so it orders "
            f"nothing{hint}"
        )
        found.append(Problem("warning", CONFIG_FILE, message, rule="section-unused"))
    return found


def _id_cases(documents: list[Document]) -> list[Problem]:
    """Documents whose id differs from another's only in case (the first met keeps it)."""
    first: dict[str, Document] = {}
    found = []
    for doc in documents:
        holder = first.setdefault(doc.id.casefold(), doc)
        if holder is not doc and holder.id != doc.id:
            message = (
                f"has the id {doc.id!r}, which differs from {holder.latest.path}'s "
                f"{holder.id!r} only in case: one address to a file system that ignores case "
                "(a static copy on Windows or a Mac, or a checkout there); give it another id"
            )
            found.append(Problem("warning", doc.latest.path, message, rule="id-case"))
    return found
