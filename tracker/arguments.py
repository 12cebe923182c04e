"""The ``tracker`` command's grammar: its commands, their options and their help.

Only the grammar a run needs is built: ``tracker --help`` lists every command with its one-line
help, but a command's own options are added when it is named (or its parser is asked for).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping

from tracker.usage import COMMANDS, DESCRIPTION, VERSION_HELP, columns, print_help, version

TYPE_CHECKING = False  # typing itself is not loaded for 'tracker --help'
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, NoReturn

    Grammar = Callable[["_Parser"], None]

# The choices of two options, written out so that ``tracker --help`` loads nothing more (a test
# keeps them equal to tracker.history.documents.TYPES and tracker.publish.newsletter.FORMATS).
TYPES = ("chapter", "guidance")
FORMATS = ("text", "md", "html", "json")

# Control characters, a carriage return not ending a line among them (it would let a line
# overwrite what it began with), and the direction overrides that reorder what a line shows.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
_BREAKS = r"[\t\n\r]"


_PLAIN = bytes(range(0x20, 0x7F)) + b"\t\n"  # ASCII that is shown as it is


def printable(text: str, one_line: bool = False) -> str:
    """Text for a terminal: control characters (escape sequences among them) shown as a
    replacement character, and for a one-line message, line breaks too."""
    if not one_line and _plain(text):
        return text  # nothing to replace: megabytes of releases are checked in a few ms
    text = re.sub(_CONTROL, "\N{REPLACEMENT CHARACTER}", text)  # compiled once, by re's cache
    return re.sub(_BREAKS, "\N{REPLACEMENT CHARACTER}", text) if one_line else text


def _plain(text: str) -> bool:
    """Whether ``text`` has none of ``_CONTROL`` (True is sure; False may be wrong): printable
    ASCII, tabs and line breaks; or, beyond ASCII, characters Python deems printable (which
    leaves out every control, format and separator character but the space) and line breaks."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PLAIN)
    return text.replace("\n", " ").isprintable()


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter, as wide as argparse would make it (``usage.columns``)."""
    return argparse.HelpFormatter(prog, width=columns() - 2)


class _Parser(argparse.ArgumentParser):
    """Usage mistakes as one sentence and exit status 2."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(formatter_class=_formatter, **kwargs)

    def error(self, message: str) -> NoReturn:
        line = printable(f"{self.prog}: error: {message} (see '{self.prog} --help').", True)
        self.exit(2, line + "\n")

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """As argparse's, but arguments a command does not take point to that command's help
        (``tracker show --format json``: argparse's top parser pointed to ``tracker --help``,
        which does not list a command's options: newcomer's testing)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            given = list(sys.argv[1:] if args is None else args)
            command = getattr(parsed, "command", None)
            at = given.index(command) if command in given else len(given)
            # (the command's only when after its name: "tracker --bogus check" is tracker's)
            its = command and all(given.index(x) > at for x in extras if x in given)
            prog = f"{self.prog} {command}" if its else self.prog
            shown = " ".join(extra for extra in extras if extra != "--")  # (git's separator)
            line = f"{prog}: error: unrecognized arguments: {shown} (see '{prog} --help')."
            self.exit(2, printable(line, True) + "\n")
        return parsed

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # Python 3.11's argparse reads '--opt=--' as no value at all (an empty list, which
        # every command took for a text): refused as the value it is not.
        if action.option_strings and arg_strings == ["--"]:
            self.error(f"argument {'/'.join(action.option_strings)}: '--' is not a value")
        return super()._get_values(action, arg_strings)


if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[_Parser]
else:  # not subscriptable when the program runs
    _SubParsers = argparse._SubParsersAction


class _Commands(_SubParsers):
    """The commands: each one's one-line help at once, its parser when it is named."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grammars: dict[str, Grammar] = {}
        self.choices = _Choices(self)  # type: ignore[assignment]

    def add_command(self, name: str, help: str, grammar: Grammar) -> None:
        """Offer a command: its name and help now, ``grammar`` adds its options when needed."""
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help))
        self.grammars[name] = grammar

    def parser(self, name: str) -> _Parser:
        """The parser of one command, built the first time it is asked for."""
        if name not in self._name_parser_map:
            self.grammars[name](self.add_parser(name))
        return self._name_parser_map[name]

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        self.parser(values[0])  # a name argparse has checked against the choices
        super().__call__(parser, namespace, values, option_string)


class _Choices(Mapping[str, _Parser]):
    """The commands as argparse's choices: names known at once, parsers built when read."""

    def __init__(self, commands: _Commands) -> None:
        self.commands = commands

    def __getitem__(self, name: str) -> _Parser:
        if name not in self.commands.grammars:
            raise KeyError(name)
        return self.commands.parser(name)

    def __contains__(self, name: object) -> bool:
        return name in self.commands.grammars

    def __iter__(self) -> Iterator[str]:
        return iter(self.commands.grammars)

    def __len__(self) -> int:
        return len(self.commands.grammars)


def build_parser() -> argparse.ArgumentParser:
    """The command line's grammar."""
    parser = _Parser(
        prog="tracker",
        description=DESCRIPTION,
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, default=argparse.SUPPRESS, help=VERSION_HELP
    )
    commands = parser.add_subparsers(
        # prog given, as argparse would work it out (with a help formatter) from the usage
        prog="tracker",
        dest="command",
        required=True,
        metavar="COMMAND",
        parser_class=_Parser,
        action=_Commands,
    )
    assert isinstance(commands, _Commands)
    for name, helptext in COMMANDS:
        commands.add_command(name, helptext, _GRAMMAR[name])
    return parser


class _Version(argparse.Action):
    """``--version`` (as argparse's own, but reading the version only when asked: it costs an
    import of importlib.metadata)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print_help(version() + "\n")
        parser.exit()


def _where(command: _Parser) -> None:
    """The options of every command that reads a manual."""
    group = command.add_argument_group("where the manual is")
    group.add_argument(
        "--repo", type=_local_path, default=".", help="the content repository (default: .)"
    )
    group.add_argument(
        "--root", default="procedures", help="the manual's folder (default: procedures)"
    )
    group.add_argument("--branch", help="the branch tracked (default: the current branch)")
    group.add_argument(
        "--today",
        default=os.environ.get("TRACKER_TODAY") or None,  # (empty, as CI templates leave it: unset)
        help="act as if today were YYYY-MM-DD (default: $TRACKER_TODAY, else the real date)",
    )


def _demo(demo: _Parser) -> None:
    demo.add_argument(
        "--dir",
        type=_local_path,
        default="demo-manual",
        help="where to build it (default: demo-manual)",
    )
    demo.add_argument("--root", default="procedures", help=argparse.SUPPRESS)


def _releases(releases: _Parser) -> None:
    _where(releases)
    releases.add_argument("--format", choices=("text", "json"), default="text")
    releases.add_argument(
        "--summaries",
        action="store_true",
        help="with --format json: what changed in each entry (worked out once, cached)",
    )


def _check(check: _Parser) -> None:
    _where(check)
    check.add_argument("--format", choices=("text", "json", "github", "gitlab"), default="text")


def _commit_msg(message: _Parser) -> None:
    message.add_argument("file", help="the file holding the message (git passes it)")
    message.add_argument(
        "--today",
        default=os.environ.get("TRACKER_TODAY") or None,
        help="act as if today were YYYY-MM-DD (default: $TRACKER_TODAY, else the real date)",
    )


def _history(history: _Parser) -> None:
    _where(history)
    history.add_argument("id")
    history.add_argument("--format", choices=("text", "json"), default="text")


def _show(show: _Parser) -> None:
    _where(show)
    show.add_argument("id")
    show.add_argument("--at", metavar="DATE", help="the date (default: today)")


def _diff(diff: _Parser) -> None:
    _where(diff)
    diff.add_argument("id")
    diff.add_argument(
        "--from", dest="start", metavar="REV|DATE", help="default: the version before"
    )
    diff.add_argument("--to", dest="end", metavar="REV|DATE", help="default: the version in force")
    diff.add_argument("--format", choices=("text", "html", "json"), default="text")
    diff.add_argument(
        "--source", action="store_true", help="compare the Markdown source, line by line"
    )


def _preview(preview: _Parser) -> None:
    _where(preview)
    preview.add_argument("--format", choices=("text", "json"), default="text")


def _init(init: _Parser) -> None:
    _where(init)
    init.add_argument("--title", default="Multi-Agency Procedures", help="the manual's title")
    init.add_argument("--short-name", default="", help="its short name, such as DSCP")


def _new(new: _Parser) -> None:
    _where(new)
    new.add_argument("id", help="its id, such as referrals or health/child-death")
    new.add_argument("--title", required=True, help="its title")
    new.add_argument("--section", help="the section of the contents it belongs to")
    new.add_argument("--type", choices=TYPES, default="chapter", help="default: chapter")


def _serve(serve: _Parser) -> None:
    _where(serve)
    serve.add_argument(
        "--host", type=_host, default="127.0.0.1", help="the address (default: 127.0.0.1)"
    )
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


def _build(build: _Parser) -> None:
    _where(build)
    build.add_argument(
        "--out", type=_local_path, required=True, metavar="DIR", help="the folder to write it to"
    )
    build.add_argument(
        "--base-url", metavar="URL", help="its address, for feeds (default: manual.site_url)"
    )


def _newsletter(news: _Parser) -> None:
    _where(news)
    news.add_argument(
        "--release", metavar="DATE", help="default: the next release, else the latest"
    )
    news.add_argument("--format", choices=FORMATS, default="text")
    news.add_argument(
        "--static-copy",
        action="store_true",
        help="link to a static copy's addresses (tracker build), for a site served from one",
    )


# Each command's options (its name and one-line help are in usage.COMMANDS).
_GRAMMAR: dict[str, Grammar] = {
    "demo": _demo,
    "releases": _releases,
    "check": _check,
    "commit-msg": _commit_msg,
    "history": _history,
    "show": _show,
    "diff": _diff,
    "preview": _preview,
    "init": _init,
    "new": _new,
    "serve": _serve,
    "build": _build,
    "newsletter": _newsletter,
}


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


def _host(text: str) -> str:
    if not text or not text.isprintable() or " " in text:  # ("": every interface, unasked)
        raise argparse.ArgumentTypeError(f"{text!r} is not an address to listen on")
    return text


def _local_path(text: str) -> str:
    """A path this system can hold: no name in it over 255 bytes, nor over 4,095 in all
    (else each command stopped with the system's error, as a traceback)."""
    try:
        encoded = os.fsencode(text)
    except UnicodeError:
        encoded = b""
    names = encoded.split(b"/")
    if not encoded or b"\0" in encoded or len(encoded) > 4095 or max(map(len, names)) > 255:
        shown = text if len(text) <= 60 else text[:60] + "…"
        raise argparse.ArgumentTypeError(f"{shown!r} is not a path this system can hold")
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)")
    return int(text)
