"""``tracker --help`` without argparse: the commands' names and one-line help, and the top-level
help written out as argparse writes it.

Importing argparse (with ``re``, ``enum``, ``gettext``, ``textwrap`` and ``locale``) costs as
much as Python's own start-up, so the one run that needs nothing else, ``tracker --help``, is
answered from here; ``arguments.py`` builds its grammar from the same names and texts, and a
test compares this help with argparse's at every width it is used for. Narrower than that,
``help_text`` says None and argparse writes the help (its layout changes there).
"""

from __future__ import annotations

import contextlib
import os
import sys

DESCRIPTION = (
    "Track the versions, go-live dates and releases "
    "of a multi-agency procedures manual kept in git."
)

# Every command and its one-line help, in the order ``tracker --help`` lists them.
COMMANDS = (
    ("demo", "build the demo manual's repository"),
    ("releases", "list the releases"),
    ("check", "lint the manual"),
    ("commit-msg", "check the trailers of a commit message (a commit-msg hook)"),
    ("history", "one document's versions"),
    ("show", "print a document's Markdown"),
    ("diff", "what changed between two versions"),
    ("preview", "the next release, and what waits for a later one"),
    ("init", "write a starter manual.toml"),
    ("new", "write a new chapter to start from"),
    ("serve", "serve the web pages"),
    ("build", "write the website as static files"),
    ("newsletter", "a release's newsletter section"),
)

NARROWEST = 50  # columns: below this argparse writes the help (tested down to here)
# argparse's layout is the same in these versions (3.13 lines up the commands differently):
# under any other, argparse writes the help.
LAYOUT_OF = ((3, 11), (3, 12))


def columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` works it out (as argparse asks),
    without importing shutil (and with it bz2 and lzma)."""
    try:
        found = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        found = 0
    if found <= 0:
        try:
            found = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            found = 0
    return found or 80


def help_text(width: int | None = None) -> str | None:
    """The top-level help as argparse writes it for ``width`` columns (default: the terminal's),
    or None where this layout does not hold."""
    width = columns() if width is None else width
    if width < NARROWEST or sys.version_info[:2] not in LAYOUT_OF:
        return None
    text = width - 2  # argparse leaves two columns
    help_at = 2 + max(len(name) for name, _ in COMMANDS) + 2  # argparse's help position here
    lines = ["usage: tracker [-h] [--version] COMMAND ...", "", *_wrap(DESCRIPTION, text), ""]
    lines += ["positional arguments:", "  COMMAND"]
    for name, help in COMMANDS:
        wrapped = _wrap(help, text - help_at)
        if len(name) <= help_at - 6:
            lines.append(f"    {name:<{help_at - 6}}  {wrapped[0]}")
        else:
            lines += [f"    {name}", " " * help_at + wrapped[0]]
        lines += [" " * help_at + line for line in wrapped[1:]]
    lines += ["", "options:", f"  {'-h, --help':<{help_at - 4}}  show this help message and exit"]
    lines += [f"  {'--version':<{help_at - 4}}  {VERSION_HELP}"]
    return "\n".join(lines) + "\n"


VERSION_HELP = "show the version and exit"  # (short enough never to wrap, as -h's)
DISTRIBUTION = "procedures-tracker"


def version() -> str:
    """``tracker --version``'s line: the version installed (what an operator upgrading, or
    reporting a problem, needs to know)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return f"tracker {installed(DISTRIBUTION)}"
    except PackageNotFoundError:  # (run from a checkout that was never installed)
        return "tracker (not installed: run from its source)"


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap``'s lines for plain words: greedy, a hyphenated word may break after
    its hyphen (after two letters, before two), no word longer than a line."""
    chunks: list[str] = []
    for word in text.split(" "):
        start = 0
        for at in range(2, len(word) - 2):
            if word[at] == "-" and word[at - 2 : at].isalpha() and word[at + 1 : at + 3].isalpha():
                chunks.append(word[start : at + 1])
                start = at + 1
        chunks += [word[start:], " "]
    lines: list[str] = []
    line = ""
    for chunk in chunks[:-1]:
        if len(line) + len(chunk) > width:
            lines.append(line.rstrip(" "))
            line = "" if chunk == " " else chunk
        else:
            line += chunk
    return [*lines, line]


def print_help(text: str) -> int:
    """Write the help as argparse does: to stderr when there is no stdout, and nothing more
    said when it cannot be written (a closed pipe, a full disk). Exit status 0."""
    out = sys.stdout or sys.stderr
    try:
        out.write(text)
        out.flush()
    except (AttributeError, OSError):
        with contextlib.suppress(AttributeError, OSError):
            sys.stderr.close()  # else Python says so again when it flushes at exit
    return 0
