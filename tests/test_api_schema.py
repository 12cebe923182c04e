"""The JSON API's answers are what OpenAPI says they are (web/apischema.py): every answer of the
demo manual, and of a small manual with a withdrawn, a renamed and an upcoming document,
validates against its route's model, whose ``extra="forbid"`` fails a field the answer has and
the model does not describe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tracker.demo import build_demo
from tracker.manual import open_manual
from web import apischema
from web.apischema import (
    Chapters,
    ChapterText,
    Diff,
    History,
    Newsletter,
    Releases,
    SummarisedRelease,
)
from web.app import create_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = build_demo(tmp_path_factory.mktemp("api-schema") / "demo")
    with TestClient(create_app(open_manual(folder), date(2024, 12, 1))) as client:
        yield client


def valid(client: TestClient, model: type[BaseModel], path: str) -> Any:
    """The JSON a path answers (200), having validated it against the model."""
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 200, (path, response.text[:500])
    body = response.json()
    model.model_validate(body)
    return body


def chapter_answers(client: TestClient) -> list[dict[str, Any]]:
    """The list of chapters, each chapter, its history and its diffs, all validated."""
    listed: list[dict[str, Any]] = valid(client, Chapters, "/api/chapters")["chapters"]
    for chapter in listed:
        address = f"/api/chapters/{quote(chapter['id'])}"
        clash = chapter["address_clash"]  # (its address answers another document's page)
        shown = {"diff": Diff, "history": History}[clash["page"]] if clash else ChapterText
        valid(client, shown, address)
        versions = valid(client, History, f"{address}/history")["versions"]
        valid(client, Diff, f"{address}/diff")
        valid(client, Diff, f"{address}/diff?source=true")
        if len(versions) > 1:
            first, last = versions[0]["commit"], versions[-1]["commit"]
            valid(client, Diff, f"{address}/diff?from={first}&to={last}")
    return listed


def release_answers(client: TestClient) -> list[dict[str, Any]]:
    """The list of releases, each release and its newsletter, all validated."""
    releases: list[dict[str, Any]] = valid(client, Releases, "/api/releases")["releases"]
    for release in releases:
        valid(client, SummarisedRelease, f"/api/releases/{release['date']}")
        valid(client, Newsletter, f"/api/releases/{release['date']}/newsletter")
    return releases


def test_every_answer_of_the_demo_is_as_described(demo: TestClient):
    listed = chapter_answers(demo)
    assert len(listed) > 10 and any(chapter["withdrawn"] for chapter in listed)
    releases = release_answers(demo)
    assert any(release["upcoming"] for release in releases)
    since = releases[1]["date"]
    summarised = valid(demo, Releases, f"/api/releases?summaries=true&since={since}")["releases"]
    assert len(summarised) == len(releases) - 1
    assert all("summary" in entry for release in summarised for entry in release["entries"])
    assert all("summary" not in entry for release in releases for entry in release["entries"])


def test_openapi_describes_each_answer_by_its_model(demo: TestClient):
    described = demo.get("/openapi.json").json()
    schemas = described["components"]["schemas"]
    paths = {path: item for path, item in described["paths"].items() if path.startswith("/api")}
    assert len(paths) == 7
    for path, item in paths.items():
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        refs = (
            [schema.get("$ref")]
            if "anyOf" not in schema
            else [s.get("$ref") for s in schema["anyOf"]]
        )
        assert refs and all(ref and ref.startswith("#/components/schemas/") for ref in refs), path
        for ref in refs:
            name = ref.rsplit("/", 1)[1]
            assert name in schemas and isinstance(getattr(apischema, name), type), path
            assert schemas[name]["additionalProperties"] is False, path
    left_out = schemas["Diff"]["properties"]["from_absent"]  # (there or not, never null)
    assert left_out["type"] == "string" and "default" not in left_out
    assert "from_absent" not in schemas["Diff"]["required"]


def small_manual(repo: ManualRepo) -> None:
    """Documents withdrawn (deleted, and archived), renamed, going live in 2099, left out (not
    UTF-8), and whose id is another's address (``guides/diff``, ``guides/history``) or ends
    as one would (``solo/history``, with no ``solo``)."""
    repo.commit(
        {
            "a.md": doc("Alpha", "First.\n\n## Part\n\nText [b](b.md)."),
            "b.md": doc("Bravo", "Soon gone."),
            "old-name.md": doc("Charlie", "C."),
            "g.md": doc("Guide", "G.", type="guidance"),
            "guides.md": doc("Guides", "G."),
            "guides/diff.md": doc("Diff guide", "D."),
            "guides/history.md": doc("History guide", "H."),
            "solo/history.md": doc("Solo", "S."),
            "broken.md": doc("Broken", "B."),
        },
        "Add",
        "2024-01-02T10:00:00+00:00",
    )
    repo.commit(
        {"a.md": doc("Alpha", "First, **changed**.\n\n## Part two\n\nText.")},
        "Edit",
        "2024-02-01T10:00:00+00:00",
        {"Go-Live": "2024-01-20", "Change-Note": "Alpha revised."},  # (back-dated)
    )
    repo.commit(
        {"b.md": None}, "Withdraw Bravo", "2024-03-01T10:00:00+00:00", {"Go-Live": "immediate"}
    )
    repo.move("old-name.md", "new-name.md", "Rename Charlie", "2024-03-05T10:00:00+00:00")
    repo.commit(
        {"g.md": doc("Guide", "G.", type="guidance", status="archived")},
        "Archive",
        "2024-03-10T10:00:00+00:00",
        {"Change-Type": "minor"},
    )
    (repo.path / "procedures" / "broken.md").write_bytes(b"# Broken\n\n\xff\xfe bad\n")
    repo.commit({}, "Break", "2024-04-01T10:00:00+00:00")
    repo.commit(
        {"a.md": doc("Alpha", "Future text."), "future.md": doc("Future", "F.")},
        "Plan",
        "2024-05-01T10:00:00+00:00",
        {"Go-Live": "2099-01-01"},
    )


def test_withdrawn_renamed_and_upcoming_answers_are_as_described(repo: ManualRepo):
    small_manual(repo)
    with TestClient(create_app(open_manual(repo.path), date(2024, 6, 1))) as client:
        listed = {chapter["id"]: chapter for chapter in chapter_answers(client)}
        assert listed["b"]["withdrawn"] and listed["b"]["in_force"]["kind"] == "withdrawn"
        assert listed["g"]["withdrawn"] and listed["g"]["type"] == "guidance"
        assert listed["future"]["in_force"] is None
        assert listed["guides/diff"]["address_clash"] == {"id": "guides", "page": "diff"}
        assert listed["a"]["in_force"]["back_dated_to"] == "2024-01-20"
        assert valid(client, ChapterText, "/api/chapters/b")["markdown"] == ""
        upcoming = valid(client, ChapterText, "/api/chapters/future")
        assert upcoming["version"] is None and upcoming["markdown"] is None
        renamed = valid(client, History, "/api/chapters/new-name/history")
        assert renamed["former_ids"] == ["old-name"]
        assert renamed["versions"][-1]["kind"] == "renamed"
        left_out = valid(client, History, "/api/chapters/broken/history")["left_out"]
        assert [gone["committed"] for gone in left_out] == ["2024-04-01"]
        for page, model in (("diff", Diff), ("history", History)):
            clash = valid(client, model, f"/api/chapters/guides/{page}")
            assert clash["id"] == "guides" and clash["address_clash"] == {"id": f"guides/{page}"}
        assert valid(client, History, "/api/chapters/guides/diff/history")["id"] == "guides/diff"
        own = valid(client, ChapterText, "/api/chapters/solo/history")  # (the document itself)
        assert own["id"] == "solo/history"
        absent = valid(client, Diff, "/api/chapters/a/diff?from=2000-01-01")
        assert absent["from"] is None and "from_absent" in absent
        releases = {release["date"]: release for release in release_answers(client)}
        assert releases["2099-01-01"]["upcoming"]
        assert [entry["change"] for entry in releases["2024-03-01"]["entries"]] == ["withdrawn"]
        moved = releases["2024-03-05"]["entries"]
        assert [(entry["id"], entry["renamed"]) for entry in moved] == [("new-name", True)]
        assert [entry["minor"] for entry in releases["2024-03-10"]["entries"]] == [True]
        groups = valid(client, Newsletter, "/api/releases/2024-03-01/newsletter")["groups"]
        assert [group["heading"] for group in groups] == ["Withdrawn Chapters"]
        valid(client, Releases, "/api/releases?summaries=true&since=2024-03-01")


def test_a_field_the_answer_has_and_the_model_lacks_fails(demo: TestClient):
    """What would catch an answer that grew a field: the models forbid what they lack."""
    body = demo.get("/api/chapters/information-sharing").json()
    ChapterText.model_validate(body)
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        ChapterText.model_validate({**body, "new_field": 1})
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        ChapterText.model_validate({**body, "version": {**body["version"], "new_field": 1}})


def test_every_model_forbids_fields_it_does_not_describe():
    models = [
        value
        for value in vars(apischema).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel
    ]
    assert len(models) > 20
    for model in models:
        assert model.model_config.get("extra") == "forbid", model
        for name, field in model.model_fields.items():
            assert field.description, (model, name)
