"""A Manual is what a server holds: it follows the branch, and never goes back to an older head."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from conftest import ManualRepo, doc

from tracker import cli
from tracker.console import warnings_to_stderr
from tracker.history.snapshot import Snapshot


def test_a_commit_shows_on_the_next_snapshot_and_nothing_is_read_twice(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    manual = repo.open()
    first = manual.snapshot()
    assert manual.snapshot() is first  # the branch has not moved: the same value
    head = repo.commit({"b.md": doc("B")}, when="2024-01-02T09:00:00+00:00")
    second = manual.snapshot()
    assert second is not first
    assert second.head == head
    assert [d.id for d in second.documents] == ["a", "b"]
    assert [d.id for d in first.documents] == ["a"]  # the old value is untouched


def test_a_request_that_saw_an_older_head_gets_the_newer_snapshot(
    repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    old = repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    manual = repo.open()
    manual.snapshot()
    new = repo.commit({"a.md": doc("A", "Changed.")}, when="2024-01-02T09:00:00+00:00")
    newer = manual.snapshot()
    # A request read the branch just before the commit, then waited for the lock.
    answers = iter([("main", old)])
    real = manual.repo.branch_head
    monkeypatch.setattr(manual.repo, "branch_head", lambda b: next(answers, None) or real(b))
    read: list[str] = []
    monkeypatch.setattr("tracker.manual.read_snapshot", lambda *args: read.append("read"))
    assert manual.snapshot() is newer
    assert read == []  # neither taken back to the old head nor read again
    assert newer.head == new


def test_the_cli_says_each_warning_once_and_leaves_logging_as_it_found_it(
    repo: ManualRepo, capsys: pytest.CaptureFixture[str]
):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    logger = logging.getLogger("tracker")
    before = (logger.level, logger.propagate, list(logger.handlers))
    with warnings_to_stderr():
        for _ in range(3):
            logging.getLogger("tracker.index.store").warning("the same thing")
    assert (logger.level, logger.propagate, list(logger.handlers)) == before
    assert capsys.readouterr().err == "tracker: warning: the same thing\n"
    assert cli.main(["releases", "--repo", str(repo.path)]) == 0
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


def test_a_snapshot_is_hashable_and_equal_only_to_itself(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    first: Snapshot = repo.open().snapshot()
    second = repo.open().snapshot()
    assert first != second
    assert len({first, second, first}) == 2


def test_reading_a_history_pauses_the_cyclic_collector_and_restores_it(repo: ManualRepo):
    """Reading makes many small objects in no cycle: the collector is paused while it runs
    (it otherwise scanned them again and again) and left as it was found."""
    import gc
    import sys

    for day in range(1, 6):
        repo.commit({f"d{n}.md": doc(f"D{n}", f"Day {day}.") for n in range(20)},
                    when=f"2024-01-0{day}T09:00:00+00:00")  # fmt: skip
    passes: list[str] = []  # collections that ran while a history was read

    def seen(phase: str, info: dict[str, int]) -> None:
        frame = sys._getframe()
        while frame is not None:
            if frame.f_code.co_name == "read_snapshot":
                passes.append(phase)
            frame = frame.f_back

    gc.callbacks.append(seen)
    try:
        repo.snapshot()
        assert gc.isenabled()
        gc.disable()
        repo.commit({"d1.md": doc("D1", "Again.")}, when="2024-01-06T09:00:00+00:00")
        repo.snapshot()
        assert not gc.isenabled()  # a caller's own pause is not ended
    finally:
        gc.enable()
        gc.callbacks.remove(seen)
    assert passes == []


def test_a_file_named_with_accents_apart_has_the_id_of_its_letters_composed(
    repo: ManualRepo, capsys: pytest.CaptureFixture[str]
):
    """A file saved as "café.md" with the accent apart from its letter (NFD, as macOS's older
    file systems wrote names, and git there with precomposeunicode off) had an id that looked
    like "café" but was not: the command line, the website and links typed as one writes
    "café" answered that no document had the id."""
    import unicodedata

    from fastapi.testclient import TestClient

    from web.app import create_app

    apart = unicodedata.normalize("NFD", "café")
    repo.git("config", "core.precomposeunicode", "false")
    repo.commit({f"{apart}.md": doc("Café")}, when="2024-01-01T09:00:00+00:00")
    assert apart.encode() in repo.git("ls-files", "-z").encode()  # git keeps the name apart
    manual = repo.open()
    snapshot = manual.snapshot()
    assert [d.id for d in snapshot.documents] == ["café"]
    for asked in ("café", apart):
        assert snapshot.document(asked).id == "café"
        assert cli.main(["history", asked, "--repo", str(repo.path)]) == 0
        assert capsys.readouterr().out.startswith("Café (café)\n")
    with TestClient(create_app(manual)) as client:
        for asked in ("café", apart):
            assert client.get(f"/chapters/{asked}").status_code == 200
            assert client.get(f"/api/chapters/{asked}").json()["id"] == "café"


def test_a_link_finds_a_file_whose_accents_were_saved_the_other_way(repo: ManualRepo):
    """A Mac saved "café.md" with its accent apart (NFD) and an author typed the link with it
    joined, or the other way round: check said "links to café.md, which is not a document"
    and the page left the link as written (a 404). A rename from one way to the other is no
    rename for readers (exploratory test)."""
    import unicodedata

    from fastapi.testclient import TestClient

    from tracker.authoring.check import check_manual
    from web.app import create_app

    apart = unicodedata.normalize("NFD", "café")
    joined = unicodedata.normalize("NFD", "naïve")  # (the file is saved joined, linked apart)
    repo.git("config", "core.precomposeunicode", "false")
    links = (f"[a](café.md) [b](caf%C3%A9.md) <a href=\"café.md\">c</a> [d]({apart}.md)"
             f" [e]({joined}.md#steps)")  # fmt: skip
    repo.commit({f"{apart}.md": doc("Café"), "naïve.md": doc("Naive", "## Steps\n\nText."),
                 "links.md": doc("Links", links)}, when="2024-01-01T09:00:00+00:00")  # fmt: skip
    manual = repo.open()
    problems = check_manual(manual.snapshot(), date(2024, 1, 2))
    assert [str(p) for p in problems if p.rule.startswith("broken")] == []
    with TestClient(create_app(manual)) as client:
        page = client.get("/chapters/links").text
    hrefs = re.findall(r'<a href="([^"]*)" rel="noopener noreferrer">', page)
    assert hrefs == ["/chapters/caf%C3%A9"] * 4 + ["/chapters/na%C3%AFve#section-steps"]
    repo.move("naïve.md", f"{joined}.md", "Normalise file names", when="2024-02-01T09:00:00+00:00")
    snapshot = repo.snapshot()  # (nothing changed for readers: no entry, as for a change
    assert date(2024, 2, 1) not in [r.date for r in snapshot.releases]  # undone that day)
    assert snapshot.document("naïve").latest.kind == "modified"


def test_an_image_is_served_whichever_way_its_accents_were_saved(repo: ManualRepo):
    """A Mac saved "flôw.png" with the accent apart, and the chapter names it with the accent
    joined (or the other way): the page's image was a 404 (review), where a link is found."""
    import unicodedata

    from fastapi.testclient import TestClient

    from web.app import create_app

    apart = unicodedata.normalize("NFD", "flôw.png")
    repo.git("config", "core.precomposeunicode", "false")
    (repo.path / "procedures").mkdir()
    (repo.path / "procedures" / apart).write_bytes(b"\x89PNG\r\n\x1a\nimage")
    text = doc("A", '![Flow](flôw.png) <img src="flôw.png" alt="Flow">')
    repo.commit({"a.md": text, "b.md": doc("B", f"![Flow]({apart})")},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    with TestClient(create_app(repo.open())) as client:
        for chapter in ("a", "b"):
            sources = re.findall(
                r'<img [^>]*src="([^"]*)"', client.get(f"/chapters/{chapter}").text
            )
            assert sources, chapter
            for source in sources:
                assert client.get(source).content == b"\x89PNG\r\n\x1a\nimage", source
