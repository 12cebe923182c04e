"""Where authors work: the commit-msg check, and our hooks run by pre-commit on a repository."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import ManualRepo, doc
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.authoring.message import check_message

PROJECT = Path(__file__).parent.parent
EARLY = date(2024, 1, 1)  # (before the messages' Go-Live dates: none has passed)
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


@pytest.mark.parametrize(
    ("trailers", "expected"),
    [
        ("Go-Live: 2024-12-11\nChange-Note: Referrals now say who to call.", []),
        ("change-note: case does not matter\nSigned-off-by: A <a@b.org>", []),
        (
            "Golive: 2024-12-11",
            ["'Golive:' is not a trailer the tracker reads; did you mean 'Go-Live:'?"],
        ),
        (
            "Go-live date: 2024-12-11",
            ["'Go-live date:' is not a trailer the tracker reads; did you mean 'Go-Live:'?"],
        ),
        (
            "Changenote: x",
            ["'Changenote:' is not a trailer the tracker reads; did you mean 'Change-Note:'?"],
        ),
        (
            "Change-Notes: x",
            ["'Change-Notes:' is not a trailer the tracker reads; did you mean 'Change-Note:'?"],
        ),
        (
            "Go-Live: next week",
            ["'Go-Live: next week' is neither a date (YYYY-MM-DD) nor 'immediate'."],
        ),
        (
            "Go-Live: 2024-02-30",
            ["'Go-Live: 2024-02-30' is not a real calendar date."],  # (its form was right)
        ),
        ("Change-Note:", ["'Change-Note:' is empty; write one sentence for practitioners."]),
        ("Change-Type: typo", ["'Change-Type: typo' should be 'minor' (or 'major')."]),
    ],
)
def test_commit_message_trailers(trailers: str, expected: list[str]):
    message = f"Update referrals\n\nWhy it changed.\n\n{trailers}\n# a comment git strips\n"
    assert check_message(message, EARLY) == expected


@pytest.mark.parametrize("space", ["\v", "\u2028"])
def test_a_line_break_git_does_not_end_a_line_at(space: str):
    """The hook cut lines where git does not (str.splitlines): a Change-Note with Word's line
    break (a vertical tab) in it was refused though git reads it whole, and a Go-Live after one
    passed, though git reads it as part of the note and the date is lost (review)."""
    whole = f"Update\n\nChange-Note: Refer{space}to the new form.\nGo-Live: 2024-11-13\n"
    assert check_message(whole, date(2024, 11, 1)) == []
    said = [
        "'Go-Live:' follows a line break git does not end a line at (a vertical tab, as Word "
        "writes, a lone carriage return or U+2028), so git reads it as part of the line before; "
        "put it on a line of its own."
    ]
    for hidden in (
        f"Change-Note: Refer to the new form.{space}Go-Live: 2024-11-13",
        f"Change-Note: Refer.\nReviewed-by: Jo{space}Go-Live: 2024-11-13",  # (another's)
        f"Change-Note: Refer to\n  the form.{space}Go-Live: 2024-11-13",  # (a note's next line)
        "Change-Note: Refer.\rGo-Live: 2024-11-13",  # (a lone carriage return)
    ):
        assert check_message(f"Update\n\n{hidden}\n", date(2024, 11, 1)) == said, hidden
    above = f"Update\n\nSome text{space}Go-Live: 2024-11-13\n\nChange-Note: x\n"
    assert check_message(above, date(2024, 11, 1)) == said


def test_a_subject_alone_has_no_trailers():
    assert check_message("Golive: this is a subject, not a trailer\n", EARLY) == []


def pre_commit(repo: ManualRepo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(PROJECT), *args],
        cwd=repo.path, capture_output=True, text=True, env=env, check=False, timeout=900,
    )  # fmt: skip


@pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is not installed")
def test_pre_commit_runs_our_hooks_on_a_content_repository(repo: ManualRepo, tmp_path: Path):
    repo.commit({"a.md": doc("A", "[missing](b.md)")}, when="2024-01-01T09:00:00+00:00")
    checked = pre_commit(repo, "tracker-check", "--all-files", "--hook-stage", "pre-push")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "error: procedures/a.md:3: links to b.md, which is not a document" in checked.stdout
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Update A\n\nGolive: 2024-12-11\n")
    stopped = pre_commit(repo, "tracker-commit-msg", "--hook-stage", "commit-msg",
                         "--commit-msg-filename", str(message))  # fmt: skip
    assert stopped.returncode == 1
    assert "did you mean 'Go-Live:'?" in stopped.stdout + stopped.stderr
    message.write_text(f"Update A\n\nGo-Live: {date.today() + timedelta(days=30)}\n")
    passed = pre_commit(repo, "tracker-commit-msg", "--hook-stage", "commit-msg",
                        "--commit-msg-filename", str(message))  # fmt: skip
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_a_go_live_that_has_passed_stops_the_commit_but_not_a_squashed_commits():
    """A Go-Live before today (a typo in the year, most often) passed the hook, and check said
    'back-dated' only once the commit was made (author's exploratory testing). A squashed
    commit's Go-Live may have passed since it was written: it goes live with the merge."""
    said = [
        "'Go-Live: 2024-03-13' has passed: the change would go live when committed, not then; "
        "is the date right? (Commit with --no-verify if it is meant.)"
    ]
    assert check_message("Update A\n\nGo-Live: 2024-03-13\n", date(2024, 3, 15)) == said
    for today in (date(2024, 3, 14), date(2024, 3, 13), date(2024, 3, 1)):  # (a day given: the
        # machine's date may be a day ahead of the manual's time zone's; review)
        assert check_message("Update A\n\nGo-Live: 2024-03-13\n", today) == []
    assert check_message("Update A\n\nGo-Live: immediate\n", date(2024, 3, 14)) == []
    ids = {"first": "a" * 40, "second": "b" * 40}
    assert check_message(SQUASHED.format(go_live="2024-03-01", **ids), date(2024, 3, 14)) == []


def test_the_diff_below_git_commit_v_scissors_is_not_the_message():
    message = (
        "Update A\n\nGolive: 2024-12-11\n"
        "# ------------------------ >8 ------------------------\n"
        "# Do not modify or remove the line above.\n"
        "diff --git a/a.md b/a.md\n\nChange-Note: only in the diff\n"
    )
    assert check_message(message, EARLY) == [
        "'Golive:' is not a trailer the tracker reads; did you mean 'Go-Live:'?"
    ]


def test_a_wrapped_change_note_that_hides_the_trailers_from_git():
    message = "Update A\n\nChange-Note: Referrals now go to First Contact,\nnot the MASH.\n"
    assert check_message(message, EARLY) == [
        "git will not read the trailers, because 'not the MASH.' is not one: indent a line "
        "that continues a Change-Note with a space."
    ]
    indented = "Update A\n\nChange-Note: Referrals now go to First Contact,\n  not the MASH.\n"
    assert check_message(indented, EARLY) == []


@pytest.mark.parametrize(
    ("message", "why"),
    [
        ("Neglect: a new duty\n\nGo-Live: 2024-02-14\n\nChange-Note: Refer every case.\n",
         "it is not in the message's last paragraph:"),
        ("Neglect: a new duty\n\nWhy.\nGo-Live: 2024-02-14\n  \nChange-Note: Refer.\n",
         "it is not in the message's last paragraph:"),
        ("Neglect: a new duty\nGo-Live: 2024-02-14\n\nChange-Note: Refer every case.\n",
         "it is part of the subject: leave a blank line under the subject, and"),
        ("Neglect: a new duty\nGo-Live: 2024-02-14\n",
         "it is part of the subject: leave a blank line under the subject, and"),
    ],
    ids=["its-own-paragraph", "in-the-text", "under-the-subject", "under-a-lone-subject"],
)  # fmt: skip
def test_a_go_live_above_the_last_paragraph_stops_the_commit(message: str, why: str):
    """Git reads trailers only in the last paragraph: a Go-Live above it was ignored, so the
    change went live early (exploratory testing); one under the subject with no blank line
    between is part of the subject (review)."""
    assert check_message(message, EARLY) == [
        f"git will not read 'Go-Live: 2024-02-14' as a trailer, because {why} put Go-Live with "
        "the other trailers, in one paragraph at the end."
    ]


def test_two_go_live_dates_stop_the_commit():
    message = "Update A\n\nGo-Live: 2024-03-13\nGo-Live: 2024-04-10\nChange-Note: x.\n"
    assert check_message(message, EARLY) == [
        "'Go-Live:' is given 2 times (2024-03-13, 2024-04-10); give one."
    ]
    assert check_message("Update A\n\nGo-Live: 2024-03-13\nGo-Live: 2024-03-13\n", EARLY) == []


def test_a_go_live_more_than_a_year_away_stops_the_commit():
    """A typo in the year (2204 for 2024) would hold every later change to the document for
    180 years, and a later commit cannot undo it (exploratory testing)."""
    far, near = (date.today() + timedelta(days=days) for days in (400, 300))
    assert check_message(f"Update A\n\nGo-Live: {far}\n") == [
        f"'Go-Live: {far}' is more than a year away: is the year right? (Every later change "
        "to the document would wait for it; commit with --no-verify if it is.)"
    ]
    assert check_message(f"Update A\n\nGo-Live: {near}\n") == []


def test_the_commit_msg_command_takes_today_as_every_command_does(tmp_path: Path):
    """The hook measured a year from the machine's day whatever TRACKER_TODAY said (SPEC §3:
    every command takes --today and TRACKER_TODAY)."""
    message = tmp_path / "MSG"
    message.write_text("Update A\n\nGo-Live: 2025-02-01\n", encoding="utf-8")
    command = [sys.executable, "-m", "tracker", "commit-msg", str(message)]
    env = {**os.environ, "TRACKER_TODAY": "2024-01-06"}
    found = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert found.returncode == 1 and "more than a year away" in found.stderr
    found = subprocess.run([*command, "--today", "2024-06-01"], env=env, capture_output=True,
                           text=True, check=False)  # fmt: skip
    assert found.returncode == 0, found.stderr
    found = subprocess.run([*command, "--today", "2024-13-01"], capture_output=True, text=True,
                           check=False)  # fmt: skip
    assert found.returncode == 2 and found.stderr.count("\n") == 1


def test_a_go_live_as_the_subject_stops_the_commit():
    assert check_message("Go-Live: 2024-03-13\n\nChange-Note: x.\n", EARLY) == [
        "git will not read 'Go-Live: 2024-03-13' in the subject as a trailer: put it, with the "
        "other trailers, in one paragraph at the end."
    ]
    assert check_message("Update go-live: dates explained\n", EARLY) == []
    assert check_message('Revert "Update Go-Live: 2024-03-13"\n', EARLY) == []


@pytest.mark.parametrize(
    "message", ["Change-Type: minor\n", "Change-Note: Refer within 24 hours.\n\nMore.\n"]
)
def test_a_change_note_or_type_as_the_subject_stops_the_commit(message: str):
    """Git reads no trailer in the subject: the newsletter showed "A: Change-Type: minor" and
    announced the typo fix (exploratory testing)."""
    key, value = message.split("\n")[0].split(": ")
    assert check_message(message, EARLY) == [
        f"git will not read '{key}: {value}' in the subject as a trailer, so the newsletter "
        "would show it as the change's note: write a subject for the change, a blank line, then "
        "the trailers."
    ]
    assert check_message(f"Update\n\n{key}: {value}\n", EARLY) == []


@pytest.mark.parametrize(
    "message",
    [
        "Update\n\nSome text.\nGo-Live: 2024-03-13\nSigned-off-by: A <a@b.org>\n",
        "Update\n\nSome text.\nGo-Live: 2024-03-13\n(cherry picked from commit abc123)\n",
    ],
)
def test_a_last_paragraph_git_reads_for_its_own_trailer_passes(message: str):
    """Git reads a last paragraph that holds text when a quarter of it is trailers and one is
    of its own making (Signed-off-by, a cherry-pick's line): the hook stopped it (review)."""
    assert check_message(message, EARLY) == []


def test_an_indented_go_live_stops_the_commit():
    """Git reads no indented line as a trailer: the Go-Live was ignored and the hook let the
    commit through (exploratory testing)."""
    assert check_message("S\n\nBody.\n\n    Go-Live: 2024-12-01\n", EARLY) == [
        "git will not read 'Go-Live: 2024-12-01' as a trailer, because it is indented (git "
        "reads no trailer from an indented line): put Go-Live with the other trailers, in one "
        "paragraph at the end."
    ]


SQUASHED = (
    "Squashed commit of the following:\n\ncommit {second}\nAuthor: A <a@b.org>\n"
    "Date:   Fri Feb 2 10:00:00 2024 +0000\n\n    Tidy A\n\n    Go-Live: {go_live}\n\n"
    "commit {first}\nAuthor: A <a@b.org>\nDate:   Thu Feb 1 10:00:00 2024 +0000\n\n"
    "    Review A\n    \n    Change-Note: A was reviewed.\n    Go-Live: 2024-04-01\n"
)


def test_a_squash_merge_message_is_checked_commit_by_commit():
    """The tracker reads the trailers of git's squash message, indented as they are: the hook
    lets it through, and checks each commit's trailers."""
    ids = {"first": "1" * 40, "second": "2" * 40}
    assert check_message(SQUASHED.format(go_live="2024-03-01", **ids), EARLY) == []
    wrong = [
        f"(squashed commit {'2' * 10}) 'Go-Live: March' is neither a date (YYYY-MM-DD) nor "
        "'immediate'."
    ]
    assert check_message(SQUASHED.format(go_live="March", **ids), EARLY) == wrong
    own = "Review of A (#12)\n\n" + SQUASHED  # (an author's subject above git's listing)
    assert check_message(own.format(go_live="2024-03-01", **ids), EARLY) == []
    assert check_message(own.format(go_live="March", **ids), EARLY) == wrong
    both = SQUASHED.replace("2024-04-01", "April").format(go_live="March", **ids)
    assert [line[:45] for line in check_message(both, EARLY)] == [  # (as the message lists them)
        f"(squashed commit {'2' * 10}) 'Go-Live: March'",
        f"(squashed commit {'1' * 10}) 'Go-Live: April'",
    ]


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="aZ0 _-:\t\u00a0\u2028\r.é", max_size=30))
def test_a_key_and_value_are_read_as_the_pattern_they_replace_read_them(line: str):
    """A commit-msg line of 40,000 spaces took the hook 8 s (third review): the lazy pattern is
    replaced by a linear reading, which must read every line as it did."""
    import re

    from tracker.authoring.message import _pair

    old = re.match(r"^([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*)$", line)
    assert _pair(line) == (old.groups() if old else None)


def test_a_line_of_spaces_is_read_in_linear_time():
    for line in ("abc" + " " * 40_000 + "x", "abc" + " " * 40_000 + "x:"):
        started = time.process_time()
        check_message(f"Update\n\n{line}\n", EARLY)
        assert time.process_time() - started < 1.5  # (it took 8 s: a hang, not a figure)
