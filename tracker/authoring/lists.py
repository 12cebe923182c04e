"""List items that look nested where authors write and preview, but are not on the page.

GitHub, GitLab and most editors nest an item indented as far as the words of the item above it
(two spaces under ``- a``, three under ``1. a``). Python-Markdown, which makes the pages, nests
by four spaces (or a tab) only: an item indented two or three spaces is shown as one more item
of the same list, so "the child's details: full name, address" reads as five equal steps, and
an item moved out of such a sub-list shows no change in the track changes either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from tracker.history.documents import split_front_matter
from tracker.history.model import Level, Problem, Version
from tracker.history.snapshot import Snapshot

RULE = "list-indent"
TAB = 4  # Python-Markdown's tab_length: an item nests by this many spaces
DEEPEST = 20  # quotations within quotations read (a line of a thousand ">" stopped Python)
# A list item as Python-Markdown reads one: "-", "*" or "+", or a number and a full stop ("1)"
# makes no list there), then a space.
_ITEM = re.compile(r"( *)([-*+]|[0-9]{1,9}\.)(?: +|$)")
_FENCE = re.compile(r"(`{3,}|~{3,})")  # (fenced_code: at the very start of a line)
_RULE = re.compile(r" *(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$")  # ("* * *" is no item)
_BREAK = re.compile(r"#|>|(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$")  # (a heading, quote, rule)
_HTML = re.compile(r"<[A-Za-z!/?]")  # (a raw HTML block, or a comment, from its line's start)
QUOTE = re.compile(r" {0,3}> ?")  # (a quotation's line, its "> " taken off as the page does)
# A line that could be an item indented (in a quotation too): a line break, spaces, tabs or ">"
# then a space or tab before its mark. A text with none has no item ``flattened`` says (most,
# at once): such an item is inside one above it, so never on the first line. (A literal line
# break to start lets the regular expression engine skip to each; ``^`` tries every character.)
_MAY_NEST = re.compile(r"\n[ \t>]*[ \t](?:[-*+]|[0-9]{1,9}\.)(?:[ \t]|$)", re.M)


def prose_lines(body: str) -> Iterator[tuple[int, str, bool]]:
    """Each line of ``body`` (its number, counting from 1, and its text, tabs expanded), with
    whether it is the page's text: not code, raw HTML or a comment (nor the line that opens
    one, which ends a list)."""
    fence = ""
    html = False  # in a raw HTML block (to a blank line) or a comment (to its end)
    comment = False
    for number, line in enumerate(body.split("\n"), 1):
        line = line.expandtabs(TAB)
        if fence:
            fence = "" if line.rstrip(" ") == fence else fence
        elif comment or html:
            comment = comment and "-->" not in line
            html = html and bool(line.strip())
        elif (opening := _FENCE.match(line)) is not None:
            fence = opening.group(1)
        elif _HTML.match(line) is not None:
            comment = line.startswith("<!--") and "-->" not in line[4:]
            html = not line.startswith("<!--")  # (a comment ends at its "-->")
        else:
            yield number, line, True
            continue
        yield number, line, False


def by_quotation(body: str) -> Iterator[tuple[int, str, bool, str | None]]:
    """``prose_lines`` of ``body`` with each quotation given once, when it ends, as a body of
    its own without its "> ": (the number of the line before it, "", True, its text); other
    lines as (their number, their text, whether it is the page's text, None)."""
    lines = body.split("\n")
    quoted: list[str] = []  # the quotation's lines so far, as its own text
    for number, line, text in prose_lines(body):
        if text and (within := QUOTE.match(line)):
            quoted.append(line[within.end() :])
            if number < len(lines) and QUOTE.match(lines[number].expandtabs(TAB)):
                continue  # (read whole, at its last line)
            yield number - len(quoted), "", True, "\n".join(quoted)
            quoted = []
        else:
            yield number, line, text, None


def quoted_prose(body: str, depth: int = 0) -> Iterator[tuple[int, str]]:
    """Each line of ``body`` that is the page's text (``prose_lines``), a quotation's read as a
    body of its own without its "> " (code in a quotation is code there too), to ``DEEPEST``
    quotations within quotations: (its number, counting from 1, its text)."""
    for number, line, text, quoted in by_quotation(body):
        if quoted is not None:
            inner = quoted_prose(quoted, depth + 1) if depth < DEEPEST else ()
            yield from ((number + at, words) for at, words in inner)
        elif text:
            yield number, line


def flattened(body: str, depth: int = 0) -> Iterator[tuple[int, int, int]]:
    """The items of ``body`` an editor shows deeper in the list than the page does: (their
    line, counting from 1, their indent, the indent of the item an editor shows them in).

    An editor (CommonMark) puts an item inside each item above it whose words it is indented
    as far as; the page, ``indent // 4`` lists deep. Code, raw HTML and comments are passed
    over; a quotation's lines are read so, without their "> ", as a body of their own (to
    ``DEEPEST`` quotations within quotations: none nests so deep but to stop a reading).
    """
    if _MAY_NEST.search(body) is None:
        return
    holding: list[tuple[int, int]] = []  # the items it would be inside: indent, words' column
    after_blank = True
    for number, line, text, quoted in by_quotation(body):
        blank = not line.strip() and quoted is None
        if quoted is not None:
            within_it = flattened(quoted, depth + 1) if depth < DEEPEST else ()
            yield from ((number + at, indent, parent) for at, indent, parent in within_it)
            holding = []  # (a quotation ends a list, as a heading does)
        elif not text:
            holding = []  # (code, raw HTML or a comment: a list ends there)
        elif not blank:
            yield from _item(line, number, holding, after_blank)
        after_blank = blank


def _item(
    line: str, number: int, holding: list[tuple[int, int]], after_blank: bool
) -> Iterator[tuple[int, int, int]]:
    """One line's part: an item inside the items ``holding`` (which it updates) said if the
    page shows it less deep; a line of text of its own ends the list, a line just under an
    item's words (not after a blank line) goes on with them, as an indented line does."""
    item = None if _RULE.match(line) else _ITEM.match(line)
    if item is None:
        if not line.startswith(" ") and (after_blank or _BREAK.match(line)):
            holding.clear()  # a paragraph, heading or table of its own: the list has ended
        return
    indent = len(item.group(1))
    while holding and indent < holding[-1][1]:
        holding.pop()
    if len(holding) > indent // TAB:
        yield number, indent, holding[-1][0]
    holding.append((indent, indent + len(item.group(2)) + 1))


def list_problems(snapshot: Snapshot, source: Callable[[Version], str]) -> list[Problem]:
    """A warning for each such item in the text of each document in force or to come."""

    def said(body: str) -> Iterator[tuple[int, str]]:
        for number, indent, parent in flattened(body):
            yield (
                number,
                (
                    f"a list item indented {indent} spaces, inside the item above it (indented "
                    f"{parent}) in an editor's preview, is shown on the page as an item of an "
                    f"outer list; indent it {parent // TAB * TAB + TAB} spaces to nest it"
                ),
            )

    return body_problems(snapshot, source, RULE, said)


def body_problems(
    snapshot: Snapshot,
    source: Callable[[Version], str],
    rule: str,
    said: Callable[[str], Iterable[tuple[int, str]]],
    level: Level = "warning",
) -> list[Problem]:
    """A warning (or ``level``) for each (line, message) ``said`` finds in the body of the text
    of each document in force or to come, on its line of the file (its front matter counted)."""
    found = []
    for doc in snapshot.documents:
        version = doc.latest
        if version.withdrawn or not version.blob:
            continue
        text = source(version)
        front, body = split_front_matter(text)
        before = 0 if front is None else text[: len(text) - len(body)].count("\n")
        for number, message in said(body):
            found.append(Problem(level, version.path, message, rule=rule, line=before + number))
    return found
