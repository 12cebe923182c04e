"""The summaries of every change, worked out ahead of readers while a service runs.

A chapter's history page, its feed and its JSON history show the plain-English summary of each
version's change, and a release page those of its entries: a diff each, about 10 ms of CPU
for a usual chapter. Each is kept in the diff cache's file by blob pair (``diffs.sqlite``), so
it is worked out once; but whoever asks first waits for every one a page shows. On 300
chapters x 10,000 commits, the first view of a chapter of 84 versions took 0.6 s and one of
360 versions 3.8 s, and once for each chapter after a deployment (or an upgrade that changes
how diffs are made).

So ``tracker serve`` works them out as it starts, in the background (``Site.work_ahead``, after
the search index): the release entries' and each version's, newest first (what readers are
likeliest to ask for), giving way to the requests its own worker is answering (``busy.py``),
and only those not kept already (a restart finds the rest, but for comparisons simplified for
time or size, which are never kept). Of several workers only one does it (it holds a lock
beside the cache); the others read what it keeps. It is not done when the cache keeps nothing
(``TRACKER_DIFF_CACHE_MB=0``), stops when the cache file nears its bound (so that it never
pushes out what readers asked for), and is turned off by ``TRACKER_WORK_AHEAD=0``.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tracker.errors import InputError, TrackerError
from tracker.history.model import Version
from tracker.history.snapshot import Snapshot
from tracker.logs import Logger
from tracker.trackchanges.cache import Differ

log = Logger("tracker.web")  # (under "tracker": the command line's handler says it)

SWITCH = "TRACKER_WORK_AHEAD"  # "0": summaries are worked out only when asked for
LOCK = "ahead.lock"
FULL_SHARE = 0.75  # the warm-up stops when the cache file holds this share of its bound
CHECK_EVERY = 20  # summaries worked out between two looks at the cache file's size
Pair = tuple[Version | None, Version]


def wanted() -> bool:
    """Whether the environment lets a service work summaries out ahead (unset: yes); any
    value but 0 and 1 is the operator's mistake, said in one sentence (InputError: exit
    status 2), as for every TRACKER_* variable (``false`` left it on, unsaid)."""
    text = os.environ.get(SWITCH, "").strip()
    if text not in ("", "0", "1"):
        raise InputError(f"{SWITCH} is {text!r}, not 0 (off) or 1 (on).")
    return text != "0"


def pairs(snapshot: Snapshot) -> list[Pair]:
    """Every change a page summarises, newest first, each blob pair once: each release's
    entries (the version in force the day before, to the one in force on the day), then each
    version against the one before it."""
    found: dict[tuple[str, str], Pair] = {}
    dated: list[tuple[object, int, Pair]] = []

    def add(when: object, before: Version | None, after: Version) -> None:
        key = (before.blob or "" if before else "", after.blob or "")
        if key not in found:
            found[key] = (before, after)
            dated.append((when, len(dated), (before, after)))

    for release in reversed(snapshot.releases):
        for entry in release.entries:
            add(release.date, entry.before, entry.version)
    for document in snapshot.documents:
        for before, version in document.changes:
            add(version.effective, before, version)
    dated.sort(key=lambda item: (item[0], -item[1]), reverse=True)
    return [pair for _, _, pair in dated]


def work_ahead(snapshot: Snapshot, differ: Differ, folder: Path, pause: Callable[[], None]) -> int:
    """Work out and keep the summaries of ``snapshot``'s changes that the cache lacks, calling
    ``pause`` before each (it gives way to requests); how many were worked out. Nothing when
    another process is doing it, or when the cache keeps nothing."""
    if differ.bound <= 0:
        return 0
    with _only_one(folder) as alone:
        if not alone:
            return 0
        kept = differ.kept("summary-json")
        made = 0
        for before, after in pairs(snapshot):
            if differ.named(before, after) in kept:
                continue
            if made % CHECK_EVERY == 0 and differ.size() >= FULL_SHARE * differ.bound:
                log.info("the diff cache is nearly full: summaries are worked out when asked")
                break
            pause()
            try:
                differ.view(before, after, "summary-json", remember=False)
            except TrackerError as error:  # (a text git cannot give: its page says so)
                log.debug("no summary of %s at %s ahead: %s", after.id, after.commit, error)
            except Exception as error:  # (one change's fault must not stop the others')
                log.exception("no summary of %s at %s ahead", after.id, after.commit,
                              exc_info=error)  # fmt: skip
            made += 1
        return made


@contextmanager
def _only_one(folder: Path) -> Iterator[bool]:
    """Whether this process may do the work (no other holds the lock), holding it meanwhile;
    False too when the folder cannot hold a lock (nor then a cache)."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
        handle = os.open(folder / LOCK, flags, 0o600)
    except OSError:
        yield False
        return
    try:
        info = os.fstat(handle)  # (a pipe or another user's file planted there: no lock)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            yield False
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # (BlockingIOError: another worker has it)
            yield False
            return
        yield True
    finally:
        with suppress(OSError):
            os.close(handle)  # (closing it lets the lock go)
