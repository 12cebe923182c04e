"""/api/releases: a span of releases (since, until), and summaries bounded by what one request
may ask for (each change's summary may need a diff worked out, and anyone may ask)."""

from __future__ import annotations

from datetime import date

from conftest import ManualRepo, doc
from fastapi.testclient import TestClient

from tracker.manual import open_manual
from web.api import SUMMARIES_AT_ONCE
from web.app import create_app


def served(repo: ManualRepo) -> TestClient:
    return TestClient(create_app(open_manual(repo.path), date(2024, 6, 1)))


def three_releases(repo: ManualRepo) -> None:
    repo.commit({"a.md": doc("Alpha")}, "Add A", "2024-01-02T10:00:00+00:00")
    repo.commit({"a.md": doc("Alpha", "More.")}, "Edit A", "2024-02-02T10:00:00+00:00")
    repo.commit({"b.md": doc("Bravo")}, "Add B", "2024-03-02T10:00:00+00:00")


def dates(answer: dict[str, list[dict[str, object]]]) -> list[object]:
    return [release["date"] for release in answer["releases"]]


def test_since_and_until_keep_the_releases_between_them(repo: ManualRepo):
    three_releases(repo)
    with served(repo) as client:
        assert dates(client.get("/api/releases").json()) == [
            "2024-01-02", "2024-02-02", "2024-03-02"
        ]  # fmt: skip
        assert dates(client.get("/api/releases?since=2024-02-02").json()) == [
            "2024-02-02", "2024-03-02"
        ]  # fmt: skip
        assert dates(client.get("/api/releases?until=2024-02-01").json()) == ["2024-01-02"]
        span = client.get("/api/releases?since=2024-02-01&until=2024-02-28&summaries=true")
        assert dates(span.json()) == ["2024-02-02"]
        assert span.json()["releases"][0]["entries"][0]["summary"]["text"]
        assert client.get("/api/releases?since=2025-01-01").json() == {"releases": []}


def test_a_malformed_or_backward_span_is_refused_in_one_sentence(repo: ManualRepo):
    three_releases(repo)
    with served(repo) as client:
        for query, words in (
            ("since=2024-2-1", "The since date '2024-2-1' is not a date of the form YYYY-MM-DD."),
            ("until=2024-02-30", "The until date '2024-02-30' is not a real calendar date."),
            ("since=2024-03-01&until=2024-02-01",
             "The since date 2024-03-01 is after the until date 2024-02-01."),
        ):  # fmt: skip
            answer = client.get(f"/api/releases?{query}")
            assert (answer.status_code, answer.json()) == (400, {"error": words})


def test_summaries_of_more_changes_than_one_request_may_ask_for_are_refused(repo: ManualRepo):
    """One commit adding more chapters than the bound: asked with summaries, 400 saying how to
    narrow it, before any diff is worked out; without summaries, or for the one release at
    its own address, answered. The bound itself is answered."""
    many = {f"c{n}.md": doc(f"Chapter {n}") for n in range(SUMMARIES_AT_ONCE + 1)}
    repo.commit(many, "Add every chapter", "2024-01-02T10:00:00+00:00")
    repo.commit({"c0.md": None}, "Withdraw C0", "2024-02-02T10:00:00+00:00")
    with served(repo) as client:
        refused = client.get("/api/releases?summaries=true")
        assert refused.status_code == 400
        assert refused.json()["error"] == (
            f"Summaries are given for at most {SUMMARIES_AT_ONCE} changes at a time, and these "
            f"releases hold {SUMMARIES_AT_ONCE + 2}: narrow them with since= and until=, or ask "
            "for one release at /api/releases/{date}."
        )
        assert len(client.get("/api/releases").json()["releases"]) == 2
        later = client.get("/api/releases?summaries=true&since=2024-02-01").json()
        assert [e["summary"]["text"] for e in later["releases"][0]["entries"]] == [
            "The whole document (4 words) was removed."
        ]  # fmt: skip
        one = client.get("/api/releases/2024-01-02").json()
        assert len(one["entries"]) == SUMMARIES_AT_ONCE + 1


def test_summaries_of_as_many_changes_as_the_bound_are_answered(repo: ManualRepo):
    many = {f"c{n}.md": doc(f"Chapter {n}") for n in range(SUMMARIES_AT_ONCE)}
    repo.commit(many, "Add every chapter", "2024-01-02T10:00:00+00:00")
    with served(repo) as client:
        answer = client.get("/api/releases?summaries=true")
        assert answer.status_code == 200
        entries = answer.json()["releases"][0]["entries"]
        assert len(entries) == SUMMARIES_AT_ONCE and all(e["summary"] for e in entries)
