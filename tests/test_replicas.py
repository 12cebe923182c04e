"""Several workers on one repository, refreshed by a signed push webhook or by polling
(docs/operators.md, "Several workers and refreshing"): real processes, real HTTP."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient

from tracker.errors import GitTimeout, RepositoryError
from tracker.manual import open_manual
from tracker.repository.read import GitRepo
from tracker.repository.write import fetch_branch
from web.app import BUILT, create_app

SECRET = "a shared secret"


@pytest.fixture
def upstream(repo: ManualRepo) -> ManualRepo:
    """Where authors push: the repository the service fetches from."""
    repo.commit({"a.md": doc("A", "First text.")}, "Add", "2024-01-02T10:00:00+00:00")
    return repo


@pytest.fixture
def served(upstream: ManualRepo, tmp_path: Path) -> Path:
    """The service's own copy: a mirror clone, as docs/operators.md recommends."""
    mirror = tmp_path / "served.git"
    subprocess.run(["git", "clone", "--quiet", "--mirror", str(upstream.path), str(mirror)],
                   check=True)  # fmt: skip
    return mirror


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_push_webhook_must_be_signed_and_then_fetches(
    upstream: ManualRepo, served: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", SECRET)
    before = upstream.git("rev-parse", "HEAD")
    after = upstream.commit({"a.md": doc("A", "Second text.")}, "Edit", "2024-02-02T10:00:00+00:00")
    body = json.dumps({"ref": "refs/heads/main", "after": after}).encode()
    with TestClient(create_app(open_manual(served, branch="main"))) as web:
        for headers in (
            {},
            {"X-Hub-Signature-256": signature(body, "another secret")},
            {"X-Hub-Signature-256": signature(body)[:-1] + "0"},
            {"X-Gitlab-Token": "a guess"},
            {"X-Gitea-Signature": "0" * 64},
        ):
            response = web.post("/hooks/push", content=body, headers=headers)
            assert response.status_code == 401, headers
            assert web.get("/healthz").json()["head"] == before  # nothing fetched
        tampered = body.replace(b"main", b"mane")
        response = web.post("/hooks/push", content=tampered,
                            headers={"X-Hub-Signature-256": signature(body)})  # fmt: skip
        assert response.status_code == 401
        response = web.post("/hooks/push", content=body, headers={"X-GitHub-Event": "ping",
                            "X-Hub-Signature-256": signature(body)})  # fmt: skip
        assert response.json() == {"status": "pong"}
        response = web.post("/hooks/push", content=body,
                            headers={"X-Hub-Signature-256": signature(body)})  # fmt: skip
        assert response.status_code == 200
        assert response.json() == {"status": "fetched", "branch": "main", "head": after}
        assert "Second text." in web.get("/chapters/a").text
        gitea = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        for headers in ({"X-Gitea-Signature": gitea}, {"X-Gitlab-Token": SECRET}):
            assert web.post("/hooks/push", content=body, headers=headers).status_code == 200
    modes = [stat.S_IMODE(path.stat().st_mode) for path in (served / "tracker",
             served / "tracker" / "fetch.lock")]  # fmt: skip
    assert modes == [0o700, 0o600]  # (the fetch's lock made them 0755 and 0644: operator's run)


def test_a_secret_that_is_not_ascii_is_taken_from_each_forge(
    upstream: ManualRepo, served: Path, monkeypatch: pytest.MonkeyPatch
):
    secret = "pass£wörd"
    monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", secret)
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    with TestClient(create_app(open_manual(served, branch="main"))) as web:
        for token, status in ((secret, 200), ("pass£word", 401), ("pass?w?rd", 401)):
            headers = {"X-Gitlab-Token": token.encode()}  # (sent as UTF-8)
            assert web.post("/hooks/push", content=body, headers=headers).status_code == status
        signed = {"X-Hub-Signature-256": signature(body, secret)}
        assert web.post("/hooks/push", content=body, headers=signed).status_code == 200


def test_without_a_secret_the_webhook_is_off(served: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TRACKER_WEBHOOK_SECRET", raising=False)
    with TestClient(create_app(open_manual(served, branch="main"))) as web:
        body = b"{}"
        response = web.post("/hooks/push", content=body,
                            headers={"X-Hub-Signature-256": signature(body)})  # fmt: skip
        assert response.status_code == 404


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def service(served: Path) -> Iterator[tuple[str, list[str]]]:
    """Starts ``tracker serve`` on the mirror; yields its address and the arguments to add."""
    started: list[subprocess.Popen[str]] = []
    port = free_port()

    def start(*extra: str) -> str:
        process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "serve", "--repo", str(served), "--branch", "main",
             "--port", str(port), *extra],
            env={**os.environ, "TRACKER_WEBHOOK_SECRET": SECRET},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        started.append(process)
        address = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if get(address + "/healthz")[0] == 200:
                    return address
            except OSError:
                time.sleep(0.1)
        process.kill()
        raise AssertionError(process.communicate()[1])

    yield start  # type: ignore[misc]
    for process in started:
        process.terminate()
        try:
            process.communicate(timeout=10)  # and its pipes closed
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_two_workers_share_one_repository_and_both_serve_a_push(upstream: ManualRepo, service):
    address = service("--workers", "2")
    before = get(address + "/healthz")[1]["head"]
    after = upstream.commit({"a.md": doc("A", "Second text.")}, "Edit", "2024-02-02T10:00:00+00:00")
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    status, answer = get(address + "/hooks/push", body, {"X-Hub-Signature-256": signature(b"x")})
    assert status == 401
    assert get(address + "/healthz")[1]["head"] == before
    status, answer = get(address + "/hooks/push", body, {"X-Hub-Signature-256": signature(body)})
    assert (status, answer["head"]) == (200, after)
    # Many connections at once, so that while one worker is busy the other accepts: which
    # worker takes a connection is the kernel's choice, and one idle worker may win them all.
    from concurrent.futures import ThreadPoolExecutor

    answers: list[dict[str, str]] = []
    for _ in range(10):  # rounds, until both have answered (each round the kernel's choice)
        with ThreadPoolExecutor(8) as pool:
            answers += pool.map(lambda _: get(address + "/healthz")[1], range(200))
        if len({answer["worker"] for answer in answers}) == 2:
            break
    assert {answer["head"] for answer in answers} == {after}
    assert len({answer["worker"] for answer in answers}) == 2, "one worker took every request"


def test_polling_picks_up_a_push_without_a_webhook(upstream: ManualRepo, service):
    address = service("--poll", "1")
    after = upstream.commit({"a.md": doc("A", "Second text.")}, "Edit", "2024-02-02T10:00:00+00:00")
    for _ in range(100):
        if get(address + "/healthz")[1]["head"] == after:
            break
        time.sleep(0.1)
    assert get(address + "/healthz")[1]["head"] == after


def test_the_webhook_refuses_odd_and_huge_requests_without_a_500(
    served: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", SECRET)
    with TestClient(create_app(open_manual(served, branch="main"))) as web:
        body = b"{}"
        for header in ("X-Hub-Signature-256", "X-Gitea-Signature", "X-Gitlab-Token"):
            response = web.post("/hooks/push", content=body, headers={header: b"sha256=\xe9"})
            assert response.status_code == 401, header
        response = web.post("/hooks/push", content=b"x" * 6_000_000,
                            headers={"X-Hub-Signature-256": signature(b"x" * 6_000_000)})  # fmt: skip
        assert response.status_code == 413


@pytest.mark.parametrize("branch", [[], ["--branch", "HEAD"]])
def test_polling_without_a_branch_to_follow_is_refused_at_start(
    upstream: ManualRepo, tmp_path: Path, branch: list[str]
):
    """A detached HEAD has no branch to fetch: refused at once, not failing on every poll."""
    detached = tmp_path / "detached"
    subprocess.run(["git", "clone", "--quiet", str(upstream.path), str(detached)], check=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach"], cwd=detached, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "serve", "--repo", str(detached), "--poll", "5",
         "--port", str(free_port()), *branch],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "tracker: error: --poll fetches the branch the service follows, but the repository is "
        "on a detached HEAD: name the branch with --branch.\n"
    )


def upload_pack(folder: Path, script: str) -> Path:
    """A stand-in for the remote's git-upload-pack (``remote.origin.uploadpack``)."""
    path = folder / "upload-pack"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def test_a_fetch_that_goes_quiet_is_stopped_and_one_that_progresses_is_not(
    upstream: ManualRepo, served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """As every git process: stopped after TRACKER_GIT_TIMEOUT seconds without progress,
    however long it has been going."""
    monkeypatch.setenv("TRACKER_GIT_TIMEOUT", "1")
    after = upstream.commit({"a.md": doc("A", "Second text.")}, "Edit", "2024-02-02T10:00:00+00:00")
    quiet = upload_pack(tmp_path, "exec sleep 60\n")
    subprocess.run(
        ["git", "config", "remote.origin.uploadpack", str(quiet)], cwd=served, check=True
    )
    started = time.monotonic()
    with pytest.raises(GitTimeout, match=r"^git fetch did not answer within 1 second, so it"):
        fetch_branch(GitRepo(served), "main")
    assert time.monotonic() - started < 30
    slow = upload_pack(tmp_path, 'for i in 1 2 3 4 5 6 7 8; do echo "working" >&2; sleep 0.3; done\n'
                                 'exec git upload-pack "$@"\n')  # fmt: skip
    subprocess.run(["git", "config", "remote.origin.uploadpack", str(slow)], cwd=served, check=True)
    assert fetch_branch(GitRepo(served), "main") == after  # 2.4 s, never 1 s without a word


def test_the_wait_for_another_fetch_is_bounded(
    upstream: ManualRepo, served: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TRACKER_GIT_TIMEOUT", "1")
    after = upstream.commit({"a.md": doc("A", "Second text.")}, "Edit", "2024-02-02T10:00:00+00:00")
    (served / "tracker").mkdir(exist_ok=True)
    with (served / "tracker" / "fetch.lock").open("a") as other:  # another worker, fetching
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(RepositoryError) as refused:
            fetch_branch(GitRepo(served), "main")
        assert str(refused.value) == (
            "Another fetch of this repository still held its lock after 1 second, so this one "
            "was not made (TRACKER_GIT_TIMEOUT sets the wait)."
        )
        assert GitRepo(served).resolve("main") != after  # nothing fetched
    assert fetch_branch(GitRepo(served), "main") == after  # its turn, once the lock is free


def test_a_fetch_that_fails_is_said_in_git_s_own_words(upstream: ManualRepo, served: Path, service):
    """The webhook's 503 quotes git's first 'fatal:' line, the reason, not the last line of
    its advice ('and the repository exists.'), which read as nonsense."""
    address = service()
    moved = ["git", "remote", "set-url", "origin", "/nonexistent/procedures.git"]
    subprocess.run(moved, cwd=served, check=True)  # the forge moved, or is down
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "push",
               "X-Hub-Signature-256": signature(body)}  # fmt: skip
    assert get(address + "/hooks/push", body, headers) == (503, {
        "error": "git could not fetch 'main' from 'origin': '/nonexistent/procedures.git' "
        "does not appear to be a git repository."
    })  # fmt: skip
    subprocess.run(["git", "remote", "set-url", "origin", str(upstream.path)], cwd=served,
                   check=True)  # fmt: skip
    with pytest.raises(RepositoryError) as missing:
        fetch_branch(GitRepo(served), "no-such-branch")
    assert str(missing.value) == (
        "git could not fetch 'no-such-branch' from 'origin': couldn't find remote ref "
        "refs/heads/no-such-branch."
    )


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("fatal: 'x' does not appear to be a git repository\nfatal: Could not read from remote "
         "repository.\n\nPlease make sure you have the correct access rights\nand the "
         "repository exists.\n", "'x' does not appear to be a git repository"),
        ("remote: Counting objects: 5\rReceiving objects: 100%\nerror: RPC failed\nfatal: "
         "early EOF\n", "early EOF"),
        ("Receiving objects: 40%\rerror: cannot lock ref 'refs/heads/main'\n",
         "cannot lock ref 'refs/heads/main'"),
        ("something odd.\n", "something odd"),
        ("fatal: bad \x1b[31mref\n", "bad \ufffd[31mref"),
        ("", "unknown error"),
    ],
)  # fmt: skip
def test_why_a_fetch_failed_is_git_s_first_fatal_line(said: str, reason: str):
    from tracker.repository.fetch import fetch_reason

    assert fetch_reason(said) == reason


def test_a_push_that_breaks_the_settings_is_fetched_and_a_restart_serves_on(
    upstream: ManualRepo, served: Path, service
):
    """A push breaking manual.toml: the webhook said 503 (the forge then sends it again, to
    the same end) though it had fetched it, and 'tracker serve' started afterwards (a reboot,
    an upgrade) exited: an outage, and nothing left to fetch the mending push (operator's
    exploratory run). Now the hook says it fetched, and a service started then shows the
    manual as it stood before the breaking commit, saying so, until a push mends it."""
    address = service("--workers", "2")
    good = get(address + "/healthz")[1]["head"]
    broken = upstream.commit({"manual.toml": "[releases\n"}, "Break", "2024-02-02T10:00:00+00:00")
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    status, answer = get(address + "/hooks/push", body, {"X-Hub-Signature-256": signature(body)})
    assert (status, answer["head"]) == (200, broken)
    health = get(address + "/healthz")[1]
    assert (health["status"], health["head"]) == ("stale", good)
    port = free_port()  # another service started now, as after a reboot
    restarted = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--repo", str(served), "--branch", "main",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                health = get(f"http://127.0.0.1:{port}/healthz")[1]
                break
            except OSError:
                assert restarted.poll() is None, restarted.communicate()[1]
                time.sleep(0.1)
        assert (health["status"], health["head"]) == ("stale", good)
    finally:
        restarted.terminate()
        _, said = restarted.communicate(timeout=10)
    assert "showing the manual as it stood at" in said and good[:10] in said


def test_healthz_says_how_the_last_fetch_went(upstream: ManualRepo, served: Path):
    """/healthz said "ok" while every poll's fetch failed; only the log said so (operator's
    exploratory run). How the last fetch went is kept beside the index, for every worker."""
    from web import hooks

    with TestClient(create_app(open_manual(served, branch="main"))) as web:
        assert "fetch" not in web.get("/healthz").json()  # (none yet)
        manual = web.app.state.site.manual  # type: ignore[attr-defined]
        hooks.refresh(manual)
        assert web.get("/healthz").json()["fetch"]["ok"] is True
        moved = ["git", "remote", "set-url", "origin", "/nonexistent/procedures.git"]
        subprocess.run(moved, cwd=served, check=True)
        for _ in range(2):
            with pytest.raises(RepositoryError):
                hooks.refresh(manual)
        failing = web.get("/healthz").json()["fetch"]
        assert (
            failing["ok"] is False and "does not appear to be a git repository" in failing["error"]
        )
        assert failing["failing_since"] <= failing["at"]
        subprocess.run(["git", "remote", "set-url", "origin", str(upstream.path)], cwd=served,
                       check=True)  # fmt: skip
        hooks.refresh(manual)
        back = web.get("/healthz").json()["fetch"]
        assert back["ok"] is True and set(back) == {"ok", "at"}


def test_how_fetches_went_is_never_written_where_others_could_change_it(
    upstream: ManualRepo, served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """fetch.json was written into a cache folder another user owns, through a link they
    could plant (review): as every cache file, only into a folder of this user's alone."""
    from tracker.index.store import cache_folder
    from web import hooks

    if os.getuid() != 0:  # (another user's folder is made here by chown, which needs root)
        pytest.skip("needs root to make a folder another user's")
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "shared"))
    manual = open_manual(served, branch="main")
    folder = cache_folder(manual.repo)
    folder.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("theirs")
    (folder / hooks.FETCH_STATE).symlink_to(victim)
    guessed = f".{hooks.FETCH_STATE}.{os.getpid()}.{threading.get_ident()}"  # (its old name)
    (folder / guessed).symlink_to(victim)
    os.chown(folder, os.getuid() + 4242, os.getgid())
    hooks.refresh(manual)
    assert victim.read_text() == "theirs" and hooks.fetch_state(manual) is None
    assert (folder / hooks.FETCH_STATE).is_symlink()  # (nothing written in their folder)
    manual.close()


def test_what_the_service_logs_is_said_once_each_in_one_form(
    upstream: ManualRepo, served: Path, tmp_path: Path
):
    """What an operator's log showed (operator's exploratory run): a webhook whose fetch
    failed, nothing; polling, the same warning at every interval while the remote was down
    (1,440 lines a day at --poll 60); the workers' lines without the main process's
    'tracker: warning:'; the unbuilt assets once per worker; and no line said when. Now each
    line is 'TIME tracker: warning: ...', a failing poll is said once and its recovery too."""
    port, log = free_port(), tmp_path / "serve.log"
    moved = ["git", "remote", "set-url", "origin", "/nonexistent/procedures.git"]
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "serve", "--repo", str(served), "--branch", "main",
             "--port", str(port), "--workers", "2", "--poll", "1"],
            env={**os.environ, "TRACKER_WEBHOOK_SECRET": SECRET},
            stdout=subprocess.DEVNULL, stderr=out,
        )  # fmt: skip
    address = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                if get(address + "/healthz")[0] == 200:
                    break
            time.sleep(0.1)
        subprocess.run(moved, cwd=served, check=True)
        assert (
            get(address + "/hooks/push", body, {"X-Hub-Signature-256": signature(body)})[0] == 503
        )
        assert get(address + "/hooks/push", body, {"X-Hub-Signature-256": "sha256=0"})[0] == 401
        time.sleep(4)  # (three polls or more fail)
        subprocess.run(["git", "remote", "set-url", "origin", str(upstream.path)], cwd=served,
                       check=True)  # fmt: skip
        for _ in range(100):
            if "polling the remote works again" in log.read_text():
                break
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = log.read_text().splitlines()
    stamped = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ tracker: warning: (.+)"
    assert all(re.fullmatch(stamped, line) for line in lines), lines
    said = [line.split(" tracker: warning: ", 1)[1] for line in lines]
    failed = ("git could not fetch 'main' from 'origin': '/nonexistent/procedures.git' does not "
              "appear to be a git repository.")  # fmt: skip
    assert said.count(f"the push webhook's fetch failed: {failed}") == 1
    assert said.count("a push webhook from 127.0.0.1 without a valid signature was refused.") == 1
    assert said.count(f"polling the remote failed: {failed}") == 1, said
    assert [line for line in said if "works again" in line] == [
        f"polling the remote works again (main at {upstream.git('rev-parse', 'HEAD')[:10]})."
    ]
    unbuilt = not (BUILT / "app.css").is_file()  # (said once in all, not by every worker)
    assert sum("front-end assets are not built" in line for line in said) == unbuilt


def test_healthz_says_only_how_this_run_s_fetches_went(upstream: ManualRepo, served: Path):
    """A service restarted without --poll or the webhook showed the last run's fetch in
    /healthz for ever, "ok": false included, so an alert on it never cleared (operator's
    exploratory run). A fetch before the service started is not its own: not shown."""
    from tracker.index.store import cache_folder
    from web import hooks

    manual = open_manual(served, branch="main")
    subprocess.run(["git", "remote", "set-url", "origin", "/nonexistent/procedures.git"],
                   cwd=served, check=True)  # fmt: skip
    with pytest.raises(RepositoryError):
        hooks.refresh(manual)  # (the last run's poll, yesterday)
    kept = cache_folder(manual.repo) / hooks.FETCH_STATE
    earlier = json.loads(kept.read_text()) | {"at": "2024-01-01T10:00:00+00:00",
                                              "failing_since": "2024-01-01T09:00:00+00:00"}  # fmt: skip
    kept.write_text(json.dumps(earlier))
    with TestClient(create_app(open_manual(served, branch="main"))) as web:
        health = web.get("/healthz").json()
        assert health["status"] == "ok" and "fetch" not in health
        kept.write_text(json.dumps(earlier | {"at": "2099-01-01T10:00:00"}))  # (no zone: a 500)
        assert web.get("/healthz").json() == health
        with pytest.raises(RepositoryError):  # (this run's: said, and failing since the last's)
            hooks.refresh(web.app.state.site.manual)  # type: ignore[attr-defined]
        fetched = web.get("/healthz").json()["fetch"]
        assert fetched["ok"] is False and fetched["failing_since"] == "2024-01-01T09:00:00+00:00"
