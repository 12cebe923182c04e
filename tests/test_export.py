"""The static export (``tracker build --out DIR``) of the demo manual: every link resolves, the
pages and API documents say what the service says, and a build rewrites only what changed."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import SECTION_HEADINGS, ManualRepo, doc
from fastapi.testclient import TestClient
from test_web import PNG, UNSHOWN, clashing, feed_author, text_of

from tracker import dates
from tracker.authoring.check import check_manual
from tracker.cli import main
from tracker.demo import build_demo
from tracker.errors import InputError
from tracker.manual import open_manual
from web import inert, pagekeys
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
    assert len(list(site.rglob("*.html"))) > 300
    assert links_resolve(site) > 5000


def links_resolve(site: Path) -> int:
    """Checks that every link of every page, feed, API document and newsletter of an export
    names a file of it (and a fragment of that file); returns how many were checked."""
    pages = sorted(site.rglob("*.html"))
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
        text = other.read_text("utf-8")  # (a feed's ids are names, the service's addresses)
        text = re.sub(r"<id>[^<]*</id>", "", text) if other.suffix == ".atom" else text
        for link in re.findall(re.escape(BASE) + r"[^\s\"'<>)\]]*", text):
            found, _ = target(site, other, link)
            assert found is not None and found.is_file(), f"{other}: {link} not exported"
            checked += 1
    return checked


def test_feed_ids_are_the_services(site: Path):
    """The releases feed's entry ids were the copy's addresses (/releases/D/), the service's
    /releases/D: a partnership moving from one to the other had every release sent again as
    new (RFC 4287: an id never changes; exploratory testing)."""
    ids = re.findall(r"<id>([^<]*)</id>", (site / "feeds/releases.atom").read_text("utf-8"))
    assert ids[0] == f"{BASE}/feeds/releases.atom"
    assert ids[1:] and all(
        re.fullmatch(re.escape(BASE) + r"/releases/[0-9-]{10}", i) for i in ids[1:]
    )


@pytest.mark.parametrize("fmt", ["md", "html", "json", "text"])
def test_the_newsletter_command_gives_a_static_copys_addresses_when_asked(
    demo: Path, site: Path, capsys: pytest.CaptureFixture[str], fmt: str
):
    """tracker newsletter gave the service's addresses only (?from=&to=, ?at=), which a static
    copy's file server does not read: a directory listing, or today's text for another day's
    (exploratory testing). --static-copy gives the copy's, as its own newsletter files have."""
    args = ["newsletter", "--repo", str(demo), "--today", TODAY, "--release", "2024-11-13"]
    assert main([*args, "--format", fmt, "--static-copy"]) == 0
    given = capsys.readouterr().out
    extension = {"text": "txt"}.get(fmt, fmt)
    written = (site / f"releases/2024-11-13/newsletter.{extension}").read_text("utf-8")
    assert given == re.sub(r"\A<meta charset[^>]*>\n<meta http-equiv[^>]*>\n", "", written)
    assert "?" not in "".join(re.findall(re.escape(BASE) + r"[^\s\"'<>)\]]*", given))
    assert main([*args, "--format", fmt]) == 0
    assert fmt == "text" or "/diff?from=" in capsys.readouterr().out  # (the service's)


def test_the_export_has_every_kind_of_page(site: Path):
    for path in (
        "index.html", "404.html", "chapters/index.html", "releases/index.html",
        "search/index.html", "search/index.json", "feeds/releases.atom", "feeds/newsletter.atom",
        "chapters/domestic-abuse/index.html", "chapters/domestic-abuse/history/index.html",
        "chapters/domestic-abuse/feed.atom",
        "chapters/domestic-abuse/at/2024-11-13/index.html",
        "chapters/domestic-abuse/diff/2024-11-12/2024-11-13/index.html",
        "chapters/domestic-abuse/diff/2024-11-12/2024-11-13/source/index.html",
        "releases/2024-11-13/index.html", "releases/2024-11-13/newsletter/index.html",
        "releases/2024-11-13/newsletter/text/index.html", "releases/2024-11-13/newsletter.txt",
        "releases/2024-11-13/newsletter-preview.html",
        "releases/2024-11-13/newsletter-preview-page.html", "api/index.json",
        "api/releases.json", "api/chapters/domestic-abuse/history.json",
        "static/app.js", "static/search.js", "static/favicon.svg",
    ):  # fmt: skip
        assert (site / path).is_file(), path
    home = (site / "index.html").read_text("utf-8")
    assert 'http-equiv="Content-Security-Policy"' in home and "'sha256-" in home
    assert "nonce=" not in home  # a nonce fixed in a file would protect nothing
    history = (site / "chapters/domestic-abuse/history/index.html").read_text("utf-8")
    assert "<select" not in history  # the compare form needs the service
    chapter = (site / "chapters/domestic-abuse/index.html").read_text("utf-8")
    assert "app-date" not in history + chapter  # as the date form does (a date it wrote none of)
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
        own = re.sub(
            r'<details class="govuk-details app-date-details".*?</details>',
            "",
            served.text,
            flags=re.S,
        )  # (the service's date form: none in a copy)
        assert main_text(page.read_text("utf-8")) == main_text(own), page


def without_addresses(data: object) -> object:
    """A document with its absolute links left out (the export's differ from the service's)."""
    if isinstance(data, dict):
        return {k: without_addresses(v) for k, v in data.items() if not k.endswith("url")}
    if isinstance(data, list):
        return [without_addresses(item) for item in data]
    return data


def test_the_export_s_feeds_name_their_author(site: Path):
    for name in ("feeds/releases.atom", "chapters/referrals/feed.atom"):
        assert feed_author((site / name).read_bytes()) == ("DSCP", f"{BASE}/"), name


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


def test_search_finds_only_what_the_chapter_page_shows(repo: ManualRepo, tmp_path: Path):
    """The service's search and the export's index read a chapter as its page shows it: the
    words of a <script> or <style> block, or of an HTML comment, which the page never shows,
    are not found nor quoted; a script shown as code on the page is."""
    body = (
        "## Visible heading\n\nVisible paragraph about referrals.\n\n"
        "<script>hiddenscriptword()</script>\n\n<style>.hiddenstyleword{}</style>\n\n"
        "<!-- hiddencommentword -->\n\nText <span>inlinespanword</span> here.\n\n"
        "```html\n<script>shownscriptword()</script>\n```\n"
    )
    repo.commit({"epsilon.md": doc("Epsilon", body)}, "Add", "2024-01-02T10:00:00+00:00")
    hidden = ("hiddenscriptword", "hiddenstyleword", "hiddencommentword")
    shown = ("referrals", "inlinespanword", "shownscriptword", "Visible")
    with TestClient(create_app(open_manual(repo.path), date(2024, 2, 1))) as client:
        for word in hidden + shown:
            found = client.get(f"/search?q={word}").context["hits"]  # type: ignore[attr-defined]
            assert [hit.id for hit in found] == ([] if word in hidden else ["epsilon"]), word
        prose = client.get("/chapters/epsilon").text.split('<div class="app-prose">')[1]
    out = tmp_path / "site"
    build_site(open_manual(repo.path), out, BASE, date(2024, 2, 1))
    index = json.loads((out / "search/index.json").read_text("utf-8"))
    (document,) = index["documents"]
    assert document["headings"] == "Visible heading"
    words = " ".join(re.sub(r"<[^>]+>", " ", prose.split("</div>")[0]).split())

    def plain(text: str) -> list[str]:  # (a heading ends with a full stop in the text)
        return [word.rstrip(".") for word in text.split()]

    assert plain(document["text"]) == plain(unescape(words))


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


STOPPED_BUILD = """
import os, signal, sys
from pathlib import Path
from web.outdir import OutDir
folder = OutDir.open(Path(sys.argv[1]))
for name in sys.argv[2:]:
    folder.put(name, b"written by a build that was stopped")
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("first", [True, False])
def test_the_files_of_a_build_stopped_before_its_manifest_are_its_own(tmp_path: Path, first: bool):
    """A build killed before it wrote its manifest (a cancelled CI job) left files no later
    build removed (a chapter force-pushed away stayed published), and after a first build so
    stopped every build refused the folder as not its own (exploratory testing)."""
    out = tmp_path / "site"
    if not first:
        OutDir.open(out).sync({"a.html": b"1"})
        (out / "mine.txt").write_text("an operator's own file")
    stopped = [sys.executable, "-c", STOPPED_BUILD, str(out), "oops/index.html", "b.html"]
    project = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(project)}
    assert subprocess.run(stopped, check=False, env=env).returncode == -signal.SIGKILL
    assert (out / "oops/index.html").is_file()
    counts = OutDir.open(out).sync({"a.html": b"1"})
    assert counts.removed == 2
    assert not (out / "oops").exists() and not (out / "b.html").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".tracker-build.json", ".tracker-build.lock", "a.html", *([] if first else ["mine.txt"])]
    )


def test_a_pipe_planted_as_the_journal_is_refused_not_waited_on(tmp_path: Path):
    """A build opened a pipe at the journal's name to write to it, and waited for ever for a
    reader (review)."""
    out = tmp_path / "site"
    OutDir.open(out).sync({"a.html": b"1"})
    os.mkfifo(out / ".tracker-build.journal")
    opening = "import sys; from pathlib import Path; from web.outdir import OutDir; "
    opening += "OutDir.open(Path(sys.argv[1]))"
    project = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(project)}
    done = subprocess.run([sys.executable, "-c", opening, str(out)], capture_output=True,
                          text=True, env=env, timeout=30, check=False)  # fmt: skip
    assert "tracker-build.journal cannot be written; remove it and build again" in done.stderr
    (out / ".tracker-build.journal").unlink()
    (out / ".tracker-build.journal").mkdir()  # (no pipe, yet no file: refused too)
    with pytest.raises(InputError, match="journal cannot be written"):
        OutDir.open(out)
    (out / ".tracker-build.journal").rmdir()
    try:  # (a device that takes what is written: opened, then refused as no file)
        os.mknod(out / ".tracker-build.journal", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except OSError:
        return  # (making a device needs root, as CI has)
    with pytest.raises(InputError, match="journal cannot be written"):
        OutDir.open(out)


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
        ("file", "taken/site", "cannot be made a folder (not a directory)"),  # (a traceback:
        ("read-only", "locked/site", "/proc/site cannot be made a folder ("),  # testing)
        ("unwritable", "locked", "cannot be written ("),  # (review: a traceback)
        ("others", "full", "no tracker build's list of them"),
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
        (tmp_path / "taken").write_text("x")
    elif setup == "read-only":  # (as root, a folder is never read-only: a file system that is)
        where = Path("/proc/site")
    elif setup == "unwritable":  # (an empty folder of the kernel's: nothing can be made in it)
        where = Path("/sys/kernel/software_nodes")
        if not where.is_dir() or any(where.iterdir()):
            pytest.skip("this kernel has no empty folder here to try")
    elif setup:
        where.mkdir()
        (where / "index.html").write_text("a page of someone else's")
        manifest = {"damaged": "{", "escaping": '{"tracker-build": 1, "files": {"../x": ""}}'}
        if setup in manifest:
            (where / MANIFEST).write_text(manifest[setup])
    assert main(["build", "--repo", str(demo), "--out", str(where)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    page = where / "index.html"
    assert not (page.is_file() and page.read_text() != "a page of someone else's")


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("https://elsewhere.example.org", "may not give another address"),
        ("ftp://procedures.example.org", "is not an http(s) address"),
        ("https://procedures.example.org:99999", "is not an http(s) address"),  # (tracebacks:
        ("https://procedures.example.org:abc", "is not an http(s) address"),  # exploratory
        ("https://[::1", "is not an http(s) address"),  # testing)
        ("https://exa mple.org", "is not an http(s) address"),
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


def test_the_export_writes_only_images_the_manual_publishes(repo: ManualRepo, tmp_path: Path):
    """As the service serves them (test_web): no image of a _ folder or that exclude leaves
    out, even where a chapter shows it."""
    for name in ("_drafts/photo.png", "images/secret.png", "images/ok.png"):
        (repo.path / "procedures" / name).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / "procedures" / name).write_bytes(PNG)
    shows = "![Draft](_drafts/photo.png) ![Secret](images/secret.png) ![Fine](images/ok.png)"
    commit = repo.commit(
        {"a.md": doc("Alpha", shows), "manual.toml": '[manual]\nexclude = ["secret.*"]\n'},
        "Images", "2024-02-01T09:00:00+00:00",
    )  # fmt: skip
    out = tmp_path / "site"
    build_site(open_manual(repo.path), out, BASE, date(2024, 3, 1))
    written = sorted(p.relative_to(out / "files" / commit).as_posix()
                     for p in (out / "files").rglob("*.png"))  # fmt: skip
    assert written == ["images/ok.png"]


def test_a_chapter_file_the_export_cannot_name_is_left_out_not_fatal(
    repo: ManualRepo, tmp_path: Path, caplog
):
    repo.commit({"a.md": doc("A"), "a\\b.md": doc("Back slash"), "index.html.md": doc("Clash")},
                "Add", "2024-01-02T10:00:00+00:00")  # fmt: skip
    out = tmp_path / "site"
    report = build_site(open_manual(repo.path), out, BASE, date(2024, 2, 1))
    assert (out / "chapters" / "a" / "index.html").is_file()
    # (both are left out before the export sees them: an id no address or file can hold,
    # tracker check's invalid-id, said in the log)
    for name, why in (("a\\b.md", "it holds a backslash"), ("index.html.md", "'index.html'")):
        assert f"{name}: takes the id" in caplog.text and why in caplog.text
    assert caplog.text.count("is not published") == 2
    assert report is not None


def test_a_document_whose_address_is_another_page_is_never_exported_there(
    repo: ManualRepo, tmp_path: Path, caplog
):
    """The export wrote the diff page of Guides at /chapters/guides/diff/ and linked "Diff
    guide" to it (tester's report): such a document is listed unlinked, as the service lists
    it, nothing is written for it at another page's address, and every link still resolves."""
    clashing(repo)
    repo.commit({"a.md": doc("Alpha", "See [the diff guide](guides/diff.md).")}, "Link",
                "2024-03-02T09:00:00+00:00")  # fmt: skip
    out = tmp_path / "site"
    build_site(open_manual(repo.path), out, BASE, date(2024, 3, 10))
    assert "share the address" not in caplog.text
    chapter = (out / "chapters/a/index.html").read_text("utf-8")  # (a link to it: its words)
    assert f"See the diff guide ({UNSHOWN})." in text_of(chapter)
    assert "guides/diff" not in chapter
    api = out / "api" / "chapters"  # (as the service's API: see test_web)
    assert not (api / "guides/diff.json").exists()  # (that address is the diff of Guides)
    assert json.loads((api / "guides/diff/history.json").read_text())["id"] == "guides/diff"
    clash = json.loads((api / "guides/history.json").read_text())["address_clash"]
    assert clash == {"id": "guides/history"}
    listed = json.loads((out / "api/chapters.json").read_text())["chapters"]
    assert {c["id"]: c["address_clash"] for c in listed}["guides/diff"] == {
        "id": "guides", "page": "diff"}  # fmt: skip
    assert not (out / "chapters/guides/diff/index.html").exists()
    for name, title in (("guides/history", "Guides"), ("guides/diff/history", "Diff guide")):
        assert f"History of {title}" in (out / "chapters" / name / "index.html").read_text("utf-8")
    for name in ("chapters/index.html", "releases/2024-03-06/index.html", "index.html"):
        assert f"Diff guide ({UNSHOWN})" in text_of((out / name).read_text("utf-8")), name
    index = json.loads((out / "search/index.json").read_text("utf-8"))
    urls = {document["title"]: document["url"] for document in index["documents"]}
    assert (urls["Diff guide"], urls["History guide"], urls["Guides"]) == (
        None, None, "/chapters/guides/"
    )  # fmt: skip
    assert links_resolve(out) > 50


def test_a_document_at_a_static_copy_s_dated_or_diff_page_of_another_never_replaces_it(
    repo: ManualRepo, tmp_path: Path, caplog
):
    """A document with the id victim/at/2024-10-02 (or victim/diff/A/B, .../source) was
    written over victim's page as in force on that day, or its diff (security review): the
    chapter's own pages are written, the other document is left out with a warning and
    listed unlinked, and tracker check reports it (address-clash)."""
    repo.commit({"victim.md": doc("Victim", "Call 999.")}, "Add victim",
                "2024-10-01T10:00:00+00:00", {"Go-Live": "2024-10-02"})  # fmt: skip
    repo.commit(
        {"victim.md": doc("Victim", "Call 999 or 111.")},
        "Update victim",
        "2024-10-05T10:00:00+00:00",
        {"Change-Note": "x", "Go-Live": "2024-10-09"},
    )
    spoof = doc("Spoof", "SPOOFED text.")
    ids = ("victim/at/2024-10-02", "victim/diff/2024-10-08/2024-10-09",
           "victim/diff/2024-10-08/2024-10-09/source")  # fmt: skip
    repo.commit(
        {f"{ident}.md": spoof for ident in ids},
        "Add pages",
        "2024-10-06T10:00:00+00:00",
        {"Change-Note": "y", "Go-Live": "2024-10-09"},
    )
    out = tmp_path / "site"
    build_site(open_manual(repo.path), out, BASE, date(2024, 11, 20))
    for ident in ids:
        page = (out / "chapters" / ident / "index.html").read_text("utf-8")
        assert "SPOOFED" not in page and "Victim" in text_of(page), ident
        assert f"The export leaves out {ident!r}" in caplog.text, ident
    assert "Call 999." in text_of((out / "chapters/victim/at/2024-10-02/index.html").read_text())
    contents = text_of((out / "chapters/index.html").read_text("utf-8"))
    assert f"Spoof ({UNSHOWN})" in contents
    assert links_resolve(out) > 10
    found = check_manual(open_manual(repo.path).snapshot(), date(2024, 11, 20))
    clashes = sorted(str(p) for p in found if p.rule == "address-clash")
    assert clashes == [
        "error: victim/at/2024-10-02.md: has the id 'victim/at/2024-10-02', which is the "
        "address of the page of 'victim' as in force on 2024-10-02 in a static copy of the "
        "website, so it cannot be shown there",
        "error: victim/diff/2024-10-08/2024-10-09.md: has the id "
        "'victim/diff/2024-10-08/2024-10-09', which is the address of the page of what changed "
        "in 'victim' from 2024-10-08 to 2024-10-09 in a static copy of the website, so it cannot "
        "be shown there",
        "error: victim/diff/2024-10-08/2024-10-09/source.md: has the id "
        "'victim/diff/2024-10-08/2024-10-09/source', which is the address of the page of what "
        "changed in 'victim' from 2024-10-08 to 2024-10-09 (on its Markdown source) in a static "
        "copy of the website, so it cannot be shown there",
    ]


def test_links_to_headings_whose_words_begin_with_section_land_in_the_export(
    repo: ManualRepo, tmp_path: Path
):
    """Each form of link to a heading such as "## Section 47 Enquiries" lands on it in the
    static copy too (test_web's test of the service says which heading each lands on)."""
    repo.commit(SECTION_HEADINGS, "Add", "2024-01-02T10:00:00+00:00")
    out = tmp_path / "site"
    build_site(open_manual(repo.path), out, BASE, date(2024, 2, 1))
    for address in ("chapters/strategy/index.html", "chapters/strategy/at/2024-01-02/index.html"):
        page = out / address
        links = [link for link in parsed(page).links if "#section-" in link]
        assert len(links) == 7, address
        for link in links:
            found, fragment = target(out, page, link)
            assert found is not None and fragment in parsed(found).ids, (address, link)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of an export but the build's own (its manifest and lock)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".tracker-build")
    }


def test_a_build_that_keeps_pages_equals_a_build_from_nothing(repo: ManualRepo, tmp_path: Path):
    """After each kind of change, building over the last build (which renders only the pages
    whose inputs changed) gives exactly the files a build into an empty folder gives."""
    out = tmp_path / "site"
    (repo.path / "procedures" / "images").mkdir(parents=True)
    (repo.path / "procedures" / "images" / "flow.png").write_bytes(PNG)
    linking = "See [B's second part](b.md#part-two), [C](c.md) and ![Flow](images/flow.png)."
    repo.commit({"a.md": doc("Alpha", linking), "b.md": doc("Beta", "## Part two\n\nText."),
                 "f.md": doc("Eff", id="eff")}, "Add", "2024-01-02T10:00:00+00:00")  # fmt: skip
    repo.commit({"b.md": doc("Beta", "## Part two\n\nNew text.")}, "Edit B",
                "2024-01-20T10:00:00+00:00", {"Change-Note": "Clearer."})  # fmt: skip
    steps: list[tuple[str, Callable[[], object]]] = [
        ("nothing changed", lambda: None),
        ("one chapter edited", lambda: repo.commit(
            {"b.md": doc("Beta", "## Part two\n\nNewer text.")}, "Edit B again",
            "2024-02-10T10:00:00+00:00")),
        ("a chapter that another links to added", lambda: repo.commit(
            {"c.md": doc("Gamma")}, "Add C", "2024-02-12T10:00:00+00:00")),
        ("a link retargeted", lambda: repo.commit(
            {"a.md": doc("Alpha", linking.replace("[C](c.md)", "[C](b.md)"))}, "Retarget",
            "2024-02-12T10:20:00+00:00")),
        ("the chapter a retargeted link goes to retitled", lambda: repo.commit(
            {"b.md": doc("Beta renamed", "## Part two\n\nNewer text.")}, "Retitle B",
            "2024-02-12T10:40:00+00:00")),  # (a's diff names it: review)
        ("the chapter a retargeted link went to retitled", lambda: repo.commit(
            {"c.md": doc("Gamma renamed")}, "Retitle C", "2024-02-12T10:50:00+00:00")),
        ("its file renamed and given another id", lambda: (
            repo.git("mv", "procedures/f.md", "procedures/g.md"),
            repo.commit({"g.md": doc("Eff", id="gee")}, "F is G", "2024-02-12T10:54:00+00:00"))),
        ("the chapter it went on as retitled", lambda: repo.commit(
            {"g.md": doc("Gee now", id="gee")}, "Retitle G", "2024-02-12T10:56:00+00:00")),
        ("a chapter whose address a later one's page takes", lambda: repo.commit(
            {"e/history.md": doc("E's history")}, "Add", "2024-02-12T11:00:00+00:00")),
        ("that later one, to go live after the day", lambda: repo.commit(
            {"e.md": doc("E")}, "Add E", "2024-02-13T10:00:00+00:00", {"Go-Live": "2024-06-03"})),
        ("a chapter renamed", lambda: repo.move("b.md", "d.md", "Rename B",
                                                "2024-02-14T10:00:00+00:00")),
        ("a chapter deleted", lambda: repo.commit({"c.md": None}, "Withdraw C",
                                                  "2024-02-16T10:00:00+00:00")),
        ("the settings changed", lambda: repo.commit(
            {"manual.toml": '[manual]\ntitle = "Another Manual"\n'}, "Settings",
            "2024-02-18T10:00:00+00:00")),
        ("the manual's own newsletter template", lambda: repo.commit(
            {"_templates/newsletter.md.j2": "Changes on {{ release.date }}\n"}, "Template",
            "2024-02-19T10:00:00+00:00")),
        ("another day", lambda: None),
    ]  # fmt: skip
    day = date(2024, 2, 20)
    first = build_site(open_manual(repo.path), out, BASE, day)
    assert len(first.rendered) > 30
    for number, (change, make) in enumerate(steps):
        make()
        day = date(2024, 3, 1) if change == "another day" else day
        kept = build_site(open_manual(repo.path), out, BASE, day)
        fresh = build_site(open_manual(repo.path), tmp_path / f"fresh-{number}", BASE, day)
        assert files_of(out) == files_of(tmp_path / f"fresh-{number}"), change
        assert kept.files == fresh.files, change
        if change == "nothing changed":
            assert kept.rendered == ()
        elif change == "the chapter it went on as retitled":  # (its withdrawn page names it)
            assert "It continues as" in (out / "chapters/eff/index.html").read_text("utf-8")
        elif change == "a chapter renamed":  # its former id's address leads to its page
            assert "/chapters/d/" in (out / "chapters/b/index.html").read_text("utf-8")
        elif change == "one chapter edited":  # its pages, and those that list everything
            assert "/chapters/b/history/" in kept.rendered
            assert "/chapters/a/at/2024-01-20/" not in kept.rendered
            assert "/chapters/a/" not in kept.rendered
            assert "/releases/2024-01-02/newsletter/" not in kept.rendered
            assert len(kept.rendered) < len(fresh.rendered)


def test_a_new_day_renders_again_only_the_pages_a_date_of_the_manual_passed_changes(
    repo: ManualRepo, tmp_path: Path
):
    """Without --today, pages read today only against the manual's dates (a go-live, a
    release, the end of a release's recent weeks): a build on a later day of the same era
    renders no page but those that name the day (a chapter whose id reads as a history's
    address too; a chapter as in force on the day before's build, which said "today"), past
    such a date it renders again, and
    every build equals a build from nothing on its day (a mid-era day included, where a page
    reading today in some other way would show)."""
    repo.commit({"a.md": doc("Alpha", "See [B](b.md)."), "b.md": doc("Beta"),
                 "g/history.md": doc("A chapter whose address reads as a history")},
                "Add", "2024-01-02T10:00:00+00:00")  # fmt: skip
    repo.commit({"c.md": doc("Gamma")}, "Add C", "2024-02-10T10:00:00+00:00")
    repo.commit({"b.md": doc("Beta", "Changed.")}, "Edit B", "2024-01-20T10:00:00+00:00",
                {"Change-Note": "Clearer.", "Go-Live": "2024-03-01"})  # fmt: skip
    out = tmp_path / "site"
    days = [  # (the day, the era it falls in: the manual's last date on or before it)
        ("2024-02-11", "2024-02-10"),  # C is new; B's edit and its release are upcoming
        ("2024-02-29", "2024-02-10"),
        ("2024-03-01", "2024-03-01"),  # B's edit goes live
        ("2024-03-31", "2024-03-01"),
        ("2024-04-01", "2024-04-01"),  # the first release is no longer recent (90 days)
        ("2024-05-09", "2024-04-01"),
        ("2024-05-10", "2024-05-10"),  # nor the second: C is no longer tagged new
    ]
    last = previous = None
    for number, (text, era) in enumerate(days):
        day = date.fromisoformat(text)
        manual = open_manual(repo.path)
        assert pagekeys.era(manual.snapshot(), day) == date.fromisoformat(era)
        kept = build_site(manual, out, BASE, None, clock=lambda _zone, day=day: day)
        fresh = tmp_path / f"fresh-{number}"
        build_site(open_manual(repo.path), fresh, BASE, None, clock=lambda _zone, day=day: day)
        assert files_of(out) == files_of(fresh), text
        assert b"showing the manual as if today were" not in files_of(out)["index.html"]
        if era == last:  # the pages naming the day: the chapters' API documents, and each
            # chapter as in force on the last build's day (it then said "in force today")
            chapters = ("a", "b", "c", "g/history")
            named = {f"/api/chapters/{c}.json" for c in chapters}
            named |= {f"/chapters/{c}/at/{previous}/" for c in chapters}
            assert set(kept.rendered) <= named, text
        elif last is not None:
            assert "/" in kept.rendered and "/chapters/a/" in kept.rendered, text
        last, previous = era, text


def test_a_releases_feed_with_no_release_yet_is_rendered_on_each_new_day(
    repo: ManualRepo, tmp_path: Path
):
    """With no release to show, the feed says it was updated today: each day renders it."""
    repo.commit({"manual.toml": '[manual]\ntitle = "A Manual"\n'}, "Settings",
                "2024-01-02T10:00:00+00:00")  # fmt: skip
    out = tmp_path / "site"
    for number, day in enumerate((date(2024, 2, 1), date(2024, 2, 2))):
        kept = build_site(open_manual(repo.path), out, BASE, None, clock=lambda _z, d=day: d)
        fresh = tmp_path / f"fresh-{number}"
        build_site(open_manual(repo.path), fresh, BASE, None, clock=lambda _z, d=day: d)
        assert files_of(out) == files_of(fresh)
        assert day.isoformat().encode() in files_of(out)["feeds/releases.atom"]
        assert day.isoformat().encode() in files_of(out)["feeds/newsletter.atom"]
    assert sorted(kept.rendered) == ["/feeds/newsletter.atom", "/feeds/releases.atom"]


def test_a_build_without_today_after_one_fixed_to_the_same_day_drops_the_banner(
    repo: ManualRepo, tmp_path: Path
):
    """--today shows a banner on every page: leaving it off renders the pages again, even on
    the day it gave (the day alone is the same)."""
    repo.commit({"a.md": doc("Alpha", "Short.")}, "Add", "2024-01-02T10:00:00+00:00")
    out, manual = tmp_path / "site", open_manual(repo.path)
    build_site(manual, out, BASE, dates.today(manual.snapshot().config.timezone, None))
    page = out / "chapters" / "a" / "index.html"
    assert "Demo</strong>" in page.read_text(encoding="utf-8")
    report = build_site(open_manual(repo.path), out, BASE, None)
    assert "/chapters/a/" in report.rendered
    assert "Demo</strong>" not in page.read_text(encoding="utf-8")


def test_a_release_at_the_end_of_the_calendar_is_built(repo: ManualRepo, tmp_path: Path):
    """A release dated 9999-12-31 (a Go-Live trailer far wrong) stopped tracker build with a
    traceback (OverflowError): the day it stops being recent is past the last date there is
    (review)."""
    repo.commit({"a.md": doc("Alpha", "Later.")}, "Later", "2024-05-10T09:00:00+00:00",
                {"Go-Live": "9999-12-31"})  # fmt: skip
    out = tmp_path / "site"
    assert main(["build", "--repo", str(repo.path), "--out", str(out), "--base-url", BASE]) == 0
    assert (out / "releases" / "9999-12-31" / "index.html").exists()


def test_a_page_showing_a_simplified_diff_is_rendered_again_by_the_next_build(
    repo: ManualRepo, tmp_path: Path
):
    """A diff simplified for time or size (a busy machine) may be exact next time: the pages
    showing one are written, but rendered again by every build; the others are kept."""
    old = "\n\n".join(f"Old paragraph {number} here." for number in range(3300))
    new = "\n\n".join(f"New words {number} there." for number in range(3300))
    repo.commit({"a.md": doc("Alpha", "Short."), "c.md": doc("C", old)}, "Add",
                "2024-01-01T09:00:00+00:00")  # fmt: skip
    repo.commit({"c.md": doc("C", new)}, "Rewrite", "2024-01-02T09:00:00+00:00")
    out, day = tmp_path / "site", date(2024, 6, 1)
    first = build_site(open_manual(repo.path), out, BASE, day)
    history = (out / "chapters" / "c" / "history" / "index.html").read_text(encoding="utf-8")
    assert "Too large or too different" in history
    again = build_site(open_manual(repo.path), out, BASE, day)
    simplified = {"/chapters/c/history/", "/releases/2024-01-02/", "/chapters/c/feed.atom"}
    assert simplified <= set(again.rendered) and simplified <= set(first.rendered)
    assert "/chapters/a/" in first.rendered and "/chapters/a/" not in again.rendered
    assert "/chapters/c/" not in again.rendered, again.rendered  # no comparison on it
    assert len(again.rendered) < len(first.rendered), again.rendered


LINKERS: list[Callable[[str, str], str | None]] = [
    lambda path, part: f"/chapters/{path}/at/2024-01-01/" + (f"#{part}" if part else ""),
    lambda path, part: f"/chapters/{path}/" if "a" in path else None,  # some left as written
    lambda path, part: f"/chapters/{path}?a=1&b=<2>",  # escaped inside HTML: converted again
    lambda path, part: f"/chapters/{path}/#section-ορισμοί-\u00a0-\u2028-\U0001f600",  # (as is)
]


def test_a_chapter_converted_once_and_filled_in_equals_one_converted_afresh(demo: Path):
    from tracker.publish import chapter as module

    manual = open_manual(demo)
    snapshot = manual.snapshot()
    texts = {
        (version.blob, version.path, manual.texts.of(version))
        for document in snapshot.documents
        for version in document.versions
        if version.blob
    }
    assert len(texts) > 40
    for _, path, text in sorted(texts):
        for link in LINKERS:
            media = (lambda target: f"/files/abc/{target}") if link is LINKERS[0] else None
            expected = module._convert(text, path, link, media)
            assert module.render_chapter(text, path, link, media) == expected, path
            assert module.render_chapter(text, path, link, media) == expected, path  # kept


def test_a_chapter_linking_to_a_heading_in_another_alphabet_is_filled_in_not_converted_again(
    monkeypatch: pytest.MonkeyPatch,
):
    """A link to "#section-ορισμοί" made each page showing the chapter convert it afresh (the
    kept conversion was only filled in with addresses of ASCII characters)."""
    from tracker.publish import chapter as module

    text = "# A\n\nSee [the definitions](b.md#ορισμοί).\n"
    link = LINKERS[0]  # ("#section-ορισμοί" as the page's fragment)
    first = module.render_chapter(text, "a.md", link)
    converted: list[str] = []
    real = module._convert
    monkeypatch.setattr(module, "_convert", lambda *args: converted.append("again") or real(*args))
    assert module.render_chapter(text, "a.md", link) == first
    assert converted == []


def test_the_export_never_writes_through_a_planted_link(tmp_path: Path):
    """A symbolic link at a file's place or at the name a temporary file once had is
    replaced or passed by, never followed."""
    out, outside = tmp_path / "site", tmp_path / "outside.txt"
    outside.write_text("not the export's")
    OutDir.open(out).sync({"index.html": b"1", "a/index.html": b"2"})
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(outside)  # where a page goes
    for name in (".index.html.tmp", f".{MANIFEST}.tmp", "a/.index.html.tmp"):
        (out / name).symlink_to(outside)  # where the last version put its temporary files
    counts = OutDir.open(out).sync({"index.html": b"new", "a/index.html": b"new"})
    assert counts.written == 2
    assert outside.read_text() == "not the export's"
    assert not (out / "index.html").is_symlink() and (out / "index.html").read_bytes() == b"new"
    assert (out / "a/index.html").read_bytes() == b"new"


def test_a_linked_worktree_s_common_git_directory_is_refused(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    worktree = tmp_path / "worktree"
    git(demo, "worktree", "add", "--quiet", "--detach", str(worktree))
    try:
        out = demo / ".git" / "exported"  # the worktree's own git directory is elsewhere
        assert main(["build", "--repo", str(worktree), "--out", str(out)]) == 2
        assert "inside the repository's git directory" in capsys.readouterr().err
        assert not out.exists()
    finally:
        git(demo, "worktree", "remove", "--force", str(worktree))


def test_every_html_file_carries_its_content_security_policy(site: Path):
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert 'http-equiv="Content-Security-Policy"' in text, page
    for name in ("newsletter.html", "newsletter-preview.html", "newsletter-preview-page.html"):
        text = (site / "releases/2024-11-13" / name).read_text("utf-8")
        assert "content=\"default-src 'none'; style-src 'unsafe-inline'" in text, name
        assert "<script" not in text


@pytest.mark.parametrize(
    ("svg", "outer"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="6e1" onload="alert(1)">'
         "<script>alert(2)</script></svg>", ' width="120" height="6e1"'),
        ('<svg xmlns="http://www.w3.org/2000/svg" width="2cm" viewBox="-5,-5 40 20.5"/>',
         ' width="2cm" viewBox="0 0 40 20.5"'),
        ('<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="1&quot; onload=&quot;x"/>',
         ""),  # a percentage gives no size of its own; anything but a length is not copied
        ("<html><script>alert(1)</script></html>", ""),  # not an SVG: drawn as nothing
        ("<svg", ""),
    ],
)  # fmt: skip
def test_an_svg_is_exported_as_an_image_in_an_svg_of_the_export_s_own(svg: str, outer: str):
    """A file server sends .svg as image/svg+xml, whose scripts run when its address is opened:
    the export writes an SVG holding the original as an image only (as an <img> shows it, no
    script runs), sized as the original, with no text of the original but its encoding."""
    written = inert.published("img/map.SVG", svg.encode()).decode("ascii")
    found = re.fullmatch(
        r'<svg xmlns="http://www.w3.org/2000/svg"(.*?)><image (?:width="[^"]+" height="[^"]+") '
        r'preserveAspectRatio="none" href="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"/></svg>\n',
        written,
    )
    assert found is not None and found.group(1) == outer, written
    assert base64.b64decode(found.group(2)).decode() == svg
    assert inert.published("img/flow.png", PNG) == PNG
    assert inert.published("img/page.html", b"<script>alert(1)</script>") is None


OPERATORS = Path(__file__).parent.parent / "docs" / "operators.md"


def nginx_example() -> str:
    """The server block docs/operators.md gives for serving a static copy with nginx."""
    text = OPERATORS.read_text(encoding="utf-8")
    found = [
        block for block in re.findall(r"```nginx\n(.*?)```", text, re.S) if "server {" in block
    ]
    assert found, "docs/operators.md gives no nginx example of a server"  # (not a proxy's lines)
    return "\n".join(line.removeprefix("  ") for line in found[0].splitlines())


def test_the_nginx_example_sends_the_service_s_policy_for_the_manual_s_files():
    """Whoever follows the docs sends /files/ with the policy the service sends, and keeps the
    other headers there (a location with add_header lines of its own drops the server's)."""
    from web.pages import FILE_POLICY

    example = nginx_example()
    files = re.search(r"location \^~ /files/ \{(.*?)\}", example, re.S)
    assert files is not None
    assert f'add_header Content-Security-Policy "{FILE_POLICY}" always;' in files.group(1)
    for header in re.findall(r"^    add_header (.*);$", example, re.M):  # the server's own
        assert f"add_header {header};" in files.group(1)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_the_nginx_example_serves_an_export_with_the_service_s_headers(
    repo: ManualRepo, tmp_path: Path
):
    from web.pages import FILE_POLICY

    (repo.path / "procedures" / "img").mkdir(parents=True)
    (repo.path / "procedures" / "img" / "map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'
    )
    commit = repo.commit({"a.md": doc("Alpha", "![Map](img/map.svg)")}, "Add",
                         "2024-01-02T10:00:00+00:00")  # fmt: skip
    out = tmp_path / "site"
    build_site(open_manual(repo.path), out, BASE, date(2024, 2, 1))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = (
        nginx_example()
        .replace("root /srv/procedures-site;", f"root {out};")
        .replace("server {", f"server {{\n    listen 127.0.0.1:{port};", 1)
    )
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # (its workers read the test's folder)
        + f"error_log {tmp_path}/logs/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
        " default_type application/octet-stream;\n"  # (as Debian's nginx.conf says)
        + "".join(f" {kind}_temp_path {tmp_path}/{kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"{server}\n}}\n"
    )  # fmt: skip
    nginx = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                              "-g", "daemon off;"], stderr=subprocess.PIPE)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=5).close()
                break
            except OSError:
                time.sleep(0.05)
        with urllib.request.urlopen(f"{base}/files/{commit}/img/map.svg", timeout=5) as image:
            headers = image.headers
        assert headers["Content-Type"] == "image/svg+xml"
        assert headers["Content-Security-Policy"] == FILE_POLICY
        with urllib.request.urlopen(f"{base}/chapters/a/", timeout=5) as chapter:
            assert "Content-Security-Policy" not in chapter.headers  # (its own, in a meta)
            pages = chapter.headers
        for each in (headers, pages):
            assert (each["X-Content-Type-Options"], each["Referrer-Policy"],
                    each["X-Frame-Options"]) == ("nosniff", "same-origin", "SAMEORIGIN")  # fmt: skip
        # UTF-8 said of the text files: the newsletter's bullets were "â€¢" in a browser and
        # a script (exploratory testing of the service's clients); its HTML says it itself.
        for ending, kind in (("txt", "text/plain"), ("md", "text/markdown"),
                             ("json", "application/json")):  # fmt: skip
            address = f"{base}/releases/2024-01-02/newsletter.{ending}"
            with urllib.request.urlopen(address, timeout=5) as text:
                assert text.headers["Content-Type"] == f"{kind}; charset=utf-8", ending
        with urllib.request.urlopen(f"{base}/feeds/releases.atom", timeout=5) as feed:
            assert feed.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        # Compressed for a client that asks (a search index grows with the manual).
        for file in ("chapters/a/index.html", "search/index.json", "static/app.js"):
            address = f"{base}/{file.removesuffix('index.html')}"
            asked = urllib.request.Request(address, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(asked, timeout=5) as compressed:
                assert compressed.headers["Content-Encoding"] == "gzip", file
                assert compressed.headers["Vary"] == "Accept-Encoding"
                assert gzip.decompress(compressed.read()) == (out / file).read_bytes()
        assert (
            (out / "releases/2024-01-02/newsletter.html")
            .read_text()
            .startswith('<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy"')
        )
        with pytest.raises(urllib.error.HTTPError) as hidden:
            urllib.request.urlopen(f"{base}/.tracker-build.json", timeout=5)
        hidden.value.close()
        assert hidden.value.code == 404
    finally:
        nginx.terminate()
        nginx.communicate(timeout=10)


def served_address(chapter: str, parts: tuple[str, ...]) -> str:
    """The service's address of a chapter's page that a static copy keeps at
    ``chapter/PARTS/`` (docs/operators.md's table)."""
    if parts[:1] == ("at",):
        return f"{chapter}?at={parts[1]}"
    if parts[:1] == ("diff",):
        query = {"from": parts[1], "to": parts[2]}
        kept = {key: value for key, value in query.items() if value != "-"}
        return f"{chapter}/diff?" + urlencode(kept | ({"source": "true"} if parts[3:] else {}))
    return "/".join((chapter, *parts))


def test_a_former_id_s_addresses_lead_to_the_chapter_as_the_service_s_do(
    repo: ManualRepo, tmp_path: Path
):
    """Bookmarks and case notes cite a renamed chapter's former id: where the service
    redirects (the chapter, on a date) or answers as for the chapter (its history, diffs, feed
    and API documents), a static copy has a page that sends the browser on, with a link to
    follow and the chapter's address as canonical, or the same document."""
    repo.commit({"beta.md": doc("Beta Guidance", "Text.")}, "Add beta",
                "2024-01-02T10:00:00+00:00", {"Go-Live": "immediate"})  # fmt: skip
    repo.move("beta.md", "beta-thresholds.md", "Rename beta", "2024-03-02T10:00:00+00:00",
              {"Go-Live": "immediate"})  # fmt: skip
    out, day = tmp_path / "site", date(2024, 11, 20)
    build_site(open_manual(repo.path), out, BASE, day)
    now = out / "chapters" / "beta-thresholds"
    pages = sorted(path.relative_to(now) for path in now.rglob("index.html"))
    assert len(pages) >= 8  # the chapter, on two dates, its history, diffs and their sources
    with TestClient(create_app(open_manual(repo.path), day)) as client:
        for page in pages:
            moved = (out / "chapters" / "beta" / page).read_text("utf-8")
            target = "/chapters/beta-thresholds/" + str(page.parent).removeprefix(".") + "/"
            target = target.replace("//", "/")
            assert f'<meta http-equiv="refresh" content="0; url={target}">' in moved, page
            assert f'<link rel="canonical" href="{BASE}{target}">' in moved
            assert f'<a href="{target}">' in moved
            assert 'http-equiv="Content-Security-Policy"' in moved
            served = client.get(served_address("/chapters/beta", page.parts[:-1]),
                                follow_redirects=False)  # fmt: skip
            assert served.status_code in (200, 302), page  # (the service answers it)
        assert "Beta Guidance" in (out / "chapters/beta/index.html").read_text("utf-8")
        feed = (out / "chapters/beta/feed.atom").read_bytes()
        assert feed == (now / "feed.atom").read_bytes()
        for document, address in (("beta.json", "/api/chapters/beta"),
                                  ("beta/history.json", "/api/chapters/beta/history")):  # fmt: skip
            exported = json.loads((out / "api/chapters" / document).read_text("utf-8"))
            assert exported == client.get(address).json()
    assert "beta.json" not in (out / "api/index.json").read_text("utf-8")  # not listed twice
    assert links_resolve(out) > 50
    again = build_site(open_manual(repo.path), out, BASE, day)
    assert again.counts.written == 0 and again.rendered == ()


def test_no_redirect_only_case_apart_from_a_page_is_written(repo: ManualRepo, tmp_path: Path):
    """'git mv Referrals.md referrals.md': the copy wrote chapters/Referrals/ (a redirect) beside
    chapters/referrals/, one folder where case is ignored (Windows, a Mac, some servers), where
    the page could be lost to a redirect to itself (review). Such a redirect is not written:
    the page answers that address there anyway."""
    repo.commit({"Referrals.md": doc("Referrals", "Text.")}, "Add", "2024-01-02T10:00:00+00:00",
                {"Go-Live": "immediate"})  # fmt: skip
    repo.move("Referrals.md", "referrals.md", "Rename", "2024-03-02T10:00:00+00:00",
              {"Go-Live": "immediate"})  # fmt: skip
    out = tmp_path / "site"
    build_site(open_manual(repo.path), out, BASE, date(2024, 11, 20))
    assert not list((out / "chapters" / "Referrals").rglob("*.html"))  # (its feed and API
    # documents are the chapter's own, byte for byte: one file of either is the other)
    assert (out / "chapters/Referrals/feed.atom").read_bytes() == (
        out / "chapters/referrals/feed.atom"
    ).read_bytes()
    page = (out / "chapters" / "referrals" / "index.html").read_text("utf-8")
    assert 'http-equiv="refresh"' not in page and "Text." in page


def test_a_build_that_leaves_pages_out_fails_after_writing_the_rest(
    repo: ManualRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A manual's own template that fails left the newsletters out (each said) and the build
    exited 0, with links to them leading nowhere: a CI that deploys on success published the
    copy with holes in it (exploratory testing). It writes what it can, and fails."""
    repo.commit({"a.md": doc("A")}, "Add", "2024-01-02T10:00:00+00:00",
                {"Change-Note": "Added."})  # fmt: skip
    repo.commit({"_templates/newsletter.txt.j2": "{{ release.nosuch.deeper }}\n"}, "Template",
                "2024-01-03T10:00:00+00:00")  # fmt: skip
    out = tmp_path / "site"
    command = ["build", "--repo", str(repo.path), "--out", str(out), "--today", "2024-02-01"]
    assert main([*command, "--base-url", BASE]) == 1
    error = capsys.readouterr().err
    assert "/releases/2024-01-02/newsletter.txt answered 503; the export leaves it out." in error
    assert error.endswith("tracker: error: 2 pages could not be made (said above): the copy "
                          "lacks them, and links to them lead nowhere; mend what was said and "
                          "build again.\n")  # fmt: skip
    assert (out / "chapters/a/index.html").is_file()
    assert not (out / "releases/2024-01-02/newsletter.txt").exists()
    repo.commit({"_templates/newsletter.txt.j2": None}, "Mend", "2024-01-04T10:00:00+00:00")
    assert main([*command, "--base-url", BASE]) == 0
    assert "A: Added." in (out / "releases/2024-01-02/newsletter.txt").read_text("utf-8")
    # An image a version named that is not there answers 404 from the service too: said, and
    # no failure (that version's pages keep naming it; review: every later build failed).
    repo.commit({"a.md": doc("A", "![Flow](missing.png)")}, "Image", "2024-01-05T10:00:00Z")
    repo.commit({"a.md": doc("A", "No image.")}, "Mended", "2024-01-06T10:00:00+00:00")
    assert main([*command, "--base-url", BASE]) == 0
    assert "/missing.png answered 404; the export leaves it out." in capsys.readouterr().err
