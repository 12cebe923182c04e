"""Parsing what git prints: ``git log --raw -z`` records. Pure functions, no processes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import IO

# Modes of entries that are not files: symbolic links and submodules.
NOT_FILES = frozenset({"120000", "160000"})
# The latest commit time read as given: git takes any (a clock, or GIT_COMMITTER_DATE from a
# script, far wrong), and one past the year 9999 stopped every command and page, since no
# date holds it (exploratory testing of dates). A later one is read as 1 January 9999 (any
# zone's day then, and a year of schedule after it, are dates), and check says it is wrong.
LATEST = 253370764800


@dataclass(frozen=True)
class Change:
    """One file a commit changed, compared with its first parent (a ``--raw`` line)."""

    status: str  # A, M, D, R, C or T
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None
    old_mode: str = "100644"
    new_mode: str = "100644"


@dataclass(frozen=True)
class RawCommit:
    """A commit as the log printed it."""

    sha: str
    parents: tuple[str, ...]
    timestamp: int
    author: str
    subject: str
    trailers: tuple[tuple[str, str], ...]
    changes: tuple[Change, ...]
    # The tracker's trailers written where git does not read them (outside the message's
    # last paragraph, or in one git does not take as trailers): key as written, value.
    unread: tuple[tuple[str, str], ...] = ()
    # A squash merge's commits, as git's "Squashed commit of the following:" message lists
    # them (oldest first): each with its own subject and trailers, no parents and no changes.
    squashed: tuple[RawCommit, ...] = ()
    # When its author made it (``%at``), which a copy keeps (cherry-pick, rebase); 0: unknown.
    authored: int = 0


def first_parent_line(commits: Mapping[str, RawCommit], head: str) -> list[str]:
    """The first-parent line from ``head`` through these commits, oldest first."""
    line, sha = [], head
    while sha in commits:
        line.append(sha)
        parents = commits[sha].parents
        sha = parents[0] if parents else ""
    return line[::-1]


def nul_tokens(stream: IO[bytes], progress: Callable[[], None] | None = None) -> Iterator[str]:
    """NUL-separated tokens of a stream as text, read in chunks of whatever has arrived (up to
    64 KB); ``progress`` is told of each chunk.

    A path or message that is not UTF-8 is shown with a replacement character; it is never
    passed back to git (contents are read by object id). The complete tokens of a chunk are
    decoded at once: NUL is never part of a UTF-8 sequence, so that is decoding each alone.
    """
    pending = b""
    read = getattr(stream, "read1", stream.read)  # read() would wait for a whole 64 KB
    while chunk := read(1 << 16):
        if progress is not None:
            progress()
        pending += chunk
        cut = pending.rfind(b"\0")
        if cut >= 0:
            yield from pending[:cut].decode("utf-8", errors="replace").split("\0")
            pending = pending[cut + 1 :]
    if pending:
        yield pending.decode("utf-8", errors="replace")


def parse_log(tokens: Iterator[str]) -> Iterator[RawCommit]:
    token = next(tokens, None)
    while token is not None:
        token = token.lstrip("\n")
        if not token.startswith("\x1e"):
            token = next(tokens, None)
            continue
        sha = token[1:]
        parents, stamp, authored, author, subject, trailers, body = (next(tokens) for _ in range(7))
        changes: list[Change] = []
        token = next(tokens, None)
        while token is not None and not token.lstrip("\n").startswith("\x1e"):
            meta = token.lstrip("\n")
            if meta.startswith(":"):
                changes.append(_change(meta, tokens))
            token = next(tokens, None)
        read = _trailers(trailers)
        squashed: tuple[RawCommit, ...] = ()
        if lists_squashed(subject, body):  # (the squashed commits' messages read as theirs)
            blocks, body = split_squash(body)
            squashed = tuple(_listed(block, _stamp(stamp), author) for block in blocks)
        yield RawCommit(
            sha=sha,
            parents=tuple(parents.split()),
            timestamp=_stamp(stamp),
            author=author,
            subject=subject,
            trailers=read + _loose(body, read),
            changes=tuple(changes),
            unread=_unread(body, read) if "-" in body or not body.isascii() else (),
            squashed=squashed,
            authored=_stamp(authored) % LATEST,  # (clamped past LATEST: unknown, as 0)
        )


def _stamp(text: str) -> int:
    """A commit's time as git gives it (``%ct``), kept to what a date can hold: a time before
    1970 (which git gives as nothing) is read as 1970's first second, one past ``LATEST`` as
    that."""
    return min(int(text), LATEST) if text.isdigit() and text.isascii() else 0


def _change(meta: str, tokens: Iterator[str]) -> Change:
    old_mode, new_mode, old_blob, new_blob, status = meta[1:].split(" ")
    kind = status[0]
    first = next(tokens)
    second = next(tokens) if kind in "RC" else None
    old_path = None if kind in "AC" else first
    new_path = second if kind in "RC" else (None if kind == "D" else first)
    return Change(
        status=kind,
        old_path=old_path,
        new_path=new_path,
        old_blob=None if _is_zero(old_blob) else old_blob,
        new_blob=None if _is_zero(new_blob) else new_blob,
        old_mode=old_mode,
        new_mode=new_mode,
    )


def _is_zero(object_id: str) -> bool:
    return not object_id.strip("0")


def _loose(body: str, read: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Trailer-like lines of the message's last paragraph that git skipped (keys as ``_key``),
    so that a misspelt trailer can be reported rather than silently ignored: keys of several
    words ("Go-live date:"), and, where git read none of the paragraph (a sign-off under it,
    "Thanks, Jo"), keys of one word but the tracker's own (``_unread`` says those: taken as
    trailers here, git's unread Go-Live would date the version)."""
    paragraphs = body.strip().split("\n\n")
    found = []
    for line in message_lines(paragraphs[-1]) if paragraphs[0] else ():
        match = _LOOSE.match(line.strip())
        single = None if match or read else _KEYLIKE.fullmatch(line.strip())
        if match:
            found.append((_key(match.group(1)), match.group(2).strip()))
        elif single and single.group(1).translate(HYPHENS).lower() not in _OWN:
            found.append((_key(single.group(1)), single.group(2).strip()))
    return tuple(found)


# Dashes a word processor writes for a hyphen (AutoFormat's en dash, a non-breaking hyphen, a
# minus...): a key written with one is no trailer to git, so its date or note is lost.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
HYPHENS = str.maketrans(DASHES, "-" * len(DASHES))
# Spaces a word processor or mail program writes that git takes for no space: a line starting
# with one ("\u00a0Go-Live: ...", pasted from Outlook) is no trailer to git.
ODD_SPACES = "\u00a0\u2007\u202f"
# A line of the message's body that starts as one of the tracker's trailers does, its hyphen
# perhaps such a dash (its value taken whole and stripped after: a lazy match before trailing
# spaces is quadratic in them).
_OURS = re.compile(
    rf"^([ \t{ODD_SPACES}]*)(go[-{DASHES}]live|change[-{DASHES}]note|change[-{DASHES}]type)"
    r"[ \t]*:(.*)$",
    re.I | re.M,
)
_OWN = ("go-live", "change-note", "change-type")  # (the tracker's own keys)
_KEYLIKE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)")
# "Go-live date: 2024-12-11": a line git does not read as a trailer (its key has a space; its
# hyphen may be a word processor's dash, "Go\u2013live date:").
_LOOSE = re.compile(
    rf"^([A-Za-z][A-Za-z{DASHES}-]*(?: [A-Za-z][A-Za-z{DASHES}-]*){{1,3}})\s*:\s*(.*)$"
)
_BLANK = re.compile(r"\n[ \t\r]*\n")
_DASHED = re.compile(
    rf"(?:go[{DASHES}]live|change[{DASHES}]note|change[{DASHES}]type)[ \t]*:", re.I
)


def _unread(body: str, read: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The tracker's trailers in the body that git did not read as trailers: in a paragraph
    before the last ("Go-Live: ..." above the Change-Note, a blank line between), or in a last
    paragraph that also holds text. (A folded Change-Note reads as its first line's start.)
    One under the subject with no blank line between is part of the subject to git
    (``trailers.unread_trailers`` looks there). An indented one is never read: git takes an
    indented line for the one above it going on (a folded Change-Note), or for no trailer."""
    found = []
    if read:  # git read the last paragraph as trailers (every key of ours in it): look above,
        # and at its indented lines (a Go-Live indented under a Change-Note is part of the note)
        blanks = list(_BLANK.finditer(body.rstrip()))
        cut = blanks[-1].start() if blanks else 0
        folded = [  # (and a key whose hyphen is a dash: no trailer, beside git's own)
            line
            for line in message_lines(body[cut:])
            if line[:1] in (" ", "\t", *ODD_SPACES) or (not line.isascii() and _DASHED.match(line))
        ]
        body = "\n".join([body[:cut], *folded])
    for lead, key, value in _OURS.findall(body):
        value = value.strip(" \t\r")  # (the key as written, after a space git takes for none)
        if not any(known == key.lower() and said.startswith(value) for known, said in read):
            found.append((lead.lstrip(" \t")[:1] + key, value))
    return tuple(found)


def message_lines(text: str) -> list[str]:
    """A message's lines as git reads them: cut at line feeds only (``splitlines`` cuts at a
    vertical tab too, Word's line break pasted into a note, and at U+2028, a form feed...,
    which git keeps in the line: the note was cut short there)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _trailers(block: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in message_lines(block):
        key, sep, value = line.partition(":")
        if sep and key.strip():
            pairs.append((_key(key.strip()), " ".join(value.split())))  # (spaces folded)
    return tuple(pairs)


def _key(written: str) -> str:
    """A trailer's key as kept: one of the tracker's lower-cased (``Go-live`` is ``go-live``),
    any other as written, so that a misspelt one is quoted as its author wrote it."""
    lowered = written.lower()
    return lowered if lowered in _OWN else written


SQUASHED = "Squashed commit of the following:"  # (the subject of ``git merge --squash``)
_SQUASHED_COMMIT = re.compile(r"^commit ([0-9a-f]{7,64})[ \t]*$")
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*[ \t]*:")
_GIT_MADE = ("Signed-off-by: ", "(cherry picked from commit ")


def lists_squashed(subject: str, body: str) -> bool:
    """Whether a message is git's squash message: its subject, or its first line under a
    subject the author wrote above it (a commit that quotes ``git log`` is no squash)."""
    return subject == SQUASHED or f"\n{SQUASHED}\n" in f"\n{body}\n"


# id, message, parents, when its author made it, its author ("": not said)
Squashed = tuple[str, str, tuple[str, ...], int | None, str]


def split_squash(body: str) -> tuple[list[Squashed], str]:
    """The commits a squash merge's message lists, oldest first, each as (commit id, its message
    unindented), and the rest of the body (what the author wrote besides).

    Git lists them newest first, each as "commit <id>", a few header lines (Author:, Date:),
    a blank line and the commit's message indented by four spaces; an unindented line after
    it is the author's own again.
    """
    blocks: list[Squashed] = []
    rest: list[str] = []
    lines = body.split("\n")
    at = 0
    while at < len(lines):
        start = _SQUASHED_COMMIT.match(lines[at])
        at += 1
        if start is None:
            rest.append(lines[at - 1])
            continue
        parents: tuple[str, ...] = ()  # (a merge's, from its "Merge:" line: else unknown)
        when: int | None = None  # (from its "Date:" line, as git writes it)
        author = ""  # (from its "Author: Name <address>" line)
        while at < len(lines) and lines[at].strip() and not lines[at][:1].isspace():
            if lines[at].startswith("Merge: "):
                parents = tuple(lines[at][len("Merge: ") :].split())
            elif lines[at].startswith("Date: "):
                when = _when(lines[at][len("Date: ") :])
            elif lines[at].startswith("Author: "):
                author = lines[at][len("Author: ") :].rpartition(" <")[0].strip()
            at += 1  # (the header: Author:, Date:, Merge:)
        message = []
        while at < len(lines) and (lines[at][:4] == "    " or not lines[at].strip()):
            message.append(lines[at][4:])
            at += 1
        blocks.append((start.group(1), "\n".join(message).strip(), parents, when, author))
    return blocks[::-1], "\n".join(rest)


def _listed(block: Squashed, stamp: int, merger: str) -> RawCommit:
    """One commit a squash merge lists: dated as the listing dates it (when its author made
    it), else as the squash merge; its author as the listing names it, else the merge's."""
    sha, text, parents, when, author = block
    if when is None:
        return _message(sha, stamp, merger, text, parents)
    made = max(0, min(when, LATEST))
    listed = _message(sha, made, author or merger, text, parents)
    return replace(listed, authored=made % LATEST) if author else listed  # (clamped: unknown)


def _when(text: str) -> int | None:
    """A time as git's default log format writes it ("Fri Feb 2 10:00:00 2024 +0000")."""
    from datetime import datetime  # (only for squash merges' messages)

    try:
        return int(datetime.strptime(text.strip(), "%a %b %d %H:%M:%S %Y %z").timestamp())
    except ValueError:
        return None


def message_trailers(message: str) -> tuple[tuple[str, str], ...]:
    """The trailers git reads in a whole message (keys as ``_key``, folded lines unfolded): its
    last paragraph, when every line of it is a trailer or goes on from one, or when a quarter
    of it is and a line is one git makes ("Signed-off-by: ")."""
    paragraphs = _BLANK.split(message.strip())
    lines = message_lines(paragraphs[-1]) if len(paragraphs) > 1 else []
    trailers: list[list[str]] = []  # (each trailer's lines: joined once, not grown line by line)
    others = 0
    going_on = False  # (whether an indented line goes on from a trailer)
    for line in lines:
        if going_on and line[:1] in (" ", "\t"):
            trailers[-1].append(line.strip())
        elif _TOKEN.match(line):
            trailers.append([line])
            going_on = True
        else:
            others += 1
            going_on = False
    made = any(line.startswith(_GIT_MADE) for line in lines)
    if not trailers or (others and not (made and 3 * len(trailers) >= others)):
        return ()
    return _trailers("\n".join(" ".join(parts) for parts in trailers))


def _message(
    sha: str, stamp: int, author: str, message: str, parents: tuple[str, ...] = ()
) -> RawCommit:
    """One squashed commit, read from its message alone (dated as the listing dates it, else
    by the squash merge; a merge with its parents as the listing abbreviates them)."""
    subject, _, body = message.partition("\n\n")
    read = message_trailers(message)
    return RawCommit(
        sha=sha,
        parents=parents,
        timestamp=stamp,
        author=author,
        subject=" ".join(subject.split()),
        trailers=read + _loose(body, read),
        changes=(),
        unread=_unread(body, read) if "-" in body or not body.isascii() else (),
    )
