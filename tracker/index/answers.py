"""The command line's answers kept with the derived history: the text of ``tracker releases``
(a release day's lines) and of each document's ``tracker history``, with what a command must
say beside them (the time zone, the ids documents answer to, the warnings).

``derived.py`` writes them in the same transaction as the history they are made from (each
day's lines beside its entries, each document's text beside its row), by the functions the
commands use (``history/texts.py``); here they are read back, when the branch has not moved,
with one git process and a few queries: a warm command loads neither the engine's classes nor
the pickles. Anything unexpected (no file, another head, another version of the code, versions
git lacked, a damaged file) answers None, and the command reads the history the whole way,
which repairs what needs it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

from tracker.history.texts import history_end, releases_text
from tracker.index.fingerprint import fingerprint
from tracker.index.store import cache_folder, digest, emptied, present, private
from tracker.logs import Logger
from tracker.repository.paths import Root, check_ref, tracked_name
from tracker.repository.read import GitRepo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import date
    from typing import Any

    from tracker.history.model import Document, Problem
    from tracker.history.snapshot import Notice

# What the derived file holds, and what wrote it: its shape (the number), and the code and
# libraries that made it.
SCHEMA_VERSION = f"7.{fingerprint()}"
_WHERE = "FROM kept WHERE slot = 'latest' AND schema = ?"
_SEAL = 16  # (hex digits of a text's checksum, before it)
log = Logger(__name__)


def derived_path(repo: GitRepo, branch: str, root: Root) -> Path:
    """The file that keeps a branch's derived history (one per branch and manual folder)."""
    return cache_folder(repo) / f"derived-{digest(branch + chr(0) + root.folder)}.sqlite"


def plain(
    zone: str,
    ids: tuple[dict[str, int], dict[int, str]],
    problems: tuple[Problem, ...],
    notices: tuple[Notice, ...],
) -> str:
    """What a warm command needs besides the texts, as JSON: the manual's time zone, the ids
    documents answer to (with their rows), the warnings a read says and the documents'
    notices, and whether versions were left out for objects git lacked (it may have them by
    now: such a history is never read back)."""
    from tracker.history.texts import warnings

    names, rows = ids
    return json.dumps(
        {
            "zone": zone,
            "names": {name: [key, rows[key]] for name, key in names.items() if key in rows},
            "problems": warnings(problems),
            "notices": [list(notice) for notice in notices],
            "days": None,  # how many release days the file holds: set as it is written
            "lacking": any(problem.rule == "missing-object" for problem in problems),
        },
        ensure_ascii=False,
    )


def history_of(document: Document) -> tuple[str, str]:
    """A document's ``tracker history`` text as kept, and the day its newest version goes live
    (``texts.history_end`` adds what depends on the day it is shown), each ``sealed``."""
    from tracker.history.texts import history_lines

    return sealed(history_lines(document)), sealed(document.latest.effective.isoformat())


def sealed(text: str) -> str:
    """A text as kept: after its checksum, so that one damaged where SQLite cannot tell (a
    byte of the text itself) is noticed when it is read back (``unsealed``), as a document's
    pickled state is by its row's name."""
    return _checksum(text) + text


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_SEAL]


def unsealed(kept: Any) -> str | None:
    """The text ``sealed`` kept, or None where it is damaged."""
    if not isinstance(kept, str) or len(kept) < _SEAL:
        return None
    text = kept[_SEAL:]
    return text if _checksum(text) == kept[:_SEAL] else None


class Kept:
    """The answers kept for a branch head, read in one transaction."""

    def __init__(self, connection: sqlite3.Connection, found: dict[str, Any], path: Path) -> None:
        """``found``: the plain part, of the shape ``shaped`` checks; ``path``: the file."""
        self._connection = connection
        self.path = path
        self.damaged = False  # (a text that does not match its checksum was read)
        self.zone: str = found["zone"]
        self.names: dict[str, list[Any]] = found["names"]
        self.problems: list[str] = found["problems"]
        self.notices: list[tuple[int, str, str]] = [tuple(n) for n in found["notices"]]
        self.days: int = found["days"]

    def today(self, fixed: date | None) -> date | None:
        """``fixed``, else today in the manual's time zone (None: the zone is unknown now)."""
        if fixed is not None:
            return fixed
        from datetime import datetime
        from zoneinfo import ZoneInfo

        try:
            return datetime.now(ZoneInfo(self.zone)).date()
        except (ValueError, OSError, KeyError):  # (ZoneInfoNotFoundError is a KeyError)
            return None

    def releases(self, today: date) -> str | None:
        """``tracker releases`` as shown on ``today``."""
        query = "SELECT day, text FROM releases ORDER BY day DESC"
        found = self._read(query, ())
        if found is None or len(found) != self.days:  # (rows lost since: the whole way)
            self.damaged = self.damaged or found is not None
            return None
        days = [(day, unsealed(text)) for day, text in found]
        if not all(text is not None for _, text in days):
            self.damaged = True
            return None
        return releases_text(days, today.isoformat())  # type: ignore[arg-type]  # (checked)

    def history(self, ident: str, today: date) -> tuple[str, int] | None:
        """``tracker history ident`` as shown on ``today``, and the document's key (None: no
        document answers to the id, which the whole way says in its own words)."""
        if not isinstance(self.names.get(ident), list):
            return None
        key, row = self.names[ident]
        found = self._read("SELECT history, live FROM documents WHERE row = ?", (row,))
        if not found:
            self.damaged = self.damaged or found is not None  # (its row is gone)
            return None
        lines, goes_live = unsealed(found[0][0]), unsealed(found[0][1])
        if lines is None or goes_live is None:
            self.damaged = True
            return None
        return history_end(lines, goes_live, today.isoformat()), key

    def _read(self, query: str, values: tuple[str, ...]) -> list[tuple[str, str]] | None:
        try:
            found = self._connection.execute(query, values).fetchall()
        except sqlite3.Error:
            return None
        good = all(isinstance(a, str) and isinstance(b, str) for a, b in found)
        self.damaged = self.damaged or not good
        return found if good else None

    def close(self) -> None:
        self._connection.close()


def read(repo: GitRepo, branch: str, head: str, root: Root) -> Kept | None:
    """The answers kept for ``head`` of the branch, if its file holds them (and was written by
    this version of the code, and by this user alone)."""
    path = derived_path(repo, branch, root)
    if not present(path) or not private(path):
        return None
    connection = None
    try:
        address = f"file:{quote(str(path))}?mode=rw"  # (never made, if removed meanwhile)
        connection = sqlite3.connect(address, timeout=2.0, uri=True)
        connection.isolation_level = None
        connection.execute("BEGIN")  # what follows sees one state of the file
        row = connection.execute(f"SELECT head, plain {_WHERE}", (SCHEMA_VERSION,)).fetchone()
        if row is None or row[0] != head:
            connection.close()
            return None
        try:
            found = json.loads(row[1])
        except (ValueError, TypeError):
            found = None
        if not shaped(found):
            connection.close()
            rebuilt(path)
            return None
        if found["lacking"] is not False:
            connection.close()
            return None
        return Kept(connection, found, path)
    except sqlite3.Error:
        if connection is not None:
            connection.close()
        return None


def rebuilt(path: Path) -> None:
    """Empty a file whose answers are damaged, saying so: the whole way then reads the history
    anew and keeps it again (damage left in place sent every later command that way, each
    time). Emptied as ``derived.py`` empties a damaged one: others may be reading it."""
    from tracker.index.keptfile import SCHEMA

    log.warning("the derived index is damaged (a kept answer is not as written); it is rebuilt.")
    emptied(path, SCHEMA, ("kept", "documents", "releases"))


def shaped(found: Any) -> bool:
    """Whether the plain part has the shape ``plain`` gives it (a damaged one is not used)."""
    if not isinstance(found, dict) or not all(
        isinstance(found.get(name), kind)
        for name, kind in (("zone", str), ("names", dict), ("problems", list),
                           ("notices", list), ("days", int), ("lacking", bool))
    ):  # fmt: skip
        return False
    names = found["names"].values()
    return (
        all(isinstance(text, str) for text in found["problems"])
        and all(_typed(pair, (int, str)) for pair in names)
        and all(_typed(notice, (int, str, str)) for notice in found["notices"])
    )


def _typed(value: Any, kinds: tuple[type, ...]) -> bool:
    return (
        isinstance(value, list)
        and len(value) == len(kinds)
        and all(isinstance(item, kind) for item, kind in zip(value, kinds, strict=True))
    )


def opened(repo_path: str, root: str, branch: str | None) -> tuple[Kept | None, GitRepo]:
    """The answers kept for the tracked branch's head now, opening the repository as
    ``manual.open_manual`` does (with its checks and its errors), and the repository: the
    whole way goes on with it (the branch head it was opened at is left for the first
    snapshot)."""
    folder = Root.parse(root)
    if branch is not None:
        check_ref(branch)
    repo = GitRepo(repo_path, once=True)
    name, head = tracked_name((branch is None and repo.opened_at) or repo.branch_head(branch))
    return read(repo, name, head, folder), repo
