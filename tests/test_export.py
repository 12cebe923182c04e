"""The static export (``tracker build --out DIR``) of the demo manual: every link resolves, the
pages and API documents say what the service says, and a build rewrites only what changed."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient
from test_web import PNG

from tracker.cli import main
from tracker.demo import build_demo
from tracker.errors import InputError
from tracker.manual import open_manual
from web.app import create_app
from web.export import build_site, file_path
from web.outdir import MANIFEST, OutDir

TODAY = "2024-11-20"
BASE = "https://procedures.example.org"  # the demo manual's site_url


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("export") / "demo")


@pytest.fixture(scope="module")
def site(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "site"
    assert main(["build", "--repo", str(demo), "--today", TODAY, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def client(demo: Path) -> Iterator[TestClient]:
    with TestClient(create_app(open_manual(demo), date.fromisoformat(TODAY))) as test_client:
        yield test_client


class Links(HTMLParser):
    """The addresses a page links to, and the ids it holds (for #fragments)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "data-index", "data-chapters") and value:
                self.links.append(value)
            if name in ("id", "name") and value:
                self.ids.add(value)


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def target(site: Path, page: Path, link: str) -> tuple[Path | None, str]:
    """The exported file a link names (None for one outside the site) and its fragment."""
    parts = urlsplit(link)
    if parts.scheme in ("mailto", "tel") or (
        parts.netloc and f"{parts.scheme}://{parts.netloc}" != BASE
    ):
        return None, ""
    assert not parts.query, f"{page}: {link} has a query string a file server cannot answer"
    if not parts.path:
        return page, parts.fragment
    assert parts.path.startswith("/"), f"{page}: {link} is relative"
    return site / file_path(parts.path), parts.fragment


def test_every_link_in_every_page_feed_and_document_resolves(site: Path):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 300
    checked = 0
    for page in pages:
        for link in parsed(page).links:
            found, fragment = target(site, page, link)
            if found is None:
                continue
            assert found.is_file(), f"{page.relative_to(site)} links to {link}, not exported"
            if fragment and found.suffix == ".html":
                assert fragment in parsed(found).ids, f"{page}: no #{fragment} in {link}"
            checked += 1
    others = [*site.rglob("*.atom"), *site.rglob("*.json"), *site.rglob("*.md")]
    for other in others:  # feeds, API documents, newsletter downloads: their absolute links
        for link in re.findall(re.escape(BASE) + r"[^\s\"'<>)\]]*", other.read_text("utf-8")):
            found, _ = target(site, other, link)
            assert found is not None and found.is_file(), f"{other}: {link} not exported"
            checked += 1
    assert checked > 5000


def test_the_export_has_every_kind_of_page(site: Path):
    for path in (
        "index.html", "404.html", "chapters/index.html", "releases/index.html",
        "search/index.html", "search/index.json", "feeds/releases.atom",
        "chapters/domestic-abuse/index.html", "chapters/domestic-abuse/history/index.html",
        "chapters/domestic-abuse/feed.atom",
        "chapters/domestic-abuse/at/2024-11-13/index.html",
        "chapters/domestic-abuse/diff/2024-11-12/2024-11-13/index.html",
        "chapters/domestic-abuse/diff/2024-11-12/2024-11-13/source/index.html",
        "releases/2024-11-13/index.html", "releases/2024-11-13/newsletter/index.html",
        "releases/2024-11-13/newsletter/text/index.html", "releases/2024-11-13/newsletter.txt",
        "releases/2024-11-13/newsletter-preview.html", "api/index.json",
        "api/releases.json", "api/chapters/domestic-abuse/history.json",
        "static/app.js", "static/search.js", "static/favicon.svg",
    ):  # fmt: skip
        assert (site / path).is_file(), path
    home = (site / "index.html").read_text("utf-8")
    assert 'http-equiv="Content-Security-Policy"' in home and "'sha256-" in home
    assert "nonce=" not in home  # a nonce fixed in a file would protect nothing
    history = (site / "chapters/domestic-abuse/history/index.html").read_text("utf-8")
    assert "<select" not in history  # the compare form needs the service
    search = (site / "search/index.html").read_text("utf-8")
    assert "Searching needs JavaScript" in search and "/static/search.js" in search


def main_text(html: str) -> str:
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_each_chapter_on_each_release_date_says_what_the_service_says(
    site: Path, client: TestClient
):
    pages = sorted(site.glob("chapters/**/at/*/index.html"))
    assert len(pages) > 150
    for page in pages:
        ident, day = str(page.parent.parent.parent.relative_to(site / "chapters")), page.parent.name
        served = client.get(f"/chapters/{ident}?at={day}")
        assert served.status_code == 200
        assert main_text(page.read_text("utf-8")) == main_text(served.text), page


def without_addresses(data: object) -> object:
    """A document with its absolute links left out (the export's differ from the service's)."""
    if isinstance(data, dict):
        return {k: without_addresses(v) for k, v in data.items() if not k.endswith("url")}
    if isinstance(data, list):
        return [without_addresses(item) for item in data]
    return data


def test_the_api_documents_equal_the_service_s(site: Path, client: TestClient):
    documents = json.loads((site / "api/index.json").read_text("utf-8"))["documents"]
    assert "/api/chapters/practice-guidance/was-not-brought.json" in documents
    for address in documents:
        exported = json.loads((site / file_path(address)).read_text("utf-8"))
        served = client.get(address.removesuffix(".json")).json()
        if address.endswith("/newsletter.json"):
            exported, served = without_addresses(exported), without_addresses(served)
        assert exported == served, address


def test_the_search_index_holds_the_documents_in_force(site: Path):
    index = json.loads((site / "search/index.json").read_text("utf-8"))
    by_id = {document["id"]: document for document in index["documents"]}
    assert by_id["bruising"]["url"] == "/chapters/bruising/"
    assert "neglect-toolkit" in by_id  # withdrawn in December: in force on 20 November
    assert "bruis" in by_id["bruising"]["text"].lower()


def git(repo: Path, *args: str) -> None:
    when = "2024-12-16T10:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_a_second_build_writes_nothing_and_a_commit_rewrites_only_its_pages(tmp_path: Path):
    demo = build_demo(tmp_path / "demo")
    out = tmp_path / "site"
    today = date.fromisoformat(TODAY)
    first = build_site(open_manual(demo), out, None, today)
    assert first.counts.written == first.files and first.counts.removed == 0
    again = build_site(open_manual(demo), out, None, today)
    assert (again.counts.written, again.counts.unchanged) == (0, first.files)

    untouched = out / "chapters/referrals/history/index.html"
    touched = out / "chapters/fgm/history/index.html"
    stamps = {path: path.stat().st_mtime_ns for path in (untouched, touched)}
    chapter = demo / "procedures/specific-circumstances/fgm.md"
    chapter.write_text(chapter.read_text("utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    git(demo, "commit", "--quiet", "--all", "-m", "Add a paragraph\n\nChange-Note: More.")
    after = build_site(open_manual(demo), out, None, today)
    assert 0 < after.counts.written < first.files // 10, after.counts
    assert untouched.stat().st_mtime_ns == stamps[untouched]
    assert touched.stat().st_mtime_ns != stamps[touched]
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert len(manifest["files"]) == after.files


def test_files_no_longer_made_are_removed_and_others_left_alone(tmp_path: Path):
    out = tmp_path / "site"
    OutDir.open(out).sync({"a.html": b"1", "b/c/index.html": b"2"})
    (out / "mine.txt").write_text("an operator's own file")
    counts = OutDir.open(out).sync({"a.html": b"1"})
    assert (counts.written, counts.unchanged, counts.removed) == (0, 1, 1)
    assert not (out / "b").exists() and (out / "mine.txt").is_file()


def test_a_symbolic_link_inside_the_folder_is_never_written_through(tmp_path: Path):
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    OutDir.open(out).sync({"a.html": b"1"})
    (out / "b").symlink_to(elsewhere)
    folder = OutDir.open(out)
    with pytest.raises(InputError, match="symbolic link"):
        folder.sync({"a.html": b"1", "b/index.html": b"2"})
    folder.close()
    assert list(elsewhere.iterdir()) == []


def test_two_builds_never_write_to_one_folder_at_once(tmp_path: Path):
    first = OutDir.open(tmp_path / "site")
    with pytest.raises(InputError, match="Another tracker build"):
        OutDir.open(tmp_path / "site")
    first.close()
    assert OutDir.open(tmp_path / "site").sync({"a.html": b"1"}).written == 1


@pytest.mark.parametrize(
    ("setup", "out", "message"),
    [
        (None, "demo/.git/site", "inside the repository's git directory"),
        ("file", "taken", "is not a folder"),
        ("others", "full", "did not write"),
        ("damaged", "full", "cannot be read"),
        ("escaping", "full", "cannot be read"),
    ],
)
def test_bad_out_folders_are_refused_in_one_sentence(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    setup: str | None, out: str, message: str,
):  # fmt: skip
    where = demo.parent / out if out.startswith("demo/") else tmp_path / out
    if setup == "file":
        where.write_text("x")
    elif setup:
        where.mkdir()
        (where / "index.html").write_text("a page of someone else's")
        manifest = {"damaged": "{", "escaping": '{"tracker-build": 1, "files": {"../x": ""}}'}
        if setup in manifest:
            (where / MANIFEST).write_text(manifest[setup])
    assert main(["build", "--repo", str(demo), "--out", str(where)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not (where.is_dir() and (where / "index.html").read_text() != "a page of someone else's")


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("https://elsewhere.example.org", "may not give another address"),
        ("ftp://procedures.example.org", "is not an http(s) address"),
        ("https://example.org/procedures", "served at the root of its address"),
    ],
)
def test_the_base_address_is_checked(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], base: str, message: str
):
    out = str(tmp_path / "site")
    assert main(["build", "--repo", str(demo), "--out", out, "--base-url", base]) == 2
    assert message in capsys.readouterr().err
    assert not Path(out).exists()


def test_a_manual_without_site_url_needs_a_base_and_its_images_are_exported(
    repo: ManualRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    images = repo.path / "procedures" / "images"
    images.mkdir(parents=True)
    (images / "my flow.png").write_bytes(PNG)
    commit = repo.commit(
        {"a.md": doc("Alpha", "![The referral flow](images/my%20flow.png)")},
        "Flow",
        "2024-02-01T09:00:00+00:00",
    )
    out = tmp_path / "site"
    arguments = ["build", "--repo", str(repo.path), "--today", "2024-03-01", "--out", str(out)]
    assert main(arguments) == 2
    assert "Give --base-url" in capsys.readouterr().err
    assert main([*arguments, "--base-url", "http://localhost:8080/"]) == 0
    assert (out / "files" / commit / "images" / "my flow.png").read_bytes() == PNG
    page = (out / "chapters/a/index.html").read_text("utf-8")
    assert f'src="/files/{commit}/images/my%20flow.png"' in page
    feed = (out / "feeds/releases.atom").read_text("utf-8")
    assert "http://localhost:8080/releases/2024-02-01/" in feed


def test_a_chapter_file_the_export_cannot_name_is_left_out_not_fatal(
    repo: ManualRepo, tmp_path: Path, caplog
):
    repo.commit({"a.md": doc("A"), "a\\b.md": doc("Back slash"), "index.html.md": doc("Clash")},
                "Add", "2024-01-02T10:00:00+00:00")  # fmt: skip
    out = tmp_path / "site"
    report = build_site(open_manual(repo.path), out, BASE, date(2024, 2, 1))
    assert (out / "chapters" / "a" / "index.html").is_file()
    assert "leaves out" in caplog.text or "share the address" in caplog.text
    assert report is not None
