"""Time a chapter's history page cold, and after a service has worked its summaries out ahead.

A history page shows the summary of each version's change: a diff each, kept in the diff
cache's file once made. ``tracker serve`` works them all out in the background as it starts
(web/ahead.py). This measures, on a seeded synthetic manual (benchmarks/synthetic.py), in one
process with the manual's snapshot read already (as a running service has it):

- the work ahead itself: how many summaries, the wall-clock and CPU time, the peak memory;
- the history pages of the busiest chapter and of the 90th percentile's, through the app with
  its page cache off: cold (no summary kept, as the first reader after a deployment found it)
  and after the work ahead (a fresh process's memory, the cache file full), each against an
  empty FastAPI route in the same process (the baseline; medians).

    .venv/bin/python benchmarks/bench_ahead.py [--chapters 300] [--commits 10000] [--repo PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", type=int, default=300)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--repo", type=Path, help="a manual built already (synthetic.py)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each page (default 3)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_CACHE_DIR"] = str(Path(folder) / "cache")
        repo = options.repo
        if repo is None:
            from synthetic import build

            repo = Path(folder) / "manual"
            build(repo, options.chapters, options.commits, options.seed)
        figures = measure(repo, options.runs)
    print(table(figures))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")


def measure(repo: Path, runs: int) -> dict[str, Any]:
    from starlette.testclient import TestClient
    from webload import empty_app

    from tracker.index.store import cache_folder
    from tracker.manual import open_manual
    from web import ahead
    from web.app import create_app

    # The work ahead, first, as a service's process has it: the snapshot read, nothing else.
    worker = open_manual(repo)
    snapshot = worker.snapshot()
    diffs = cache_folder(worker.repo) / "diffs.sqlite"
    diffs.unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    made = ahead.work_ahead(snapshot, worker.differ, diffs.parent, lambda: None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker.close()
    kept = diffs.read_bytes()

    today = max(r.date for r in snapshot.releases)
    live = sorted(snapshot.documents, key=lambda d: len(d.versions))
    chapters = {"busiest": live[-1], "p90": live[int(len(live) * 0.9)]}

    def page(document: Any) -> float:
        """The history page from a new service (nothing in memory), its snapshot read and its
        first page made already, without the page cache."""
        served = open_manual(repo)
        try:
            with TestClient(create_app(served, today, cache_bytes=0)) as client:
                assert client.get("/chapters").status_code == 200
                start = time.perf_counter()
                assert client.get(f"/chapters/{document.id}/history").status_code == 200
                return time.perf_counter() - start
        finally:
            served.close()

    with TestClient(empty_app()) as client:
        client.get("/")
        empty = []
        for _ in range(200):
            start = time.perf_counter()
            client.get("/")
            empty.append(time.perf_counter() - start)
    baseline = statistics.median(empty)

    pages: dict[str, Any] = {}
    for name, document in chapters.items():
        after = statistics.median(page(document) for _ in range(runs))
        pages[name] = {"versions": len(document.versions), "after_ms": after * 1e3}
    for name, document in chapters.items():
        colds = []
        for _ in range(runs):
            diffs.unlink(missing_ok=True)
            colds.append(page(document))
        cold = statistics.median(colds)
        pages[name] |= {
            "cold_ms": cold * 1e3,
            "cold_ratio": cold / baseline,
            "after_ratio": pages[name]["after_ms"] / 1e3 / baseline,
        }
    diffs.write_bytes(kept)  # (as the work ahead left it)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "versions": sum(len(d.versions) for d in snapshot.documents),
        "today": date.isoformat(today),
        "empty_route_ms": baseline * 1e3,
        "ahead": {
            "summaries": made,
            "seconds": wall,
            "cpu_seconds": cpu,
            "ms_each": cpu / max(made, 1) * 1e3,
            "file_mb": len(kept) / 2**20,
            "peak_rss_mb_before": before / 1024,
            "peak_rss_mb": peak / 1024,
        },
        "history_pages": pages,
    }


def table(figures: dict[str, Any]) -> str:
    done = figures["ahead"]
    lines = [
        f"{figures['versions']} versions; empty route {figures['empty_route_ms']:.2f} ms",
        f"worked out ahead: {done['summaries']} summaries in {done['seconds']:.1f} s "
        f"({done['cpu_seconds']:.1f} s CPU, {done['ms_each']:.1f} ms each), "
        f"{done['file_mb']:.1f} MB kept, peak memory {done['peak_rss_mb_before']:.0f} MB "
        f"before, {done['peak_rss_mb']:.0f} MB after",
        "",
        "| history page | versions | cold | x empty route | after the work ahead | x empty route |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, page in figures["history_pages"].items():
        lines.append(
            f"| {name} | {page['versions']} | {page['cold_ms']:.0f} ms | {page['cold_ratio']:.0f} "
            f"| {page['after_ms']:.1f} ms | {page['after_ratio']:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
