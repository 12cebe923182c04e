"""The command line as a user runs it: a real process, its output, its exit status."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from conftest import ManualRepo, doc

from tracker.demo import build_demo

GOLDEN = Path(__file__).parent / "golden" / "newsletter-2024-11-13.txt"


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("cli") / "demo")


def assert_user_error(result, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr


def test_newsletter_prints_the_golden_text(demo: Path):
    result = run("newsletter", "--repo", str(demo), "--release", "2024-11-13", "--format", "text")
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_newsletter_says_it_has_no_links_without_site_url(demo: Path, repo: ManualRepo):
    """Without site_url the newsletter's HTML held no link at all, the others empty addresses,
    and nothing said so (author's exploratory testing); the demo manual gives one."""
    assert "site_url" not in run("newsletter", "--repo", str(demo), "--today", "2024-11-06").stderr
    repo.commit({"a.md": doc("A")}, "Add A", "2024-01-02T09:00:00+00:00")
    result = run("newsletter", "--repo", str(repo.path), "--format", "html")
    assert result.returncode == 0 and "<a " not in result.stdout
    assert result.stderr == (
        "tracker: warning: the manual gives no site_url (manual.toml's [manual]), so the "
        "newsletter has no links to the chapters and what changed in them; set it to the "
        'website\'s address, as site_url = "https://procedures.example.org".\n'
    )


def test_newsletter_defaults_to_the_next_upcoming_release(demo: Path):
    result = run("newsletter", "--repo", str(demo), env={"TRACKER_TODAY": "2024-11-06"})
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_newsletter_defaults_to_the_latest_when_none_is_upcoming(demo: Path):
    result = run("newsletter", "--repo", str(demo), "--today", "2026-01-01")
    assert "8th January 2025" in result.stdout


def test_releases_json_shape(demo: Path):
    result = run("releases", "--repo", str(demo), "--today", "2024-11-20", "--format", "json")
    data = json.loads(result.stdout)
    release = next(r for r in data["releases"] if r["date"] == "2024-12-11")
    assert release["upcoming"] is True
    entry = release["entries"][0]
    assert set(entry) >= {"id", "title", "type", "change", "minor", "notes"}


def test_history_json_shape(demo: Path):
    result = run("history", "allegations", "--repo", str(demo), "--format", "json")
    data = json.loads(result.stdout)
    assert data["id"] == "allegations"
    assert data["title"] == "Managing Allegations against Adults who Work with Children"
    first, *_ = data["versions"]
    assert set(first) >= {"commit", "committed", "go_live", "minor", "note", "path"}
    assert first["path"] == "all-agencies/allegations-against-staff.md"
    assert data["versions"][-1]["path"] == "all-agencies/managing-allegations.md"


def test_history_text_explains_held_back_and_back_dated(demo: Path):
    held = run("history", "exploitation", "--repo", str(demo)).stdout
    assert "held back: declared 2024-11-13" in held
    back = run("history", "referrals", "--repo", str(demo)).stdout
    assert "back-dated: Go-Live 2024-06-12" in back


def test_show_at_a_past_date(demo: Path):
    result = run("show", "referrals", "--repo", str(demo), "--at", "2024-10-01")
    assert result.returncode == 0
    assert result.stdout.startswith("---\nid: referrals")


def test_show_a_withdrawn_chapter_says_so(demo: Path):
    result = run("show", "forced-marriage", "--repo", str(demo), "--at", "2024-12-01")
    assert_user_error(result, "withdrawn on 2024-09-11")


def test_diff_between_dates(demo: Path):
    result = run(
        "diff", "domestic-abuse", "--repo", str(demo), "--from", "2024-11-12", "--to", "2024-11-13"
    )
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "New section: Non-fatal Strangulation. Revised: Definitions. 348 words added, 78 removed."
    )
    assert "## {+Non-fatal Strangulation+}" in lines
    assert "\x1b[" not in result.stdout  # colours only on a terminal


def test_diff_between_commits_as_json(demo: Path):
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=demo, capture_output=True, text=True, check=True
    ).stdout.strip()
    result = run(
        "diff",
        "online-safety",
        "--repo",
        str(demo),
        "--from",
        "HEAD~1",
        "--to",
        head,
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["to"]["commit"] == head
    summary = data["diff"]["summary"]
    assert summary["added_sections"] == ["AI-generated and Manipulated Sexual Images"]
    assert any(block["status"] == "inserted" for block in data["diff"]["blocks"])


def test_diff_as_an_accessible_html_page(demo: Path):
    result = run(
        "diff",
        "safe-recruitment",
        "--repo",
        str(demo),
        "--from",
        "2024-11-12",
        "--to",
        "2024-11-13",
        "--format",
        "html",
    )
    page = result.stdout
    assert page.startswith("<!doctype html>")
    assert '<html lang="en-GB">' in page
    assert '<ins><span class="vh">inserted text: </span>' in page
    assert "A Better Hiring Toolkit" in page
    assert "<script" not in page


def test_source_diff_for_authors(demo: Path):
    result = run(
        "diff",
        "referrals",
        "--repo",
        str(demo),
        "--from",
        "2024-06-19",
        "--to",
        "2024-06-20",
        "--source",
    )
    changed = [line for line in result.stdout.splitlines()[1:] if line[:1] in "+-"]
    assert len(changed) == 2
    assert changed[0].startswith("-") and changed[1].startswith("+")


def test_diff_of_a_new_document_shows_everything_inserted(demo: Path):
    result = run(
        "diff", "honour-based-abuse", "--repo", str(demo), "--to", "2024-09-11", "--format", "json"
    )
    blocks = json.loads(result.stdout)["diff"]["blocks"]
    assert {block["status"] for block in blocks} == {"inserted"}


def test_check_on_the_demo(demo: Path):
    result = run("check", "--repo", str(demo), "--today", "2024-11-20")
    assert result.returncode == 0, result.stdout
    assert "held back" in result.stdout
    assert result.stdout.strip().endswith("warnings.") or "warning." in result.stdout


def test_demo_command_builds_a_repository(tmp_path: Path):
    result = run("demo", "--dir", str(tmp_path / "built"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "built" / "procedures" / "manual.toml").is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["history", "no-such-chapter"], ["no-such-chapter"]),
        (["show", "referrals", "--at", "2024-02-30"], ["2024-02-30", "not a real calendar date"]),
        (["show", "referrals", "--at", "yesterday"], ["yesterday"]),
        (
            ["show", "referrals", "--at", "\uff12\uff10\uff12\uff14-01-01"],
            ["not a date of the form YYYY-MM-DD"],
        ),
        (["newsletter", "--release", "2024-11-14"], ["no release on 2024-11-14"]),
        (["newsletter", "--release", ""], ["release date ''", "not a date of the form"]),
        (["show", "referrals", "--at", ""], ["--at date ''", "not a date of the form"]),
        (["releases", "--today", "2024-13-01"], ["2024-13-01"]),
        (["diff", "referrals", "--from", "--output=x"], ["--from", "expected one argument"]),
        (["diff", "referrals", "--from=--output=x"], ["--output=x"]),
        (["diff", "referrals", "--from", ""], ["--from is empty"]),
        (["diff", "referrals", "--to", " "], ["--to is empty"]),
        (["diff", "referrals", "--from", "HEAD\n--all"], ["not a valid"]),
        (["diff", "referrals", "--from", "no-such-branch"], ["no-such-branch"]),
        (["diff", "referrals", "--from", "main..HEAD"], ["not a valid"]),
        (
            ["diff", "honour-based-abuse", "--to", "2024-01-01"],
            ["was not yet in force on 2024-01-01"],
        ),
        (["releases", "--branch=-x"], ["-x", "not a valid"]),
        (["releases", "--root", "../etc"], ["../etc"]),
        (["newsletter", "--format", "pdf"], ["pdf"]),
        (["frobnicate"], ["frobnicate"]),
        (  # (a command's own help, which lists its options: newcomer's testing)
            ["show", "referrals", "--format", "json"],
            ["tracker show: error: unrecognized arguments: --format json", "'tracker show --help'"],
        ),
        (["releases", "--", "extra"], ["unrecognized arguments: extra"]),  # (no "--" shown)
        (  # (but one given before the command is tracker's: review)
            ["--bogus", "releases"],
            ["tracker: error: unrecognized arguments: --bogus (see 'tracker --help')."],
        ),
    ],
)
def test_bad_arguments_get_one_sentence_and_status_2(demo: Path, args, words):
    assert_user_error(
        run(*args, "--repo", str(demo)) if args[0] != "frobnicate" else run(*args), *words
    )


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ("managing-allegations",
         ": all-agencies/managing-allegations.md is the file of the chapter 'allegations' (give "
         "its id)."),
        ("procedures/specific-circumstances/domestic-abuse.md",
         ": that is the file of the chapter 'domestic-abuse' (give its id)."),
        ("specific-circumstances/domestic-abuse",
         ": that is the file of the chapter 'domestic-abuse' (give its id)."),
        ("domestic abuse", ": that is the title of the chapter 'domestic-abuse' (give its id)."),
        ("referals", "; did you mean 'referrals'?"),
        ("zzz", "."),
    ],
)  # fmt: skip
def test_an_id_that_is_a_documents_file_or_title_says_whose(demo: Path, asked: str, said: str):
    """An author gives the chapter's file or title, and each try got "There is no document
    with the id ..." with no hint (newcomer's testing)."""
    result = run("history", asked, "--repo", str(demo))
    assert_user_error(result, f"There is no document with the id '{asked}'{said}\n")


def test_a_bad_tracker_today_is_named_as_such(demo: Path):
    result = run("releases", "--repo", str(demo), env={"TRACKER_TODAY": "garbage"})
    assert_user_error(result, "TRACKER_TODAY", "garbage")
    flag = run("releases", "--repo", str(demo), "--today", "garbage")
    assert_user_error(flag, "--today", "garbage")


def test_a_tree_or_blob_given_as_a_revision_is_said_to_be_no_commit(demo: Path):
    """A tree's sha (copied from ``git log --raw`` or ``ls-tree``) names an object, not a
    commit: the sentence says so, not git's own words about dereferencing."""
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "-t", "HEAD"], cwd=demo, capture_output=True, text=True, check=True
    ).stdout
    shas = dict(line.split("\t")[0].split()[1:] for line in listed.splitlines())
    for kind in ("tree", "blob"):
        sha = shas[kind]
        result = run("diff", "referrals", "--repo", str(demo), "--from", sha)
        assert_user_error(result, f"'{sha}' names a {kind}, not a commit")
        assert "git could not read" not in result.stderr


def test_an_empty_tracker_today_counts_as_unset(demo: Path):
    """CI templates often leave the variable set but empty: that is no date, not a bad one."""
    empty = run("releases", "--repo", str(demo), env={"TRACKER_TODAY": ""})
    assert (empty.returncode, empty.stderr) == (0, "")
    assert empty.stdout == run("releases", "--repo", str(demo)).stdout


def test_not_a_git_repository(tmp_path: Path):
    assert_user_error(run("releases", "--repo", str(tmp_path)), "not a git repository")


def test_missing_folder(tmp_path: Path):
    assert_user_error(run("releases", "--repo", str(tmp_path / "nope")), "does not exist")


@pytest.mark.parametrize(
    "args",
    [
        ["releases", "--repo", "{demo}", "--today=--"],
        ["releases", "--repo=--"],
        ["diff", "referrals", "--repo", "{demo}", "--from=--"],
        ["newsletter", "--repo", "{demo}", "--format=--"],
        ["serve", "--repo", "{demo}", "--workers=--"],
        ["serve", "--repo", "{demo}", "--host="],
        ["releases", "--repo", "d" * 300],
        ["build", "--repo", "{demo}", "--out", "a/" * 2100],
        ["demo", "--dir", "d" * 300],
        ["init", "--repo", "{demo}", "--root", ".git"],
        ["new", "x", "--title", "X", "--repo", "{demo}", "--root", "procedures/.git/hooks"],
        ["releases", "--repo", "{file}"],
        ["commit-msg", "/dev/zero"],
        ["commit-msg", ""],
    ],
    ids=["today", "repo", "from", "format", "workers", "host", "long-repo", "long-out",
         "long-dir", "git-root", "git-hooks", "file-repo", "device", "no-file"],
)  # fmt: skip
def test_odd_values_are_one_sentence(demo: Path, tmp_path: Path, args: list[str]):
    """'--today=--' (Python 3.11's argparse gives no value at all) stopped every command with a
    traceback, or started a service on the default address ('--workers=--'); an empty --host
    listened on every interface; a name too long for the system, a root in .git (init and new
    wrote there), a device as the message file (read for ever): exploratory testing."""
    (tmp_path / "file").write_text("x")
    given = [arg.format(demo=demo, file=tmp_path / "file") for arg in args]
    assert_user_error(run(*given))


def test_repository_without_commits(repo: ManualRepo):
    assert_user_error(run("releases", "--repo", str(repo.path)), "no commits")


def test_a_new_branch_without_commits_in_a_repository_with_others(repo: ManualRepo):
    """'git checkout --orphan drafts': the repository has commits, the branch none."""
    repo.commit({"a.md": doc("A")})
    repo.git("checkout", "--quiet", "--orphan", "drafts")
    assert_user_error(run("releases", "--repo", str(repo.path)),
                      "The current branch 'drafts' has no commits yet", "--branch")  # fmt: skip


def test_malformed_manual_toml(repo: ManualRepo):
    repo.commit({"manual.toml": "[manual\ntitle = 'x'", "a.md": doc("A")})
    assert_user_error(run("releases", "--repo", str(repo.path)), "manual.toml", "not valid TOML")


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ('[manual]\ntimezone = "Mars/Olympus"\n', ["Mars/Olympus"]),
        ('[releases]\nschedule = "RRULE:FREQ=SOMETIMES"\n', ["releases.schedule"]),
        ('[releases]\nschedule = "RRULE:FREQ=DAILY"\nbank_holidays = "XX"\n', ["XX"]),
        ('[releases]\nbank_holidays = "XX"\n', ["XX"]),  # (no schedule: still refused)
        ("[releases]\ncutoff_days = -1\n", ["cutoff_days"]),
        ("[releases]\ncutoff_days = 100000000000\n", ["cutoff_days", "0 to 366"]),
        (
            '[releases]\nschedule = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE"\n'
            "cutoff_days = 3000000000\n",
            ["cutoff_days"],
        ),
        ('[manual]\nsite_url = "javascript:alert(1)"\n', ["site_url"]),
        ('[manual]\nsite_url = "https://x.example/)[x](javascript:alert(32)"\n', ["site_url"]),
        ('[manual]\nsite_url = "https://x.example/?next=evil"\n', ["site_url", "query"]),
        ('[manual]\nsite_url = "https://x.example:99999"\n', ["site_url"]),
        ("[unknown]\n", ["unknown table [unknown]"]),
        ('title = "x"\n', ["the key 'title' outside any table; put it under [manual]"]),
        ("cutoff_days = 7\n", ["put it under [releases]"]),
        ("[releases]\ncuttoff_days = 7\n", ["releases.cuttoff_days"]),
        ("x = " + "[" * 2000 + "]" * 2000 + "\n", ["nests arrays or tables too deeply"]),
    ],
)
def test_bad_settings(repo: ManualRepo, settings: str, words: list[str]):
    repo.commit({"manual.toml": settings, "a.md": doc("A")})
    assert_user_error(run("releases", "--repo", str(repo.path)), *words)


def test_a_manual_toml_that_is_not_utf8_is_refused_as_settings_are(repo: ManualRepo):
    """As a chapter in Latin-1 is refused (not-utf8), never read with a replacement character
    ("the Caf\ufffd Partnership website")."""
    repo.commit({"a.md": doc("A")}, trailers={"Change-Note": "New."})
    settings = '[manual]\nshort_name = "Caf\u00e9 Partnership"\n'
    (repo.path / "procedures" / "manual.toml").write_bytes(settings.encode("latin-1"))
    repo.commit({}, "Settings", "2024-01-03T10:00:00+00:00")
    for command in ("newsletter", "releases", "preview"):
        result = run(command, "--repo", str(repo.path), "--today", "2024-03-01")
        assert_user_error(result, "manual.toml is not UTF-8 text (line 2)", "save it as UTF-8")
        assert "\ufffd" not in result.stdout + result.stderr
    check = run("check", "--repo", str(repo.path), "--today", "2024-03-01")  # (a finding:
    assert check.returncode == 1, check.stderr  # tests/test_check_settings.py)
    assert check.stdout.startswith(
        "error: procedures/manual.toml:2: is not UTF-8 text (line 2); save it"
    )
    (repo.path / "procedures" / "manual.toml").write_bytes(b"\xef\xbb\xbf" + settings.encode())
    repo.commit({}, "Settings as UTF-8", "2024-01-04T10:00:00+00:00")
    result = run("newsletter", "--repo", str(repo.path), "--today", "2024-03-01")
    assert result.returncode == 0, result.stderr
    assert "the Caf\u00e9 Partnership website" in result.stdout


def test_a_failing_template_of_the_manual_is_named_and_fails_check_too(repo: ManualRepo):
    """tracker check fails where tracker newsletter would, so CI sees it before release day."""
    lead = "Line one\n{% if release.upcoming %}will go live on {{ release.date_words }}\n"
    repo.commit({"a.md": doc("A"), "_templates/_lead.j2": lead}, trailers={"Change-Note": "New."})
    for command, today in (("newsletter", "2024-01-03"), ("preview", "2024-01-01")):
        result = run(command, "--repo", str(repo.path), "--today", today)
        assert_user_error(
            result, "The newsletter template procedures/_templates/_lead.j2 failed at line 2: "
        )
        assert "newsletter.txt.j2" not in result.stderr
    check = run("check", "--repo", str(repo.path), "--today", "2024-01-03")
    assert check.returncode == 1, check.stderr
    assert check.stdout.startswith(
        "error: procedures/_templates/_lead.j2:2: cannot be compiled at line 2: "
    )


def test_a_schedule_dateutil_cannot_expand_is_named_without_its_internal_error(repo: ManualRepo):
    """dateutil's own ValueError names what is wrong; an IndexError says nothing to an author."""
    rule = "DTSTART:20240101\\nRRULE:FREQ=MONTHLY;BYDAY=9WE"  # (no ninth Wednesday)
    repo.commit({"manual.toml": f'[releases]\nschedule = "{rule}"\n', "a.md": doc("A")})
    result = run("releases", "--repo", str(repo.path))
    assert_user_error(result, "releases.schedule", "is not a rule we can use")
    assert "index" not in result.stderr


def test_one_malformed_chapter_is_a_warning_and_the_rest_works(repo: ManualRepo):
    repo.commit(
        {"bad.md": "---\ntitle: [oops\n---\n# Bad\n", "good.md": doc("Good")},
        when="2024-01-01T09:00:00+00:00",
    )
    releases = run("releases", "--repo", str(repo.path))
    assert releases.returncode == 0
    assert "Good" in releases.stdout
    assert releases.stderr == (
        "tracker: warning: bad.md: the front matter is not valid YAML at line 2 (a value "
        """starting with '[' must be in quotes: title: "[oops") (see 'tracker check').\n"""
    )
    check = run("check", "--repo", str(repo.path))
    assert check.returncode == 1
    assert "error: procedures/bad.md:2: the front matter is not valid YAML" in check.stdout


def test_warnings_concern_the_documents_a_command_shows_and_are_said_once(repo: ManualRepo):
    repo.commit(
        {
            "bad.md": "---\ntitle: [oops\n---\n# Bad\n",
            "worse.md": "---\nstatus: gone\n---\n# Worse\n",
            "good.md": doc("Good"),
        },
        when="2024-01-01T09:00:00+00:00",
    )
    shown = run("show", "good", "--repo", str(repo.path))
    assert shown.returncode == 0
    assert shown.stderr == ""
    bad = run("history", "bad", "--repo", str(repo.path))
    assert bad.stderr.splitlines() == [
        "tracker: warning: bad.md: the front matter is not valid YAML at line 2 (a value "
        """starting with '[' must be in quotes: title: "[oops") (see 'tracker check')."""
    ]
    listed = run("releases", "--repo", str(repo.path))
    assert sorted(line.split(":")[2].strip() for line in listed.stderr.splitlines()) == [
        "bad.md",
        "worse.md",
    ]


def test_missing_objects_are_a_clear_error(repo: ManualRepo):
    repo.commit({"a.md": doc("A", "first")}, when="2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "second")}, when="2024-01-02T09:00:00+00:00")
    parent = repo.git("rev-parse", "HEAD~1")
    obj = repo.path / ".git" / "objects" / parent[:2] / parent[2:]
    obj.chmod(0o644)
    obj.unlink()
    result = run("releases", "--repo", str(repo.path))
    assert_user_error(result, "damaged")


def test_works_on_a_bare_repository(demo: Path, tmp_path: Path):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(demo), str(bare)], check=True)
    result = run("newsletter", "--repo", str(bare), "--release", "2024-11-13")
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")
    assert (bare / "tracker").is_dir()  # the index lives in the git directory


def test_check_at_the_start_of_the_calendar(demo: Path):
    result = run("check", "--repo", str(demo), "--today", "0001-01-01")
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr


def test_demo_into_a_folder_that_cannot_be_made():
    assert_user_error(run("demo", "--dir", "/proc/no-such/place"), "cannot be created")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the repository to another user")
def test_a_repository_git_refuses_to_read(demo: Path, tmp_path: Path):
    copy = tmp_path / "owned"
    subprocess.run(["cp", "-r", str(demo), str(copy)], check=True)
    subprocess.run(["chown", "-R", "nobody", str(copy)], check=True)
    assert_user_error(run("releases", "--repo", str(copy)), "safe.directory")


def test_json_views_carry_plain_english_summaries(demo: Path):
    history = json.loads(
        run("history", "domestic-abuse", "--repo", str(demo), "--format", "json").stdout
    )
    assert history["versions"][1]["summary"]["added_sections"] == ["Non-fatal Strangulation"]
    releases = json.loads(
        run("releases", "--repo", str(demo), "--format", "json", "--summaries").stdout
    )
    november = next(r for r in releases["releases"] if r["date"] == "2024-11-13")
    domestic = next(e for e in november["entries"] if e["id"] == "domestic-abuse")
    assert domestic["summary"]["text"].startswith("New section: Non-fatal Strangulation.")
    plain = json.loads(run("releases", "--repo", str(demo), "--format", "json").stdout)
    assert "summary" not in plain["releases"][0]["entries"][0]


def test_serve_on_a_port_in_use_is_one_sentence(demo: Path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run("serve", "--repo", str(demo), "--port", port)
    assert_user_error(result, f"127.0.0.1:{port}", "in use")
    assert_user_error(run("serve", "--repo", str(demo), "--port", "70000"), "70000")


def test_serve_says_the_manual_s_title_without_its_control_characters(repo: ManualRepo):
    """tracker serve wrote manual.toml's title as it was in its start-up line, escape sequences
    and all (security review), where every other command shows them harmless."""
    title = "Evil \\u001b]0;PWNED\\u0007\\u001b[31mRED\\nSecond line"
    repo.commit({"manual.toml": f'[manual]\ntitle = "{title}"\n', "a.md": doc("A")})
    with socket.socket() as free:  # (a port nothing listens on, let go for the service)
        free.bind(("127.0.0.1", 0))
        port = str(free.getsockname()[1])
    service = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--repo", str(repo.path), "--port", port],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert service.stdout is not None
        line = service.stdout.readline()
    finally:
        service.terminate()
        service.communicate(timeout=30)
    mark = "\N{REPLACEMENT CHARACTER}"
    assert line == (
        f"Serving Evil {mark}]0;PWNED{mark}{mark}[31mRED{mark}Second line at "
        f"http://127.0.0.1:{port}/ (Ctrl+C to stop).\n"
    )


@pytest.mark.reliability("repositories read")
def test_a_shallow_clone_is_refused_with_how_to_fetch_the_rest(repo: ManualRepo, tmp_path: Path):
    for day in ("01", "02", "03"):
        repo.commit({"a.md": doc("A", f"Day {day}.")}, when=f"2024-01-{day}T09:00:00+00:00")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{repo.path}", str(shallow)],
                   check=True)  # fmt: skip
    result = run("releases", "--repo", str(shallow))
    cut = repo.git("rev-parse", "HEAD")[:10]
    assert_user_error(
        result, "shallow clone", f"cut short at commit {cut}", "git fetch --unshallow"
    )


def test_a_schedule_without_a_start_is_refused(repo: ManualRepo):
    settings = '[releases]\nschedule = "FREQ=MONTHLY;BYDAY=-1MO"\n'
    repo.commit({"manual.toml": settings, "a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    assert_user_error(run("releases", "--repo", str(repo.path)), "needs a start", "DTSTART")


@pytest.mark.reliability("escape sequences kept from the terminal")
def test_terminal_escape_sequences_never_reach_the_terminal(repo: ManualRepo):
    repo.commit({"a.md": doc("Red \x1b[31mAlert")}, "Add", "2024-01-01T09:00:00+00:00",
                {"Change-Note": "Now \x1b]0;owned\x07 with escapes."})  # fmt: skip
    repo.commit(
        {"b.md": doc("B")},
        "Police must be called at once.\rNo need to call anyone.",
        "2024-01-02T09:00:00+00:00",
    )  # fmt: skip  (a carriage return hides the first half)
    repo.commit({"a.md": doc("Red \x1b[31mAlert", "Clear \x1b[2J the \x1b]0;owned\x07 screen.")},
                "Again", "2024-01-03T09:00:00+00:00")  # fmt: skip
    for args in (["releases"], ["history", "a"], ["history", "b"], ["newsletter"], ["show", "a"],
                 ["check"], ["diff", "a"], ["diff", "a", "--source"]):  # fmt: skip
        result = run(*args, "--repo", str(repo.path))
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, args
        assert "\r" not in result.stdout.replace("\r\n", ""), args
    assert (
        "Red \N{REPLACEMENT CHARACTER}[31mAlert" in run("releases", "--repo", str(repo.path)).stdout
    )


def test_diff_from_before_a_chapter_existed_says_so_as_show_does(demo: Path):
    shown = run("show", "domestic-abuse", "--repo", str(demo), "--at", "2020-01-01")
    assert_user_error(shown, "'domestic-abuse' was not yet in force on 2020-01-01")
    result = run("diff", "domestic-abuse", "--repo", str(demo), "--from", "2020-01-01")
    assert result.returncode == 0
    assert result.stdout.startswith(
        "From nothing (it was not yet in force on 1st January 2020) to specific-circumstances/"
    )
    result = run("diff", "domestic-abuse", "--repo", str(demo), "--from", "2020-01-01",
                 "--format", "json")  # fmt: skip
    data = json.loads(result.stdout)
    assert data["from"] is None
    assert data["from_absent"] == "it was not yet in force on 1st January 2020"
    result = run("diff", "domestic-abuse", "--repo", str(demo), "--format", "json")
    assert "from_absent" not in json.loads(result.stdout)  # its first version, asked for nothing


def test_the_command_line_starts_without_its_heavy_dependencies():
    """'tracker --help' loads none of them (start-up is measured in benchmarks/)."""
    heavy = ["git", "markdown", "jinja2", "yaml", "fastapi", "holidays", "dateutil", "nh3",
             "diff_match_patch", "sqlite3", "css_inline"]  # fmt: skip
    probe = (
        "import sys, contextlib, io\n"
        "from tracker.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        f"print([name for name in {heavy!r} if name in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_the_grammar_offers_the_engine_s_own_choices():
    from tracker import arguments
    from tracker.history.documents import TYPES
    from tracker.publish.newsletter import FORMATS

    assert (arguments.TYPES, arguments.FORMATS) == (TYPES, FORMATS)


def test_releases_text_says_each_entry_as_the_release_objects_have_it(demo: Path):
    """The list is written from the entries' rows as kept: the same as the releases read whole
    (dates newest first, upcoming marked, change, renamed, title, minor, notes)."""
    from tracker.manual import open_manual

    snapshot = open_manual(demo).snapshot()
    snapshot.releases.read_all()
    expected = []
    for release in reversed(snapshot.releases):
        flag = "  (upcoming)" if release.is_upcoming(date(2024, 11, 20)) else ""
        expected.append(f"{release.date.isoformat()}{flag}")
        for entry in release.entries:
            change = entry.change + (", renamed" if entry.renamed else "")
            notes = " ".join(note.text for note in entry.notes)
            expected.append(f"  {change:<17} {entry.title}" + (" [minor]" if entry.minor else "")
                            + (f": {notes}" if notes else ""))  # fmt: skip
        expected.append("")
    result = run("releases", "--repo", str(demo), "--today", "2024-11-20")
    assert result.stdout == "\n".join(expected) + "\n"
    shown = result.stdout.splitlines()
    assert shown[0] == "2025-01-08  (upcoming)" and "2024-11-13" in shown
    assert "  updated           Bruising in Non-Mobile Babies [minor]" in shown
    assert any(line.startswith("  updated, renamed  ") for line in shown)


@pytest.mark.parametrize(("command", "collecting"), [("releases", False), ("serve", True)])
def test_a_command_that_reads_and_ends_runs_without_the_garbage_collector(
    demo: Path, command: str, collecting: bool
):
    """One-shot commands pause the collector while they run (and start it again after, for a
    caller in the same process); the service, which runs long, keeps it."""
    probe = (
        "import gc\nfrom tracker import cli\n"
        f"cli.COMMANDS[{command!r}] = lambda args: print(gc.isenabled()) or 0\n"
        f"status = cli.main([{command!r}, '--repo', {str(demo)!r}])\n"
        "print(status, gc.isenabled())\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.split() == [str(collecting), "0", "True"]


def test_a_coloured_diff_keeps_its_own_colours_and_nothing_else(
    capsys: pytest.CaptureFixture[str],
):
    from tracker.cli import _out

    _out("\x1b[32m{+new \x1b]0;owned\x07+}\x1b[0m [-\x1b[2Jold-]\x1b[31m", colours=True)
    assert capsys.readouterr().out == (
        "\x1b[32m{+new \ufffd]0;owned\ufffd+}\x1b[0m [-\ufffd[2Jold-]\x1b[31m\n"
    )


def test_a_document_whose_file_cannot_be_read_is_named_as_such(repo: ManualRepo):
    """'There is no document' sent an author looking for a typo in the id."""
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    (repo.path / "procedures" / "d.md").write_bytes(b"# D\n\xff\xfe\n")
    repo.commit({}, "Add D", "2024-01-02T09:00:00+00:00")
    for command in (["show", "d"], ["history", "d"]):
        result = run(*command, "--repo", str(repo.path))
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == (
            "tracker: error: There is no document with the id 'd': d.md could not be read "
            "(see 'tracker check')."
        )
    other = run("show", "e", "--repo", str(repo.path))
    assert other.stderr.splitlines()[-1] == "tracker: error: There is no document with the id 'e'."


def test_a_server_says_each_warning_once_as_it_starts(repo: ManualRepo):
    """served_manual read the history to learn the branch checked out, then again for that
    branch: every warning was said twice (the port is taken, so that it stops after them)."""
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    (repo.path / "procedures" / "d.md").write_bytes(b"# D\n\xff\n")
    repo.commit({}, "Add D", "2024-01-02T09:00:00+00:00")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        started = run("serve", "--repo", str(repo.path), "--port", port)
    assert started.returncode == 2 and "Address already in use" in started.stderr
    before = started.stderr.split("Address already in use")[0]  # (what starting it said)
    assert before.count("d.md: the file is not UTF-8 text") == 1, started.stderr


def test_a_root_folder_that_is_not_there_is_named_rather_than_read_as_an_empty_manual(
    repo: ManualRepo,
):
    """A mistyped --root said 'No releases yet.' and succeeded; a folder that holds no
    document yet is still an empty manual, and one whose documents were all removed a manual
    with history."""
    repo.commit({"a.md": doc("Alpha")}, when="2024-01-01T09:00:00+00:00")
    assert_user_error(run("releases", "--repo", str(repo.path), "--root", "procedure"),
                      "There is no folder 'procedure' in branch 'main'", "--root")  # fmt: skip
    repo.commit({"manual.toml": "[manual]\n"}, "Settings", "2024-01-02T09:00:00+00:00")
    repo.git("mv", "procedures/manual.toml", "manual.toml")
    repo.commit({}, "Move", "2024-01-03T09:00:00+00:00")
    (repo.path / "empty").mkdir()
    (repo.path / "empty" / "manual.toml").write_text("[manual]\n", encoding="utf-8")
    repo.commit({"a.md": None}, "Remove A", "2024-01-04T09:00:00+00:00")
    gone = run("releases", "--repo", str(repo.path))
    assert gone.returncode == 0 and "withdrawn" in gone.stdout, gone.stderr
    empty = run("releases", "--repo", str(repo.path), "--root", "empty")
    assert (empty.returncode, empty.stdout, empty.stderr) == (0, "No releases yet.\n", "")


def test_a_root_folder_whose_name_has_spaces_is_read_as_any_other(repo: ManualRepo):
    """git's batch reader names a missing '<commit>: procedures/manual.toml' with its spaces:
    it was taken for a damaged repository (review)."""
    repo.commit({"a.md": doc("Alpha")}, when="2024-01-01T09:00:00+00:00")
    spaced = run("releases", "--repo", str(repo.path), "--root", " procedures")
    assert_user_error(spaced, "There is no folder ' procedures' in branch 'main'")
    (repo.path / "my manual").mkdir()
    (repo.path / "my manual" / "b.md").write_text(doc("Beta"), encoding="utf-8")
    repo.commit({}, "Add a manual in a folder with a space", "2024-01-02T09:00:00+00:00")
    found = run("releases", "--repo", str(repo.path), "--root", "my manual")
    assert found.returncode == 0, found.stderr
    assert "Beta" in found.stdout


@pytest.mark.parametrize("value", ["inf", "nan", "-5", "abc", "1e400"])
def test_a_cache_bound_that_is_not_a_size_is_said_in_one_sentence(repo: ManualRepo, value: str):
    """TRACKER_PAGE_CACHE_MB=inf stopped 'tracker serve' with a traceback (OverflowError), and
    TRACKER_DIFF_CACHE_MB=inf every diff (review); -5 was taken as 0 without a word."""
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "More.")}, when="2024-02-01T09:00:00+00:00")
    for variable, args in (("TRACKER_PAGE_CACHE_MB", ("serve", "--port", "1")),
                           ("TRACKER_DIFF_CACHE_MB", ("serve", "--port", "1")),
                           ("TRACKER_DIFF_CACHE_MB", ("diff", "a"))):  # fmt: skip
        done = run(*args, "--repo", str(repo.path), env={**os.environ, variable: value})
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert done.stderr == (
            f"tracker: error: {variable} is {value!r}, not a number of megabytes (0 or more).\n"
        )


@pytest.mark.parametrize("value", ["abc", "-5", "0", "5m", "86400", "1e6", "inf", "nan"])
def test_a_git_timeout_that_is_not_a_number_of_seconds_is_said_in_one_sentence(
    repo: ManualRepo, value: str
):
    """TRACKER_GIT_TIMEOUT=5m (or abc, -5, a day or more) silently became 60 seconds, while the
    cache variables are refused (docs review): a command and the service refuse it alike."""
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    for args in (("releases",), ("check",), ("serve", "--port", "1")):
        done = run(*args, "--repo", str(repo.path), env={"TRACKER_GIT_TIMEOUT": value})
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert done.stderr == (
            f"tracker: error: TRACKER_GIT_TIMEOUT is {value!r}, not a number of seconds (more "
            "than 0 and less than 86400, a day).\n"
        )


@pytest.mark.parametrize("value", ["false", "off", "no", "2", "yes"])
def test_a_work_ahead_switch_that_is_not_0_or_1_is_said_in_one_sentence(
    repo: ManualRepo, value: str
):
    """TRACKER_WORK_AHEAD=false (off, no) silently left the warm-up on: only "0" turned it off,
    while every other TRACKER_* variable refuses a bad value (operator's exploratory run)."""
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    with socket.socket() as taken:  # (should it start, it stops: the port is taken)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = run("serve", "--port", port, "--repo", str(repo.path),
                   env={**os.environ, "TRACKER_WORK_AHEAD": value})  # fmt: skip
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert (
        done.stderr == f"tracker: error: TRACKER_WORK_AHEAD is {value!r}, not 0 (off) or 1 (on).\n"
    )


def test_a_git_timeout_of_whole_or_decimal_seconds_is_taken(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    for value in ("", " 30 ", "0.5", "86399"):
        done = run("releases", "--repo", str(repo.path), env={"TRACKER_GIT_TIMEOUT": value})
        assert (done.returncode, done.stderr) == (0, ""), (value, done.stderr)


@pytest.mark.parametrize("value", ["abc", "-5", "0", "86400", "nan"])
def test_a_shutdown_grace_that_is_not_a_number_of_seconds_is_said_in_one_sentence(
    repo: ManualRepo, value: str
):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    done = run("serve", "--port", "1", "--repo", str(repo.path),
               env={"TRACKER_SHUTDOWN_SECONDS": value})  # fmt: skip
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr == (
        f"tracker: error: TRACKER_SHUTDOWN_SECONDS is {value!r}, not a number of seconds (more "
        "than 0 and less than 86400, a day).\n"
    )


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_stopped_service_waits_for_a_request_no_longer_than_its_grace(
    repo: ManualRepo, workers: str
):
    """A client that sent half a request's body (here, a push webhook's) held a stopping
    ``tracker serve`` up for ever, so that a restart hung until its supervisor killed it: it
    now waits TRACKER_SHUTDOWN_SECONDS (20 by default), then says in one line that it cut the
    request off (uvicorn wrote a traceback through every middleware)."""
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    with socket.socket() as free:  # (a port nothing listens on, let go for the service)
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    environment = {**os.environ, "TRACKER_SHUTDOWN_SECONDS": "1.5",
                   "TRACKER_WEBHOOK_SECRET": "a secret", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    service = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--repo", str(repo.path), "--port", str(port),
         "--workers", workers],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment,
    )  # fmt: skip
    try:
        for _ in range(300):  # (until it answers)
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).close()
                break
            time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", port)) as half:
            half.sendall(
                b"POST /hooks/push HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                b'\r\nContent-Length: 1000\r\n\r\n{"ref": '
            )
            time.sleep(0.5)  # (its handler waits for the rest of the body)
            stopping = time.monotonic()
            service.send_signal(signal.SIGTERM)
            output, _ = service.communicate(timeout=60)
            waited = time.monotonic() - stopping
    finally:
        if service.poll() is None:
            service.kill()
            service.communicate()
    assert 1.5 <= waited < 15, output
    assert "A request still being answered was cut off as the service stopped." in output
    assert "Traceback" not in output and "CancelledError" not in output
