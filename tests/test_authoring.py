"""The authors' tools: tracker init, tracker new and tracker preview, on real repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import ManualRepo, doc

from tracker.config import parse_config
from tracker.history.documents import parse_document


def tracker(repo: ManualRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args, "--repo", str(repo.path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_init_writes_settings_the_tracker_reads_and_explains(repo: ManualRepo):
    done = tracker(repo, "init", "--title", 'Northshire "Safeguarding"', "--short-name", "NSCP",
                   "--today", "2025-03-01")  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (repo.path / "procedures" / "manual.toml").read_text()
    config = parse_config(text)
    assert config.title == 'Northshire "Safeguarding"' and config.short_name == "NSCP"
    assert config.schedule is not None and config.schedule.cutoff_days == 7
    assert config.schedule.releases[0] == date(2000, 1, 12)  # it covers the whole history
    assert "# When changes go live" in text and "DTSTART:20000101" in text
    assert '"will go live on the NSCP website"' in text  # (it said DSCP: newcomer's testing)
    (repo.path / "procedures" / "manual.toml").unlink()
    odd = tracker(repo, "init", "--short-name", "NS\x1bCP\x7f")  # (a comment holds no control)
    assert odd.returncode == 0, odd.stderr
    assert parse_config((repo.path / "procedures" / "manual.toml").read_text()).short_name == (
        "NS\x1bCP\x7f"
    )
    again = tracker(repo, "init")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    (repo.path / "procedures" / "manual.toml").unlink()
    bytes_given = tracker(repo, "init", "--short-name", "NS\udcffCP")  # (not UTF-8: review)
    assert bytes_given.returncode == 2
    assert bytes_given.stderr == "tracker: error: --short-name is not UTF-8 text; type it again.\n"


def test_new_writes_a_chapter_in_its_sections_folder(repo: ManualRepo):
    repo.commit({"referral-and-assessment/referrals.md": doc("Referrals", section="Referral and Assessment")},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    done = tracker(repo, "new", "early-help", "--title", "Early Help: a guide", "--section",
                   "Referral and Assessment", "--today", "2024-06-01")  # fmt: skip
    assert done.returncode == 0, done.stderr
    path = repo.path / "procedures" / "referral-and-assessment" / "early-help.md"
    meta = parse_document(path.read_bytes())
    assert meta.problems == ()
    assert (meta.id, meta.title, meta.type, meta.section) == (
        "early-help", "Early Help: a guide", "chapter", "Referral and Assessment",
    )  # fmt: skip
    assert meta.review_due is not None and meta.review_due.isoformat() == "2025-06-01"
    assert "# Early Help: a guide" in path.read_text()
    fresh = tracker(repo, "new", "court", "--title", "Court", "--section", "Legal Matters",
                    "--type", "guidance")  # fmt: skip
    assert fresh.returncode == 0, fresh.stderr
    assert (
        parse_document((repo.path / "procedures" / "legal-matters" / "court.md").read_bytes()).type
        == "guidance"
    )


def test_new_refuses_what_would_clash_or_is_not_an_id(repo: ManualRepo):
    repo.commit({"a.md": doc("A", id="alpha")}, when="2024-01-01T09:00:00+00:00")
    for args, words in (
        (["new", "alpha", "--title", "Again"], "already used"),
        (["new", "../escape", "--title", "X"], "must be words"),
        (["new", "a b", "--title", "X"], "must be words"),
    ):
        result = tracker(repo, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (repo.path / "procedures").iterdir()) == ["a.md"]


def test_new_writes_beside_settings_being_mended_and_still_refuses_ids_in_use(repo: ManualRepo):
    """The committed manual.toml broken, the working tree's mended: tracker new refused (exit 2)
    what the author would commit with the mended settings. Now it writes, saying the committed
    settings cannot be read, and still refuses the id of a document committed before they
    broke (a former id too) or since: the head is read with the settings before they broke,
    as tracker check reads it."""
    repo.commit({"manual.toml": '[manual]\ntitle = "M"\n', "a.md": doc("A", id="alpha")},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    repo.move("a.md", "b.md", when="2024-01-02T09:00:00+00:00")
    repo.commit({"b.md": doc("A", id="bravo")}, "Rename", when="2024-01-03T09:00:00+00:00")
    repo.commit({"manual.toml": "[manual\n"}, "Oops", when="2024-02-01T09:00:00+00:00")
    repo.commit({"c.md": doc("C", id="charlie")}, "Add C", when="2024-02-02T09:00:00+00:00")
    (repo.path / "procedures" / "manual.toml").write_text('[manual]\ntitle = "M"\n')
    for used in ("alpha", "bravo", "charlie"):
        refused = tracker(repo, "new", used, "--title", "Again")
        assert refused.returncode == 2 and "already used" in refused.stderr, refused.stderr
    done = tracker(repo, "new", "delta", "--title", "Delta", "--today", "2024-03-01")
    assert done.returncode == 0, done.stderr
    assert parse_document((repo.path / "procedures" / "delta.md").read_bytes()).id == "delta"
    (warning,) = [line for line in done.stderr.splitlines() if "warning" in line]
    assert "The committed settings cannot be read (manual.toml is not valid TOML" in warning
    assert "the manual is read with the settings as they were before commit" in warning
    assert warning.endswith("the new document's id is checked against the manual read so.")
    (repo.path / "procedures" / "manual.toml").write_text("[manual\n")
    broken = tracker(repo, "new", "echo", "--title", "Echo")
    assert broken.returncode == 2 and "manual.toml is not valid TOML" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1


def test_new_takes_an_id_of_letters_of_any_script(repo: ManualRepo):
    """As a file's name gives its path id: 'café' is words of letters, as 'cafe' is."""
    done = tracker(repo, "new", "café/ünï", "--title", "Café")
    assert done.returncode == 0, done.stderr
    meta = parse_document((repo.path / "procedures" / "café" / "ünï.md").read_bytes())
    assert (meta.id, meta.title, meta.problems) == ("café/ünï", "Café", ())


def test_new_refuses_a_file_name_and_an_id_the_website_cannot_show(repo: ManualRepo):
    """An id is not a file name (early-help.md would be written as early-help.md.md), and an id
    that is another chapter's address plus /history, /diff or /feed.atom (or a static copy's
    /at/DATE, /diff/A/B) is one `tracker check` rejects (address-clash): refused before
    anything is written, in either direction."""
    repo.commit(
        {
            "referrals.md": doc("Referrals"),
            "b/diff.md": doc("B diff"),
            "c/at/2024-01-01.md": doc("C on a day"),
        },
        when="2024-01-01T09:00:00+00:00",
    )
    for ident, words in (
        ("early-help.md", "The id 'early-help.md' ends in .md: give the id without it"),
        ("help/Early-Help.MD", "The id 'help/Early-Help.MD' ends in .md"),
        ("referrals/history", "is the address of the history page of 'referrals'"),
        ("referrals/feed.atom", "is the address of the feed.atom page of 'referrals'"),
        ("b", "'b/diff', the id of b/diff.md, would be the address of the diff page of 'b'"),
        (
            "referrals/at/2024-10-02",
            "is the address of the page of 'referrals' as in force on "
            "2024-10-02 in a static copy of the website",
        ),
        (
            "referrals/diff/0a1b2c3/2024-10-02/source",
            "is the address of the page of what "
            "changed in 'referrals' from 0a1b2c3 to 2024-10-02 (on its Markdown source) in a "
            "static copy",
        ),
        (
            "c",
            "'c/at/2024-01-01', the id of c/at/2024-01-01.md, would be the address of the "
            "page of 'c' as in force on 2024-01-01 in a static copy of the website",
        ),
    ):
        result = tracker(repo, "new", ident, "--title", "X")
        assert result.returncode == 2, (ident, result.stderr)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, (
            ident, result.stderr,
        )  # fmt: skip
    written = sorted(p.relative_to(repo.path).as_posix() for p in repo.path.rglob("*.md"))
    assert written == [
        "procedures/b/diff.md",
        "procedures/c/at/2024-01-01.md",
        "procedures/referrals.md",
    ]
    done = tracker(repo, "new", "referrals/history-of-referrals", "--title", "History")
    assert done.returncode == 0, done.stderr


def test_new_works_before_the_first_commit(tmp_path: Path):
    folder = tmp_path / "manual"
    folder.mkdir()
    repo = ManualRepo(folder)
    done = tracker(repo, "new", "first", "--title", "First")
    assert done.returncode == 0, done.stderr
    assert (folder / "procedures" / "first.md").is_file()


def test_new_refuses_an_id_a_chapter_not_yet_committed_has(repo: ManualRepo):
    """The first chapter went to its section's folder, the second (no section) to the root:
    another path, the same id, and nothing committed for the snapshot to know."""
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    first = tracker(repo, "new", "early-help", "--title", "Early Help", "--section", "Help")
    assert first.returncode == 0, first.stderr
    again = tracker(repo, "new", "early-help", "--title", "Again")
    assert again.returncode == 2
    assert again.stderr.strip() == (
        "tracker: error: The id 'early-help' is already used by help/early-help.md, not yet "
        "committed."
    )
    (repo.path / "procedures" / "own.md").write_text(doc("Own", id="mine"), encoding="utf-8")
    assert "already used by own.md" in tracker(repo, "new", "mine", "--title", "M").stderr
    assert not (repo.path / "procedures" / "early-help.md").exists()


def test_new_takes_the_manuals_spelling_of_a_section_and_refuses_an_id_only_case_apart(repo):
    """'--section "referral and assessment"' went to the section's folder but kept its own
    spelling, a second section on the contents; 'Referrals' beside 'referrals' was accepted, one
    file on Windows or a Mac (author's exploratory testing)."""
    repo.commit({"ra/referrals.md": doc("Referrals", section="Referral and Assessment")},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    done = tracker(repo, "new", "strategy", "--title", "Strategy", "--section",
                   "referral and  assessment")  # fmt: skip
    assert done.returncode == 0, done.stderr
    meta = parse_document((repo.path / "procedures" / "ra" / "strategy.md").read_bytes())
    assert meta.section == "Referral and Assessment"
    for ident in ("RA/Referrals", "STRATEGY"):  # (committed, and written but not committed)
        again = tracker(repo, "new", ident, "--title", "Again")
        assert again.returncode == 2
        said = again.stderr.strip()
        assert said.startswith(f"tracker: error: The id {ident!r} differs only in case from '")
        assert said.endswith(("(the id of ra/referrals.md); give it another id.",
                              "(ra/strategy.md, not yet committed); give it another id.")), said  # fmt: skip
    assert sorted(p.name for p in (repo.path / "procedures").rglob("*.md")) == [
        "referrals.md", "strategy.md"
    ]  # fmt: skip


def test_new_spells_a_section_as_check_keeps_it(repo: ManualRepo):
    """tracker new took the spelling most documents used, where check kept manual.toml's, and
    check then warned of the chapter new had just written (review); then a misspelt sections
    entry no chapter used set the spelling, against every chapter (exploratory testing): the
    entry wins where a chapter uses it, else the chapters' spelling does (and section-unused
    says the entry's)."""
    repo.commit({"manual.toml": '[manual]\nsections = ["Referral and Assessment"]\n',
                 "a.md": doc("A", section="Referral and assessment"),
                 "b.md": doc("B", section="Referral and assessment")},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    for ident, spelt in (("c", "Referral and assessment"), ("d", "Referral and Assessment")):
        done = tracker(repo, "new", ident, "--title", ident, "--section", "referral and assessment")
        assert done.returncode == 0, done.stderr
        written = next((repo.path / "procedures").rglob(f"{ident}.md"))
        assert parse_document(written.read_bytes()).section == spelt
        assert written.parent.name == "procedures"  # (beside a and b, not a folder of its own)
        written.unlink()
        repo.commit({"e.md": doc("E", section="Referral and Assessment")}, "E",
                    "2024-01-02T09:00:00+00:00")  # fmt: skip


def test_preview_shows_the_next_release_and_what_waits(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("Alpha"), "b.md": doc("Bravo")}, "Start",
                     "2024-10-01T09:00:00+01:00")  # fmt: skip
    scheduled.commit({"a.md": doc("Alpha", "Changed.")}, "Change A", "2024-11-04T09:00:00+00:00",
                     {"Change-Note": "Alpha now says more."})  # fmt: skip
    scheduled.commit({"b.md": doc("Bravo", "Late.")}, "Change B", "2024-11-08T09:00:00+00:00",
                     {"Change-Note": "Bravo changed late."})  # fmt: skip
    scheduled.commit({"a.md": doc("Alpha", "Later.")}, "Plan A", "2024-11-05T09:00:00+00:00",
                     {"Go-Live": "2025-01-20"})  # fmt: skip
    scheduled.commit({"a.md": doc("Alpha", "Later still.")}, "Tidy A",
                     "2024-11-06T09:00:00+00:00")  # fmt: skip
    result = tracker(scheduled, "preview", "--today", "2024-11-10")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("Next release: 13th November 2024 (in 3 days).")
    assert "updated    Alpha: Alpha now says more." in text
    assert ("Bravo" in text and "missed the cut-off for 13th November 2024 (committed 8th November "
            "2024; the cut-off was 6th November 2024), so goes live on 11th December 2024") in text  # fmt: skip
    assert "its Go-Live trailer says 20th January 2025" in text
    assert "held back until 20th January 2025" in text
    assert "The following updated or new multi-agency procedures will go live" in text
    data = json.loads(
        tracker(scheduled, "preview", "--today", "2024-11-10", "--format", "json").stdout
    )
    assert data["release"]["date"] == "2024-11-13"
    assert [w["id"] for w in data["waiting"]] == ["b", "a", "a"]
    section = tracker(scheduled, "newsletter", "--today", "2024-11-10", "--format", "json")
    assert data["newsletter"] == json.loads(section.stdout)  # the text's section, as data
    assert data["newsletter"]["release"]["date"] == "2024-11-13"


def test_preview_says_why_a_change_waits_past_a_release_a_go_live_set(scheduled: ManualRepo):
    """After a Go-Live made a release between two of the schedule's, a change the schedule
    dates was said to wait with no reason but its date (author's exploratory testing)."""
    scheduled.commit({"a.md": doc("Alpha"), "b.md": doc("Bravo")}, "Start",
                     "2024-10-01T09:00:00+01:00")  # fmt: skip
    urgent = scheduled.commit({"a.md": doc("Alpha", "Urgent.")}, "Urgent A",
                              "2024-11-14T09:00:00+00:00",
                              {"Go-Live": "2024-11-20", "Change-Note": "Alpha urgently."})  # fmt: skip
    scheduled.commit({"b.md": doc("Bravo", "Next.")}, "Change B", "2024-11-15T09:00:00+00:00",
                     {"Change-Note": "Bravo changed."})  # fmt: skip
    text = tracker(scheduled, "preview", "--today", "2024-11-16").stdout
    assert text.startswith("Next release: 20th November 2024 (in 4 days).")
    assert (
        "Bravo (" in text
        and "): goes live with the next scheduled release, 11th December 2024; "
        "the release on 20th November 2024 is not one of the schedule's (the Go-Live of Alpha "
        f"({urgent[:10]}) set it)."
        in text
    ), text


def test_preview_when_nothing_is_coming(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    result = tracker(repo, "preview", "--today", "2024-02-01")
    assert result.stdout == "No release is coming: nothing committed is waiting to go live.\n"
    data = json.loads(tracker(repo, "preview", "--today", "2024-02-01", "--format", "json").stdout)
    assert data == {"release": None, "waiting": [], "undone": [], "newsletter": None}


def test_preview_says_which_changes_are_undone_before_going_live(scheduled: ManualRepo):
    """Changes undone the day they would go live were listed as waiting for a release no one
    would see (9th January 2030), or, in the next release, nowhere (review)."""
    scheduled.commit({"a.md": doc("Alpha"), "b.md": doc("Bravo")}, "Start",
                     "2024-10-01T09:00:00+01:00")  # fmt: skip
    scheduled.commit({"a.md": doc("Alpha", "Must.")}, "Must", "2024-11-01T09:00:00+00:00")
    scheduled.commit({"a.md": doc("Alpha")}, "Undo", "2024-11-02T09:00:00+00:00")
    scheduled.commit({"b.md": doc("Bravo", "x")}, "B", "2024-11-03T09:00:00+00:00")
    scheduled.commit({"b.md": doc("Bravo", "Later.")}, "Plan B", "2024-11-04T09:00:00+00:00",
                     {"Go-Live": "2030-01-09"})  # fmt: skip
    scheduled.commit({"b.md": doc("Bravo", "x")}, "Unplan B", "2024-11-05T09:00:00+00:00",
                     {"Go-Live": "2030-01-09"})  # fmt: skip
    text = tracker(scheduled, "preview", "--today", "2024-11-10").stdout
    assert "waiting for a later release" not in text
    undone = text.split("undone before going live")[1].split("\n\n")[0]
    assert undone.count("changed and changed back on the day it would go live") == 4
    assert "13th November 2024" in undone and "9th January 2030" in undone
    data = json.loads(
        tracker(scheduled, "preview", "--today", "2024-11-10", "--format", "json").stdout
    )
    assert ([w["id"] for w in data["waiting"]], [w["id"] for w in data["undone"]]) == (
        [],
        ["a", "a", "b", "b"],
    )


def test_new_writes_front_matter_that_reads_back_as_given(repo: ManualRepo):
    from tracker.history.documents import parse_document

    for ident, title in (("yes", "No"), ("0123", "1.10"), ("2024-01-01", "2024-01-01"),
                         ("x", 'Say "hello": #1 & more')):  # fmt: skip
        done = tracker(repo, "new", ident, "--title", title, "--section", "On")
        assert done.returncode == 0, done.stderr
        meta = parse_document((repo.path / "procedures" / "on" / f"{ident}.md").read_bytes())
        assert (meta.problems, meta.id, meta.title, meta.section) == ((), ident, title, "On")
    for bad in ("", "   ", "two\nlines"):
        refused = tracker(repo, "new", "z", "--title", bad)
        assert refused.returncode == 2 and "one line" in refused.stderr
    nested = tracker(repo, "new", "health/child-death", "--title", "Child Death")
    assert nested.returncode == 0
    assert (repo.path / "procedures" / "health" / "child-death.md").is_file()


def refused(repo: ManualRepo, *args: str) -> str:
    """The one sentence a refused ``tracker new`` says (exit status 2)."""
    done = tracker(repo, "new", *args)
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr


def written(repo: ManualRepo) -> list[str]:
    folder = repo.path / "procedures"
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_new_names_the_file_so_the_manual_reads_it(repo: ManualRepo):
    """The name follows manual.toml's documents pattern (a fixed ending after '*'), is checked
    against its exclude patterns, and a name no pattern would take is refused, not written."""
    from tracker.manual import open_manual

    settings = '[manual]\ndocuments = "*.markdown"\nexclude = ["draft-*"]\n'
    repo.commit({"manual.toml": settings, "a.markdown": doc("A")}, when="2024-01-01T09:00:00+00:00")
    done = tracker(repo, "new", "early-help", "--title", "Early Help", "--today", "2024-06-01")
    assert done.returncode == 0, done.stderr
    assert "procedures/early-help.markdown:" in done.stdout
    assert "The manual leaves out files named like 'draft-*' (the exclude setting), so it would " \
        "never read draft-plan.markdown: choose another id" in refused(repo, "draft-plan", "--title", "D")  # fmt: skip
    assert "The id 'notes.markdown' ends in .markdown: give the id without it ('notes')" in refused(
        repo, "notes.markdown", "--title", "N"
    )
    repo.commit({}, "Early Help", when="2024-06-01T09:00:00+00:00")
    snapshot = open_manual(repo.path).snapshot()
    assert sorted(d.id for d in snapshot.documents) == ["a.markdown", "early-help"]
    (repo.path / "procedures" / "manual.toml").write_text('[manual]\ndocuments = "[a-m]*.md"\n')
    assert "The manual reads only files named like '[a-m]*.md' (the documents setting), and " \
        "tracker new cannot make such a name of 'zed'" in refused(repo, "zed", "--title", "Z")  # fmt: skip
    assert tracker(repo, "new", "health/bruising", "--title", "B").returncode == 0
    (repo.path / "procedures" / "manual.toml").write_text("")  # the defaults: README.md is not
    assert "files named like 'README.md'" in refused(repo, "README", "--title", "R")
    assert written(repo) == [
        "a.markdown",
        "early-help.markdown",
        "health/bruising.md",
        "manual.toml",
    ]


def test_new_finds_address_clashes_with_documents_not_yet_committed(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    assert tracker(repo, "new", "referrals", "--title", "Referrals").returncode == 0
    assert "is the address of the history page of 'referrals'" in refused(
        repo, "referrals/history", "--title", "H"
    )
    (repo.path / "procedures" / "b").mkdir()
    (repo.path / "procedures" / "b" / "changes.md").write_text(doc("B", id="b/diff"))
    assert "'b/diff', the id of b/changes.md, would be the address of the diff" in refused(
        repo, "b", "--title", "B"
    )
    assert written(repo) == ["a.md", "b/changes.md", "referrals.md"]


def test_new_before_the_first_commit_follows_the_working_copy(tmp_path: Path):
    """Before any commit, the settings tracker init wrote (under --root) and the documents
    already written say where the new one goes and what it is called."""
    repo = ManualRepo(tmp_path)
    assert tracker(repo, "init", "--root", "manual").returncode == 0
    settings = tmp_path / "manual" / "manual.toml"
    settings.write_text(settings.read_text().replace("[manual]", '[manual]\ndocuments = "*.txt"'))
    (tmp_path / "manual" / "referrals").mkdir()
    (tmp_path / "manual" / "referrals" / "a.txt").write_text(doc("A", section="Referral"))
    done = tracker(repo, "new", "b", "--title", "B", "--section", " Referral ", "--root", "manual")
    assert done.returncode == 0, done.stderr
    assert parse_document((tmp_path / "manual" / "referrals" / "b.txt").read_bytes()).section == (
        "Referral"
    )


def test_new_says_in_a_sentence_why_it_cannot_write(repo: ManualRepo):
    repo.commit({"health": "Not a folder."}, when="2024-01-01T09:00:00+00:00")
    assert (
        "procedures/health/bruising.md cannot be written: " in (message := refused(repo, "health/bruising", "--title", "B"))
        and "procedures/health is a file, where a folder must be; choose another id or section" in message
    )  # fmt: skip
    long = "x" * 300  # longer than a file's name may be: refused before anything is written
    assert refused(repo, long, "--title", "Long") == (
        "tracker: error: The id cannot be used: its front matter's 'id' has a part of 300 "
        "bytes: a static copy's file names hold 240.\n"
    )
    assert written(repo) == ["health"]


@pytest.mark.parametrize(
    ("today", "due"),
    [("2024-01-05", "2025-01-05"), ("2024-02-29", "2025-02-28"), ("2023-03-01", "2024-03-01")],
)
def test_a_new_chapters_first_review_is_a_year_on(today: str, due: str):
    """365 days on from 5 January 2024 was 4 January 2025 (exploratory testing)."""
    from tracker.authoring.scaffold import a_year_on

    assert a_year_on(date.fromisoformat(today)) == date.fromisoformat(due)
