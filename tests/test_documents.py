"""Front matter parsing (SPEC §2), a pure function tested by a table."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.config import Config
from tracker.history.documents import parse_document, path_id


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("---\nid: a/b-c\n---\n", "id", "a/b-c"),
        ("---\ntitle: Given\n---\n# Heading\n", "title", "Given"),
        ("# Heading ##\n", "title", "Heading"),
        ("---\ntype: guidance\n---\n", "type", "guidance"),
        ("---\nsection: Core\n---\n", "section", "Core"),
        ("---\norder: 3\n---\n", "order", 3.0),
        ("---\nowner: Team\n---\n", "owner", "Team"),
        ("---\nreview_due: 2025-01-31\n---\n", "review_due", date(2025, 1, 31)),
        ("---\nstatus: archived\n---\n", "status", "archived"),
        ("no front matter\n", "status", "live"),
        ("---\n---\n# Empty front matter\n", "title", "Empty front matter"),
        ("\ufeff---\nid: bom\n---\n", "id", "bom"),
        ("---\r\nid: crlf\r\n---\r\n", "id", "crlf"),
    ],
)
def test_fields(text: str, field: str, value: object):
    meta = parse_document(text.encode())
    assert getattr(meta, field) == value
    assert meta.problems == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("---\nid: ../etc\n---\n", "'id' '../etc' must be words of letters, digits"),
        ("---\nid: 'has space'\n---\n", "must be words"),
        ("---\ntitle: A\n# A\n", "no closing '---' line"),
        ("---\nreview_due: 2024-02-30\n---\n", "impossible date ('review_due')"),
        ("---\ntype: policy\n---\n", "'type' must be one of"),
        ("---\nstatus: draft\n---\n", "'status' must be one of"),
        ("---\norder: true\n---\n", "'order' must be a number"),
        ("---\nreview_due: soon\n---\n", "'review_due' must be a date"),
        ("---\n- a list\n---\n", "not a set of 'key: value' lines"),
        ("---\ntitle: [x\n---\n", "not valid YAML"),
        ("---\ntitle: {a: 1}\n---\n", "'title' must be text"),
    ],
)
def test_problems(text: str, problem: str):
    meta = parse_document(text.encode())
    assert any(problem in found for found in meta.problems), meta.problems


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "missing object"),
        (b"# Caf\xe9\n", "not UTF-8 text (line 1)"),
        (b"# A\n\n\x00\x01", "binary"),
        (b"# A\n" + b"x" * 2_000_001, "larger than 2 MB"),
    ],
)
def test_a_file_that_cannot_be_published_says_why(data: bytes | None, reason: str):
    meta = parse_document(data)
    assert meta.unreadable is not None and reason in meta.unreadable
    assert meta.problems == (meta.unreadable,)


def test_a_byte_order_mark_and_crlf_line_ends_are_read_as_text():
    meta = parse_document("\ufeff---\r\ntitle: Windows\r\n---\r\n\r\n# Heading\r\n".encode())
    assert (meta.title, meta.problems, meta.unreadable, meta.broken) == ("Windows", (), None, False)


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("---\ntitle: [x\n---\n# A\n", True),
        ("---\n- a list\n---\n# A\n", True),
        ("---\nreview_due: 2024-02-30\n---\n# A\n", True),
        ("---\ntitle: A\n\n# A\n", True),  # no closing line
        ("---\ntitle: A\nstatus: draft\n---\n# A\n", False),  # one bad value, the rest read
        ("---\ncolour: red\n---\n# A\n", False),
    ],
)
def test_front_matter_that_cannot_be_read_as_a_whole_is_broken(text: str, broken: bool):
    assert parse_document(text.encode()).broken is broken


def test_links_found_are_relative_markdown_only():
    meta = parse_document(b"[a](a.md) [b](../b.md#x) [c](https://x/c.md) [d](/d.md) [e](e.pdf)")
    assert meta.links == ("a.md", "../b.md#x")  # the heading linked to is checked too


@pytest.mark.parametrize(
    ("path", "is_document"),
    [
        ("a.md", True),
        ("x/y/a.md", True),
        ("README.md", False),
        ("x/README.md", False),
        ("_drafts/a.md", False),
        ("x/_a.md", False),
        ("a.txt", False),
    ],
)
def test_which_files_are_documents(path: str, is_document: bool):
    assert Config().is_document(path) is is_document


def test_path_id():
    assert path_id("section/chapter.md") == "section/chapter"
