"""Headings of a diff under a page's own keep their order down to h6 (issue 11)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from conftest import ManualRepo, doc
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from tracker.manual import open_manual
from tracker.publish.chapter import render_chapter
from tracker.trackchanges.shared import shift_headings
from web.app import create_app

DEEP = "\n\n".join(
    f"{'#' * level} Level {level}\n\nText at level {level}." for level in range(2, 7)
)


@given(st.sets(st.integers(1, 6), min_size=1), st.integers(0, 3))
def test_shifted_levels_keep_their_order(levels: set[int], by: int):
    fragment = "".join(f"<h{level}>{level}</h{level}>" for level in sorted(levels))
    shifted = [int(n) for n in re.findall(r"<h(\d)>", shift_headings(fragment, by))]
    assert shifted == sorted(set(shifted)) and len(shifted) == len(levels)  # none became one
    assert shifted[0] >= 1 and shifted[-1] <= 6
    if max(levels) + by <= 6:
        assert shifted == [level + by for level in sorted(levels)]  # room enough: shifted whole
    else:
        assert shifted[0] == min(by + 1, 7 - len(levels))  # as far under the page as room allows


def test_the_diff_page_keeps_h5_and_h6_apart(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "manual").mkdir()
    repo = ManualRepo(tmp_path / "manual")
    repo.commit({"a.md": doc("Alpha", DEEP)}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("Alpha", DEEP.replace("level 6.", "level six."))}, "Edit",
                "2024-02-01T09:00:00+00:00")  # fmt: skip
    with TestClient(create_app(open_manual(repo.path), date(2024, 6, 1))) as client:
        response = client.get("/chapters/a/diff?from=2024-01-01&to=2024-02-01")
    assert response.status_code == 200
    start = response.text.index('<div class="diff')
    body = response.text[start : response.text.index("\n</div>", start)]
    names = re.findall(r"<h(\d)[^>]*>(?:<[^>]+>)*([^<]*)", body)
    # Under the page's own h1 and h2, the chapter's h1 to h6 in their order.
    assert [(int(level), name) for level, name in names] == [
        (1, "Alpha"), (2, "Level 2"), (3, "Level 3"), (4, "Level 4"), (5, "Level 5"),
        (6, "Level 6"),
    ]  # fmt: skip


def test_a_chapter_page_keeps_h5_and_h6_apart():
    page = render_chapter(doc("Alpha", "# Part\n\n" + DEEP), "a.md", lambda path, part: None)
    assert re.findall(r"<h(\d)", page) == ["1", "2", "3", "4", "5", "6"]
