"""The engine is shared by a server's threads: answers on 8 threads equal those on one."""

from __future__ import annotations

import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tracker.demo import build_demo
from tracker.errors import RepositoryError
from tracker.history.model import Version
from tracker.history.snapshot import Snapshot
from tracker.index.store import cache_folder
from tracker.manual import open_manual
from tracker.trackchanges import blocks
from tracker.trackchanges.cache import VIEWS, Differ, View

THREADS = 8
# Generous, so that no answer is simplified for lack of time on a busy machine: the answers
# must depend on the versions alone, whatever the threads do.
SECONDS = 120.0
Work = tuple[Version | None, Version, View]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("threads") / "demo")


def every_diff(snapshot: Snapshot) -> list[Work]:
    """Every view of every change of every document: each version against the one before."""
    work: list[Work] = []
    for document in snapshot.documents:
        before: Version | None = None
        for version in document.versions:
            work += [(before, version, view) for view in VIEWS if view != "text-colour"]
            before = version
    random.Random(6).shuffle(work)  # threads then meet on the same pairs at the same time
    return work


def fresh_differ(demo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Differ:
    """A differ with nothing remembered: no cache file, no rendered chunks."""
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(cache))
    manual = open_manual(demo)
    blocks._RENDERED.clear()
    return Differ(manual.texts.blob, cache_folder(manual.repo), seconds=SECONDS)


def test_every_diff_of_the_demo_on_8_threads_equals_one_thread(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    work = every_diff(open_manual(demo).snapshot())
    assert len(work) > 300

    alone = fresh_differ(demo, tmp_path / "one", monkeypatch)
    expected = [alone.view(*item) for item in work]

    shared = fresh_differ(demo, tmp_path / "many", monkeypatch)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so that a race shows up in one run
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(pool.map(lambda item: shared.view(*item), work))
    finally:
        sys.setswitchinterval(interval)

    wrong = [
        f"{end.id} {end.commit[:7]} {view}"
        for (_, end, view), got, want in zip(work, answers, expected, strict=True)
        if got != want
    ]
    assert not wrong, f"{len(wrong)} of {len(work)} answers differ: {', '.join(wrong[:5])}"


def test_one_snapshot_is_read_and_shared_by_threads_asking_at_once(demo: Path):
    manual = open_manual(demo)
    with ThreadPoolExecutor(THREADS) as pool:
        snapshots = list(pool.map(lambda _: manual.snapshot(), range(THREADS * 4)))
    assert all(snapshot is snapshots[0] for snapshot in snapshots)
    texts = {manual.texts.of(document.latest) for document in snapshots[0].documents}
    with ThreadPoolExecutor(THREADS) as pool:
        again = set(
            pool.map(lambda document: manual.texts.of(document.latest), snapshots[0].documents)
        )
    assert again == texts


def test_a_diff_asked_for_by_many_threads_at_once_is_worked_out_once(demo: Path, tmp_path: Path):
    """Readers of a newsletter open its changes at once: each thread worked the same diff out
    (hundreds of milliseconds each, holding the GIL in turn). The first works it out, the rest
    wait for it; a failure reaches each, and the next ask tries again."""
    manual = open_manual(demo)
    document = next(d for d in manual.snapshot().documents if len(d.versions) > 1)
    start, end = document.versions[-2], document.versions[-1]
    reads: list[str] = []
    failing = {"now": True}

    def read(blob: str) -> str:
        reads.append(blob)
        time.sleep(0.2)  # (so that every thread asks while the first reads)
        if failing["now"]:
            raise RepositoryError(f"no object {blob}")
        return manual.texts.blob(blob)

    differ = Differ(read, tmp_path / "diffs", seconds=SECONDS)
    with ThreadPoolExecutor(THREADS) as pool:
        tried = [pool.submit(differ.view, start, end, "html") for _ in range(THREADS)]
        assert all(isinstance(each.exception(), RepositoryError) for each in tried)
    assert len(reads) == 1
    failing["now"] = False
    with ThreadPoolExecutor(THREADS) as pool:
        answers = set(pool.map(lambda _: differ.view(start, end, "html"), range(THREADS)))
    assert len(reads) == 3 and len(answers) == 1  # (its old and new text, read once)


def test_a_diff_waited_for_by_a_reader_is_kept_though_its_maker_worked_ahead(
    demo: Path, tmp_path: Path
):
    """Work done ahead of readers does not keep its diffs in memory (remember=False); a reader
    who waited for one such diff keeps it, for the page's other views."""
    manual = open_manual(demo)
    document = next(d for d in manual.snapshot().documents if len(d.versions) > 1)
    start, end = document.versions[-2], document.versions[-1]
    reads: list[str] = []

    def read(blob: str) -> str:
        reads.append(blob)
        time.sleep(0.2)  # (so that the reader asks while the work ahead reads)
        return manual.texts.blob(blob)

    differ = Differ(read, tmp_path / "diffs", seconds=SECONDS)
    with ThreadPoolExecutor(2) as pool:
        ahead = pool.submit(differ.view, start, end, "html", False)
        time.sleep(0.05)
        reader = pool.submit(differ.view, start, end, "html")
        assert ahead.result() == reader.result()
    assert len(reads) == 2
    differ.view(start, end, "text")  # (another view of the same diff)
    assert len(reads) == 2
