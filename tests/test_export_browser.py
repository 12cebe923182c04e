"""The static copy (``tracker build``) in a real browser, served by a plain file server: search
runs in the browser, nothing breaks the pages' Content-Security-Policy, and pages stay usable
without JavaScript."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import CHROMIUM
from playwright.sync_api import Browser, expect
from test_browser import AXE

from tracker.demo import build_demo
from tracker.manual import open_manual
from web.export import build_site

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo manual's static copy, served by Python's own file server on a free port."""
    folder = tmp_path_factory.mktemp("static")
    demo = build_demo(folder / "demo")
    build_site(open_manual(demo), folder / "site", None, date(2024, 11, 20))
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
