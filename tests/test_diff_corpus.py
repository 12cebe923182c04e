"""The oracle over a corpus: three long chapters, 52 versions each, in a real repository.

Each pair of consecutive versions and each pair five versions apart is diffed through the
Differ, as a page asks for it, and both sides of its HTML and JSON must hold exactly the
words of Python-Markdown's rendering of that whole version (tests/oracle.py). The chapters
and their edits come from tests/corpus.py, seeded, so every run diffs the same versions.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import ManualRepo
from corpus import corpus
from oracle import assert_reads_as, html_words, rendered_html

from tracker.trackchanges.cache import Differ

VERSIONS = 52
APART = (1, 5)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[ManualRepo, dict[str, list[str]]]:
    """The corpus committed version by version, a day apart."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "manual").mkdir()
    repo = ManualRepo(folder / "manual")
    chapters = corpus(VERSIONS)
    for number in range(VERSIONS):
        when = date(2024, 1, 1) + timedelta(days=number)
        repo.commit({name: texts[number] for name, texts in chapters.items()}, f"Version {number}",
                    f"{when.isoformat()}T09:00:00+00:00")  # fmt: skip
    return repo, chapters


def test_the_corpus_is_long_and_varied(written: tuple[ManualRepo, dict[str, list[str]]]):
    _, chapters = written
    assert len(chapters) == 3
    for texts in chapters.values():
        assert len(texts) == VERSIONS and len(set(texts)) == VERSIONS
        assert all(10_000 <= len(text.encode()) <= 60_000 for text in texts)
        whole = "".join(texts)
        for feature in ("](https://", "|---|", "<br>", "\n    - ", "\n        - ", "\n1. ",
                        "> ", "![", "<div", "&amp;", "```", "**"):  # fmt: skip
            assert feature in whole, feature
        assert re.search(r"\n\d+\.\d+ ", whole)  # numbered clauses


@pytest.mark.parametrize("name", sorted(corpus(1)))
def test_every_diff_of_the_corpus_reads_as_its_versions(
    written: tuple[ManualRepo, dict[str, list[str]]], name: str, tmp_path: Path, monkeypatch
):
    repo, chapters = written
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "cache"))
    manual = repo.open()
    versions = manual.snapshot().document(Path(name).stem).versions
    assert [manual.texts.of(version) for version in versions] == chapters[name]
    # A budget no machine runs out of: a coarser diff would be right, but not word for word.
    differ = Differ(manual.texts.blob, tmp_path / "diffs", seconds=60)
    pages = [rendered_html(text) for text in chapters[name]]
    words = [html_words(page) for page in pages]
    shown = [" ".join(page.split()) for page in pages]  # what a reader sees, spacing folded
    pairs = [(a, a + apart) for apart in APART for a in range(VERSIONS - apart)]
    unmarked = 0
    for a, b in pairs:
        rendered = differ.view(versions[a], versions[b], "html")
        data = json.loads(differ.view(versions[a], versions[b], "json"))
        assert not data["coarse"]
        try:
            assert_reads_as(rendered, data, words[a], words[b])
        except AssertionError as error:
            raise AssertionError(f"{name}: versions {a} and {b}: {error}") from error
        if shown[a] == shown[b]:  # the versions differ in their source alone: no mark
            assert data["identical"], f"{name}: versions {a} and {b} are shown alike"
            unmarked += 1
    assert unmarked  # some edits change only the source, and the corpus has them
    manual.close()
