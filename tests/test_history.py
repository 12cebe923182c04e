"""Every rule of SPEC §3 on a real repository with fixed commit dates."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, SCHEDULE, ManualRepo, doc

from tracker.publish.views import history_text

D = date.fromisoformat


def go_lives(manual, ident: str) -> list[str]:
    return [v.effective.isoformat() for v in manual.document(ident).versions]


def test_schedule_and_cutoff(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Add A", "2024-11-06T12:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "Changed.")}, "Change A", "2024-11-07T12:00:00+00:00")
    assert go_lives(scheduled.snapshot(), "a") == ["2024-11-13", "2024-12-11"]


def test_bank_holiday_moves_a_scheduled_release(repo: ManualRepo):
    # First Monday of May 2024 is the Early May bank holiday in England.
    settings = (
        '[releases]\nschedule = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=1MO"\n'
        'cutoff_days = 7\nbank_holidays = "GB-ENG"\n'
    )
    repo.commit({"manual.toml": settings, "a.md": doc("A")}, "Add A", "2024-04-20T12:00:00+01:00")
    assert go_lives(repo.snapshot(), "a") == ["2024-05-07"]


def test_commit_date_is_taken_in_the_manuals_timezone(repo: ManualRepo):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (British Summer Time).
    repo.commit({"a.md": doc("A")}, "Add A", "2024-06-30T23:30:00+00:00")
    version = repo.snapshot().document("a").latest
    assert version.committed.date() == D("2024-07-01")
    assert version.effective == D("2024-07-01")


def test_timezone_setting_changes_the_local_date(repo: ManualRepo):
    settings = '[manual]\ntimezone = "UTC"\n'
    repo.commit({"manual.toml": settings, "a.md": doc("A")}, "Add A", "2024-06-30T23:30:00+00:00")
    assert go_lives(repo.snapshot(), "a") == ["2024-06-30"]


def test_immediate_go_live_beats_the_schedule(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A")}, "Add A", "2024-10-20T09:00:00+01:00", {"Go-Live": "immediate"}
    )
    version = scheduled.snapshot().document("a").latest
    assert version.effective == D("2024-10-20")
    assert version.declared.source == "immediate"


def test_explicit_go_live_date(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A")}, "Add A", "2024-10-20T09:00:00+01:00", {"go-live": "2025-02-03"}
    )  # keys are case-insensitive
    assert go_lives(scheduled.snapshot(), "a") == ["2025-02-03"]


def test_back_dated_go_live_goes_live_when_committed_with_a_warning(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A")}, "Fix", "2024-06-20T16:00:00+01:00", {"Go-Live": "2024-06-12"}
    )
    version = scheduled.snapshot().document("a").latest
    assert version.effective == D("2024-06-20")
    assert version.declared.back_dated == D("2024-06-12")


def test_invalid_go_live_is_reported_and_ignored(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A")}, "Add", "2024-10-20T09:00:00+01:00", {"Go-Live": "next week"}
    )
    manual = scheduled.snapshot()
    assert go_lives(manual, "a") == ["2024-11-13"]
    assert any("next week" in p.message and p.level == "error" for p in manual.problems)


def test_held_back_version_waits_for_the_earlier_one(scheduled: ManualRepo):
    first = scheduled.commit(
        {"a.md": doc("A", "One.")}, "One", "2024-10-18T09:00:00+01:00", {"Go-Live": "2024-12-11"}
    )
    scheduled.commit({"a.md": doc("A", "Two.")}, "Two", "2024-10-24T09:00:00+01:00")
    second = scheduled.snapshot().document("a").latest
    assert second.declared.date == D("2024-11-13")
    assert second.effective == D("2024-12-11")
    assert second.held_back and second.held_back_by == first


def test_merge_takes_notes_and_latest_go_live_of_merged_commits_and_floors_at_merge_date(
    repo: ManualRepo,
):
    repo.commit({"a.md": doc("A"), "b.md": doc("B")}, "Start", "2024-01-01T09:00:00+00:00")
    repo.branch("review")
    repo.commit(
        {"a.md": doc("A", "Reviewed.")},
        "Review A",
        "2024-02-01T09:00:00+00:00",
        {"Change-Note": "A was reviewed.", "Go-Live": "2024-02-05"},
    )
    repo.commit(
        {"a.md": doc("A", "Reviewed again.")},
        "Tidy A",
        "2024-02-02T09:00:00+00:00",
        {"Change-Note": "A was tidied.", "Go-Live": "immediate"},
    )
    repo.commit(
        {"b.md": doc("B", "Other.")},
        "Touch B",
        "2024-02-03T09:00:00+00:00",
        {"Change-Note": "B changed."},
    )
    repo.checkout("main")
    merge = repo.merge("review", when="2024-02-10T09:00:00+00:00")
    manual = repo.snapshot()
    a = manual.document("a").latest
    assert a.commit == merge
    assert [n.text for n in a.notes] == ["A was reviewed.", "A was tidied."]
    assert a.effective == D("2024-02-10")  # latest declared is 5 Feb; the merge's own is later
    assert [n.text for n in manual.document("b").latest.notes] == ["B changed."]
    assert len(manual.document("a").versions) == 2  # the merge is one version


def test_merge_with_a_later_declared_go_live_keeps_it(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Start", "2024-01-01T09:00:00+00:00")
    repo.branch("review")
    repo.commit(
        {"a.md": doc("A", "x")},
        "Review",
        "2024-02-01T09:00:00+00:00",
        {"Go-Live": "2024-03-01", "Change-Type": "minor"},
    )
    repo.checkout("main")
    repo.merge("review", when="2024-02-10T09:00:00+00:00")
    latest = repo.snapshot().document("a").latest
    assert latest.effective == D("2024-03-01")
    assert latest.minor


def test_minor_merge_source_leaves_out_its_note(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Start", "2024-01-01T09:00:00+00:00")
    repo.branch("review")
    repo.commit(
        {"a.md": doc("A", "x")},
        "Rewrite",
        "2024-02-01T09:00:00+00:00",
        {"Change-Note": "Rewritten."},
    )
    repo.commit(
        {"a.md": doc("A", "y")}, "Typo", "2024-02-02T09:00:00+00:00", {"Change-Type": "minor"}
    )
    repo.checkout("main")
    repo.merge("review", when="2024-02-10T09:00:00+00:00")
    latest = repo.snapshot().document("a").latest
    assert [n.text for n in latest.notes] == ["Rewritten."]
    assert not latest.minor


def test_minor_change_is_kept_in_history(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit(
        {"a.md": doc("A", "Fixed.")},
        "Fix typo",
        "2024-01-02T09:00:00+00:00",
        {"Change-Type": "Minor"},
    )
    versions = repo.snapshot().document("a").versions
    assert [v.minor for v in versions] == [False, True]
    assert versions[1].note == "Fix typo"


def test_note_is_change_note_else_subject(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-01T09:00:00+00:00")
    repo.commit(
        {"a.md": doc("A", "x")},
        "Edit A",
        "2024-01-02T09:00:00+00:00",
        {"Change-Note": "Explained for practitioners."},
    )
    notes = [v.notes[0] for v in repo.snapshot().document("a").versions]
    assert [(n.text, n.explicit) for n in notes] == [
        ("Add A", False),
        ("Explained for practitioners.", True),
    ]


@pytest.mark.parametrize("space", ["\v", "\f", "\x85", "\u2028", "\u2029", "  "])
def test_a_change_note_is_whole_whatever_space_breaks_its_line(repo: ManualRepo, space: str):
    """A vertical tab (Word's line break, pasted) or U+2028 in a Change-Note cut it there: the
    newsletter said "Refer within" (exploratory testing). Git keeps the line whole; the note's
    spaces are folded to one."""
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-01T09:00:00+00:00",
                {"Change-Note": f"Refer within{space}one working day."})  # fmt: skip
    (version,) = repo.snapshot().document("a").versions
    assert [n.text for n in version.notes] == ["Refer within one working day."]


def test_change_note_applies_to_every_document_of_the_commit(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A"), "b.md": doc("B")},
        "Add",
        "2024-01-01T09:00:00+00:00",
        {"Change-Note": "Both added."},
    )
    manual = repo.snapshot()
    assert manual.document("a").latest.note == manual.document("b").latest.note == "Both added."


def test_deletion_is_a_version_and_withdraws_the_document(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": None}, "Withdraw A", "2024-03-01T09:00:00+00:00")
    manual = repo.snapshot()
    document = manual.document("a")
    assert [v.kind for v in document.versions] == ["added", "withdrawn"]
    assert document.in_force(D("2024-02-01")).kind == "added"
    assert document.in_force(D("2024-03-01")).withdrawn
    assert document.in_force(D("2023-12-31")) is None


def test_archived_status_withdraws_without_deleting(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", status="archived")}, "Archive", "2024-03-01T09:00:00+00:00")
    document = repo.snapshot().document("a")
    assert not document.in_force(D("2024-02-01")).withdrawn
    assert document.in_force(D("2024-03-01")).withdrawn
    assert document.latest.kind == "withdrawn"  # archiving withdraws, as deleting does


def test_rename_with_id_keeps_identity(repo: ManualRepo):
    repo.commit({"old-name.md": doc("Old", id="stable")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit(
        {
            "old-name.md": None,
            "folder/new-name.md": doc("New", "Quite different text " * 20, id="stable"),
        },
        "Move",
        "2024-02-01T09:00:00+00:00",
    )
    document = repo.snapshot().document("stable")
    assert [v.path for v in document.versions] == ["old-name.md", "folder/new-name.md"]
    assert [v.kind for v in document.versions] == ["added", "renamed"]


def test_rename_without_id_follows_git_rename_detection(repo: ManualRepo):
    body = "A long enough body for git to see the rename.\n" * 10
    repo.commit({"old.md": doc("Title", body)}, "Add", "2024-01-01T09:00:00+00:00")
    repo.move("old.md", "new.md", when="2024-02-01T09:00:00+00:00")
    manual = repo.snapshot()
    document = manual.document("new")
    assert [v.path for v in document.versions] == ["old.md", "new.md"]
    assert manual.document("old") is document  # the former id still finds it
    assert len(manual.documents) == 1


def test_id_less_rewrite_and_move_is_a_new_document(repo: ManualRepo):
    repo.commit({"old.md": doc("Old", "one two three")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit(
        {"old.md": None, "new.md": doc("New", "entirely other words here")},
        "Replace",
        "2024-02-01T09:00:00+00:00",
    )
    manual = repo.snapshot()
    assert manual.document("old").latest.kind == "withdrawn"
    assert manual.document("new").latest.kind == "added"


def test_moving_a_document_and_changing_it_in_one_commit(repo: ManualRepo):
    repo.commit({"a.md": doc("A", id="keep")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.git("mv", "procedures/a.md", "procedures/b.md")
    repo.commit(
        {"b.md": doc("A renamed", "New body entirely.", id="keep")},
        "Move and edit",
        "2024-02-01T09:00:00+00:00",
    )
    versions = repo.snapshot().document("keep").versions
    assert [(v.kind, v.path, v.title) for v in versions] == [
        ("added", "a.md", "A"),
        ("renamed", "b.md", "A renamed"),
    ]


def test_bringing_back_a_deleted_id_continues_its_history(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": None}, "Withdraw", "2024-02-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "Back.")}, "Reinstate", "2024-03-01T09:00:00+00:00")
    assert [v.kind for v in repo.snapshot().document("a").versions] == [
        "added",
        "withdrawn",
        "added",
    ]


def test_files_outside_the_root_and_non_documents_are_ignored(repo: ManualRepo):
    repo.commit(
        {
            "a.md": doc("A"),
            "README.md": "# Readme",
            "_templates/x.md": "x",
            "_drafts/b.md": doc("B"),
            "image.png": "not text",
        },
        "Add",
        "2024-01-01T09:00:00+00:00",
    )
    (repo.path / "elsewhere.md").write_text("# Elsewhere")
    repo.commit({}, "Outside", "2024-01-02T09:00:00+00:00")
    assert [d.id for d in repo.snapshot().documents] == ["a"]


def test_title_falls_back_to_heading_then_file_name(repo: ManualRepo):
    repo.commit(
        {
            "a.md": doc(None, "# From heading\n\ntext", title="From front matter"),
            "b.md": doc("From heading"),
            "c-file.md": "No heading at all.\n",
        },
        "Add",
        "2024-01-01T09:00:00+00:00",
    )
    manual = repo.snapshot()
    assert [manual.document(i).latest.title for i in "ab"] == ["From front matter", "From heading"]
    assert manual.document("c-file").latest.title == "c-file"


def test_a_malformed_document_does_not_stop_the_others(repo: ManualRepo):
    repo.commit(
        {"bad.md": "---\ntitle: [unclosed\n---\n# Bad\n", "good.md": doc("Good")},
        "Add",
        "2024-01-01T09:00:00+00:00",
    )
    manual = repo.snapshot()
    assert manual.document("good").latest.title == "Good"
    assert manual.document("bad").latest.meta.problems


def test_binary_and_huge_files_are_not_published_but_reported(repo: ManualRepo):
    (repo.path / "procedures").mkdir()
    (repo.path / "procedures" / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    (repo.path / "procedures" / "huge.md").write_text("# Huge\n" + "word " * 500_000)
    repo.commit({"ok.md": doc("OK")}, "Add", "2024-01-01T09:00:00+00:00")
    manual = repo.snapshot()
    assert [d.id for d in manual.documents] == ["ok"]
    found = {(p.where, p.rule, p.level, p.day) for p in manual.problems}
    assert ("binary.md", "not-utf8", "error", None) in found
    assert ("huge.md", "too-large", "error", None) in found


def test_git_rename_to_a_file_with_another_explicit_id_is_a_new_document(repo: ManualRepo):
    body = "A long enough body for git to see the rename.\n" * 10
    repo.commit({"a.md": doc("A", body, id="first")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.git("mv", "procedures/a.md", "procedures/b.md")
    repo.commit({"b.md": doc("A", body, id="second")}, "Re-id", "2024-02-01T09:00:00+00:00")
    manual = repo.snapshot()
    assert [v.kind for v in manual.document("first").versions] == ["added", "withdrawn"]
    assert [v.kind for v in manual.document("second").versions] == ["added"]


def test_adding_an_id_to_an_id_less_document_keeps_its_history(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", id="pinned")}, "Pin the id", "2024-02-01T09:00:00+00:00")
    manual = repo.snapshot()
    assert [v.kind for v in manual.document("pinned").versions] == ["added", "modified"]
    assert manual.document("a") is manual.document("pinned")


def test_the_manual_can_be_the_whole_repository(repo: ManualRepo):
    (repo.path / "top.md").write_text(doc("Top"))
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    ids = [d.id for d in repo.snapshot(root=".").documents]
    assert ids == ["procedures/a", "top"]


def test_merging_the_main_line_into_a_branch_adds_no_notes(repo: ManualRepo):
    repo.commit({"a.md": doc("A"), "b.md": doc("B")}, "Start", "2024-01-01T09:00:00+00:00")
    repo.branch("review")
    repo.commit(
        {"a.md": doc("A", "Reviewed.")},
        "Review A",
        "2024-02-01T09:00:00+00:00",
        {"Change-Note": "A was reviewed."},
    )
    repo.checkout("main")
    repo.commit({"b.md": doc("B", "Meanwhile.")}, "Change B", "2024-02-02T09:00:00+00:00")
    repo.checkout("review")
    repo.merge("main", when="2024-02-03T09:00:00+00:00", message="Merge branch 'main' into review")
    repo.commit(
        {"a.md": doc("A", "Reviewed twice.")},
        "Tidy",
        "2024-02-04T09:00:00+00:00",
        {"Change-Note": "A was tidied."},
    )
    repo.checkout("main")
    repo.merge("review", when="2024-02-10T09:00:00+00:00")
    manual = repo.snapshot()
    assert [n.text for n in manual.document("a").latest.notes] == [
        "A was reviewed.",
        "A was tidied.",
    ]
    assert [n.text for n in manual.document("b").latest.notes] == ["Change B"]


def squash_merge(
    repo: ManualRepo, branch: str, when: str, message: str | None = None, subject: str = ""
) -> str:
    """``git merge --squash`` and a commit with git's message (listing the branch's commits,
    their messages indented), or with ``message`` written under it; ``subject``: the author's
    own, written above it."""
    repo.git("merge", "--quiet", "--squash", branch)
    squashed = (repo.path / ".git" / "SQUASH_MSG").read_text(encoding="utf-8")
    squashed = f"{subject}\n\n{squashed}" if subject else squashed
    text = squashed if message is None else squashed + message
    repo.git("commit", "--quiet", "--cleanup=strip", "-F", "-", when=when, input_text=text)
    return repo.git("rev-parse", "HEAD")


@pytest.mark.parametrize("subject", ["", "Review of A (#12)"])
def test_a_squash_merge_keeps_its_commits_go_live_and_notes(scheduled: ManualRepo, subject: str):
    """Git's squash message indents each commit's message, so git reads none of their
    trailers: the author's Go-Live was lost and the change went live by the schedule, with the
    subject "Squashed commit of the following:" as its note (exploratory testing). An author's
    own subject above git's listing kept it from being read (review)."""
    scheduled.commit({"a.md": doc("A")}, "Start", "2023-12-02T09:00:00+00:00")
    scheduled.branch("review")
    scheduled.commit({"a.md": doc("A", "x")}, "Review A", "2024-02-01T09:00:00+00:00",
                     {"Change-Note": "A was reviewed.", "Go-Live": "2024-04-01"})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "y")}, "Tidy A", "2024-02-02T09:00:00+00:00",
                     {"Go-Live": "2024-03-01"})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "z")}, "Typo", "2024-02-03T09:00:00+00:00",
                     {"Change-Type": "minor"})  # fmt: skip
    scheduled.checkout("main")
    squash = squash_merge(scheduled, "review", "2024-02-05T09:00:00+00:00", subject=subject)
    manual = scheduled.snapshot()
    latest = manual.document("a").latest
    assert latest.commit == squash
    assert latest.effective == D("2024-04-01")  # (the latest of theirs, not the 14th: schedule)
    assert [n.text for n in latest.notes] == ["A was reviewed.", "Tidy A"]
    assert not latest.minor
    assert not [p for p in manual.problems if p.rule == "unread-trailer"]


def test_a_squash_merge_without_go_live_waits_for_the_schedule(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Start", "2023-12-02T09:00:00+00:00")
    scheduled.branch("review")
    scheduled.commit({"a.md": doc("A", "x")}, "Review A", "2024-01-03T09:00:00+00:00",
                     {"Change-Note": "A was reviewed."})  # fmt: skip
    scheduled.checkout("main")
    squash_merge(scheduled, "review", "2024-03-01T09:00:00+00:00", "\nGo-Live: immediate\n")
    assert go_lives(scheduled.snapshot(), "a")[-1] == "2024-03-01"  # (its own, unindented)
    scheduled.branch("again")
    scheduled.commit({"a.md": doc("A", "y")}, "Again", "2024-03-02T09:00:00+00:00")
    scheduled.checkout("main")
    squash_merge(scheduled, "again", "2024-03-07T09:00:00+00:00")  # (its own date rules)
    latest = scheduled.snapshot().document("a").latest
    assert (latest.effective, [n.text for n in latest.notes]) == (D("2024-04-10"), ["Again"])


def test_a_merge_without_trailers_still_waits_for_the_schedule(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Start", "2023-12-02T09:00:00+00:00")
    scheduled.branch("work")
    scheduled.commit(
        {"a.md": doc("A", "x")}, "Work", "2024-01-03T09:00:00+00:00", {"Change-Note": "Worked on."}
    )
    scheduled.checkout("main")
    scheduled.merge("work", when="2024-03-01T09:00:00+00:00")
    assert go_lives(scheduled.snapshot(), "a")[-1] == "2024-03-13"  # not the merge day


def test_merged_notes_follow_a_rename_made_on_the_main_line(repo: ManualRepo):
    body = "A long enough body for git to see the rename.\n" * 10
    repo.commit({"a.md": doc("Alpha", body)}, "Start", "2024-01-01T09:00:00+00:00")
    repo.branch("feat")
    repo.commit(
        {"a.md": doc("Alpha", body + "More.")},
        "Edit",
        "2024-01-02T09:00:00+00:00",
        {"Change-Note": "Branch note."},
    )
    repo.checkout("main")
    repo.move("a.md", "alpha.md", when="2024-01-03T09:00:00+00:00")
    repo.merge("feat", when="2024-01-04T09:00:00+00:00")
    latest = repo.snapshot().document("alpha").latest
    assert [n.text for n in latest.notes] == ["Branch note."]


def test_a_minor_merge_with_a_go_live_stays_minor(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Start", "2024-01-01T09:00:00+00:00")
    repo.branch("typo")
    repo.commit(
        {"a.md": doc("A", "fixed")}, "Typo", "2024-01-02T09:00:00+00:00", {"Change-Type": "minor"}
    )
    repo.checkout("main")
    repo.merge(
        "typo",
        when="2024-01-03T09:00:00+00:00",
        message="Merge branch 'typo'\n\nGo-Live: 2024-02-01",
    )
    latest = repo.snapshot().document("a").latest
    assert latest.minor
    assert latest.effective == D("2024-02-01")


def test_an_id_less_rename_onto_a_withdrawn_path_keeps_its_own_history(repo: ManualRepo):
    body = "Toolkit text long enough for git to see a rename.\n" * 10
    repo.commit(
        {"neglect.md": doc("Neglect", "Old chapter."), "toolkit.md": doc("Toolkit", body)},
        "Start",
        "2024-01-01T09:00:00+00:00",
    )
    repo.commit({"neglect.md": None}, "Withdraw", "2024-02-01T09:00:00+00:00")
    repo.move("toolkit.md", "neglect.md", when="2024-03-01T09:00:00+00:00")
    manual = repo.snapshot()
    moved = manual.document("neglect")
    assert [v.title for v in moved.versions] == ["Toolkit", "Toolkit"]
    assert len(manual.documents) == 2


def test_duplicate_ids_do_not_fake_a_withdrawal(repo: ManualRepo):
    repo.commit(
        {"one.md": doc("One", id="x"), "two.md": doc("Two", id="x")},
        "Start",
        "2024-01-01T09:00:00+00:00",
    )
    repo.commit({"one.md": None}, "Drop one", "2024-02-01T09:00:00+00:00")
    repo.commit({"two.md": doc("Two", "edited", id="x")}, "Edit two", "2024-03-01T09:00:00+00:00")
    manual = repo.snapshot()
    two = next(d for d in manual.documents if d.latest.title == "Two")
    assert [v.kind for v in two.versions] == ["added", "modified"]
    assert not two.latest.withdrawn


def test_an_id_taken_by_a_second_file_in_a_later_commit_is_a_new_document(repo: ManualRepo):
    """The live document keeps its id's history: the second file is another document, new,
    and never reads as the first one renamed (review found the walker's test of which keys
    are live untested but through the same commit)."""
    repo.commit({"a.md": doc("A", id="x")}, "Add A", "2024-01-02T09:00:00+00:00")
    repo.commit({"b.md": doc("B", "Two.", id="x")}, "Add B", "2024-01-05T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "Edited.", id="x")}, "Edit A", "2024-01-09T09:00:00+00:00")
    manual = repo.snapshot()
    assert sorted((d.latest.title, [v.kind for v in d.versions]) for d in manual.documents) == [
        ("A", ["added", "modified"]),
        ("B", ["added"]),
    ]
    assert [(e.title, e.change, e.renamed) for r in manual.releases for e in r.entries] == [
        ("A", "new", False),
        ("B", "new", False),
        ("A", "updated", False),
    ]


def test_a_pointer_left_behind_does_not_take_over_a_moved_chapter(repo: ManualRepo):
    repo.commit(
        {"referrals.md": doc("Referrals", "The procedure.", id="referrals")},
        "Start",
        "2024-01-01T09:00:00+00:00",
    )
    repo.commit(
        {
            "social-care/referrals.md": doc("Referrals", "The procedure.", id="referrals"),
            "referrals.md": "This chapter has moved.\n",
        },
        "Move",
        "2024-02-01T09:00:00+00:00",
    )
    manual = repo.snapshot()
    chapter = manual.document("referrals")
    assert [v.path for v in chapter.versions] == ["referrals.md", "social-care/referrals.md"]


def test_symlinks_and_submodules_are_not_documents(repo: ManualRepo):
    repo.commit({"real.md": doc("Real")}, "Start", "2024-01-01T09:00:00+00:00")
    (repo.path / "procedures" / "alias.md").symlink_to("real.md")
    repo.commit({}, "Link", "2024-01-02T09:00:00+00:00")
    assert [d.id for d in repo.snapshot().documents] == ["real"]


def test_a_bad_go_live_is_reported_once_per_commit(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A"), "b.md": doc("B"), "c.md": doc("C")},
        "Add",
        "2024-01-01T09:00:00+00:00",
        {"Go-Live": "soon"},
    )
    problems = repo.snapshot().problems
    assert len(problems) == 1 and problems[0].day == D("2024-01-01")


def test_a_commit_a_week_after_a_leap_day_with_a_schedule(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-03-07T10:00:00+00:00")
    assert go_lives(scheduled.snapshot(), "a") == ["2024-04-10"]


def test_a_time_zone_in_the_schedule_rule_is_ignored(repo: ManualRepo):
    settings = (
        '[releases]\nschedule = "DTSTART;TZID=Europe/London:20240101T090000\\n'
        'RRULE:FREQ=MONTHLY;BYDAY=2WE"\ncutoff_days = 7\n'
    )
    repo.commit({"manual.toml": settings, "a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    assert go_lives(repo.snapshot(), "a") == ["2024-01-10"]


def test_user_git_settings_do_not_change_what_is_read(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.git("config", "log.showRoot", "false")
    repo.git("config", "i18n.logOutputEncoding", "ISO-8859-1")
    repo.commit({"a.md": doc("A", "Café")}, "Café au lait", "2024-01-02T09:00:00+00:00")
    versions = repo.snapshot().document("a").versions
    assert [v.note for v in versions] == ["Add", "Café au lait"]


def test_a_commit_message_that_is_not_utf8(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    (repo.path / "procedures" / "a.md").write_text(doc("A", "x"))
    repo.git("add", "-A")
    tree = repo.git("write-tree")
    parent = repo.git("rev-parse", "HEAD")
    import subprocess

    sha = (
        subprocess.run(
            ["git", "commit-tree", tree, "-p", parent],
            cwd=repo.path,
            check=True,
            capture_output=True,
            input=b"Caf\xe9 en latin-1\n",
        )
        .stdout.decode()
        .strip()
    )
    repo.git("reset", "--hard", sha)
    # git reads a message that is not UTF-8 as Latin-1; either way nothing breaks.
    assert repo.snapshot().document("a").latest.note in {"Café en latin-1", "Caf\ufffd en latin-1"}


def test_sha256_repositories(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "s256").mkdir()
    builder = ManualRepo(tmp_path / "s256", object_format="sha256")
    settings = (
        '[manual]\nshort_name = "X"\n[releases]\n'
        'schedule = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE"\ncutoff_days = 7\n'
    )
    builder.commit(
        {"manual.toml": settings, "a.md": doc("A", "Text.")}, "Add", "2024-01-03T09:00:00+00:00"
    )
    manual = builder.snapshot()
    version = manual.document("a").latest
    assert len(version.commit) == 64
    assert version.effective == D("2024-01-10")
    assert manual.config.short_name == "X"
    assert "Text." in builder.open().texts.of(version)


@pytest.mark.parametrize(
    ("when", "local_day", "goes_live"),
    [
        ("2024-07-02T23:30:00+00:00", "2024-07-03", "2024-07-10"),  # 00:30 BST: makes the cut-off
        ("2024-07-03T22:59:00+00:00", "2024-07-03", "2024-07-10"),  # 23:59 BST: the last minute
        ("2024-07-03T23:30:00+00:00", "2024-07-04", "2024-08-14"),  # 00:30 BST next day: misses
    ],
)
def test_cutoff_boundary_is_judged_on_the_local_date(
    scheduled: ManualRepo, when: str, local_day: str, goes_live: str
):
    """The cut-off (release 10 July 2024, 7 days) counts the commit's date in London (BST)."""
    scheduled.commit({"a.md": doc("A")}, "Add A", when)
    version = scheduled.snapshot().document("a").latest
    assert version.committed.date() == D(local_day)
    assert version.declared.source == "schedule"
    assert version.effective == D(goes_live)


@pytest.mark.parametrize(
    ("x_extra", "p_extra", "paired_by_git"),
    [
        ("", "", "x.md"),  # same bodies: git pairs x.md with new.md
        ("\nOnly in X: a line.", "\nOnly in P: a line.", "p.md"),  # git pairs p.md with new.md
    ],
    ids=["git-pairs-x", "git-pairs-p"],
)
def test_an_explicit_id_beats_gits_rename_pairing(
    repo: ManualRepo, x_extra: str, p_extra: str, paired_by_git: str
):
    """Delete x.md (id x) and move id-less p.md to new.md with id x: new.md continues x."""
    shared = "\n".join(f"Line {n} of the shared procedure text." for n in range(1, 6))
    repo.commit(
        {"x.md": doc("X", shared + x_extra, id="x"), "p.md": doc("P", shared + p_extra)},
        "Start",
        "2024-01-01T09:00:00+00:00",
    )
    repo.git("rm", "--quiet", "procedures/x.md")
    repo.git("mv", "procedures/p.md", "procedures/new.md")
    repo.commit({"new.md": doc("P", shared + p_extra, id="x")}, "Swap", "2024-02-01T09:00:00+00:00")
    raw = repo.git("log", "-1", "-M", "--raw", "--format=")
    assert f"procedures/{paired_by_git}\tprocedures/new.md" in raw  # git paired as intended

    manual = repo.snapshot()
    x = manual.document("x")
    assert [(v.kind, v.path, v.title) for v in x.versions] == [
        ("added", "x.md", "X"),
        ("renamed", "new.md", "P"),
    ]
    p = manual.document("p")
    assert p is not x
    assert [(v.kind, v.path) for v in p.versions] == [("added", "p.md"), ("withdrawn", "p.md")]
    assert len(manual.documents) == 2
    entries = manual.release(D("2024-02-01")).entries
    assert sorted((e.id, e.change) for e in entries) == [("p", "withdrawn"), ("x", "updated")]


def test_merging_main_into_a_branch_that_touched_the_same_document_adds_no_merge_note(
    scheduled: ManualRepo,
):
    """Main merged into a branch, both editing a.md, then the branch merged back: no merge note."""
    paragraphs = [f"Paragraph {n}." for n in range(1, 9)]

    def text(first: str, last: str) -> str:
        return doc("A", "\n\n".join([first, *paragraphs[1:-1], last]))

    scheduled.commit(
        {"a.md": text("Paragraph 1.", "Paragraph 8.")}, "Start", "2024-02-01T09:00:00+00:00"
    )
    scheduled.branch("review")
    scheduled.commit(
        {"a.md": text("Paragraph 1.", "Reviewed ending.")},
        "Review A",
        "2024-02-20T09:00:00+00:00",
        {"Change-Note": "A was reviewed."},
    )
    scheduled.checkout("main")
    scheduled.commit(
        {"a.md": text("New contact number.", "Paragraph 8.")},
        "Fix the contact number",
        "2024-02-21T09:00:00+00:00",
    )
    scheduled.checkout("review")
    back = scheduled.merge(
        "main", when="2024-02-22T09:00:00+00:00", message="Merge branch 'main' into review"
    )
    assert scheduled.git("diff", "--name-only", f"{back}^1", back) == "procedures/a.md"
    scheduled.checkout("main")
    merge = scheduled.merge("review", when="2024-02-23T09:00:00+00:00")

    manual = scheduled.snapshot()
    versions = manual.document("a").versions
    assert versions[-1].commit == merge
    assert [n.text for n in versions[-1].notes] == ["A was reviewed."]
    assert not any("Merge branch" in n.text for v in versions for n in v.notes)
    (entry,) = [e for e in manual.release(D("2024-03-13")).entries if e.id == "a"]
    assert [n.text for n in entry.notes] == ["Fix the contact number", "A was reviewed."]


@pytest.mark.reliability("repositories read")
@pytest.mark.parametrize(
    ("trailers", "goes_live", "source"),
    [
        ({"Go-Live": "2024-09-09"}, "2024-09-16", "merge"),  # explicit but passed: the merge day
        ({"Go-Live": "2024-10-30"}, "2024-10-30", "trailer"),  # explicit and later: kept
        ({}, "2024-10-09", "schedule"),  # none: the schedule from the merge day (16 + 7 -> 9 Oct)
    ],
)
def test_a_merged_branch_go_live_against_the_schedule(
    scheduled: ManualRepo, trailers: dict[str, str], goes_live: str, source: str
):
    """SPEC §3: an author's Go-Live on a branch is never overridden by the schedule at merge."""
    scheduled.commit({"a.md": doc("A")}, "Start", "2024-08-01T09:00:00+01:00")
    scheduled.branch("work")
    scheduled.commit(
        {"a.md": doc("A", "Changed.")}, "Change A", "2024-09-02T09:00:00+01:00", trailers
    )
    scheduled.checkout("main")
    merge = scheduled.merge("work", when="2024-09-16T10:00:00+01:00")
    latest = scheduled.snapshot().document("a").latest
    assert latest.commit == merge
    assert (latest.effective, latest.declared.source) == (D(goes_live), source)


def test_history_text_shows_a_move_made_while_archiving(repo: ManualRepo):
    text = "\n\n".join(f"Paragraph {n} of the chapter." for n in range(12))
    repo.commit({"a.md": doc("A", text)}, "Add", "2024-01-01T09:00:00+00:00")
    (repo.path / "procedures" / "archive").mkdir()
    repo.git("mv", "procedures/a.md", "procedures/archive/a.md")
    archived = doc("A", text, status="archived")
    repo.commit({"archive/a.md": archived}, "Archive A", "2024-02-01T09:00:00+00:00")
    document = repo.snapshot().document("a")
    assert [(v.kind, v.path) for v in document.versions] == [
        ("added", "a.md"),
        ("withdrawn", "archive/a.md"),
    ]
    assert "path: archive/a.md" in history_text(document, D("2024-03-01"))


FIRST_MONDAY = '[releases]\nschedule = "DTSTART:20240601\\nRRULE:FREQ=MONTHLY;BYDAY=1MO"\n'


def test_a_new_schedule_dates_only_the_changes_made_under_it(scheduled: ManualRepo):
    """A partnership that moves its release day keeps the releases it has had: each change is
    dated by the release rules committed when it was made (an exploratory tester's case: the
    new rule starting in June took away January's and March's releases)."""
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-01-01T10:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "Two.")}, "Two", "2024-02-20T10:00:00+00:00")
    scheduled.commit({"manual.toml": FIRST_MONDAY}, "First Mondays", "2024-06-01T10:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "Three.")}, "Three", "2024-06-05T10:00:00+00:00")
    manual = scheduled.snapshot()
    assert go_lives(manual, "a") == ["2024-01-10", "2024-03-13", "2024-07-01"]
    assert [r.date for r in manual.releases] == [D("2024-01-10"), D("2024-03-13"), D("2024-07-01")]
    assert manual.problems == ()


def test_changes_before_the_first_settings_take_their_schedule(repo: ManualRepo):
    """A manual kept in git before the tracker was taken up: the schedule written down then
    describes the history before it too (docs/decisions.md: ``tracker init``)."""
    repo.commit({"a.md": doc("A")}, "Add", "2023-11-20T10:00:00+00:00")
    repo.commit({"manual.toml": SCHEDULE}, "Settings", "2023-12-01T10:00:00+00:00")
    repo.commit({"b.md": doc("B")}, "Add B", "2024-02-01T10:00:00+00:00")
    manual = repo.snapshot()
    assert (go_lives(manual, "a"), go_lives(manual, "b")) == (["2024-01-10"], ["2024-02-14"])


def test_a_schedule_taken_away_leaves_later_changes_going_live_when_made(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-01-01T10:00:00+00:00")
    scheduled.commit({"manual.toml": None}, "No settings", "2024-03-01T10:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "Two.")}, "Two", "2024-03-04T10:00:00+00:00")
    assert go_lives(scheduled.snapshot(), "a") == ["2024-01-10", "2024-03-04"]


def test_settings_that_cannot_be_read_keep_the_schedule_before_them(scheduled: ManualRepo):
    """Broken settings committed and mended later: the changes made meanwhile are dated by the
    schedule before them, and that is said (the head's must be readable, or nothing is)."""
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-01-01T10:00:00+00:00")
    broken = scheduled.commit({"manual.toml": "[releases\n"}, "Oops", "2024-02-01T10:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "Two.")}, "Two", "2024-02-02T10:00:00+00:00")
    scheduled.commit({"manual.toml": FIRST_MONDAY}, "Mended", "2024-06-01T10:00:00+00:00")
    manual = scheduled.snapshot()
    assert go_lives(manual, "a") == ["2024-01-10", "2024-02-14"]
    (problem,) = manual.problems
    assert (problem.rule, problem.level, problem.where) == (
        "settings-unread",
        "warning",
        f"commit {broken[:10]}",
    )
    assert "manual.toml is not valid TOML" in problem.message
    assert "so the release schedule before it dated this commit's changes" in problem.message


def test_the_first_settings_unreadable_are_said_to_leave_the_newest_readable_in_force(
    repo: ManualRepo,
):
    """Unreadable in the first commit: "the release schedule before it" named none; the
    newest readable settings dated its changes, as they date commits before any settings."""
    first = repo.commit({"a.md": doc("A"), "manual.toml": "[releases\n"}, "Add",
                        "2024-01-01T10:00:00+00:00")  # fmt: skip
    repo.commit({"manual.toml": SCHEDULE}, "Mended", "2024-02-01T10:00:00+00:00")
    manual = repo.snapshot()
    assert go_lives(manual, "a") == ["2024-01-10"]
    (problem,) = manual.problems
    assert problem.where == f"commit {first[:10]}"
    assert "so the newest readable settings' release schedule dated this commit's" in (
        problem.message
    )


def test_a_schedule_that_has_ended_is_said(repo: ManualRepo):
    ends = (
        '[releases]\nschedule = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE;UNTIL=20240301"\n'
    )
    repo.commit({"manual.toml": ends, "a.md": doc("A")}, "Add", "2024-01-01T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "Two.")}, "Two", "2024-10-01T12:00:00+00:00")
    last = repo.commit({"a.md": doc("A", "Three.")}, "Three", "2024-11-05T12:00:00+00:00")
    repo.commit({"a.md": doc("A", "Four.")}, "Four", "2024-11-06T12:00:00+00:00",
                {"Go-Live": "2024-12-01"})  # fmt: skip
    manual = repo.snapshot()
    assert go_lives(manual, "a") == ["2024-01-10", "2024-10-01", "2024-11-05", "2024-12-01"]
    (problem,) = manual.problems
    assert (problem.rule, problem.where, problem.day) == (
        "schedule-ended",
        "manual.toml",
        D("2024-11-05"),
    )
    assert "since 2024-10-01" in problem.message and last[:10] in problem.message


def test_a_merged_branchs_own_days_are_not_said_to_have_gone_live_when_the_schedule_ended(
    repo: ManualRepo,
):
    """A branch's commits go live as their merge does, not on their own days: a schedule that
    had ended is said of the merges and the tracked branch's own commits only (review: a
    branch merged with a Go-Live was said to have gone live on its commit's day)."""
    ends = (
        '[releases]\nschedule = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE;UNTIL=20240301"\n'
    )
    repo.commit({"manual.toml": ends, "a.md": doc("A")}, "Add", "2024-01-01T10:00:00+00:00")
    repo.branch("feat")
    repo.commit({"a.md": doc("A", "Two.")}, "Two", "2024-10-01T12:00:00+00:00")
    repo.checkout("main")
    repo.merge("feat", "2024-10-20T12:00:00+00:00", "Merge branch 'feat'\n\nGo-Live: 2024-12-01")
    manual = repo.snapshot()
    assert go_lives(manual, "a") == ["2024-01-10", "2024-12-01"]
    assert manual.problems == ()
    repo.branch("later")
    repo.commit({"a.md": doc("A", "Three.")}, "Three", "2024-11-01T12:00:00+00:00")
    repo.checkout("main")
    merged = repo.merge("later", "2024-11-10T12:00:00+00:00", "Merge branch 'later'")
    manual = repo.snapshot()
    (problem,) = manual.problems
    assert (problem.rule, problem.day) == ("schedule-ended", D("2024-11-10"))
    assert "since 2024-11-10" in problem.message and merged[:10] in problem.message


@pytest.mark.parametrize(
    "message",
    [
        "Merge branch 'main' into feat",  # git, and GitHub's "Update branch"
        "Merge branch 'main' of https://example.org/manual.git into feat",  # git pull
        "Merge remote-tracking branch 'origin/main' into feat",
        "Merge branch 'main' into 'feat'",  # GitLab
    ],
)
def test_the_tracked_branch_moved_on_to_a_branch_it_was_merged_into_is_an_error(
    repo: ManualRepo, message: str
):
    """An exploratory tester's case: main merged into a branch ("update branch"), and main then
    fast-forwarded to it. main's urgent fix, in force from 10 January, is now work the branch
    merged on 20 February; git's history cannot say otherwise, so check does."""
    repo.commit({"b.md": doc("B", "Old.")}, "Start", "2024-01-01T10:00:00+00:00")
    repo.branch("feat")
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-05T10:00:00+00:00")
    repo.checkout("main")
    fix = repo.commit({"b.md": doc("B", "Urgent.")}, "Urgent", "2024-01-10T10:00:00+00:00")
    assert go_lives(repo.snapshot(), "b") == ["2024-01-01", "2024-01-10"]
    repo.checkout("feat")
    merge = repo.merge("main", "2024-02-20T10:00:00+00:00", message)
    repo.checkout("main")
    repo.git("merge", "--quiet", "--ff-only", "feat")
    manual = repo.snapshot()
    assert go_lives(manual, "b") == ["2024-01-01", "2024-02-20"]  # (what git's history says)
    (problem,) = manual.problems
    assert (problem.rule, problem.level, problem.where) == (
        "branch-replaced",
        "error",
        f"commit {merge[:10]}",
    )
    assert f"move 'main' back to {fix[:10]}" in problem.message


@pytest.mark.parametrize(
    "message",
    [
        "Merge branch 'main' of https://example.org/manual.git",
        "Merge remote-tracking branch 'origin/main'",
    ],
)
def test_git_pull_on_the_tracked_branch_that_made_a_merge_is_an_error(
    repo: ManualRepo, message: str
):
    """Two authors pushing to main: B's `git pull` (no --rebase) made a merge whose first
    parent is B's commit, so A's change, pushed and live since 14 February, became work merged
    on 5 March, its release gone, with nothing said (exploratory testing of history shapes)."""
    repo.commit({"manual.toml": SCHEDULE, "a.md": doc("A"), "b.md": doc("B")}, "Start",
                "2024-01-02T10:00:00+00:00", {"Go-Live": "immediate"})  # fmt: skip
    repo.branch("b-local")  # (B's clone, before A pushed)
    repo.checkout("main")
    pushed = repo.commit({"a.md": doc("A", "X change.")}, "A's change", "2024-02-01T10:00:00+00:00")
    assert go_lives(repo.snapshot(), "a") == ["2024-01-02", "2024-02-14"]
    repo.checkout("b-local")
    repo.commit({"b.md": doc("B", "Y change.")}, "B's change", "2024-02-20T10:00:00+00:00")
    merge = repo.merge("main", "2024-03-05T10:00:00+00:00", message)
    repo.checkout("main")
    repo.git("merge", "--quiet", "--ff-only", "b-local")  # (B pushes)
    manual = repo.snapshot()
    assert go_lives(manual, "a") == ["2024-01-02", "2024-03-13"]  # (what git's history says)
    (problem,) = manual.problems
    assert (problem.rule, problem.level, problem.where) == (
        "branch-replaced",
        "error",
        f"commit {merge[:10]}",
    )
    assert problem.message.startswith(f"merged '{message.split(chr(39))[1]}' into 'main' itself")
    assert f"move 'main' back to {pushed[:10]} (git push --force-with-lease origin " in (
        problem.message
    )


@pytest.mark.parametrize(
    "message",
    [
        "Merge branch 'feat'",
        "Merge branch 'feat' into main",
        "Merge branch 'main' into main",
        "Merge pull request #4 from partnership/main",
    ],
)
def test_merges_into_the_tracked_branch_are_not_an_error(repo: ManualRepo, message: str):
    repo.commit({"b.md": doc("B")}, "Start", "2024-01-01T10:00:00+00:00")
    repo.branch("feat")
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-05T10:00:00+00:00")
    repo.checkout("main")
    repo.merge("feat", "2024-02-20T10:00:00+00:00", message)
    assert repo.snapshot().problems == ()


@pytest.mark.parametrize(
    ("branch", "subject", "said"),
    [
        ("origin/main", "Merge branch 'main' into feat", True),  # (tracked as a remote's)
        ("origin/main", "Merge remote-tracking branch 'origin/main' into feat", True),
        ("origin/main", "Merge branch 'feat' into main", False),
        ("release/2024", "Merge branch 'release/2024' into fixes", True),
        ("release/2024", "Merge branch 'main' into release/2024", False),
        ("HEAD", "Merge branch 'main' into feat", False),  # (detached: any branch, review)
        ("", "Merge branch 'main' into feat", False),
        # "git pull" on the tracked branch itself: a merge whose second parent is the branch
        # as it was pushed (exploratory testing of history shapes)
        ("main", "Merge branch 'main' of https://example.org/procedures", True),
        ("main", "Merge remote-tracking branch 'origin/main'", True),
        ("live", "Merge branch 'live' of https://example.org/procedures into live", True),
        ("main", "Merge branch 'fix/main'", False),  # (another branch, of a name like it)
        ("main", "Merge branch 'feature'", False),
        ("main", "Merge remote-tracking branch 'origin/fix/main'", False),  # (review)
        ("origin/main", "Merge branch 'main' of https://example.org/procedures", True),
        ("origin/main", "Merge remote-tracking branch 'upstream/main'", True),  # (second review)
        ("main", "Merge remote-tracking branch 'origin/jo/main' into main", False),
        ("release/2024", "Merge remote-tracking branch 'origin/2024'", False),
        ("release/2024", "Merge branch '2024' of https://example.org/p into release/2024", False),
    ],
)
def test_which_merges_replaced_the_tracked_branch(branch: str, subject: str, said: bool):
    from zoneinfo import ZoneInfo

    from tracker.history.walk import replaced_branch
    from tracker.repository.parse import RawCommit

    merge = RawCommit("1" * 40, ("2" * 40, "3" * 40), 1_700_000_000, "A", subject, (), ())
    found = replaced_branch(merge, branch, ZoneInfo("Europe/London"))
    assert bool(found) is said
    if found and branch == "origin/main":  # (no push to a branch named "origin/main")
        assert "origin/main" in found[0].message and ":origin/main" not in found[0].message


def test_several_notes_of_a_version_or_a_day_read_as_sentences(repo: ManualRepo):
    """A merge's notes (commit subjects, with no full stops) ran together in ``tracker
    history`` and ``tracker releases`` as they did in the newsletter (review)."""
    from tracker.publish.views import releases_text

    repo.commit({"a.md": doc("A")}, "Start", "2024-01-01T10:00:00+00:00")
    repo.branch("work")
    repo.commit({"a.md": doc("A", "x")}, "Fix the phone number", "2024-01-02T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "y")}, "Is it right now?", "2024-01-03T10:00:00+00:00")
    repo.checkout("main")
    repo.merge("work", "2024-01-04T10:00:00+00:00")
    manual = repo.snapshot()
    said = "Fix the phone number. Is it right now?"
    assert said in history_text(manual.document("a"), D("2024-02-01"))
    assert f"A: {said}" in releases_text(manual, D("2024-02-01"))
    assert "A: Start\n" in releases_text(manual, D("2024-02-01"))  # (one note: as written)


def test_a_message_quoting_git_log_is_no_squash(repo: ManualRepo):
    """A commit restoring what another removed quoted it as ``git log`` shows it: read as a
    squash, the author's minor edit took the quoted commit's note and was not minor (review)."""
    repo.commit({"a.md": doc("A")}, "Start", "2024-01-01T10:00:00+00:00")
    body = ("This puts back what this commit removed by mistake:\n\n"
            f"commit {'8' * 40}\nAuthor: G <g@example.org>\n\n    Revise stages\n\n"
            "    Change-Note: The stages were revised.")  # fmt: skip
    repo.commit({"a.md": doc("A", "Back.")}, "Restore the wording", "2024-01-02T10:00:00+00:00",
                {"Change-Type": "minor"}, body=body)  # fmt: skip
    latest = repo.snapshot().document("a").latest
    assert latest.minor and [n.text for n in latest.notes] == ["Restore the wording"]


def test_a_merge_among_a_squash_merges_commits_lends_no_note(scheduled: ManualRepo):
    """A branch that had merged another, squashed: its "Merge branch 'sub' into feat" was a
    note in the newsletter (exploratory testing); as on the branch, a merge counts only with
    trailers of its own."""
    scheduled.commit({"a.md": doc("A")}, "Start", "2023-12-02T09:00:00+00:00")
    scheduled.branch("feat")
    scheduled.commit({"a.md": doc("A", "x")}, "Alpha two", "2024-02-01T09:00:00+00:00")
    scheduled.branch("sub")
    scheduled.commit({"b.md": doc("B")}, "Beta two", "2024-02-02T09:00:00+00:00")
    scheduled.checkout("feat")
    scheduled.commit({"c.md": doc("C")}, "Gamma", "2024-02-02T10:00:00+00:00")
    scheduled.merge("sub", "2024-02-03T09:00:00+00:00", "Merge branch 'sub' into feat")
    scheduled.checkout("main")
    squash_merge(scheduled, "feat", "2024-02-05T09:00:00+00:00")
    notes = [n.text for n in scheduled.snapshot().document("a").latest.notes]
    assert notes == ["Alpha two", "Beta two", "Gamma"]


def test_a_squashed_commits_go_live_is_measured_from_its_own_day(scheduled: ManualRepo):
    """Each squashed commit was dated by the squash, so a Go-Live it gave for a day between its
    own and the squash's was called back-dated (exploratory testing): git's listing dates it."""
    scheduled.commit({"a.md": doc("A")}, "Start", "2023-12-02T09:00:00+00:00")
    scheduled.branch("feat")
    scheduled.commit({"a.md": doc("A", "x")}, "Edit", "2024-02-01T09:00:00+00:00",
                     {"Go-Live": "2024-02-03", "Change-Note": "Edited."})  # fmt: skip
    scheduled.checkout("main")
    squash_merge(scheduled, "feat", "2024-02-05T09:00:00+00:00")
    latest = scheduled.snapshot().document("a").latest
    assert latest.effective == D("2024-02-05")  # (never before the squash: as a merge)
    assert not [reason for reason in latest.reasons if reason.startswith("back-dated")]


def test_a_back_dated_go_live_on_a_merged_branch_is_said(scheduled: ManualRepo):
    """A Go-Live before its own commit's day, on a branch merged later, went live with the
    merge (rightly) without a word, where the same trailer on the main line is reported
    (exploratory testing)."""
    scheduled.commit({"a.md": doc("A")}, "Start", "2023-12-02T09:00:00+00:00")
    scheduled.branch("feat")
    scheduled.commit({"a.md": doc("A", "x")}, "Edit", "2024-10-04T09:00:00+01:00",
                     {"Go-Live": "2024-10-01", "Change-Note": "Edited."})  # fmt: skip
    scheduled.checkout("main")
    scheduled.merge("feat", "2024-10-25T09:00:00+01:00", "Merge feat")
    latest = scheduled.snapshot().document("a").latest
    assert latest.effective == D("2024-10-25")
    assert latest.reasons == (
        "back-dated: Go-Live 2024-10-01 is before the commit, so it went live when merged",
    )


def test_a_back_dated_go_live_on_a_branch_is_said_beside_a_later_one(scheduled: ManualRepo):
    """Only the latest Go-Live of the branch's commits said whether it was back-dated: one
    back-dated beside a later (but passed) date went unsaid (exploratory testing, oracle)."""
    scheduled.commit({"a.md": doc("A")}, "Start", "2024-04-01T12:00:00+00:00")
    scheduled.branch("feat")
    scheduled.commit({"a.md": doc("A", "v2")}, "Alpha", "2024-04-20T12:00:00+00:00",
                     {"Go-Live": "2024-04-01"})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "v3")}, "Beta", "2024-04-21T12:00:00+00:00",
                     {"Go-Live": "2024-04-25"})  # fmt: skip
    scheduled.checkout("main")
    scheduled.merge("feat", "2024-05-10T12:00:00+00:00", "Merge feat")
    latest = scheduled.snapshot().document("a").latest
    assert latest.effective == D("2024-05-10")
    assert latest.reasons == (
        "back-dated: Go-Live 2024-04-01 is before the commit, so it went live when merged",
    )


@pytest.mark.parametrize(
    ("trailers", "minor", "notes"),
    [
        ({"Change-Type": "minor"}, True, ["Fix typo"]),
        ({"Change-Note": "Practitioners must now refer within a day."}, False,
         ["Practitioners must now refer within a day."]),
    ],
)  # fmt: skip
def test_a_merge_within_a_merged_branch_lends_what_a_merge_lends(
    repo: ManualRepo, trailers: dict[str, str], minor: bool, notes: list[str]
):
    """A sub-branch merged into a branch with a Go-Live, then the branch into main: the inner
    merge's subject "Merge branch 'typo' into feature" was a note in the newsletter, and it
    made a typo fix an update (exploratory testing, oracle); as the outer merge, it lends its
    Go-Live, and a note only when it has a Change-Note."""
    repo.commit({"a.md": doc("A", "You must refer.")}, "Add", "2024-05-01T12:00:00+00:00")
    repo.branch("feature")
    repo.branch("typo")
    repo.commit({"a.md": doc("A", "You must refer!")}, "Fix typo", "2024-05-02T12:00:00+00:00",
                trailers)  # fmt: skip
    repo.checkout("feature")
    repo.merge("typo", "2024-05-03T12:00:00+00:00",
               "Merge branch 'typo' into feature\n\nGo-Live: 2024-05-20")  # fmt: skip
    repo.checkout("main")
    repo.merge("feature", "2024-05-04T12:00:00+00:00", "Merge branch 'feature'")
    latest = repo.snapshot().document("a").latest
    assert (latest.minor, [n.text for n in latest.notes]) == (minor, notes)
    assert latest.effective == D("2024-05-20")


def branches_on_b(repo: ManualRepo, *names: str) -> None:
    """a.md and b.md on main, then each branch made from the one before, with a commit of its
    own to b.md only (a day apart from 1 May 2024)."""
    repo.commit({"a.md": doc("A", "You must refer."), "b.md": doc("B")}, "Add",
                "2024-05-01T09:00:00+00:00")  # fmt: skip
    for day, name in enumerate(names, 1):
        repo.branch(name)
        repo.commit({"b.md": doc("B", name)}, f"{name} on b", f"2024-05-0{day}T10:00:00+00:00")


def merge_editing(repo: ManualRepo, branch: str, text: str | None, message: str, when: str):
    """Merge a branch, committing a.md as ``text`` in the merge (a conflict resolved there)."""
    repo.git("merge", "--no-ff", "--no-commit", branch, when=when)
    if text is not None:
        (repo.path / ROOT / "a.md").write_text(doc("A", text))
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, when=when)


def test_a_change_made_only_in_a_merge_within_the_branch_is_no_editorial_fix(repo: ManualRepo):
    """A conflict resolved in a merge of a sub-branch, that merge carrying a Go-Live: it alone
    changed the chapter, and lending only what a merge lends made the change minor, left out
    of the newsletter (review). It lends what it says, as a merge no commit touched beside."""
    branches_on_b(repo, "feature", "typo")
    repo.checkout("feature")
    merge_editing(repo, "typo", "You must refer within a day.",
                  "Merge branch 'typo' into feature\n\nGo-Live: 2024-05-20",
                  "2024-05-03T12:00:00+00:00")  # fmt: skip
    repo.checkout("main")
    repo.merge("feature", "2024-05-04T12:00:00+00:00", "Merge branch 'feature'")
    latest = repo.snapshot().document("a").latest
    assert not latest.minor
    assert [n.text for n in latest.notes] == ["Merge branch 'typo' into feature"]
    assert latest.effective == D("2024-05-20")


def test_a_minor_change_carried_by_a_merge_with_a_go_live_stays_minor(repo: ManualRepo):
    """A merge deeper in the branch made the change and said Change-Type: minor; the merge
    that carried it on with a Go-Live only said when. Taken as what it says, git's subject of
    that merge went to the newsletter as an update (second review)."""
    branches_on_b(repo, "feature", "typo", "fix")
    repo.checkout("typo")
    merge_editing(repo, "fix", "You must refer!", "Merge branch 'fix' into typo\n\nChange-Type: minor",
                  "2024-05-04T12:00:00+00:00")  # fmt: skip
    repo.checkout("feature")
    merge_editing(repo, "typo", None, "Merge branch 'typo' into feature\n\nGo-Live: 2024-05-20",
                  "2024-05-05T12:00:00+00:00")  # fmt: skip
    repo.checkout("main")
    repo.merge("feature", "2024-05-06T12:00:00+00:00", "Merge branch 'feature'")
    latest = repo.snapshot().document("a").latest
    assert latest.minor and latest.effective == D("2024-05-20")
    assert [n.text for n in latest.notes] == ["Merge branch 'feature'"]  # (a note, in history)


def test_of_two_go_lives_the_last_valid_one_is_taken(scheduled: ManualRepo):
    """A date, then a word that is no date: the word was taken, ignored, and the schedule put
    the change live three weeks before the only date the author gave (exploratory testing)."""
    scheduled.commit({"a.md": doc("A")}, "Start", "2023-12-02T09:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "x")}, "Edit", "2024-10-20T09:00:00+01:00",
                     [("Go-Live", "2024-12-04"), ("Go-Live", "soon")])  # fmt: skip
    snapshot = scheduled.snapshot()
    assert snapshot.document("a").latest.effective == D("2024-12-04")
    said = [(p.rule, p.message) for p in snapshot.problems if p.rule.startswith("go-live")]
    assert said == [
        ("go-live-invalid", "has 'Go-Live: soon', which is neither a date (YYYY-MM-DD) nor "
         "'immediate', so it was ignored"),
        ("go-live-twice", "has 2 Go-Live trailers (2024-12-04, soon); the last valid one, "
         "2024-12-04, was taken"),
    ]  # fmt: skip


def main_merged_into_feat_then_detached(repo: ManualRepo) -> None:
    """main merged into feat, which main could then move on to; checked out detached, as CI."""
    repo.commit({"b.md": doc("B", "Old.")}, "Start", "2024-01-01T10:00:00+00:00")
    repo.branch("feat")
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-05T10:00:00+00:00")
    repo.checkout("main")
    repo.commit({"b.md": doc("B", "Urgent.")}, "Urgent", "2024-01-10T10:00:00+00:00")
    repo.checkout("feat")
    repo.merge("main", "2024-02-20T10:00:00+00:00", "Merge branch 'main' into feat")
    repo.git("checkout", "--quiet", "--detach")


@pytest.mark.parametrize(
    ("pipeline", "said"), [({"CI_COMMIT_BRANCH": "main"}, True), ({"GITHUB_REF_NAME": "main"}, True),
                           ({"CI_COMMIT_BRANCH": "feat"}, False), ({}, False)],
)  # fmt: skip
def test_on_a_detached_head_the_pipeline_names_the_branch(
    repo: ManualRepo, monkeypatch: pytest.MonkeyPatch, pipeline: dict[str, str], said: bool
):
    """CI checks out a detached HEAD: branch-replaced was never said there (exploratory
    testing), and taking the branch to be main said it of every branch brought up to date from
    main (review). The pipeline's own word (GitLab's CI_COMMIT_BRANCH, GitHub's
    GITHUB_REF_NAME) names the branch; without it nothing is said."""
    for name in ("CI_COMMIT_BRANCH", "GITHUB_REF_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in pipeline.items():
        monkeypatch.setenv(name, value)
    main_merged_into_feat_then_detached(repo)
    rules = [p.rule for p in repo.snapshot().problems]
    assert rules == (["branch-replaced"] if said else [])


def test_a_history_kept_for_a_detached_head_is_not_taken_for_the_branch_a_pipeline_names(
    repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """What the rules say of a detached HEAD depends on the branch a pipeline names: a history
    kept while none was named is not read back as the named branch's, nor the other way
    (review: the name was read in the replay only, so a kept history was read back as it
    was, branch-replaced unsaid or said wrongly)."""
    for name in ("CI_COMMIT_BRANCH", "GITHUB_REF_NAME"):
        monkeypatch.delenv(name, raising=False)
    main_merged_into_feat_then_detached(repo)
    said = []
    for named in ("", "main", "", "feat", "main"):
        if named:
            monkeypatch.setenv("CI_COMMIT_BRANCH", named)
        else:
            monkeypatch.delenv("CI_COMMIT_BRANCH", raising=False)
        snapshot = repo.snapshot()
        said.append((snapshot.branch, [p.rule for p in snapshot.problems]))
    assert said == [("HEAD", []), ("main", ["branch-replaced"]), ("HEAD", []), ("feat", []),
                    ("main", ["branch-replaced"])]  # fmt: skip


def test_a_held_back_reason_says_how_its_declared_day_was_reached(scheduled: ManualRepo):
    """A misspelt trailer ('Golive:') is not read, and its commit's day comes from the schedule:
    "held back: declared 2024-01-10" read as if the trailer had counted (a newcomer's run)."""
    scheduled.commit({"a.md": doc("A", "One.")}, "v1", "2024-01-02T10:00:00+00:00",
                     {"Go-Live": "2024-03-01"})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "Two.")}, "v2", "2024-01-03T10:00:00+00:00",
                     {"Golive": "2024-01-04"})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "Three.")}, "v3", "2024-01-04T10:00:00+00:00",
                     {"Go-Live": "2024-01-20"})  # fmt: skip
    _, two, three = scheduled.snapshot().document("a").versions
    assert two.reasons[0].startswith("held back: declared 2024-01-10 by the release schedule, ")
    assert three.reasons[0].startswith("held back: declared 2024-01-20 by its Go-Live, ")


def branch_with_a_pick(repo: ManualRepo) -> str:
    """A branch of two changes to A, the first copied to main (git cherry-pick) before the
    branch is merged; the sha of the merge-to-be's branch."""
    repo.commit({"a.md": doc("A", "One.\n\nTwo.")}, "Add", "2024-01-02T10:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    repo.branch("feat")
    first = repo.commit({"a.md": doc("A", "One changed.\n\nTwo.")}, "Fix one",
                        "2024-01-05T10:00:00+00:00", {"Change-Note": "One is corrected."})  # fmt: skip
    repo.commit({"a.md": doc("A", "One changed.\n\nTwo changed.")}, "Fix two",
                "2024-01-06T10:00:00+00:00", {"Change-Note": "Two is corrected."})  # fmt: skip
    repo.checkout("main")
    pick(repo, first, "2024-01-08T10:00:00+00:00")
    return first


def pick(repo: ManualRepo, commit: str, when: str) -> None:
    """git cherry-pick, committed ``when``: its author and author time are the commit's."""
    subprocess.run(["git", "cherry-pick", commit], cwd=repo.path, check=True,
                   capture_output=True, env={**os.environ, "GIT_COMMITTER_DATE": when})  # fmt: skip


def test_a_merged_commit_copied_to_the_branch_before_is_not_said_again(
    repo: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Its change went live when copied (cherry-picked), and its note was said in that release:
    the merge of its branch said it again, as new in the merge's release (exploratory testing
    of history shapes)."""
    branch_with_a_pick(repo)
    before = repo.snapshot()  # (kept in the index: the merge is then read on from it)
    assert [n.text for n in before.document("a").latest.notes] == ["One is corrected."]
    merge = repo.merge("feat", when="2024-01-10T10:00:00+00:00")
    read_on = repo.snapshot()
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "another"))  # (read whole)
    for snapshot in (read_on, repo.snapshot()):
        versions = snapshot.document("a").versions
        assert [[n.text for n in v.notes] for v in versions] == [
            ["Added."],
            ["One is corrected."],
            ["Two is corrected."],
        ]
        assert versions[-1].commit == merge and len(versions[-1].sources) == 2


def test_a_merged_commit_saying_what_an_earlier_one_said_is_said(repo: ManualRepo):
    """The same author's same note for the same document, made before the merged commit was,
    is no copy of it: both are said, each in its own release."""
    repo.commit({"a.md": doc("A", "One.")}, "Add", "2024-01-02T10:00:00+00:00",
                {"Change-Note": "Numbers updated."})  # fmt: skip
    repo.branch("feat")
    repo.commit({"a.md": doc("A", "Two.")}, "Numbers", "2024-01-05T10:00:00+00:00",
                {"Change-Note": "Numbers updated."})  # fmt: skip
    repo.checkout("main")
    repo.merge("feat", when="2024-01-10T10:00:00+00:00")
    versions = repo.snapshot().document("a").versions
    assert [[n.text for n in v.notes] for v in versions] == [["Numbers updated."]] * 2


def test_a_merged_commit_like_one_on_main_but_made_apart_is_said(repo: ManualRepo):
    """The same author and subject on main ("Update a.md", as GitHub's editor writes each)
    is no copy: the branch commit's Go-Live and note are the merge's (review)."""
    repo.commit({"a.md": doc("A", "One.\n\nShould refer.")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.branch("feat")
    repo.commit({"a.md": doc("A", "One.\n\nMust refer.")}, "Update a.md",
                "2024-01-05T10:00:00+00:00", {"Go-Live": "2024-06-12"})  # fmt: skip
    repo.checkout("main")
    repo.commit({"a.md": doc("A", "One changed.\n\nShould refer.")}, "Update a.md",
                "2024-01-08T10:00:00+00:00")  # fmt: skip
    repo.merge("feat", when="2024-01-10T10:00:00+00:00")
    latest = repo.snapshot().document("a").latest
    assert latest.effective == D("2024-06-12")
    assert [n.text for n in latest.notes] == ["Update a.md"]


def test_a_merge_whose_every_commit_was_copied_says_its_own_note(repo: ManualRepo):
    """Picked, reverted on main, then merged with its branch: what the merge changed is not
    the picked commit's change as it was made (here it is again; after a conflict resolved by
    hand it may be anything), so the merge says its own note, not the pick's, which was said
    in the pick's release (reviews)."""
    repo.commit({"a.md": doc("A", "One.")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.branch("feat")
    first = repo.commit({"a.md": doc("A", "One changed.")}, "Fix one",
                        "2024-01-05T10:00:00+00:00", {"Change-Note": "One is corrected."})  # fmt: skip
    repo.checkout("main")
    pick(repo, first, "2024-01-08T10:00:00+00:00")
    repo.git("revert", "--no-edit", "HEAD", when="2024-01-09T10:00:00+00:00")
    repo.merge("feat", when="2024-01-20T10:00:00+00:00")
    versions = repo.snapshot().document("a").versions
    assert [n.text for n in versions[-1].notes] == ["Merge branch 'feat'"]
    assert versions[-1].effective == D("2024-01-20")


def test_a_squash_merged_commit_copied_before_is_not_said_again(repo: ManualRepo):
    """A squash merge's message lists its branch's commits with their authors and times: one
    copied to main before (cherry-picked) is not said again, as for a merge (review)."""
    branch_with_a_pick(repo)
    squash = squash_merge(repo, "feat", "2024-01-10T10:00:00+00:00")
    latest = repo.snapshot().document("a").latest
    assert latest.commit == squash
    assert [n.text for n in latest.notes] == ["Two is corrected."]


def test_commits_made_in_one_second_by_one_author_are_no_copies_unless_their_notes_agree(
    repo: ManualRepo,
):
    """A script gives every commit one author time: a branch commit is no copy of a commit on
    main made in the same second with other notes (review)."""
    when = "2024-01-05T10:00:00+00:00"
    repo.commit({"a.md": doc("A", "One.\n\nTwo.")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.branch("feat")
    repo.commit({"a.md": doc("A", "One.\n\nTwo changed.")}, "Two", when,
                {"Change-Note": "Two is corrected.", "Go-Live": "2024-06-12"})  # fmt: skip
    repo.commit({"a.md": doc("A", "One.\n\nTwo changed.\n\nThree.")}, "Three",
                "2024-01-06T10:00:00+00:00", {"Change-Note": "Three is added."})  # fmt: skip
    repo.checkout("main")
    repo.commit({"a.md": doc("A", "One changed.\n\nTwo.")}, "One", when,
                {"Change-Note": "One is corrected."})  # fmt: skip
    repo.merge("feat", when="2024-01-10T10:00:00+00:00")
    latest = repo.snapshot().document("a").latest
    assert [n.text for n in latest.notes] == ["Two is corrected.", "Three is added."]
    assert latest.effective == D("2024-06-12")


def test_a_squash_merged_copy_whose_subject_has_a_run_of_spaces_is_known(repo: ManualRepo):
    """git's squash listing runs a subject's spaces together; its own subject keeps them."""
    repo.commit({"a.md": doc("A", "One.\n\nTwo.")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.branch("feat")
    first = repo.commit({"a.md": doc("A", "One changed.\n\nTwo.")}, "Correct one:  the step",
                        "2024-01-05T10:00:00+00:00")  # fmt: skip
    repo.commit({"a.md": doc("A", "One changed.\n\nTwo changed.")}, "Correct two",
                "2024-01-06T10:00:00+00:00")  # fmt: skip
    repo.checkout("main")
    pick(repo, first, "2024-01-08T10:00:00+00:00")
    squash_merge(repo, "feat", "2024-01-10T10:00:00+00:00")
    assert [n.text for n in repo.snapshot().document("a").latest.notes] == ["Correct two"]


def test_a_copy_whose_notes_repeat_one_another_is_known(repo: ManualRepo):
    """A version keeps a note once, however often its commit says it (with or without its
    full stop): the copy's notes are compared so (review)."""
    repo.commit({"a.md": doc("A", "One.\n\nTwo.")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.branch("feat")
    first = repo.commit({"a.md": doc("A", "One.\n\nThree.")}, "Three",
                        "2024-01-05T10:00:00+00:00",
                        [("Change-Note", "Step two is now three"),
                         ("Change-Note", "Step two is now three.")])  # fmt: skip
    repo.commit({"a.md": doc("A", "Uno.\n\nThree.")}, "Uno", "2024-01-06T10:00:00+00:00")
    repo.checkout("main")
    pick(repo, first, "2024-01-08T10:00:00+00:00")
    repo.merge("feat", when="2024-01-10T10:00:00+00:00")
    assert [n.text for n in repo.snapshot().document("a").latest.notes] == ["Uno"]
