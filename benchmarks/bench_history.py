"""Time reading a manual's history, the commands and the pages, against baselines in the same run.

For each size a seeded synthetic manual is built (benchmarks/synthetic.py: chapters of 2 to 30
KB, trailers, renames, deletions, merged branches, a release schedule), then each figure is the
median of several runs, with its baseline measured in the same run, in turns:

- cold: the first ``tracker releases`` (empty index) against git's floor for the same reading
  (``git log --raw`` over the manual's folder, then ``git cat-file --batch`` of every version,
  newest first);
- start-up: ``tracker --help`` (the console script) against ``python -c pass``;
- warm: ``tracker releases``, ``tracker history ID`` and ``tracker check`` with the index up to
  date, less a command's start-up (``python -m tracker releases --help``: Python, the command
  line, argparse);
- incremental: the first ``tracker releases`` after 1 new commit, and after 100, less start-up;
- peak RSS of the cold and warm commands;
- the naive way, once: GitPython's ``iter_commits(paths=...)`` per chapter plus a patch per
  commit, timed on chapters drawn at random for a while and extrapolated to all of them;
- pages served in-process against an empty FastAPI route in the same process: each page's first
  request (made cold), then p50 and p95 from the page cache, and p50 and p95 of the same page
  from the service without its cache (made every time, as after a new commit); and
  the requests per second of ``tracker serve`` under a bounded load on loopback against an empty
  FastAPI app on uvicorn (benchmarks/webload.py).

    .venv/bin/python benchmarks/bench_history.py [--sizes 1000,10000,50000] [--quick]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import report  # noqa: E402
from measure import (  # noqa: E402
    environment,
    git_floor,
    median,
    naive_gitpython,
    run,
    timed,
    tracker,
)
from synthetic import append_commits, build  # noqa: E402


@dataclass(frozen=True)
class Settings:
    """How much to measure: sizes, and how many runs of each figure."""

    chapters: int = 300
    sizes: tuple[int, ...] = (1_000, 10_000, 50_000)
    seed: int = 8
    cold_runs: int = 3
    runs: int = 5  # warm commands and +1 commit
    startup_runs: int = 10
    hundred_runs: int = 3
    page_runs: int = 30
    load_seconds: float = 10.0
    connections: int = 8
    naive_budget: float = 30.0  # seconds of the naive way before extrapolating
    repack: bool = True  # pack the manual as a clone would have it (benchmarks/synthetic.py)


QUICK = Settings(
    chapters=12,
    sizes=(120,),
    cold_runs=1,
    runs=2,
    startup_runs=3,
    hundred_runs=1,
    page_runs=3,
    load_seconds=1.0,
    connections=2,
    naive_budget=0.3,
)


def figure(
    seconds: float, baseline: float | None = None, target: str = "", met: bool | None = None
) -> dict[str, Any]:
    """One figure as JSON: milliseconds, its baseline and ratio, the issue's target."""
    data: dict[str, Any] = {"ms": seconds * 1e3}
    if baseline is not None:
        data |= {"baseline_ms": baseline * 1e3, "ratio": seconds / baseline}
    return data | {"target": target, "meets_target": met}


def measure_size(
    folder: Path, settings: Settings, commits: int, profile: Path | None
) -> dict[str, Any]:
    """Every figure on one synthetic manual of ``settings.chapters`` by ``commits``."""
    repo, built_in = fresh_manual(folder, settings, commits)
    cache = folder / f"cache-{commits}"
    shutil.rmtree(cache, ignore_errors=True)
    last = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=repo, capture_output=True, text=True, check=True
    )
    today = datetime.fromtimestamp(int(last.stdout), UTC).date()
    env = environment(cache, today)
    releases = tracker("releases", "--repo", str(repo))
    result: dict[str, Any] = {"chapters": settings.chapters, "commits": commits}
    result["build_seconds"] = built_in
    result["load_average"] = os.getloadavg()  # other work on the machine, as the size began
    figures: dict[str, Any] = {}

    floors, colds = [], []
    for _ in range(settings.cold_runs):  # in turns, so that noise falls on both alike
        floors.append(git_floor(repo))
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(run(releases, env))
    floor, cold = median(floors), median(r.seconds for r in colds)
    figures["git_floor"] = figure(floor)
    figures["cold_releases"] = figure(cold, floor, "<= 1.5x floor", cold <= 1.5 * floor)

    start, figures["startup"] = startup(settings, env)

    facts = manual_facts(repo, cache, today)
    result |= {key: facts[key] for key in ("versions", "documents", "releases")}
    history = tracker("history", facts["chapter"], "--repo", str(repo))
    warm = [run(releases, env) for _ in range(settings.runs)]
    warm_history = [run(history, env) for _ in range(settings.runs)]
    check = tracker("check", "--repo", str(repo))  # (exit status 1: it found an error)
    warm_check = [run(check, env, statuses=(0, 1)) for _ in range(settings.runs)]
    named = (("warm_releases", warm), ("warm_history", warm_history), ("warm_check", warm_check))
    for name, runs in named:
        beyond = median(r.seconds for r in runs) - start
        figures[name] = figure(beyond, None, "<= 50 ms", beyond <= 0.05)
    warms = warm + warm_history + warm_check
    peak = max(r.peak_mb for r in colds + warms)
    figures["peak_rss"] = {
        "cold_mb": max(r.peak_mb for r in colds),
        "warm_mb": max(r.peak_mb for r in warms),
        "target": "< 300 MB",
        "meets_target": peak < 300,
    }
    if profile is not None:
        profile_commands(releases, env, cache, profile / f"profile-{commits}")

    from webload import load, serve_empty, serve_tracker

    pages, started = in_process_pages(repo, cache, today, facts, settings.page_runs)
    empty = pages.pop("empty")
    figures["pages"] = {"empty_route": empty.json(), "apps_started_ms": started * 1e3} | {
        name: times.json(empty) for name, times in pages.items()
    }
    figures["pages"]["target"] = "p50 <= 2x, p95 <= 5x the empty route"
    paths = list(facts["pages"].values())
    served = load(
        *serve_tracker(repo, today, env), paths, settings.load_seconds, settings.connections
    )
    bare = load(*serve_empty(env), ["/"], settings.load_seconds, settings.connections)
    figures["serve"] = served.json() | {
        "connections": settings.connections,
        "empty_app_requests_per_second": bare.requests / bare.seconds,
        "ratio": (served.requests / served.seconds) / (bare.requests / bare.seconds),
        "target": "",
        "meets_target": None,
    }

    naive = naive_gitpython(repo, settings.naive_budget, settings.seed)
    estimate = naive.estimate(facts["versions"])
    figures["naive_gitpython"] = figure(estimate, cold) | asdict(naive)

    for name, count, times in (
        ("plus_1_commit", 1, settings.runs),
        ("plus_100_commits", 100, settings.hundred_runs),
    ):
        after = []
        for number in range(times):
            append_commits(repo, count, seed=settings.seed * 1000 + count + number)
            after.append(run(releases, env).seconds - start)
        target = "<= 50 ms" if count == 1 else ""
        met = median(after) <= 0.05 if count == 1 else None
        figures[name] = figure(median(after), None, target, met)
    served = served_after_commits(repo, settings.runs, settings.seed)
    figures["plus_1_commit_served"] = figure(served, None, "<= 50 ms", served <= 0.05)
    result["figures"] = figures
    result["facts"] = {
        k: v for k, v in facts.items() if k in ("chapter", "chapter_versions", "release")
    }
    return result


# What any command line built on argparse pays: its import (re, enum, gettext) and a help.
ARGPARSE_HELP = (
    "import argparse; parser = argparse.ArgumentParser(prog='bare', description='A program.'); "
    "parser.add_subparsers(metavar='COMMAND').add_parser('one', help='a command'); "
    "parser.print_help()"
)


def startup(settings: Settings, env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """``tracker --help`` as users run it (the console script) against ``python -c pass``, with
    ``python -m tracker releases --help`` (a command's start-up: Python, the command line and
    argparse with the command's options; the other commands here are run as ``python -m``, and
    this is the start-up taken off them, returned first), ``python -m tracker --help`` and a
    bare argparse program's help beside them."""
    script = Path(sys.executable).with_name("tracker")
    commands = {
        "script": [str(script), "--help"] if script.exists() else tracker("--help"),
        "module": tracker("--help"),
        "command": tracker("releases", "--help"),
        "python": [sys.executable, "-c", "pass"],
        "argparse": [sys.executable, "-c", ARGPARSE_HELP],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(settings.startup_runs):  # in turns, so that noise falls on each alike
        for name, command in commands.items():
            times[name].append(run(command, env).seconds)
    got = {name: median(values) for name, values in times.items()}
    start, python = got["script"], got["python"]
    extra = {
        "python_m_ms": got["module"] * 1e3,
        "command_help_ms": got["command"] * 1e3,
        "argparse_help_ms": got["argparse"] * 1e3,
    }
    return got["command"], figure(start, python, "<= 2x python", start <= 2 * python) | extra


def fresh_manual(folder: Path, settings: Settings, commits: int) -> tuple[Path, float | None]:
    """A clone of the synthetic manual to measure (the incremental figures add commits to it),
    and how long building it took: None when an earlier run with ``--keep`` had built it."""
    name = f"manual-{settings.chapters}x{commits}-seed{settings.seed}"
    pristine = folder / (name + ("" if settings.repack else "-unpacked"))
    built_in = None
    if not pristine.is_dir():
        part = pristine.with_name(pristine.name + ".part")  # a build cut short is started anew
        shutil.rmtree(part, ignore_errors=True)
        built_in = timed(
            lambda: build(part, settings.chapters, commits, settings.seed, settings.repack)
        )
        part.rename(pristine)
    repo = folder / f"measured-{commits}"
    shutil.rmtree(repo, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", "--local", str(pristine), str(repo)], check=True)
    return repo, built_in


def manual_facts(repo: Path, cache: Path, today: date) -> dict[str, Any]:
    """What the pages and commands are asked about, read in-process (the index is warm)."""
    os.environ["TRACKER_CACHE_DIR"] = str(cache)
    from tracker.manual import open_manual
    from tracker.publish.urls import Urls

    manual = open_manual(repo)
    try:
        snapshot = manual.snapshot()
    finally:
        manual.close()
    # A busy chapter, not the busiest: the 90th percentile of versions (published today).
    live = sorted(
        (d for d in snapshot.documents if not d.latest.deleted), key=lambda d: len(d.versions)
    )
    chapter = live[int(len(live) * 0.9)]
    past = [r for r in snapshot.releases if not r.is_upcoming(today)]
    release = past[-1].date
    urls = Urls()
    pages = {
        "home": urls.home(),
        "contents": urls.contents(),
        "chapter": urls.chapter(chapter.id),
        "diff": urls.diff(chapter.id),  # before the history page, which works out every diff
        "history": urls.history(chapter.id),
        "release": urls.release(release),
        "newsletter": urls.newsletter(release),
    }
    return {
        "versions": sum(len(d.versions) for d in snapshot.documents),
        "documents": len(snapshot.documents),
        "releases": len(snapshot.releases),
        "chapter": chapter.id,
        "chapter_versions": len(chapter.versions),
        "release": release.isoformat(),
        "pages": pages,
    }


def in_process_pages(
    repo: Path, cache: Path, today: date, facts: dict[str, Any], runs: int
) -> tuple[dict[str, Any], float]:
    """p50 and p95 of each page through the ASGI app in this process (its first request made
    cold, the later ones from the page cache; and each page from the same service without the
    cache), and of the empty route; with how long starting the apps took."""
    from webload import pages_in_process

    from tracker.manual import open_manual
    from web.app import create_app

    manual = open_manual(repo)
    try:
        manual.snapshot()  # the snapshot is read once, as a running service has it
        app, uncached = create_app(manual, today), create_app(manual, today, cache_bytes=0)
        try:
            return pages_in_process(app, facts["pages"], runs, uncached)
        finally:  # (their search index warm-ups give way to requests, so may still be
            for started in (app, uncached):  # working: not beside what is measured next)
                warming = getattr(started.state, "warming", None)
                if warming is not None:
                    warming.join()
    finally:
        manual.close()


def served_after_commits(repo: Path, runs: int, seed: int) -> float:
    """The median time a running service (its manual read whole, as ``tracker serve`` holds
    it; the cache as ``manual_facts`` set it) takes to move on to a new commit: no start-up,
    no imports, the documents the commit did not touch held already."""
    from tracker.manual import open_manual

    manual = open_manual(repo)
    try:
        manual.snapshot()
        times = []
        for number in range(runs):
            append_commits(repo, 1, seed=seed * 1000 + 500 + number)
            times.append(timed(manual.snapshot))
    finally:
        manual.close()
    return median(times)


def profile_commands(command: list[str], env: dict[str, str], cache: Path, out: Path) -> None:
    """pyinstrument's text profiles of the cold and the warm command (``--profile``)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(cache, ignore_errors=True)
    for kind in ("cold", "warm"):
        profiled = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o"]
        profiled += [str(out / f"{kind}-releases.txt"), *command[1:]]
        subprocess.run(profiled, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="one tiny manual, few runs: a smoke test"
    )
    parser.add_argument("--sizes", help="commits of each manual, e.g. 1000,10000,50000")
    parser.add_argument("--chapters", type=int, help="chapters of each manual (default 300)")
    parser.add_argument(
        "--json",
        type=Path,
        default=ROOT / "build" / "bench-history.json",
        help="where to write the figures (default build/bench-history.json)",
    )
    parser.add_argument(
        "--keep", type=Path, help="keep the manuals in this folder, and reuse those built before"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="also profile the cold and warm command with pyinstrument, into DIR",
    )
    parser.add_argument(
        "--no-repack", action="store_true", help="read fast-import's pack, as it wrote it"
    )
    args = parser.parse_args()
    settings = QUICK if args.quick else Settings()
    if args.sizes:
        settings = replace(
            settings, sizes=tuple(int(s.replace("_", "")) for s in args.sizes.split(","))
        )
    if args.no_repack:
        settings = replace(settings, repack=False)
    if args.chapters:
        settings = replace(settings, chapters=args.chapters)
    results = {"machine": machine(), "settings": asdict(settings), "sizes": []}
    for package in ("tracker", "web"):  # measured as installed: bytecode compiled, not source
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        folder = args.keep or Path(scratch)
        for commits in settings.sizes:
            measured = measure_size(folder, settings, commits, args.profile)
            results["sizes"].append(measured)
            report.print_size(measured)
    results["machine"]["load_average_after"] = os.getloadavg()
    report.print_scaling(results["sizes"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nThe figures are in {args.json}.")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    git = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "git": git.stdout.split()[-1],
    }


if __name__ == "__main__":
    main()
