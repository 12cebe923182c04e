"""The static copy (``tracker build``) in a real browser, served by a plain file server: search
runs in the browser, nothing breaks the pages' Content-Security-Policy, and pages stay usable
without JavaScript."""

from __future__ import annotations

import re
import threading
from base64 import b64encode
from collections.abc import Iterator
from datetime import date
from functools import partial
from html import unescape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import CHROMIUM
from playwright.sync_api import Browser, expect
from test_browser import AXE

from tracker.demo import build_demo
from tracker.manual import open_manual
from web.export import build_site

DAY = date(2024, 11, 20)

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("static") / "demo")


@pytest.fixture(scope="module")
def site(demo: Path) -> Iterator[str]:
    """The demo manual's static copy, served by Python's own file server on a free port."""
    folder = demo.parent
    build_site(open_manual(demo), folder / "site", None, DAY)
    handler = partial(Quiet, directory=str(folder / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(10)
    server.server_close()


def test_search_runs_in_the_browser(site: str, browser: Browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []  # script errors, and whatever the pages' policy blocks
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site + "/")
    page.get_by_label("Search the procedures").fill("strangulation")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 result for “strangulation”")).to_be_visible()
    assert page.url == site + "/search/?q=strangulation"
    expect(page.get_by_role("status")).to_have_text("1 result for “strangulation”")
    assert page.get_by_label("Words to search for").input_value() == "strangulation"
    assert page.locator(".app-results mark").first.inner_text().lower().startswith("strangulation")
    page.get_by_role("link", name="Domestic Abuse").click()
    assert page.url == site + "/chapters/domestic-abuse/"
    expect(page.get_by_role("heading", name="Domestic Abuse", level=1)).to_be_visible()
    page.goto(site + "/search/?q=zzzzqqq")
    expect(page.get_by_role("heading", name="0 results for “zzzzqqq”")).to_be_visible()
    context.close()
    assert errors == []


@pytest.mark.parametrize(
    "query", ["referring", "missing", "policies", "assessed", "child's", "Missing Children"]
)
def test_search_finds_what_the_service_finds(demo: Path, site: str, browser: Browser, query: str):
    """The same chapters, as the service's search stems words (SQLite's Porter stemmer): the
    copy found none for "referring" where the service found 18 (exploratory testing)."""
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(open_manual(demo), DAY)) as client:
        served = client.get("/search", params={"q": query}).text
    found = re.findall(r'<li><a class="govuk-link govuk-!-font-weight-bold" href="[^"]*">'
                       r"([^<]*)</a>", served)  # fmt: skip
    assert found, query
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/search/?" + urlencode({"q": query}))
    expect(page.get_by_role("heading", name=re.compile(f"results? for “{query}”"))).to_be_visible()
    titles = page.locator(".app-results li > a").all_inner_texts()
    context.close()
    assert sorted(titles) == sorted(unescape(title) for title in found), query


def test_pages_work_without_javascript(site: str, browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/search/?q=strangulation")
    expect(page.get_by_text("Searching needs JavaScript")).to_be_visible()
    page.get_by_role("link", name="the contents page").click()
    page.get_by_role("link", name="Domestic Abuse").first.click()
    page.get_by_role("link", name="History of this chapter").click()
    page.get_by_role("link", name="See what this version changed").first.click()
    expect(page.get_by_text("New section: Non-fatal Strangulation.")).to_be_visible()
    context.close()


@pytest.mark.parametrize("path", ["/search/?q=strangulation", "/chapters/missing/at/2024-10-09/"])
def test_no_serious_accessibility_problems(site: str, browser: Browser, path: str):
    context = browser.new_context(bypass_csp=True)  # to inject axe-core, which is ours
    page = context.new_page()
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', 'best-practice']}})")  # fmt: skip
    context.close()
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


# An SVG that tries every way of running script: when its address is opened, when clicked,
# and from an element that fails to load.
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="alert(1)">'
    "<script>alert(2)</script>"
    '<a href="javascript:alert(3)"><rect width="120" height="60" fill="#d4351c"/></a>'
    '<image href="missing.png" width="1" height="1" onerror="alert(4)"/>'
    '<circle cx="90" cy="30" r="20" fill="#1d70b8"/></svg>'
)
SVG = '<svg xmlns="http://www.w3.org/2000/svg"{}><rect width="30" height="20" fill="#00703c"/>' \
      '<circle cx="15" cy="10" r="8" fill="#ffdd00"/></svg>'  # fmt: skip
SHAPES = {  # each sized differently: the export's SVG must draw the same, at the same size
    "map": HOSTILE_SVG,
    "box": SVG.format(' viewBox="5 5 200 100"'),
    "wide": SVG.format(' width="300" viewBox="0 0 100 50"'),
    "squeezed": SVG.format(' width="100" height="50" viewBox="0 0 10 10"'),
    "unsized": SVG.format(""),
    "units": '<?xml version="1.0"?>\n<!-- drawn elsewhere -->\n' + SVG.format(
        ' width="3cm" height="2cm" viewBox="0 0 30 20" preserveAspectRatio="xMinYMin slice"'),
    "fluid": SVG.format(' width="100%" height="100%" viewBox="0 0 40 20"'),
}  # fmt: skip


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A manual whose chapter shows SVG images, one holding scripts, and a chapter renamed
    without an explicit id, exported and served by Python's own file server (which, as nginx,
    S3 and GitHub Pages do, sends a .svg file as image/svg+xml); yields the address and the
    images' commit. Beside the bruising chapter, a document whose address is its history's
    (tracker check's address-clash)."""
    from conftest import ManualRepo, doc

    folder = tmp_path_factory.mktemp("svg")
    (folder / "manual").mkdir()
    repo = ManualRepo(folder / "manual")
    (repo.path / "procedures" / "img").mkdir(parents=True)
    for name, text in SHAPES.items():
        (repo.path / "procedures" / "img" / f"{name}.svg").write_text(text)
    images = "\n\n".join(f"![{name}](img/{name}.svg)" for name in SHAPES)
    commit = repo.commit({"bruising.md": doc("Bruising", f"See the body map.\n\n{images}"),
                          "beta.md": doc("Beta Guidance"),
                          "bruising/history.md": doc("Body maps", "Zebra crossings."),
                          "cafe.md": doc("Café", "Étape une: la se\u0301paration.")},
                         "Add bruising", "2024-01-02T10:00:00+00:00", {"Go-Live": "immediate"})  # fmt: skip
    repo.move("beta.md", "beta-thresholds.md", "Rename", "2024-01-03T10:00:00+00:00")
    build = threading.Thread(  # (not in Playwright's event loop, where the browser runs)
        target=build_site,
        args=(open_manual(repo.path), folder / "site", "http://localhost", date(2024, 2, 1)),
    )
    build.start()
    build.join()
    assert (folder / "site" / "chapters" / "bruising" / "index.html").is_file()
    handler = partial(Quiet, directory=str(folder / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", commit
    server.shutdown()
    thread.join(10)
    server.server_close()


COMPARE = """async ([shown, original]) => {
    const load = async (src) => { const i = new Image(); i.src = src; await i.decode(); return i; };
    const a = await load(shown), b = await load(original);
    const pixels = (i) => { const c = document.createElement('canvas');
        c.width = i.width; c.height = i.height; document.body.append(i);
        const g = c.getContext('2d'); g.drawImage(i, 0, 0, i.width, i.height); i.remove();
        return Array.from(g.getImageData(0, 0, c.width, c.height).data).join(); };
    return [[a.naturalWidth, a.naturalHeight], [b.naturalWidth, b.naturalHeight],
            pixels(a) === pixels(b)];
}"""


def test_an_exported_svg_runs_no_script_when_opened_and_shows_as_before(
    small_site: tuple[str, str], browser: Browser
):
    """The service sends a manual's files with a policy that lets nothing run; a file server
    sends none, so what the export writes must run nothing by itself, in a page's <img> or
    opened at its own address (in the site's origin), and still show the picture."""
    address, commit = small_site
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(address + "/chapters/bruising/")
    for name, text in SHAPES.items():
        image = page.get_by_role("img", name=name)
        expect(image).to_be_visible()
        original = "data:image/svg+xml;base64," + b64encode(text.encode()).decode()
        shown, drawn, same = page.evaluate(COMPARE, [image.get_attribute("src"), original])
        assert shown == drawn and same, name
    page.goto(f"{address}/files/{commit}/img/map.svg")  # the image's own address, opened
    expect(page.locator("image")).to_have_count(1)
    page.mouse.click(20, 20)  # on the link to javascript:
    page.wait_for_timeout(500)
    context.close()
    assert dialogs == []


@pytest.mark.parametrize("scripts", [True, False])
def test_a_former_id_s_address_sends_the_browser_to_the_chapter(
    small_site: tuple[str, str], browser: Browser, scripts: bool
):
    """As the service redirects a renamed chapter's former id, so does a static copy's page
    there, without JavaScript too."""
    address, _commit = small_site
    context = browser.new_context(java_script_enabled=scripts)
    page = context.new_page()
    for former, now in (("/chapters/beta/", "/chapters/beta-thresholds/"),
                        ("/chapters/beta/history/", "/chapters/beta-thresholds/history/"),
                        ("/chapters/beta/at/2024-01-03/", "/chapters/beta-thresholds/at/2024-01-03/")):  # fmt: skip
        page.goto(address + former)
        page.wait_for_url(address + now)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Beta Guidance")
    context.close()


def test_search_finds_words_with_or_without_their_accents(
    small_site: tuple[str, str], browser: Browser
):
    """As the service's search does: "etape" finds "Étape", and a word saved decomposed (e and
    a combining accent) is found as typed (the copy's search found neither: exploratory
    testing)."""
    address, _commit = small_site
    context = browser.new_context()
    page = context.new_page()
    for query in ("etape", "ÉTAPE", "séparation", "separation", "cafe"):
        page.goto(address + f"/search/?q={query}")
        found = page.locator(".app-results li")
        expect(found).to_have_count(1)
        expect(found.first.get_by_role("link")).to_have_text("Café")
        if query != "cafe":
            expect(found.first.locator("mark")).to_have_count(1)
    context.close()


def test_search_names_a_document_it_cannot_show_without_a_link(
    small_site: tuple[str, str], browser: Browser
):
    """As the service's search does: a document whose address is another page's is found,
    named without a link (a link would open the other page), saying why."""
    address, _commit = small_site
    context = browser.new_context()
    page = context.new_page()
    page.goto(address + "/search/?q=zebra")
    found = page.locator(".app-results li")
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text(
        "Body maps (cannot be shown on this website: its address is another page's)"
    )
    expect(found.first.get_by_role("link")).to_have_count(0)
    context.close()
