"""Starting points for authors: a manual's settings (``tracker init``) and a new chapter
(``tracker new``), written into the working tree for the author to edit and commit."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Protocol

from tracker import dates
from tracker.authoring.sections import established, spelling
from tracker.config import CONFIG_FILE, Config, parse_config, settings_text
from tracker.errors import InputError, RepositoryError
from tracker.history.documents import TYPES, parse_document, path_id
from tracker.history.ids import ID_PATTERN, id_problem
from tracker.history.model import SETTINGS_INVALID, Document
from tracker.history.snapshot import Snapshot, page_addresses, page_of
from tracker.logs import Logger

log = Logger(__name__)


class Manual(Protocol):
    """The manual as committed (``tracker.manual.Manual``)."""

    def despite_broken_settings(self) -> Snapshot:
        """The manual at the branch's head, read with the last readable settings if need be."""


STARTER = """# The manual's settings. Every key is optional: delete what you do not need.
# The tracker's guide for authors (docs/authors.md in the tracker's own source, not in this
# repository) explains each one.

[manual]
title = "{title}"
# A short name for sentences: "will go live on the {said} website".
short_name = "{short_name}"
# The public website's address: the newsletter links to each chapter from it.
# site_url = "https://procedures.example.org"
# Every date (a commit's day, a release's) is a calendar date in this zone (the default).
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
# Changes committed before this file was: "schedule" dates them by the rules above (a
# history kept before the tracker was taken up); "committed", on the day each was committed
# (a manual published before without a schedule, whose past releases must not move).
# Unsaid, the rules above date them, and tracker check warns where that moved one.
# earlier_changes = "schedule"
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
    for option, given in (("--title", title), ("--short-name", short_name)):
        if any("\ud800" <= c <= "\udfff" for c in given):  # (bytes the terminal gave, not text)
            raise InputError(f"{option} is not UTF-8 text; type it again.")
    # (as the comment shows it: one line of what a TOML comment may hold; review)
    said = "".join(c for c in " ".join(short_name.split()) if c.isprintable())
    text = STARTER.format(title=_toml(title), short_name=_toml(short_name), said=said)
    parse_config(text)  # what we write must be what the tracker reads
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def new_document(
    work_tree: Path,
    folder: str,
    manual: Manual,
    ident: str,
    title: str,
    section: str | None,
    kind: str,
    fixed_today: date | None,
) -> Path:
    """Write a new chapter (or guidance) with valid front matter, where its section's live,
    under a name the manual reads."""
    _check_request(ident, title, section, kind)
    section = section.strip() if section else None
    root = work_tree / folder if folder else work_tree
    config, snapshot = _work_tree_settings(root, manual)
    committed = snapshot.documents if snapshot is not None else ()
    if holder := next((d for d in committed if ident in d.aliases), None):
        raise InputError(f"The id {ident!r} is already used: {_whose(holder, ident)}.")
    written = _written(root, config)
    if mine := next((w.path for w in written if w.id == ident), None):
        raise InputError(f"The id {ident!r} is already used by {mine}, not yet committed.")
    present = [Present(d.id, d.latest.path, d.latest.meta.section) for d in committed
               if not d.latest.deleted] + written  # fmt: skip
    if clash := _address_clash(ident, {d.id for d in committed}, present):
        raise InputError(clash)
    # (one folder of a static copy, or one file of a checkout, where case is ignored: Windows,
    # a Mac; a deleted document's and a former id's pages are in a static copy too)
    ids = [(alias, _whose(d, alias)) for d in committed for alias in d.aliases] + [
        (d.id, f"{d.path}, not yet committed") for d in written
    ]
    if other := next((i for i in ids if i[0].casefold() == ident.casefold()), None):
        raise InputError(
            f"The id {ident!r} differs only in case from {other[0]!r} ({other[1]}); give it "
            "another id."
        )
    live = [d.latest.meta.section for d in established(committed) if not d.latest.withdrawn]
    section = _spelt_as([*live, *(d.section for d in written)], section, config)
    folder_of_id = str(PurePosixPath(ident).parent) if "/" in ident else ""
    place = section_folder(present, section) if section else folder_of_id
    relative = _file_name(PurePosixPath(place), ident, config)
    target = root / relative
    due = a_year_on(dates.today(config.timezone, fixed_today))
    _write(target, _chapter(ident, title.strip(), section, kind, due))
    return target


def committed(manual: Manual) -> Snapshot | None:
    """The manual as committed, whose documents' ids a new one must not take: None before the
    first commit. While the committed settings cannot be read (an author mending them, with
    the new chapter, in the working tree), the branch's head read with the settings before
    they broke, as ``tracker check`` reads it, saying so."""
    try:
        snapshot = manual.despite_broken_settings()
    except RepositoryError:
        return None  # a repository without commits yet: the first chapter
    broken = next((p for p in snapshot.problems if p.rule == SETTINGS_INVALID), None)
    if broken is not None:
        log.warning(
            "The committed settings cannot be read (%s %s); the new document's id is checked "
            "against the manual read so.", CONFIG_FILE, broken.message,
        )  # fmt: skip
    return snapshot


class Present(NamedTuple):
    """A document in the manual now: committed (and not deleted), or written in the tree."""

    id: str
    path: str  # under the manual's root
    section: str | None


def _work_tree_settings(root: Path, manual: Manual) -> tuple[Config, Snapshot | None]:
    """The settings the new document will be read with: manual.toml as the working tree has
    it (to be committed with the document; before the first commit, the only one), else the
    committed one; and the manual as committed (``committed``)."""
    try:
        data = (root / CONFIG_FILE).read_bytes()
    except OSError:
        snapshot = committed(manual)
        return snapshot.config if snapshot is not None else Config(), snapshot
    config = parse_config(settings_text(data))  # (mistakes in it are said before the others')
    return config, committed(manual)


def _check_request(ident: str, title: str, section: str | None, kind: str) -> None:
    """Refuse an id, title, section or type that cannot be written as asked."""
    if not ID_PATTERN.fullmatch(ident):
        raise InputError(
            f"The id {ident!r} must be words of letters, digits, '.', '_' or '-', joined by '/'."
        )
    if (wrong := id_problem(ident)) is not None:  # (too long, or no file name a copy holds)
        raise InputError(f"The id cannot be used: its front matter's {wrong}.")
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


def _address_clash(ident: str, committed: set[str], present: list[Present]) -> str | None:
    """Why the website could not show the new document, or another because of it (the
    ``address-clash`` of ``tracker check``): ``a/history`` is the address of a's history.
    ``committed`` holds every committed id (a deleted document's too, as check asks);
    ``present`` adds those written in the working tree and not committed yet."""
    paths = {d.id: d.path for d in present}
    for parent, page in page_addresses(ident):
        if parent in committed or parent in paths:
            return (
                f"The id {ident!r} is the address of {page_of(parent, page)}, so the new "
                "document could not be shown there; choose another id."
            )
    for other, path in paths.items():
        for parent, page in page_addresses(other):
            if parent == ident:
                return (
                    f"The id {ident!r} cannot be used: {other!r}, the id of {path}, would be "
                    f"the address of {page_of(ident, page)}, so that document could not be "
                    "shown there."
                )
    return None


def _written(root: Path, config: Config) -> list[Present]:
    """The document files in the working tree, with their ids (their front matter's, else
    their paths') and sections: one written and not committed yet takes its id and address
    as a committed one does. The tree is read once, for every check."""
    found: list[Present] = []
    for folder, folders, files in os.walk(root):  # (nothing, when the folder is not made yet)
        folders[:] = sorted(name for name in folders if not name.startswith("."))  # (.git)
        for name in sorted(files):
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if not config.is_document(relative):
                continue
            with contextlib.suppress(OSError):
                meta = parse_document(path.read_bytes())
                found.append(Present(meta.id or path_id(relative), relative, meta.section))
    return found


def _whose(document: Document, ident: str) -> str:
    """Whose an id is, in words: a document's (its file), a former id of one, or a deleted
    one's (whose pages a static copy keeps)."""
    if document.latest.deleted:
        return f"the id of a deleted document, {document.latest.path}"
    if ident != document.id:
        return f"a former id of {document.id!r} ({document.latest.path}), which it still answers to"
    return f"the id of {document.latest.path}"


def _spelt_as(sections: list[str | None], section: str | None, config: Config) -> str | None:
    """A section as the manual spells it, where it is typed otherwise only in case or spaces
    ('referral and assessment'), as ``tracker check`` keeps it (``sections.spelling``): the
    contents would list it apart."""
    if not section:
        return section
    return spelling(section, config.sections, [name for name in sections if name])


def section_folder(present: list[Present], section: str | None) -> str:
    """Where a section's documents live: the folder most of them are in, else one named for it."""
    if not section:
        return ""
    by_path = {d.path: d.section for d in present}  # (a file both committed and in the tree)
    folders = Counter(str(PurePosixPath(path).parent) for path, where in by_path.items()
                      if where == section)  # fmt: skip
    if folders:
        folder = folders.most_common(1)[0][0]
        return "" if folder == "." else folder
    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


def _file_name(place: PurePosixPath, ident: str, config: Config) -> PurePosixPath:
    """The new document's path under the root: its name ``.md``, else with the ending of a
    documents pattern ``*<ending>``, whichever the manual reads (asked of the function the
    reader asks, so that the two cannot disagree)."""
    stem, pattern = ident.rsplit("/", 1)[-1], config.documents
    suffixes = [".md"]
    if pattern.startswith("*") and not any(char in pattern[1:] for char in "*?["):
        suffixes.append(pattern[1:])
    names = [place / f"{stem}{suffix}" for suffix in suffixes]
    for relative in names:
        if config.is_document(relative.as_posix()):
            suffix = relative.name[len(stem) :]
            if suffix and ident.lower().endswith(suffix.lower()):  # (x.markdown.markdown)
                raise InputError(
                    f"The id {ident!r} ends in {suffix}: give the id without it "
                    f"({ident[: -len(suffix)]!r}), which names the file."
                )
            return relative
    raise InputError(_not_read(names, stem, config))


def _not_read(names: list[PurePosixPath], stem: str, config: Config) -> str:
    """Why the manual would never read the new document under any of the names, and what to
    do: an exclude pattern takes one out, or the documents pattern takes none."""
    unexcluded = replace(config, exclude=())
    if taken := next((n for n in names if unexcluded.is_document(n.as_posix())), None):
        pattern = next(
            p for p in config.exclude if not replace(config, exclude=(p,)).is_document(str(taken))
        )
        return (
            f"The manual leaves out files named like {pattern!r} (the exclude setting), so "
            f"it would never read {taken.name}: choose another id, or change exclude."
        )
    return (
        f"The manual reads only files named like {config.documents!r} (the documents "
        f"setting), and tracker new cannot make such a name of {stem!r}: write the file "
        "yourself under a name the pattern takes, or change documents."
    )


def _chapter(ident: str, title: str, section: str | None, kind: str, due: date) -> str:
    """The new document's text, checked to read back as given."""
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
        ident, title, section, due,
    ):  # fmt: skip
        raise InputError(f"The title {title!r} or section cannot be written as front matter.")
    return text


def _write(target: Path, text: str) -> None:
    """Write the new file (never over another), or say in one sentence why it cannot be."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:  # a read-only folder, a file where a folder must be, a full disk
        raise InputError(_not_written(target, error)) from None


def _not_written(target: Path, error: OSError) -> str:
    """Why the new file could not be written."""
    if isinstance(error, FileExistsError) and error.filename == str(target):
        return f"{target} already exists."
    in_the_way = error.errno in (errno.EEXIST, errno.ENOTDIR)  # (else a name may be too long
    parents = reversed(target.parents) if in_the_way else ()  # even to ask whether it is a file)
    if blocker := next((p for p in parents if p.is_file()), None):
        return (
            f"{target} cannot be written: {blocker} is a file, where a folder must be; choose "
            "another id or section."
        )
    return f"{target} cannot be written ({error.strerror or error}: {error.filename or target})."


def _toml(text: str) -> str:
    """A value for between a TOML string's double quotes: its backslashes, quotes and control
    characters escaped (an ESC in a title or short name made the file no TOML: review)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(
        c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in escaped
    )


def _yaml(text: str) -> str:
    """A value as a double-quoted YAML string (JSON's quoting is YAML's): never read as a
    number, a date or yes/no."""
    return json.dumps(text.strip(), ensure_ascii=False)


def a_year_on(day: date) -> date:
    """The same day a year later (29 February: the 28th), when a new chapter's first review is
    due (365 days on fell a day early after a 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
