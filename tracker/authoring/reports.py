"""``tracker check``'s findings as people and CI read them (text, ``--format json``,
``github``, ``gitlab``): each on its file and line where it has them."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from tracker.authoring.notfiles import RULE as NOT_A_FILE
from tracker.authoring.suggest import SUGGESTED
from tracker.config import CONFIG_FILE, TEMPLATES_FOLDER
from tracker.history.model import LEFT_OUT, Problem
from tracker.history.snapshot import Snapshot


def problem_json(problem: Problem) -> dict[str, Any]:
    """One finding as data: the file (or id, or commit), line, severity, message and rule."""
    return {
        "file": problem.where,
        "line": problem.line,
        "severity": problem.level,
        "message": problem.message,
        "rule": problem.rule,
    }


def text_lines(problems: list[Problem], snapshot: Snapshot) -> list[str]:
    """The findings as the text format prints them, in ``check_manual``'s order: a file by its
    path in the repository, and its line after it where known ("error: procedures/a.md:3:
    ..."), as compilers write them, which editors and terminals open there when run from the
    repository's top; a document's id, or a commit, as found. Each is one line, a line break
    in a name shown as a replacement character."""
    files = {path for path in _files(snapshot, problems).values()}
    under = {p.where: snapshot.root.join(p.where) for p in problems}
    found = []
    for problem in problems:
        where = under[problem.where] if under[problem.where] in files else problem.where
        line = f":{problem.line}" if problem.line is not None else ""
        said = f"{problem.level}: {where}{line}: {problem.message}"
        found.append("\N{REPLACEMENT CHARACTER}".join(said.splitlines()))  # (a name's "\n")
    return found


def github_annotations(problems: list[Problem], snapshot: Snapshot) -> str:
    """GitHub Actions workflow commands: each finding shown on its file and line."""
    files = _files(snapshot, problems)
    lines = []
    for problem in problems:
        where = files.get(problem.where)
        line = f"line={problem.line}," if problem.line else ""
        place = f"file={_property(where)},{line}" if where else ""
        text = problem.message if where else f"{problem.where}: {problem.message}"
        lines.append(f"::{problem.level} {place}title={problem.rule}::{_escape(text)}")
    return "\n".join(lines) + ("\n" if lines else "")


def gitlab_report(
    problems: list[Problem], snapshot: Snapshot, settings: bool = True
) -> list[dict[str, Any]]:
    """A GitLab code-quality report (Code Climate's format): findings on merge requests, each
    on a file, which that format needs: a finding with none is placed by ``_placed``
    (``settings``: whether the repository has the manual's ``manual.toml`` at its head)."""
    files = _files(snapshot, problems)
    place = _placed(snapshot, settings)
    report, seen = [], Counter[str]()
    for problem in problems:
        path = files.get(problem.where) or place(problem)
        text = problem.message if problem.where in files else f"{problem.where}: {problem.message}"
        # The same finding keeps its fingerprint from one report to the next (a suggestion,
        # which other documents change, is left out), and each is its own (an occurrence count).
        key = "\0".join((problem.rule, problem.where, SUGGESTED.sub("", problem.message)))
        seen[key] += 1
        key += f"\0{seen[key]}" if seen[key] > 1 else ""
        report.append(
            {
                "description": text,
                "check_name": problem.rule,
                "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
                "severity": "major" if problem.level == "error" else "minor",
                "location": {"path": path, "lines": {"begin": problem.line or 1}},
            }
        )
    return report


def _files(snapshot: Snapshot, problems: list[Problem]) -> dict[str, str]:
    """Each document's path under the root, and its id, -> its path in the repository (files
    left out because they cannot be read are files too, as are the manual's templates and
    settings, and links named as documents)."""
    files = {p.where: snapshot.root.join(p.where) for p in snapshot.problems if p.rule in LEFT_OUT}
    files.update(
        (p.where, snapshot.root.join(p.where))
        for p in problems
        if (p.rule == "newsletter-template" and p.where.startswith(f"{TEMPLATES_FOLDER}/"))
        or p.rule == NOT_A_FILE  # (a link or a submodule named as a document)
    )
    files.update({d.latest.path: snapshot.root.join(d.latest.path) for d in snapshot.documents})
    for document in snapshot.documents:  # (findings named by a document's id: on its file)
        files.setdefault(document.id, snapshot.root.join(document.latest.path))
    files.setdefault(CONFIG_FILE, snapshot.root.join(CONFIG_FILE))  # (the schedule's findings)
    return files


def _placed(snapshot: Snapshot, settings: bool) -> Callable[[Problem], str]:
    """Where a GitLab report puts a finding that has no file of its own (GitHub's annotations
    go on none): one about a version (``back-dated``, ``held-back``) on its document's file;
    one about a commit (a trailer) on the file of a document it changed that the manual still
    has, which the merge request shows (``settings-unread``: on ``manual.toml``, which it
    changed); else on ``manual.toml``, or where the repository has none, on the first
    document's file. Never on a file the repository does not have, but in a manual with no
    documents and no settings."""
    config = snapshot.root.join(CONFIG_FILE)
    changed: dict[str, str] = {}  # each commit (its first 10 digits) -> a file it changed
    files: dict[int, str] = {}  # each document still in the manual, by key -> its file
    for document in snapshot.documents:
        if not document.latest.deleted:
            files[document.key] = snapshot.root.join(document.latest.path)
            for version in document.versions:
                for commit in (version.commit, *version.sources):
                    changed.setdefault(commit[:10], files[document.key])
    first = next(iter(files.values()), config)

    def place(problem: Problem) -> str:
        if problem.document is not None and problem.document in files:
            return files[problem.document]
        if problem.rule == "settings-unread" and settings:
            return config
        commit = _COMMIT.search(problem.where)
        found = changed.get(commit.group(1)) if commit else None
        return found or (config if settings else first)

    return place


_COMMIT = re.compile(r"\bcommit ([0-9a-f]{10})\b")  # (how a finding names a commit)


def _property(text: str) -> str:
    """A value for an annotation's property (file=...): its separators escaped too."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
