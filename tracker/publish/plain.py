"""A chapter the website shows as written, its formatting unread, and why.

Python-Markdown cannot read every text a file can hold (adversarial testing of content):

- marks nested past what Python's stack holds (a list nested 260 deep, a word inside 1,000
  pairs of ``*``) raise RecursionError part-way through, which had made the chapter's page,
  every search and ``tracker build`` fail;
- each ``<`` that could begin an HTML tag is read on to the next ``>``, so thousands never
  closed take time that grows with their number times the text's length (10,000 took 16 s, a
  page's worth of time for every reader and every worker).

Such a chapter is shown as written instead, its paragraphs and lines kept, under a warning
that says why, and ``tracker check`` says the same (rule ``shown-plain``). Deep nesting is
found by converting; ``might_nest_deep`` first passes over any text that cannot be nested so
deep (a test tries each kind of nesting to the depth that fails), so that ``check`` converts
almost no chapter.
"""

from __future__ import annotations

import bisect
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from html import escape
from typing import TypeVar

T = TypeVar("T")

NESTED = "its lists, quotations, emphasis or links are nested deeper than the website can read"
# Characters Python-Markdown's HTML reader may read past for '<' never closed; 10,000 '<b '
# lines (about 80 KB, over 300 million) took 16 s; a chapter whose tags are closed, well under
# a million. A long chapter may read past ten times its length more (each stray '<' reads on to
# its end: three in a 1 MB chapter add 0.2 s to the 0.3 s it takes; a hundred, 5 s).
COSTLIEST = 3_000_000
PER_CHARACTER = 10
_TAG_OPEN = re.compile(r"<[A-Za-z/!?]")
# Block nesting needs a line that begins with as many marks or spaces (a list item nested 60
# deep is indented 240 spaces; '>' is one a quotation); inline nesting, as many marks in a
# paragraph. Python's stack held a list nested 200 deep, a quotation 330, 500 pairs of '*'.
DEEP_START = 60
DEEP_MARKS = 150
# A line so begun: the first (by ``match``) or one after a line break (a literal start lets the
# regular expression engine skip to each: ``^`` with ``re.M`` tries every character).
_DEEP_START = re.compile(rf"[ \t>*+\-0-9.)]{{{DEEP_START}}}")
_DEEP_LINE = re.compile(rf"\n[ \t>*+\-0-9.)]{{{DEEP_START}}}")
_MARK_CHARACTERS = "*_[<`~"
_MARKS = re.compile(r"[*_\[<`~]")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
# Python-Markdown calls itself for each mark inside another, so how deep a text it can read
# depends on how deep the stack already is where it is called: a page, a static copy and
# check would disagree at the edge. It is called in threads of this module's own instead, each
# started the same (a few: conversions run at once, each holding the GIL in turn).
THREADS = 4
_POOL: tuple[int, ThreadPoolExecutor] | None = None  # (its process: a fork has no threads)
_POOL_LOCK = threading.Lock()


_IN_POOL = threading.local()


def _in_pool() -> None:
    _IN_POOL.set = True


def at_set_depth(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` called at the same depth of the stack wherever it is called from.
    Called from within such a call, it is called there and then: waiting for another of the
    pool's threads could wait for ever, each of them waiting in turn."""
    global _POOL
    if getattr(_IN_POOL, "set", False):
        return function(*args)
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            made = ThreadPoolExecutor(THREADS, thread_name_prefix="markdown", initializer=_in_pool)
            _POOL = (os.getpid(), made)
        pool = _POOL[1]
    return pool.submit(function, *args).result()


def unclosed_reason(body: str) -> str | None:
    """Why converting ``body`` would take too long (tags opened and never closed), or None."""
    bound = COSTLIEST + PER_CHARACTER * len(body)
    if len(_TAG_OPEN.findall(body)) * len(body) <= bound:
        return None  # (each '<' costs at most the text after it: most texts, at once)
    closes = [found.start() for found in re.finditer(">", body)]
    cost = 0
    count = 0
    for found in _TAG_OPEN.finditer(body):
        after = bisect.bisect(closes, found.start())
        if after == len(closes):
            count += 1
        cost += (closes[after] if after < len(closes) else len(body)) - found.start()
    if cost <= bound:
        return None
    return (
        f"it has {count or 'many'} '<' that open an HTML tag and are never closed by '>', "
        "which take too long to read"
    )


def might_nest_deep(body: str) -> bool:
    """False for a text whose marks cannot be nested as deep as Python-Markdown fails at."""
    if _DEEP_START.match(body) is not None or _DEEP_LINE.search(body) is not None:
        return True
    if sum(body.count(mark) for mark in _MARK_CHARACTERS) < DEEP_MARKS:
        return False  # (not as many in all: then in no paragraph either)
    return any(len(_MARKS.findall(part)) >= DEEP_MARKS for part in _PARAGRAPHS.split(body))


def as_written(body: str, reason: str) -> str:
    """``body`` as HTML that shows it as written (each paragraph, its lines kept), under a
    warning that says why, in GOV.UK's words and classes (the chapter's own HTML is sanitised:
    this is not, and holds nothing of the text unescaped)."""
    paragraphs = (part.strip("\n") for part in _PARAGRAPHS.split(body.strip("\n")))
    text = "".join(
        f"<p>{'<br>'.join(escape(line.strip()) for line in part.split(chr(10)))}</p>\n"
        for part in paragraphs
        if part.strip()
    )
    return (
        '<div class="govuk-warning-text">'
        '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>'
        '<strong class="govuk-warning-text__text">'
        '<span class="govuk-visually-hidden">Warning</span> '
        f"This chapter is shown as written, without its formatting: {escape(reason)}.</strong>"
        f"</div>\n{text}"
    )
