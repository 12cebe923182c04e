"""The ``tracker`` command: parse options, call one function, print."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from tracker.authoring.check import check_manual
from tracker.dates import parse_date
from tracker.demo import build_demo
from tracker.errors import InputError, TrackerError
from tracker.manual import Manual, open_manual
from tracker.publish import views as output
from tracker.publish.newsletter import FORMATS, render_newsletter
from tracker.trackchanges.cache import diff_view, page, summary_data


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
    news = commands.add_parser("newsletter", parents=common, help="a release's newsletter section")
    news.add_argument(
        "--release", metavar="DATE", help="default: the next release, else the latest"
    )
    news.add_argument("--format", choices=FORMATS, default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one sentence and return 2."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except TrackerError as error:
        print(f"tracker: error: {error}", file=sys.stderr)
        return error.exit_status
    except BrokenPipeError:
        sys.stderr.close()  # e.g. piped into head
        return 0
    finally:
        sys.stdout.flush()


def _open(args: argparse.Namespace, warn: bool = True) -> Manual:
    manual = open_manual(args.repo, root=args.root, branch=args.branch, today=args.today)
    if warn:  # one bad chapter is worth a word, not a failure
        for document in manual.documents:
            for problem in document.latest.meta.problems if document.latest.blob else ():
                print(
                    f"tracker: warning: {document.latest.path}: {problem} (see 'tracker check').",
                    file=sys.stderr,
                )
    return manual


def _demo(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    build_demo(target, root=args.root)
    print(f"Built the demo manual's repository in {target}.")
    return 0


def _releases(args: argparse.Namespace) -> int:
    manual = _open(args)
    if args.format == "json":
        summarise = _summariser(manual) if args.summaries else None
        _print_json({"releases": [output.release_json(r, summarise) for r in manual.releases]})
    else:
        print(output.releases_text(manual), end="")
    return 0


def _history(args: argparse.Namespace) -> int:
    manual = _open(args)
    document = manual.document(args.id)
    if args.format == "json":
        _print_json(output.history_json(document, _summariser(manual)))
    else:
        print(output.history_text(document, manual), end="")
    return 0


def _show(args: argparse.Namespace) -> int:
    manual = _open(args)
    document = manual.document(args.id)
    day = parse_date(args.at, "--at date") if args.at else manual.today
    version = document.in_force(day)
    if version is None:
        raise InputError(f"{document.id!r} was not yet in force on {day.isoformat()}.")
    if version.kind == "deleted":
        raise InputError(f"{document.id!r} was withdrawn on {version.effective.isoformat()}.")
    if version.withdrawn:
        print(f"tracker: note: {document.id!r} is archived (withdrawn).", file=sys.stderr)
    print(manual.source(version), end="")
    return 0


def _diff(args: argparse.Namespace) -> int:
    manual = _open(args)
    document = manual.document(args.id)
    start, end = manual.compared(document, args.start, args.end)
    between = f"From {output.version_label(start)} to {output.version_label(end)}."
    prefix = "source-" if args.source else ""
    if args.format == "json":
        body = json.loads(diff_view(manual, start, end, prefix + "json"))
        _print_json(
            {
                "id": document.id,
                "from": output.version_json(start) if start else None,
                "to": output.version_json(end),
                "diff": body,
            }
        )
    elif args.format == "html":
        body = diff_view(manual, start, end, prefix + "html")
        summary = diff_view(manual, start, end, "summary")
        print(page(end.title, output.comparing(start, end), summary, body), end="")
    else:
        colour = not args.source and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(between)
        print(diff_view(manual, start, end, prefix + ("text-colour" if colour else "text")), end="")
    return 0


def _newsletter(args: argparse.Namespace) -> int:
    manual = _open(args)
    if args.release:
        release = manual.release(parse_date(args.release, "release date"))
    else:
        release = manual.default_release()
    print(render_newsletter(manual, release, args.format), end="")
    return 0


def _check(args: argparse.Namespace) -> int:
    manual = _open(args, warn=False)
    problems = check_manual(manual)
    for problem in problems:
        print(problem)
    errors = sum(problem.level == "error" for problem in problems)
    warnings = len(problems) - errors
    print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}.")
    return 1 if errors else 0


def _summariser(manual: Manual) -> output.Summariser:
    return lambda before, after: summary_data(manual, before, after)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "releases": _releases,
    "history": _history,
    "show": _show,
    "diff": _diff,
    "newsletter": _newsletter,
    "check": _check,
}


if __name__ == "__main__":
    sys.exit(main())
