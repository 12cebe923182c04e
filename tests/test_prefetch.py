"""Blobs read ahead while the log is read (repository/prefetch.py): the same answers as
``read_blobs``, whatever order is asked for, and nothing left running."""

from __future__ import annotations

import time

from conftest import ManualRepo, doc

from tracker.repository.read import GitRepo

MISSING = "0123456789abcdef" * 2 + "01234567"  # an id the repository has no object for


def blobs(repo: ManualRepo, count: int, size: int = 3000) -> list[str]:
    """Ids of ``count`` new blobs of about ``size`` bytes each."""
    folder = repo.path / "many"
    folder.mkdir(exist_ok=True)
    for number in range(count):
        (folder / f"{number}.md").write_text(doc(f"N{number}", f"{number} " * (size // 4)))
    paths = "\n".join(str(folder / f"{number}.md") for number in range(count))
    return repo.git("hash-object", "-w", "--stdin-paths", input_text=paths).split()


def test_blobs_read_ahead_are_those_read_blobs_gives(repo: ManualRepo):
    """Asked for while the log is read (one twice, one git lacks), over a small budget of
    bytes held: the answers of ``read_blobs`` for the order asked, each once."""
    shas = blobs(repo, 200)
    git = GitRepo(repo.path)
    asked = [*shas[:100], MISSING, shas[5], *shas[100:]]
    order = list(dict.fromkeys(asked))
    with git.prefetch(limit=2000, budget=20_000) as early:  # (a few answers held at a time)
        for sha in asked:
            early.want(sha)
        early.asked_all()
        assert early.order == order
        time.sleep(0.2)  # git has answered what the budget allows, and waits
        read = list(early.reads(order))
    assert read == list(git.read_blobs(order, limit=2000))
    assert [data is None for _, data in read].count(True) == 1  # the missing one
    assert max(len(data) for _, data in read if data) == 2001  # cut after the limit
    assert early._proc.poll() == 0


def test_another_order_is_read_by_read_blobs(repo: ManualRepo):
    """Anything but the order asked for (the log read again without renames, say) is read
    by ``read_blobs``, and the cat-file read ahead is stopped."""
    shas = blobs(repo, 50)
    git = GitRepo(repo.path)
    with git.prefetch(limit=10_000) as early:
        for sha in shas:
            early.want(sha)
        early.asked_all()
        other = shas[::-1]
        assert list(early.reads(other)) == list(git.read_blobs(other, limit=10_000))
    assert early._proc.poll() is not None


def test_a_prefetch_left_early_stops_at_once(repo: ManualRepo):
    """Left after one answer (a failure while the log was read), or before any id was asked
    for, while git still has megabytes to write: stopped at once, with its threads."""
    shas = blobs(repo, 2000, size=6000)
    git = GitRepo(repo.path)
    for taken in (1, 0):
        started = time.monotonic()
        with git.prefetch(limit=10_000) as early:
            for sha in shas if taken else ():
                early.want(sha)
            if taken:
                reading = early.reads(list(shas))
                assert next(reading)[1] is not None
        assert time.monotonic() - started < 5
        assert early._proc.poll() is not None
        assert not early._reader.is_alive() and not early._writer.is_alive()


def test_a_cat_file_that_stops_is_taken_over_by_read_blobs(repo: ManualRepo):
    """A cat-file that stops part-way (as a partial clone's does when its fetch fails) hands
    the rest over to ``read_blobs``: the answers are all there, in order."""
    shas = blobs(repo, 100)
    git = GitRepo(repo.path)
    with git.prefetch(limit=10_000) as early:
        for sha in shas:
            early.want(sha)
        early.asked_all()
        reading = early.reads(list(shas))
        first = [next(reading) for _ in range(10)]
        early._proc.kill()  # git stops
        rest = list(reading)
    assert first + rest == list(git.read_blobs(shas, limit=10_000))


def test_answers_are_parsed_wherever_a_chunk_ends(repo: ManualRepo):
    """cat-file's output cut into chunks of any size (a header or the contents split, a blob
    over the limit, an empty one, one git lacks, a tree) parses as ``read_blobs`` reads it."""
    import subprocess

    from tracker.repository.prefetch import _Answers

    shas = blobs(repo, 3, size=40) + blobs(repo, 1, size=5000)[-1:]
    empty = repo.git("hash-object", "-w", "--stdin", input_text="")
    tree = repo.git("write-tree")
    asked = [shas[0], empty, MISSING, shas[3], tree, shas[1], shas[2]]
    output = subprocess.run(["git", "cat-file", "--batch"], cwd=repo.path, check=True,
                            input="".join(f"{sha}\n" for sha in asked).encode(),
                            capture_output=True).stdout  # fmt: skip
    expected = [data for _, data in GitRepo(repo.path).read_blobs(asked, limit=100)]
    assert expected[1] == b"" and expected[2] is None and expected[4] is None
    assert len(expected[3] or b"") == 101
    for size in (1, 2, 3, 7, 64, 101, 4096, len(output)):
        answers = _Answers(limit=100)
        found = []
        for at in range(0, len(output), size):
            found += answers.parse(output[at : at + size])
        assert found == expected, size
        assert answers.count == len(asked)
