"""The command line's grammar: each command built only when named, with the same help and errors."""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
from textwrap import dedent

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker import arguments, usage
from tracker.arguments import build_parser, printable

HELP = dedent("""\
    usage: tracker [-h] [--version] COMMAND ...

    Track the versions, go-live dates and releases of a multi-agency procedures
    manual kept in git.

    positional arguments:
      COMMAND
        demo      build the demo manual's repository
        releases  list the releases
        check     lint the manual
        commit-msg
                  check the trailers of a commit message (a commit-msg hook)
        history   one document's versions
        show      print a document's Markdown
        diff      what changed between two versions
        preview   the next release, and what waits for a later one
        init      write a starter manual.toml
        new       write a new chapter to start from
        serve     serve the web pages
        build     write the website as static files
        newsletter
                  a release's newsletter section

    options:
      -h, --help  show this help message and exit
      --version   show the version and exit
""")
COMMANDS = ["demo", "releases", "check", "commit-msg", "history", "show", "diff", "preview",
            "init", "new", "serve", "build", "newsletter"]  # fmt: skip


def commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def tracker(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, check=False)  # fmt: skip


def test_help_lists_every_command_with_its_one_line_help():
    result = tracker("--help", COLUMNS="80")
    assert (result.returncode, result.stdout, result.stderr) == (0, HELP, "")


def test_the_version_is_the_one_installed():
    """An operator upgrading, or reporting a problem, can say which version runs (exploratory
    testing: there was no way to tell)."""
    from importlib.metadata import version

    for asked in (["--version"], ["--version", "releases"]):
        result = tracker(*asked)
        assert (result.returncode, result.stdout, result.stderr) == (
            0,
            f"tracker {version('procedures-tracker')}\n",
            "",
        )


def test_only_the_command_named_is_built():
    parser = build_parser()
    assert commands(parser)._name_parser_map == {}  # '--help' builds none of them
    args = parser.parse_args(["history", "referrals", "--format", "json", "--repo", "r"])
    assert list(commands(parser)._name_parser_map) == ["history"]
    assert vars(args) == {"command": "history", "id": "referrals", "format": "json",
                          "repo": "r", "root": "procedures", "branch": None,
                          "today": os.environ.get("TRACKER_TODAY") or None}  # fmt: skip


def test_the_choices_are_every_command_and_its_parser_built_once():
    choices = commands(build_parser()).choices
    assert list(choices) == COMMANDS and len(choices) == len(COMMANDS)
    assert "serve" in choices and "frobnicate" not in choices and "" not in choices
    serve = choices["serve"]
    assert serve is choices["serve"] and serve.prog == "tracker serve"
    assert "--poll" in serve.format_help() and "where the manual is:" in serve.format_help()
    with pytest.raises(KeyError):
        choices["frobnicate"]


def test_a_command_s_help_and_its_usage_mistakes():
    result = tracker("new", "--help", COLUMNS="80")
    assert result.returncode == 0 and result.stdout.startswith(
        "usage: tracker new [-h] [--repo REPO] [--root ROOT] [--branch BRANCH]\n"
    )
    assert "  --type {chapter,guidance}\n                        default: chapter\n" in (
        result.stdout
    )
    result = tracker("new", "x", "--type", "leaflet")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "tracker new: error: argument --type: invalid choice: 'leaflet' (choose from "
        "'chapter', 'guidance') (see 'tracker new --help').\n"
    )
    result = tracker("frobnicate")
    assert result.returncode == 2 and "(choose from 'demo', 'releases', 'check'," in result.stderr


@pytest.mark.parametrize("columns", [None, "40", "123", "0", "-3", "wide"])
def test_the_help_is_as_wide_as_argparse_would_make_it(
    monkeypatch: pytest.MonkeyPatch, columns: str | None
):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert arguments._formatter("tracker")._width == argparse.HelpFormatter("tracker")._width


def test_on_a_terminal_the_help_is_as_wide_as_the_terminal():
    """Without COLUMNS, the width comes from the terminal, as argparse (through shutil) has it."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 57, 0, 0))
    probe = ("import argparse, sys\nfrom tracker.arguments import _formatter\n"
             "print(_formatter('t')._width, argparse.HelpFormatter('t')._width, file=sys.stderr)")  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    result = subprocess.run([sys.executable, "-c", probe], stdout=follower, stderr=subprocess.PIPE,
                            text=True, env=env, check=True)  # fmt: skip
    os.close(follower)
    os.close(leader)
    assert result.stderr.split() == ["55", "55"]


def test_help_loads_nothing_beyond_what_argparse_loads():
    """A command's grammar costs argparse's own start-up and a few small modules of ours: not
    typing, logging, json, dataclasses, pathlib, datetime or shutil (start-up is measured in
    benchmarks/, not here)."""
    ending = (
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    parser.parse_args(['--help'])\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    ours = "import contextlib, io, sys\nfrom tracker.arguments import build_parser\n"
    bare = (
        "import argparse, contextlib, io, sys\n"
        "parser = argparse.ArgumentParser(prog='bare', description='a')\n"
        "parser.add_subparsers(metavar='C').add_parser('c', help='h')\n"
    )
    loaded = {}
    for name, start in (("ours", ours + "from tracker import cli\nparser = build_parser()\n"),
                        ("bare", bare)):  # fmt: skip
        result = subprocess.run([sys.executable, "-c", start + ending], capture_output=True,
                                text=True, check=True)  # fmt: skip
        loaded[name] = set(result.stdout.split())
    # (unicodedata: Python's compiler loads it for our non-ASCII source when its bytecode is
    # not kept, as under PYTHONDONTWRITEBYTECODE)
    extra = loaded["ours"] - loaded["bare"] - {"unicodedata"}
    assert extra <= {"tracker", "tracker.arguments", "tracker.cli", "tracker.errors",
                     "tracker.usage", "__future__", "collections.abc"}, sorted(extra)  # fmt: skip
    assert {"shutil", "typing", "logging", "json", "dataclasses"}.isdisjoint(loaded["ours"])


@pytest.mark.parametrize("width", range(usage.NARROWEST - 10, 301))
def test_the_top_level_help_is_argparse_s_at_every_width(
    monkeypatch: pytest.MonkeyPatch, width: int
):
    """usage.py writes 'tracker --help' without argparse: the same text wherever it is used,
    and argparse's own where the layout would differ (None)."""
    written = usage.help_text(width)
    if width < usage.NARROWEST or sys.version_info[:2] not in usage.LAYOUT_OF:
        assert written is None
    else:
        monkeypatch.setenv("COLUMNS", str(width))
        assert written == build_parser().format_help()


def test_top_level_help_loads_neither_argparse_nor_re():
    probe = ("import sys, contextlib, io\nfrom tracker.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
             "    status = main(['--help'])\n"
             "print(status, out.getvalue().startswith('usage: tracker'), file=sys.stderr)\n"
             "print(' '.join(sorted(sys.modules)))\n")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, env={**os.environ, "COLUMNS": "80"})  # fmt: skip
    bare = subprocess.run([sys.executable, "-c", "import sys, contextlib, io\n"
                           "print(' '.join(sorted(sys.modules)))"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert result.stderr.split() == ["0", "True"]
    extra = set(result.stdout.split()) - set(bare.stdout.split()) - {"unicodedata"}
    assert extra == {"tracker", "tracker.cli", "tracker.errors", "tracker.usage", "__future__"}


def test_help_into_a_pipe_nobody_reads_is_quiet():
    reader, writer = os.pipe()
    os.close(reader)  # closed before the help is written: writing it fails (EPIPE)
    result = subprocess.run([sys.executable, "-m", "tracker", "--help"], stdout=writer,
                            stderr=subprocess.PIPE, text=True, check=False)  # fmt: skip
    os.close(writer)
    assert (result.returncode, result.stderr) == (0, "")


@given(
    st.text(st.characters(codec="utf-8"), max_size=40)
    | st.text("ab\t\n\r\x1b\x7f\x85\u202e\u2068 \xa0é", max_size=40)
)
def test_printable_text_is_returned_as_it_is_only_when_the_rule_changes_nothing(text: str):
    """printable's fast check (megabytes of releases) agrees with its rule, the regex."""
    assert printable(text) == re.sub(arguments._CONTROL, "\N{REPLACEMENT CHARACTER}", text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [("a\x1b[31mb", "a\ufffd[31mb"), ("a\rb", "a\ufffdb"), ("a\r\nb", "a\r\nb"), ("\x85", "\ufffd"),
     ("é\u202eb", "é\ufffdb"), ("é\tb\n", "é\tb\n"), ("a\tb\n", "a\tb\n"), ("\xa0\x7f", "\xa0\ufffd")],
)  # fmt: skip
def test_printable_replaces_controls_in_ascii_and_beyond(text: str, shown: str):
    assert printable(text) == shown


def test_help_with_nowhere_to_go_is_as_argparse_has_it():
    """No stdout: the help goes to stderr; a full disk: nothing more said. Exit status 0."""
    closed = subprocess.run(f"{sys.executable} -m tracker --help >&-", shell=True,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert (closed.returncode, closed.stderr[:43]) == (
        0,
        "usage: tracker [-h] [--version] COMMAND ...",
    )
    full = subprocess.run(f"{sys.executable} -m tracker --help > /dev/full", shell=True,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert (full.returncode, full.stderr) == (0, "")
