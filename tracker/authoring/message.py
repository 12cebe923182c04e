"""``tracker commit-msg``: the trailers of a commit message, checked before the commit is made.

Git's own trailer parser ignores a line it cannot read as a trailer ("Go-live date: ..."), so
this reads the message's last paragraph itself: every "Key: value" line there is looked at.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import date, timedelta

from tracker.errors import InputError
from tracker.history.golive import is_valid_go_live
from tracker.history.trailers import (
    DASHES,
    FAR_DAYS,
    HYPHENS,
    ODD_SPACES,
    SLIPPED,
    lists_squashed,
    meant_trailer,
    message_lines,
    not_a_go_live,
    split_squash,
)

MESSAGE_BYTES = 1 << 20  # the most of a message read: git's are far shorter
KEYS = {"go-live": "Go-Live", "change-note": "Change-Note", "change-type": "Change-Type"}
# One of the tracker's trailers after a break that is no line feed: git keeps it in the value.
_HIDDEN_TRAILER = re.compile(
    r"[\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*(go-live|change-note|change-type)\s*:", re.I
)
CHANGE_TYPES = ("minor", "major")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9 _-]*")
# A key with dashes in it, of up to four words ("Go\u2013live date:", as check reads it too).
_DASHED = re.compile(
    rf"([A-Za-z][A-Za-z0-9_{DASHES}-]*(?: [A-Za-z][A-Za-z0-9_{DASHES}-]*){{0,3}})[ \t]*:"
)


def read_message(path: str) -> str:
    """The commit message in the file git gives the hook (a file: a device or a pipe would be
    read for ever); a file that cannot be read is said in one sentence."""
    try:
        if not path:
            raise InputError("Give the message file's path (git gives it to its hook).")
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(handle, "rb") as message:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise InputError(f"The message file {path!r} is not a file.")
            return message.read(MESSAGE_BYTES).decode("utf-8", errors="replace")
    except OSError as error:
        raise InputError(f"Cannot read the message file {path!r} ({error.strerror}).") from None


def check_message(message: str, today: date | None = None, own: bool = True) -> list[str]:
    """What is wrong with a commit message's trailers, one sentence each (none: all is well;
    ``today``: the day a Go-Live is measured from, else the machine's).

    A squash merge's message as git writes it lists each commit's message, indented: each is
    checked as a message of its own (the tracker reads them so, whatever the subject), and the
    rest as this one. (``own``: False for such a commit's message, whose Go-Live may have
    passed since it was written: it goes live with the merge, as authors.md says.)"""
    problems: list[str] = []
    subject, _, body = "\n".join(_kept(message)).strip().partition("\n")
    if lists_squashed(subject.strip(), body):
        blocks, rest = split_squash(body)
        for sha, text, *_ in reversed(blocks):  # (as the message lists them: newest first)
            said = check_message(text, today, own=False)
            problems += [f"(squashed commit {sha[:10]}) {line}" for line in said]
        message = f"{subject}\n{rest}"
    problems += _dashed(message) + _unread_block(message) + _above_the_block(message)
    for line in _kept(message):  # (anywhere: after another trailer, in a note's next line...)
        for hidden in _HIDDEN_TRAILER.finditer(line):
            problems.append(
                f"'{KEYS[hidden.group(1).lower()]}:' follows a line break git does not end a "
                "line at (a vertical tab, as Word writes, a lone carriage return or U+2028), so "
                "git reads it as part of the line before; put it on a line of its own."
            )
    dates = [value for key, value in _trailer_lines(message) if key.lower() == "go-live"]
    if len(set(dates)) > 1:
        problems.append(f"'Go-Live:' is given {len(dates)} times ({', '.join(dates)}); give one.")
    for key, value in _trailer_lines(message):
        lowered = key.lower()
        name = KEYS.get(lowered)
        if name is None:
            meant = meant_trailer(lowered)
            if meant:
                problems.append(
                    f"'{key}:' is not a trailer the tracker reads; did you mean '{meant}:'?"
                )
        elif name == "Go-Live" and not is_valid_go_live(value):
            problems.append(f"'Go-Live: {value}' {not_a_go_live(value)}.")
        elif name == "Go-Live" and _far(value, today or date.today()):
            problems.append(
                f"'Go-Live: {value}' is more than a year away: is the year right? (Every later "
                "change to the document would wait for it; commit with --no-verify if it is.)"
            )
        elif name == "Go-Live" and own and _passed(value, today or date.today()):
            problems.append(
                f"'Go-Live: {value}' has passed: the change would go live when committed, not "
                "then; is the date right? (Commit with --no-verify if it is meant.)"
            )
        elif name == "Change-Note" and not value:
            problems.append("'Change-Note:' is empty; write one sentence for practitioners.")

        elif name == "Change-Type" and value.lower() not in CHANGE_TYPES:
            problems.append(f"'Change-Type: {value}' should be 'minor' (or 'major').")
    return problems


def _dashed(message: str) -> list[str]:
    """Keys of the tracker's trailers written with a word processor's dash for the hyphen
    ('Go\u2013Live:', pasted from Word or Outlook): no trailer to git, so the date or note was
    lost without a word (and the trailers beside it too, unless git wrote one of them)."""
    return [said for line in _kept(message)[1:] if (said := _dashed_key(line))]


def _dashed_key(line: str) -> str | None:
    """What is wrong with a line whose key is one of ours written with such a dash."""
    key = _DASHED.match(line)
    if key is None or not any(c in DASHES for c in key.group(1)):
        return None
    plain = key.group(1).translate(HYPHENS)
    name = KEYS.get(plain.lower()) or meant_trailer(plain.lower())
    if not name:
        return None
    dash = next(c for c in key.group(1) if c in DASHES)
    return (
        f"'{key.group(1)}:' has '{dash}' (U+{ord(dash):04X}, as a word processor writes a "
        f"hyphen), so git reads no trailer there (and may read none beside it): type '{name}:'."
    )


def _far(value: str, today: date) -> bool:
    """Whether a valid Go-Live is further from today than a year (a typo in the year)."""
    text = value.strip()
    return text.lower() != "immediate" and (date.fromisoformat(text) - today).days > FAR_DAYS


def _passed(value: str, today: date) -> bool:
    """Whether a valid Go-Live is before yesterday (``tracker check`` says ``back-dated``, once
    the commit is made: a typo in the year, most often). A day is given: today is the
    machine's, which may be a day ahead of the manual's time zone, where commits are dated."""
    text = value.strip()
    return text.lower() != "immediate" and date.fromisoformat(text) < today - timedelta(days=1)


_GIT_MADE = ("Signed-off-by: ", "(cherry picked from commit ")
SCISSORS = "------------------------ >8 ------------------------"  # git commit -v


def _unread_block(message: str) -> list[str]:
    """Git reads the last paragraph as trailers only when every line is one (or continues one,
    indented): a wrapped Change-Note that is not indented hides all the trailers from git."""
    lines = _last_paragraph(message)
    keys = [pair[0].lower() for line in lines if (pair := _pair(line))]
    ours = any(key in KEYS for key in keys)
    generated = [line for line in lines if line.startswith(_GIT_MADE)]
    if generated and 4 * (len(keys) + len(generated)) >= len(lines):
        return []  # (git reads a paragraph with a trailer of its own making that is a quarter
        # trailers: "Signed-off-by:", "(cherry picked from commit ...)")
    for line in lines:
        if ours and not _pair(line) and not line[:1].isspace() and not _dashed_key(line):
            return [
                f"git will not read the trailers, because {line.strip()!r} is not one: "
                "indent a line that continues a Change-Note with a space."
            ]
    return []


def _above_the_block(message: str) -> list[str]:
    """The tracker's trailers written where git never reads trailers: under the subject with
    no blank line between (git makes them part of the subject), or in a paragraph above the
    last ("Go-Live: ..." above the Change-Note, with a blank line between)."""
    first, *rest = _paragraphs(message) or [""]
    subject = message_lines(first)[1:]  # (the subject's own first line is not a trailer)
    found = []
    slipped = SLIPPED.search(message_lines(first)[0]) if first.strip() else None
    if slipped and not first.startswith("Revert"):  # ("Go-Live: 2024-03-13" as the subject)
        found.append(
            f"git will not read 'Go-Live: {slipped.group(1)}' in the subject as a trailer: put "
            "it, with the other trailers, in one paragraph at the end."
        )
    keyed = _pair(message_lines(first)[0].strip()) if first.strip() else None
    if keyed and KEYS.get(keyed[0].lower()) in ("Change-Note", "Change-Type"):
        written = f"{keyed[0]}: {keyed[1]}".strip()  # (git commit -m "Change-Type: minor")
        found.append(
            f"git will not read '{written}' in the subject as a trailer, so the newsletter "
            "would show it as the change's note: write a subject for the change, a blank line, "
            "then the trailers."
        )
    last = [line for line in (message_lines(rest[-1]) if rest else []) if line[:1].isspace()]
    for line in subject + [line for part in rest[:-1] for line in message_lines(part)] + last:
        pair = _pair(line.strip())
        if pair and pair[0].lower() in KEYS:
            name = KEYS[pair[0].lower()]
            why = (
                "it is part of the subject: leave a blank line under the subject, and"
                if line in subject
                else f"it starts with a space git takes for none (U+{ord(line[0]):04X}, as a "
                "word processor or mail program writes one): start the line with the key, and"
                if line[:1] in ODD_SPACES
                else "it is indented (git reads no trailer from an indented line):"
                if line[:1].isspace()
                else "it is not in the message's last paragraph:"
            )
            found.append(
                f"git will not read '{line.strip()}' as a trailer, because {why} put {name} "
                "with the other trailers, in one paragraph at the end."
            )
    return found


def _trailer_lines(message: str) -> list[tuple[str, str]]:
    """The "Key: value" lines of the message's last paragraph."""
    found = []
    for line in _last_paragraph(message):
        pair = None if line[:1].isspace() else _pair(line)  # (indented: not a trailer)
        if pair:
            found.append((pair[0], pair[1].strip()))
    return found


def _pair(line: str) -> tuple[str, str] | None:
    """A "Key: value" line's key (letters, digits, spaces, '_' and '-', from a letter, the
    white space before its colon left out) and value, else None. Read in linear time: the
    pattern it replaces, lazy before white space, took 8 s on a line of 40,000 spaces."""
    key, colon, value = line.partition(":")
    key = key.rstrip()
    if not colon or _KEY.fullmatch(key) is None:
        return None
    return key, value.lstrip()


def _last_paragraph(message: str) -> list[str]:
    """The lines of the message's last paragraph as git keeps it (none for a subject alone)."""
    paragraphs = _paragraphs(message)
    return message_lines(paragraphs[-1]) if len(paragraphs) > 1 else []


def _paragraphs(message: str) -> list[str]:
    """The message's paragraphs as git keeps them, the subject's first."""
    text = "\n".join(_kept(message)).strip()
    return [part for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def _kept(message: str) -> list[str]:
    """The message's lines as git keeps them: comments and everything below the scissors
    line of ``git commit -v`` left out."""
    kept = []
    for line in message_lines(message):
        if line.lstrip("#;").strip() == SCISSORS:
            break
        kept.append(line)
    return [line for line in kept if not line.startswith(("#", ";"))]
