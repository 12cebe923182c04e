"""Starting points for authors: a manual's settings (``tracker init``) and a new chapter
(``tracker new``), written into the working tree for the author to edit and commit."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path, PurePosixPath

from tracker.authoring.check import PAGES
from tracker.config import CONFIG_FILE, Config, parse_config
from tracker.errors import InputError
from tracker.history.documents import ID_PATTERN, TYPES, parse_document, path_id
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
# It starts in 2000 so that it covers the manual's whole history: a commit made before a
# schedule's start would have no release to wait for.
schedule = "DTSTART:20000101\\nRRULE:FREQ=MONTHLY;BYDAY=2WE"
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


def init_manual(work_tree: Path, folder: str, title: str, short_name: str) -> Path:
    """Write a starter ``manual.toml`` (refusing to overwrite one), and return its path."""
    target = work_tree / folder / CONFIG_FILE if folder else work_tree / CONFIG_FILE
    if target.exists():
        raise InputError(f"{target} already exists; edit it rather than starting again.")
    text = STARTER.format(title=_toml(title), short_name=_toml(short_name))
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
    if ident.lower().endswith(".md"):  # (it would be written as early-help.md.md)
        raise InputError(
            f"The id {ident!r} ends in .md: give the id without it ({ident[:-3]!r}), which "
            "names the file."
        )
    if kind not in TYPES:
        raise InputError(f"The type {kind!r} is not one of {', '.join(TYPES)}.")
    for what, value in (("title", title), ("section", section or "x")):
        if not value.strip() or any(not char.isprintable() for char in value):
            raise InputError(f"The {what} must be words on one line.")
    root = work_tree / folder if folder else work_tree
    if snapshot is not None and any(ident in d.aliases for d in snapshot.documents):
        raise InputError(f"The id {ident!r} is already used by a document of the manual.")
    if snapshot is not None and (clash := _address_clash(snapshot, ident)):
        raise InputError(clash)
    written = _written_with(root, ident, snapshot.config if snapshot else Config())
    if written is not None:  # (not committed yet: the snapshot cannot know of it)
        raise InputError(f"The id {ident!r} is already used by {written}, not yet committed.")
    folder_of_id = str(PurePosixPath(ident).parent) if "/" in ident else ""
    place = section_folder(snapshot, section) if section else folder_of_id
    relative = PurePosixPath(place) / f"{ident.split('/')[-1]}.md"
    target = root / relative
    if target.exists():
        raise InputError(f"{target} already exists.")
    due = today + REVIEW_AFTER
    text = CHAPTER.format(
        ident=_yaml(ident),
        title=title,
        title_yaml=_yaml(title),
        type=kind,
        section=f"section: {_yaml(section)}\n" if section else "",
        review_due=due.isoformat(),
    )
    meta = parse_document(text.encode("utf-8"))  # what we write must read back as given
    if meta.problems or (meta.id, meta.title, meta.section, meta.review_due) != (
        ident, title.strip(), section.strip() if section else None, due,
    ):  # fmt: skip
        raise InputError(f"The title {title!r} or section cannot be written as front matter.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _address_clash(snapshot: Snapshot, ident: str) -> str | None:
    """Why the website could not show the new document, or another because of it (the
    ``address-clash`` of ``tracker check``): ``a/history`` is the address of a's history."""
    parent, _, page = ident.rpartition("/")
    if page in PAGES and any(d.id == parent for d in snapshot.documents):
        return (
            f"The id {ident!r} is the address of the {page} page of {parent!r} on the website, "
            "so the new document could not be shown there; choose another id."
        )
    for d in snapshot.documents:
        parent, _, page = d.id.rpartition("/")
        if parent == ident and page in PAGES and not d.latest.deleted:
            return (
                f"The id {ident!r} cannot be used: the address of its {page} page, {d.id!r}, is "
                f"the id of {d.latest.path}, which could then not be shown on the website."
            )
    return None


def _written_with(root: Path, ident: str, config: Config) -> str | None:
    """A document file in the working tree that has the id (its front matter's, else its
    path's), if any: one written and not committed yet still takes its id."""
    if not root.is_dir():
        return None
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith("."))  # (.git)
        for name in sorted(files):
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if not config.is_document(relative):
                continue
            with contextlib.suppress(OSError):
                meta = parse_document(path.read_bytes())
                if (meta.id or path_id(relative)) == ident:
                    return relative
    return None


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
    """A value as a double-quoted YAML string (JSON's quoting is YAML's): never read as a
    number, a date or yes/no."""
    return json.dumps(text.strip(), ensure_ascii=False)
