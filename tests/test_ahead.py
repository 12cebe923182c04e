"""A service works out the summaries of every change ahead of its readers (web/ahead.py)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient

from tracker.index.store import cache_folder
from tracker.manual import Manual
from web import ahead
from web.app import create_app

TODAY = date(2024, 3, 1)


@pytest.fixture
def changes(scheduled: ManualRepo) -> ManualRepo:
    """Two edits of 'a' going live on one release (its entry compares the version in force the
    day before with the second: no two versions side by side), and 'b' added then deleted."""
    repo = scheduled
    repo.commit({"a.md": doc("A", "Staff should act.")}, "Add A", "2023-12-02T09:00:00+00:00",
                {"Go-Live": "immediate"})  # fmt: skip
    repo.commit({"a.md": doc("A", "Staff must act.")}, "Must", "2024-01-02T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "Staff must act at once.")}, "Now", "2024-01-03T09:00:00+00:00")
    repo.commit({"b.md": doc("B", "Guidance.")}, "Add B", "2024-01-02T10:00:00+00:00")
    repo.commit({"b.md": None}, "Remove B", "2024-02-01T09:00:00+00:00")
    return repo


def rows(manual: Manual) -> set[tuple[str, str, str]]:
    """The summaries the manual's diff cache file holds: (old blob, new blob, summary)."""
    path = cache_folder(manual.repo) / "diffs.sqlite"
    if not path.exists():
        return set()
    with sqlite3.connect(path) as connection:
        found = connection.execute(
            "SELECT old, new, body FROM diffs WHERE view = 'summary-json'"
        ).fetchall()
    return {(old.split(":", 1)[1], new, body) for old, new, body in found}


def every_page(client: TestClient, manual: Manual) -> None:
    """Each page that shows summaries: every history, feed and JSON history, every release."""
    snapshot = manual.snapshot()
    for document in snapshot.documents:
        for path in ("/chapters/{}/history", "/chapters/{}/feed.atom", "/api/chapters/{}/history"):
            assert client.get(path.format(document.id)).status_code == 200
    for release in snapshot.releases:
        assert client.get(f"/releases/{release.date.isoformat()}").status_code == 200


def test_a_service_works_out_every_summary_its_pages_show_and_no_other(
    changes: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    manual = changes.open()
    app = create_app(manual, TODAY, work_ahead=True)
    with TestClient(app) as client:
        app.state.ahead.join(60)
        assert not app.state.ahead.is_alive()
        ahead_rows = rows(manual)
        every_page(client, manual)
        assert rows(manual) == ahead_rows  # no page worked one out
    a = manual.snapshot().document("a").versions
    assert (a[0].blob, a[2].blob) in {(old, new) for old, new, _ in ahead_rows}  # the release's

    # Pages of a service that works nothing out ahead ask for the same, and get the same.
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "another-cache"))
    cold = changes.open()
    with TestClient(create_app(cold, TODAY)) as client:
        assert rows(cold) == set()
        every_page(client, cold)
    assert rows(cold) == ahead_rows


def test_summaries_come_newest_first_each_blob_pair_once(changes: ManualRepo):
    snapshot = changes.snapshot()
    pairs = ahead.pairs(snapshot)
    keys = [(before.blob if before else None, after.blob) for before, after in pairs]
    assert len(keys) == len(set(keys))
    a, b = (snapshot.document(key).versions for key in ("a", "b"))
    assert keys.index((b[0].blob, None)) < keys.index((a[0].blob, a[2].blob))  # (February)
    assert keys[-1] == (None, a[0].blob)  # A's first version, live on 2 December 2023


def test_what_was_worked_out_before_is_not_worked_out_again(changes: ManualRepo):
    manual = changes.open()
    snapshot, folder = manual.snapshot(), cache_folder(manual.repo)
    assert ahead.work_ahead(snapshot, manual.differ, folder, lambda: None) == len(
        ahead.pairs(snapshot)
    )
    again = changes.open()  # (a restarted service: nothing remembered in memory)
    assert ahead.work_ahead(again.snapshot(), again.differ, folder, lambda: None) == 0


def test_of_several_workers_only_one_works_summaries_out(changes: ManualRepo):
    manual = changes.open()
    folder = cache_folder(manual.repo)
    folder.mkdir(parents=True, exist_ok=True)
    held = os.open(folder / ahead.LOCK, os.O_WRONLY | os.O_CREAT, 0o600)  # another worker's
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert ahead.work_ahead(manual.snapshot(), manual.differ, folder, lambda: None) == 0
        assert rows(manual) == set()
    finally:
        os.close(held)
    assert ahead.work_ahead(manual.snapshot(), manual.differ, folder, lambda: None) > 0


def test_work_ahead_stops_when_told_and_lets_another_take_it_on(changes: ManualRepo):
    manual = changes.open()
    snapshot, folder = manual.snapshot(), cache_folder(manual.repo)
    calls = 0

    class Stopped(Exception):
        pass

    def pause() -> None:  # (a service stopping: its pause raises)
        nonlocal calls
        calls += 1
        if calls > 2:
            raise Stopped

    with pytest.raises(Stopped):
        ahead.work_ahead(snapshot, manual.differ, folder, pause)
    assert len(rows(manual)) == 2
    rest = len(ahead.pairs(snapshot)) - 2
    assert ahead.work_ahead(snapshot, manual.differ, folder, lambda: None) == rest


def test_nothing_is_worked_out_ahead_when_turned_off_or_the_cache_keeps_nothing(
    changes: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TRACKER_WORK_AHEAD", "0")
    manual = changes.open()
    app = create_app(manual, TODAY, work_ahead=True)
    with TestClient(app):
        assert app.state.ahead is None
    monkeypatch.delenv("TRACKER_WORK_AHEAD")
    monkeypatch.setenv("TRACKER_DIFF_CACHE_MB", "0")
    manual = changes.open()
    folder = cache_folder(manual.repo)
    assert ahead.work_ahead(manual.snapshot(), manual.differ, folder, lambda: None) == 0


def test_work_ahead_stops_as_the_cache_file_nears_its_bound(
    repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """It never pushes out of the cache what readers asked for."""
    monkeypatch.setenv("TRACKER_DIFF_CACHE_MB", "0.012")  # 12 KB: three pages of SQLite
    for number in range(60):
        words = " ".join(f"word{number}-{n}" for n in range(40))
        repo.commit(
            {"a.md": doc("A", words)}, f"Edit {number}", f"2024-01-02T09:{number:02d}:00+00:00"
        )
    manual = repo.open()
    snapshot, folder = manual.snapshot(), cache_folder(manual.repo)
    made = ahead.work_ahead(snapshot, manual.differ, folder, lambda: None)
    assert 0 < made < len(ahead.pairs(snapshot))
    assert made % ahead.CHECK_EVERY == 0


def test_a_pipe_planted_as_the_lock_stops_nothing_and_hangs_nothing(changes: ManualRepo):
    """A named pipe where the lock file goes (a cache folder others could write) blocked the
    work for ever, opening it (review): now nothing is worked out ahead, at once."""
    import threading

    manual = changes.open()
    folder = cache_folder(manual.repo)
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / ahead.LOCK)
    done: list[int] = []
    work = threading.Thread(
        target=lambda: done.append(
            ahead.work_ahead(manual.snapshot(), manual.differ, folder, lambda: None)
        ),
        daemon=True,
    )
    work.start()
    work.join(10)
    assert done == [0]


def test_one_change_that_fails_unexpectedly_stops_none_of_the_others(
    changes: ManualRepo, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    """A fault injected in one change's summary (any error, not only the tracker's own) is
    said and passed over; the thread went on to nothing (review)."""
    manual = changes.open()
    snapshot, folder = manual.snapshot(), cache_folder(manual.repo)
    real, calls = manual.differ.view, []

    def faulty(*args: object, **options: object) -> str:
        calls.append(args)
        if len(calls) == 2:
            raise RecursionError("a fault injected")
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(manual.differ, "view", faulty)
    made = ahead.work_ahead(snapshot, manual.differ, folder, lambda: None)
    assert made == len(ahead.pairs(snapshot)) == len(calls)
    assert len(rows(manual)) == made - 1
    assert "a fault injected" in caplog.text


def test_a_moved_chapter_s_summary_worked_out_before_is_not_worked_out_again(repo: ManualRepo):
    """A chapter moved to another folder, and one titled by its file name, are kept under
    their folders' and names' keys too: each pass took them for missing and worked them out
    again (review)."""
    repo.commit({"a.md": doc("A", "Text."), "named.md": "Text.\n"}, when="2024-01-02T09:00:00Z")
    repo.move("a.md", "guides/a.md", when="2024-01-03T09:00:00+00:00")
    repo.commit({"guides/a.md": doc("A", "More text."), "named.md": "More.\n"},
                when="2024-01-04T09:00:00+00:00")  # fmt: skip
    manual = repo.open()
    snapshot, folder = manual.snapshot(), cache_folder(manual.repo)
    assert ahead.work_ahead(snapshot, manual.differ, folder, lambda: None) == len(
        ahead.pairs(snapshot)
    )
    again = repo.open()
    assert ahead.work_ahead(again.snapshot(), again.differ, folder, lambda: None) == 0
