"""The ``tracker`` command's grammar: its commands, their options and their help."""

from __future__ import annotations

import argparse
import os
import re
from typing import NoReturn

# The choices of two options, written out so that ``tracker --help`` loads nothing more (a test
# keeps them equal to tracker.history.documents.TYPES and tracker.publish.newsletter.FORMATS).
TYPES = ("chapter", "guidance")
FORMATS = ("text", "md", "html", "json")

# Control characters, a carriage return not ending a line among them (it would let a line
# overwrite what it began with), and the direction overrides that reorder what a line shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
_BREAKS = re.compile(r"[\t\n\r]")


def printable(text: str, one_line: bool = False) -> str:
    """Text for a terminal: control characters (escape sequences among them) shown as a
    replacement character, and for a one-line message, line breaks too."""
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    return _BREAKS.sub("\N{REPLACEMENT CHARACTER}", text) if one_line else text


class _Parser(argparse.ArgumentParser):
    """Usage mistakes as one sentence and exit status 2."""

    def error(self, message: str) -> NoReturn:
        line = printable(f"{self.prog}: error: {message} (see '{self.prog} --help').", True)
        self.exit(2, line + "\n")


def _common() -> _Parser:
    common = _Parser(add_help=False)
    group = common.add_argument_group("where the manual is")
    group.add_argument("--repo", default=".", help="the content repository (default: .)")
    group.add_argument(
        "--root", default="procedures", help="the manual's folder (default: procedures)"
    )
    group.add_argument("--branch", help="the branch tracked (default: the current branch)")
    group.add_argument(
        "--today",
        default=os.environ.get("TRACKER_TODAY"),
        help="act as if today were YYYY-MM-DD (default: $TRACKER_TODAY, else the real date)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The command line's grammar."""
    parser = _Parser(
        prog="tracker",
        description="Track the versions, go-live dates and releases "
        "of a multi-agency procedures manual kept in git.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    common = [_common()]
    demo = commands.add_parser("demo", help="build the demo manual's repository")
    demo.add_argument(
        "--dir", default="demo-manual", help="where to build it (default: demo-manual)"
    )
    demo.add_argument("--root", default="procedures", help=argparse.SUPPRESS)
    for name, helptext in (("releases", "list the releases"), ("check", "lint the manual")):
        command = commands.add_parser(name, parents=common, help=helptext)
        formats = ("text", "json", "github", "gitlab") if name == "check" else ("text", "json")
        command.add_argument("--format", choices=formats, default="text")
        if name == "releases":
            command.add_argument(
                "--summaries",
                action="store_true",
                help="with --format json: what changed in each entry (worked out once, cached)",
            )
    message = commands.add_parser(
        "commit-msg", help="check the trailers of a commit message (a commit-msg hook)"
    )
    message.add_argument("file", help="the file holding the message (git passes it)")
    history = commands.add_parser("history", parents=common, help="one document's versions")
    history.add_argument("id")
    history.add_argument("--format", choices=("text", "json"), default="text")
    show = commands.add_parser("show", parents=common, help="print a document's Markdown")
    show.add_argument("id")
    show.add_argument("--at", metavar="DATE", help="the date (default: today)")
    diff = commands.add_parser("diff", parents=common, help="what changed between two versions")
    diff.add_argument("id")
    diff.add_argument(
        "--from", dest="start", metavar="REV|DATE", help="default: the version before"
    )
    diff.add_argument("--to", dest="end", metavar="REV|DATE", help="default: the version in force")
    diff.add_argument("--format", choices=("text", "html", "json"), default="text")
    diff.add_argument(
        "--source", action="store_true", help="compare the Markdown source, line by line"
    )
    preview = commands.add_parser(
        "preview", parents=common, help="the next release, and what waits for a later one"
    )
    preview.add_argument("--format", choices=("text", "json"), default="text")
    init = commands.add_parser("init", parents=common, help="write a starter manual.toml")
    init.add_argument("--title", default="Multi-Agency Procedures", help="the manual's title")
    init.add_argument("--short-name", default="", help="its short name, such as DSCP")
    new = commands.add_parser("new", parents=common, help="write a new chapter to start from")
    new.add_argument("id", help="its id, such as referrals or health/child-death")
    new.add_argument("--title", required=True, help="its title")
    new.add_argument("--section", help="the section of the contents it belongs to")
    new.add_argument("--type", choices=TYPES, default="chapter", help="default: chapter")
    serve = commands.add_parser("serve", parents=common, help="serve the web pages")
    serve.add_argument("--host", default="127.0.0.1", help="the address (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="the port (default: 8000)")
    serve.add_argument(
        "--workers", type=_count, default=1, help="processes serving at once (default: 1)"
    )
    serve.add_argument(
        "--poll",
        type=_seconds,
        metavar="SECONDS",
        help="fetch the branch from origin this often (see also the push webhook)",
    )
    build = commands.add_parser("build", parents=common, help="write the website as static files")
    build.add_argument("--out", required=True, metavar="DIR", help="the folder to write it to")
    build.add_argument(
        "--base-url", metavar="URL", help="its address, for feeds (default: manual.site_url)"
    )
    news = commands.add_parser("newsletter", parents=common, help="a release's newsletter section")
    news.add_argument(
        "--release", metavar="DATE", help="default: the next release, else the latest"
    )
    news.add_argument("--format", choices=FORMATS, default="text")
    return parser


def _count(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers (1 to 64)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1
    if not 1 <= seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (1 to 86400)")
    return seconds


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)")
    return int(text)
