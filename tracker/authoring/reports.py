"""``tracker check``'s findings as CI reads them (``--format json``, ``github``, ``gitlab``):
each on its file and line where it has them."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

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


def gitlab_report(problems: list[Problem], snapshot: Snapshot) -> list[dict[str, Any]]:
    """A GitLab code-quality report (Code Climate's format): findings on merge requests."""
    files = _files(snapshot, problems)
    manual = snapshot.root.join(CONFIG_FILE)
    report, seen = [], Counter[str]()
    for problem in problems:
        path = files.get(problem.where, manual)
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
    settings)."""
    files = {p.where: snapshot.root.join(p.where) for p in snapshot.problems if p.rule in LEFT_OUT}
    files.update(
        (p.where, snapshot.root.join(p.where))
        for p in problems
        if p.rule == "newsletter-template" and p.where.startswith(f"{TEMPLATES_FOLDER}/")
    )
    files.update({d.latest.path: snapshot.root.join(d.latest.path) for d in snapshot.documents})
    for document in snapshot.documents:  # (findings named by a document's id: on its file)
        files.setdefault(document.id, snapshot.root.join(document.latest.path))
    files.setdefault(CONFIG_FILE, snapshot.root.join(CONFIG_FILE))  # (the schedule's findings)
    return files


def _property(text: str) -> str:
    """A value for an annotation's property (file=...): its separators escaped too."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
