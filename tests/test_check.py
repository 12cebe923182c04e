"""``tracker check``: each kind of problem an author should hear about."""

from __future__ import annotations

from datetime import date

from conftest import ManualRepo, doc

from tracker.authoring.check import check_manual

D = date.fromisoformat


def messages(repo: ManualRepo, today: str = "2024-11-20") -> list[str]:
    return [str(problem) for problem in check_manual(repo.snapshot(), D(today))]


def test_clean_manual_has_nothing_to_say(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", "[B](b.md)", review_due="2030-01-01"), "b.md": doc("B")},
        when="2024-01-01T09:00:00+00:00",
        trailers={"Change-Note": "Added."},
    )
    assert messages(repo) == []


def test_front_matter_errors(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", type="policy", order="first", colour="red")},
        when="2024-01-01T09:00:00+00:00",
    )
    found = messages(repo)
    assert "error: a.md: 'type' must be one of chapter, guidance, not 'policy'" in found
    assert "error: a.md: 'order' must be a number, not 'first'" in found
    assert "error: a.md: unknown front matter key 'colour'" in found


def test_impossible_review_date_is_an_error(repo: ManualRepo):
    repo.commit({"a.md": doc("A", review_due="2024-02-30")}, when="2024-01-01T09:00:00+00:00")
    assert "error: a.md: the front matter holds an impossible date" in messages(repo)


def test_duplicate_ids(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", id="same"), "b.md": doc("B", id="same")}, when="2024-01-01T09:00:00+00:00"
    )
    assert "error: b.md: has the id 'same', which a.md already uses" in messages(repo)


def test_broken_links_between_chapters(repo: ManualRepo):
    repo.commit(
        {
            "x/a.md": doc("A", "See [B](../b.md), [C](c.md#part) and [web](https://x.org/y.md)"),
            "b.md": doc("B"),
        },
        when="2024-01-01T09:00:00+00:00",
    )
    assert messages(repo) == ["error: x/a.md: links to c.md, which is not a document"]


def test_held_back_and_back_dated(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A", "1")},
        "One",
        "2024-10-18T09:00:00+01:00",
        {"Go-Live": "2024-12-11", "Change-Note": "One."},
    )
    scheduled.commit(
        {"a.md": doc("A", "2")}, "Two", "2024-10-24T09:00:00+01:00", {"Change-Note": "Two."}
    )
    scheduled.commit(
        {"b.md": doc("B")},
        "Late",
        "2024-11-19T09:00:00+00:00",
        {"Go-Live": "2024-11-13", "Change-Note": "B."},
    )
    found = messages(scheduled)
    assert any("held back: declared 2024-11-13" in m and "2024-12-11" in m for m in found)
    assert any("back-dated: Go-Live 2024-11-13" in m for m in found)


def test_old_go_live_warnings_are_not_repeated_forever(scheduled: ManualRepo):
    scheduled.commit(
        {"b.md": doc("B")},
        "Late",
        "2024-06-20T09:00:00+01:00",
        {"Go-Live": "2024-06-12", "Change-Note": "B."},
    )
    assert messages(scheduled, today="2024-11-20") == []


def test_upcoming_entries_without_a_change_note(scheduled: ManualRepo):
    scheduled.commit(
        {"a.md": doc("A"), "g.md": doc("G", type="guidance")},
        "Add two",
        "2024-11-20T09:00:00+00:00",
    )
    found = messages(scheduled, today="2024-11-21")
    assert (
        "warning: a: goes live on 2024-12-11 without a Change-Note, so the newsletter "
        "lists it with its commit subject"
    ) in found
    assert any(m.startswith("warning: g:") and "title alone" in m for m in found)


def test_overdue_review(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", review_due="2024-01-31")},
        when="2024-01-01T09:00:00+00:00",
        trailers={"Change-Note": "Added."},
    )
    assert messages(repo, today="2024-02-01") == ["warning: a: was due for review on 2024-01-31"]
    assert messages(repo, today="2024-01-31") == []


def test_errors_come_first(repo: ManualRepo):
    repo.commit(
        {"a.md": doc("A", review_due="2024-01-31", colour="x")}, when="2024-01-01T09:00:00+00:00"
    )
    levels = [p.level for p in check_manual(repo.snapshot(), D("2024-03-01"))]
    assert levels == sorted(levels)  # "error" < "warning"
