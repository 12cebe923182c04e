"""Changes committed before the first ``manual.toml``: dated by its release rules, or when
committed (``earlier_changes``); while unsaid, ``tracker check`` warns where its rules moved one
(rule earlier-changes). A manual published without a schedule that committed one had its past
releases moved, and nothing said so (exploratory testing of settings)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from conftest import SCHEDULE, ManualRepo, doc

D = date.fromisoformat


def check(repo: ManualRepo) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--today",
         "2024-06-01", "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def said(repo: ManualRepo) -> list[dict[str, str]]:
    done = check(repo)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)["findings"]
    return [finding for finding in found if finding["rule"] == "earlier-changes"]


def published_without_a_schedule(repo: ManualRepo, settings: str = SCHEDULE) -> None:
    """Two changes going live when committed (no settings), then the first settings."""
    repo.commit({"a.md": doc("Alpha", "One.")}, "Add", "2024-01-03T10:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    repo.commit({"a.md": doc("Alpha", "Two.")}, "Change", "2024-03-04T10:00:00+00:00",
                {"Change-Note": "Changed."})  # fmt: skip
    repo.commit({"manual.toml": settings}, "Settings", "2024-05-01T10:00:00+00:00")


def go_lives(repo: ManualRepo) -> list[date]:
    return [version.effective for version in repo.snapshot().document("a").versions]


def test_the_first_schedule_dates_earlier_changes_and_check_says_so(repo: ManualRepo):
    published_without_a_schedule(repo)
    assert go_lives(repo) == [D("2024-01-10"), D("2024-03-13")]  # (second Wednesdays)
    [warning] = said(repo)
    assert warning["severity"] == "warning" and warning["file"] == "manual.toml"
    assert "2 versions go live on a release day, not when committed" in warning["message"]
    assert "'Alpha' committed 2024-01-03, on 2024-01-10" in warning["message"]
    assert 'earlier_changes = "committed"' in warning["message"]


@pytest.mark.parametrize(
    ("said_so", "expected"),
    [("committed", [D("2024-01-03"), D("2024-03-04")]),
     ("schedule", [D("2024-01-10"), D("2024-03-13")])],
)  # fmt: skip
def test_earlier_changes_said_later_dates_them_so_and_ends_the_warning(
    repo: ManualRepo, said_so: str, expected: list[date]
):
    """Said in a later commit (the newest settings are read), after the history was kept with
    the first settings' rules: it is read again."""
    published_without_a_schedule(repo)
    assert go_lives(repo) == [D("2024-01-10"), D("2024-03-13")]
    repo.commit({"manual.toml": SCHEDULE + f'earlier_changes = "{said_so}"\n'}, "Say",
                "2024-05-02T10:00:00+00:00")  # fmt: skip
    repo.commit({"a.md": doc("Alpha", "Three.")}, "Later", "2024-05-20T10:00:00+00:00",
                {"Change-Note": "Later."})  # fmt: skip
    assert go_lives(repo) == [*expected, D("2024-06-12")]  # (after them: the schedule's)
    assert said(repo) == []


def test_no_warning_where_the_settings_came_first_or_moved_nothing(repo: ManualRepo):
    repo.commit({"manual.toml": SCHEDULE, "a.md": doc("Alpha")}, "Add",
                "2024-01-03T10:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    assert said(repo) == []
    (repo.path.parent / "other").mkdir()
    other = ManualRepo(repo.path.parent / "other")
    other.commit({"a.md": doc("Alpha")}, "Add", "2024-01-03T10:00:00+00:00",
                 {"Change-Note": "Added.", "Go-Live": "immediate"})  # fmt: skip
    other.commit({"manual.toml": SCHEDULE}, "Settings", "2024-05-01T10:00:00+00:00")
    assert said(other) == []  # (its own Go-Live dated it: the schedule moved nothing)


def test_an_unknown_earlier_changes_is_a_settings_error(repo: ManualRepo):
    repo.commit({"manual.toml": SCHEDULE + 'earlier_changes = "commit"\n', "a.md": doc("A")},
                "Add", "2024-01-03T10:00:00+00:00")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "releases", "--repo", str(repo.path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert 'releases.earlier_changes must be "schedule"' in done.stderr


def test_changes_after_an_unreadable_first_manual_toml_keep_the_newest_schedule(
    repo: ManualRepo,
):
    """Where the first settings cannot be read, the newest readable settings' schedule dates
    the changes after them until they are mended, as the settings-unread warning says: with
    earlier_changes = "committed" they had none, and went live when committed (review)."""
    repo.commit({"a.md": doc("Alpha", "One.")}, "Add", "2024-01-03T10:00:00+00:00")
    repo.commit({"manual.toml": "[releases\n"}, "Broken", "2024-03-01T10:00:00+00:00")
    repo.commit({"a.md": doc("Alpha", "Two.")}, "Edit", "2024-03-02T10:00:00+00:00")
    said_so = SCHEDULE + 'earlier_changes = "committed"\n'
    repo.commit({"manual.toml": said_so}, "Mended", "2024-03-05T10:00:00+00:00")
    assert go_lives(repo) == [D("2024-01-03"), D("2024-03-13")]  # (not 2 March)
