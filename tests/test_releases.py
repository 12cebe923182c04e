"""Releases and their entries (SPEC §4), and the table of contents (SPEC §2)."""

from __future__ import annotations

from datetime import date

from conftest import ManualRepo, doc

from tracker.history.releases import Release

D = date.fromisoformat


def entries(manual, day: str) -> list[tuple[str, str]]:
    return [(e.id, e.change) for e in manual.release(D(day)).entries]


def test_new_updated_and_retired(repo: ManualRepo):
    repo.commit({"a.md": doc("A"), "b.md": doc("B")}, "Add", "2024-01-01T09:00:00+00:00")
    # C has an id of its own, so git's rename detection cannot make it B's successor.
    repo.commit(
        {"a.md": doc("A", "x"), "b.md": None, "c.md": doc("C", id="c")},
        "Change",
        "2024-02-01T09:00:00+00:00",
    )
    manual = repo.snapshot()
    assert [r.date for r in manual.releases] == [D("2024-01-01"), D("2024-02-01")]
    assert entries(manual, "2024-01-01") == [("a", "new"), ("b", "new")]
    assert sorted(entries(manual, "2024-02-01")) == [
        ("a", "updated"),
        ("b", "withdrawn"),
        ("c", "new"),
    ]


def test_archived_then_reinstated_counts_as_new(repo: ManualRepo):
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", status="archived")}, "Archive", "2024-02-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", status="live")}, "Reinstate", "2024-03-01T09:00:00+00:00")
    manual = repo.snapshot()
    assert entries(manual, "2024-02-01") == [("a", "withdrawn")]
    assert entries(manual, "2024-03-01") == [("a", "new")]


def test_added_and_removed_before_going_live_leaves_no_entry(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A"), "b.md": doc("B")}, "Add", "2024-10-01T09:00:00+01:00")
    scheduled.commit({"b.md": None}, "Drop B", "2024-10-02T09:00:00+01:00")
    assert entries(scheduled.snapshot(), "2024-10-09") == [("a", "new")]


def test_a_change_undone_before_it_goes_live_makes_no_entry(scheduled: ManualRepo):
    """A change and its revert going live on one day left the text in force as it was, yet the
    release listed the chapter as updated with the change's note ("must now refer"), which
    practitioners would act on (exploratory testing): no entry, as nothing changed for them;
    nor for a chapter deleted and put back, or a change whose undoing is a minor commit."""
    should, must = doc("A", "Refer within a day if you should."), doc("A", "Refer: you must.")
    scheduled.commit({"a.md": should, "b.md": doc("B"), "c.md": doc("C")}, "Add",
                     "2024-01-01T09:00:00+00:00")  # fmt: skip
    scheduled.commit({"a.md": must, "c.md": None}, "Must", "2024-10-16T09:00:00+01:00",
                     {"Change-Note": "Practitioners must now refer."})  # fmt: skip
    scheduled.commit({"b.md": doc("B", "x")}, "B", "2024-10-16T10:00:00+01:00")
    scheduled.commit({"a.md": should, "c.md": doc("C")}, "Revert", "2024-10-17T09:00:00+01:00",
                     {"Change-Type": "minor"})  # fmt: skip
    manual = scheduled.snapshot()
    assert entries(manual, "2024-11-13") == [("b", "updated")]
    assert [v.effective for v in manual.document("a").versions[1:]] == [D("2024-11-13")] * 2


def test_a_change_undone_in_a_later_release_is_in_both(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-01-01T09:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "x")}, "Change", "2024-10-16T09:00:00+01:00")
    scheduled.commit({"a.md": doc("A")}, "Revert", "2024-11-10T09:00:00+00:00")
    manual = scheduled.snapshot()
    assert entries(manual, "2024-11-13") == [("a", "updated")]
    assert entries(manual, "2024-12-11") == [("a", "updated")]


def test_a_change_undone_but_moved_is_a_rename(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A", id="a")}, "Add", "2024-01-01T09:00:00+00:00")
    scheduled.commit({"a.md": doc("A", "x", id="a")}, "Change", "2024-10-16T09:00:00+01:00")
    scheduled.commit({"a.md": None, "z/a.md": doc("A", id="a")}, "Move back",
                     "2024-10-17T09:00:00+01:00")  # fmt: skip
    release = scheduled.snapshot().release(D("2024-11-13"))
    assert [(e.id, e.change, e.renamed) for e in release.entries] == [("a", "updated", True)]


def test_renamed_when_title_or_path_changes(repo: ManualRepo):
    repo.commit({"a.md": doc("A", id="a"), "b.md": doc("B")}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A retitled", id="a")}, "Retitle", "2024-02-01T09:00:00+00:00")
    repo.commit(
        {"a.md": None, "z/a.md": doc("A retitled", id="a"), "b.md": doc("B", "x")},
        "Move",
        "2024-03-01T09:00:00+00:00",
    )
    manual = repo.snapshot()
    assert [e.renamed for e in manual.release(D("2024-02-01")).entries] == [True]
    assert [(e.id, e.renamed) for e in manual.release(D("2024-03-01")).entries] == [
        ("a", True),
        ("b", False),
    ]


def test_notes_of_one_day_in_commit_order_without_duplicates_or_minor(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-09-01T09:00:00+01:00")
    scheduled.commit(
        {"a.md": doc("A", "1")},
        "One",
        "2024-10-03T09:00:00+01:00",
        {"Change-Note": "First change."},
    )
    scheduled.commit(
        {"a.md": doc("A", "2")}, "Typo", "2024-10-04T09:00:00+01:00", {"Change-Type": "minor"}
    )
    scheduled.commit(
        {"a.md": doc("A", "3")},
        "Two",
        "2024-10-05T09:00:00+01:00",
        {"Change-Note": "Second change."},
    )
    scheduled.commit(
        {"a.md": doc("A", "4")},
        "Again",
        "2024-10-06T09:00:00+01:00",
        {"Change-Note": "First change."},
    )
    scheduled.commit(  # (the same sentence as the newsletter writes it: exploratory testing)
        {"a.md": doc("A", "5")},
        "Once more",
        "2024-10-07T09:00:00+01:00",
        {"Change-Note": "Second  change"},
    )
    (entry,) = scheduled.snapshot().release(D("2024-11-13")).entries
    assert [n.text for n in entry.notes] == ["First change.", "Second change."]
    assert not entry.minor


def test_minor_only_release(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-09-01T09:00:00+01:00")
    scheduled.commit(
        {"a.md": doc("A", "fixed")}, "Typo", "2024-10-04T09:00:00+01:00", {"Change-Type": "minor"}
    )
    release = scheduled.snapshot().release(D("2024-11-13"))
    assert release.minor
    assert [(e.minor, e.notes) for e in release.entries] == [(True, ())]


def test_upcoming_flag_follows_today(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A")}, "Add", "2024-10-04T09:00:00+01:00")
    latest = scheduled.snapshot().releases[-1]
    assert latest.is_upcoming(D("2024-11-12"))
    assert not latest.is_upcoming(D("2024-11-13"))


def test_the_upcoming_releases_are_made_alone_as_the_others_would_be(scheduled: ManualRepo):
    """A command's snapshot makes the few upcoming releases of thousands from their rows, as
    it makes them all (a warm tracker check made every release to find a few)."""
    for day in ("01", "15"):
        for month in ("01", "02", "03"):
            scheduled.commit(
                {f"a{month}.md": doc("A", f"On {day}.")}, when=f"2024-{month}-{day}T09:00:00+00:00"
            )
    for today in (date(2023, 12, 1), date(2024, 1, 20), date(2024, 3, 20), date(2030, 1, 1)):
        lazy = scheduled.open(lazy=True).snapshot()
        alone = lazy.upcoming(today)
        made = tuple(release for release in lazy.releases if release.date > today)
        assert alone == made and all(isinstance(release, Release) for release in alone)
        assert lazy.upcoming(today) == made  # (once all are made, from them)
    assert len(scheduled.open(lazy=True).snapshot().upcoming(date(2024, 1, 20))) == 3


def test_in_force_on_a_date(scheduled: ManualRepo):
    scheduled.commit({"a.md": doc("A", "one")}, "One", "2024-10-01T09:00:00+01:00")
    scheduled.commit({"a.md": doc("A", "two")}, "Two", "2024-10-04T09:00:00+01:00")
    document = scheduled.snapshot().document("a")
    assert document.in_force(D("2024-10-08")) is None
    assert "one" in scheduled.open().texts.of(document.in_force(D("2024-11-12")))
    assert "two" in scheduled.open().texts.of(document.in_force(D("2024-11-13")))


def test_contents_order_sections_then_order_then_title(repo: ManualRepo):
    settings = '[manual]\nsections = ["Second", "First"]\n'
    repo.commit(
        {
            "manual.toml": settings,
            "x.md": doc("Zed", section="First"),
            "y.md": doc("Alpha", section="First"),
            "z.md": doc("Last", section="First", order=1),
            "w.md": doc("Only", section="Second"),
            "v.md": doc("Unlisted", section="Other"),
            "u.md": doc("No section"),
        },
        "Add",
        "2024-01-01T09:00:00+00:00",
    )
    assert [d.latest.title for d in repo.snapshot().documents] == [
        "Only",
        "Last",
        "Alpha",
        "Zed",
        "Unlisted",
        "No section",  # (last, whenever it first appeared: authors.md)
    ]


def _entry_rows_by_searching(document):
    """``entry_rows`` as it was written before its one pass: for each day a version goes
    live, the versions in force that day and the day before found by searching."""
    from datetime import timedelta

    from tracker.history.links import composed
    from tracker.history.model import unique_notes

    found = []
    for day in sorted({version.effective for version in document.versions}):
        at = document.place_in_force(day)
        was = document.place_in_force(day - timedelta(days=1))
        after = document.versions[at]
        before = None if was is None else document.versions[was]
        was_live = before is not None and not before.withdrawn
        if after.withdrawn and not was_live:
            continue
        if was_live and (before.blob, composed(before.path)) == (after.blob, composed(after.path)):
            continue  # (undone: the text in force as it was)
        change = "withdrawn" if after.withdrawn else "updated" if was_live else "new"
        going_live = document.going_live(day)
        notes = unique_notes(note for v in going_live if not v.minor for note in v.notes)
        renamed = change == "updated" and (
            before.title != after.title or composed(before.path) != composed(after.path)
        )
        shown = before if change == "withdrawn" and before else after
        row = (document.key, at, was, change, renamed, tuple((n.text, n.explicit) for n in notes),
               all(v.minor for v in going_live), shown.title, shown.type, document.id)  # fmt: skip
        found.append((day, row))
    return found


def test_entry_rows_in_one_pass_match_searching_each_day():
    """``entry_rows`` walks the versions once (effective dates never go down); the rows equal
    those found by searching for each day's versions, on documents of every shape."""
    from datetime import timedelta

    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    from tracker.history.documents import DocMeta
    from tracker.history.golive import Declared
    from tracker.history.model import Document, Note, Version

    version = st.tuples(
        st.integers(0, 3),  # days after the version before (0: the same release)
        st.sampled_from([None, "live", "archived"]),  # None: deleted
        st.booleans(),  # minor
        st.sampled_from(["A", "B"]),  # title
        st.sampled_from(["a.md", "b.md", "\u00e9.md", "e\u0301.md"]),  # path (é both ways)
        st.lists(st.sampled_from(["x", "y", "z"]), max_size=2),  # notes
    )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(version, min_size=1, max_size=12))
    @example(
        [(0, "live", False, "A", "\u00e9.md", ["x"]), (1, "live", False, "A", "e\u0301.md", [])]
    )
    def check(drawn):
        versions, day = [], D("2024-01-01")
        for number, (gap, status, minor, title, path, notes) in enumerate(drawn):
            day += timedelta(days=gap)
            meta = DocMeta(title=title, status=status or "live")
            versions.append(Version(  # (a blob as its text: a later one may undo a change)
                key=7, id="a", commit=f"{number:040x}", committed=None, author="A",
                path=path, old_path=None, blob=None if status is None else f"{title} {status}",
                meta=meta, kind="modified", notes=tuple(Note(n, n == "x") for n in notes),
                minor=minor, declared=Declared(day, "commit"), sources=(), effective=day,
            ))  # fmt: skip
        document = Document(7, tuple(versions), ("a",))
        assert entry_rows(document) == _entry_rows_by_searching(document)

    from tracker.history.releases import entry_rows

    check()
