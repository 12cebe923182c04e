"""Faults the service must live through: a git that hangs, an index that cannot be written,
an index deleted or rewritten under it, readers while a writer works."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient

import web.site
from tracker.errors import RepositoryError
from tracker.index import derived
from tracker.repository.paths import Root
from web.app import create_app

HANGING_GIT = """#!/bin/sh
# git, except that while the file $HANG names exists, the git commands it lists hang
# ('log cat-file' when it is empty).
if [ -n "$HANG" ] && [ -e "$HANG" ]; then
  words=$(cat "$HANG"); words=${{words:-log cat-file}}
  for word in "$@"; do
    for hung in $words; do [ "$word" = "$hung" ] && exec sleep 600; done
  done
fi
exec {git} "$@"
"""
SLOW_GIT = """#!{python}
# git, except that 'git log' trickles its output: 200 bytes every 50 ms.
import subprocess, sys, time
process = subprocess.Popen([{git!r}, *sys.argv[1:]], stdout=subprocess.PIPE)
slow = "log" in sys.argv[1:6]
while chunk := process.stdout.read1(200 if slow else 65536):
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
    time.sleep(0.05 if slow else 0)
sys.exit(process.wait())
"""


@pytest.fixture
def hanging_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A git on the PATH that hangs while the returned file exists; git times out in 1 s."""
    git_on_path(tmp_path / "bin", HANGING_GIT, monkeypatch)
    switch = tmp_path / "hang"
    monkeypatch.setenv("HANG", str(switch))
    monkeypatch.setenv("TRACKER_GIT_TIMEOUT", "1")
    yield switch


pytestmark = pytest.mark.reliability("faults injected")


def git_on_path(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True)
    folder.mkdir()
    wrapper = folder / "git"
    wrapper.write_text(script.format(git=real.stdout.strip(), python=sys.executable))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def tracker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, check=False
    )


def test_a_hanging_git_is_stopped_and_the_command_says_so(repo: ManualRepo, hanging_git: Path):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    hanging_git.touch()
    result = tracker("releases", "--repo", str(repo.path))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("tracker: error: git ")  # log or cat-file: whichever comes first
    assert line.endswith(
        " did not answer within 1 second, so it was stopped; the repository may be locked, "
        "very slow, or waiting for a remote (TRACKER_GIT_TIMEOUT sets the limit)."
    )
    assert subprocess.run(["pgrep", "-f", "sleep 600"], check=False).returncode == 1
    hanging_git.unlink()
    assert tracker("releases", "--repo", str(repo.path)).returncode == 0


def test_check_goes_on_when_git_status_does_not_answer(repo: ManualRepo, hanging_git: Path):
    """What is not committed is said in passing: a git status that hangs stopped tracker check
    with exit 2 (review); it now checks, and says nothing of it."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    (repo.path / "procedures" / "b.md").write_text("# B\n")
    hanging_git.write_text("status")
    result = tracker("check", "--repo", str(repo.path), "--today", "2024-02-01")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith("0 errors, 0 warnings.\n")


def test_a_hanging_git_is_a_503_and_the_next_request_recovers(repo: ManualRepo, hanging_git: Path):
    repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    with TestClient(create_app(repo.open()), raise_server_exceptions=False) as client:
        assert client.get("/chapters/a").status_code == 200  # the text is read by cat-file
        repo.commit({"a.md": doc("A", "Second text.")}, "Edit", "2024-02-02T10:00:00+00:00")
        hanging_git.touch()
        response = client.get("/chapters/a")
        assert response.status_code == 503
        assert "did not answer within 1 second," in response.text
        hanging_git.unlink()
        response = client.get("/chapters/a")
        assert response.status_code == 200 and "Second text." in response.text


def test_a_short_git_command_that_hangs_is_named_not_mistaken(repo: ManualRepo, hanging_git: Path):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    hanging_git.write_text("rev-parse")
    result = tracker("releases", "--repo", str(repo.path), "--branch", "main")
    assert result.returncode == 2
    assert "git rev-parse did not answer within 1 second" in result.stderr, result.stderr
    assert "does not name a commit" not in result.stderr


def test_a_slow_git_log_that_keeps_going_is_not_stopped(
    repo: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    body = "Words enough to make the log long. " * 20
    for number in range(30):
        repo.commit({f"c{number}.md": doc(f"C{number}", body)}, f"Add {number} " + "x" * 200,
                    f"2024-01-{number + 1:02d}T10:00:00+00:00")  # fmt: skip
    git_on_path(tmp_path / "bin", SLOW_GIT, monkeypatch)
    monkeypatch.setenv("TRACKER_GIT_TIMEOUT", "1")
    result = tracker("history", "c29", "--repo", str(repo.path))
    assert result.returncode == 0, result.stderr  # about 3 s of log, never 1 s without a word


def test_a_replay_slower_than_the_git_timeout_is_not_taken_for_git_hanging(
    repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """The blobs are read as the replay asks for them: git waits on Python meanwhile, and the
    timeout is for git's own answers (review: a replay that paused longer than it, between two
    blobs or after the last, failed the read with 'git cat-file did not answer')."""
    from tracker.history import identity

    for number in range(1, 25):  # (more blobs than the long-lived reader takes)
        repo.commit({"a.md": doc("A", f"Text {number}.")}, f"v{number}",
                    f"2024-01-{number:02d}T10:00:00+00:00")  # fmt: skip
    monkeypatch.setenv("TRACKER_GIT_TIMEOUT", "0.5")
    calls = []
    add, finish = identity.Walker._add_version, identity.Walker.finish

    def slow_add(self: identity.Walker, *args: object) -> None:
        calls.append(1)
        if len(calls) == 10:
            time.sleep(0.8)  # a slow moment mid-replay (a busy machine, a long history)
        add(self, *args)  # type: ignore[arg-type]

    def slow_finish(self: identity.Walker, *args: object) -> object:
        time.sleep(0.8)  # after the last blob was asked for
        return finish(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(identity.Walker, "_add_version", slow_add)
    monkeypatch.setattr(identity.Walker, "finish", slow_finish)
    assert len(repo.snapshot().document("a").versions) == 24


def test_reading_blobs_stopped_early_ends_at_once(repo: ManualRepo):
    import time

    from tracker.repository.read import GitRepo

    folder = repo.path / "many"
    folder.mkdir()
    for number in range(3000):
        (folder / f"{number}.txt").write_text(f"{number} " * 500)
    paths = "\n".join(str(folder / f"{number}.txt") for number in range(3000))
    shas = repo.git("hash-object", "-w", "--stdin-paths", input_text=paths).split()
    reading = GitRepo(repo.path).read_blobs(shas, limit=10_000)
    assert next(reading)[1] is not None
    started = time.monotonic()
    reading.close()  # a caller that wants no more (git still has megabytes to write)
    assert time.monotonic() - started < 5


def test_a_few_blobs_are_read_as_many_are(repo: ManualRepo):
    """A few blobs (a new commit's) are read by the long-lived reader, not a process of their
    own: cut at the same length, and None for an object git lacks or one that is no blob."""
    from tracker.repository import read
    from tracker.repository.read import GitRepo

    repo.commit({"a.md": doc("A", "x" * 500)})
    blob, tree = repo.git("rev-parse", "HEAD:procedures/a.md", "HEAD^{tree}").split()
    shas = [blob, "0" * 40, tree, blob]
    assert len(shas) <= read._FEW < len(shas * 5)
    few = list(GitRepo(repo.path).read_blobs(shas, limit=100))
    many = list(GitRepo(repo.path).read_blobs(shas * 5, limit=100))
    assert few == many[:4]
    assert [None if data is None else len(data) for _, data in few] == [101, None, None, 101]


def _dump(path: Path) -> list[str]:
    """A SQLite file's tables and rows (opened as immutable: nothing is made beside it)."""
    with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as connection:
        return list(connection.iterdump())


def _limit_file_size(size: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_an_index_that_cannot_be_written_is_kept_and_the_answer_still_right(
    repo: ManualRepo, tmp_path: Path
):
    """A full disk (here: a file-size limit, which binds root too) while the index grows."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    assert tracker("releases", "--repo", str(repo.path)).returncode == 0
    (stored,) = Path(os.environ["TRACKER_CACHE_DIR"]).glob("*/derived-*.sqlite")
    before = _dump(stored)
    body = "Words that make the index grow past the limit. " * 400
    repo.commit({f"c{n}.md": doc(f"Chapter {n}", body + str(n)) for n in range(60)}, "Many",
                "2024-02-02T10:00:00+00:00")  # fmt: skip
    limit = stored.stat().st_size + 4096
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "history", "c59", "--repo", str(repo.path)],
        capture_output=True, text=True, check=False,
        preexec_fn=lambda: _limit_file_size(limit),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Chapter 59" in result.stdout
    assert "was not written" in result.stderr and "Traceback" not in result.stderr
    assert _dump(stored) == before  # kept as it was
    assert tracker("history", "c59", "--repo", str(repo.path)).returncode == 0  # and mends


def test_a_deleted_index_is_rebuilt_under_a_running_service(repo: ManualRepo):
    repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    with TestClient(create_app(repo.open())) as client:
        assert client.get("/chapters/a").status_code == 200
        for stored in Path(os.environ["TRACKER_CACHE_DIR"]).glob("*/*.sqlite"):
            stored.unlink()
        repo.commit({"a.md": doc("A", "Second text.")}, "Edit", "2024-02-02T10:00:00+00:00")
        response = client.get("/chapters/a/history")
        assert response.status_code == 200 and "Edit" in response.text


def test_a_force_pushed_branch_is_read_again(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.commit({"b.md": doc("B")}, "Add B", "2024-02-02T10:00:00+00:00")
    with TestClient(create_app(repo.open())) as client:
        assert client.get("/chapters/b").status_code == 200
        repo.git("reset", "--hard", "HEAD~1")
        repo.commit({"c.md": doc("C")}, "Add C instead", "2024-02-03T10:00:00+00:00")
        assert client.get("/chapters/b").status_code == 404
        assert client.get("/chapters/c").status_code == 200


def test_a_repository_cloned_again_at_its_path_is_read_under_a_running_service(
    repo: ManualRepo,
):
    """Deleted and made again (a fresh clone) while the service runs: its texts are read from
    the new repository, not looked for in the old one (every chapter was a 404 with "git
    lacks the file's contents" until the service was restarted)."""
    repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    with TestClient(create_app(repo.open())) as client:
        assert "First text." in client.get("/chapters/a").text
        shutil.rmtree(repo.path)
        repo.path.mkdir()
        again = ManualRepo(repo.path)
        again.commit({"a.md": doc("A", "Cloned text.")}, "Add", "2024-01-03T10:00:00+00:00")
        response = client.get("/chapters/a")
        assert response.status_code == 200 and "Cloned text." in response.text
        assert "lacks" not in client.get("/chapters/a/history").text


def test_threads_reading_while_the_git_folder_changes_are_never_cut_off(repo: ManualRepo):
    """git status, a pull, the service's own fetch: each changes the git folder (its change
    time). The long-lived reader used to be closed as soon as a thread saw that, under the
    threads reading with it ("git cat-file stopped; the repository may be damaged": a 503;
    review). Now a reader is asked again only for a text it found missing, and the old one
    stops when no thread holds it."""
    import threading

    from tracker.errors import RepositoryError
    from tracker.repository.read import GitRepo

    head = repo.commit({"a.md": doc("A", "Text.")}, "Add", "2024-01-02T10:00:00+00:00")
    reader = GitRepo(repo.path)
    blob = repo.git("rev-parse", "HEAD:procedures/a.md")
    errors: list[str] = []
    reads = [0, 0]
    stop = threading.Event()

    def read(missing: bool) -> None:
        while not stop.is_set():
            try:
                if missing:  # (a file the commit lacks: read again by a new reader)
                    assert reader.read_file(head, "procedures/none.md") is None
                else:
                    assert reader.read_blob(blob).endswith(b"Text.\n")
                reads[missing] += 1
            except (RepositoryError, AssertionError) as error:
                errors.append(repr(error))

    def change() -> None:
        marker = repo.path / ".git" / "marker"
        while not stop.is_set():
            marker.touch()
            marker.unlink()

    threads = [threading.Thread(target=read, args=(n % 2 == 0,)) for n in range(4)]
    threads.append(threading.Thread(target=change))
    for thread in threads:
        thread.start()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    reader.close()
    assert errors == []
    assert min(reads) > 20


def test_readers_see_the_old_index_while_a_writer_is_at_work(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    manual = repo.open()
    head = manual.snapshot().head
    path = derived.derived_path(manual.repo, "main", Root("procedures"))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what a write of the kept history holds
    writer.execute("DELETE FROM documents")
    writer.execute("DELETE FROM kept")
    kept = derived.stored(manual.repo, "main", Root("procedures"))
    assert kept is not None and kept.head == head  # the committed state, not the half-written
    snapshot = kept.snapshot()
    assert snapshot is not None and [d.id for d in snapshot.documents] == ["a"]
    kept.close()
    writer.execute("ROLLBACK")
    writer.close()


def test_broken_settings_in_a_new_commit_keep_the_last_good_manual_on_show(repo: ManualRepo):
    repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    with TestClient(create_app(repo.open())) as client:
        assert "cannot be shown yet" not in client.get("/chapters/a").text
        good = repo.git("rev-parse", "HEAD")
        repo.commit({"manual.toml": "[releases\n", "a.md": doc("A", "Second text.")}, "Break",
                    "2024-02-02T10:00:00+00:00")  # fmt: skip
        response = client.get("/chapters/a")
        assert response.status_code == 200
        assert "First text." in response.text and "Second text." not in response.text
        assert "settings cannot be read" in response.text and good[:10] in response.text
        health = client.get("/healthz").json()
        assert (health["status"], health["head"]) == ("stale", good)
        assert "manual.toml" in health["problem"]
        repo.commit({"manual.toml": "", "a.md": doc("A", "Second text.")}, "Mend",
                    "2024-02-03T10:00:00+00:00")  # fmt: skip
        response = client.get("/chapters/a")
        assert "Second text." in response.text and "cannot be shown yet" not in response.text
    mended = repo.git("rev-parse", "HEAD")
    repo.commit({"manual.toml": "[releases\n"}, "Break again", "2024-02-04T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "Third text.")}, "Edit", "2024-02-05T10:00:00+00:00")
    with TestClient(create_app(repo.open()), raise_server_exceptions=False) as fresh:
        # A service started now (a restart, another worker) shows the manual as it stood
        # before the commit that broke the settings, as one running all along does: it
        # answered 503, and a worker that had read a commit in between showed another state.
        response = fresh.get("/chapters/a")
        assert response.status_code == 200
        assert "Second text." in response.text and "settings cannot be read" in response.text
        assert fresh.get("/healthz").json()["head"] == mended


def test_settings_that_are_not_utf8_are_broken_settings_on_the_web_too(repo: ManualRepo):
    """A Latin-1 manual.toml is refused as the command line refuses it, never shown with a
    replacement character: the last good state stays on show, saying why."""
    repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    latin1 = '[manual]\nshort_name = "Caf\u00e9 Partnership"\n'.encode("latin-1")
    with TestClient(create_app(repo.open())) as client:
        assert client.get("/chapters/a").status_code == 200
        (repo.path / "procedures" / "manual.toml").write_bytes(latin1)
        repo.commit({"a.md": doc("A", "Second text.")}, "Break", "2024-02-02T10:00:00+00:00")
        response = client.get("/chapters/a")
        assert response.status_code == 200
        assert "First text." in response.text and "Second text." not in response.text
        assert "manual.toml is not UTF-8 text (line 2)" in response.text
        assert "\ufffd" not in client.get("/releases/2024-01-02/newsletter.txt").text
    with TestClient(create_app(repo.open()), raise_server_exceptions=False) as fresh:
        response = fresh.get("/chapters/a")  # (started since: the manual before the break)
        assert response.status_code == 200 and "First text." in response.text
        assert "save it as UTF-8" in response.text


def test_settings_broken_by_the_commit_that_brought_the_manual_have_nothing_before_them(
    repo: ManualRepo,
):
    """The manual's folder came with the commit that broke its settings: the state before it
    has no manual, and the service said "There is no folder 'procedures'" (review): it answers
    503 naming the settings, as for a broken first commit."""
    (repo.path / "README.md").write_text("A repository with other things first.\n")
    repo.git("add", "README.md")
    repo.git("commit", "--quiet", "-m", "Start", when="2024-01-01T10:00:00+00:00")
    repo.commit({"manual.toml": "[releases\n", "a.md": doc("A")}, "The manual",
                "2024-01-02T10:00:00+00:00")  # fmt: skip
    with TestClient(create_app(repo.open()), raise_server_exceptions=False) as client:
        response = client.get("/chapters/a")
        assert response.status_code == 503 and "manual.toml is not valid TOML" in response.text
        # Kept by no cache in front (a CDN may keep what says nothing), and asked again soon.
        assert (response.headers["cache-control"], response.headers["retry-after"]) == (
            "no-store",
            "60",
        )


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The service's warnings but the unbuilt assets', each from a logger under "tracker" (the
    command line's handler says those alone: site.py's went out bare, in every mode)."""
    said = [(r.name, r.getMessage()) for r in caplog.records if r.levelname == "WARNING"]
    return [m if n.startswith("tracker.") else n + ": " + m for n, m in said if "assets" not in m]


@pytest.mark.parametrize("how", ["deleted", "a missing commit"])
def test_a_served_branch_that_goes_away_is_503_said_once_and_served_again_when_back(
    repo: ManualRepo, how: str, caplog: pytest.LogCaptureFixture
):
    """The served branch deleted (a 'fetch --prune' after upstream renamed it) or naming a
    commit git lacks: every page and /healthz answered 404 "Page not found", and nothing was
    logged (operator's exploratory run). The manual cannot be read: 503, said in the log
    once, and served again once the branch is back."""
    head = repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    said = "The branch 'main' is not in this repository, or git lacks the commit it names."
    with TestClient(create_app(repo.open(branch="main"))) as client:
        assert client.get("/chapters/a").status_code == 200
        repo.git("checkout", "--quiet", "--detach")  # (the working copy's own branch may go)
        if how == "deleted":
            repo.git("update-ref", "-d", "refs/heads/main")
        else:
            (repo.path / ".git" / "refs" / "heads" / "main").write_text("12" * 20 + "\n")
        for address in ("/healthz", "/", "/chapters/a", "/feeds/releases.atom"):
            response = client.get(address)
            assert response.status_code == 503, (address, response.text)
            assert said in response.text or said.replace("'", "&#39;") in response.text
        assert client.get("/healthz").json() == {"error": said}
        assert _warnings(caplog) == [said[:-1] + "; the service answers 503."]
        repo.git("update-ref", "refs/heads/main", head)
        assert client.get("/chapters/a").status_code == 200
        assert client.get("/healthz").json()["head"] == head
        assert _warnings(caplog)[1:] == [f"the manual can be read again ({head[:10]})."]


def test_a_served_repository_whose_folder_is_removed_is_named_not_git(
    repo: ManualRepo, tmp_path: Path
):
    """The served repository removed (re-cloned in place): /healthz said "git could not be run
    (No such file or directory); is it installed?" (operator's exploratory run); it says the
    folder is not there, as the command line does, and serves again once it is back."""
    repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    served = tmp_path / "served.git"
    subprocess.run(["git", "clone", "--quiet", "--mirror", str(repo.path), str(served)],
                   check=True)  # fmt: skip
    with TestClient(create_app(create_manual(served))) as client:
        assert client.get("/healthz").status_code == 200
        served.rename(tmp_path / "away.git")
        response = client.get("/healthz")
        assert (response.status_code, response.json()) == (
            503, {"error": f"The folder {str(served)!r} does not exist."}
        )  # fmt: skip
        assert client.get("/chapters/a").status_code == 503
        (tmp_path / "away.git").rename(served)
        assert client.get("/healthz").status_code == 200
        assert "First text." in client.get("/chapters/a").text


def create_manual(path: Path):  # (the web opens a manual so: tests/conftest.py's open)
    from tracker.manual import open_manual

    return open_manual(path, branch="main")


def test_broken_settings_are_said_in_one_sentence_without_a_stray_full_stop(
    repo: ManualRepo, caplog: pytest.LogCaptureFixture
):
    """'... (at line 1, column 10).; showing the manual as it stood at ...' (operator's run)."""
    good = repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.commit({"manual.toml": "[releases\n"}, "Break", "2024-02-02T10:00:00+00:00")
    with TestClient(create_app(repo.open())) as client:
        assert client.get("/chapters/a").status_code == 200
    [said] = [r.getMessage() for r in caplog.records if "showing the manual" in r.getMessage()]
    assert said.endswith(f"); showing the manual as it stood at {good[:10]}."), said


def test_healthz_says_degraded_while_pages_answer_503_for_a_version_git_lacks(
    repo: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """A version's object gone from a damaged repository: its diff answered 503 while /healthz
    said "ok" (operator's exploratory run). It says "degraded", with why, while such pages
    answered 503 in the last ten minutes; the rest is served."""
    first = repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "Second text."), "b.md": doc("B")}, "Edit",
                "2024-02-02T10:00:00+00:00")  # fmt: skip
    with TestClient(create_app(repo.open()), raise_server_exceptions=False) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        sha = repo.git("rev-parse", f"{first}:procedures/a.md")
        (repo.path / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
        response = client.get("/chapters/a/diff")
        assert response.status_code == 503
        health = client.get("/healthz")
        assert health.status_code == 200  # (a load balancer keeps it in: alert on the field)
        said = health.json()
        assert said["status"] == "degraded" and said["failing"] == [said["problem"]]
        assert sha[:12] in said["problem"], said
        assert client.get("/chapters/b").status_code == 200
        now = time.monotonic()
        for later, status in ((599, "degraded"), (601, "ok")):  # (ten minutes on, "ok" again)
            monkeypatch.setattr(web.site.time, "monotonic", lambda later=later: now + later)
            assert client.get("/healthz").json()["status"] == status, later
        site = client.app.state.site
        for number in range(1000):  # (a full table makes way for a reason met now: review)
            site.unreadable(RepositoryError(f"reason {number}"))
        monkeypatch.setattr(web.site.time, "monotonic", lambda: now + 1300)
        site.unreadable(RepositoryError("git lacks another text"))
        assert site.failing_lately() == ["git lacks another text"]


def test_a_pushed_chapter_with_bad_front_matter_is_said_in_the_log_once(
    repo: ManualRepo, caplog: pytest.LogCaptureFixture
):
    """A push breaking a chapter's front matter was not logged: the page showed the version
    before and nobody was told (operator's exploratory run). The service says what a new head
    brought, once, and not what the head before already had (said as it started)."""
    repo.commit({"a.md": doc("A"), "b.md": "---\ntitle: [b\n---\n"}, "Add",
                "2024-01-02T10:00:00+00:00")  # fmt: skip
    with TestClient(create_app(repo.open())) as client:
        assert client.get("/chapters/a").status_code == 200
        assert _warnings(caplog) == []  # (b's is the command line's to say as it starts)
        head = repo.commit({"a.md": "---\ntitle: Referrals: a guide\n---\n# A\n"}, "Edit",
                           "2024-02-02T10:00:00+00:00")  # fmt: skip
        for _ in range(2):
            assert client.get("/chapters/a").status_code == 200
        said = [
            "a.md: the front matter is not valid YAML at line 2 (a value holding ': ' must be in "
            f"""quotes: title: "Referrals: a guide") (at {head[:10]}; see 'tracker check')."""
        ]
        assert _warnings(caplog) == said
        for text, when in ((doc("A"), "03"), ("---\ntitle: Referrals: a guide\n---\n# A\n", "04")):
            repo.commit({"a.md": text}, "Again", f"2024-02-{when}T10:00:00+00:00")
            assert client.get("/chapters/a").status_code == 200
        assert _warnings(caplog) == said  # (once a worker: heads read at once, in either order,
        # never say one twice; review)
