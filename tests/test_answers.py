"""A warm ``tracker releases`` / ``tracker history``: read from the answers kept with the
history (index/answers.py, opening.py) without loading the engine, and always the same text and
warnings as the whole way."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date
from pathlib import Path

import pytest
from conftest import ManualRepo, doc

from tracker.index import answers
from tracker.publish.views import history_text, releases_text
from tracker.repository.paths import Root
from tracker.repository.read import GitRepo

# Runs the command as `tracker` does, then says whether the engine's classes were loaded.
PROBE = """
import json, os, sys
from tracker.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
with open(os.environ["PROBE"], "w") as found:
    json.dump({"code": code, "engine": "tracker.history.model" in sys.modules}, found)
sys.exit(code)
"""
DAYS = ["2024-01-05", "2024-02-01", "2024-03-20", "2025-06-01"]  # before, between, after


def tracker(repo: ManualRepo, *args: str) -> tuple[str, str, int, bool]:
    """(stdout, stderr, exit status, whether the engine was loaded) of a command."""
    probe = repo.path.parent / "probe.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "--repo", str(repo.path)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "PROBE": str(probe)},
    )  # fmt: skip
    found = json.loads(probe.read_text()) if probe.exists() else {"code": None, "engine": None}
    probe.unlink(missing_ok=True)
    assert found["code"] == done.returncode, done.stderr
    return done.stdout, done.stderr, done.returncode, found["engine"]


def kept_file(repo: ManualRepo) -> Path:
    git = GitRepo(repo.path)
    branch, _ = git.branch_head(None)
    return answers.derived_path(git, branch, Root("procedures"))


@pytest.fixture
def manual(scheduled: ManualRepo) -> ManualRepo:
    """Chapters changed over three months of releases, one renamed, one withdrawn, one whose
    newest version goes live later than its others."""
    scheduled.commit({"a.md": doc("Alpha"), "b.md": doc("Beta"), "c.md": doc("Gamma")},
                     "Start", "2024-01-02T09:00:00+00:00")  # fmt: skip
    scheduled.commit({"a.md": doc("Alpha", "New words.")}, "Reword", "2024-01-20T09:00:00+00:00",
                     {"Change-Note": "Clearer words on referrals."})  # fmt: skip
    scheduled.move("b.md", "bee.md", "Rename", "2024-02-01T09:00:00+00:00")
    scheduled.commit({"c.md": None}, "Withdraw", "2024-02-20T09:00:00+00:00")
    scheduled.commit({"a.md": doc("Alpha", "Later.")}, "Later", "2024-03-01T09:00:00+00:00",
                     {"Go-Live": "2024-06-03", "Change-Type": "minor"})  # fmt: skip
    return scheduled


RELEASES_ON_20_MARCH = """\
2024-06-03  (upcoming)
  updated           Alpha [minor]

2024-03-13
  withdrawn         Gamma: Withdraw

2024-02-14
  updated           Alpha: Clearer words on referrals.
  updated, renamed  Beta: Rename

2024-01-10
  new               Alpha: Start
  new               Beta: Start
  new               Gamma: Start

"""


def test_a_warm_command_reads_the_kept_answer_without_the_engine_and_says_the_same(
    manual: ManualRepo,
):
    first = tracker(manual, "releases", "--today", DAYS[0])
    assert first[2:] == (0, True)  # (the first read goes the whole way)
    assert tracker(manual, "releases", "--today", DAYS[2])[0] == RELEASES_ON_20_MARCH
    whole = manual.snapshot()
    for today in DAYS:
        shown = tracker(manual, "releases", "--today", today)
        assert shown == (releases_text(whole, date.fromisoformat(today)), "", 0, False)
        for ident, key in whole.names.items():  # former ids too
            expected = history_text(whole.documents.by_key(key), date.fromisoformat(today))
            assert tracker(manual, "history", ident, "--today", today) == (expected, "", 0, False)
    assert "(upcoming)" in tracker(manual, "releases", "--today", DAYS[2])[0]
    assert "goes live on 2024-06-03" in tracker(manual, "history", "a", "--today", DAYS[2])[0]


def test_today_is_the_day_in_the_manuals_time_zone_both_ways(repo: ManualRepo):
    """A manual far from UTC (14 hours ahead, or 11 behind, whichever has another date than
    UTC's now) with a chapter going live on the later of the two dates: upcoming or not
    depends on whose today is taken."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC)
    zone = "Pacific/Kiritimati" if now.hour >= 10 else "Pacific/Pago_Pago"
    local = now.astimezone(ZoneInfo(zone)).date()
    assert local != now.date()
    goes_live = max(local, now.date()).isoformat()
    repo.commit({"manual.toml": f'[manual]\ntimezone = "{zone}"\n', "a.md": doc("Alpha")},
                "Start", "2024-01-02T09:00:00+00:00", {"Go-Live": goes_live})  # fmt: skip
    cold = tracker(repo, "history", "a")
    warm = tracker(repo, "history", "a")
    assert (cold[3], warm[3]) == (True, False)
    assert warm[:3] == cold[:3]
    upcoming = goes_live > local.isoformat()
    assert (f"goes live on {goes_live}" in warm[0]) == upcoming
    assert ("(upcoming)" in tracker(repo, "releases")[0]) == upcoming


def test_warnings_are_said_alike_warm_and_cold(repo: ManualRepo):
    (repo.path / "procedures").mkdir()
    (repo.path / "procedures" / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    repo.commit({"bad.md": "---\ntitle: [oops\n---\n# Bad\n", "good.md": doc("Good")},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    for command in (["releases"], ["history", "bad"], ["history", "good"]):
        cold = tracker(repo, *command)
        warm = tracker(repo, *command)
        assert (cold[3], warm[3]) == (True, False)
        assert cold[:3] == warm[:3]
        assert "binary.md: the file is binary, not Markdown" in warm[1]
        assert ("bad.md: the front matter" in warm[1]) == (command != ["history", "good"])
        kept_file(repo).unlink()  # (and its journals: read cold again)
        for suffix in ("-wal", "-shm"):
            Path(f"{kept_file(repo)}{suffix}").unlink(missing_ok=True)


def test_logging_is_imported_only_to_say_a_warning_and_says_it_as_the_command_line_does(
    repo: ManualRepo,
):
    """tracker/logs.py: a command with nothing to warn about does not import logging (8 ms of
    a warm one); one with warnings imports it at the first and says each once, on our
    handler."""
    repo.commit({"good.md": doc("Good")}, when="2024-01-01T09:00:00+00:00")
    probe = PROBE.replace('"engine": ', '"engine": "logging" in sys.modules, "model": ')
    command = [sys.executable, "-c", probe, "releases", "--repo", str(repo.path)]
    found = repo.path.parent / "probe.json"
    env = {**os.environ, "PROBE": str(found)}

    def run() -> tuple[str, bool]:
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        return done.stderr, json.loads(found.read_text())["engine"]

    assert run() == ("", False)  # the first read, the whole way
    assert run() == ("", False)  # warm
    (repo.path / "procedures").mkdir(exist_ok=True)
    for name in ("binary.md", "other.md"):
        (repo.path / "procedures" / name).write_bytes(b"\x00\x01\x02" * 100)
    repo.commit({"good.md": doc("Good", "Again.")}, when="2024-01-02T09:00:00+00:00")
    for _ in ("cold", "warm"):
        said, imported = run()
        assert imported
        lines = sorted(said.splitlines())  # each once, as our handler writes it
        assert len(lines) == 2, said
        for line, name in zip(lines, ("binary", "other"), strict=True):
            assert line.startswith(f"tracker: warning: {name}.md: the file is binary, not "), said


# Threads warning at once while the handler is being set up (made slow here), in a process
# that has not imported logging: each waits for it.
RACE = """
import sys, threading, time
from tracker import console, logs
assert "logging" not in sys.modules
real = console._handler
def slow(once):
    time.sleep(0.3)
    return real(once)
console._handler = slow
with console.warnings_to_stderr(once=False):
    log = logs.Logger("tracker.race")
    threads = [threading.Thread(target=log.warning, args=(f"said {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
log.warning("after")  # (the command's handler is gone: not ours)
"""


def test_threads_warning_while_the_handler_is_set_up_wait_for_it():
    done = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True, check=True)
    lines = done.stderr.splitlines()
    timed = [re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (.*)", line) for line in lines[:4]]
    said = [found.group(1) for found in timed if found]  # (a server's lines say when)
    assert sorted(said) == [f"tracker: warning: said {n}" for n in range(4)], done.stderr
    assert lines[4:] == ["after"]


def test_a_new_commit_is_read_the_whole_way_and_shown_from_what_it_kept(manual: ManualRepo):
    tracker(manual, "releases")
    manual.commit({"d.md": doc("Delta")}, "Add Delta", "2024-03-05T09:00:00+00:00")
    moved = tracker(manual, "releases", "--today", DAYS[2])
    assert moved[2:] == (0, True)
    assert moved[0] == releases_text(manual.snapshot(), date.fromisoformat(DAYS[2]))
    assert "Delta" in moved[0]
    assert tracker(manual, "releases", "--today", DAYS[2]) == (*moved[:3], False)


def test_an_unknown_id_gets_the_whole_ways_answer(manual: ManualRepo):
    tracker(manual, "releases")
    out, err, code, engine = tracker(manual, "history", "nonesuch")
    assert (out, code, engine) == ("", 2, True)
    assert err == "tracker: error: There is no document with the id 'nonesuch'.\n"


def test_a_bad_date_or_root_is_refused_before_anything_is_read(manual: ManualRepo):
    tracker(manual, "releases")
    assert tracker(manual, "releases", "--today", "2024-13-01")[1:3] == (
        "tracker: error: The --today date '2024-13-01' is not a real calendar date.\n",
        2,
    )
    assert tracker(manual, "releases", "--root", "../x")[2] == 2


@pytest.mark.parametrize(
    ("damage", "commands"),
    [
        ("UPDATE releases SET text = x'00'", [["releases"]]),
        ("DELETE FROM releases WHERE day = '2024-02-14'", [["releases"]]),
        ("UPDATE documents SET history = x'00'", [["history", "a"]]),
        # A byte of a text itself (SQLite cannot tell): a date or a note said wrongly
        # (operator's exploratory testing), now noticed by the text's checksum.
        ("UPDATE documents SET history = replace(history, '2024', '2099')", [["history", "a"]]),
        ("UPDATE documents SET live = replace(live, '2024', '2099')", [["history", "a"]]),
        ("UPDATE releases SET text = replace(text, 'a', 'b')", [["releases"]]),
        ("UPDATE releases SET text = substr(text, 1, 10)", [["releases"]]),
        ("DELETE FROM documents", [["history", "a"]]),
        ("UPDATE kept SET plain = '[1]'", [["releases"], ["history", "a"]]),
        ("UPDATE kept SET plain = 'not json'", [["releases"], ["history", "a"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.zone', 'Nowhere/Nothing')", [["releases"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.names.a', 7)", [["history", "a"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.zone', 7)", [["releases"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.names', json('[]'))", [["history", "a"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.names.a', json('[1]'))", [["history", "a"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.notices', json('[[1]]'))", [["releases"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.problems', 'abc')", [["releases"]]),
        ("UPDATE kept SET plain = json_set(plain, '$.days', 'many')", [["releases"]]),
    ],
)
def test_damaged_answers_are_not_used(manual: ManualRepo, damage: str, commands: list[list[str]]):
    tracker(manual, "releases")
    whole = manual.snapshot()
    expected = {
        "releases": releases_text(whole, date.today()),
        "history": history_text(whole.document("a"), date.today()),
    }
    for command in commands:
        with sqlite3.connect(kept_file(manual)) as connection:
            connection.execute(damage)
        out, err, code, engine = tracker(manual, *command)
        assert (out, code, engine) == (expected[command[0]], 0, True)
        if "Nowhere" in damage:  # (a zone this machine may lack: not damage for sure)
            continue
        # Said, and mended: the next command is warm again (the damage stayed, and sent every
        # later command the whole way).
        assert "the derived index is damaged (a kept answer is not as written)" in err
        assert tracker(manual, *command) == (expected[command[0]], "", 0, False)


def test_answers_others_could_write_are_not_read_nor_written_into(manual: ManualRepo):
    """A file others could write may hold anything, a trigger among them that rewrites what
    is read back as it is written: it is started again, never made ours (review found one
    made private by chmod, then trusted)."""
    tracker(manual, "releases")
    expected = releases_text(manual.snapshot(), date.today())
    kept_file(manual).chmod(0o666)
    with sqlite3.connect(kept_file(manual)) as connection:  # planted by someone else
        connection.execute(
            "CREATE TRIGGER planted AFTER UPDATE ON kept BEGIN "
            "UPDATE releases SET text = '  planted' || char(10); END"
        )
    out, err, code, engine = tracker(manual, "releases")
    assert (out, code, engine) == (expected, 0, True)
    assert "may be written by other users" in err
    assert tracker(manual, "releases") == (expected, "", 0, False)
    assert kept_file(manual).stat().st_mode & 0o077 == 0
    with sqlite3.connect(kept_file(manual)) as connection:
        assert (
            connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
            == []
        )


@pytest.mark.skipif(os.getuid() != 0, reason="making a file another user's takes root")
def test_a_journal_planted_beside_the_kept_file_is_never_replayed(
    manual: ManualRepo, tmp_path: Path
):
    """A folder an older version left group-writable: the file was ours, but SQLite replays a
    write-ahead log it finds beside it, and one planted by another user of the group held every
    page of a copy with their rows (their pickles: code run as this user, review found)."""
    tracker(manual, "releases")
    expected = releases_text(manual.snapshot(), date.today())
    kept = kept_file(manual)
    copy = tmp_path / "copy.sqlite"
    connection = sqlite3.connect(copy)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    sqlite3.connect(kept).backup(connection)
    connection.execute("UPDATE releases SET text = '  planted' || char(10)")
    connection.commit()
    Path(f"{kept}-shm").unlink(missing_ok=True)  # (what a member of the group could do)
    shutil.copy(f"{copy}-wal", f"{kept}-wal")  # (their log of a copy's pages, committed)
    connection.close()
    os.chown(f"{kept}-wal", 4242, 4242)
    kept.parent.chmod(0o775)
    out, err, code, _ = tracker(manual, "releases")
    assert (out, code) == (expected, 0)
    assert "may be written by other users, so it is made again" in err
    assert not Path(f"{kept}-wal").exists() or Path(f"{kept}-wal").stat().st_uid == os.getuid()


def test_the_kept_files_folder_is_private_whatever_the_umask(manual: ManualRepo, tmp_path: Path):
    """With umask 002 (a user with a group of their own) the folder and file were made
    group-writable, so never read back: every command warned and went the whole way."""
    cache = tmp_path / "shared-umask"
    env = {**os.environ, "TRACKER_CACHE_DIR": str(cache)}
    command = f"umask 002; {sys.executable} -m tracker releases --repo {manual.path}"
    for _ in range(2):
        done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True,
                              check=False)  # fmt: skip
        assert (done.returncode, done.stderr) == (0, "")
    (folder,) = cache.iterdir()
    assert folder.stat().st_mode & 0o077 == 0
    assert cache.stat().st_mode & 0o077 == 0  # (made too: under 0775, ours could be renamed)
    assert all(path.stat().st_mode & 0o022 == 0 for path in folder.iterdir())


def test_answers_written_by_other_code_are_not_read(manual: ManualRepo):
    tracker(manual, "releases")
    with sqlite3.connect(kept_file(manual)) as connection:
        connection.execute("UPDATE kept SET schema = '5.12.0000'")
    assert tracker(manual, "releases")[2:] == (0, True)


def test_the_manuals_folder_survives_pickling_equal_and_immutable():
    root = Root.parse("/procedures/")
    assert pickle.loads(pickle.dumps(root)) == root == Root("procedures") != Root("")
    assert len({root, Root("procedures")}) == 1
    assert repr(root) == "Root(folder='procedures')"
    with pytest.raises(AttributeError):
        root.folder = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del root.folder
    assert root.folder == "procedures"


def kept_answers_agree(repo: ManualRepo, whole_at_head: object) -> None:
    """For the stepped histories (test_index.py): the answers kept for the head say what the
    whole way says, on days around each release."""
    from tracker.history.snapshot import Snapshot

    assert isinstance(whole_at_head, Snapshot)
    git = GitRepo(repo.path)
    branch, head = git.branch_head(None)
    kept = answers.read(git, branch, head, Root("procedures"))
    assert kept is not None
    try:
        days = [*[release.date for release in whole_at_head.releases][:3], date(2030, 1, 1)]
        for day in days:
            assert kept.releases(day) == releases_text(whole_at_head, day)
            for ident, key in whole_at_head.names.items():
                document = whole_at_head.documents.by_key(key)
                assert kept.history(ident, day) == (history_text(document, day), key)
    finally:
        kept.close()


def test_a_warm_command_runs_one_git_process_and_a_new_commit_opens_the_repository_once(
    manual: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from test_index import git_commands

    tracker(manual, "releases")
    commands = git_commands(tmp_path, monkeypatch)
    assert tracker(manual, "releases")[2:] == (0, False)
    assert commands() == ["rev-parse --path-format=absolute"]  # (folders and head at once)
    manual.commit({"d.md": doc("Delta")}, "Add Delta", "2024-03-05T09:00:00+00:00")
    before = len(commands())
    assert tracker(manual, "releases")[2:] == (0, True)
    assert commands()[before:].count("rev-parse --path-format=absolute") == 1
