"""``tracker check`` when the newest settings (``manual.toml``) cannot be read: a finding on
the file, in every format CI reads, and the rest of the manual checked as far as is sound."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SCHEDULE, ManualRepo, doc

BROKEN = "[manual]\ntitle = 'Procedures'\n[releases\n"  # (line 3: tomllib says where)
SCHEDULED = ["back-dated", "held-back", "missing-change-note", "change-undone", "schedule-ended",
             "line-endings-only"]  # fmt: skip


def run_check(repo: ManualRepo, *options: str, today: str = "2024-02-01"):
    return subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--today", today,
         *options],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def run(repo: ManualRepo, *args: str):
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args, "--repo", str(repo.path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def manual_with_mistakes(repo: ManualRepo, settings: str = BROKEN) -> str:
    """A manual with a chapter whose front matter is broken, a broken link and an overdue
    review; then a commit that leaves its settings unreadable. Returns that commit."""
    repo.commit(
        {"manual.toml": SCHEDULE, "a.md": doc("A", "[x](missing.md)"),
         "b.md": "---\ntitle: [oops\n---\n# B\n", "c.md": doc("C", review_due="2024-01-15")},
        "Add", "2024-01-01T09:00:00+00:00", {"Change-Note": "Added."},
    )  # fmt: skip
    return repo.commit({"manual.toml": settings}, "Retitle", "2024-01-20T09:00:00+00:00")


def test_broken_settings_are_an_error_in_the_text_report_and_the_rest_is_checked(
    repo: ManualRepo,
):
    breaking = manual_with_mistakes(repo)
    done = run_check(repo)
    assert done.returncode == 1, done.stderr
    assert "tracker: error" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "error: procedures/manual.toml:3: is not valid TOML: expected ']' at the end of a table declaration "
        "(at line 3, column 10)"
    )
    for rule in SCHEDULED:  # what depends on the release schedule is said to be unchecked
        assert rule in lines[0]
    assert f"before commit {breaking[:10]}" in lines[0]
    assert "error: procedures/b.md:2: the front matter is not valid YAML at line 2 (a value starting with " \
        """'[' must be in quotes: title: "[oops")""" in lines  # fmt: skip
    assert "error: procedures/a.md:3: links to missing.md, which is not a document" in lines
    assert "warning: c: was due for review on 2024-01-15" in lines
    assert lines[-1] == "3 errors, 1 warning."
    assert not any("settings-unread" in line or "left manual.toml" in line for line in lines)


def test_broken_settings_as_json(repo: ManualRepo):
    manual_with_mistakes(repo)
    done = run_check(repo, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    first = report["findings"][0]
    assert (first["file"], first["line"], first["severity"], first["rule"]) == (
        "manual.toml", 3, "error", "settings-invalid"
    )  # fmt: skip
    assert first["message"].startswith("is not valid TOML: expected ']'")
    rules = {(f["rule"], f["file"]) for f in report["findings"]}
    assert {("front-matter", "b.md"), ("broken-link", "a.md"), ("review-overdue", "c")} <= rules
    assert (report["errors"], report["warnings"]) == (3, 1)
    assert report["unchecked"] == SCHEDULED


def test_readable_settings_leave_nothing_unchecked_in_json(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00",
                trailers={"Change-Note": "Added."})  # fmt: skip
    report = json.loads(run_check(repo, "--format", "json").stdout)
    assert report == {"findings": [], "errors": 0, "warnings": 0, "unchecked": []}


def test_broken_settings_in_the_gitlab_and_github_reports(repo: ManualRepo):
    manual_with_mistakes(repo)
    gitlab = run_check(repo, "--format", "gitlab")
    assert gitlab.returncode == 1, gitlab.stderr
    issues = json.loads(gitlab.stdout)
    assert (issues[0]["check_name"], issues[0]["severity"], issues[0]["location"]) == (
        "settings-invalid", "major", {"path": "procedures/manual.toml", "lines": {"begin": 3}}
    )  # fmt: skip
    assert issues[0]["description"].startswith("is not valid TOML")
    assert {i["check_name"] for i in issues} == {
        "settings-invalid", "front-matter", "broken-link", "review-overdue"
    }  # fmt: skip
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    github = run_check(repo, "--format", "github")
    assert github.returncode == 1, github.stderr
    assert github.stdout.splitlines()[0].startswith(
        "::error file=procedures/manual.toml,line=3,title=settings-invalid::is not valid TOML: "
    )
    assert any(
        a.startswith("::error file=procedures/b.md,line=2,title=front-matter::")
        for a in github.stdout.splitlines()
    )


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ("[manual]\ntimezone = 5\n", "manual.timezone must be a string"),
        (SCHEDULE.replace('"GB-ENG"', '"XX"'), "releases.bank_holidays 'XX' is not a known"),
        ("[releases]\ncutoff_days = -1\n", "releases.cutoff_days must be a whole number"),
        ("[unknown]\n", "has an unknown table [unknown]"),
    ],
)
def test_settings_of_the_wrong_kind_are_a_finding_without_a_line(
    repo: ManualRepo, settings: str, words: str
):
    manual_with_mistakes(repo, settings)
    done = run_check(repo, "--format", "json")
    assert done.returncode == 1, done.stderr
    first = json.loads(done.stdout)["findings"][0]
    found = (first["file"], first["line"], first["rule"])
    assert found == ("manual.toml", None, "settings-invalid")
    assert first["message"].startswith(words)
    gitlab = json.loads(run_check(repo, "--format", "gitlab").stdout)
    assert gitlab[0]["location"] == {"path": "procedures/manual.toml", "lines": {"begin": 1}}


def test_settings_that_are_not_utf8_are_a_finding_on_their_line(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00",
                trailers={"Change-Note": "Added."})  # fmt: skip
    settings = '[manual]\nshort_name = "Caf\u00e9 Partnership"\n'
    (repo.path / "procedures" / "manual.toml").write_bytes(settings.encode("latin-1"))
    repo.commit({}, "Settings", "2024-01-03T10:00:00+00:00")
    done = run_check(repo, "--format", "json")
    assert done.returncode == 1, done.stderr
    [found] = json.loads(done.stdout)["findings"]
    assert (found["file"], found["line"], found["rule"]) == ("manual.toml", 2, "settings-invalid")
    assert found["message"].startswith("is not UTF-8 text (line 2); save it as UTF-8")
    assert "\ufffd" not in done.stdout


def test_what_depends_on_the_schedule_is_said_to_be_unchecked_not_reported(
    scheduled: ManualRepo,
):
    """Held back, back-dated and upcoming changes without a note depend on the release
    schedule, which broken settings leave unknown: not reported, but named as unchecked."""
    scheduled.commit({"a.md": doc("A", "1")}, "One", "2024-10-18T09:00:00+01:00",
                     {"Go-Live": "2024-12-11", "Change-Note": "One."})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "2")}, "Two", "2024-10-24T09:00:00+01:00")
    scheduled.commit({"b.md": doc("B")}, "Late", "2024-11-19T09:00:00+00:00",
                     {"Go-Live": "2024-11-13", "Change-Note": "B."})  # fmt: skip
    readable = json.loads(run_check(scheduled, "--format", "json", today="2024-11-20").stdout)
    assert {"held-back", "back-dated", "missing-change-note"} <= {
        f["rule"] for f in readable["findings"]
    }
    scheduled.commit({"manual.toml": BROKEN}, "Break", "2024-11-20T09:00:00+00:00")
    done = run_check(scheduled, "--format", "json", today="2024-11-20")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [f["rule"] for f in report["findings"]] == ["settings-invalid"]
    assert report["unchecked"] == SCHEDULED
    text = run_check(scheduled, today="2024-11-20").stdout
    assert "held-back" in text and "missing-change-note" in text and "not checked" in text


def test_the_rest_is_checked_with_the_last_readable_settings(repo: ManualRepo):
    """Which files are documents is the settings' to say: the last readable ones say it while
    the newest cannot be read (as the website shows the manual meanwhile)."""
    settings = '[manual]\nexclude = ["README.md", "draft-*.md"]\n'
    repo.commit({"manual.toml": settings, "a.md": doc("A"), "draft-x.md": "---\ntitle: [x\n---\n"},
                "Add", "2024-01-01T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    assert run_check(repo).returncode == 0
    repo.commit({"manual.toml": settings + "[releases\n"}, "Break", "2024-01-20T09:00:00+00:00")
    repo.commit({"b.md": "---\ntitle: [y\n---\n"}, "More", "2024-01-21T09:00:00+00:00")
    done = run_check(repo, "--format", "json")
    assert done.returncode == 1, done.stderr
    found = [(f["rule"], f["file"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [("settings-invalid", "manual.toml"), ("front-matter", "b.md")]


def test_broken_settings_from_the_first_commit_are_checked_with_the_defaults(repo: ManualRepo):
    repo.commit({"manual.toml": BROKEN, "a.md": doc("A", "[x](missing.md)")},
                when="2024-01-01T09:00:00+00:00", trailers={"Change-Note": "Added."})  # fmt: skip
    done = run_check(repo)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert (
        lines[0].startswith("error: procedures/manual.toml:3: is not valid TOML")
        and "default" in lines[0]
    )
    assert "error: procedures/a.md:3: links to missing.md, which is not a document" in lines


def test_a_newsletter_template_is_still_compiled(repo: ManualRepo):
    manual_with_mistakes(repo)
    repo.commit({"_templates/_lead.j2": "One\n{% if release.upcoming %}soon\n"},
                when="2024-01-21T09:00:00+00:00")  # fmt: skip
    findings = json.loads(run_check(repo, "--format", "json").stdout)["findings"]
    assert ("newsletter-template", "_templates/_lead.j2", 2) in {
        (f["rule"], f["file"], f["line"]) for f in findings
    }


def test_unchecked_names_only_the_rules_not_checked(repo: ManualRepo):
    """Review: ``unchecked`` listed newsletter-template though its templates were compiled and
    what would not compile was reported, so CI took those findings for ones not looked for.
    Only trying the templates with a release waits for the settings (a template that fails
    only then is not reported meanwhile), as the finding on manual.toml says."""
    templates = {"_templates/_spare.j2": "One\n{% if release.upcoming %}soon\n",
                 "_templates/_closing.txt.j2": "{{ release.nosuch }}"}  # fmt: skip
    repo.commit({"manual.toml": SCHEDULE, "a.md": doc("A"), **templates}, "Add",
                "2024-01-01T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    readable = json.loads(run_check(repo, "--format", "json").stdout)
    assert {f["file"] for f in readable["findings"] if f["rule"] == "newsletter-template"} == {
        "_templates/_spare.j2", "_templates/_closing.txt.j2"
    }  # fmt: skip
    assert readable["unchecked"] == []
    repo.commit({"manual.toml": BROKEN}, "Break", "2024-01-20T09:00:00+00:00")
    report = json.loads(run_check(repo, "--format", "json").stdout)
    assert [(f["rule"], f["file"]) for f in report["findings"]] == [
        ("settings-invalid", "manual.toml"), ("newsletter-template", "_templates/_spare.j2")
    ]  # fmt: skip
    assert "templates are compiled but not tried" in report["findings"][0]["message"]
    assert report["unchecked"] == SCHEDULED


def test_other_commands_still_refuse_and_check_keeps_nothing_for_them(repo: ManualRepo):
    """What check read with the last readable settings is not kept for the head: every other
    command refuses it as before, in one sentence; mended, all is as usual."""
    manual_with_mistakes(repo)
    assert run_check(repo).returncode == 1
    for command in ("releases", "history"):
        args = (command, "a") if command == "history" else (command,)
        done = run(repo, *args)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "not valid TOML" in done.stderr
    assert run_check(repo).returncode == 1  # (and again, from what the first kept)
    repo.commit({"manual.toml": SCHEDULE}, "Mend", "2024-01-21T09:00:00+00:00")
    done = run_check(repo, "--format", "json")
    rules = [f["rule"] for f in json.loads(done.stdout)["findings"]]
    assert "settings-invalid" not in rules and "settings-unread" in rules
    assert run(repo, "releases").returncode == 0


@pytest.mark.parametrize(
    "options",
    [("--today", "2024-02-30"), ("--branch", "nosuch"), ("--branch", "-x"), ("--root", "../x")],
)
def test_bad_arguments_are_still_one_sentence_and_status_2(repo: ManualRepo, options):
    manual_with_mistakes(repo)
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "check", "--repo", str(repo.path), "--format", "gitlab",
         *options],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[manual]\ntitle = 'x'\n[releases\n", 3),
        ("a = 1\nb = ", 2),
        ('[manual]\ntitle = "a\u2028b\u2028c"\nsections = [', 3),  # (review: not lines)
        ('[manual]\ntitle = "a"\nsections = [\n', 3),
        ("[manual]\ntimezone = 5\n", None),
    ],
)
def test_the_settings_error_names_the_line_the_toml_reader_gives(text: str, line: int | None):
    """tomllib names a line and column, or the end of the document (its last line); a value of
    the wrong kind has none."""
    from tracker.config import parse_config
    from tracker.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    assert raised.value.line == line


@pytest.mark.parametrize(
    "name", ["localtime", "posixrules", "Factory", "right/Europe/London", "posix/Factory"]
)
def test_a_time_zone_that_is_no_place_s_is_read_and_warned_of(repo: ManualRepo, name: str):
    """ "localtime" (a file the database has, naming the computer's own zone) dated commits by
    the computer reading the manual: a laptop in London and a server in UTC put one commit in
    two releases (exploratory testing of dates). Refusing it took down a manual that always
    said it (review): it is read, and check warns."""
    repo.commit({"manual.toml": f'[manual]\ntimezone = "{name}"\n', "a.md": doc("A")}, "Add",
                "2024-01-01T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    assert run(repo, "releases").returncode == 0
    findings = json.loads(run_check(repo, "--format", "json").stdout)["findings"]
    found = [f for f in findings if f["rule"] == "timezone-no-place"]
    assert [(f["file"], f["severity"]) for f in found] == [("manual.toml", "warning")]
    assert found[0]["message"].startswith(f"manual.timezone {name!r} is ")


@pytest.mark.parametrize("name", ["Europe/London", "UTC", "Etc/GMT+1", "posix/Europe/London"])
def test_a_place_s_time_zone_is_not_warned_of(repo: ManualRepo, name: str):
    repo.commit({"manual.toml": f'[manual]\ntimezone = "{name}"\n', "a.md": doc("A")}, "Add",
                "2024-01-01T09:00:00+00:00", {"Change-Note": "Added."})  # fmt: skip
    findings = json.loads(run_check(repo, "--format", "json").stdout)["findings"]
    assert not [f for f in findings if f["rule"] == "timezone-no-place"]
