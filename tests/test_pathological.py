"""Chapters Python-Markdown cannot read (adversarial testing of content): marks nested past
what Python's stack holds, and thousands of '<' never closed. Each is shown as written under a
warning that says why, on its page and in a static copy, every other page and search still
answer, and ``tracker check`` says so (rule shown-plain)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient

from tracker.cli import main
from tracker.manual import open_manual
from tracker.publish import chapter
from tracker.publish.chapter import render_chapter, shown_plain
from tracker.publish.plain import THREADS, at_set_depth, might_nest_deep
from web.app import create_app

# Each kind of nesting Python-Markdown follows by calling itself, at a depth n.
NESTINGS: dict[str, Callable[[int], str]] = {
    "list by indent": lambda n: "".join("    " * i + "- item\n" for i in range(n)),
    "list on a line": lambda n: "- " * n + "item\n",
    "numbered on a line": lambda n: "1. " * n + "item\n",
    "quoted lists": lambda n: "> - " * n + "item\n",
    "stars": lambda n: "*" * n + "word" + "*" * n,
    "underscores": lambda n: "_" * n + "word" + "_" * n,
    "emphasis apart": lambda n: "*a " * n + "b" + " c*" * n,
    "strong apart": lambda n: "**a " * n + "b" + " c**" * n,
    "list in emphasis": lambda n: "".join("    " * i + "- *a\n" for i in range(n)),
}
DEPTHS = [100, 200, 300, 500, 1000, 2000]
DEEP_LIST = "".join("    " * i + "- item <script>x</script>\n" for i in range(300))
UNCLOSED = "<b x\n" * 10_000
TITLE = "This chapter is shown as written, without its formatting"


def _failing(body: str) -> bool:
    """Python-Markdown cannot read it (converting, not asking might_nest_deep)."""
    return at_set_depth(chapter._markdown, body) is None


@pytest.mark.parametrize("kind", NESTINGS)
def test_only_text_that_might_nest_deep_is_converted_to_find_out(kind: str):
    """might_nest_deep passes over a text only where converting it would not fail: it says
    so at the least depth of each kind that fails (so check converts only the few that
    could), and at any greater depth, its marks being more."""
    nesting = NESTINGS[kind]
    read, failed = 0, next((n for n in DEPTHS if _failing(nesting(n))), None)
    if failed is None:
        assert kind == "quoted lists", f"{kind} never failed: the test tries no longer what it did"
        return
    read = max([n for n in DEPTHS if n < failed], default=0)
    while failed - read > 1:  # the least depth that fails
        middle = (read + failed) // 2
        read, failed = (read, middle) if _failing(nesting(middle)) else (middle, failed)
    assert might_nest_deep(nesting(failed))
    assert not might_nest_deep(nesting(10))  # (the test can fail)


def test_no_chapter_of_the_demo_manual_might_nest_deep():
    chapters = Path(__file__).parent.parent / "procedures"
    texts = [path.read_text(encoding="utf-8") for path in chapters.rglob("*.md")]
    assert texts and not any(might_nest_deep(text) for text in texts)


@pytest.mark.parametrize("body", [DEEP_LIST, "*" * 2000 + "word" + "*" * 2000, UNCLOSED])
def test_a_chapter_python_markdown_cannot_read_is_shown_as_written(body: str):
    html = render_chapter(f"# T\n\n{body}\n\nLast words.\n", "a.md", lambda *_: "/x")
    assert TITLE in html
    assert "<p>Last words.</p>" in html  # (its paragraphs kept)
    assert "<script>" not in html and "<b x" not in html  # (escaped)


def test_a_chapter_read_after_one_too_deep_keeps_its_paragraphs():
    """Python-Markdown stopped part-way by RecursionError keeps its parser's state (inside a
    list): every chapter converted after it, on that thread, lost its paragraphs."""
    for _ in range(2 * THREADS):  # (whichever thread converts next)
        render_chapter(f"# T\n\n{DEEP_LIST}", "a.md", lambda *_: "/x")
        html = render_chapter("# T\n\nFirst.\n\nSecond.\n", "b.md", lambda *_: "/x")
        assert "<p>First.</p>" in html and "<p>Second.</p>" in html


def test_a_call_at_set_depth_from_within_one_is_made_there():
    """Each of the pool's threads waiting for another to convert would wait for ever."""

    def nested(depth: int) -> int:
        return depth if depth > 3 * THREADS else at_set_depth(nested, depth + 1)

    got: list[int] = []
    waiting = threading.Thread(target=lambda: got.append(at_set_depth(nested, 0)), daemon=True)
    waiting.start()
    waiting.join(timeout=30)
    assert got == [3 * THREADS + 1], "still waiting: the pool's threads wait for one another"


def test_the_reason_is_said(repo: ManualRepo):
    assert "nested deeper" in (shown_plain(DEEP_LIST) or "")
    assert "10000 '<' that open an HTML tag and are never closed" in (shown_plain(UNCLOSED) or "")
    assert shown_plain("# T\n\nAge < 18 and <b>bold</b>. " * 2000) is None


def test_a_long_chapter_with_a_few_stray_brackets_is_read():
    """Each '<' never closed reads on to the chapter's end: a few in a long chapter cost little
    (they had been taken for thousands, and the chapter shown as written); many still do."""
    section = "## Part\n\nShare what you know with the lead, and record it. " * 8 + "\n\n"
    long = section * 2_500  # (about 1.2 MB)
    stray = long.replace("record it.", "record it (aged <eighteen).", 3)
    assert shown_plain(stray) is None
    assert "<eighteen" not in render_chapter(stray, "a.md", lambda *_: "/x")
    many = long.replace("record it.", "record it (aged <eighteen).", 200)
    assert "200 '<' that open an HTML tag" in (shown_plain(many) or "")


@pytest.fixture
def hostile(repo: ManualRepo) -> ManualRepo:
    repo.commit(
        {"deep.md": doc("Deep", DEEP_LIST), "tags.md": doc("Tags", UNCLOSED),
         "calm.md": doc("Calm", "Neglect is the persistent failure to meet a child's needs.")},
        "Add", "2024-01-02T09:00:00+00:00", {"Change-Note": "Added."},
    )  # fmt: skip
    return repo


def test_every_page_answers_and_search_still_finds(hostile: ManualRepo):
    """Before, the deep chapter's page answered 500, and so did every search (its index
    converts every chapter)."""
    with TestClient(create_app(open_manual(hostile.path), date(2024, 2, 1))) as client:
        for address in ("/chapters/deep", "/chapters/tags"):
            response = client.get(address)
            assert response.status_code == 200
            assert TITLE in response.text
        found = client.get("/search", params={"q": "persistent failure"})
        assert found.status_code == 200 and "/chapters/calm" in found.text
        assert client.get("/search", params={"q": "item"}).status_code == 200


def test_a_static_copy_is_built(hostile: ManualRepo, tmp_path: Path):
    """Before, tracker build stopped with a traceback."""
    out = tmp_path / "site"
    assert (
        main(
            [
                "build",
                "--repo",
                str(hostile.path),
                "--today",
                "2024-02-01",
                "--out",
                str(out),
                "--base-url",
                "https://example.org/",
            ]
        )
        == 0
    )
    assert TITLE in (out / "chapters" / "deep" / "index.html").read_text(encoding="utf-8")


def test_check_says_which_chapters_are_shown_as_written(hostile: ManualRepo):
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(hostile.path), "--format",
         "json", "--today", "2024-02-01"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    findings = json.loads(done.stdout)["findings"]
    found = sorted((f["file"], f["severity"]) for f in findings if f["rule"] == "shown-plain")
    assert found == [("deep.md", "warning"), ("tags.md", "warning")]
    message = next(f["message"] for f in findings if f["file"] == "deep.md")
    assert message.startswith("the page shows this text as written, without its formatting: ")
