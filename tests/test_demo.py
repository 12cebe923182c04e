"""The demo manual: its history tells the story the README promises, and the golden text."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from tracker.authoring.check import check_manual
from tracker.demo import build_demo, demo_source, final_tree
from tracker.errors import InputError
from tracker.history.snapshot import Snapshot
from tracker.manual import Manual, open_manual
from tracker.publish.newsletter import render_newsletter

GOLDEN = Path(__file__).parent / "golden" / "newsletter-2024-11-13.txt"
D = date.fromisoformat


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "manual")


TODAY = D("2024-11-20")


@pytest.fixture(scope="module")
def manual(demo: Path) -> Manual:
    return open_manual(demo)


@pytest.fixture(scope="module")
def snapshot(manual: Manual) -> Snapshot:
    return manual.snapshot()


def test_golden_newsletter_of_13_november_2024(manual: Manual, snapshot: Snapshot):
    release = snapshot.release(D("2024-11-13"))
    templates = manual.texts.templates(snapshot)
    text = render_newsletter(snapshot, release, TODAY, "text", templates=templates, summarise=None)
    assert text == GOLDEN.read_text(encoding="utf-8")  # (exactly: SPEC §5, spaces and all)


def test_final_tree_is_the_procedures_folder(demo: Path):
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "HEAD", "procedures/"],
        cwd=demo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    built = {name.removeprefix("procedures/"): (demo / name).read_text() for name in files}
    assert built == final_tree(demo_source())


def test_history_spans_a_year_with_at_least_five_releases(snapshot: Snapshot):
    dates = [release.date for release in snapshot.releases]
    assert len(dates) >= 5
    assert (dates[-1] - dates[0]).days >= 365
    assert any(
        day > D("2024-11-13") and release.is_upcoming(TODAY)
        for day, release in zip(dates, snapshot.releases, strict=True)
    )


def test_story_has_every_kind_of_change(snapshot: Snapshot):
    versions = [v for d in snapshot.documents for v in d.versions]
    assert any(v.minor for v in versions)
    assert any(v.held_back_by for v in versions)
    assert any(v.declared.back_dated for v in versions)
    assert any(v.kind == "renamed" for v in versions)
    assert any(v.kind == "withdrawn" for v in versions)
    assert any(v.meta.status == "archived" for v in versions)
    assert any(len(v.sources) > 1 or v.sources != (v.commit,) for v in versions)  # a merge


def test_domestic_abuse_really_gains_non_fatal_strangulation(manual: Manual, snapshot: Snapshot):
    document = snapshot.document("domestic-abuse")
    before = manual.texts.of(document.in_force(D("2024-11-12")))
    after = manual.texts.of(document.in_force(D("2024-11-13")))
    assert "Non-fatal Strangulation" not in before
    assert "## Non-fatal Strangulation" in after


def test_safe_recruitment_really_gains_the_better_hiring_toolkit(
    manual: Manual, snapshot: Snapshot
):
    document = snapshot.document("safe-recruitment")
    before = manual.texts.of(document.in_force(D("2024-11-12")))
    after = manual.texts.of(document.in_force(D("2024-11-13")))
    assert "Better Hiring Toolkit" not in before
    assert "Better Hiring Toolkit" in after


def test_renamed_chapter_keeps_its_history(snapshot: Snapshot):
    document = snapshot.document("allegations")
    assert document.versions[0].title == "Allegations against Staff or Volunteers"
    assert document.latest.title == "Managing Allegations against Adults who Work with Children"


def test_demo_manual_passes_check(snapshot: Snapshot):
    problems = check_manual(snapshot, TODAY)
    assert [p for p in problems if p.level == "error"] == []


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        build_demo(tmp_path)


@pytest.mark.parametrize(
    ("ident", "summary"),
    [
        (
            "domestic-abuse",
            "New section: Non-fatal Strangulation. Revised: Definitions. "
            "348 words added, 78 removed.",
        ),
        (
            "safe-recruitment",
            "Revised: Planning and Advertising, Further Resources. 1 link added. 86 words added.",
        ),
    ],
)
def test_release_of_13_november_2024_summaries(
    manual: Manual, snapshot: Snapshot, ident: str, summary: str
):
    from tracker.trackchanges.compare import diff_documents
    from tracker.trackchanges.summary import summarise

    document = snapshot.document(ident)
    old = manual.texts.of(document.in_force(D("2024-11-12")))
    new = manual.texts.of(document.in_force(D("2024-11-13")))
    assert summarise(diff_documents(old, new)).text() == summary
