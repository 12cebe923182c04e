"""Time the static export (``tracker build --out DIR``) against copying its files, in one run.

On a seeded synthetic manual (benchmarks/synthetic.py; a monthly release schedule, so about
twelve releases a year of history) each figure is the CPU time (user + system) of the command,
the median of several runs taken in turns with the baseline:

- cold: a build into an empty folder (the index already made, as on a server);
- nothing changed: a second build of the same branch head on the same day;
- one commit: a build after one new commit (a different commit each run);
- next day: a build without ``--today`` on the day after the last one (as a nightly job runs
  it; pages then say no day, and read today only against the manual's dates: a day that passes
  none of them renders again only the pages that name the day);
- the baseline: copying the same files into an empty folder (``cp -r``, the least any build
  that writes them all can cost), and writing the manifest's JSON once.

    .venv/bin/python benchmarks/bench_export.py [--chapters 30] [--commits 300] [--runs 3]
        [--code DIR]   # another checkout's tracker/ and web/, to compare before and after
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(1, str(ROOT))

from measure import median  # noqa: E402
from synthetic import append_commits, build  # noqa: E402

TODAY = "2025-01-15"  # after the synthetic history's last commit (end of 2024)
BASE = "https://procedures.example.org"  # the synthetic manual's site_url


def cpu(args: list[str], env: dict[str, str], where: Path) -> tuple[float, float]:
    """Run a command to its end in the folder ``where`` (not this checkout, which ``python -m``
    would import first): its CPU seconds (user + system, with its children) and wall."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=where)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used, wall


def export(repo: Path, out: Path, env: dict[str, str]) -> tuple[float, float]:
    command = [sys.executable, "-m", "tracker", "build", "--repo", str(repo), "--out", str(out)]
    return cpu([*command, "--today", TODAY, "--base-url", BASE], env, out.parent)


# A build without --today on a day given: a nightly job's (the command line's --today fixes the
# day, which every page then names). Code from before ``build_site`` took a clock reads the
# day from ``dates.today``, replaced here for it.
_ON_DAY = """
import inspect, sys
from datetime import date
from pathlib import Path
from tracker import dates
from tracker.manual import open_manual
from web import export
repo, out, day, base = sys.argv[1], Path(sys.argv[2]), date.fromisoformat(sys.argv[3]), sys.argv[4]
if "clock" in inspect.signature(export.build_site).parameters:
    export.build_site(open_manual(repo), out, base, None, clock=lambda _zone: day)
else:
    dates.today = lambda _zone, fixed=None: fixed or day
    export.build_site(open_manual(repo), out, base, None)
"""


def export_on(repo: Path, out: Path, day: str, env: dict[str, str]) -> tuple[float, float]:
    return cpu([sys.executable, "-c", _ON_DAY, str(repo), str(out), day, BASE], env, out.parent)


def quiet_nights(repo: Path) -> tuple[str, str]:
    """Two days in a row, from TODAY on, with none of the manual's dates between them that
    pages compare today with (a go-live, a release, the end of a release's recent weeks):
    the common night, when nothing goes live."""
    from tracker.manual import open_manual
    from web.pagekeys import era  # (this checkout's, whatever code is measured)

    snapshot = open_manual(repo).snapshot()
    day = date.fromisoformat(TODAY)
    while era(snapshot, day) != era(snapshot, day + timedelta(days=1)):
        day += timedelta(days=1)
    return day.isoformat(), (day + timedelta(days=1)).isoformat()


def measure(folder: Path, chapters: int, commits: int, runs: int, code: Path | None) -> Any:
    """Every figure on one synthetic manual."""
    repo = folder / "manual"
    built = build(repo, chapters, commits, seed=8)
    env = {**os.environ, "TRACKER_CACHE_DIR": str(folder / "cache")}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    subprocess.run(
        [sys.executable, "-m", "tracker", "releases", "--repo", str(repo)],
        env=env,
        check=True,
        capture_output=True,
        cwd=folder,
    )  # the index, made once: a server has it already
    names = ("cold", "copy", "unchanged", "commit", "next_day")
    figures: dict[str, list[float]] = {name: [] for name in names}
    out = folder / "site"
    for number in range(runs):  # in turns, so that the machine's noise falls on each alike
        shutil.rmtree(out, ignore_errors=True)
        figures["cold"].append(export(repo, out, env)[0])
        copy = folder / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        figures["copy"].append(cpu(["cp", "-r", str(out), str(copy)], env, folder)[0])
        figures["unchanged"].append(export(repo, out, env)[0])
        append_commits(repo, 1, seed=8000 + number)
        figures["commit"].append(export(repo, out, env)[0])
        nightly = folder / "nightly"
        shutil.rmtree(nightly, ignore_errors=True)
        night, next_night = quiet_nights(repo)
        export_on(repo, nightly, night, env)  # (every page: the first without --today)
        figures["next_day"].append(export_on(repo, nightly, next_night, env)[0])
    files = sum(1 for path in out.rglob("*") if path.is_file())
    manifest = out / ".tracker-build.json"
    started = time.process_time()
    json.dumps(json.loads(manifest.read_text("utf-8")))
    json_seconds = time.process_time() - started
    return {
        "chapters": built.chapters,
        "commits": commits,
        "files": files,
        "megabytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6,
        "runs": figures,
        "cpu_seconds": {name: median(values) for name, values in figures.items()},
        "manifest_json_seconds": json_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=30)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, help="run this checkout's code instead")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench-export.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as scratch:
        result = measure(Path(scratch), args.chapters, args.commits, args.runs, args.code)
    seconds = result["cpu_seconds"]
    print(
        f"{result['chapters']} chapters x {result['commits']} commits: {result['files']} files, "
        f"{result['megabytes']:.0f} MB; CPU seconds (median of {args.runs}):"
    )
    print(f"  {'build, cold':<28}{seconds['cold']:8.2f}")
    print(f"  {'build, nothing changed':<28}{seconds['unchanged']:8.2f}")
    print(f"  {'build, after one commit':<28}{seconds['commit']:8.2f}")
    print(f"  {'build, the next day':<28}{seconds['next_day']:8.2f}")
    print(f"  {'baseline: cp -r the files':<28}{seconds['copy']:8.2f}")
    print(f"  {'baseline: the manifest JSON':<28}{result['manifest_json_seconds']:8.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"The figures are in {args.json}.")


if __name__ == "__main__":
    main()
