"""The ``tracker`` command: parse options, call one function, print."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from tracker import dates
from tracker.authoring.check import check_manual
from tracker.demo import build_demo
from tracker.errors import InputError, TrackerError
from tracker.history.model import Document
from tracker.history.snapshot import Snapshot
from tracker.manual import Manual, open_manual
from tracker.publish import views as output
from tracker.publish.newsletter import FORMATS, render_newsletter
from tracker.trackchanges.cache import View

log = logging.getLogger("tracker")
EXIT_USER_ERROR = 2  # a mistake in what the user asked for, said in one sentence


class _Parser(argparse.ArgumentParser):
    """Usage mistakes as one sentence and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help').\n")


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
        if name == "releases":
            command.add_argument("--format", choices=("text", "json"), default="text")
            command.add_argument(
                "--summaries",
                action="store_true",
                help="with --format json: what changed in each entry (worked out once, cached)",
            )
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
    serve = commands.add_parser("serve", parents=common, help="serve the web pages")
    serve.add_argument("--host", default="127.0.0.1", help="the address (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="the port (default: 8000)")
    news = commands.add_parser("newsletter", parents=common, help="a release's newsletter section")
    news.add_argument(
        "--release", metavar="DATE", help="default: the next release, else the latest"
    )
    news.add_argument("--format", choices=FORMATS, default="text")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one sentence and return 2."""
    args = build_parser().parse_args(argv)
    handler, saved = _warnings_to_stderr(once=args.command != "serve")
    try:
        return COMMANDS[args.command](args)
    except TrackerError as error:
        print(f"tracker: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        sys.stderr.close()  # e.g. piped into head
        return 0
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]
        sys.stdout.flush()


class _Once(logging.Filter):
    """Lets each message through once per run."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"tracker: {record.levelname.lower()}: {record.getMessage()}"


def _warnings_to_stderr(once: bool = True) -> tuple[logging.Handler, tuple[int, bool]]:
    """The engine's warnings as ``tracker: warning: ...`` lines on stderr (each said once per
    run, except by a server, which runs for days).

    Returns the handler and the logger's level and propagation, to be put back afterwards.
    """
    saved = (log.level, log.propagate)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    if once:
        handler.addFilter(_Once())
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
    return handler, saved


@dataclass(frozen=True)
class _Opened:
    """What a command reads: the manual, its snapshot now, and the day taken as today."""

    manual: Manual
    snapshot: Snapshot
    today: date


def _open(args: argparse.Namespace) -> _Opened:
    fixed = _fixed_today(args.today)
    manual = open_manual(args.repo, root=args.root, branch=args.branch)
    snapshot = manual.snapshot()
    return _Opened(manual, snapshot, dates.today(snapshot.config.timezone, fixed))


def _fixed_today(text: str | None) -> date | None:
    if text is None:
        return None
    what = "--today date" if text != os.environ.get("TRACKER_TODAY") else "TRACKER_TODAY date"
    return dates.parse_date(text, what)


def _warn_about(documents: Iterable[Document]) -> None:
    """One bad chapter is worth a word, not a failure: said for the documents a command shows."""
    for document in documents:
        latest = document.latest
        for problem in () if latest.deleted else latest.meta.problems:
            log.warning("%s: %s (see 'tracker check').", latest.path, problem)


def _demo(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    build_demo(target, root=args.root)
    print(f"Built the demo manual's repository in {target}.")
    return 0


def _releases(args: argparse.Namespace) -> int:
    opened = _open(args)
    _warn_about(opened.snapshot.documents)
    if args.format == "json":
        summarise = opened.manual.differ.summary if args.summaries else None
        releases = opened.snapshot.releases
        _print_json(
            {"releases": [output.release_json(r, opened.today, summarise) for r in releases]}
        )
    else:
        print(output.releases_text(opened.snapshot, opened.today), end="")
    return 0


def _history(args: argparse.Namespace) -> int:
    opened = _open(args)
    document = opened.snapshot.document(args.id)
    _warn_about([document])
    if args.format == "json":
        _print_json(output.history_json(document, opened.manual.differ.summary))
    else:
        print(output.history_text(document, opened.today), end="")
    return 0


def _show(args: argparse.Namespace) -> int:
    opened = _open(args)
    document = opened.snapshot.document(args.id)
    _warn_about([document])
    day = dates.parse_date(args.at, "--at date") if args.at else opened.today
    version = document.in_force(day)
    if version is None:
        raise InputError(f"{document.id!r} was not yet in force on {day.isoformat()}.")
    if version.deleted:
        raise InputError(f"{document.id!r} was withdrawn on {version.effective.isoformat()}.")
    if version.withdrawn:
        print(f"tracker: note: {document.id!r} is archived (withdrawn).", file=sys.stderr)
    print(opened.manual.texts.of(version), end="")
    return 0


def _diff(args: argparse.Namespace) -> int:
    opened = _open(args)
    manual, snapshot = opened.manual, opened.snapshot
    document = snapshot.document(args.id)
    _warn_about([document])
    start, end = manual.compared(snapshot, document, args.start, args.end, opened.today)
    differ = manual.differ
    if args.format == "json":
        body = json.loads(differ.view(start, end, "source-json" if args.source else "json"))
        _print_json(
            {
                "id": document.id,
                "from": output.version_json(start) if start else None,
                "to": output.version_json(end),
                "diff": body,
            }
        )
    elif args.format == "html":
        body = differ.view(start, end, "source-html" if args.source else "html")
        summary = differ.view(start, end, "summary")
        print(output.diff_page(end.title, output.comparing(start, end), summary, body), end="")
    else:
        colour = not args.source and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(f"From {output.version_label(start)} to {output.version_label(end)}.")
        view: View = "source-text" if args.source else ("text-colour" if colour else "text")
        print(differ.view(start, end, view), end="")
    return 0


def _serve(args: argparse.Namespace) -> int:
    fixed = _fixed_today(args.today)
    manual = served_manual(args.repo, args.root, args.branch)
    _warn_about(manual.snapshot().documents)
    from web.app import serve  # the web service, and FastAPI, only for this command

    serve(manual, fixed, args.host, args.port)
    return 0


def served_manual(repo: str, root: str, branch: str | None) -> Manual:
    """The manual a server follows: ``branch``, else the branch checked out when it starts,
    so that checking out a draft in the served working copy never publishes it."""
    manual = open_manual(repo, root=root, branch=branch)
    snapshot = manual.snapshot()  # a manual that cannot be read is said now, in one sentence
    if branch is None and snapshot.branch != "HEAD":
        manual.close()
        manual = open_manual(repo, root=root, branch=snapshot.branch)
    return manual


def _newsletter(args: argparse.Namespace) -> int:
    opened = _open(args)
    snapshot = opened.snapshot
    if args.release:
        release = snapshot.release(dates.parse_date(args.release, "release date"))
    else:
        release = snapshot.default_release(opened.today)
    _warn_about(entry.document for entry in release.entries)
    text = render_newsletter(
        snapshot,
        release,
        opened.today,
        args.format,
        templates=opened.manual.texts.templates(snapshot),
        summarise=opened.manual.differ.summary,
    )
    print(text, end="")
    return 0


def _check(args: argparse.Namespace) -> int:
    opened = _open(args)
    problems = check_manual(opened.snapshot, opened.today)
    for problem in problems:
        print(problem)
    errors = sum(problem.level == "error" for problem in problems)
    warnings = len(problems) - errors
    print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}.")
    return 1 if errors else 0


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "releases": _releases,
    "history": _history,
    "show": _show,
    "diff": _diff,
    "newsletter": _newsletter,
    "serve": _serve,
    "check": _check,
}


if __name__ == "__main__":
    sys.exit(main())
