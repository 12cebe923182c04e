"""How a heading's id is made, where our reading of the text must agree with the page
(``documents.heading_ids`` for ``tracker check``, the diff's headings, the page's own ids): the
words' slug, which headings' words the page shows as written, and how a repeated id is
numbered. Pure functions, linear on hostile text."""

from __future__ import annotations

import re
import unicodedata

_UNDERSCORES = re.compile(r"_+")
_NUMBERED = re.compile(r"(.*)_([0-9]+)")  # an id ending _N: a repeat counts on from N
_NOT_WORD = re.compile(r"[^\w\s-]")
_NOT_WORDS = re.compile(r"[^\w\s-]+")
_SEPARATED = re.compile(r"[-\s]+")
_SPELLED = re.compile(r"[A-Za-z0-9]")  # a letter or digit of an ASCII id
# What may make the words a page shows of a heading other than its words as written, but for
# asterisks: a code span's backtick, a run of underscores not between two letters or digits
# (its first after another character, or its last before one), a link's or image's '[', a
# tag's '<' (or an address's, <https://...>), an escape's backslash, a character reference
# (a number's without its ';' too: "&#1" is read as one before the page's Markdown is).
_UNSETTLED = re.compile(r"[`\[<\\]|(?<!\w)_|_(?!\w)|&(?:#|[0-9a-z]+;)", re.I)


def heading_slug(words: str) -> str:
    """A heading's id, without the page's prefix, from its words as the page reads them: the
    ASCII one (``slugify``) wherever it holds a letter or digit, so that every id published
    before headings of other scripts had any stays (accents dropped, "Section 47 Ορισμοί" is
    ``section-47``); else, where the words have no letter of the Latin alphabet or digit (Greek,
    Urdu, Bengali, Chinese), the words themselves (``unicode_slug``)."""
    ident = slugify(words)
    return ident if spelled(ident) else unicode_slug(words)


def spelled(ident: str) -> bool:
    """Whether an ASCII id (``slugify``'s) holds a letter or digit: if not, the words are
    slugged as they are written (``unicode_slug``). The page decides so too."""
    return _SPELLED.search(ident) is not None


def slugify(value: str) -> str:
    """Python-Markdown's ``toc.slugify(value, "-")`` (the pages' own), written out here so that
    reading a new commit's headings does not load Python-Markdown (0.1 s); a test checks that
    the two agree."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return _SEPARATED.sub("-", _NOT_WORD.sub("", value).strip().lower())


def unicode_slug(value: str) -> str:
    """Python-Markdown's ``toc.slugify_unicode(value, "-")``, but for the marks it drops: in
    Bengali, Devanagari and other scripts of India the vowel signs and the virama are marks
    (it makes "সংজ্ঞা" "সজঞ", a word no author would write in a link), as are Arabic's short
    vowels and an accent written apart from its letter. Letters, digits, marks, '_' and '-'
    are kept, each run of spaces and '-' becomes one '-', and the rest is lower case."""
    value = _NOT_WORDS.sub(_marks_of, value).strip().lower()
    return _SEPARATED.sub("-", value)


def _marks_of(found: re.Match[str]) -> str:
    return "".join(char for char in found.group() if unicodedata.category(char)[0] == "M")


def unique(ident: str, taken: set[str], counted: dict[str, int]) -> str:
    """``ident``, or, when a heading before it has it, the next free ``_1``, ``_2`` (counting
    on from N for one that ends ``_N``), added to ``taken``: Python-Markdown's ``toc.unique``,
    which walks from 1 for every repeat. ``counted`` holds, for numbers found taken, where a
    walk past them may go on from (ids are only ever added, so a number taken stays taken),
    shortened as they are walked: thousands of repeated headings cost little more than one."""
    if ident in taken:
        numbered = _NUMBERED.fullmatch(ident)
        stem, number = (numbered[1], int(numbered[2]) + 1) if numbered else (ident, 1)
        walked = []
        while f"{stem}_{number}" in taken:
            walked.append(number)
            number = counted.get(f"{number}:{stem}", number + 1)
        for passed in walked:
            counted[f"{passed}:{stem}"] = number
        ident = f"{stem}_{number}"
    taken.add(ident)
    return ident


def plainly_shown(words: str) -> bool:
    """Whether the page shows a heading's words as written, but for its asterisks, as it
    shows most headings': no code span (which shows its words without the spaces around
    them, and its underscores as written), link, tag, escape or character reference, and
    each run of underscores between two letters or digits ("Step_1"), which Python-Markdown
    never reads as emphasis. Asterisks may be anywhere: those shown and those read as
    emphasis alike are no part of an id, and with no underscore that emphasis could take,
    they change nothing else. Any other heading's words are the page's to give
    (``shownwords``)."""
    return _UNSETTLED.search(words) is None


def emphasis_out(text: str) -> str:
    """The text without the underscores that make emphasis, by a plain rule, for the words of a
    heading Python-Markdown does not read (past ``shownwords``' bounds): a run that opens
    (after a non-word character, before a word's) paired with the next run of its length that
    closes (before a non-word character); one inside a word ("Step_1") or unpaired
    ("snake_case_") is shown. Python-Markdown's own pairing differs for some runs ("_-x_",
    "_a__"). One pass, the open runs kept on a stack."""
    if "_" not in text:
        return text
    dropped: list[re.Match[str]] = []
    opened: list[re.Match[str]] = []
    for run in _UNDERSCORES.finditer(text):
        before = text[run.start() - 1] if run.start() else " "
        after = text[run.end()] if run.end() < len(text) else " "
        if not _word(after) and not before.isspace():
            while opened and len(opened[-1][0]) != len(run[0]):
                opened.pop()  # (an opener of another length is left unclosed)
            if opened:
                dropped += (opened.pop(), run)
                continue
        if not _word(before) and _word(after):
            opened.append(run)
    kept, at = [], 0
    for run in sorted(dropped, key=lambda found: found.start()):
        kept.append(text[at : run.start()])
        at = run.end()
    return "".join(kept) + text[at:]


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"
