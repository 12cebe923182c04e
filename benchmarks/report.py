"""The history benchmark's tables: every figure for one size, then how cost grows with size."""

from __future__ import annotations

import itertools
from typing import Any

ROWS = (  # key, what it is (against what)
    ("git_floor", "git's floor: log --raw + cat-file --batch"),
    ("cold_releases", "cold `tracker releases` vs git's floor"),
    ("startup", "start-up `tracker --help` vs `python -c pass`"),
    ("warm_releases", "warm `tracker releases`, beyond start-up"),
    ("warm_history", "warm `tracker history ID`, beyond start-up"),
    ("warm_check", "warm `tracker check`, beyond start-up"),
    ("plus_1_commit", "+1 commit: `tracker releases`, beyond start-up"),
    ("plus_100_commits", "+100 commits: `tracker releases`, beyond start-up"),
    ("plus_1_commit_served", "+1 commit: a running service moves on to it"),
    ("naive_gitpython", "naive GitPython (extrapolated) vs cold tracker"),
)


def _met(value: bool | None) -> str:
    return {True: "yes", False: "NO", None: ""}[value]


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def print_size(size: dict[str, Any]) -> None:
    """Every figure of one manual, with its baseline, ratio and the issue's target."""
    figures, facts = size["figures"], size["facts"]
    seconds = size["build_seconds"]
    built = "manual reused" if seconds is None else f"manual built in {seconds:.1f} s"
    print(
        f"\n{size['chapters']} chapters x {size['commits']:,} commits: {size['versions']:,} "
        f"versions, {size['releases']:,} releases ({built})"
    )
    print(f"{'figure':<50} {'ms':>9} {'baseline':>9} {'ratio':>7}  {'target':<16} met")
    for key, label in ROWS:
        if key not in figures:
            continue  # (a figure an older run did not measure)
        item = figures[key]
        ratio = f"{item['ratio']:.2f}" if "ratio" in item else ""
        base = _ms(item.get("baseline_ms"))
        print(
            f"{label:<50} {_ms(item['ms']):>9} {base:>9} {ratio:>7}  "
            f"{item['target']:<16} {_met(item['meets_target'])}"
        )
    start = figures["startup"]
    print(
        f"  start-up: `python -m tracker --help` {_ms(start['python_m_ms'])} ms; "
        f"`python -m tracker releases --help` {_ms(start.get('command_help_ms'))} ms (taken off "
        f"warm, +1, +100); a bare argparse program's help {_ms(start['argparse_help_ms'])} ms"
    )
    naive = figures["naive_gitpython"]
    print(
        f"  naive: {naive['chapters_measured']} of {naive['chapters']} chapters listed in "
        f"{naive['listing_seconds']:.1f} s, {naive['commits_diffed']:,} commits diffed in "
        f"{naive['diff_seconds']:.1f} s; estimated for {size['versions']:,} versions"
    )
    rss = figures["peak_rss"]
    print(
        f"{'peak RSS, cold / warm command (MB)':<50} {rss['cold_mb']:>9.0f} {rss['warm_mb']:>9.0f}"
        f" {'':>7}  {rss['target']:<16} {_met(rss['meets_target'])}"
    )
    print(
        f"\nPages in-process (chapter {facts['chapter']}, {facts['chapter_versions']} versions; "
        f"release {facts['release']}); target {figures['pages']['target']}"
    )
    print(
        f"{'page':<12} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}  met"
        f"  {'uncached p50':>12} {'p95':>7}"
    )
    for name, page in figures["pages"].items():
        if not isinstance(page, dict):  # the target, how long the apps took to start
            continue
        p50x = f"{page['ratio_p50']:.1f}" if "ratio_p50" in page else ""
        p95x = f"{page['ratio_p95']:.1f}" if "ratio_p95" in page else ""
        made = (
            f"  {_ms(page['uncached_p50_ms']):>12} {_ms(page['uncached_p95_ms']):>7}"
            if "uncached_p50_ms" in page
            else ""
        )
        print(
            f"{name:<12} {_ms(page['first_ms']):>9} {_ms(page['p50_ms']):>8} "
            f"{_ms(page['p95_ms']):>8} {p50x:>7} {p95x:>7}  {_met(page.get('meets_target')):<3}"
            + made
        )
    print(
        "(first: the page's first request, made cold; p50/p95: later ones, from the page cache;"
        " uncached: the same service without its cache, each made anew; the apps started in "
        f"{_ms(figures['pages']['apps_started_ms'])} ms)"
    )
    serve = figures["serve"]
    print(
        f"\n`tracker serve` under load ({serve['connections']} connections, "
        f"{serve['seconds']:.0f} s, the pages above in turn): "
        f"{serve['requests_per_second']:.1f} requests/s (empty app "
        f"{serve['empty_app_requests_per_second']:.0f}/s, ratio {serve['ratio']:.3f}), "
        f"p50 {_ms(serve['p50_ms'])} ms, p95 {_ms(serve['p95_ms'])} ms, "
        f"{serve['errors']} errors, peak RSS {serve['peak_rss_mb']:.0f} MB"
    )


SCALING = (  # column, width, how to read it from one size
    ("commits", 8, lambda s: f"{s['commits']:,}"),
    ("versions", 9, lambda s: f"{s['versions']:,}"),
    ("floor ms", 9, lambda s: _ms(s["figures"]["git_floor"]["ms"])),
    ("cold ms", 9, lambda s: _ms(s["figures"]["cold_releases"]["ms"])),
    ("x floor", 7, lambda s: f"{s['figures']['cold_releases']['ratio']:.2f}"),
    ("warm ms", 8, lambda s: _ms(s["figures"]["warm_releases"]["ms"])),
    ("hist ms", 8, lambda s: _ms(s["figures"]["warm_history"]["ms"])),
    ("+1 ms", 8, lambda s: _ms(s["figures"]["plus_1_commit"]["ms"])),
    ("+100 ms", 8, lambda s: _ms(s["figures"]["plus_100_commits"]["ms"])),
    ("RSS MB", 7, lambda s: f"{s['figures']['peak_rss']['cold_mb']:.0f}"),
    ("home p50", 9, lambda s: _ms(s["figures"]["pages"]["home"]["p50_ms"])),
    ("naive s", 8, lambda s: f"{s['figures']['naive_gitpython']['ms'] / 1e3:,.0f}"),
)


def print_scaling(sizes: list[dict[str, Any]]) -> None:
    """The core figures at each size, and how much each grew from one size to the next."""
    if len(sizes) < 2:
        return
    print("\nHow cost grows (warm, +1 and +100 beyond start-up; RSS of the cold command):")
    print(" ".join(f"{name:>{width}}" for name, width, _ in SCALING))
    for size in sizes:
        print(" ".join(f"{read(size):>{width}}" for _, width, read in SCALING))
    keys = ("git_floor", "cold_releases", "warm_releases", "plus_1_commit")
    for before, after in itertools.pairwise(sizes):
        grew = after["commits"] / before["commits"]
        parts = [
            f"{key} x{after['figures'][key]['ms'] / max(before['figures'][key]['ms'], 1e-3):.1f}"
            for key in keys
        ]
        print(
            f"  {before['commits']:,} -> {after['commits']:,} commits (x{grew:.0f}): "
            + ", ".join(parts)
        )
