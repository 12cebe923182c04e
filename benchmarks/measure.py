"""Timing helpers for the history benchmark: commands with their peak memory, git's floor, and
the naive GitPython reading a user would otherwise write."""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

FOLDER = "procedures"
# The same reading as the tracker's GitRepo.log (tracker/repository/read.py): one log over the
# manual's folder, first-parent diffs of merges, renames, trailers and bodies.
LOG_FORMAT = "%x1e%H%x00%P%x00%ct%x00%at%x00%an%x00%s%x00%(trailers:only,unfold)%x00%b%x00"
GIT_LOG = [
    *("git", "-c", "core.quotePath=false", "-c", "log.showSignature=false"),
    *("-c", "diff.renames=true", "-c", "log.showRoot=true", "-c", "i18n.logOutputEncoding=UTF-8"),
    *("log", "--date-order", "--raw", "-z", "-M", "--no-abbrev", "--no-color", "--no-ext-diff"),
    *("--diff-merges=first-parent", "--no-mailmap", "--encoding=UTF-8", "--full-history"),
    *("--sparse", f"--format={LOG_FORMAT}", "HEAD", "--", f":(top,literal){FOLDER}/"),
]
# A --raw -z record: ":old-mode new-mode old-id new-id status\0path\0" (two paths for R and C).
_RAW = re.compile(rb":\d{6} \d{6} [0-9a-f]{40} ([0-9a-f]{40}) ([A-Z])\d*\x00([^\x00]*)\x00")
_RENAMED_TO = re.compile(rb"([^\x00]*)\x00")
_NO_BLOB = "0" * 40


@dataclass(frozen=True)
class Run:
    """One command: how long it took and its peak resident memory."""

    seconds: float
    peak_mb: float


# Started by a small Python process, not by the benchmark itself: Linux counts in a command's
# peak RSS the memory of the process it was forked from (kept when it executes), and the
# benchmark holds manuals in memory. This one times the command and reports its peak.
_LAUNCH = """
import os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(
    args: list[str], env: dict[str, str] | None = None, statuses: tuple[int, ...] = (0,)
) -> Run:
    """Run a command to its end (output discarded); its time and peak RSS (from wait4). An
    exit status not in ``statuses`` is a failure (``tracker check`` exits 1 for an error found)."""
    with tempfile.TemporaryFile() as errors:
        launched = subprocess.run([sys.executable, "-c", _LAUNCH, *args], stdout=subprocess.PIPE,
                                  stderr=errors, env=env, check=False)  # fmt: skip
        fields = launched.stdout.split()
        errors.seek(0)
        said = errors.read().decode(errors="replace")
        if launched.returncode != 0 or len(fields) != 3 or int(fields[2]) not in statuses:
            raise RuntimeError(f"{' '.join(args)} failed: {said[-2000:]}")
        if "Traceback (most recent call last)" in said:  # (a crash exits with status 1 too)
            raise RuntimeError(f"{' '.join(args)} crashed: {said[-2000:]}")
    return Run(float(fields[0]), int(fields[1]) / 1024)  # Linux gives kilobytes


def environment(cache: Path, today: date) -> dict[str, str]:
    """The environment of every command: the index kept in ``cache``, today fixed, and Python
    free to keep bytecode (as installed software has it; else every run compiles the source)."""
    kept = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return kept | {"TRACKER_CACHE_DIR": str(cache), "TRACKER_TODAY": today.isoformat()}


def tracker(*args: str) -> list[str]:
    """A ``tracker`` command line, run by this interpreter (the worktree's .venv)."""
    return [sys.executable, "-m", "tracker", *args]


def median(values: Iterable[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def git_floor(repo: Path) -> float:
    """git's own cost of the tracker's reading: the log, then every document version's blob
    through ``git cat-file --batch``, fed newest first as the log met them (seconds)."""
    start = time.perf_counter()
    log = subprocess.run(GIT_LOG, cwd=repo, capture_output=True, check=True).stdout
    blobs = list(dict.fromkeys(_document_blobs(log)))
    process = subprocess.Popen(
        ["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    ids = "".join(blob + "\n" for blob in blobs).encode()
    writer = threading.Thread(target=_write_and_close, args=(process.stdin, ids), daemon=True)
    writer.start()
    while process.stdout.read(1 << 20):
        pass
    writer.join()
    process.wait()
    return time.perf_counter() - start


def _write_and_close(stream: object, data: bytes) -> None:
    stream.write(data)  # type: ignore[attr-defined]
    stream.close()  # type: ignore[attr-defined]


def _document_blobs(log: bytes) -> Iterable[str]:
    """New blob ids of the Markdown files each commit changed, in the log's order."""
    at = 0
    while match := _RAW.search(log, at):
        path, at = match.group(3), match.end()
        if match.group(2) in (b"R", b"C"):  # the new path follows the old one
            renamed = _RENAMED_TO.match(log, at)
            if renamed:
                path, at = renamed.group(1), renamed.end()
        blob = match.group(1).decode()
        name = path.rsplit(b"/", 1)[-1]
        if blob != _NO_BLOB and path.endswith(b".md") and not name.startswith(b"_"):
            yield blob


@dataclass(frozen=True)
class Naive:
    """GitPython's way, timed on some chapters: listing each one's commits, then a patch per
    commit; extrapolated to the whole manual from the cost of each part."""

    chapters: int
    chapters_measured: int
    commits_diffed: int
    listing_seconds: float  # iter_commits, for the chapters measured
    diff_seconds: float  # the patches, for the commits diffed

    def estimate(self, versions: int) -> float:
        """Seconds for every chapter, and a patch for each of ``versions``."""
        per_chapter = self.listing_seconds / self.chapters_measured
        per_commit = self.diff_seconds / max(1, self.commits_diffed)
        return per_chapter * self.chapters + per_commit * versions


def naive_gitpython(repo: Path, budget: float, seed: int) -> Naive:
    """``iter_commits(paths=chapter)`` per chapter plus a patch per commit, as a user would
    write it (no rename following), on chapters drawn at random until ``budget`` seconds."""
    import git

    handle = git.Repo(repo)
    paths = [
        item.path
        for item in handle.head.commit.tree[FOLDER].traverse()
        if getattr(item, "type", "") == "blob" and str(item.path).endswith(".md")
    ]
    random.Random(seed).shuffle(paths)
    listing, diffing, done, diffed = 0.0, 0.0, 0, 0
    for path in paths:
        start = time.perf_counter()
        commits = list(handle.iter_commits("HEAD", paths=path))
        listed = time.perf_counter()
        for commit in commits:
            parent = commit.parents[0] if commit.parents else git.NULL_TREE
            commit.diff(parent, paths=path, create_patch=True, R=True)
        listing += listed - start
        diffing += time.perf_counter() - listed
        done, diffed = done + 1, diffed + len(commits)
        if listing + diffing >= budget:
            break
    handle.close()
    return Naive(len(paths), done, diffed, listing, diffing)
