"""``tracker check`` reads each text once and passes over, at once, a text no rule could find
anything in (on a manual of 300 chapters its rules over the chapters' bodies took most of a
second). Each quick pass is held here to the whole reading it stands in for."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import pytest
from conftest import ManualRepo
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracker.authoring import conflicts, footnotes, lists
from tracker.errors import RepositoryError
from tracker.publish import plain

# Texts made of the characters the rules look at, in lines: list marks, quotations, tabs,
# fences, tags, footnotes' and conflict markers' characters, and words.
PIECES = [
    *(" ", "  ", "   ", "    ", "\t", ">", "> ", " > ", "-", "*", "+", "1.", "12.", "1)"),
    *("x", "words", "```", "~~~", "<div>", "<!--", "-->", "<", ">", "[^1]:", "[^", "]"),
    *("<<<<<<<", "=======", ">>>>>>>", "|||||||", " HEAD", "_", "`", "~", "[", "\r", "#"),
]
lines = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
# Lists, perhaps in a quotation: each line the quotation's marks, an indent, a mark, a space and
# words (so that items are often nested, and some of them not as deep on the page).
item = st.tuples(
    st.sampled_from(["", " ", "  ", "   ", "    ", "\t", " \t", "\t\t", "      "]),
    st.sampled_from(["-", "*", "+", "1.", "100.", "1)", "- - -", "x", ""]),
    st.sampled_from(["", " ", "\t", "  ", "\r"]),
    st.sampled_from(["", "a", "b c"]),
).map("".join)
quoted_list = st.builds(
    lambda marks, items: "\n".join(marks + line for line in items),
    st.sampled_from(["", "", ">", "> ", " >", ">>", "> > ", ">\t"]),
    st.lists(item, min_size=1, max_size=5),
)
bodies = st.lists(st.one_of(lines, quoted_list), max_size=8).map("\n".join)


def _read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """``flattened`` with its quick pass left out: every text read line by line."""
    monkeypatch.setattr(lists, "_MAY_NEST", re.compile(""))


@settings(max_examples=1000, deadline=None)
@given(bodies)
@example("> \t- a\n>  - b")
@example("\t1. a\n\t 2. b")
@example("- a\n  - b")
@example("> - a\n>\t- b")
@example("x\n> - a\n>   - b")
@example("- a\n  100. b")
@example("- a\n  -\tb")
def test_a_list_passed_over_has_no_item_said(body: str):
    quick = list(lists.flattened(body))
    with pytest.MonkeyPatch.context() as patch:
        _read_whole(patch)
        whole = list(lists.flattened(body))
    assert quick == whole


def test_the_quick_pass_can_find_a_nested_item():
    """(The test above can fail: an item said is found by both.)"""
    assert list(lists.flattened("- a\n  - b")) == [(2, 2, 0)]
    assert list(lists.flattened("- a\n\n> - b\n>   - c")) == [(4, 2, 0)]


@settings(max_examples=1000, deadline=None)
@given(bodies)
def test_footnotes_and_conflict_markers_passed_over_are_none(body: str):
    """Read whole, line by line, as before the quick passes."""
    notes = [
        (number, found.group(1))
        for number, line in lists.quoted_prose(body)
        if (found := footnotes._NOTE.match(line)) is not None
    ]
    assert list(footnotes.footnotes(body)) == notes
    markers = [
        (number, line.rstrip())
        for number, line, text in lists.prose_lines(body)
        if text and conflicts._MARKER.match(line) is not None
    ]
    assert list(conflicts.markers(body)) == markers


def _nests_deep_read_whole(body: str) -> bool:
    """``might_nest_deep`` as it read every line's start and every paragraph."""
    starts = re.finditer(r"^[ \t>*+\-0-9.)]*", body, re.M)
    if any(len(found.group()) >= plain.DEEP_START for found in starts):
        return True
    parts = plain._PARAGRAPHS.split(body)
    return any(len(plain._MARKS.findall(part)) >= plain.DEEP_MARKS for part in parts)


def _unclosed_read_whole(body: str) -> str | None:
    """``unclosed_reason`` as it weighed every '<' of every text."""
    closes = [found.start() for found in re.finditer(">", body)]
    cost = count = 0
    for found in plain._TAG_OPEN.finditer(body):
        after = bisect.bisect(closes, found.start())
        count += after == len(closes)
        cost += (closes[after] if after < len(closes) else len(body)) - found.start()
    if cost <= plain.COSTLIEST + plain.PER_CHARACTER * len(body):
        return None
    return f"it has {count or 'many'} '<' that open an HTML tag and are never closed by '>', " + (
        "which take too long to read"
    )


deep = st.builds(
    lambda before, start, marks, after: before + start + marks + after,
    st.text(alphabet=" x\n>", max_size=20),
    st.text(alphabet=" \t>*+-0.)1", min_size=50, max_size=70),
    st.text(alphabet="*_[<`~x \n", min_size=0, max_size=400),
    st.text(alphabet="x\n ", max_size=20),
)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(bodies, deep))
@example(" " * plain.DEEP_START)
@example("x\n" + "> " * 30)
@example("*" * plain.DEEP_MARKS)
@example("*" * 100 + "\n\n" + "*" * 100)
def test_the_quick_reading_of_deep_nesting_is_the_whole_one(body: str):
    assert plain.might_nest_deep(body) == _nests_deep_read_whole(body)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=3000),
    st.integers(min_value=0, max_value=40_000),
    st.integers(min_value=0, max_value=2000),
)
@example(1000, 1000, 0)
@example(2000, 0, 10)
def test_the_quick_weighing_of_unclosed_tags_is_the_whole_one(opens: int, text: int, closes: int):
    body = "<a " * opens + "x" * text + ">" * closes
    assert plain.unclosed_reason(body) == _unclosed_read_whole(body)
    assert plain.unclosed_reason(body[::-1]) == _unclosed_read_whole(body[::-1])


def test_the_quick_weighing_can_say_a_text_is_too_costly():
    """(The test above can fail: a text of many '<' never closed is said.)"""
    assert plain.unclosed_reason("<a " * 3000) is not None


def test_texts_remembered_are_the_texts_read_one_by_one(repo: ManualRepo):
    repo.commit({"a.md": "---\ntitle: A\n---\nFirst.\n", "b.md": "# B\n\n\u00e9 and \xff.\n"})
    repo.commit(
        {"a.md": "---\ntitle: A\n---\nSecond.\n", "b.md": None}, when="2024-02-02T10:00:00+00:00"
    )
    manual = repo.open()
    documents = manual.snapshot().documents
    versions = [version for doc in documents for version in doc.versions]
    text = manual.texts.remembering(doc.latest for doc in documents)
    assert [text(v) for v in versions] == [manual.texts.of(v) for v in versions]
    assert "" in [text(v) for v in versions]  # (the deletion's)
    assert len({text(v) for v in versions}) == 4


def test_a_text_git_lacks_is_said_as_it_was(repo: ManualRepo):
    """A blob git lacks is not taken for an empty text: asked for, it is an error, as before."""
    repo.commit({"a.md": "---\ntitle: A\n---\nFirst.\n"})
    manual = repo.open()
    version = manual.snapshot().documents[0].latest
    assert version.blob is not None
    Path(repo.path, ".git", "objects", version.blob[:2], version.blob[2:]).unlink()
    text = manual.texts.remembering([version])
    with pytest.raises(RepositoryError, match="missing the object"):
        text(version)
