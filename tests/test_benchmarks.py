"""The benchmarks still run against the engine as it is (their figures are not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = sorted((Path(__file__).parent.parent / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=[path.stem for path in BENCHMARKS])
def test_benchmark_imports_and_explains_itself(script: Path):
    result = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


BENCH = Path(__file__).parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):
    """The benchmarks' manual generator (benchmarks/synthetic.py), imported as the scripts do."""
    sys.path.insert(0, str(BENCH))
    try:
        import synthetic

        yield synthetic
    finally:
        sys.path.remove(str(BENCH))


def tracker_json(repo: Path, cache: Path, *args: str) -> Any:
    result = subprocess.run(
        [sys.executable, "-m", "tracker", *args, "--repo", str(repo), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TRACKER_CACHE_DIR": str(cache), "TRACKER_TODAY": "2025-01-01"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # valid front matter, no chapter left out
    return json.loads(result.stdout)


def test_the_synthetic_manual_is_read_with_its_renames_merges_and_deletions(
    synthetic, tmp_path: Path
):
    built = synthetic.build(tmp_path / "manual", chapters=12, commits=200, seed=3)
    assert built.renamed and built.deleted and built.restored and built.merged
    log = subprocess.run(
        ["git", "log", "--format=%H %P", "main"],
        cwd=built.path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(log) == built.commits >= 200
    assert any(len(line.split()) == 3 for line in log)  # merges
    cache = tmp_path / "cache"
    releases = tracker_json(built.path, cache, "releases")["releases"]
    changes = {entry["change"] for release in releases for entry in release["entries"]}
    assert {"new", "updated", "withdrawn"} <= changes
    assert any(release["upcoming"] for release in releases)

    renamed = tracker_json(built.path, cache, "history", built.renamed[0])
    assert "renamed" in {version["kind"] for version in renamed["versions"]}
    deleted = tracker_json(built.path, cache, "history", built.deleted[0])
    assert "withdrawn" in {version["kind"] for version in deleted["versions"]}
    merged = tracker_json(built.path, cache, "history", built.merged[0])
    assert any(len(version["sources"]) > 1 for version in merged["versions"])
    before = len(log)
    synthetic.append_commits(built.path, 3, seed=4)
    count = subprocess.run(
        ["git", "rev-list", "--count", "main"],
        cwd=built.path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(count.stdout) == before + 3
    assert tracker_json(built.path, cache, "releases")["releases"] != releases


def test_the_history_benchmark_runs_quickly_and_writes_its_figures(tmp_path: Path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_history.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "cold `tracker releases`" in result.stdout
    data = json.loads(out.read_text())
    assert {"machine", "settings", "sizes"} <= set(data)
    (size,) = data["sizes"]
    assert {"chapters", "commits", "versions", "releases", "figures"} <= set(size)
    figures = size["figures"]
    assert set(figures) == {
        "git_floor", "cold_releases", "startup", "warm_releases", "warm_history", "warm_check",
        "plus_1_commit", "plus_100_commits", "plus_1_commit_served", "naive_gitpython",
        "peak_rss", "pages", "serve",
    }  # fmt: skip
    for key in ("cold_releases", "startup", "naive_gitpython"):
        assert figures[key]["ms"] > 0 and figures[key]["ratio"] > 0
    assert figures["plus_1_commit_served"]["ms"] > 0
    assert {"home", "contents", "chapter", "history", "diff", "release", "newsletter"} < set(
        figures["pages"]
    )
    assert figures["pages"]["home"]["p95_ms"] >= figures["pages"]["home"]["p50_ms"] > 0
    assert figures["serve"]["requests"] > 0 and figures["serve"]["errors"] == 0
    assert 0 < figures["peak_rss"]["cold_mb"] < 10_000
