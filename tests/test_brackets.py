"""Links' brackets matched in linear time (tracker/history/brackets.py): every converter the
tracker makes answers as Python-Markdown's own does, without its minutes on a paragraph of
unclosed brackets (SPEC §9: one malformed chapter never takes the site down)."""

from __future__ import annotations

import os
import time
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.history.brackets import Brackets, partners
from tracker.history.shownwords import shown_words
from tracker.publish.chapter import EXTENSIONS, render_chapter
from tracker.trackchanges.blocks import parse_blocks

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
# Pieces of link-like text: brackets, parentheses, quotes, angle brackets, images, escapes,
# code, spaces and line ends, and a reference's definition so that references resolve.
PIECES = st.sampled_from(
    ["[", "]", "(", ")", "'", '"', "<", ">", "!", "\\", "`", " ", "\n", "a", "b.md", "x y",
     "[a]", "[a](b.md)", '[a](b.md "t")', "(c)", "[r]", "[r][]", "\n\n", "*"]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=40).map("".join)
# An address and what follows it: parentheses, quotation marks of both kinds, spaces.
ADDRESSES = st.text(alphabet="()'\" ab\\\n\t<>[]", max_size=30).map(lambda text: "[a](" + text)
DEFINITION = "\n\n[r]: r.md\n[a]: a.md 'A'\n"


def _library(text: str) -> str:
    return markdown.Markdown(extensions=EXTENSIONS).convert(text)


def _ours(text: str) -> str:
    return markdown.Markdown(extensions=[*EXTENSIONS, Brackets()]).convert(text)


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(st.one_of(TEXTS, ADDRESSES), st.booleans())
def test_the_same_html_as_the_librarys_own(text: str, defined: bool) -> None:
    text += DEFINITION if defined else ""
    assert _ours(text) == _library(text)


@pytest.mark.parametrize(
    "text",
    [
        "[a](b.md) [c](d.md 'title') ![i](p.png) [r] [r][] [x][r]" + DEFINITION,
        "[a [b] c](d.md) [[nested]](e.md) [a](b(c).md) [a](<b c.md>)",
        '[a](b.md "title (with) brackets") [a](b.md "unclosed',
        "[a](" * 3 + ")",
        "[a]" + "(" * 5 + ")" * 3,
        "\\[a](b.md) [a\\](b.md) `[a](b.md)` [a](b\\).md)",
    ],
)
def test_links_as_the_library_reads_them(text: str) -> None:
    assert _ours(text) == _library(text)


def test_partners() -> None:
    assert partners("[a [b] [c") == {3: 6}
    assert partners("][[]]") == {1: 5, 2: 4}
    assert partners("(a (b) c)", "(") == {0: 9, 3: 6}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20_000,
        "x [a] [b [c] " * 3_000,
        "[a](" * 5_000 + ")",
        "[" * 3_000 + "]" * 3_000,
        "[a](x 'y) " * 3_000,
        "[a]((" * 3_000 + '"',
        '[a](o\'brien.md) [b](a "t" ) ' * 1_500,
    ],
    ids=["unclosed", "some-closed", "addresses", "nested", "apostrophes", "deep", "titles"],
)
def test_every_converter_reads_a_paragraph_of_brackets_in_moments(text: str) -> None:
    """Each took Python-Markdown 2 to 67 s; the bound is generous for a slow shared machine,
    and far below what the library takes (the first case alone over a minute)."""
    started = time.process_time()
    render_chapter(text, "a.md", lambda *_: None)
    parse_blocks(text)
    shown_words(text)
    assert time.process_time() - started < 1.5


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(st.one_of(TEXTS, ADDRESSES), st.data())
def test_each_pattern_answers_as_the_librarys_at_any_index(text: str, data: st.DataObject) -> None:
    """getText and getLink asked directly, at any index (a "[" before it or not), by the
    patterns that call them: the library's answer."""
    ours = markdown.Markdown(extensions=[*EXTENSIONS, Brackets()])
    library = markdown.Markdown(extensions=EXTENSIONS)
    ours.convert("x"), library.convert("x")  # (what the patterns keep while converting is made)
    index = data.draw(st.one_of(st.just(min(3, len(text))), st.integers(0, len(text))))
    for name in ("link", "image_link", "reference", "short_reference", "short_image_ref"):
        mine: Any = ours.inlinePatterns[name]
        theirs: Any = library.inlinePatterns[name]
        assert mine.getText(text, index) == theirs.getText(text, index)
        if name in ("link", "image_link"):  # (the others read no address in parentheses)
            assert mine.getLink(text, index) == theirs.getLink(text, index)
