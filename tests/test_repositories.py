"""Manuals as they exist in the wild: objects missing, partial clones, files that are not text,
very large files, Windows line ends, symlinks, submodules and front matter that breaks.

Each case builds a real repository. What cannot be read is left out and said, never guessed.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, SCHEDULE, ManualRepo, doc

from tracker.authoring.check import check_manual
from tracker.history.model import Problem
from tracker.history.snapshot import Snapshot
from tracker.trackchanges.compare import diff_documents

pytestmark = pytest.mark.reliability("repositories read")


def tracker(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def drop_object(repo: ManualRepo, name: str) -> str:
    """Delete a loose object (a blob named ``commit:path``), as a damaged copy would lack it."""
    sha = repo.git("rev-parse", name)
    (repo.path / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    return sha


def found(problems: tuple[Problem, ...] | list[Problem]) -> set[tuple[str, str, str]]:
    return {(p.where, p.rule, p.level) for p in problems}


def test_objects_missing_outside_the_manual_do_not_stop_it(repo: ManualRepo):
    """git compares files for renames only inside the manual's folder."""
    images = repo.path / "assets"
    images.mkdir()
    (images / "one.png").write_bytes(os.urandom(5000))
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    repo.git("mv", "assets/one.png", "assets/two.png")
    with (images / "two.png").open("ab") as image:
        image.write(b"more")  # renamed and changed: git would have to read both to pair them
    repo.commit({"a.md": doc("A", "New text.")}, "Edit", "2024-02-02T10:00:00+00:00")
    drop_object(repo, "HEAD:assets/two.png")
    snapshot = repo.snapshot()
    assert [v.kind for v in snapshot.document("a").versions] == ["added", "modified"]
    assert snapshot.problems == ()


def test_a_version_whose_object_is_missing_is_left_out_and_said(repo: ManualRepo, caplog):
    for number in (1, 2, 3):
        repo.commit({"a.md": doc("A", f"Text {number}.")}, f"v{number}",
                    f"2024-0{number}-02T10:00:00+00:00")  # fmt: skip
    drop_object(repo, f"HEAD~1:{ROOT}/a.md")
    manual = repo.open()
    snapshot = manual.snapshot()
    versions = snapshot.document("a").versions
    assert [[n.text for n in v.notes] for v in versions] == [["v1"], ["v2", "v3"]]  # v2's too
    assert ("a.md", "missing-object", "warning") in found(snapshot.problems)
    assert "is not published (replaced since)" in caplog.text  # (what became of it)
    old, _ = manual.compared(snapshot, snapshot.document("a"), None, None, versions[-1].effective)
    assert old is not None and old.commit == versions[0].commit  # v3 is compared with v1
    result = tracker("diff", "a", "--repo", str(repo.path))
    assert result.returncode == 0, result.stderr
    assert "Text [-1-]{+3+}." in result.stdout
    assert "missing object" in result.stderr
    # Asked of a day the unread version may have been in force, the page and show say so;
    # they stated the version before as in force then (exploratory testing of history shapes).
    shown = tracker("show", "a", "--at", "2024-02-15", "--repo", str(repo.path))
    assert "Text 1." in shown.stdout
    assert "tracker: note: a later version, committed on 2024-02-02, could not be read (git " \
        "lacks the file's contents" in shown.stderr  # fmt: skip
    assert "it may have been in force on 2024-02-15 in place of the text shown." in shown.stderr
    later = tracker("show", "a", "--at", "2024-03-15", "--repo", str(repo.path))
    assert "Text 3." in later.stdout and "could not be read" not in later.stderr
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(manual)) as client:
        words = " ".join(client.get("/chapters/a?at=2024-02-15").text.split())
        assert "A later version of this chapter, made on 2 February 2024, is missing from this " \
            "copy of the manual, so it cannot be shown: it may have been in force on 15 " \
            "February 2024 in place of the text below." in words  # fmt: skip
        assert "is missing from this copy" not in client.get("/chapters/a?at=2024-03-15").text
        (gone,) = client.get("/api/chapters/a/history").json()["left_out"]  # (and the CLI's)
        assert (gone["committed"], gone["file"]) == ("2024-02-02", "a.md")
    history = json.loads(
        tracker("history", "a", "--format", "json", "--repo", str(repo.path)).stdout
    )
    assert [gone["reason"][:29] for gone in history["left_out"]] == [
        "git lacks the file's contents"
    ]


def test_a_lost_newest_version_is_said_and_another_documents_is_not(repo: ManualRepo):
    """The newest version git lacks was never said (its day is kept blank, as it does not
    age), and a chapter that once had another's path was told of that one's lost version,
    on its page every day (review), or of a new file's never published there (second
    review); a new file's left out before it could be read is the chapter's it became."""
    repo.commit({"x.md": doc("X", "X text.", id="x")}, "x", "2024-01-02T10:00:00+00:00")
    repo.move("x.md", "moved.md", when="2024-01-03T10:00:00+00:00")
    repo.commit({"x.md": doc("Y", "Y 1.", id="y")}, "y1", "2024-01-04T10:00:00+00:00")
    repo.move("moved.md", "x2.md", when="2024-01-05T10:00:00+00:00")
    repo.commit({"moved.md": doc("Z", "Z 1.")}, "z1", "2024-01-06T10:00:00+00:00")
    (repo.path / ROOT / "new.md").write_bytes(doc("N", "Caf\xe9.").encode("latin-1"))
    repo.commit({}, "n1", "2024-01-07T10:00:00+00:00")
    repo.commit({"new.md": doc("N", "N 2.")}, "n2", "2024-01-08T10:00:00+00:00")
    repo.commit({"x.md": doc("Y", "Y 2.", id="y")}, "y2", "2024-02-02T10:00:00+00:00")
    drop_object(repo, f"HEAD:{ROOT}/x.md")
    drop_object(repo, f"HEAD:{ROOT}/moved.md")
    shown = tracker("show", "y", "--at", "2024-02-15", "--repo", str(repo.path))
    assert "Y 1." in shown.stdout
    assert "note: a later version, committed on 2024-02-02, could not be read" in shown.stderr
    history = json.loads(
        tracker("history", "y", "--format", "json", "--repo", str(repo.path)).stdout
    )
    assert [gone["committed"] for gone in history["left_out"]] == ["2024-02-02"]
    other = tracker("show", "x", "--at", "2024-02-15", "--repo", str(repo.path))
    assert "X text." in other.stdout and "could not be read" not in other.stderr
    history = json.loads(
        tracker("history", "x", "--format", "json", "--repo", str(repo.path)).stdout
    )
    assert history["left_out"] == []
    snapshot = repo.snapshot()
    assert [p.rule for p in snapshot.left_out(snapshot.document("new"))] == ["not-utf8"]


def test_a_version_never_published_is_not_said_to_have_been_in_force(repo: ManualRepo):
    """Not UTF-8, a version is left out and never published: the one before it was in force,
    so a page of a later day says nothing of it (only a version git lacks may have been)."""
    repo.commit({"a.md": doc("A", "Text 1.")}, "v1", "2024-01-02T10:00:00+00:00")
    (repo.path / ROOT / "a.md").write_bytes(doc("A", "Caf\xe9.").encode("latin-1"))
    repo.commit({}, "v2", "2024-02-02T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "Text 3.")}, "v3", "2024-03-02T10:00:00+00:00")
    shown = tracker("show", "a", "--at", "2024-02-15", "--repo", str(repo.path))
    assert "Text 1." in shown.stdout and "could not be read" not in shown.stderr


def test_check_reports_a_version_git_lacks_however_old_it_is(repo: ManualRepo):
    """A damaged copy is the repository's to mend, not an old commit's: check reported it for
    30 days after the version, then passed on the damaged mirror (exploratory testing)."""
    for number in (1, 2, 3):
        repo.commit({"a.md": doc("A", f"Text {number}.")}, f"v{number}",
                    f"2024-0{number}-02T10:00:00+00:00")  # fmt: skip
    drop_object(repo, f"HEAD~1:{ROOT}/a.md")
    for today in ("2024-03-10", "2025-06-01"):
        result = tracker("check", "--repo", str(repo.path), "--today", today, "--format", "json")
        rules = [finding["rule"] for finding in json.loads(result.stdout)["findings"]]
        assert rules == ["missing-object"], (today, result.stdout)


@pytest.mark.parametrize(
    "reader",
    ["check", "check after a commit", "check, settings broken", "build", "service", "show"],
)
def test_a_text_lost_after_the_history_was_kept_is_said_as_a_fresh_read_says_it(
    repo: ManualRepo, tmp_path: Path, reader: str
):
    """The kept history was read while git had every text. What reads every document (a check,
    a static copy, a service as it starts) must not take it for whole once one is lost. Before,
    a check said nothing (exit 0) and a static copy left out the release pages and newsletters
    (503), where a fresh index said what was lost (review). A command that reads one chapter
    says the text is missing when it needs it, as before."""
    repo.commit({"manual.toml": "", "b.md": doc("B")}, "b", "2023-12-02T10:00:00+00:00")
    for number in (1, 2, 3):
        repo.commit({"a.md": doc("A", f"Text {number}.")}, f"v{number}",
                    f"2024-0{number}-02T10:00:00+00:00")  # fmt: skip
    assert tracker("history", "a", "--repo", str(repo.path)).returncode == 0  # (kept)
    drop_object(repo, f"HEAD~1:{ROOT}/a.md")
    if reader == "check after a commit":  # (the kept history moved on: b's, not a's)
        repo.commit({"b.md": doc("B", "New.")}, "b2", "2024-04-02T10:00:00+00:00")
    elif reader == "check, settings broken":  # (read with the settings before them)
        repo.commit({"manual.toml": "[releases\n"}, "oops", "2024-04-02T10:00:00+00:00")
    lost = "git no longer has texts that the kept history of the manual was read from"
    if reader.startswith("check"):
        result = tracker("check", "--repo", str(repo.path), "--format", "json")
        rules = {finding["rule"] for finding in json.loads(result.stdout)["findings"]}
        assert "missing-object" in rules and "run the command again" not in result.stderr
        assert f"{lost} (missing from the repository, or a partial clone could not fetch " \
            "them); the history is read anew." in result.stderr, result.stderr  # fmt: skip
    elif reader == "build":
        out = tmp_path / "site"
        result = tracker("build", "--repo", str(repo.path), "--out", str(out),
                         "--base-url", "https://example.org/")  # fmt: skip
        assert result.returncode == 0 and "answered 503" not in result.stderr, result.stderr
        releases = sorted(path.name for path in (out / "releases").glob("20*"))
        assert lost in result.stderr and releases == ["2023-12-02", "2024-01-02", "2024-03-02"]
        assert "A: v2. v3." in (out / "releases/2024-03-02/newsletter.txt").read_text()
    elif reader == "service":
        from fastapi.testclient import TestClient

        from web.app import create_app

        with TestClient(create_app(repo.open())) as client:
            page = client.get("/chapters/a/history")
            assert page.status_code == 200 and "left out" in page.text
            assert client.get("/releases/2024-02-02").status_code == 404
    else:  # (what it has read is kept: the text is looked for when it is needed)
        result = tracker("show", "a", "--at", "2024-02-15", "--repo", str(repo.path))
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith("tracker: error: The repository is missing the object ")


def test_a_partial_clone_whose_remote_is_gone_says_so_once_and_leaves_out_what_it_lacks(
    repo: ManualRepo, tmp_path: Path
):
    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02", "2024-03-02"])
    git(clone, "cat-file", "-p", f"HEAD:{ROOT}/a.md")  # fetched: the newest text
    remote.rename(tmp_path / "moved.git")  # the remote cannot be reached
    result = tracker("history", "a", "--repo", str(clone), "--format", "json")
    assert result.returncode == 0, result.stderr
    versions = json.loads(result.stdout)["versions"]
    assert [v["note"] for v in versions] == ["v1. v2. v3."]  # (v1, v2: texts never fetched)
    said = [line for line in result.stderr.splitlines() if "could not fetch the texts" in line]
    assert len(said) == 1, result.stderr  # once, with git's reason
    assert f"from 'origin': '{remote}' does not appear to be a git repository;" in said[0]
    assert "partial clone could not fetch" in result.stderr  # each version left out, by commit


def test_a_remote_found_unreachable_is_not_asked_again_at_once(
    repo: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
):
    """A command reads blobs several times; a remote that could not be reached is not asked
    (and said) again by each, which over a network may each wait for a timeout."""
    from tracker.repository.read import GitRepo

    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02"])
    shas = git(clone, "rev-list", "--objects", "--missing=print", "--all").split()
    remote.rename(tmp_path / "moved.git")
    monkeypatch.setenv("GIT_TRACE", str(tmp_path / "trace"))
    reader = GitRepo(clone)
    missing = [sha[1:] for sha in shas if sha.startswith("?")]
    for _ in range(2):
        assert list(reader.read_blobs(missing, 100)) == [(sha, None) for sha in missing]
    trace = (tmp_path / "trace").read_text()
    assert trace.count("built-in: git fetch") == 1
    assert caplog.text.count("could not fetch the texts this partial clone lacks") == 1


def left_out(snapshot: Snapshot) -> list[str]:
    return [p.where for p in snapshot.problems if p.rule == "missing-object"]


def test_a_service_reads_what_it_left_out_once_a_fetch_reaches_its_remote_again(
    repo: ManualRepo, tmp_path: Path
):
    """A service reading a partial clone while its remote was down left old texts out; the
    next fetch of its push webhook or poll that reaches the remote has it read them at once,
    whether or not the branch moved (review: a push within five minutes of the failure was
    read with its texts left out, and an unmoved branch was never read again)."""
    from fastapi.testclient import TestClient

    from tracker.manual import open_manual
    from web.app import create_app
    from web.hooks import refresh

    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02", "2024-03-02"])
    git(clone, "cat-file", "-p", f"HEAD:{ROOT}/a.md")  # fetched: the newest text
    moved = tmp_path / "moved.git"
    remote.rename(moved)  # down
    service = open_manual(clone, branch="main")  # as tracker serve holds it
    assert left_out(service.snapshot())
    with TestClient(create_app(service, date(2024, 4, 1))) as client:
        answer = client.get("/api/chapters/a/history")
        assert answer.status_code == 200, answer.text
        before = answer.json()["versions"]
        assert [v["note"] for v in before] == ["v1. v2. v3."]
        moved.rename(remote)  # back; the poll fetches, nothing new
        refresh(service)
        assert left_out(service.snapshot()) == []
        after = client.get("/api/chapters/a/history").json()["versions"]  # (not the page kept)
        assert [v["note"] for v in after] == ["v1", "v2", "v3"]


def test_a_push_soon_after_its_remote_was_down_is_read_whole(repo: ManualRepo, tmp_path: Path):
    """The push's fetch reached the remote: its texts are fetched at once, not left out for
    the five minutes a remote that failed is otherwise left alone."""
    from tracker.manual import open_manual
    from web.hooks import refresh

    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02"])
    moved = tmp_path / "moved.git"
    remote.rename(moved)
    service = open_manual(clone, branch="main")
    assert left_out(service.snapshot())
    moved.rename(remote)
    repo.commit({"a.md": doc("A", "Text 3.")}, "v3", "2024-03-02T10:00:00+00:00")
    git(remote, "fetch", "--quiet", str(repo.path), "+main:main")
    head = refresh(service)  # the webhook's fetch of the push
    assert service.snapshot().head == head
    assert left_out(service.snapshot()) == []
    assert [v.note for v in service.snapshot().document("a").versions] == ["v1", "v2", "v3"]


def test_a_service_asks_again_on_its_own_five_minutes_after_its_remote_failed(
    repo: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A worker that did not make the fetch that reached the remote (several workers; a poll
    runs in one process) reads what it left out once the failure is old enough to ask again."""
    from tracker.manual import open_manual
    from tracker.repository import fetch

    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02"])
    git(clone, "cat-file", "-p", f"HEAD:{ROOT}/a.md")
    moved = tmp_path / "moved.git"
    remote.rename(moved)
    service = open_manual(clone, branch="main")
    first = service.snapshot()
    assert left_out(first)
    moved.rename(remote)
    assert service.snapshot() is first  # (within five minutes: not asked again)
    monkeypatch.setattr(fetch, "_AGAIN", 0.0)  # (five minutes later)
    assert left_out(service.snapshot()) == []


def test_a_remote_that_answered_but_lacks_a_text_is_not_asked_again_by_each_request(
    repo: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Review: once the five minutes had passed, a remote that answered but lacked a text kept
    the failure, so every request read the whole history again."""
    from tracker.manual import open_manual
    from tracker.repository import fetch

    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02", "2024-03-02"])
    git(clone, "cat-file", "-p", f"HEAD:{ROOT}/a.md")
    lost = git(remote, "rev-parse", f"HEAD~1:{ROOT}/a.md")
    moved = tmp_path / "moved.git"
    remote.rename(moved)
    service = open_manual(clone, branch="main")
    assert left_out(service.snapshot())
    moved.rename(remote)
    (remote / "objects" / lost[:2] / lost[2:]).unlink()
    monkeypatch.setattr(fetch, "_AGAIN", 0.0)  # (five minutes later: asked again, once)
    again = service.snapshot()
    assert len(left_out(again)) == 1  # (v1's text fetched, v2's lost)
    assert service.snapshot() is again and service.snapshot() is again


def test_a_remote_that_refuses_fetches_by_id_is_not_read_again_by_each_poll(
    repo: ManualRepo, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """Review: reaching it to fetch the branch does not make it give texts by id: each poll
    read the whole history again, and said so again."""
    from tracker.manual import open_manual
    from web.hooks import refresh

    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02", "2024-03-02"])
    git(clone, "cat-file", "-p", f"HEAD:{ROOT}/a.md")
    git(remote, "config", "uploadpack.allowAnySHA1InWant", "false")
    git(clone, "config", "protocol.version", "0")
    service = open_manual(clone, branch="main")
    first = service.snapshot()
    assert left_out(first)
    for _ in range(3):
        refresh(service)
        assert service.snapshot() is first
    assert caplog.text.count("could not fetch the texts this partial clone lacks") == 1


def test_a_static_copy_built_again_once_the_texts_arrive_shows_them_everywhere(
    repo: ManualRepo, tmp_path: Path
):
    """Review: pages that list everything (releases, home, feeds) were kept by the head alone,
    so a build at the same head after a partial clone's texts arrived kept them as they were."""
    from tracker.manual import open_manual
    from web.export import build_site

    remote, clone = partial_clone(repo, tmp_path, ["2024-01-02", "2024-02-02", "2024-03-02"])
    git(clone, "cat-file", "-p", f"HEAD:{ROOT}/a.md")
    moved, out = tmp_path / "moved.git", tmp_path / "site"
    remote.rename(moved)
    build_site(open_manual(clone), out, "https://p.example", date(2024, 4, 1))
    releases = out / "releases" / "index.html"
    assert releases.read_text("utf-8").count('href="/releases/2024-') == 1  # (one version)
    moved.rename(remote)
    build_site(open_manual(clone), out, "https://p.example", date(2024, 4, 1))
    assert releases.read_text("utf-8").count('href="/releases/2024-') == 3


def test_a_remote_that_refuses_fetches_by_id_is_not_asked_for_each_text(
    repo: ManualRepo, tmp_path: Path
):
    """A remote that lets no object be fetched by its id (protocol v0, no
    uploadpack.allowAnySHA1InWant) is said once, not asked once for every text it was taken to
    lack (review: 150 fetches for 150 versions)."""
    days = [f"2024-0{number}-02" for number in range(1, 7)]
    remote, clone = partial_clone(repo, tmp_path, days)
    git(clone, "cat-file", "-p", f"HEAD:{ROOT}/a.md")  # fetched: the newest text
    git(remote, "config", "uploadpack.allowAnySHA1InWant", "false")
    git(clone, "config", "protocol.version", "0")
    trace = tmp_path / "trace"
    result = tracker("history", "a", "--repo", str(clone), "--format", "json",
                     env={"GIT_TRACE": str(trace)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    fetches = [line for line in trace.read_text().splitlines() if "built-in: git fetch" in line]
    assert len(fetches) == 1, fetches
    assert "could not fetch the texts this partial clone lacks" in result.stderr
    assert "does not allow request for unadvertised object" in result.stderr


def test_a_version_left_out_still_holds_back_the_next_as_its_text_would(
    scheduled: ManualRepo,
):
    """v2 cannot be read (here binary; in a partial clone, a text the remote lost): v3, with
    an earlier Go-Live of its own, still goes live no earlier than v2 would have, as the same
    history with v2 readable gives (review: a partial clone gave a date weeks too early)."""
    from datetime import date

    scheduled.commit({"a.md": doc("A", "One.")}, "v1", "2024-01-02T10:00:00+00:00")
    (scheduled.path / ROOT / "a.md").write_bytes(b"\x00binary")
    two = scheduled.commit({}, "v2", "2024-03-01T10:00:00+00:00")  # (the 13 March release)
    scheduled.commit({"a.md": doc("A", "Three.")}, "v3", "2024-03-05T10:00:00+00:00",
                     {"Go-Live": "2024-03-06"})  # fmt: skip
    three = scheduled.snapshot().document("a").versions[-1]
    assert (three.effective, three.held_back_by) == (date(2024, 3, 13), two)
    assert three.declared.date == date(2024, 3, 6)  # (its own word is kept, and said)
    assert three.reasons == (
        f"held back: declared 2024-03-06 by its Go-Live, but the earlier commit {two[:10]} (left "
        "out: it cannot be read) would have gone live on 2024-03-13",
    )
    from tracker.authoring.preview import preview

    scheduled.commit({"b.md": doc("B")}, "B", "2024-03-05T11:00:00+00:00",
                     {"Go-Live": "2024-03-08"})  # fmt: skip
    (waiting,) = preview(scheduled.snapshot(), date(2024, 3, 5)).waiting  # (next: 8 March)
    assert waiting.reason == (
        f"held back until 13th March 2024: the earlier commit {two[:10]} (left out: it cannot be "
        "read) would have gone live then, and a later change cannot go live before it"
    )
    scheduled.git("checkout", "--quiet", "-b", "readable", "HEAD~3")
    scheduled.commit({"a.md": doc("A", "Two.")}, "v2", "2024-03-01T10:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "Three.")}, "v3", "2024-03-05T10:00:00+00:00",
                     {"Go-Live": "2024-03-06"})  # fmt: skip
    assert scheduled.snapshot(branch="readable").document("a").versions[-1].effective == (
        three.effective
    )


def _left_out_merged(repo: ManualRepo, two: Callable[[str], str]) -> None:
    repo.commit({"a.md": doc("A", "One.")}, "v1", "2024-01-02T10:00:00+00:00")
    repo.branch("side")  # (its author's Go-Live, 2 March, not the schedule's 13 March)
    repo.commit({"a.md": two("Two.")}, "v2", "2024-02-28T10:00:00+00:00", {"Go-Live": "2024-03-02"})
    repo.checkout("main")
    repo.merge("side", "2024-03-01T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "Three.")}, "v3", "2024-03-05T10:00:00+00:00",
                {"Go-Live": "2024-03-06"})  # fmt: skip


def _left_out_then(then: str) -> Callable[[ManualRepo, Callable[[str], str]], None]:
    def build(repo: ManualRepo, two: Callable[[str], str]) -> None:
        repo.commit({"a.md": doc("A", "One.", id="a")}, "v1", "2024-01-02T10:00:00+00:00")
        repo.commit({"a.md": two("Two.")}, "v2", "2024-03-01T10:00:00+00:00")  # (13 March)
        late = {"Go-Live": "2024-03-06"}
        if then == "deleted":
            repo.commit({"a.md": None}, "Gone", "2024-03-05T10:00:00+00:00", late)
        elif then == "moved":  # (a text and a binary: git pairs no rename)
            repo.commit({"a.md": None, "b.md": doc("A", "Three.", id="a")}, "Moved",
                        "2024-03-05T10:00:00+00:00", late)  # fmt: skip
        elif then == "scheduled":  # (its own day, 13 March, not the left-out one's trailer)
            repo.commit({"a.md": two("Two, again.")}, "v2b", "2024-03-02T10:00:00+00:00",
                        {"Go-Live": "immediate"})  # fmt: skip
            repo.commit({"a.md": doc("A", "Three.", id="a")}, "v3", "2024-03-05T10:00:00+00:00")
        elif then == "id moved":  # (chapter a waits, at its new file; x does not)
            repo.commit({"a.md": doc("X", "Other.", id="x"), "b.md": doc("A", "Three.", id="a")},
                        "Ids moved", "2024-03-05T10:00:00+00:00", late)  # fmt: skip
        else:  # held back twice: both by v2
            repo.commit({"a.md": doc("A", "Three.", id="a")}, "v3", "2024-03-05T10:00:00+00:00",
                        late)  # fmt: skip
            repo.commit({"a.md": doc("A", "Four.", id="a")}, "v4", "2024-03-06T10:00:00+00:00",
                        {"Go-Live": "2024-03-07"})  # fmt: skip

    return build


def _left_out_unpublished(other_id: bool) -> Callable[[ManualRepo, Callable[[str], str]], None]:
    def build(repo: ManualRepo, two: Callable[[str], str]) -> None:
        repo.commit({"z.md": doc("Z")}, "z", "2024-01-02T10:00:00+00:00")
        repo.commit({"a.md": two("One.")}, "v2", "2024-03-01T10:00:00+00:00",
                    {"Go-Live": "2024-07-01"})  # fmt: skip
        repo.commit({"a.md": None}, "Gone", "2024-03-05T10:00:00+00:00", {"Go-Live": "immediate"})
        front = {"id": "q"} if other_id else {}  # (another document: it waits for nothing)
        repo.commit({"a.md": doc("A", "New.", **front)}, "New", "2024-03-06T10:00:00+00:00",
                    {"Go-Live": "immediate"})  # fmt: skip

    return build


def _left_out_elsewhere(shape: str) -> Callable[[ManualRepo, Callable[[str], str]], None]:
    def build(repo: ManualRepo, two: Callable[[str], str]) -> None:
        if shape == "fixed in place":  # (a new chapter, with an id of its own, whose first
            # text is fixed the next day)
            repo.commit({"z.md": doc("Z")}, "z", "2024-01-02T10:00:00+00:00")
            repo.commit({"cp.md": two("One.")}, "v2", "2024-03-01T10:00:00+00:00",
                        {"Go-Live": "2024-07-01", "Change-Note": "New chapter"})  # fmt: skip
            repo.commit({"cp.md": doc("A", "One, fixed.", id="a")}, "Fixed",
                        "2024-03-02T10:00:00+00:00", {"Change-Type": "minor"})  # fmt: skip
        elif shape == "path taken":  # (another chapter moves to a left-out file's old path)
            repo.commit({"b.md": doc("B", "Bee text here for the rename.")}, "b",
                        "2024-01-02T10:00:00+00:00")  # fmt: skip
            repo.commit({"a.md": two("One.")}, "v2", "2024-03-01T10:00:00+00:00",
                        {"Go-Live": "2024-07-01"})  # fmt: skip
            repo.commit(
                {"a.md": None}, "Gone", "2024-03-05T10:00:00+00:00", {"Go-Live": "immediate"}
            )
            repo.move("b.md", "a.md", "Moved", "2024-03-06T10:00:00+00:00")
        else:  # a merge whose side branch set a Go-Live on the chapter's older path
            repo.commit({"a.md": doc("A", "One. " * 30, id="a")}, "v1", "2024-01-02T10:00:00+00:00")
            repo.branch("side")
            repo.commit({"a.md": doc("A", "One. " * 30 + "Side.", id="a")}, "s1",
                        "2024-02-20T10:00:00+00:00", {"Go-Live": "2024-07-01"})  # fmt: skip
            repo.checkout("main")
            repo.move("a.md", "b.md", "Moved", "2024-02-21T10:00:00+00:00")
            repo.checkout("side")
            repo.commit(
                {"a.md": two("One. " * 30 + "Side two.")}, "v2", "2024-02-22T10:00:00+00:00"
            )
            repo.checkout("main")
            repo.merge("side", "2024-03-01T10:00:00+00:00")
            repo.commit({"b.md": doc("A", "Three.", id="a")}, "v3", "2024-03-05T10:00:00+00:00",
                        {"Go-Live": "immediate"})  # fmt: skip

    return build


def _text_or_binary(readable: bool, text: str) -> str:
    return doc("A", text, id="a") if readable else f"\x00binary {text}"


@pytest.mark.parametrize(
    "build",
    [
        _left_out_merged,
        *(_left_out_then(then) for then in ("deleted", "moved", "scheduled", "id moved", "twice")),
        _left_out_unpublished(False),
        _left_out_unpublished(True),
        *(_left_out_elsewhere(shape) for shape in ("fixed in place", "path taken", "old path")),
    ],
    ids=[
        "merged",
        "deleted",
        "moved",
        "scheduled",
        "id moved",
        "twice",
        "new file",
        "new id",
        "fixed in place",
        "path taken",
        "old path",
    ],
)
def test_a_version_left_out_gives_the_dates_the_whole_history_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build: Callable[..., None]
):
    """The same history twice, v2 readable and v2 left out (binary): every version both have
    goes live on the same day, held back by the same commit (reviews: a left-out merge took the
    schedule's day over its author's Go-Live; a left-out Go-Live overrode the next version's
    own day; a deletion, a move git could not pair, an id moved to another file, a new file at
    a left-out file's path did not wait, or waited, as the whole history does)."""
    seen = []
    for readable in (True, False):
        folder = tmp_path / str(readable)
        (folder / "manual").mkdir(parents=True)
        monkeypatch.setenv("TRACKER_CACHE_DIR", str(folder / "cache"))
        repo = ManualRepo(folder / "manual")
        repo.commit({"manual.toml": SCHEDULE}, "Settings", "2023-12-01T09:00:00+00:00")
        build(repo, functools.partial(_text_or_binary, readable))
        named = dict(
            line.split(" ", 1) for line in repo.git("log", "--all", "--format=%H %s").splitlines()
        )
        versions = [v for d in repo.snapshot().documents for v in d.versions]
        seen.append({
            (v.id, named[v.commit]): (v.effective, named.get(v.held_back_by or "")) for v in versions
        })  # fmt: skip
        for version in versions if not readable else ():  # (the holder is said to be left out)
            if named.get(version.held_back_by or "", "").startswith("v2"):
                assert "(left out: it cannot be read) would have gone live" in version.reasons[-1]
            if named[version.commit] == "Fixed":  # (what the left-out commit said goes with it)
                assert "New chapter" in version.note and not version.minor
    whole, left_out = seen
    both = sorted(set(whole) & set(left_out))
    assert len(both) >= 2 and [whole[k] for k in both] == [left_out[k] for k in both], both


def test_binary_and_latin1_files_are_not_published_and_check_says_why(repo: ManualRepo):
    repo.commit({"a.md": doc("A", "Good text.")}, "Add", "2024-01-02T10:00:00+00:00")
    folder = repo.path / ROOT
    (folder / "a.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")  # saved over by mistake
    (folder / "b.md").write_bytes("# Café\n\nLatin-1 text.\n".encode("latin-1"))
    repo.commit({}, "Oops", "2024-02-02T10:00:00+00:00")
    snapshot = repo.snapshot()
    assert [d.id for d in snapshot.documents] == ["a"]
    assert snapshot.document("a").latest.notes[0].text == "Add"  # the good text stays in force
    problems = check_manual(snapshot, snapshot.document("a").latest.effective)
    assert {("a.md", "not-utf8", "error"), ("b.md", "not-utf8", "error")} <= found(problems)
    assert any(p.where == "b.md" and p.line == 1 for p in problems)
    result = tracker("show", "a", "--repo", str(repo.path))
    assert result.returncode == 0 and "Good text." in result.stdout
    assert "\x00" not in result.stdout and "PNG" not in result.stdout
    result = tracker("show", "b", "--repo", str(repo.path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    # Fixed later: the fixed text is the next version, compared with the last good one.
    repo.commit({"a.md": doc("A", "Better text.")}, "Fix", "2024-03-02T10:00:00+00:00")
    snapshot = repo.snapshot()
    notes = [[n.text for n in v.notes] for v in snapshot.document("a").versions]
    assert notes == [["Add"], ["Oops", "Fix"]]
    assert ("a.md", "not-utf8", "warning") in found(snapshot.problems)  # in the past now


def test_headings_of_the_text_in_force_are_read_when_the_newest_cannot_be(
    repo: ManualRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The text in force behind an unreadable newest file keeps its heading ids, read into a
    new index as into one kept from before: a link to them is not broken."""
    repo.commit({"a.md": doc("A", "## One\n\nText."), "b.md": doc("B", "[x](a.md#one)")},
                "Add", "2024-01-02T10:00:00+00:00")  # fmt: skip
    stepped_before = repo.snapshot()
    (repo.path / ROOT / "a.md").write_bytes(b"# A\n\n\xff\xfe not UTF-8\n")
    repo.commit({}, "Oops", "2024-02-02T10:00:00+00:00")
    stepped = repo.snapshot()
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "afresh"))
    fresh = repo.snapshot()
    assert stepped_before.document("a").latest.meta.anchors == ("one",)
    assert fresh.document("a").latest.meta.anchors == stepped.document("a").latest.meta.anchors
    assert fresh.documents == stepped.documents
    today = fresh.document("a").latest.effective
    assert not [p for p in check_manual(fresh, today) if p.rule == "broken-anchor"]


def test_a_ten_megabyte_file_is_refused_in_one_sentence(repo: ManualRepo):
    folder = repo.path / ROOT
    folder.mkdir()
    (folder / "huge.md").write_text("# Huge\n\n" + "All work and no play. " * 480_000)
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    assert (folder / "huge.md").stat().st_size > 10_000_000
    snapshot = repo.snapshot()
    assert [d.id for d in snapshot.documents] == ["a"]
    assert ("huge.md", "too-large", "error") in found(snapshot.problems)
    result = tracker("check", "--repo", str(repo.path))
    assert result.returncode == 1
    assert "huge.md: the file is larger than 2 MB" in result.stdout


def test_crlf_and_a_byte_order_mark_read_as_the_same_text(repo: ManualRepo):
    windows = "\ufeff---\r\ntitle: Referrals\r\n---\r\n\r\n# Referrals\r\n\r\nCall us.\r\n"
    repo.commit({"a.md": windows}, "Add", "2024-01-02T10:00:00+00:00")
    repo.commit({"a.md": doc("Referrals", "Call us.", title="Referrals")}, "Line ends",
                "2024-02-02T10:00:00+00:00")  # fmt: skip
    manual = repo.open()
    snapshot = manual.snapshot()
    first, second = snapshot.document("a").versions
    assert first.title == second.title == "Referrals" and first.meta.problems == ()
    diff = diff_documents(manual.texts.of(first), manual.texts.of(second), 5.0)
    assert diff.identical, "only the line ends changed: nothing a reader sees"


def test_symlinks_and_submodules_are_not_chapters(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    (repo.path / ROOT / "link.md").symlink_to("a.md")
    (repo.path / ROOT / "passwd.md").symlink_to("/etc/passwd")
    commit = repo.git("rev-parse", "HEAD")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{ROOT}/module.md")
    repo.commit({}, "Links and a submodule", "2024-02-02T10:00:00+00:00")
    snapshot = repo.snapshot()
    assert [d.id for d in snapshot.documents] == ["a"]
    result = tracker("check", "--repo", str(repo.path))
    assert result.returncode == 0, result.stdout
    result = tracker("show", "passwd", "--repo", str(repo.path))
    assert result.returncode == 2 and "root:" not in result.stdout


@pytest.mark.parametrize(
    "broken",
    [
        "---\ntitle: [Referrals\nsection: Front door\n---\n# Referrals\n\nNew text.\n",
        "---\ntitle: Referrals\nid: front/referrals\n\n# Referrals\n\nNew text.\n",  # no close
    ],  # (an impossible date is a wrong value of its key, the rest read: test_check.py)
)
def test_front_matter_that_breaks_keeps_the_last_good_metadata(repo: ManualRepo, broken: str):
    good = doc("Referrals", "Old text.", id="front/referrals", title="Referrals",
               section="Front door", order=2)  # fmt: skip
    repo.commit({"a.md": good}, "Add", "2024-01-02T10:00:00+00:00")
    repo.commit({"a.md": broken}, "Edit", "2024-02-02T10:00:00+00:00")
    snapshot = repo.snapshot()
    (document,) = snapshot.documents
    latest = document.latest
    assert (latest.id, latest.title, latest.kind) == ("front/referrals", "Referrals", "modified")
    assert (latest.meta.section, latest.meta.order) == ("Front door", 2.0)
    assert latest.meta.problems, "check still reports the broken front matter"
    assert [e.change for r in snapshot.releases for e in r.entries] == ["new", "updated"]
    problems = check_manual(snapshot, latest.effective)
    assert ("a.md", "front-matter", "error") in found(problems)


def test_the_history_page_says_which_versions_are_left_out(repo: ManualRepo):
    from fastapi.testclient import TestClient

    from web.app import create_app

    for number in (1, 2, 3):
        repo.commit({"a.md": doc("A", f"Text {number}.")}, f"v{number}",
                    f"2024-0{number}-02T10:00:00+00:00")  # fmt: skip
    drop_object(repo, f"HEAD~1:{ROOT}/a.md")
    repo.commit({"b.md": doc("B")}, "B", "2024-04-01T10:00:00+00:00")
    (repo.path / ROOT / "b.md").write_bytes(b"\x00binary")  # (review: its reason was said to
    repo.commit({}, "B saved over", "2024-04-02T10:00:00+00:00")  # be what git lacked)
    with TestClient(create_app(repo.open())) as client:
        response = client.get("/chapters/a/history")
        assert "One version of this chapter is left out" in response.text
        assert "its version of commit" in response.text
        words = " ".join(client.get("/chapters/b/history").text.split())
        assert "could not be read as text (why is said below)" in words
        assert (
            "<li>The version of 2 April 2024: the file is binary, not Markdown; its version"
            in words
        )


def test_a_version_git_lacked_comes_back_once_the_object_is_restored(repo: ManualRepo):
    for number in (1, 2, 3):
        repo.commit({"a.md": doc("A", f"Text {number}.")}, f"v{number}",
                    f"2024-0{number}-02T10:00:00+00:00")  # fmt: skip
    sha = repo.git("rev-parse", f"HEAD~1:{ROOT}/a.md")
    loose = repo.path / ".git" / "objects" / sha[:2] / sha[2:]
    kept = loose.read_bytes()
    loose.unlink()
    assert len(repo.snapshot().document("a").versions) == 2
    loose.write_bytes(kept)  # fetched again, or repaired
    snapshot = repo.snapshot()
    assert [v.notes[0].text for v in snapshot.document("a").versions] == ["v1", "v2", "v3"]
    assert snapshot.problems == ()


def test_what_a_left_out_version_said_goes_with_the_next_one(scheduled: ManualRepo):
    """SPEC §3: an author's Go-Live is never lost, even when the text it came with was not."""
    scheduled.commit({"a.md": doc("A", "Old rule.")}, "Add", "2024-01-02T10:00:00+00:00")
    (scheduled.path / ROOT / "a.md").write_bytes(doc("A", "New rule, café.").encode("latin-1"))
    scheduled.commit({}, "New threshold", "2024-02-01T10:00:00+00:00",
                     {"Go-Live": "2024-04-01", "Change-Note": "A new threshold for referral."})  # fmt: skip
    scheduled.commit({"a.md": doc("A", "New rule, café.")}, "Save as UTF-8",
                     "2024-02-02T10:00:00+00:00", {"Change-Type": "minor"})  # fmt: skip
    latest = scheduled.snapshot().document("a").latest
    assert latest.effective == date(2024, 4, 1)
    assert [note.text for note in latest.notes] == ["A new threshold for referral."]
    assert latest.minor is False


def test_a_move_whose_text_git_lacks_is_read_without_renames_and_said(repo: ManualRepo, caplog):
    body = "A long enough body for git to see the rename.\n" * 10
    repo.commit({"a.md": doc("A", body)}, "Add", "2024-01-02T10:00:00+00:00")
    repo.git("mv", f"{ROOT}/a.md", f"{ROOT}/b.md")
    repo.commit({"b.md": doc("A", body + "More.")}, "Move", "2024-02-02T10:00:00+00:00")
    drop_object(repo, f"HEAD:{ROOT}/b.md")
    snapshot = repo.snapshot()
    assert [v.kind for v in snapshot.document("a").versions] == ["added", "withdrawn"]
    assert "cannot compare files to follow renames" in caplog.text
    assert ("b.md", "missing-object", "error") in found(snapshot.problems)


def git(folder: Path, *args: str) -> str:
    """What a plain git command in ``folder`` printed."""
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()


def partial_clone(repo: ManualRepo, tmp_path: Path, days: list[str]) -> tuple[Path, Path]:
    """A bare repository of a history of one version of a.md a day, served over file://, and a
    partial clone of it (no blobs)."""
    for number, day in enumerate(days, start=1):
        repo.commit({"a.md": doc("A", f"Text {number}.")}, f"v{number}", f"{day}T10:00:00+00:00")
    remote, clone = tmp_path / "remote.git", tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--bare", str(repo.path), str(remote))  # (loose objects)
    git(remote, "config", "uploadpack.allowFilter", "true")
    git(remote, "config", "uploadpack.allowAnySHA1InWant", "true")
    git(tmp_path, "clone", "--quiet", "--filter=blob:none", "--no-checkout",
        f"file://{remote}", str(clone))  # fmt: skip
    return remote, clone


def partial_clone_notes(
    repo: ManualRepo, tmp_path: Path, days: list[str], lost: list[int]
) -> tuple[list[str], str, list[str]]:
    """The notes of a.md's versions as read from a partial clone once its remote has lost the
    texts ``lost`` commits back from its head; what was said; the git fetches it ran."""
    remote, clone = partial_clone(repo, tmp_path, days)
    shas = [git(remote, "rev-parse", f"HEAD~{back}:{ROOT}/a.md") for back in lost]
    for sha in shas:
        (remote / "objects" / sha[:2] / sha[2:]).unlink()
    trace = tmp_path / "trace"
    result = tracker("history", "a", "--repo", str(clone), "--format", "json",
                     env={"GIT_TRACE": str(trace)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert all(sha[:12] in result.stderr for sha in shas)  # each lost text named
    fetches = [line for line in trace.read_text().splitlines() if "built-in: git fetch" in line]
    notes = [v["note"] for v in json.loads(result.stdout)["versions"]]
    return notes, result.stderr, fetches


def test_a_partial_clone_leaves_out_only_what_its_remote_cannot_supply(
    repo: ManualRepo, tmp_path: Path
):
    days = [f"2024-0{number}-02" for number in (1, 2, 3, 4)]
    notes, said, _ = partial_clone_notes(repo, tmp_path, days, [1])  # the remote lost v3's text
    assert notes == ["v1", "v2", "v3. v4."]  # v3's text is gone; what its commit said is not
    assert "The remote 'origin' does not have one text this partial clone lacks" in said
    assert "could not fetch" not in said.replace("partial clone could not fetch", "")


def test_a_partial_clone_whose_remote_lost_several_texts_fetches_the_rest_in_batches(
    repo: ManualRepo, tmp_path: Path
):
    """The remote is reachable: only the texts it lacks are left out, named, and the others
    are fetched in a few processes, not one each (review: after three texts the remote failed
    to send, every text not yet fetched was taken to be lost, however old)."""
    days = [f"2024-01-{number:02d}" for number in range(1, 25)]
    notes, said, fetches = partial_clone_notes(repo, tmp_path, days, [4, 8, 12])
    lost = {12, 16, 20}  # (their notes go with the next versions')
    assert notes == [f"v{n}. v{n + 1}." if n in lost else f"v{n}"
                     for n in range(1, 25) if n - 1 not in lost]  # fmt: skip
    lines = [line for line in said.splitlines() if "does not have 3 texts" in line]
    assert len(lines) == 1, said
    # (the newest text; the rest, then again without each text the remote lacks)
    assert len(fetches) == 5, fetches


def test_ci_annotations_point_at_a_file_that_is_left_out(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    (repo.path / ROOT / "b.md").write_bytes(b"\x00binary")
    repo.commit({}, "Add B", "2024-01-03T10:00:00+00:00")
    result = tracker("check", "--repo", str(repo.path), "--format", "github")
    assert f"::error file={ROOT}/b.md,title=not-utf8::" in result.stdout


def test_settings_git_lacks_keep_the_rules_before_them(repo: ManualRepo):
    """A past manual.toml git lacks (a damaged copy, a partial clone's remote without it) stopped
    every command once each commit's own release rules were read (review): the rules before
    it stay, and that is said."""
    repo.commit({"manual.toml": SCHEDULE, "a.md": doc("A")}, "Start", "2024-01-01T10:00:00+00:00")
    later = SCHEDULE.replace("cutoff_days = 7", "cutoff_days = 8")  # (7 Feb + 8: March's release)
    lacking = repo.commit({"manual.toml": later}, "Cut-off", "2024-02-01T10:00:00+00:00")
    repo.commit({"a.md": doc("A", "Two.")}, "Two", "2024-02-07T10:00:00+00:00")
    repo.commit({"manual.toml": SCHEDULE}, "Back", "2024-03-01T10:00:00+00:00")
    drop_object(repo, f"{lacking}:{ROOT}/manual.toml")
    snapshot = repo.snapshot()
    assert [v.effective for v in snapshot.document("a").versions] == [
        date(2024, 1, 10), date(2024, 2, 14)
    ]  # fmt: skip
    assert found(snapshot.problems) == {(f"commit {lacking[:10]}", "settings-unread", "warning")}
    assert "git lacks its contents" in snapshot.problems[0].message


def test_the_sizes_of_many_files_are_asked_of_one_git_process(repo: ManualRepo):
    """tracker check's broken-image asks for every image's file at once (one git process for
    a manual's thousands, not one each); the files route asks for one. A folder, a missing
    file and a name with spaces or accents are answered each in its place."""
    from tracker.repository.read import GitRepo

    (repo.path / ROOT / "images").mkdir(parents=True)
    (repo.path / ROOT / "images" / "my flow.png").write_bytes(b"12345")
    (repo.path / ROOT / "images" / "cafe\u0301.png").write_bytes(b"123")
    head = repo.commit({"a.md": doc("A")}, when="2024-01-01T09:00:00+00:00")
    reader = GitRepo(repo.path)
    asked = ["images/my flow.png", "images", "images/missing.png", "images/cafe\u0301.png",
             "images/café.png", "a.md x missing"]  # fmt: skip
    found = reader.file_objects([(head, f"{ROOT}/{name}") for name in asked])
    assert [blob and blob[1] for blob in found] == [5, None, None, 3, None, None]
    assert found[0] == (repo.git("rev-parse", f"HEAD:{ROOT}/images/my flow.png"), 5)
    assert reader.file_objects([]) == []
    reader.close()
