"""The documents a process that stays up (the service) holds, by the row of the kept history
each is kept in (``derived.py`` names a row by the hash of its contents, so a name always means
the same document). After a new commit the documents it did not touch keep their rows: they
are taken from here rather than read back and unpickled again (300 documents: about 70 ms, and
a pass of the collector over the objects they make, for every commit the service sees).

It holds the release entries of the newest snapshot too, by the name of the snapshot's part
(its pickle's hash: the same part, the same documents in the same order, so the same entries):
a new commit's snapshot takes them as the days it did not change (1,680 days' rows unpickled
and 40,000 objects for the collector to pass over, at 10,000 commits)."""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from datetime import date

from tracker.history.model import Document
from tracker.history.releases import EntryRow


class Held:
    """Documents by the name of their row; safe to share between threads."""

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}
        self._releases: tuple[str, dict[date, list[EntryRow]]] | None = None
        self._lock = threading.Lock()

    def take(self, rows: Mapping[int, str]) -> dict[int, Document]:
        """Those of the documents of these rows (by key) that are held."""
        with self._lock:
            held = self._documents
            return {key: held[name] for key, name in rows.items() if name in held}

    def hold(self, named: Mapping[str, Document], live: Collection[str] | None = None) -> None:
        """Hold these documents too; ``live``: the rows of the newest snapshot, the others are
        let go (the documents of older heads are not wanted again)."""
        with self._lock:
            self._documents.update(named)
            if live is not None:
                keep = set(live)
                self._documents = {n: d for n, d in self._documents.items() if n in keep}

    def releases(self, state: str) -> dict[date, list[EntryRow]] | None:
        """The release entries by day of the snapshot whose part has this name, if held (the
        lists are shared: read them, never change them)."""
        with self._lock:
            if self._releases is None or self._releases[0] != state:
                return None
            return dict(self._releases[1])

    def hold_releases(self, state: str, entries: Mapping[date, list[EntryRow]]) -> None:
        """Hold the release entries of the snapshot whose part has this name (only the newest's
        are held)."""
        with self._lock:
            self._releases = (state, dict(entries))

    def __len__(self) -> int:
        return len(self._documents)
