"""What an accessibility audit found in a real browser (WCAG 2.2 AA), on a manual made to show
it: a replaced image, links in changed words, a wide table, a change note and a title that
cite an address. Colours are read as the browser computes them, contrast worked out from them.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, ROOT, ManualRepo, doc
from playwright.sync_api import Browser, Page, expect
from test_browser import AXE, served

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

DIFF = "/chapters/blocks/diff?from=2024-11-12&to=2024-11-13"
ADDRESS = "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2"
TABLE = "| Role | Contact | Hours | Escalation | Notes |\n| --- | --- | --- | --- | --- |\n" + (
    "| Designated safeguarding lead | First contact team | Weekdays only | Service manager "
    "| Strategy discussions within one working day |\n"
)


CODE = "\n\nOpen the case with `open-case` as below.\n\n```\nstep 1: open the case\n```\n"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour."""
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A chapter whose image, links and paragraphs change on 13 November 2024 (the change's
    note cites an address), beside a wide table; and a chapter titled by an address."""
    folder = tmp_path_factory.mktemp("marks") / "manual"
    (folder / ROOT / "images").mkdir(parents=True)
    (folder / ROOT / "images" / "a.png").write_bytes(png(240, 120, (120, 120, 120)))
    (folder / ROOT / "images" / "b.png").write_bytes(png(240, 120, (60, 90, 160)))
    repo = ManualRepo(folder)
    old = ("Read the [old threshold guidance](https://example.org/old) before you refer.\n\n"
           "See also the [MASH leaflet](https://example.org/mash) for parents.\n\n"
           f"![Old referral flowchart](images/a.png)\n\n{TABLE}")  # fmt: skip
    new = ("Read the [new continuum of need](https://example.org/new) before you refer.\n\n"
           "The [Working Together 2023 guidance](https://example.org/wt) applies.\n\n"
           f"![New referral flowchart with timescales](images/b.png)\n\n{TABLE}")  # fmt: skip
    old += CODE
    new += CODE
    titled = {"title": f'"Guidance on {ADDRESS}"'}
    repo.commit({"blocks.md": doc("Blocks", old), "wt.md": doc(None, "First.", **titled),
                 "numbers.md": doc("Numbers", "Refer within 24 hours; call 0300 123 4567.\n\n"
                                   '<p dir="rtl" lang="ur">ایک دو تین</p>')},
                "Add", "2024-10-01T10:00:00+01:00", {"Go-Live": "immediate"})  # fmt: skip
    repo.commit({"blocks.md": doc("Blocks", new), "wt.md": doc(None, "Second.", **titled),
                 "numbers.md": doc("Numbers", "Refer within 2 hours; call 0300 123 4576.\n\n"
                                   '<p dir="rtl" lang="ur">ایک چار تین</p>')},
                "Rework", "2024-11-01T10:00:00+00:00",
                {"Go-Live": "2024-11-13", "Change-Note": f"Updated in line with {ADDRESS}"})  # fmt: skip
    yield from served(folder)


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours as computed styles write them (``rgb(…)``)."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"[\d.]+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def opened(browser: Browser, address: str, width: int = 1280, **options: object) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 720}, **options)
    page = context.new_page()
    page.goto(address)
    return page


@pytest.mark.parametrize("forced", ["none", "active"])
def test_a_replaced_image_is_marked_by_more_than_colour(site: str, browser: Browser, forced: str):
    """SPEC §6, WCAG 1.4.1: no strike-through or underline is drawn across an image, so a deleted
    image and an inserted one are framed by lines of different styles, at 3:1 against the page
    (1.4.11), which forced colours keep; their hidden words say which is which."""
    page = opened(browser, site + DIFF)
    page.emulate_media(forced_colors=forced)  # type: ignore[arg-type]
    frames: dict[str, tuple[str, float, str]] = {}
    for mark in ("del", "ins"):
        image = page.locator(f"{mark} img")
        expect(image).to_have_count(1)
        frames[mark] = image.evaluate(
            "(image) => { const s = getComputedStyle(image);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
        )
        words = "deleted text:" if mark == "del" else "inserted text:"
        assert page.locator(f"{mark}:has(img) .vh").inner_text().strip() == words
    page.context.close()
    styles, widths, colours = zip(*frames.values(), strict=True)
    assert "none" not in styles and len(set(styles)) == 2, frames  # (one style each)
    assert min(widths) >= 2, frames
    if forced == "none":
        assert min(contrast(colour, "rgb(255, 255, 255)") for colour in colours) >= 3, frames


@pytest.mark.parametrize("forced", ["none", "active"])
def test_a_number_replaced_is_set_apart_from_the_new_one(site: str, browser: Browser, forced: str):
    """ "within 24 hours" to "2 hours" was drawn "242", the old number struck through and the
    new one underlined side by side: without the colours (forced colours, print, a reader who
    cannot tell them apart) a number neither version has, and the strike is lost in a 4's
    crossbar (practitioners' exploratory testing). A gap sets them apart, in a line written
    right to left too (review)."""
    page = opened(browser, site + "/chapters/numbers/diff?from=2024-11-12&to=2024-11-13")
    page.emulate_media(forced_colors=forced)  # type: ignore[arg-type]
    pairs = page.evaluate(
        "() => [...document.querySelectorAll('del + ins')].map((ins) => {"
        " const del = ins.previousElementSibling;"
        " const a = del.getBoundingClientRect(), b = ins.getBoundingClientRect();"
        " return [del.textContent, ins.textContent, Math.max(b.left - a.right, a.left - b.right),"
        " getComputedStyle(del).textDecorationLine, getComputedStyle(ins).textDecorationLine];"
        "})"
    )
    page.context.close()
    said = [(old.split(": ")[-1], new.split(": ")[-1]) for old, new, *_ in pairs]
    assert said == [("24", "2"), ("4567", "4576"), ("دو", "چار")], pairs  # (right to left too)
    for *_, gap, struck, underlined in pairs:
        assert gap >= 4 and (struck, underlined) == ("line-through", "underline"), pairs


def test_the_diff_says_how_images_are_marked(site: str, browser: Browser):
    page = opened(browser, site + DIFF)
    expect(page.get_by_text("a deleted image is framed by a dashed line")).to_be_visible()
    page.context.close()


# Each link in inserted or deleted words, and each of those words in a link: the colour its text
# is drawn in, the background behind it (the nearest one drawn), and the colour of plain text.
LINKS = """[...document.querySelectorAll('ins a, del a, a ins, a del')].map((e) => {
  let behind = e;
  while (getComputedStyle(behind).backgroundColor === 'rgba(0, 0, 0, 0)') behind = behind.parentElement;
  return {text: e.textContent, colour: getComputedStyle(e).color,
          background: getComputedStyle(behind).backgroundColor,
          plain: getComputedStyle(e.closest('p')).color};
})"""


def test_links_in_changed_words_are_links_at_4_5_to_1(site: str, browser: Browser):
    """WCAG 1.4.3: GOV.UK's link colour on the marks' backgrounds was 4.46:1 (ins) and 4.16:1
    (del); and a link whose words are all new was drawn black, as inserted plain text is."""
    page = opened(browser, site + DIFF, bypass_csp=True)
    links = page.evaluate(LINKS)
    assert {link["text"].split(": ")[-1] for link in links} == {
        "new continuum of need", "MASH leaflet", "Working Together 2023 guidance"
    }  # fmt: skip
    for link in links:
        assert contrast(link["colour"], link["background"]) >= 4.5, link
        red, green, blue = (int(c) for c in re.findall(r"\d+", link["colour"])[:3])
        assert blue > max(red, green) + 40, link  # a link's blue, not the text's black
        assert contrast(link["colour"], link["plain"]) > 2, link
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "axe.run(document, {runOnly: ['color-contrast']}).then((r) => r.violations)"
    )
    page.context.close()
    assert found == []


def test_a_focused_table_box_shows_focus_at_3_to_1(site: str, browser: Browser):
    """WCAG 1.4.11: the box of a table wider than a phone, focused by the Tab key, is drawn as
    GOV.UK draws every focus, yellow and black (yellow alone is 1.35:1 on white)."""
    page = opened(browser, site + "/chapters/blocks", width=320)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('app-table-scroll')"):
            break
    else:
        raise AssertionError("the table's box is no tab stop")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, s.boxShadow]; })()"
    )
    page.context.close()
    outline, width, colour, shadow = style
    colours = re.findall(r"rgba?\([^)]*\)", shadow)
    if outline != "none" and width > 0 and not colour.endswith(", 0)"):
        colours.append(colour)
    assert "rgb(255, 221, 0)" in colours, style  # GOV.UK's yellow...
    assert max(contrast(c, "rgb(255, 255, 255)") for c in colours) >= 3, style  # ...and black


@pytest.mark.parametrize("scripts", [True, False])
def test_a_release_with_an_address_in_its_note_fits_a_phone(
    site: str, browser: Browser, scripts: bool
):
    """WCAG 1.4.10: a change note citing an address breaks within its column (it made the
    table 553 pixels wide in a box 290 wide, the note cut off); the table's box is a named
    region, a tab stop without scripts, as a chapter's table's is (docs/decisions.md)."""
    page = opened(browser, site + "/releases/2024-11-13", 320, java_script_enabled=scripts)
    box = page.get_by_role("region", name="Changes in this release")
    expect(box).to_contain_text(ADDRESS[:30])
    sizes = box.evaluate("(box) => [box.scrollWidth, box.clientWidth]")
    notes = page.locator("p", has_text="Updated in line with").evaluate_all(
        "(notes) => notes.map((note) => note.getBoundingClientRect().right)"
    )
    focusable = box.get_attribute("tabindex")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.context.close()
    assert notes and max(notes) <= 305.5, notes  # (within the box, 15 pixels from the edge)
    assert sizes[0] <= sizes[1] and width == 320, (sizes, width)
    if not scripts:
        assert focusable == "0"


@pytest.mark.parametrize("path", ["/chapters/wt/history", "/chapters/wt/diff"])
def test_a_title_citing_an_address_breaks_in_the_breadcrumbs(
    site: str, browser: Browser, path: str
):
    """WCAG 1.4.10: the breadcrumbs, outside the main text, hold the chapter's title; an
    address in it made the page 416 pixels wide at 320."""
    page = opened(browser, site + path, 320)
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text(ADDRESS[:30])
    wide = page.evaluate(
        "[...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right"
        " > 321 && !e.closest('.govuk-visually-hidden, .vh')).map(e => e.className).slice(0, 5)"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    page.context.close()
    assert (width, wide) == (320, [])


def test_the_email_preview_on_a_page_of_its_own_is_a_page(site: str, browser: Browser):
    """The stand-alone email preview (the way to it without scripts) had no main landmark, no h1
    and nothing outside a landmark but the email (axe's best practice; audit)."""
    page = opened(browser, site + "/releases/2024-11-13/newsletter", bypass_csp=True)
    page.get_by_role("link", name="Open the email preview on a page of its own").click()
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'wcag22aa', 'best-practice']}}).then((r) => r.violations.map((v) => v.id))"
    )
    page.context.close()
    assert found == []


def test_code_is_as_large_as_the_words_around_it(site: str, browser: Browser):
    """Code blocks were 13 px among 19 px words: a browser shrinks text whose only font is
    'monospace' (diffs' exploratory testing)."""
    page = opened(browser, f"{site}/chapters/blocks")
    sizes = page.evaluate(
        "['main p', 'main pre', 'main p code'].map("
        "s => getComputedStyle(document.querySelector(s)).fontSize)"
    )
    assert sizes[0] == sizes[1] == sizes[2], sizes
    page.context.close()


def test_a_printed_diff_is_its_text_and_marks(site: str, browser: Browser):
    """Printed, the compare form, the menu and the footer were on paper, local links printed
    their addresses ("(/chapters/…)") and a deleted link's address was printed inside its
    struck-through words (diffs' exploratory testing)."""
    page = opened(browser, f"{site}{DIFF}")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "['.app-compare', '.govuk-footer', '.govuk-service-navigation__wrapper', "
        "'.govuk-breadcrumbs'].map(s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none"] * 4

    def after(selector: str) -> list[str]:
        return page.evaluate(
            "s => [...document.querySelectorAll(s)].map(a => getComputedStyle(a, '::after')"
            ".content)",
            selector,
        )

    deleted, inserted, local = after("main del a"), after("main ins a"), after("main a[href^='/']")
    assert deleted and inserted and local
    assert deleted == ["none"] * len(deleted)
    assert all(content.startswith('" (http') for content in inserted), inserted
    assert local == ["none"] * len(local)
    page.context.close()
