"""Diffs between two versions, cached by blob pair next to the index (SPEC §9)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from tracker.history.walk import Version
from tracker.index.log import cache_folder, connect, remove
from tracker.manual import Manual
from tracker.publish.templating import template_environment
from tracker.trackchanges.compare import DocumentDiff, SourceLine, diff_documents, source_diff
from tracker.trackchanges.summary import summarise
from tracker.trackchanges.views import diff_html, diff_json, diff_text, shift_headings, source_html

# Bump when the diff's algorithm or its rendering changes: cached answers are then ignored.
ALGORITHM = "3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS diffs (
    old TEXT NOT NULL, new TEXT NOT NULL, view TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (old, new, view));"""


def _source_text(lines: list[SourceLine]) -> str:
    return "".join(f"{line.op}{line.text}\n" for line in lines)


def _source_json(lines: list[SourceLine]) -> str:
    return json.dumps([{"op": line.op, "text": line.text} for line in lines], ensure_ascii=False)


VIEWS: dict[str, Callable[[Any], str]] = {
    "html": diff_html,
    "text": diff_text,
    "text-colour": lambda diff: diff_text(diff, colour=True),
    "json": lambda diff: json.dumps(diff_json(diff), ensure_ascii=False),
    "summary": lambda diff: summarise(diff).text(),
    "summary-json": lambda diff: json.dumps(summarise(diff).to_json(), ensure_ascii=False),
    "source-html": source_html,
    "source-text": _source_text,
    "source-json": _source_json,
}


def diff_view(manual: Manual, start: Version | None, end: Version, view: str) -> str:
    """One view of the diff between two versions (``start`` None: from nothing)."""
    if view not in VIEWS:
        raise ValueError(f"unknown diff view {view!r}")
    old_blob = start.blob if start and start.blob else ""
    new_blob = end.blob or ""
    path = cache_folder(manual.repo) / "diffs.sqlite"
    key = (f"{ALGORITHM}:{old_blob}", new_blob, view)
    found = _lookup(path, key)
    if found is not None:
        return found
    old = manual.source(start) if start else ""
    new = manual.source(end)
    diff = _diff(old_blob, new_blob, old, new, view.startswith("source-"))
    body = VIEWS[view](diff)
    if not (isinstance(diff, DocumentDiff) and diff.coarse):
        _store(path, key, body)  # a coarse answer depends on timing: it may be better next time
    return body


def summary_data(manual: Manual, start: Version | None, end: Version) -> dict[str, Any]:
    """The plain-English summary of a change, as data with its sentence (``text``)."""
    data: dict[str, Any] = json.loads(diff_view(manual, start, end, "summary-json"))
    return data


@lru_cache(maxsize=16)
def _diff(
    old_blob: str, new_blob: str, old: str, new: str, source: bool
) -> DocumentDiff | list[SourceLine]:
    """The diff of a blob pair, remembered so that another view of it is not worked out again."""
    return source_diff(old, new) if source else diff_documents(old, new)


def _lookup(path: Path, key: tuple[str, str, str]) -> str | None:
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(path, timeout=5)) as connection:
            row = connection.execute(
                "SELECT body FROM diffs WHERE old = ? AND new = ? AND view = ?", key
            ).fetchone()
    except sqlite3.DatabaseError:
        remove(path)  # damaged: it is only a cache
        return None
    return str(row[0]) if row else None


def _store(path: Path, key: tuple[str, str, str], body: str) -> None:
    try:
        with closing(connect(path, _SCHEMA)) as connection:
            connection.execute("INSERT OR REPLACE INTO diffs VALUES (?, ?, ?, ?)", (*key, body))
            connection.commit()
    except sqlite3.DatabaseError:
        remove(path)


def page(title: str, between: str, summary: str, body: str) -> str:
    """A standalone accessible HTML page around a rendered diff."""
    css = (Path(__file__).parents[1] / "publish" / "templates" / "diff.css").read_text(
        encoding="utf-8"
    )
    template = template_environment({}).get_template("diff_page.html.j2")
    # Both are ours: the diff's HTML is built from sanitised fragments, the CSS ships with us.
    trusted = {"body": Markup(shift_headings(body, 2)), "css": Markup(css)}  # noqa: S704
    return template.render(title=title, between=between, summary=summary, **trusted)
