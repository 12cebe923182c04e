"""Starting points for authors: a manual's settings (``tracker init``) and a new chapter
(``tracker new``), written into the working tree for the author to edit and commit."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path, PurePosixPath

from tracker.config import CONFIG_FILE, parse_config
from tracker.errors import InputError
from tracker.history.documents import ID_PATTERN, TYPES
from tracker.history.snapshot import Snapshot

REVIEW_AFTER = timedelta(days=365)  # a new chapter's first review is due a year on

STARTER = """# The manual's settings. Every key is optional: delete what you do not need.
# docs/authors.md explains each one.

[manual]
title = "{title}"
# A short name for sentences: "will go live on the DSCP website".
short_name = "{short_name}"
# The public website's address: the newsletter links to each chapter from it.
# site_url = "https://procedures.example.org"
timezone = "Europe/London"
# The contents list sections in this order; a section not named here follows the others.
sections = []

[releases]
# When changes go live: an RFC 5545 rule. This one is the second Wednesday of every month.
# A commit with a "Go-Live: YYYY-MM-DD" or "Go-Live: immediate" trailer goes live then instead.
schedule = "DTSTART:{start}\\nRRULE:FREQ=MONTHLY;BYDAY=2WE"
# A change must be committed at least this many days before a scheduled release to be in it;
# a later one waits for the next release.
cutoff_days = 7
# A release that falls on a bank holiday moves to the next working day.
bank_holidays = "GB-ENG"
"""

CHAPTER = """---
id: {ident}
title: {title_yaml}
type: {type}
{section}review_due: {review_due}
---

# {title}

## Introduction

Write what this {type} is for and who it applies to.
"""


def init_manual(work_tree: Path, folder: str, title: str, short_name: str, today: date) -> Path:
    """Write a starter ``manual.toml`` (refusing to overwrite one), and return its path."""
    target = work_tree / folder / CONFIG_FILE if folder else work_tree / CONFIG_FILE
    if target.exists():
        raise InputError(f"{target} already exists; edit it rather than starting again.")
    text = STARTER.format(
        title=_toml(title), short_name=_toml(short_name), start=f"{today.year}0101"
    )
    parse_config(text)  # what we write must be what the tracker reads
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def new_document(
    work_tree: Path,
    folder: str,
    snapshot: Snapshot | None,
    ident: str,
    title: str,
    section: str | None,
    kind: str,
    today: date,
) -> Path:
    """Write a new chapter (or guidance) with valid front matter, where its section's live."""
    if not ID_PATTERN.fullmatch(ident):
        raise InputError(
            f"The id {ident!r} must be words of letters, digits, '.', '_' or '-', joined by '/'."
        )
    if kind not in TYPES:
        raise InputError(f"The type {kind!r} is not one of {', '.join(TYPES)}.")
    if snapshot is not None and any(ident in d.aliases for d in snapshot.documents):
        raise InputError(f"The id {ident!r} is already used by a document of the manual.")
    relative = PurePosixPath(section_folder(snapshot, section)) / f"{ident.split('/')[-1]}.md"
    root = work_tree / folder if folder else work_tree
    target = root / relative
    if target.exists():
        raise InputError(f"{target} already exists.")
    text = CHAPTER.format(
        ident=ident,
        title=title,
        title_yaml=_yaml(title),
        type=kind,
        section=f"section: {_yaml(section)}\n" if section else "",
        review_due=(today + REVIEW_AFTER).isoformat(),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def section_folder(snapshot: Snapshot | None, section: str | None) -> str:
    """Where a section's documents live: the folder most of them are in, else one named for it."""
    if not section:
        return ""
    if snapshot is not None:
        folders = Counter(
            str(PurePosixPath(d.latest.path).parent)
            for d in snapshot.documents
            if d.latest.meta.section == section and not d.latest.deleted
        )
        if folders:
            folder = folders.most_common(1)[0][0]
            return "" if folder == "." else folder
    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


def _toml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _yaml(text: str) -> str:
    """A value safe on one line of YAML: quoted when it holds anything YAML would read."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ,.'()/&-]*", text) and ": " not in text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
