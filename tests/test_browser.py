"""The website in a real browser (Debian's chromium, driven by Playwright) over real HTTP.

A practitioner's journey, the same journey by keyboard alone, and axe-core on every kind of
page. Screenshots of each step are kept in ``test-artifacts/``; with UPDATE_SCREENSHOTS=1 the
README's are made anew in ``docs/`` (``make screenshots``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from conftest import (
    CHROMIUM,
    LEAFLET_LANDINGS,
    NON_LATIN_HEADINGS,
    OWN_LANDINGS,
    ManualRepo,
    doc,
)
from playwright.sync_api import Browser, Page, expect

from tracker.demo import build_demo
from tracker.manual import open_manual
from web.app import create_app

ROOT = Path(__file__).parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
TODAY = date(2024, 11, 20)
PAGES = {
    "home": "/",
    "contents": "/chapters",
    "chapter": "/chapters/domestic-abuse",
    "chapter-on-a-date": "/chapters/missing?at=2024-10-01",
    "withdrawn": "/chapters/forced-marriage",
    "history": "/chapters/domestic-abuse/history",
    "diff": "/chapters/domestic-abuse/diff?from=2024-11-12&to=2024-11-13",
    "source-diff": "/chapters/domestic-abuse/diff?from=2024-11-12&to=2024-11-13&source=true",
    "releases": "/releases",
    "release": "/releases/2024-11-13",
    "newsletter": "/releases/2024-11-13/newsletter",
    "newsletter-text": "/releases/2024-11-13/newsletter?format=text",
    "newsletter-alone": "/releases/2024-11-13/newsletter.html?inline=true&alone=true",
    "search": "/search?q=strangulation",
    "not-found": "/chapters/no-such-chapter",
    "date-asked-wrongly": "/chapters/domestic-abuse?day=31&month=2&year=2024",
}
# What a former id answers with (``moved_site``): a 302 to the chapter's address (today's, or
# on a date), the chapter's history and diffs at that address, and a withdrawn document shown
# at the address of the id it had on the day (web/pages.py, ``moved_to``).
MOVED = {
    "former-id": ("/chapters/a", "/chapters/alpha"),
    "former-id-on-a-date": ("/chapters/a?at=2024-01-15", "/chapters/alpha?at=2024-01-15"),
    "former-id-history": ("/chapters/a/history", "/chapters/a/history"),
    "former-id-diff": ("/chapters/a/diff", "/chapters/a/diff"),
    "shown-at-a-former-id": ("/chapters/referrals?at=2024-01-02",) * 2,
}

if not Path(CHROMIUM).exists():  # CI installs it (.ci/run); elsewhere: apt-get install chromium
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo manual served by uvicorn on a free port of the loopback address."""
    yield from served(build_demo(tmp_path_factory.mktemp("browser") / "demo"))


@pytest.fixture(scope="module")
def moved_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A manual whose chapter a.md was renamed alpha.md (its id, 'a', a former one), and
    whose 'referrals' named withdrawn guidance on 2 January 2024, served as ``site`` is."""
    folder = tmp_path_factory.mktemp("moved") / "manual"
    folder.mkdir()
    repo = ManualRepo(folder)
    repo.commit({"a.md": doc("Alpha", "## Steps\n\nOne.")}, "Add", "2024-01-02T09:00:00+00:00")
    repo.commit({"guidance/form.md": doc("Form", "Fill it in.", id="referrals")}, "Form",
                "2024-01-02T10:00:00+00:00")  # fmt: skip
    repo.commit({"referrals.md": doc("Referrals")}, "Chapter", "2024-01-03T09:00:00+00:00")
    repo.move("a.md", "alpha.md", when="2024-02-01T09:00:00+00:00")
    repo.commit({"alpha.md": doc("Alpha", "## Steps\n\nTwo."), "guidance/form.md": None},
                "Edit", "2024-03-01T09:00:00+00:00")  # fmt: skip
    yield from served(folder)


@pytest.fixture(scope="module")
def leaflet_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A manual of NON_LATIN_HEADINGS (headings in Greek, Urdu, Bengali, Chinese; links to
    them), served as ``site`` is."""
    folder = tmp_path_factory.mktemp("leaflet") / "manual"
    folder.mkdir()
    ManualRepo(folder).commit(NON_LATIN_HEADINGS, "Add", "2024-01-02T09:00:00+00:00")
    yield from served(folder)


def served(folder: Path) -> Iterator[str]:
    """The manual in ``folder`` served by uvicorn on a free port of the loopback address (its
    socket bound here and handed over, so that no other test's server takes the port between:
    test files run in parallel)."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        port = listening.getsockname()[1]
        config = uvicorn.Config(create_app(open_manual(folder), TODAY), log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, args=([listening],), daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield opened
    context.close()
    assert errors == [], errors  # no script errors and nothing blocked by the CSP


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_practitioners_journey(site: str, page: Page):
    page.goto(site + "/")
    expect(page.get_by_role("heading", name="Going live on 11 December 2024")).to_be_visible()
    shot(page, "1-home")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Contents").click()
    expect(page.get_by_role("heading", name="Contents", level=1)).to_be_visible()
    shot(page, "2-contents")
    page.get_by_role("link", name="Domestic Abuse").first.click()
    expect(page.get_by_role("heading", name="Domestic Abuse", level=1)).to_be_visible()
    expect(page.get_by_text("What changed on 13 November 2024")).to_be_visible()
    shot(page, "3-chapter")
    page.get_by_role("link", name="History of this chapter").click()
    expect(page).to_have_url(re.compile(r".*/chapters/domestic-abuse/history$"))
    shot(page, "4-history")
    page.get_by_role("link", name="See what this version changed").first.click()
    expect(page.get_by_text("New section: Non-fatal Strangulation.")).to_be_visible()
    expect(page.locator("ins").first).to_contain_text("inserted text:")
    shot(page, "5-diff")
    page.goto(site + "/releases/2024-11-13")
    shot(page, "6-release")
    page.get_by_role("link", name="Newsletter section for this release").click()
    frame = page.frame_locator("iframe.app-preview")  # (loaded after the page: waited for)
    expect(frame.get_by_role("heading", name="Multi-Agency Procedures update")).to_be_visible()
    page.get_by_role("link", name="Plain text", exact=True).click()
    page.get_by_role("button", name="Copy to clipboard").click()
    expect(page.get_by_role("status")).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Multi-Agency Procedures update")
    assert "Click here to see all the multi-agency procedures provided by DSCP." in copied
    shot(page, "7-newsletter")


def test_screenshots_for_the_readme(site: str, page: Page):
    """The README's pictures: made by this test, copied to docs/ with UPDATE_SCREENSHOTS=1."""
    page.set_viewport_size({"width": 1000, "height": 1100})
    for name, path in (("diff", PAGES["diff"]), ("newsletter", PAGES["newsletter"])):
        page.goto(site + path)
        if name == "diff":  # the first changes, rather than the page's heading
            page.evaluate(
                "document.querySelector('.diff-changed, .diff-inserted').scrollIntoView()"
            )
            page.evaluate("window.scrollBy(0, -330)")
        target = ARTIFACTS / f"readme-{name}.png"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000
        if os.environ.get("UPDATE_SCREENSHOTS"):
            shutil.copy(target, ROOT / "docs" / f"{name}.png")


NARROW = ("chapter-with-a-table", "history", "diff", "release", "newsletter")  # (axe at 320 too)


@pytest.mark.parametrize(
    ("name", "width"),
    [(name, 1280) for name in sorted({*PAGES, *MOVED})] + [(name, 320) for name in NARROW],
)
def test_no_serious_accessibility_problems(
    request: pytest.FixtureRequest, browser: Browser, name: str, width: int
):
    """axe-core's WCAG 2.2 AA rules and best practice; on a narrow screen too, where a wide
    table scrolls (a box that scrolls must be reachable by keyboard). The pages a renamed
    chapter's former id answers with too, where the redirect leads."""
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 720})
    page = context.new_page()  # (bypassing the CSP to inject axe-core, which is ours)
    if name in MOVED:
        base, (address, landed) = request.getfixturevalue("moved_site"), MOVED[name]
        assert page.goto(base + address).ok and page.url == base + landed
    else:
        site = request.getfixturevalue("site")
        page.goto(site + {**PAGES, "chapter-with-a-table": "/chapters/referrals"}[name])
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


# The words of links, buttons, labels and strong text that are laid out on more than one line
# (a word is what lies between spaces and hyphens; one too long for any line may break).
SPLIT_WORDS = r"""(() => {
  const split = [];
  for (const e of document.querySelectorAll('a, button, label, strong')) {
    if (e.closest('table, .govuk-visually-hidden, .vh') || !e.getClientRects().length) continue;
    const texts = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      for (const word of node.data.matchAll(/[^\s\u002d\u2010\u2013]+/g)) {
        if (word[0].length > 15) continue;
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
})()"""


@pytest.mark.parametrize("name", sorted({*PAGES, "chapter-with-a-table"}))
def test_pages_reflow_to_a_narrow_screen(site: str, browser: Browser, name: str):
    """WCAG 1.4.10: at 320 CSS pixels wide (a phone, or 400% zoom) nothing makes the page
    scroll sideways: a wide table scrolls within itself (what is in it, visually hidden words
    too), a select of long notes fits, a long address breaks; and no word of a link, button or
    label is split across lines to make it fit (the newsletter's "Markd|own", "JS|ON")."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site + {**PAGES, "chapter-with-a-table": "/chapters/referrals"}[name])
    if name == "chapter-with-a-table":
        assert page.locator(".app-prose table").count() > 0
    wide = page.evaluate(
        "(() => { const w = document.documentElement.clientWidth; return [...document.body"
        ".querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > w + 1 &&"
        " !e.closest('table, .govuk-visually-hidden, .vh')).map(e => e.tagName +"
        " '.' + e.className).slice(0, 5); })()"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    split = page.evaluate(SPLIT_WORDS)
    context.close()
    assert (width, wide, split) == (320, [], []), name


# The email in the preview's frame, as laid out there: its height, and what could scroll in
# the frame (down, across). Asked inside the frame, as Playwright can whatever its sandbox.
EMAIL = """(() => {
  const html = document.documentElement;
  return {email: html.getBoundingClientRect().height,
          down: html.scrollHeight - html.clientHeight, across: html.scrollWidth - html.clientWidth};
})()"""


def preview(page: Page) -> dict[str, float]:
    """The email's layout in the preview (``EMAIL``), and the height of the frame's window."""
    element = page.locator("iframe.app-preview").element_handle()
    inner = element.content_frame()
    assert inner is not None
    return {**inner.evaluate(EMAIL), "frame": element.evaluate("(frame) => frame.clientHeight")}


def fits(laid: dict[str, float]) -> bool:
    """Nothing scrolls in the frame, and it is no taller than the email."""
    return laid["down"] == laid["across"] == 0 and abs(laid["frame"] - laid["email"]) <= 1


@pytest.mark.parametrize(("width", "then"), [(1280, 320), (320, 1280)])
def test_the_email_preview_is_as_tall_as_the_email(
    site: str, browser: Browser, width: int, then: int
):
    """The preview scrolled within its frame, a page within the page (WCAG 1.4.10, review):
    the frame is as tall as the email, at any width and on a new one, so nothing scrolls in it;
    without scripts it is left out for a link to the email on a page of its own."""
    context = browser.new_context(viewport={"width": width, "height": 720})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site + PAGES["newsletter"])
    frame = page.locator("iframe.app-preview")
    expect(frame).to_be_visible()
    email = page.frame_locator("iframe.app-preview")
    expect(email.get_by_role("heading", name="Multi-Agency Procedures update")).to_be_visible()
    for wide in (width, then):
        page.set_viewport_size({"width": wide, "height": 720})
        deadline = time.monotonic() + 5  # (the page's script fits it to the new width)
        while not fits(laid := preview(page)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fits(laid), (wide, laid)
        assert laid["email"] > 700 if wide == 320 else laid["email"] > 400, laid  # (all of it)
        page.evaluate("document.querySelector('iframe.app-preview').scrollIntoView()")
        shot(page, f"newsletter-preview-{width}-then-{wide}")
    assert page.evaluate("document.documentElement.scrollWidth") == then
    context.close()
    assert errors == []


def test_without_scripts_the_email_preview_is_a_page_of_its_own(site: str, browser: Browser):
    """Without scripts nothing can size the frame: it stays hidden rather than scroll within
    the page, and the link opens the email alone, which reflows at 320 pixels: a page with a
    heading, the email as its main content and a way back (audit: it had none of them)."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(site + PAGES["newsletter"])
    expect(page.locator("iframe.app-preview")).to_be_hidden()
    page.get_by_role("link", name="Open the email preview on a page of its own").click()
    expect(page).to_have_url(site + "/releases/2024-11-13/newsletter.html?inline=true&alone=true")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Multi-Agency Procedures update")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Preview of the newsletter section for 13 November 2024"
    )
    assert page.evaluate("document.documentElement.scrollWidth") == 320
    shot(page, "newsletter-preview-alone-320")
    page.get_by_role("link", name="Back to the newsletter section").click()
    expect(page).to_have_url(site + PAGES["newsletter"])
    context.close()


def press_until(page: Page, name: str, navigates: bool = True, limit: int = 80) -> None:
    """Tab until the focused element is the link or button called ``name``, then press Enter."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e ? (e.innerText || e.value || '').trim() : ''; })()"
        )
        if focused == name:
            assert page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'"
                " || s.backgroundColor !== 'rgba(0, 0, 0, 0)'; })()"
            ), f"{name!r} has no visible focus"
            if navigates:
                with page.expect_navigation():
                    page.keyboard.press("Enter")
            else:
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_the_journey_by_keyboard_alone(site: str, page: Page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Skip to main content"
    press_until(page, "Contents")
    assert page.url.endswith("/chapters")
    press_until(page, "Domestic Abuse")
    assert page.url.endswith("/chapters/domestic-abuse")
    press_until(page, "History of this chapter")
    press_until(page, "See what this version changed")
    assert "/diff" in page.url
    page.goto(site + "/releases/2024-11-13")
    press_until(page, "Newsletter section for this release")
    press_until(page, "Plain text")
    press_until(page, "Copy to clipboard", navigates=False)
    expect(page.get_by_role("status")).to_contain_text("Copied")


def test_a_chapter_on_the_date_of_a_case_by_keyboard_alone(site: str, browser: Browser):
    """A practitioner asks what the chapter said on the date of a case (practitioners'
    exploratory testing: only ?at= typed into the address did); a mistake is said in GOV.UK's
    error summary, which takes focus, linked to the field to mend (the page's status 400, the
    one thing its console says)."""
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site + "/chapters/domestic-abuse")
    press_until(page, "Read this chapter as it stood on another date", navigates=False)
    for value in ("1", "10", "2024"):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.wait_for_url("**/chapters/domestic-abuse?at=2024-10-01")
    expect(page.get_by_role("heading", name="A past version")).to_be_visible()
    page.goto(site + "/chapters/domestic-abuse/history")
    page.get_by_role("group", name="Read this chapter as it stood on a date").get_by_label(
        "Day"
    ).fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Show").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="The date must be a real date").click()
    expect(page.get_by_label("Day")).to_be_focused()
    shot(page, "date-asked-wrongly")
    page.context.close()
    assert [error for error in errors if "status of 400" not in error] == [], errors


def test_a_table_is_a_tab_stop_only_while_it_scrolls(site: str, browser: Browser):
    """A table's box takes focus where the table is wider than the screen (a keyboard scrolls
    it then), and is passed over by the Tab key where it fits; resizing the window tells."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(site + "/chapters/referrals")
    box = page.locator(".app-table-scroll").first
    expect(box).not_to_have_attribute("tabindex", "0")
    page.set_viewport_size({"width": 320, "height": 640})
    expect(box).to_have_attribute("tabindex", "0")
    page.set_viewport_size({"width": 1280, "height": 720})
    expect(box).not_to_have_attribute("tabindex", "0")
    context.close()


def test_links_to_headings_in_other_scripts_land_where_check_says(leaflet_site: str, page: Page):
    """Each link of NON_LATIN_HEADINGS (the words, copied from a page, percent-encoded; within
    the leaflet and from another chapter) is followed: the browser lands where test_web says,
    and nowhere for the links tracker check reports (test_check's test of the same links)."""
    for address, landings in (("/chapters/other", LEAFLET_LANDINGS),
                              ("/chapters/leaflet", OWN_LANDINGS)):  # fmt: skip
        page.goto(leaflet_site + address)
        links = page.eval_on_selector_all(
            ".app-prose a", "links => links.map(link => [link.textContent, link.href])"
        )
        assert sorted(words for words, _ in links) == sorted(landings), address
        landed = {}
        for words, href in links:
            page.goto("about:blank")
            page.goto(href)
            landed[words] = page.evaluate("document.querySelector(':target')?.id ?? null")
        assert landed == landings, address
