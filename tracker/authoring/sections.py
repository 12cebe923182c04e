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
from collections.abc import Iterable, Sequence

from tracker.authoring.lines import Lines
from tracker.config import CONFIG_FILE
from tracker.history.model import Document, Problem
from tracker.history.snapshot import Snapshot


def name_problems(snapshot: Snapshot, lines: Lines | None = None) -> list[Problem]:
    """The findings about sections and ids (rules ``section-spelling``, ``section-unused`` and
    ``id-case``), on the lines of the front matter's ``section`` and ``id`` (``lines``).
    Spellings are of the documents on the contents (live ones); a section is used by any
    document the manual still has (an archived one's orders the withdrawn list); ids are those
    of the documents the manual has (``_id_cases``)."""
    lines = lines or Lines(None)
    kept = [doc for doc in snapshot.documents if not doc.latest.deleted]
    live = [doc for doc in kept if not doc.latest.withdrawn]
    return [
        *_spellings(live, snapshot.config.sections, lines),
        *_unused(kept, snapshot.config.sections),
        *_id_cases(snapshot.documents, lines),
    ]


def folded(name: str) -> str:
    """A name as a reader sees it: case and every kind of space (a non-breaking one, a tab,
    two) set aside."""
    return " ".join(name.split()).casefold()


def spelling(section: str, configured: tuple[str, ...], used: Sequence[str]) -> str:
    """The spelling of a section to keep among those differing only in case or spaces: the one
    ``manual.toml``'s ``sections`` lists where a document uses it, else the one most documents
    use (``used``: each document's, the first committed first; of as many, the first), else
    the one ``sections`` lists (a section no document has yet), else ``section`` itself. (A
    ``sections`` entry no document uses is ``section-unused``'s to say: a misspelling there
    must not set the documents' spelling; exploratory testing.)"""
    same = [name for name in used if folded(name) == folded(section)]
    listed = [name for name in configured if folded(name) == folded(section)]
    if not same:
        return listed[0] if listed else section
    counts = Counter(same)
    return next((name for name in listed if name in counts), None) or max(
        counts, key=lambda name: (counts[name], -same.index(name))
    )


def _spellings(
    documents: list[Document], configured: tuple[str, ...], lines: Lines
) -> list[Problem]:
    """Documents whose section is another's but for case or spaces: the contents list them
    apart (the spelling kept: ``spelling``)."""
    used = [doc.latest.meta.section for doc in established(documents) if doc.latest.meta.section]
    variants = Counter(folded(name) for name in set(used))
    found = []
    for doc in documents:
        section = doc.latest.meta.section
        if not section or variants[folded(section)] < 2:
            continue
        kept = spelling(section, configured, used)
        if section != kept:
            odd = next((c for c in section if c.isspace() and c != " "), "")
            held = f" (it holds U+{ord(odd):04X}, a space a word processor types)" if odd else ""
            message = (
                f"has the section {section!r}{held}, which differs from {kept!r} only in case or "
                "spaces, so the contents list them as two sections; write it as "
                f"{kept!r}"
            )
            line = lines.key(doc.latest, "section")
            found.append(
                Problem("warning", doc.latest.path, message, rule="section-spelling", line=line)
            )
    return found


def established(documents: Iterable[Document]) -> list[Document]:
    """The documents, the first committed first."""
    return sorted(documents, key=lambda doc: doc.versions[0].committed)


def _unused(documents: list[Document], configured: tuple[str, ...]) -> list[Problem]:
    """Names in ``manual.toml``'s ``sections`` that no document the manual has has: a
    misspelling orders nothing, and its section goes after the listed ones."""
    used = [doc.latest.meta.section for doc in established(documents) if doc.latest.meta.section]
    sections = set(used)
    found = []
    for name in dict.fromkeys(configured):
        if name in sections:
            continue
        kept = spelling(name, (), used)  # (of those only case or spaces apart, check's choice)
        near = (
            kept
            if kept != name
            else next(
                iter(difflib.get_close_matches(name, sorted(sections), n=1, cutoff=0.8)), None
            )
        )
        hint = f"; did you mean {near!r}?" if near else " (a section no longer used?)"
        message = (
            f"names the section {name!r} in 'sections', which no chapter has, so it orders "
            f"nothing{hint}"
        )
        found.append(Problem("warning", CONFIG_FILE, message, rule="section-unused"))
    return found


_CLASH = (
    "one address to a file system that ignores case (a static copy on Windows or a Mac, or a "
    "checkout there)"
)


def _id_cases(every: Iterable[Document], lines: Lines) -> list[Problem]:
    """Documents the manual has whose id differs only in case from another's it has, said of
    the newcomer. Deleted documents' ids and former ids are left out: each change of id leaves
    one, so no change of ids now could clear such a finding (``tracker new`` refuses a new id
    beside them; a static copy writes no former id's redirect only case apart from a page,
    ``web/moved.py``: a file renamed to change the case of its name is no finding)."""
    documents = list(every)
    # (the later: first committed later, the newcomer, not the chapter readers know; review)
    first = {doc.key: (doc.versions[0].committed, at) for at, doc in enumerate(documents)}
    holders: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        if not doc.latest.deleted:
            holders[doc.id.casefold()].append(doc)
    found = []
    for doc in documents:
        others = [other for other in holders[doc.id.casefold()]
                  if other.id != doc.id and first[other.key] < first[doc.key]]  # fmt: skip
        if doc.latest.deleted or not others:
            continue
        message = (
            f"has the id {doc.id!r}, which differs from {others[0].latest.path}'s "
            f"{others[0].id!r} only in case: {_CLASH}; give it another id"
        )
        line = lines.key(doc.latest, "id")  # (none: the id is the file's name)
        found.append(Problem("warning", doc.latest.path, message, rule="id-case", line=line))
    return found
