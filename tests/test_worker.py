"""A long history's older versions read by a second process (index/worker.py): the same
metadata as this process reads, whatever goes wrong with the worker, and never code other
than ours."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ManualRepo, doc

from tracker.history.documents import DocMeta
from tracker.index import raw, worker
from tracker.repository.parse import first_parent_line
from tracker.repository.paths import Root
from tracker.repository.read import GitRepo


@pytest.fixture
def long(repo: ManualRepo) -> ManualRepo:
    """Forty commits of three chapters whose front matter changes now and then (titles,
    review dates, owners), with a binary version, one not in UTF-8, and one with broken front
    matter: versions alike and unlike."""
    for number in range(40):
        day = f"2024-{1 + number // 4:02d}-{1 + number % 4 * 7:02d}T09:00:00+00:00"
        title = f"Alpha {number // 5}"
        front = {"review_due": f"2025-0{1 + number % 9}-01"} if number % 3 else {"owner": "LA"}
        files: dict[str, str | None] = {
            "a.md": doc(title, f"Text {number}.", **front),
            "b.md": doc("Beta", f"Words {number % 7} [a](a.md).", id="beta"),
        }
        if number == 10:
            files["c.md"] = "---\ntitle: [oops\n---\n# Gamma\n"
        if number == 20:
            files["c.md"] = doc("Gamma", "Fine again.")
        repo.commit(files, f"Change {number}", day)
        if number == 12:
            (repo.path / "procedures" / "b.md").write_bytes(b"\x00\x01binary" * 50)
            repo.commit({}, "Binary", day.replace("09:00", "10:00"))
        if number == 14:
            (repo.path / "procedures" / "b.md").write_bytes(b"# Beta\n\xff\xfe not UTF-8\n")
            repo.commit({}, "Latin-1", day.replace("09:00", "10:00"))
    return repo


def every_meta(repo: ManualRepo) -> dict[str, DocMeta]:
    """The metadata of every version a first read replays, asked for in the replay's order."""
    from tracker.config import Config

    git = GitRepo(repo.path)
    _, head = git.branch_head(None)
    found = raw.load(git, head, Root("procedures"), Config())
    try:
        line = [found.commits[sha] for sha in reversed(first_parent_line(found.commits, head))]
        blobs = [change.new_blob for commit in line for change in commit.changes]
        return {sha: found.metas[sha] for sha in blobs if sha is not None}
    finally:
        found.metas.close()
        git.close()


def with_worker(monkeypatch: pytest.MonkeyPatch, program: str | None = None) -> None:
    """Have a worker read all but the first two versions (``program``: in its place)."""
    monkeypatch.setattr(worker, "FROM", 1)
    monkeypatch.setattr(worker, "HEAD_START", 2)
    if program is not None:
        monkeypatch.setattr(worker, "_MAIN", program)


def alone(repo: ManualRepo, monkeypatch: pytest.MonkeyPatch) -> dict[str, DocMeta]:
    with monkeypatch.context() as patched:
        patched.setattr(worker, "FROM", 10**9)
        return every_meta(repo)


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The blob ids the replay took from a worker's answers (a spy: the worker runs)."""
    taken: list[str] = []
    real = worker._Worker.answers

    def spy(self: worker._Worker) -> Iterator[tuple[str, DocMeta]]:
        for sha, meta in real(self):
            taken.append(sha)
            yield sha, meta

    monkeypatch.setattr(worker._Worker, "answers", spy)
    return taken


def test_a_worker_reads_what_this_process_reads(
    long: ManualRepo, monkeypatch: pytest.MonkeyPatch, answered: list[str]
):
    expected = alone(long, monkeypatch)
    assert len(expected) > 40
    assert any(meta.review_due for meta in expected.values())  # (a date, sent as a number)
    assert any(meta.unreadable for meta in expected.values())
    assert any(meta.problems and not meta.unreadable for meta in expected.values())
    assert answered == []
    with_worker(monkeypatch)
    found = every_meta(long)
    assert found == expected
    assert list(found) == list(expected)
    assert len(answered) == len(expected) - 3 - 2  # (not the head's three texts, read
    # first, nor the two read here while the worker starts)


# Workers that go wrong: each time what they did not answer (rightly) is read here. (The
# spy counts what the parent was given: an answer out of turn is then passed over.)
TAKEN = {"answers out of turn": 1, "stops after its first answers": 2}
BROKEN = {
    "exits at once": "import sys; sys.exit(3)",
    "answers nothing": "pass",
    "answers in another shape": (
        "import sys, marshal; marshal.dump([('a' * 40, (1, 2))], sys.stdout.buffer)"
    ),
    "answers out of turn": (
        "import sys, marshal; sys.path.insert(0, sys.argv[1]); from tracker.index import worker; "
        "from tracker.history.documents import DocMeta; "
        "marshal.dump([('f' * 40, worker._plain(DocMeta()))], sys.stdout.buffer)"
    ),
    "stops after its first answers": (
        "import os, sys, marshal; sys.path.insert(0, sys.argv[1]); "
        "from tracker.index import worker; worker._BATCH = 2; real = marshal.dump\n"
        "def once(*args):\n    real(*args); sys.stdout.buffer.flush(); os._exit(1)\n"
        "marshal.dump = once; worker.main()"
    ),
    "is not Python's marshal": "import sys; sys.stdout.buffer.write(b'not marshal data')",
}


@pytest.mark.parametrize("how", BROKEN)
def test_what_a_worker_does_not_answer_is_read_here(
    long: ManualRepo, monkeypatch: pytest.MonkeyPatch, how: str, answered: list[str]
):
    expected = alone(long, monkeypatch)
    with_worker(monkeypatch, BROKEN[how])
    found = every_meta(long)
    assert found == expected
    assert list(found) == list(expected)
    assert len(answered) == TAKEN.get(how, 0)


def test_a_worker_runs_our_code_not_the_current_folders_nor_pythonpaths(
    long: ManualRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, answered: list[str]
):
    """The command may be run in a content repository, or any folder, holding modules named
    as ours or as the standard library's: the worker imports none of them."""
    planted = tmp_path / "planted"
    mark = tmp_path / "planted-code-ran"
    for name in ("tracker/__init__.py", "tracker/index/__init__.py", "tracker/index/worker.py",
                 "dataclasses.py", "subprocess.py", "marshal.py", "unicodedata.py"):  # fmt: skip
        (planted / name).parent.mkdir(parents=True, exist_ok=True)
        (planted / name).write_text(f"open({str(mark)!r}, 'w').close()\n")
    expected = alone(long, monkeypatch)
    monkeypatch.chdir(planted)
    monkeypatch.setenv("PYTHONPATH", str(planted))
    with_worker(monkeypatch)
    assert every_meta(long) == expected
    assert not mark.exists()
    assert len(answered) == len(expected) - 3 - 2


def test_a_missing_object_reads_alike_with_a_worker(
    long: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """An old version whose blob git lacks: left out alike (the worker's git says so as ours)."""
    git = GitRepo(long.path)
    shas = long.git("log", "--format=%H", "--", "procedures/a.md").split()
    blob = long.git("rev-parse", f"{shas[len(shas) // 2]}:procedures/a.md")
    git.close()
    loose = long.path / ".git" / "objects" / blob[:2] / blob[2:]
    assert loose.exists()  # (the fixture's objects are loose: none is packed)
    loose.unlink()
    expected = alone(long, monkeypatch)
    assert expected[blob].unreadable is not None
    with_worker(monkeypatch)
    assert every_meta(long) == expected
