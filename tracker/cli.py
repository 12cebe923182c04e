"""The ``tracker`` command: parse options (``arguments``), call one function, print."""

from __future__ import annotations

import os
import sys

from tracker.errors import InputError, TrackerError
from tracker.usage import help_text, print_help, version

# 'tracker --help' loads nothing but two small modules of ours (usage.py writes the help as
# argparse would); a usage mistake loads argparse and little else (not even typing, logging,
# json, dataclasses or pathlib); each command imports what it uses when it runs, and tests
# check that start-up loads none of the heavy libraries (GitPython, Markdown, Jinja2, FastAPI).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Sequence
    from datetime import date
    from pathlib import Path
    from typing import Any, Literal

    from tracker.history.snapshot import Snapshot
    from tracker.opening import Opened
    from tracker.repository.read import GitRepo
    from tracker.trackchanges.cache import View

EXIT_USER_ERROR = 2  # a mistake in what the user asked for, said in one sentence


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one sentence and return 2."""
    asked = sys.argv[1:] if argv is None else list(argv)
    if asked in (["-h"], ["--help"]):
        text = help_text()
        if text is not None:
            return print_help(text)
    if asked == ["--version"]:
        return print_help(version() + "\n")
    from tracker.arguments import build_parser, printable

    args = build_parser().parse_args(argv)
    import gc

    from tracker.console import warnings_to_stderr  # once parsed: '--help' needs no logging

    # A command that reads, prints and ends frees its garbage by reference counting alone (the
    # history makes no cycles to speak of: the first read peaks as high without the
    # collector); the collector would only walk the thousands of objects read back, again
    # and again. The service and the export run long, and keep it.
    collecting = gc.isenabled()
    if args.command not in ("serve", "build"):
        gc.disable()
    with warnings_to_stderr(once=args.command != "serve"):
        try:
            return COMMANDS[args.command](args)
        except TrackerError as error:
            print(printable(f"tracker: error: {error}", one_line=True), file=sys.stderr)
            return EXIT_USER_ERROR
        except BrokenPipeError:
            sys.stderr.close()  # e.g. piped into head
            return 0
        except KeyboardInterrupt:  # (Ctrl+C: what is kept is whole, or not kept at all)
            print("tracker: stopped.", file=sys.stderr)
            return 130
        finally:
            sys.stdout.flush()
            if collecting:
                gc.enable()


def _open(
    args: argparse.Namespace, repo: GitRepo | None = None, despite: bool = False, **read: bool
) -> Opened:
    from tracker.opening import opened

    return opened(args, repo, despite, **read)


def _fixed_today(text: str | None) -> date | None:
    from tracker.opening import fixed_today

    return fixed_today(text)


def _warn_about(snapshot: Snapshot, keys: Iterable[int] | None = None) -> None:
    """One bad chapter is worth a word, not a failure: said for the documents a command shows
    (by key; all of them by default)."""
    from tracker.console import warn_about

    warn_about(snapshot.notices, keys)


def _demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker.demo import build_demo

    target = Path(args.dir)
    build_demo(target, root=args.root)
    print(f"Built the demo manual's repository in {target}.")
    return 0


def _releases(args: argparse.Namespace) -> int:
    from tracker.opening import answered, answered_after

    printed, repo = answered(args, None) if args.format == "text" else (False, None)
    if printed:
        return 0  # (the answer kept for the branch head: see opening.py)
    opened = _open(args, repo)
    _warn_about(opened.snapshot)
    if args.format == "json":
        from tracker.publish import views as output

        summarise = opened.manual.differ.summary if args.summaries else None
        releases = opened.snapshot.releases
        _print_json(
            {"releases": [output.release_json(r, opened.today, summarise) for r in releases]}
        )
    elif not answered_after(opened, None):  # (else written here, as it was kept)
        from tracker.publish import views as output

        _out(output.releases_text(opened.snapshot, opened.today), end="")
    return 0


def _history(args: argparse.Namespace) -> int:
    from tracker.opening import answered, answered_after

    printed, repo = answered(args, args.id) if args.format == "text" else (False, None)
    if printed:
        return 0
    opened = _open(args, repo)
    document = opened.snapshot.document(args.id)
    _warn_about(opened.snapshot, [document.key])
    if args.format == "json":
        from tracker.publish import views as output

        _print_json(output.history_json(document, opened.manual.differ.summary, opened.snapshot))
    elif not answered_after(opened, args.id):
        from tracker.publish import views as output

        _out(output.history_text(document, opened.today), end="")
    return 0


def _show(args: argparse.Namespace) -> int:
    from tracker import dates
    from tracker.publish.views import shown_on

    opened = _open(args)
    document = opened.snapshot.document(args.id)
    _warn_about(opened.snapshot, [document.key])
    day = dates.parse_date(args.at, "--at date") if args.at is not None else opened.today
    version, notes = shown_on(opened.snapshot, document, args.id, day, opened.today)
    for note in notes:
        print(f"tracker: note: {note}", file=sys.stderr)
    _out(opened.manual.texts.of(version), end="")
    return 0


def _diff(args: argparse.Namespace) -> int:
    import json

    from tracker.publish import views as output

    for name, given in (("--from", args.start), ("--to", args.end)):
        if given is not None and not given.strip():  # (not 'the default': a script's empty date)
            raise InputError(f"{name} is empty; give a date (YYYY-MM-DD) or a revision.")
    opened = _open(args)
    manual, snapshot = opened.manual, opened.snapshot
    document = snapshot.document(args.id)
    _warn_about(opened.snapshot, [document.key])
    start, end = manual.compared(snapshot, document, args.start, args.end, opened.today)
    differ = manual.differ
    if args.format == "json":
        body = json.loads(differ.view(start, end, "source-json" if args.source else "json"))
        _print_json(output.diff_json(document, start, end, body, args.start))
    elif args.format == "html":
        body = differ.view(start, end, "source-html" if args.source else "html")
        summary = differ.view(start, end, "summary")
        between = output.comparing(document, start, end, args.start)
        print(output.diff_page(end.title, between, summary, body), end="")
    else:
        colour = not args.source and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        _out(f"From {output.version_label(start, args.start)} to {output.version_label(end)}.")
        view: View = "source-text" if args.source else ("text-colour" if colour else "text")
        _out(differ.view(start, end, view), end="", colours=view == "text-colour")
    return 0


def _preview(args: argparse.Namespace) -> int:
    import json

    from tracker.authoring.preview import preview, preview_text
    from tracker.publish import views as output
    from tracker.publish.newsletter import render_newsletter

    opened = _open(args, worktree=True)
    found = preview(opened.snapshot, opened.today)
    fmt: Literal["json", "text"] = "json" if args.format == "json" else "text"
    section = None
    if found.release is not None:
        _warn_about(opened.snapshot, (entry.key for entry in found.release.entries))
        section = render_newsletter(
            opened.snapshot,
            found.release,
            opened.today,
            fmt,
            templates=opened.manual.texts.templates(opened.snapshot),
            summarise=opened.manual.differ.summary if fmt == "json" else None,  # (the text
        )  # shows no summaries; JSON has them, as the newsletter's own JSON has)
    if fmt == "json":  # (the same as the text: the newsletter section as data, as
        _print_json(  # tracker newsletter --format json gives it; null with no release)
            {
                "release": output.release_json(found.release, opened.today)
                if found.release
                else None,
                "waiting": [
                    {"id": w.document.id, **output.version_json(w.version), "reason": w.reason}
                    for w in found.waiting
                ],
                "undone": [
                    {"id": w.document.id, **output.version_json(w.version), "reason": w.reason}
                    for w in found.undone
                ],
                "newsletter": json.loads(section) if section is not None else None,
            }
        )
        return 0
    _out(preview_text(found, opened.today, section), end="")
    return 0


def _work_tree(args: argparse.Namespace) -> tuple[GitRepo, Path]:
    from tracker.repository.read import GitRepo

    repo = GitRepo(args.repo)
    if repo.work_tree is None:
        raise InputError("A bare repository has no working tree to write the file into.")
    return repo, repo.work_tree


def _init(args: argparse.Namespace) -> int:
    from tracker.authoring.scaffold import init_manual
    from tracker.repository.paths import Root

    _, tree = _work_tree(args)
    root = Root.parse(args.root)
    path = init_manual(tree, root.folder, args.title, args.short_name)
    print(f"Wrote {path}: edit it, then commit it.")
    return 0


def _new(args: argparse.Namespace) -> int:
    from tracker.authoring.scaffold import new_document
    from tracker.manual import Manual
    from tracker.repository.paths import Root

    repo, tree = _work_tree(args)
    root = Root.parse(args.root)
    manual = Manual(repo, root, args.branch)
    fixed = _fixed_today(args.today)
    path = new_document(
        tree, root.folder, manual, args.id, args.title, args.section, args.type, fixed
    )
    print(f"Wrote {path}: write the {args.type}, then commit it with a Change-Note.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from web.app import environment_read, serve, served_manual  # (FastAPI, only for this)

    fixed = _fixed_today(args.today)
    environment_read()  # (an operator's mistake is said before it starts, not by a request)
    manual = served_manual(args.repo, args.root, args.branch)
    if args.poll and manual.branch in (None, "HEAD"):  # else every poll would fail
        manual.close()
        raise InputError(
            "--poll fetches the branch the service follows, but the repository is on a "
            "detached HEAD: name the branch with --branch."
        )
    if manual.latest is not None:  # (none: its settings are broken, and nothing before them)
        _warn_about(manual.latest)
    serve(manual, fixed, args.host, args.port, args.workers, args.poll)
    return 0


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker.manual import open_manual
    from web.export import build_site  # the web pages, rendered to files

    fixed = _fixed_today(args.today)
    manual = open_manual(args.repo, root=args.root, branch=args.branch, publishing=True,
                         kept_when_done=True)  # fmt: skip
    _warn_about(manual.snapshot())
    report = build_site(manual, Path(args.out), args.base_url, fixed)
    manual.done()  # (a build stopped by a mistake says a rewrite again: the next one is read)
    done, lacking = report.counts, len(report.left_out)
    print(f"Exported {report.files} files to {args.out}: {done.written} written, {done.unchanged} "
          f"unchanged, {done.removed} removed; {len(report.rendered)} pages rendered.")  # fmt: skip
    if lacking:  # (a CI that deploys on success must not publish a copy with holes in it)
        print(f"tracker: error: {lacking} page{'s' * (lacking != 1)} could not be made (said "
              "above): the copy lacks them, and links to them lead nowhere; mend what was said "
              "and build again.", file=sys.stderr)  # fmt: skip
    return 1 if lacking else 0


def _newsletter(args: argparse.Namespace) -> int:
    from tracker import console, dates
    from tracker.publish.newsletter import render_newsletter

    opened = _open(args)
    snapshot = opened.snapshot
    if args.release is not None:  # ("" too: refused as a malformed date)
        release = snapshot.release(dates.parse_date(args.release, "release date"))
    else:
        release = snapshot.default_release(opened.today)
    _warn_about(snapshot, (entry.key for entry in release.entries))
    text = render_newsletter(
        snapshot,
        release,
        opened.today,
        args.format,
        templates=opened.manual.texts.templates(snapshot),
        summarise=opened.manual.differ.summary,
        exported={} if args.static_copy else None,
    )
    console.unlinked(snapshot.config.site_url)  # (once written: a mistake is one sentence)
    _out(text, end="")
    return 0


def _check(args: argparse.Namespace) -> int:
    from tracker.authoring import check, reports
    from tracker.config import CONFIG_FILE

    opened = _open(args, despite=True, worktree=True)  # (settings unread: a finding of its own)
    from tracker.publish.chapter import shown_plain, with_images
    from tracker.publish.newsletter import template_problems

    snapshot, today, texts = opened.snapshot, opened.today, opened.manual.texts
    unchecked, tried = check.unchecked(snapshot), check.tries_templates(snapshot)  # (said, if any)
    found = template_problems(snapshot, today, lambda: texts.templates(snapshot), tried)
    source = texts.remembering(doc.latest for doc in snapshot.documents)  # (read by each rule)
    published, files = with_images(source), opened.manual.repo  # (for images)
    problems = check.check_manual(  # (found: the templates', then commits not pushed)
        snapshot, today, published, None, [*found, *opened.unpushed], files, source, shown_plain
    )
    errors = sum(problem.level == "error" for problem in problems)
    warnings = len(problems) - errors
    if args.format == "json":
        findings = [reports.problem_json(problem) for problem in problems]
        report = {"findings": findings, "errors": errors, "warnings": warnings}
        _print_json({**report, "unchecked": unchecked})
    elif args.format == "github":
        _out(reports.github_annotations(problems, snapshot), end="")
    elif args.format == "gitlab":
        settings = snapshot.root.join(CONFIG_FILE)  # (commit findings go there, if it exists)
        has = opened.manual.repo.file_objects([(snapshot.head, settings)])[0] is not None
        _print_json(reports.gitlab_report(problems, snapshot, has))
    else:
        for line in reports.text_lines(problems, snapshot):
            _out(line)
        print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}.")
    return 1 if errors else 0


def _commit_msg(args: argparse.Namespace) -> int:
    from tracker.authoring.message import check_message, read_message

    problems = check_message(read_message(args.file), _fixed_today(args.today))
    for problem in problems:
        print(f"tracker: commit message: {problem}", file=sys.stderr)
    if problems:
        print(
            "tracker: the commit was stopped; mend the message and commit again.", file=sys.stderr
        )
    return 1 if problems else 0


def _out(text: str, end: str = "\n", colours: bool = False) -> None:
    from tracker.console import out

    if colours:  # a coloured diff's own codes are kept; a chapter's are shown harmless
        from tracker.trackchanges.textviews import COLOUR_CODES

        out(text, end, keep=COLOUR_CODES)
    else:
        out(text, end)


def _print_json(data: Any) -> None:
    from tracker.console import print_json

    print_json(data)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "releases": _releases,
    "history": _history,
    "show": _show,
    "diff": _diff,
    "newsletter": _newsletter,
    "serve": _serve,
    "build": _build,
    "preview": _preview,
    "init": _init,
    "new": _new,
    "check": _check,
    "commit-msg": _commit_msg,
}


if __name__ == "__main__":
    sys.exit(main())
