"""The practitioners' website (SPEC §8) on the demo manual, through FastAPI's TestClient."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from conftest import (
    ESCAPED_LINKS,
    HTML_HEADINGS,
    LEAFLET_IDS,
    LEAFLET_LANDINGS,
    LINK_FORMS,
    NON_LATIN_HEADINGS,
    OWN_LANDINGS,
    SECTION_HEADINGS,
    ManualRepo,
    doc,
)
from fastapi.testclient import TestClient
from jinja2 import FileSystemBytecodeCache
from test_newsletter import counted_renderings

from tracker.authoring.check import check_manual
from tracker.demo import build_demo
from tracker.index.store import cache_folder, remove
from tracker.manual import open_manual
from tracker.publish import views
from web.app import create_app
from web.rendering import long_words
from web.site import Site

D = date.fromisoformat
TODAY = D("2024-11-20")
GOLDEN = Path(__file__).parent / "golden" / "newsletter-2024-11-13.txt"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("web") / "demo")


@pytest.fixture(scope="module")
def client(demo: Path) -> Iterator[TestClient]:
    with TestClient(create_app(open_manual(demo), TODAY)) as test_client:
        yield test_client


def page(client: TestClient, path: str, status: int = 200):
    response = client.get(path)
    assert response.status_code == status, (path, response.text[:500])
    return response


def text_of(html: str) -> str:
    """The words a reader sees, tags dropped and spaces folded."""
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def test_a_fixed_today_banner_says_what_it_fixes(client: TestClient):
    # --today moves the clock; it does not hide commits made after that day (the demo's
    # December 2024 commits show as upcoming), so the banner must not say "as it stood on".
    words = text_of(page(client, "/").text)
    assert "showing the manual as if today were 20 November 2024." in words
    assert "as it stood on 20 November 2024" not in words
    assert "Neglect Toolkit" in words  # withdrawn by a commit of 2 December 2024


def test_home_shows_the_upcoming_and_latest_release_and_recent_chapters(client: TestClient):
    response = page(client, "/")
    context = response.context  # type: ignore[attr-defined]
    assert context["upcoming"].date == D("2024-12-11")
    assert context["latest"].date == D("2024-11-13")
    assert "domestic-abuse" in [listed.document.id for listed in context["recent"]]
    words = text_of(response.text)
    assert "Going live on 11 December 2024" in words
    assert "Latest release: 13 November 2024" in words
    assert 'role="search"' in response.text
    assert "Durham Safeguarding Children Partnership: Multi-Agency Procedures" in words
    assert "govuk-header__logo" not in response.text  # no crown: the manual's own title


def test_contents_by_section_with_recent_tags_and_withdrawn_apart(client: TestClient):
    response = page(client, "/chapters")
    sections = list(response.context["sections"])  # type: ignore[attr-defined]
    assert sections[:2] == ["Responsibilities of All Agencies", "Referral and Assessment"]
    words = text_of(response.text)
    assert "Domestic Abuse Updated 13 November 2024" in words
    withdrawn = [listed.document.id for listed in response.context["withdrawn"]]  # type: ignore[attr-defined]
    assert "forced-marriage" in withdrawn
    assert words.index("Withdrawn") > words.index("Domestic Abuse")


def test_chapter_in_force_today_with_what_changed_and_links(client: TestClient):
    response = page(client, "/chapters/domestic-abuse")
    words = text_of(response.text)
    assert "Last updated 13 November 2024" in words
    assert "What changed on 13 November 2024: This chapter has been updated" in words
    assert 'href="/chapters/domestic-abuse/history"' in response.text
    assert 'href="/chapters/domestic-abuse/diff?from=2024-11-12&amp;to=2024-11-13"' in response.text
    assert "Non-fatal Strangulation" in words
    assert "Owner" in words and "Next review" in words


def test_chapter_on_a_past_date_has_a_banner(client: TestClient):
    response = page(client, "/chapters/missing?at=2024-10-01")
    words = text_of(response.text)
    assert "You are reading this chapter as it stood on 1 October 2024." in words
    assert "Read the current version" in words
    today = text_of(page(client, "/chapters/missing").text)
    assert "You are reading" not in today
    assert words != today


def test_a_date_whose_version_is_today_s_is_not_called_past_or_future(small: ManualRepo):
    """``?at=`` names the version in force on a day: today's version is the current one,
    whether the day is today, before it (nothing changed since) or after it (nothing is due by
    then); a later version is a future one, said in the future tense throughout."""
    small.commit({"a.md": doc("Alpha", "Later.")}, "Plan", "2024-05-01T09:00:00+00:00",
                 {"Go-Live": "2024-07-03", "Change-Note": "Made clearer."})  # fmt: skip
    small.commit({"b.md": doc("Bravo")}, "Add B", "2024-01-05T09:00:00+00:00")
    small.commit({"b.md": doc("Bravo", status="archived")}, "Archive B",
                 "2024-05-01T09:00:00+00:00", {"Go-Live": "2024-07-03"})  # fmt: skip

    def said(client: TestClient, address: str) -> str:
        return text_of(page(client, address).text).replace(" .", ".")

    with served(small, "2024-06-01") as client:

        def banner(address: str) -> str:
            words = text_of(page(client, address).text.split("<main", 1)[1])
            return words[words.index(">") + 1 : words.index(" Chapter ")].strip()

        today = banner("/chapters/a?at=2024-06-01")
        assert today == "The current version You are reading the version of this chapter in " \
            "force today, 1 June 2024."  # fmt: skip
        assert banner("/chapters/a?at=2024-01-10") == "The current version You are reading " \
            "this chapter as it stood on 10 January 2024. It has not changed since: this is " \
            "the version in force today."  # fmt: skip
        assert banner("/chapters/a?at=2024-07-02") == "The current version You are reading " \
            "this chapter as it will stand on 2 July 2024. No change to it is due before " \
            "then: this is the version in force today."  # fmt: skip
        assert banner("/chapters/a?at=2024-01-01").startswith("The current version")
        future = said(client, "/chapters/a?at=2024-07-03")
        assert "A future version You are reading this chapter as it will stand on 3 July 2024, " \
            "with changes not yet in force. Read the current version." in future  # fmt: skip
        assert "What will change on 3 July 2024: Made clearer." in future
        assert "Goes live 3 July 2024 \u2013 see what will change" in future  # (not "Last
        # updated" on a day to come)
        withdrawn = said(client, "/chapters/b?at=2024-07-03")
        assert "This chapter will be withdrawn on 3 July 2024: Archive B. Its last" in withdrawn
        assert "To be withdrawn 3 July 2024" in withdrawn  # (not "Goes live", review)
        small.commit({"c.md": doc("Charlie")}, "Add C", "2024-05-02T09:00:00+00:00",
                     {"Go-Live": "2024-07-10"})  # fmt: skip
        small.commit({"c.md": doc("Charlie", status="archived")}, "Archive C",
                     "2024-05-03T09:00:00+00:00", {"Go-Live": "2024-07-10"})  # fmt: skip
        never = said(client, "/chapters/c")
        assert "never in force" in never and "To be withdrawn 10 July 2024" in never
        later = said(client, "/chapters/b?at=2024-07-04")
        assert "will be withdrawn on 3 July 2024" in later
    with served(small, "2024-08-01") as client:
        past = said(client, "/chapters/a?at=2024-06-01")
        assert "A past version You are reading this chapter as it stood on 1 June 2024. Read " \
            "the current version." in past  # fmt: skip
        assert "This chapter changed on 3 July 2024: Made clearer. See what changed." in past
        withdrawn = said(client, "/chapters/b?at=2024-07-03")
        assert "This chapter was withdrawn on 3 July 2024: Archive B." in withdrawn


def test_links_between_chapters_become_their_pages(client: TestClient):
    response = page(client, "/chapters/parental-substance-misuse")
    assert 'href="/chapters/information-sharing"' in response.text
    assert 'href="/chapters/referrals"' in response.text
    assert ".md" not in " ".join(re.findall(r'href="([^"]*)"', response.text))


def test_text_in_another_language_keeps_its_language_and_direction(small: ManualRepo):
    """An Urdu paragraph read right to left, and spoken as Urdu (WCAG 1.3.2, 3.1.2): the page
    kept lang but dropped dir, so it read left to right (diffs' exploratory testing)."""
    urdu = '<p dir="rtl" lang="ur" onclick="x()">پولیس کو 999 پر کال کریں</p>'
    small.commit({"a.md": doc("A", urdu)}, when="2024-02-01T09:00:00+00:00")
    with served(small) as client:
        shown = page(client, "/chapters/a").text
        assert '<p dir="rtl" lang="ur">پولیس کو 999 پر کال کریں</p>' in shown


def test_a_withdrawn_chapter_says_when_and_why_with_its_last_text(client: TestClient):
    words = text_of(page(client, "/chapters/forced-marriage").text)
    assert "was withdrawn on 11 September 2024" in words
    assert "replaced by a new chapter on Honour-Based Abuse" in words
    assert "last text is shown below" in words


def test_history_lists_every_version_with_summary_and_links(client: TestClient, demo: Path):
    response = page(client, "/chapters/domestic-abuse/history")
    rows = response.context["rows"]  # type: ignore[attr-defined]
    assert [row["version"].effective for row in rows] == [D("2024-11-13"), D("2023-11-08")]
    words = text_of(response.text)
    assert "New section: Non-fatal Strangulation." in words
    assert "/chapters/domestic-abuse?at=2023-11-08" in response.text
    snapshot = open_manual(demo).snapshot()
    held = next(v for d in snapshot.documents for v in d.versions if v.held_back_by)
    held_page = text_of(page(client, f"/chapters/{held.id}/history").text)
    declared = f"{held.declared.date.day} {held.declared.date:%B} {held.declared.date.year}"
    effective = f"{held.effective.day} {held.effective:%B} {held.effective.year}"
    assert (f"Why this date: held back: declared {declared} by the release schedule, but the "
            "earlier commit "
            f"{held.held_back_by[:10]} goes live on {effective}.") in held_page  # fmt: skip


def test_diff_shows_track_changes_and_switches_to_source(client: TestClient):
    response = page(client, "/chapters/domestic-abuse/diff?from=2024-11-12&to=2024-11-13")
    words = text_of(response.text)
    assert "New section: Non-fatal Strangulation. Revised: Definitions." in words
    assert (
        "Comparing the version in force from 8 November 2023 with the version in force "
        "from 13 November 2024." in words
    )  # (dates as the page's own: no '13th')
    assert '<ins><span class="vh">inserted text: </span>' in response.text
    assert "source=true" in response.text
    source = page(client, "/chapters/domestic-abuse/diff?from=2024-11-12&to=2024-11-13&source=true")
    assert 'class="diff-source"' in source.text
    assert "## Non-fatal Strangulation" in text_of(source.text)
    assert '<select class="govuk-select" id="compare-from" name="from">' in response.text
    assert 'href="/chapters/referrals"' in response.text  # links between chapters, as pages


def test_releases_and_a_release_page(client: TestClient):
    listing = text_of(page(client, "/releases").text)
    assert listing.index("Upcoming") < listing.index("11 December 2024") < listing.index("Past")
    response = page(client, "/releases/2024-11-13")
    words = text_of(response.text)
    assert "These changes went live on 13 November 2024." in words  # (as the page's title)
    assert "Amendments have been made in line with the Online Safety Act 2023." in words
    assert "New section: Non-fatal Strangulation." in words
    assert 'href="/chapters/referrals/diff?from=2024-11-12&amp;to=2024-11-13"' in response.text


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/chapters/referrals", "Referrals"),
        ("/chapters/referrals?at=2024-01-01", "Referrals as it stood on 1 January 2024"),
        ("/chapters/online-safety?at=2025-02-01", "Online Safety as it will stand on 1 February 2025"),
        ("/chapters/referrals?at=2024-11-20", "Referrals as it stands on 20 November 2024"),
        ("/chapters/referrals/diff?from=2024-01-01&to=2024-11-20",
         "What changed in Referrals, 8 November 2023 to 13 November 2024"),
        ("/chapters/referrals/diff?from=2024-06-19&to=2024-06-20",
         "What changed in Referrals, 8 November 2023 to 20 June 2024"),
        ("/chapters/referrals/diff?from=2024-06-19&to=2024-06-20&source=true",
         "What changed in Referrals, 8 November 2023 to 20 June 2024 (Markdown source)"),
        ("/chapters/referrals/diff?from=2020-01-01&to=2024-06-20",
         "What changed in Referrals, up to 20 June 2024"),
        ("/chapters/referrals/diff?from=2024-11-14&to=2024-11-15",
         "What changed in Referrals, 13 November 2024 (no change)"),
        ("/releases/2024-11-13/newsletter", "Newsletter section for 13 November 2024: Email (HTML)"),
        ("/releases/2024-11-13/newsletter?format=md",
         "Newsletter section for 13 November 2024: Markdown"),
    ],
)  # fmt: skip
def test_a_pages_title_says_which_date_or_versions_it_shows(
    client: TestClient, path: str, title: str
):
    """WCAG 2.4.2 (audit): a past version, today's and two diffs open in tabs, or read out
    first by a screen reader, are told apart by their titles; the h1 stays the chapter's."""
    text = page(client, path).text
    found = re.search(r"<title>(.*?) \u2013 ", text)  # (an en dash, then the manual's title)
    assert found is not None and unescape(found.group(1)) == title
    heading = re.search(r'<h1 class="govuk-heading-xl">(.*?)</h1>', text)
    assert heading is not None and title.startswith(heading.group(1))


def test_a_word_too_long_for_a_release_tables_column_may_break():
    """An address a change note cites (or a title) in a release's table: its words of more than
    20 characters in a span that may break anywhere (app.scss), escaped like all the rest."""
    assert long_words("Safeguarding partnership's notes <b>") == (
        "Safeguarding partnership&#39;s notes &lt;b&gt;"
    )
    assert long_words("See <https://example.org/guidance?a=1&b=2>.") == (
        'See <span class="app-long-word">&lt;https://example.org/guidance?a=1&amp;b=2&gt;.</span>'
    )


def test_newsletter_preview_copy_and_downloads(client: TestClient):
    response = page(client, "/releases/2024-11-13/newsletter?format=text")
    assert GOLDEN.read_text(encoding="utf-8").strip() in response.text
    assert "app-site-address" not in response.text  # (the demo manual gives its site_url)
    assert 'data-copy="newsletter-source"' in response.text
    download = page(client, "/releases/2024-11-13/newsletter.txt")
    assert download.text == GOLDEN.read_text(encoding="utf-8")
    assert download.headers["content-disposition"].startswith("attachment;")
    email = page(client, "/releases/2024-11-13/newsletter.html?inline=true")
    assert email.headers["content-disposition"].startswith("inline;")
    assert "'unsafe-inline'" in email.headers["content-security-policy"]
    assert "script" not in email.headers["content-security-policy"]
    # Opened on a page of its own too (review): nothing in it sends a form or navigates.
    assert email.headers["content-security-policy"].endswith(
        "form-action 'none'; sandbox allow-same-origin"
    )
    assert 'href="https://procedures.example.org/chapters/referrals"' in email.text
    preview = page(client, "/releases/2024-11-13/newsletter")
    assert "<iframe" in preview.text
    # (nothing runs in the frame: the page measures it, test_browser; without scripts, a link)
    assert 'sandbox="allow-same-origin"' in preview.text and "allow-" not in preview.text.replace(
        'sandbox="allow-same-origin"', ""
    )
    email_alone = "/releases/2024-11-13/newsletter.html?inline=true&amp;alone=true"
    assert f'href="{email_alone}">Open the email preview on a page of its own' in preview.text
    # That page (audit): a heading, a way back and the email as its main content, the very
    # HTML that is downloaded (and copied), under the same policy.
    alone = page(client, unescape(email_alone))
    assert alone.headers["content-security-policy"] == email.headers["content-security-policy"]
    download = page(client, "/releases/2024-11-13/newsletter.html")
    assert f"<main>\n{download.text}\n</main>" in alone.text
    assert download.text in email.text and "<main>" not in email.text  # (the frame's, as it was)
    assert "<h1>Preview of the newsletter section for 13 November 2024</h1>" in alone.text
    assert '<a href="/releases/2024-11-13/newsletter">Back to the newsletter section</a>' in (
        alone.text
    )
    for extension in ("md", "json"):
        assert page(client, f"/releases/2024-11-13/newsletter.{extension}").text
    page(client, "/releases/2024-11-13/newsletter.pdf", 404)
    page(client, "/releases/2024-11-13/newsletter?format=pdf", 400)


def test_releases_feed_carries_each_newsletter_section(client: TestClient, demo: Path):
    response = page(client, "/feeds/releases.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    snapshot = open_manual(demo).snapshot()
    assert len(feed.entries) == len(snapshot.releases)
    newest = feed.entries[0]
    assert newest.title == "Procedures going live on 8th January 2025"  # upcoming, scheduled
    november = next(e for e in feed.entries if "13th November 2024" in e.title)
    assert "Multi-Agency Procedures update" in november.content[0].value
    assert november.link == "https://procedures.example.org/releases/2024-11-13"


def test_each_chapter_has_a_feed(client: TestClient):
    feed = feedparser.parse(page(client, "/chapters/domestic-abuse/feed.atom").content)
    assert not feed.bozo
    assert feed.entries[0].title == "Domestic Abuse: updated from 13th November 2024"
    assert "Non-fatal Strangulation" in feed.entries[0].summary


ATOM = "{http://www.w3.org/2005/Atom}"


def feed_author(atom: bytes) -> tuple[str | None, str | None]:
    """The name and address of an Atom feed's own author (RFC 4287 4.1.1: required unless every
    entry names one), read as XML rather than by feedparser, which fills one in from entries."""
    author = ElementTree.fromstring(atom).find(f"{ATOM}author")
    assert author is not None, "the feed names no author"
    return author.findtext(f"{ATOM}name"), author.findtext(f"{ATOM}uri")


def test_every_feed_names_its_author(client: TestClient, small: ManualRepo):
    """Neither feed had an author (tester's report): the manual, by its short name."""
    site = "https://procedures.example.org"
    for path in ("/feeds/releases.atom", "/chapters/domestic-abuse/feed.atom"):
        assert feed_author(page(client, path).content) == ("DSCP", f"{site}/"), path
    with served(small) as other:  # (no manual.toml: its title; the address asked for)
        assert feed_author(page(other, "/chapters/a/feed.atom").content) == (
            "Multi-Agency Procedures", "http://testserver/"
        )  # fmt: skip
    small.commit({"manual.toml": '[manual]\ntitle = ""\nshort_name = ""\n'}, "No names",
                 "2024-02-01T09:00:00+00:00")  # fmt: skip
    with served(small) as other:  # (an empty title: the author went, and the feed was invalid)
        assert feed_author(page(other, "/feeds/releases.atom").content)[0] == (
            "Multi-Agency Procedures"
        )


def test_each_feed_entry_links_to_the_change_its_summary_describes(client: TestClient):
    """Two versions going live the same day (the demo's Child Exploitation on 11 December
    2024): each entry opens its own version's change, commit to commit as the history page
    links it, not the day's combined change; its note and summary are separate sentences."""
    feed = feedparser.parse(page(client, "/chapters/exploitation/feed.atom").content)
    history = page(client, "/chapters/exploitation/history").text
    own = re.findall(r'href="(/chapters/exploitation/diff\?[^"]*)"', history)
    site = "https://procedures.example.org"
    assert [entry.link for entry in feed.entries] == [site + unescape(a) for a in own]
    assert len(set(own)) == len(own) == 3
    for entry in feed.entries:
        summary = page(client, entry.link.removeprefix(site)).context["summary"]  # type: ignore[attr-defined]
        assert entry.summary.endswith(f". {summary}"), (entry.summary, summary)
    first = feed.entries[-1].summary
    assert first.startswith("Import the multi-agency procedures manual. A new document of ")


def test_the_newsletter_feed_publishes_a_release_when_it_appears_there(small: ManualRepo):
    """A mailing tool that sends what its feed published since it last sent sent an upcoming
    release at every send until its day (published then, ahead), and never one whose change
    was committed on its day (published at the day's start, hours before it existed):
    exploratory testing of the service's clients. The newsletter feed holds the releases gone
    live, each published at its day's start or when its first change was committed."""
    small.commit({"b.md": doc("Bravo")}, "B", "2024-05-10T09:00:00+00:00",
                 {"Go-Live": "2024-07-01", "Change-Note": "Bravo added."})  # fmt: skip
    small.commit({"c.md": doc("Charlie")}, "C", "2024-06-01T16:10:00+01:00",
                 {"Go-Live": "immediate", "Change-Note": "Charlie added."})  # fmt: skip

    def entries(client: TestClient, path: str) -> list[tuple[str, str]]:
        feed = feedparser.parse(page(client, path).content)
        return [(entry.id.rsplit("/", 1)[1], entry.published) for entry in feed.entries]

    with served(small, "2024-06-01") as client:
        assert entries(client, "/feeds/newsletter.atom") == [
            ("2024-06-01", "2024-06-01T16:10:00+01:00"),  # (committed that afternoon)
            ("2024-01-01", "2024-01-01T09:00:00+00:00"),
        ]
        assert entries(client, "/feeds/releases.atom")[0] == (
            "2024-07-01",
            "2024-07-01T00:00:00+01:00",
        )
        assert (
            entries(client, "/feeds/releases.atom")[1]
            == entries(client, "/feeds/newsletter.atom")[0]
        )
        feed = feedparser.parse(page(client, "/feeds/newsletter.atom").content)
        assert feed.feed.title == "Multi-Agency Procedures: newsletter"
        assert "Charlie" in feed.entries[0].content[0].value  # (its newsletter section)
    # A minor fix in the morning (no feed lists an editorial release), a change that afternoon:
    # published when the release first stood in the feed, the afternoon (review).
    small.commit({"c.md": doc("Charlie", "Typo.")}, "Typo", "2024-06-02T09:00:00+01:00",
                 {"Go-Live": "immediate", "Change-Type": "minor"})  # fmt: skip
    small.commit({"d.md": doc("Delta")}, "Now", "2024-06-02T14:00:00+01:00",
                 {"Go-Live": "immediate", "Change-Note": "Delta added."})  # fmt: skip
    with served(small, "2024-06-02") as client:
        newest = entries(client, "/feeds/newsletter.atom")[0]
        assert newest == ("2024-06-02", "2024-06-02T14:00:00+01:00")
    with served(small, "2024-07-01") as client:  # (gone live: published at its day's start)
        assert entries(client, "/feeds/newsletter.atom")[0] == (
            "2024-07-01",
            "2024-07-01T00:00:00+01:00",
        )


def test_a_chapter_feed_is_never_updated_ahead_of_today(small: ManualRepo):
    """An upcoming version stood in its chapter's feed as updated on its go-live day, and the
    feed too: a far Go-Live kept the feed's updated in 9999, on top for ever in a reader
    (exploratory testing of dates). Updated by its commit while upcoming, as in the releases
    feed; a version gone live the day it was committed, at that commit."""
    small.commit({"a.md": doc("Alpha", "Later.")}, "Later", "2024-05-10T09:00:00+00:00",
                 {"Go-Live": "9999-12-31"})  # fmt: skip
    small.commit({"b.md": doc("Bravo")}, "B", "2024-05-11T15:00:00+00:00")
    with served(small, "2024-06-01") as client:
        feed = feedparser.parse(page(client, "/chapters/a/feed.atom").content)
        assert feed.feed.updated == "2024-05-10T10:00:00+01:00"
        assert [(e.published, e.updated) for e in feed.entries] == [
            ("9999-12-31T00:00:00+00:00", "2024-05-10T10:00:00+01:00"),
            ("2024-01-01T09:00:00+00:00", "2024-01-01T09:00:00+00:00"),
        ]
        feed = feedparser.parse(page(client, "/chapters/b/feed.atom").content)
        assert [e.published for e in feed.entries] == ["2024-05-11T16:00:00+01:00"]


def test_the_feed_of_a_chapter_withdrawn_before_it_went_live_is_not_updated_ahead(
    small: ManualRepo,
):
    """With no entry, the feed was updated on the day the chapter would have gone live, ahead
    of today (review): updated by its commit, as an upcoming version's entry is."""
    small.commit({"c.md": doc("Charlie")}, "C", "2024-05-01T09:00:00+00:00",
                 {"Go-Live": "2024-09-01"})  # fmt: skip
    small.commit({"c.md": None}, "Withdraw C", "2024-05-20T09:00:00+00:00")
    with served(small, "2024-06-01") as client:
        feed = feedparser.parse(page(client, "/chapters/c/feed.atom").content)
        assert (feed.feed.updated, feed.entries) == ("2024-05-01T10:00:00+01:00", [])


def test_feed_ids_stay_when_a_chapter_is_renamed_and_drafts_are_left_out(small: ManualRepo):
    """A chapter's feed gave its entries ids from the chapter's current id: renamed, every past
    change came again as new, at the former address too; a draft withdrawn before it went live
    was "added from 10th April 2024" there; an upcoming release's entry kept its date as
    updated however its changes grew (exploratory testing)."""

    def ids(client: TestClient, path: str) -> list[str]:
        return [entry.id for entry in feedparser.parse(page(client, path).content).entries]

    small.commit({"a.md": doc("Alpha", "Two.")}, "Two", "2024-01-05T09:00:00+00:00")
    with served(small, "2024-03-01") as client:
        before = ids(client, "/chapters/a/feed.atom")
    assert len(before) == 2
    small.commit({"a.md": None, "z/alpha.md": doc("Alpha", "Two.")}, "Move",
                 "2024-02-01T09:00:00+00:00")  # fmt: skip
    small.commit({"draft.md": doc("Draft")}, "Draft", "2024-02-02T09:00:00+00:00",
                 {"Go-Live": "2024-04-10"})  # fmt: skip
    small.commit({"draft.md": None}, "No draft", "2024-02-03T09:00:00+00:00")
    small.commit({"b.md": doc("Bravo")}, "B", "2024-02-04T09:00:00+00:00",
                 {"Go-Live": "2024-04-03"})  # fmt: skip
    with served(small, "2024-03-01") as client:
        for path in ("/chapters/a/feed.atom", "/chapters/z/alpha/feed.atom"):
            assert ids(client, path)[1:] == before, path
        assert ids(client, "/chapters/draft/feed.atom") == []
        (upcoming, *_) = feedparser.parse(page(client, "/feeds/releases.atom").content).entries
        assert upcoming.id == "http://testserver/releases/2024-04-03"
        first = upcoming.updated
    small.commit({"c.md": doc("Charlie")}, "C", "2024-02-05T09:00:00+00:00",
                 {"Go-Live": "2024-04-03"})  # fmt: skip
    with served(small, "2024-03-01") as client:
        (upcoming, *_) = feedparser.parse(page(client, "/feeds/releases.atom").content).entries
        assert upcoming.updated > first
        assert upcoming.published.startswith("2024-04-03")  # (RSS-to-email: as it always was)
    # A former id given to a new chapter: two feeds, two names (review).
    small.commit({"a.md": doc("New A")}, "A again", "2024-02-06T09:00:00+00:00")
    with served(small, "2024-03-01") as client:
        named = {path: feedparser.parse(page(client, path).content).feed.id
                 for path in ("/chapters/a/feed.atom", "/chapters/z/alpha/feed.atom")}  # fmt: skip
        assert named["/chapters/z/alpha/feed.atom"] == "http://testserver/chapters/a/feed.atom"
        assert named["/chapters/a/feed.atom"].startswith(
            "http://testserver/chapters/a/feed.atom?first="
        )


def test_search_ranks_and_highlights(client: TestClient):
    response = page(client, "/search?q=strangulation")
    hits = response.context["hits"]  # type: ignore[attr-defined]
    assert hits[0].id == "domestic-abuse"
    assert "<mark>" in hits[0].snippet.lower()
    assert page(client, "/search?q=%22%20OR%20NEAR(").status_code == 200  # FTS5 syntax is text
    assert "0 results" in text_of(page(client, "/search?q=zzzzqqq").text)


def test_api_has_the_command_lines_shapes(client: TestClient, demo: Path):
    manual = open_manual(demo)
    snapshot = manual.snapshot()
    releases = page(client, "/api/releases").json()
    assert releases == {"releases": [views.release_json(r, TODAY) for r in snapshot.releases]}
    history = page(client, "/api/chapters/referrals/history").json()
    referrals = snapshot.document("referrals")
    assert history == views.history_json(referrals, manual.differ.summary, snapshot)
    assert page(client, "/api/chapters/referrals/diff").json()["id"] == "referrals"
    chapters = page(client, "/api/chapters").json()["chapters"]
    assert [c["id"] for c in chapters] == [d.id for d in snapshot.documents]
    assert page(client, "/api/releases/2024-11-13/newsletter").json()["release"]["date"] == (
        "2024-11-13"
    )
    assert page(client, "/healthz").json()["status"] == "ok"
    spec = page(client, "/openapi.json").json()
    assert "/api/releases" in spec["paths"] and "/api/chapters/{ident}/history" in spec["paths"]


def test_the_api_is_described_as_it_answers(client: TestClient):
    """The description promised 422 (FastAPI's, never sent: a malformed value is 400), took any
    text for a date, and left out the webhook's 413 and 503 (schemathesis, exploratory
    testing): clients made from it sent what the API refuses."""
    spec = page(client, "/openapi.json").json()
    operations = [op for ops in spec["paths"].values() for op in ops.values()]
    assert operations and not [op for op in operations if "422" in op["responses"]]
    dated = [p for op in operations for p in op.get("parameters", []) if p["name"] in ("day", "at")]
    assert dated and all(p["schema"]["format"] == "date" for p in dated)
    assert {"413", "503"} <= spec["paths"]["/hooks/push"]["post"]["responses"].keys()
    assert "503" in spec["paths"]["/healthz"]["get"]["responses"]
    assert "HTTPValidationError" not in spec.get("components", {}).get("schemas", {})


def test_the_api_is_described_as_it_answers_after_a_route_is_added(small: ManualRepo):
    """FastAPI makes its description again when its routes change: mended each time (review)."""
    with served(small) as client:
        page(client, "/openapi.json")
        client.app.add_api_route("/api/late/{day}", lambda day: {"day": day})  # type: ignore[attr-defined]
        late = page(client, "/openapi.json?again").json()["paths"]["/api/late/{day}"]["get"]
        assert "422" not in late["responses"]
        assert late["parameters"][0]["schema"]["format"] == "date"


def test_the_api_refuses_an_empty_date_that_a_page_reads_as_none(client: TestClient):
    """A partner's system that built ?at=${incident_date} with nothing in it was given today's
    version, where the command line refuses an empty date (exploratory testing of the
    service's clients). A page's form sends an empty field: the page reads it as none."""
    for address, named in (("/api/chapters/referrals?at=", "date"),
                           ("/api/releases?until=", "until date"),
                           ("/api/releases?since=", "since date")):  # fmt: skip
        response = page(client, address, 400)
        assert response.json() == {"error": f"The {named} '' is not a date of the form YYYY-MM-DD."}
    page(client, "/chapters/referrals?at=")


def test_the_api_has_no_chapter_on_a_date_before_it_existed(client: TestClient, demo: Path):
    """As the page (404) and 'tracker show --at' (exit 2, the same sentence): not 200 with
    nulls, which reads as a chapter that says nothing."""
    response = page(client, "/api/chapters/honour-based-abuse?at=2024-01-01", 404)
    assert response.json() == {"error": "'honour-based-abuse' was not yet in force on 2024-01-01."}
    page(client, "/chapters/honour-based-abuse?at=2024-01-01", 404)
    first = views.history_json(open_manual(demo).snapshot().document("honour-based-abuse"))
    went_live = first["versions"][0]["go_live"]
    found = page(client, f"/api/chapters/honour-based-abuse?at={went_live}").json()
    assert found["version"]["commit"] == first["versions"][0]["commit"] and found["markdown"]
    spec = page(client, "/openapi.json").json()["paths"]["/api/chapters/{ident}"]["get"]
    assert "404" in spec["description"] and "before" in spec["description"]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/chapters/no-such-chapter", 404, "no document with the id"),
        ("/chapters/referrals?at=2024-02-30", 400, "not a real calendar date"),
        ("/chapters/referrals?at=yesterday", 400, "YYYY-MM-DD"),
        ("/chapters/referrals%0a", 400, "control character"),  # (was referrals' page)
        ("/api/chapters/referrals%0a", 400, "control character"),
        ("/chapters/honour-based-abuse?at=2024-01-01", 404, "not yet in force"),
        ("/releases/2024-11-14", 404, "There is no release on 14 November 2024."),
        ("/releases/2024-11-14/newsletter", 404, "There is no release on 14 November 2024."),
        ("/releases/13-11-2024", 400, "YYYY-MM-DD"),
        ("/chapters/referrals/diff?from=--output=x", 400, "not a valid"),
        ("/chapters/referrals/diff?from=main..HEAD", 400, "not a valid"),
        ("/chapters/referrals/diff?from=no-such-branch", 404, "not a date (YYYY-MM-DD) or a"),
        (
            "/chapters/referrals/diff?to=2020-01-01",
            404,
            "Referrals was not yet in force on 1 January 2020.",
        ),  # (the page's title and dates: not 'referrals', not 2020-01-01)
        ("/api/chapters/referrals/diff?to=2020-01-01", 404, "2020-01-01"),  # (as the CLI)
        ("/api/releases/2024-11-14", 404, "There is no release on 2024-11-14."),
        ("/chapters/a%00b", 400, "control character"),
        ("/no/such/page", 404, "no page at this address"),
        ("/api/chapters/no-such-chapter", 404, "no document"),
        ("/api/releases/2024-13-01", 400, "2024-13-01"),
    ],
)
def test_bad_addresses_get_400_or_404_with_a_sentence(
    client: TestClient, path: str, status: int, words: str
):
    response = page(client, path, status)
    assert words in response.text
    if not path.startswith("/api/"):
        assert 'href="/"' in response.text  # a way back


def test_an_address_with_a_control_character_is_400_on_the_sites_own_page(client: TestClient):
    """The route's pattern drops a line feed at an address's end (/chapters/a%0a was a's page):
    refused, on the site's own error page (the first fix gave the plain one: review), and for
    /healthz too."""
    response = page(client, "/chapters/referrals%0a", 400)
    assert "control character" in response.text and "govuk-template__header" in response.text
    assert page(client, "/healthz%0a", 400).json() == {
        "error": "An address cannot hold a control character."
    }


def test_a_diff_tells_no_one_which_other_branches_and_tags_exist(small: ManualRepo):
    """?from=case-jones (a draft branch) answered "not on the tracked branch", ?from=no-such
    "does not name a commit", and a draft branch made from the branch's head was compared:
    anyone could learn which branch and tag names exist (review). Only the branch's own name
    and its commits are read, from the history alone; every other name answers alike."""
    first = small.git("rev-parse", "HEAD")
    small.git("tag", "signed-off")  # (a tag on the branch: still not one of its commits' ids)
    small.git("branch", "draft-smith")  # (made from the head, not yet committed to)
    small.branch("case-jones")
    small.commit({"a.md": doc("Alpha", "Draft.")}, "Draft", "2024-01-20T09:00:00+00:00")
    small.git("tag", "case-jones-v1")
    small.checkout("main")
    second = small.commit({"a.md": doc("Alpha", "Two.")}, "Two", "2024-02-01T09:00:00+00:00")
    names = ("no-such", "case-jones", "case-jones-v1", "draft-smith", "signed-off",
             "refs/heads/main", "case-jones~1", small.git("rev-parse", "case-jones"))  # fmt: skip
    with served(small) as client:
        for name in names:
            for address in (f"/chapters/a/diff?from={name}", f"/chapters/a/diff?to={name}"):
                unknown = address.replace(name, "x" + name[1:])
                for path in (address, "/api" + address):
                    response = page(client, path, 404)
                    words = text_of(response.text)
                    assert f"{name!r} is not a date (YYYY-MM-DD) or a commit of the branch " \
                        "'main': each chapter's history lists the commits of its versions." \
                        in words, path  # fmt: skip
                    other = page(client, path.replace(address, unknown), 404)
                    assert text_of(other.text) == words.replace(name, "x" + name[1:]), path
        for start in (first, first[:7], first[:7].upper(), "main~1", f"{second}^", "main^1~0",
                      "HEAD~1"):  # (HEAD: the branch's head, which tells nothing)  # fmt: skip
            for path in (f"/chapters/a/diff?from={start}&to=main",
                         f"/api/chapters/a/diff?from={start}&to={second[:12]}"):  # fmt: skip
                response = page(client, path)
                if path.startswith("/api/"):
                    found = response.json()
                    assert (found["from"]["commit"], found["to"]["commit"]) == (first, second)
                else:
                    assert "Comparing the version" in text_of(response.text), path
        assert "not a date" in page(client, "/chapters/a/diff?from=main~2", 404).text
        assert "not a valid" in page(client, "/api/chapters/a/diff?from=main..x", 400).text


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/chapters/referrals/", "/chapters/referrals"),
        ("/chapters/", "/chapters"),
        ("/chapters/referrals/history/", "/chapters/referrals/history"),
        ("/chapters/referrals/?at=2024-06-19", "/chapters/referrals?at=2024-06-19"),
        ("/chapters/referrals/diff/?from=2024-11-12&to=2024-11-13",
         "/chapters/referrals/diff?from=2024-11-12&to=2024-11-13"),
        ("/chapters/referrals/feed.atom/", "/chapters/referrals/feed.atom"),
        ("/releases/", "/releases"),
        ("/releases/2024-11-13//", "/releases/2024-11-13"),
        ("/releases/2024-11-13/newsletter/?format=text",
         "/releases/2024-11-13/newsletter?format=text"),
        ("/search/?q=child+protection", "/search?q=child+protection"),
        ("/feeds/releases.atom/", "/feeds/releases.atom"),
        ("/api/chapters/referrals/", "/api/chapters/referrals"),
        ("/healthz/", "/healthz"),
        # A static copy's own addresses for pages the service answers with a query string
        # (they came to 404: "no document with the id referrals/at/2024-06-19").
        ("/chapters/referrals/at/2024-06-19/", "/chapters/referrals?at=2024-06-19"),
        ("/chapters/referrals/diff/2024-11-12/2024-11-13/",
         "/chapters/referrals/diff?from=2024-11-12&to=2024-11-13"),
        ("/chapters/referrals/diff/-/-/source/", "/chapters/referrals/diff?source=true"),
        ("/releases/2024-11-13/newsletter/md/", "/releases/2024-11-13/newsletter?format=md"),
    ],
)  # fmt: skip
def test_an_address_ending_in_a_slash_is_sent_on_to_the_one_without(
    client: TestClient, asked: str, sent_to: str
):
    """/chapters/referrals/ was 400 ("The chapter id in this address is not valid"), while
    /releases/ was sent on: a static copy's own addresses end in a slash, so a link copied from
    one failed on the service (tester's report). Every address is sent on alike, query kept."""
    for method in (client.get, client.head):
        response = method(asked, follow_redirects=False)
        assert (response.status_code, response.headers.get("location")) == (308, sent_to)
    assert page(client, asked).url.path == sent_to.partition("?")[0]


@pytest.mark.parametrize(
    "asked",
    ["//evil.example/", "///evil.example/", "//evil.example/chapters/", "/%2F/evil.example/",
     "/%2F%2Fevil.example/", "/\\evil.example/", "/%5Cevil.example/", "/\\/evil.example/",
     "/chapters/%2F/", "/chapters/a b\\/", "/chapters/caf%C3%A9/", "/", "//", "/no/such/page/"],
)  # fmt: skip
def test_no_address_is_ever_sent_on_to_another_site(client: TestClient, asked: str):
    """A crafted address must never make the service an open redirect: an address is sent on
    only to a path of this site, written as asked less its trailing slashes, and only where
    the service has that address."""
    response = client.get(f"http://testserver{asked}", follow_redirects=False)
    location = response.headers.get("location")
    if location is None:
        assert response.status_code in (200, 400, 404), asked
        return
    assert response.status_code == 308, asked
    assert location.startswith("/chapters/") and "\\" not in location, (asked, location)
    assert not re.match(r"[/\\]{2}", location) and urlsplit(location).netloc == ""


def test_every_response_carries_the_security_headers(client: TestClient):
    for path in ("/", "/chapters/referrals", "/api/releases", "/no/such/page"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
        assert "frame-ancestors 'self'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "SAMEORIGIN"
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in response.text
    assert client.post("/").status_code == 405


def test_a_broken_manual_template_is_one_sentence_not_a_500(tmp_path: Path):
    (tmp_path / "manual").mkdir()
    repo = ManualRepo(tmp_path / "manual")
    repo.commit({"a.md": doc("A"), "_templates/newsletter.html.j2": "{{ 1 // 0 }}"},
                when="2024-01-01T09:00:00+00:00")  # fmt: skip
    with TestClient(create_app(open_manual(repo.path), D("2024-02-01"))) as test_client:
        response = test_client.get("/releases/2024-01-01/newsletter")
        assert response.status_code == 503
        assert (
            "The newsletter template procedures/_templates/newsletter.html.j2 failed at line 1: "
            "integer division or modulo by zero." in text_of(response.text)
        )
        assert "Traceback" not in response.text


def test_a_commit_shows_on_the_next_request_and_today_moves(tmp_path: Path):
    folder = tmp_path / "manual"
    folder.mkdir()
    repo = ManualRepo(folder)
    repo.commit({"a.md": doc("Alpha")}, when="2024-01-01T09:00:00+00:00")
    today = [D("2024-01-01")]  # (the clock is asked by the service's own start too)
    manual = open_manual(folder)
    site = Site(manual, clock=lambda zone: today[0])
    with TestClient(create_app(manual, site=site)) as test_client:
        assert "Alpha" in test_client.get("/chapters").text
        repo.commit({"b.md": doc("Beta")}, when="2024-03-01T09:00:00+00:00",
                    trailers={"Go-Live": "2024-03-01"})  # fmt: skip
        assert "Beta" not in test_client.get("/chapters").text  # not yet in force on 1 January
        today[0] = D("2024-03-01")
        assert "Beta" in test_client.get("/chapters").text  # a new day: in force, no restart
        assert json.loads(test_client.get("/healthz").text)["head"] == repo.git("rev-parse", "HEAD")


def test_a_chapter_cannot_carry_script_into_the_page(tmp_path: Path):
    folder = tmp_path / "manual"
    folder.mkdir()
    repo = ManualRepo(folder)
    hostile = (
        "<script>alert(1)</script>\n\n[click](javascript:alert(2)) "
        '<img src="x" onerror="alert(3)"> <a href="https://example.org" onclick="alert(4)">ok</a>'
    )
    repo.commit({"a.md": doc("A", hostile)}, when="2024-01-01T09:00:00+00:00")
    with TestClient(create_app(open_manual(folder), D("2024-02-01"))) as test_client:
        for path in ("/chapters/a", "/chapters/a/diff", "/chapters/a/history", "/search?q=click"):
            body = test_client.get(path).text
            for bad in ("<script>alert", "javascript:", "onerror", "onclick"):
                assert bad not in body, (path, bad)


def test_search_words_are_never_fts5_syntax():
    from tracker.index.search import Entry, SearchIndex, fts_query

    assert fts_query('title:x OR "y" NEAR(z') == '"title"* "x"* "OR"* "y"* "NEAR"* "z"*'
    index = SearchIndex([Entry("a", "Alpha", "Bruising", "Bruising See a doctor."),
                         Entry("b", "Beta", "", "Doctors and bruising in babies.")])  # fmt: skip
    assert [hit.id for hit in index.search("bruising")] == ["a", "b"]  # a heading ranks higher
    assert index.search("doctor")[0].snippet.count("<mark>") == 1
    assert index.search("") == [] and index.search("<>") == []


def test_without_the_front_end_assets_pages_work_unstyled_with_one_warning(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setattr("web.app.BUILT", tmp_path / "not-built")
    app = create_app(open_manual(demo), TODAY)
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        "the front-end assets are not built (run 'make assets'); pages are served unstyled."
    ]
    with TestClient(app) as test_client:
        response = test_client.get("/chapters/referrals")
        assert response.status_code == 200
        assert "app.css" not in response.text
        assert "Referrals" in text_of(response.text)


def served(repo: ManualRepo, today: str = "2024-06-01", **options: str) -> TestClient:
    return TestClient(create_app(open_manual(repo.path, **options), D(today)))


@pytest.fixture
def small(tmp_path: Path) -> ManualRepo:
    folder = tmp_path / "manual"
    folder.mkdir()
    repo = ManualRepo(folder)
    repo.commit({"a.md": doc("Alpha", "See [the guide](guides/history.md#two).")}, "Add",
                "2024-01-01T09:00:00+00:00")  # fmt: skip
    return repo


def test_a_diff_names_each_side_as_it_was(small: ManualRepo):
    """A version replaced before its day came was never in force: it is named by its commit's
    day; two dates after a withdrawal are the withdrawal, not 'the version in force'; an edit
    to a withdrawn chapter is not a second withdrawal (reviews)."""
    small.commit({"a.md": doc("Alpha", "Planned.")}, "Plan", "2024-02-01T09:00:00+00:00",
                 {"Go-Live": "2024-03-01"})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "Planned, better.")}, "Better", "2024-02-10T09:00:00+00:00",
                 {"Go-Live": "2024-03-01"})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "Gone.", status="archived")}, "Withdraw",
                 "2024-04-01T09:00:00+00:00", {"Go-Live": "2024-04-01"})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "Gone, edited.", status="archived")}, "Edit",
                 "2024-05-01T09:00:00+00:00", {"Go-Live": "2024-05-02"})  # fmt: skip
    small.commit({"b.md": doc("Bravo")}, "B", "2024-01-05T09:00:00+00:00")
    gone = small.commit({"b.md": None}, "B gone", "2024-03-01T09:00:00+00:00",
                        {"Go-Live": "2024-03-03"})  # fmt: skip
    small.commit({"b.md": doc("Bravo", "Back.")}, "B back", "2024-03-02T09:00:00+00:00",
                 {"Go-Live": "2024-03-03"})  # fmt: skip
    small.commit({"c.md": doc("Charlie")}, "C", "2024-01-05T09:00:00+00:00")
    small.commit({"c.md": doc("Charlie", status="archived")}, "C archived",
                 "2024-03-01T09:00:00+00:00", {"Go-Live": "2024-03-01"})  # fmt: skip
    small.commit(
        {"c.md": None}, "C deleted", "2024-04-01T09:00:00+00:00", {"Go-Live": "2024-04-01"}
    )
    small.commit({"d.md": doc("Delta")}, "D", "2024-01-05T09:00:00+00:00")
    small.commit({"d.md": doc("Delta", status="archived")}, "D archived",
                 "2024-05-01T09:00:00+00:00", {"Go-Live": "2024-06-01"})  # fmt: skip
    small.commit({"d.md": doc("Delta", "Edited.", status="archived")}, "D edited",
                 "2024-05-10T09:00:00+00:00", {"Go-Live": "2024-06-01"})  # fmt: skip
    plan, better = small.git("rev-parse", "HEAD~12", "HEAD~11").split()
    cases = {
        f"a/diff?from={plan}&to={better}": "Comparing the version committed on 1 February 2024 "
        "(replaced before it went live) with the version in force from 1 March 2024.",
        "a/diff?from=2024-03-02&to=2024-03-20": "Nothing changed: both are the version in force "
        "from 1 March 2024.",
        "a/diff?from=2024-04-10&to=2024-05-10": "Comparing its withdrawal on 1 April 2024 with its "
        "text as changed on 2 May 2024, while withdrawn (since 1 April 2024).",
        "a/diff?from=2024-05-10&to=2024-06-01": "Nothing changed: it was withdrawn on 1 April "
        "2024, before both.",
        f"b/diff?from={gone}&to=2024-03-20": "Comparing the withdrawal committed on 1 March 2024 "
        "(replaced before it went live) with the version in force from 3 March 2024.",
        "c/diff?from=2024-03-10&to=2024-04-10": "Comparing its withdrawal on 1 March 2024 with "
        "its file's deletion on 1 April 2024, while withdrawn (since 1 March 2024).",
        "d/diff?from=2024-05-20&to=2024-06-10": "Comparing the version in force from 5 January "
        "2024 with its withdrawal on 1 June 2024.",  # (the first withdrawal was never one)
    }
    with served(small) as client:
        for address, sentence in cases.items():
            assert sentence in text_of(page(client, f"/chapters/{address}").text), address


def test_a_chapter_not_yet_in_force_is_shown_as_it_will_stand(small: ManualRepo):
    small.commit({"b.md": doc("Bravo")}, "Add B", "2024-05-01T09:00:00+00:00",
                 {"Go-Live": "2024-09-01"})  # fmt: skip
    with served(small) as client:
        words = text_of(page(client, "/chapters/b").text)
        assert "This chapter is not yet in force: it goes live on 1 September 2024." in words
        assert "Bravo" in words
        release = page(client, "/releases/2024-09-01").text
        assert 'href="/chapters/b"' in release
        assert (
            "not yet in force on 1 January 2024"
            in page(client, "/chapters/b?at=2024-01-01", 404).text
        )


@pytest.mark.parametrize("today", ["2024-05-10", "2024-07-01"])
def test_a_chapter_withdrawn_before_it_went_live_shows_no_text(small: ManualRepo, today: str):
    """Added, then deleted before its day: its page said both 'not yet in force: it goes live
    on...' and 'was withdrawn on...', and showed a draft no one was ever asked to follow
    (exploratory testing). The command line said it 'was withdrawn'."""
    small.commit({"b.md": doc("Bravo", "Draft text.")}, "Add B", "2024-05-01T09:00:00+00:00",
                 {"Go-Live": "2024-06-01"})  # fmt: skip
    small.commit({"b.md": None}, "Drop B", "2024-05-02T09:00:00+00:00",
                 {"Go-Live": "2024-06-01", "Change-Note": "Added by mistake."})  # fmt: skip
    with served(small, today) as client:
        words = text_of(page(client, "/chapters/b").text)
        assert words == text_of(page(client, "/chapters/b?at=2024-06-01").text)
    said = (
        "is never in force: it is withdrawn on 1 June 2024, the day it would go live"
        if today < "2024-06-01"
        else "was never in force: it was withdrawn on 1 June 2024, the day it would have gone live"
    )
    assert f"This chapter {said}: Added by mistake." in words
    with served(small, today) as client:  # (the API says it as tracker show does)
        api = client.get("/api/chapters/b?at=2024-06-05")
        assert api.status_code == 404 and "never in force" in api.json()["error"]
    assert "Draft text" not in words and "not yet in force" not in words
    shown = subprocess.run(
        [sys.executable, "-m", "tracker", "show", "b", "--repo", str(small.path),
         "--today", today], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (shown.returncode, shown.stderr) == (
        2,
        f"tracker: error: 'b' {said.replace('1 June 2024', '2024-06-01')}.\n",
    )


@pytest.mark.parametrize("gone", ["archived", "deleted"])
def test_a_draft_withdrawn_before_going_live_stays_never_in_force_once_the_chapter_is(
    small: ManualRepo, gone: str
):
    """Added with a Go-Live, withdrawn before it, published later: on the days between it was
    not yet in force, as it was before the later commit ("never in force"); it was said to be
    withdrawn, its draft shown as its last text, though no release had it (oracle test)."""
    small.commit({"b.md": doc("Bravo", "Draft text.")}, "Add B", "2024-05-01T09:00:00+00:00",
                 {"Go-Live": "2024-05-10"})  # fmt: skip
    withdrawn = doc("Bravo", "Draft text.", status="archived") if gone == "archived" else None
    small.commit({"b.md": withdrawn}, "Withdraw B", "2024-05-02T09:00:00+00:00")
    small.commit({"b.md": doc("Bravo", "Final text.", status="live")}, "Publish B",
                 "2024-06-01T09:00:00+00:00", {"Go-Live": "2024-06-15"})  # fmt: skip
    with served(small, "2024-07-01") as client:
        between = page(client, "/chapters/b?at=2024-05-12", 404).text
        assert "not yet in force on 12 May 2024" in between and "Draft text" not in between
        assert client.get("/api/chapters/b?at=2024-05-12").status_code == 404
        assert "Final text." in page(client, "/chapters/b?at=2024-06-15").text
    with served(small, "2024-05-12") as client:  # (today between: shown as it will stand)
        words = text_of(page(client, "/chapters/b").text)
        assert "not yet in force: it goes live on 15 June 2024" in words
        assert "Final text." in words and "Draft text" not in words and "withdrawn" not in words
        assert 'href="/chapters/b"' not in page(client, "/chapters").text.split("Withdrawn")[-1]
    shown = subprocess.run(
        [sys.executable, "-m", "tracker", "show", "b", "--repo", str(small.path), "--at",
         "2024-05-12", "--today", "2024-07-01"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (shown.returncode, shown.stdout) == (2, "")
    assert shown.stderr == "tracker: error: 'b' was not yet in force on 2024-05-12.\n"


def test_a_draft_never_in_force_is_no_part_of_any_answer_about_its_days(
    small: ManualRepo, tmp_path: Path
):
    """The rule above everywhere a day's version is asked for (review): the contents and
    chapters in the JSON API, the default diff, links from other chapters on that day and the
    static copy's pages of the chapter on each release day (a link to a page it did not
    write)."""
    small.commit({"a.md": doc("Alpha", "See [Bravo](b.md).")}, "Add A", "2024-04-01T09:00:00+00:00")
    small.commit({"b.md": doc("Bravo", "Draft text.")}, "Add B", "2024-05-01T09:00:00+00:00",
                 {"Go-Live": "2024-05-10"})  # fmt: skip
    small.commit({"b.md": None}, "Withdraw B", "2024-05-02T09:00:00+00:00")
    small.commit({"a.md": doc("Alpha", "See [Bravo](b.md) now.")}, "Edit A",
                 "2024-05-10T09:00:00+00:00", {"Go-Live": "immediate"})  # fmt: skip
    small.commit({"b.md": doc("Bravo", "Final text.")}, "Publish B", "2024-06-01T09:00:00+00:00",
                 {"Go-Live": "2024-06-15"})  # fmt: skip
    with served(small, "2024-05-12") as client:
        listed = {c["id"]: c for c in client.get("/api/chapters").json()["chapters"]}
        assert listed["b"]["in_force"] is None and not listed["b"]["withdrawn"]
        diff = text_of(page(client, "/chapters/b/diff").text)
        assert "Final text." in diff and "Draft text" not in diff
    out = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "tracker", "build", "--out", str(out), "--repo", str(small.path),
         "--today", "2024-07-01", "--base-url", "https://x.example.org"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0 and "404" not in built.stderr, built.stderr
    alpha = (out / "chapters" / "a" / "at" / "2024-05-10" / "index.html").read_text()
    assert 'href="/chapters/b/"' in alpha  # (not to its page on a day it was not in force)


def test_a_chapter_withdrawn_then_drafted_and_withdrawn_again_was_withdrawn_once(
    small: ManualRepo,
):
    """Published, withdrawn, drafted again and withdrawn before the draft went live: on the
    days after, its page said it was withdrawn when the draft would have gone live and showed
    the draft as its last text (review)."""
    small.commit({"b.md": doc("Bravo", "Published text.")}, "Add B", "2024-02-01T09:00:00+00:00")
    small.commit({"b.md": None}, "Withdraw B", "2024-03-01T09:00:00+00:00")
    small.commit({"b.md": doc("Bravo", "Draft text.")}, "Re-add B", "2024-04-01T09:00:00+00:00",
                 {"Go-Live": "2024-04-20"})  # fmt: skip
    small.commit({"b.md": None}, "Withdraw the draft", "2024-04-05T09:00:00+00:00")
    with served(small, "2024-05-01") as client:
        words = text_of(page(client, "/chapters/b").text)
    assert "withdrawn on 1 March 2024" in words and "Published text." in words
    assert "Draft text" not in words and "20 April" not in words
    shown = subprocess.run(
        [sys.executable, "-m", "tracker", "show", "b", "--repo", str(small.path),
         "--today", "2024-05-01"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (shown.returncode, shown.stderr) == (
        2,
        "tracker: error: 'b' was withdrawn on 2024-03-01.\n",
    )


def test_an_archived_chapter_edited_since_shows_its_newest_text_and_the_day_it_went(
    small: ManualRepo,
):
    """An archived file edited to name what replaced it: its page shows that text, and says
    it was withdrawn when it was first archived (kept so while the withdrawals were fixed)."""
    small.commit({"b.md": doc("Bravo", "Text.")}, "Add B", "2024-02-01T09:00:00+00:00")
    small.commit({"b.md": doc("Bravo", "Text.", status="archived")}, "Archive B",
                 "2024-03-01T09:00:00+00:00")  # fmt: skip
    small.commit({"b.md": doc("Bravo", "Replaced by Charlie.", status="archived")}, "Point on",
                 "2024-04-01T09:00:00+00:00")  # fmt: skip
    with served(small, "2024-05-01") as client:
        words = text_of(page(client, "/chapters/b").text)
    assert "withdrawn on 1 March 2024" in words and "Replaced by Charlie." in words


def test_an_id_given_to_a_new_file_still_names_the_old_chapter_on_its_days(small: ManualRepo):
    """missing.md (no id) renamed to missing-children.md, and a new missing.md added later: the
    new file has the id 'missing' (not 'missing.md': review of the duplicate-id fix), and
    'missing' on a day before it names the chapter that had the id then (exploratory
    testing: 'was not yet in force', though a chapter with that id was)."""
    small.commit({"missing.md": doc("Missing", "Old text.")}, "Add", "2024-01-02T09:00:00+00:00")
    small.move("missing.md", "missing-children.md", when="2024-02-02T09:00:00+00:00")
    small.commit({"missing.md": doc("Pointer", "See the adults' manual.")}, "Pointer",
                 "2024-03-02T09:00:00+00:00")  # fmt: skip
    snapshot = small.snapshot()
    assert sorted(d.id for d in snapshot.documents) == ["a", "missing", "missing-children"]
    assert snapshot.document("missing").latest.title == "Pointer"
    with served(small) as client:
        moved = client.get("/chapters/missing?at=2024-01-15", follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (
            302, "/chapters/missing-children?at=2024-01-15")  # fmt: skip
        assert "Pointer" in text_of(page(client, "/chapters/missing").text)
        api = client.get("/api/chapters/missing?at=2024-01-15", follow_redirects=False)
        assert (api.status_code, api.headers["location"]) == (
            302, "/api/chapters/missing-children?at=2024-01-15")  # fmt: skip
        assert client.get(api.headers["location"]).json()["markdown"].endswith("Old text.\n")
    shown = subprocess.run(
        [sys.executable, "-m", "tracker", "show", "missing", "--repo", str(small.path),
         "--at", "2024-01-15"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.returncode == 0 and "Old text." in shown.stdout
    assert "'missing' named another document (now 'missing-children')" in shown.stderr


def test_the_search_index_is_built_when_the_service_starts(small: ManualRepo):
    """Each chapter is read as its page shows it (about 10 ms a chapter): built on the first
    search, that search waited seconds in a manual of hundreds."""
    app = create_app(open_manual(small.path), D("2024-06-01"))
    site = app.state.site
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        while site._search is None:  # (no search has been asked for)
            assert time.monotonic() < deadline, "the index was not built"
            time.sleep(0.02)
        built = site._search[1]
        assert "Alpha" in text_of(page(client, "/search?q=guide").text)
        assert site._search[1] is built  # (the search used it)


def test_the_search_index_warm_up_gives_way_to_requests_being_answered(
    small: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """busy.py: the warm-up took a tenth of Python's time from a page asked for meanwhile (a
    chapter's history, 0.4 s, took 4 s after a restart). While a request is being answered it
    waits (here for as long as it takes), and a search asked for meanwhile is not held up by
    it: it builds the index itself."""
    from web import busy

    monkeypatch.setattr(busy, "GIVE_WAY_SECONDS", 60.0)
    small.commit({f"more-{n}.md": doc(f"More {n}") for n in range(20)}, "More",
                 "2024-01-02T09:00:00+00:00")  # fmt: skip
    app = create_app(open_manual(small.path), D("2024-06-01"))
    site = app.state.site
    with TestClient(app) as client:
        app.state.warming.join(timeout=30)  # (the start's own, done first: no race with it)
        assert busy.ANSWERING.count == 0
        site._search = None  # (it is started again below, with no chapter's words kept)
        remove(cache_folder(site.manual.repo) / "search.sqlite")
        busy.ANSWERING.add(1)  # a request being answered, all along
        try:
            warming = site.warm_search()
            time.sleep(0.5)
            assert warming.is_alive() and site._search is None  # (it waits)
            assert "Alpha" in text_of(page(client, "/search?q=guide").text)
            assert site._search is not None
            built = site._search[1]
            warming.join(timeout=5)  # the search's index ends the warm-up (still busy: else
            # it would wait a minute before each of the 20 chapters)
            assert not warming.is_alive()
        finally:
            busy.ANSWERING.add(-1)
        assert site._search[1] is built  # (the search's own, kept)


def test_requests_are_counted_while_answered_and_no_longer(small: ManualRepo):
    """Whatever the answer (a page, kept or not, a 404, a 400, a file, a HEAD, a stream),
    the count goes back to none: a count left over would slow the warm-up for good."""
    from web import busy

    app = create_app(open_manual(small.path), D("2024-06-01"))
    seen: list[int] = []

    @app.get("/_count")
    def count() -> dict[str, int]:
        seen.append(busy.ANSWERING.count)
        return {}

    with TestClient(app) as client:
        for path, status in (("/", 200), ("/", 200), ("/chapters/nothing", 404),
                             ("/chapters/a?at=2024-13-01", 400), ("/static/favicon.svg", 200),
                             ("/feeds/releases.atom", 200), ("/_count", 200)):  # fmt: skip
            assert client.get(path).status_code == status, path
        assert client.head("/chapters/a").status_code in (200, 405)
        assert seen == [1]
        assert busy.ANSWERING.count == 0


def test_an_id_a_withdrawn_document_had_on_a_day_shows_it_at_its_address(small: ManualRepo):
    """Guidance with 'id: referrals', an id-less referrals.md published as 'referrals.md'; the
    guidance withdrawn, referrals.md then takes 'referrals'. On a day only the guidance was in
    force, /chapters/referrals?at= redirected to itself for ever (review)."""
    small.commit({"guidance/form.md": doc("Form", "Fill it in.", id="referrals")}, "Form",
                 "2024-01-02T09:00:00+00:00")  # fmt: skip
    small.commit({"referrals.md": doc("Referrals")}, "Chapter", "2024-01-03T09:00:00+00:00")
    small.commit({"guidance/form.md": None}, "Withdraw", "2024-03-01T09:00:00+00:00")
    small.commit({"referrals.md": doc("Referrals", "Edited.")}, "Edit", "2024-04-01T09:00:00+00:00")
    with served(small, "2024-04-02") as client:
        shown = client.get("/chapters/referrals?at=2024-01-02", follow_redirects=False)
        assert shown.status_code == 200 and "Fill it in." in text_of(shown.text)
        assert "/chapters/referrals/history" not in shown.text  # (the chapter's, not its own)
        assert "/chapters/referrals/history" in page(client, "/chapters/referrals").text
        api = client.get("/api/chapters/referrals?at=2024-01-02", follow_redirects=False)
        assert api.status_code == 200 and "Fill it in." in api.json()["markdown"]
        assert "Edited." in text_of(page(client, "/chapters/referrals").text)
    said = subprocess.run(
        [sys.executable, "-m", "tracker", "show", "referrals", "--repo", str(small.path),
         "--at", "2024-01-02", "--today", "2024-04-02"], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert "Fill it in." in said.stdout
    assert "'referrals' named another document (withdrawn since)" in said.stderr


@pytest.mark.parametrize("case", ["swap", "chain"])
def test_an_id_on_a_day_is_answered_without_a_loop_or_a_dead_end(small: ManualRepo, case: str):
    """Second review: y.md and z.md swapped names, were withdrawn, and two new files took 'y'
    and 'z': /chapters/y?at= sent the reader to z and back for ever. missing.md renamed to
    missing-children.md and withdrawn, a guidance file then taking 'missing-children':
    /chapters/missing?at= sent the reader on to the guidance's address, a 404. The document
    that had the id that day is now shown at the address itself where sending the reader on
    would not reach it."""
    at = "2024-01-15"
    if case == "swap":
        small.commit({"y.md": doc("Yankee", "Y text."), "z.md": doc("Zulu", "Z text.")}, "Add",
                     "2024-01-02T09:00:00+00:00")  # fmt: skip
        small.move("y.md", "t.md", when="2024-02-01T09:00:00+00:00")
        small.move("z.md", "y.md", when="2024-02-02T09:00:00+00:00")
        small.move("t.md", "z.md", when="2024-02-03T09:00:00+00:00")
        small.commit({"b.md": doc("Bravo", id="y"), "e.md": doc("Echo", id="z")}, "New",
                     "2024-02-15T09:00:00+00:00")  # fmt: skip
        small.commit({"y.md": None, "z.md": None}, "Withdraw", "2024-03-01T09:00:00+00:00")
        asked, texts = ["y", "z"], ["Y text.", "Z text."]
    else:
        small.commit({"missing.md": doc("Missing", "Old text.")}, "Add",
                     "2024-01-02T09:00:00+00:00")  # fmt: skip
        small.move("missing.md", "missing-children.md", when="2024-02-01T09:00:00+00:00")
        guide = doc("Guide", id="missing-children", type="guidance")
        small.commit({"g.md": guide}, "Guide", "2024-02-15T09:00:00+00:00")  # (a duplicate)
        small.commit({"missing-children.md": None}, "Withdraw", "2024-03-01T09:00:00+00:00")
        small.commit({"g.md": guide + "Edited.\n"}, "Edit", "2024-03-05T09:00:00+00:00")
        asked, texts = ["missing"], ["Old text."]
    with served(small, "2024-05-01") as client:
        for ident, text in zip(asked, texts, strict=True):
            for address in (f"/chapters/{ident}?at={at}", f"/api/chapters/{ident}?at={at}"):
                answer = client.get(address)  # (TestClient follows redirects, and stops loops)
                assert answer.status_code == 200, address
                assert text in answer.text, address


@pytest.mark.skipif(os.getuid() != 0, reason="making files another user's takes root")
def test_compiled_templates_another_user_could_have_written_are_not_run(small: ManualRepo):
    """A compiled template is code: one planted in a cache folder another user made first
    (a shared TRACKER_CACHE_DIR) ran as the service's user (review). It is compiled anew."""
    from web.rendering import QuietBytecodeCache, keep_compiled_templates, templates

    manual = open_manual(small.path)
    keep_compiled_templates(manual)
    cache = templates.env.bytecode_cache
    assert isinstance(cache, QuietBytecodeCache)
    environment = templates.env
    source, filename, _ = environment.loader.get_source(environment, "home.html")
    cache.folder.mkdir(parents=True, exist_ok=True)
    bucket = cache.get_bucket(environment, "home.html", filename, source)
    bucket.code = environment.compile("PLANTED", "home.html", filename)  # (the real one's key)
    FileSystemBytecodeCache.dump_bytecode(cache, bucket)  # (as another user could)
    for path in (cache.folder, *cache.folder.iterdir()):
        os.chown(path, 4242, 4242)
    environment.cache.clear()  # (nothing compiled in memory: read from the cache folder)
    try:
        with served(small) as client:
            assert "PLANTED" not in page(client, "/").text
    finally:
        environment.cache.clear()
        shutil.rmtree(cache.folder)


def test_a_table_s_words_in_an_attribute_stay_words(small: ManualRepo):
    """The page finds tables (to give each a scrolling box) and links in the sanitised HTML by
    their '<': an author's '<table' or quote in an image's description must stay text (with
    nh3 before 0.3.7 it did not, review found: the box's quotes ended the attribute)."""
    alt = '<table x><meta http-equiv=refresh content=0;url=https://evil.example>"'
    small.commit({"t.md": doc("T", f"![{alt}](a.png)\n\n| A |\n| - |\n| 1 |\n")},
                 when="2024-01-02T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        html = page(client, "/chapters/t").text
    assert html.count('class="app-table-scroll"') == 1
    assert "<meta http-equiv" not in html and "&lt;table x&gt;" in html


def test_an_id_ending_in_the_name_of_a_page_is_still_reachable(small: ManualRepo):
    guide = doc("Guide", "## Two\n\nText.")
    small.commit({"guides/history.md": guide}, "Add", "2024-02-01T09:00:00+00:00")
    with served(small) as client:
        assert "Guide" in text_of(page(client, "/chapters/guides/history").text)
        assert "History of Guide" in text_of(page(client, "/chapters/guides/history/history").text)
        assert page(client, "/api/chapters/guides/history").json()["id"] == "guides/history"
        alpha = page(client, "/chapters/a").text
        assert 'href="/chapters/guides/history#section-two"' in alpha
        assert 'id="section-two"' in page(client, "/chapters/guides/history").text


def clashing(repo: ManualRepo) -> None:
    """Guides, and beside it two documents whose ids are the addresses of its diff and history
    pages (tracker check's address-clash), each changed after it went live; one of them had
    another id before (a former id, which the service answers for it)."""
    repo.commit({"guides.md": doc("Guides", "G."), "old-diff.md": doc("Diff guide", "D."),
                 "guides/history.md": doc("History guide", "H.")}, "Add guides",
                "2024-02-01T09:00:00+00:00")  # fmt: skip
    repo.move("old-diff.md", "guides/diff.md", when="2024-02-02T09:00:00+00:00")
    repo.commit({"guides/diff.md": doc("Diff guide", "D2."),
                 "guides/history.md": doc("History guide", "H2.")}, "Revise the guides",
                "2024-03-01T09:00:00+00:00", {"Go-Live": "2024-03-06"})  # fmt: skip


# Any link to the pages of Guides's that stand at the other two's addresses.
WRONG = re.compile(r'href="[^"]*/chapters/guides/(diff|history)(\?at=[^"]*)?"')
UNSHOWN = "cannot be shown on this website: its address is another page's"


def test_a_document_whose_address_is_another_page_is_listed_but_never_linked(
    small: ManualRepo,
):
    """/chapters listed "Diff guide" linked to /chapters/guides/diff, which is the diff page
    of Guides: every list names it, unlinked, saying it cannot be shown (tester's report)."""
    clashing(small)
    with served(small, "2024-03-10") as client:
        assert "What changed in Guides" in page(client, "/chapters/guides/diff").text
        pages = {path: page(client, path).text for path in (
            "/", "/chapters", "/releases/2024-03-06", "/search?q=guide",
            "/chapters/guides/diff/history", "/chapters/guides/history/history",
            "/chapters/guides/diff/diff", "/releases/2024-03-06/newsletter?format=md",
        )}  # fmt: skip
        for path, html in pages.items():
            assert WRONG.search(html) is None, path
        for path in ("/", "/chapters", "/releases/2024-03-06", "/search?q=guide"):
            words = text_of(pages[path])
            assert f"Diff guide ({UNSHOWN})" in words, path
            assert f"History guide ({UNSHOWN})" in words, path
        assert 'href="/chapters/guides"' in pages["/chapters"]  # (Guides itself is shown)
        history = pages["/chapters/guides/diff/history"]
        assert "History of Diff guide" in text_of(history) and "Read the text" not in history
        assert 'href="/chapters/guides/diff/diff?' in history  # (its own pages are its own)
        newsletter = unescape(pages["/releases/2024-03-06/newsletter?format=md"])
        assert "- Diff guide: Revise the guides [See what changed in Diff guide](" in newsletter
        for feed in ("/feeds/releases.atom", "/chapters/guides/diff/feed.atom"):
            assert WRONG.search(unescape(page(client, feed).text)) is None, feed
        former = client.get("/chapters/old-diff", follow_redirects=False)
        assert former.status_code == 200 and "D2." in former.text  # (not sent to Guides's diff)
        linked = client.get("/chapters/old-diff?at=2024-02-10", follow_redirects=False)
        assert linked.status_code == 200 and WRONG.search(linked.text) is None
    found = check_manual(open_manual(small.path).snapshot(), D("2024-03-10"))
    assert sorted(p.where for p in found if p.rule == "address-clash") == [
        "guides/diff.md", "guides/history.md"]  # fmt: skip


def test_the_api_says_where_an_address_is_another_documents_too(small: ManualRepo):
    """/api/chapters/guides/diff answered the diff of Guides where the document guides/diff
    may have been meant, with no sign of it (review): the API answers as the website does, and
    says so, both where the document is listed and at the address it cannot have."""
    clashing(small)
    small.commit(
        {"guides/feed.atom.md": doc("Feed guide", "F.")}, "Feed", "2024-03-07T09:00:00+00:00"
    )
    with served(small, "2024-03-10") as client:
        listed = page(client, "/api/chapters").json()["chapters"]
        clashes = {chapter["id"]: chapter["address_clash"] for chapter in listed}
        assert clashes == {
            "a": None,
            "guides": None,
            "guides/diff": {"id": "guides", "page": "diff"},
            "guides/history": {"id": "guides", "page": "history"},
            "guides/feed.atom": None,
        }  # (the API has no feed: /api/chapters/guides/feed.atom is the document's own)
        for name in ("diff", "history"):
            found = page(client, f"/api/chapters/guides/{name}").json()
            assert (found["id"], found["address_clash"]) == ("guides", {"id": f"guides/{name}"})
            own = page(client, f"/api/chapters/guides/{name}/{name}").json()
            assert own["id"] == f"guides/{name}" and "address_clash" not in own
        assert "address_clash" not in page(client, "/api/chapters/guides").json()
        assert "address_clash" not in page(client, "/api/chapters/a/diff").json()
        assert page(client, "/api/chapters/guides/feed.atom").json()["id"] == "guides/feed.atom"
        described = page(client, "/openapi.json").json()["paths"]
        assert "address_clash" in described["/api/chapters"]["get"]["description"]


def test_a_link_in_a_chapter_to_a_document_that_cannot_be_shown_is_its_words(
    small: ManualRepo,
):
    """A link to guides/history.md, whose address is the history of Guides, was left as
    written (a 404): as every list of the site names it, its words stand unlinked, saying why,
    in the chapter, on a date, and in a diff."""
    clashing(small)
    small.commit({"a.md": doc("Alpha", "See [the *new* guide](guides/history.md#two) and "
                              "[Guides](guides.md).")}, "Edit", "2024-03-08T09:00:00+00:00")  # fmt: skip
    with served(small, "2024-03-10") as client:
        for path in ("/chapters/a", "/chapters/a?at=2024-02-01", "/chapters/a/diff"):
            html = page(client, path).text
            words = text_of(html)
            assert f"guide ({UNSHOWN})" in words, path
            assert "guides/history" not in html and WRONG.search(html) is None, path
            assert "?at=" in path or 'href="/chapters/guides"' in html  # (Guides is linked)
        assert "See the new guide (" in text_of(page(client, "/chapters/a").text)


def test_a_diff_names_the_chapters_a_retargeted_link_goes_to(small: ManualRepo):
    """A link whose words stayed and whose target changed was said to go to "c.md" (it went
    to "b.md"): a practitioner knows chapters, not files. The note names and links the
    chapters (a section's anchor said); a web address, a file that is no chapter and the
    command line's text keep what was written (tester, low)."""
    text = ("See [the procedure](b.md), [the steps](b.md#one), [the site](https://a.example/)"
            " and [the form](c.md).")  # fmt: skip
    small.commit({"b.md": doc("Escalation policy"), "c.md": doc("Resolving disagreements"),
                  "a.md": doc("Alpha", text)}, "Add", "2024-02-01T09:00:00+00:00")  # fmt: skip
    text = ("See [the procedure](c.md), [the steps](b.md#two), [the site](https://b.example/)"
            " and [the form](forms/none.md).")  # fmt: skip
    small.commit({"a.md": doc("Alpha", text)}, "Edit", "2024-03-01T09:00:00+00:00")
    with served(small) as client:
        html = page(client, "/chapters/a/diff").text
    notes = re.findall(r'<span class="diff-note">(.*?)</span>', html)
    assert [unescape(re.sub("<[^>]*>", "", note)) for note in notes] == [
        "The link “the procedure” now goes to Resolving disagreements (it went to Escalation "
        "policy).",
        "The link “the steps” now goes to Escalation policy, section “two” (it went to "
        "Escalation policy, section “one”).",
        "The link “the site” now goes to https://b.example/ (it went to https://a.example/).",
        "The link “the form” now goes to forms/none.md (it went to Resolving disagreements).",
    ]
    linked = 'href="/chapters/c">Resolving disagreements</a> (it went to <a href="/chapters/b"'
    assert linked in notes[0]
    assert 'href="/chapters/b#section-two"' in notes[1] and "<a" not in notes[2]
    assert "diff-target" not in html and "<a" not in notes[3].partition("(")[0]
    # A chapter not yet in force is named as its page names it: the version it goes live with,
    # not its first draft (review).
    for title, when in (("Draft title", "2024-04-01"), ("Final title", "2024-04-02")):
        small.commit(
            {"d.md": doc(title)}, title, f"{when}T09:00:00+00:00", {"Go-Live": "2024-07-10"}
        )
    small.commit({"a.md": doc("Alpha", text.replace("(c.md)", "(d.md)"))}, "Point",
                 "2024-04-03T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        html = page(client, "/chapters/a/diff").text
    assert 'now goes to <a href="/chapters/d">Final title</a>' in html


def test_a_moved_chapters_link_note_reads_the_old_target_from_its_old_folder(small: ManualRepo):
    """A chapter moved to another folder, its link retargeted: the note named the chapter its
    old link went to as read from the new folder ("Root Cee" for x/c.md's "X Cee": review)."""
    small.commit({"x/a2.md": doc("Moving", "See [one](c.md) and [two](../d.md).", id="moving"),
                  "x/c.md": doc("X Cee"), "c.md": doc("Root Cee"), "d.md": doc("Dee")},
                 "Add", "2024-02-01T09:00:00+00:00")  # fmt: skip
    small.git("mv", "procedures/x/a2.md", "procedures/a2.md")
    small.commit({"a2.md": doc("Moving", "See [one](d.md) and [two](d.md).", id="moving")},
                 "Move", "2024-03-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        html = page(client, "/chapters/moving/diff").text
        summary = text_of(page(client, "/chapters/moving/history").text)
    notes = re.findall(r'class="diff-note">(.*?)</span>', html)
    said = [unescape(re.sub("<[^>]*>", "", note)) for note in notes]
    assert said == ["The link “one” now goes to Dee (it went to X Cee)."]  # (two: the same page)
    assert 'it went to <a href="/chapters/x/c">X Cee</a>' in html
    assert "1 link now goes elsewhere" in summary and "links added" not in summary


def test_a_moved_chapters_mended_link_is_no_change_and_its_deleted_link_goes_where_it_went(
    small: ManualRepo,
):
    """A chapter moved to another folder, its links mended to reach the same chapters from
    there: its paragraph was marked changed, nothing in it marked; a link and an image in text
    deleted with the move went to x/c.md's namesake and image in the new folder (review)."""
    (small.path / "procedures" / "x").mkdir()
    (small.path / "procedures" / "x" / "m.png").write_bytes(PNG)
    (small.path / "procedures" / "m.png").write_bytes(PNG + b"another")
    text = "See [one](c.md).\n\nGone: [two](c.md) ![map](m.png)"
    added = small.commit({"x/a2.md": doc("Moving", text, id="moving"), "x/c.md": doc("X Cee"),
                          "c.md": doc("Root Cee")}, "Add", "2024-02-01T09:00:00+00:00")  # fmt: skip
    small.git("mv", "procedures/x/a2.md", "procedures/a2.md")
    small.commit({"a2.md": doc("Moving", "See [one](x/c.md).", id="moving")},
                 "Move", "2024-03-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        html = page(client, "/chapters/moving/diff").text
        summary = text_of(page(client, "/chapters/moving/history").text)
    assert '<p class="diff-same">See <a href="/chapters/x/c">one</a>.</p>' in html
    deleted = html[html.index('class="diff-deleted"') :]
    assert '<a href="/chapters/x/c">two</a>' in deleted.partition("</p>")[0]
    assert f'src="/files/{added}/x/m.png"' in deleted.partition("</p>")[0]
    assert "diff-note" not in html and "link now goes" not in summary


def test_a_chapter_withdrawn_as_its_file_took_another_id_names_the_one_it_went_on_as(
    small: ManualRepo,
):
    """A bookmark to a chapter whose file was renamed with another id led to a withdrawn page
    with no way on (practitioners' exploratory testing): it says which chapter it went on as,
    on a date after too; a chapter merely deleted says nothing of the kind."""
    small.commit({"doc.md": doc("Doc", "Call within one hour.", id="doc"), "gone.md": doc("Gone")},
                 "Add", "2024-02-01T09:00:00+00:00")  # fmt: skip
    small.git("mv", "procedures/doc.md", "procedures/telephoning.md")
    small.commit({"telephoning.md": doc("Telephoning", "Call within one hour.", id="phone"),
                  "gone.md": None}, "Rename", "2024-03-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        for path in ("/chapters/doc", "/chapters/doc?at=2024-04-01"):
            html = page(client, path).text
            assert (
                'It continues as <a class="govuk-link" href="/chapters/phone">Telephoning</a>.'
                in html
            )
        assert "It continues as" not in page(client, "/chapters/gone").text


def test_a_chapter_as_it_stood_on_a_date_asked_for_in_its_form(small: ManualRepo):
    """ "What did this chapter say on the date of my case?" had no control on any page: only
    ?at=YYYY-MM-DD typed into the address (practitioners' exploratory testing). The chapter's
    page and its history ask for a date in GOV.UK's date input; the chapter's address takes it
    and sends the reader on to ?at= (a month by its name too); a date that is none gets the
    page again, today's text, saying what to mend, the fields as typed (400)."""
    small.commit({"a.md": doc("Alpha", "Changed.")}, "Edit", "2024-03-08T09:00:00+00:00")
    with served(small, "2024-06-01") as client:
        for path in ("/chapters/a", "/chapters/a/history"):
            form = re.search(r'<form class="app-date" action="([^"]*)"', page(client, path).text)
            assert form is not None and form.group(1) == "/chapters/a", path
        for query in ("day=3&month=3&year=2024", "day=03&month=March&year=2024",
                      "day=3&month=mar.&year=2024&extra=1"):  # fmt: skip
            sent = client.get(f"/chapters/a?{query}", follow_redirects=False)
            assert (sent.status_code, sent.headers["location"]) == (
                303,
                "/chapters/a?at=2024-03-03",
            )
        assert "as it stood on 3 March 2024" in text_of(
            page(client, "/chapters/a?at=2024-03-03").text
        )
        for query, said, marked in (
            ("day=31&month=2&year=2024", "The date must be a real date", ["day", "month", "year"]),
            ("day=3&month=&year=2024", "The date must include a month", ["month"]),
            ("day=3&month=3&year=24", "The year must include 4 numbers", ["year"]),
            ("day=&month=&year=", "Enter a date, for example 3 3 2024", ["day", "month", "year"]),
            ("day=<b>&month=3&year=2024", "The date must be a real date", ["day"]),
            (
                "day=3&month=3&year=2020",
                "The date must be on or after 1 January 2024, when "
                "this chapter first came into force",
                ["day", "month", "year"],
            ),  # (review)
        ):
            answer = page(client, f"/chapters/a?{query}", 400)
            words = text_of(answer.text)
            assert f"There is a problem {said}" in words and f"Error: {said}" in words, query
            assert re.search(r"<title>Error: Alpha", answer.text), query
            assert "Changed." in words and "<b>" not in answer.text  # (today's text; escaped)
            assert re.findall(r'govuk-input--error" id="date-(\w+)"', answer.text) == marked
            assert '<details class="govuk-details app-date-details" open>' in answer.text
        assert (
            'value="&lt;b&gt;"' in page(client, "/chapters/a?day=<b>&month=3&year=2024", 400).text
        )
        unknown = client.get("/chapters/zzz?day=3&month=3&year=2024", follow_redirects=False)
        assert unknown.status_code == 404  # (not sent on first: review)
        small.commit({"guides/history.md": doc("Guide")}, "Add", "2024-03-09T09:00:00+00:00")
    with served(small, "2024-06-01") as client:  # (an id ending as a page's address does)
        sent = client.get(
            "/chapters/guides/history?day=9&month=3&year=2024", follow_redirects=False
        )
        assert sent.headers["location"] == "/chapters/guides/history?at=2024-03-09"
        # A former id: a date to mend is said on the chapter's page (it was dropped, and one
        # before the chapter came into force led to a 404), the fields as typed (review).
        small.move("a.md", "alpha.md", when="2024-03-10T09:00:00+00:00")
    with served(small, "2024-06-01") as client:
        for query in ("day=31&month=2&year=2024", "day=3&month=3&year=2020"):
            sent = client.get(f"/chapters/a?{query}", follow_redirects=False)
            assert (sent.status_code, sent.headers["location"]) == (302, f"/chapters/alpha?{query}")
            assert "There is a problem" in text_of(
                page(client, f"/chapters/alpha?{query}", 400).text
            )
        sent = client.get("/chapters/a?day=3&month=3&year=2024", follow_redirects=False)
        assert sent.headers["location"] == "/chapters/a?at=2024-03-03"  # (then on to alpha's)


def test_search_engines_are_sent_to_a_chapter_s_own_page(client: TestClient):
    """A past or future version, a comparison and a search result were indexed as the chapter
    (ten near copies of each, and a future text a reader might take for the one in force:
    exploratory testing of the service's clients): each says noindex; a chapter's own page,
    its history and the releases do not."""
    robots = '<meta name="robots" content="noindex">'
    for path in ("/chapters/referrals?at=2024-01-10", "/chapters/referrals?at=2030-01-01",
                 "/chapters/referrals/diff", "/search?q=child"):  # fmt: skip
        assert robots in page(client, path).text, path
    for path in ("/", "/chapters/referrals", "/chapters/referrals/history", "/releases"):
        assert robots not in page(client, path).text, path


def test_head_requests_and_the_allow_header(client: TestClient):
    for path in ("/", "/chapters/referrals", "/healthz", "/feeds/releases.atom"):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""
    refused = client.post("/chapters")
    assert refused.status_code == 405
    assert "GET" in refused.headers["allow"]
    assert "read-only" in refused.text
    # The API's too says HEAD, which it answers (it said GET alone), in JSON, as /api does,
    # slash or none (exploratory testing of the service's clients).
    for path in ("/api/releases", "/api/chapters/referrals", "/healthz"):
        refused = client.delete(path)
        assert (refused.status_code, refused.headers["allow"]) == (405, "GET, HEAD"), path
        assert "read-only" in refused.json()["error"]
    assert client.get("/hooks/push").headers["allow"] == "POST"  # (as it was)
    assert client.get("/api").json() == {"error": "There is no page at this address."}


def test_the_api_answers_head_as_get_whether_or_not_its_answer_is_kept(small: ManualRepo):
    """HEAD on /api/... was 405 unless a GET had been kept first, then 200; on an error, 405
    rather than 404 or 400 (tester's report)."""
    cases = (("/api/releases", 200), ("/api/chapters", 200), ("/api/chapters/a", 200),
             ("/api/chapters/a/history", 200), ("/api/chapters/a/diff", 200),
             ("/api/releases/2024-01-01", 200), ("/api/releases/2024-01-01/newsletter", 200),
             ("/openapi.json", 200), ("/api/chapters/nope", 404), ("/api/releases/bad", 400),
             ("/api/releases/2030-01-01", 404), ("/api/chapters/a?at=bad", 400))  # fmt: skip
    with served(small) as client:
        for path, status in cases:
            first = client.head(path)  # (nothing kept yet)
            got = client.get(path)
            kept = client.head(path)
            for head in (first, kept):
                assert (head.status_code, head.content) == (status, b""), path
                for name in ("content-type", "content-length", "x-content-type-options",
                             "etag", "cache-control"):  # fmt: skip
                    assert head.headers.get(name) == got.headers.get(name), (path, name)
            assert got.status_code == status and got.content, path
        described = page(client, "/openapi.json").json()["paths"]
        assert not any("head" in item for item in described.values())  # (one operation each)
        etag = client.get("/chapters/a/history").headers["etag"]
    with served(small) as client:  # a HEAD first, asking whether its copy is still good
        asked = client.head("/chapters/a/history", headers={"if-none-match": etag})
        assert (asked.status_code, asked.headers.get("etag")) == (304, etag)


def test_editorial_releases_stay_out_of_the_feed_and_the_feed_dates_its_entries(
    small: ManualRepo,
):
    small.commit({"a.md": doc("Alpha", "Typo.")}, "Fix a typo", "2024-02-01T09:00:00+00:00",
                 {"Change-Type": "minor"})  # fmt: skip
    with served(small) as client:
        feed = feedparser.parse(page(client, "/feeds/releases.atom").content)
        assert [entry.link for entry in feed.entries] == ["http://testserver/releases/2024-01-01"]
        assert feed.entries[0].updated.startswith("2024-01-01T09:00:00")


def test_the_compare_form_keeps_the_versions_compared(client: TestClient):
    response = page(client, "/chapters/domestic-abuse/diff?from=2024-11-12&to=2024-11-13")
    selected = re.findall(r'<option value="([0-9a-f]+)" selected>', response.text)
    before, after = response.context["before"], response.context["after"]  # type: ignore[attr-defined]
    assert selected == [before.commit, after.commit]
    history = page(client, "/chapters/domestic-abuse/history")
    assert len(re.findall(r"<option value=\"[0-9a-f]+\" selected>", history.text)) == 2
    assert "See everything that went live on 13 November 2024" in text_of(response.text)


def test_a_version_superseded_before_going_live_is_said_so(client: TestClient, demo: Path):
    snapshot = open_manual(demo).snapshot()
    document, version = next(
        (d, v) for d in snapshot.documents for v in d.versions if d.in_force(v.effective) is not v
    )
    words = text_of(page(client, f"/chapters/{document.id}/history").text)
    assert f"Superseded before going live on {version.effective.day} " in words


def test_words_and_links_are_spaced_as_sentences(client: TestClient):
    """The chapter's page said "…has been corrected.See what changed.", a sentence run into the
    link after it, the newline before the link lost to the template's trimming (tester's
    report)."""
    html = page(client, "/chapters/referrals?at=2024-06-19").text
    assert "has been corrected. <a" in html
    for path in ("/", "/chapters", "/chapters/referrals?at=2024-06-19", "/chapters/online-safety",
                 "/chapters/forced-marriage", "/chapters/missing?at=2024-10-01",
                 "/chapters/referrals/history", "/releases", "/releases/2024-11-13"):  # fmt: skip
        html = page(client, path).text
        shown = html[html.index("<main") : html.index("</main>")].partition("app-prose")[0]
        assert not re.search(r"[\w.,:;)]<a\b|</a>[\w(]", shown), path  # (not the chapter's own)


def test_the_hint_to_compare_by_date_gives_the_chapter_s_own_dates(small: ManualRepo):
    """The hint gave ?from=2024-10-01&to=2024-11-13 for every chapter, even one whose history
    was all in 2023 (tester's report): the days of its own last change, or no example."""
    now = {"Go-Live": "immediate"}
    small.commit({"old.md": doc("Old")}, "Add", "2023-03-01T09:00:00+00:00", now)
    small.commit({"old.md": doc("Old", "More.")}, "Edit", "2023-05-02T09:00:00+00:00", now)
    small.commit({"old.md": doc("Old", "Most.")}, "Edit", "2023-05-02T10:00:00+00:00", now)
    with served(small) as client:
        for path in ("/chapters/old/history", "/chapters/old/diff"):
            words = text_of(page(client, path).text)
            assert "dates in the address: ?from=2023-03-01&to=2023-05-02" in words, path
        assert "dates in the address" not in text_of(page(client, "/chapters/a/history").text)


def test_broken_settings_are_said_in_clean_sentences(small: ManualRepo):
    """The warning ended "…(at line 5, column 11)).)." (tester's report): the settings' error
    is a sentence of its own, its place in brackets once."""
    small.commit({"manual.toml": '[manual]\ntitle = "Procedures"\n'}, "Settings",
                 "2024-01-02T09:00:00+00:00")  # fmt: skip
    good = small.git("rev-parse", "HEAD")
    with served(small) as client:
        page(client, "/chapters/a")  # (the last good settings, seen before they broke)
        small.commit({"manual.toml": '[manual]\ntitle = "Procedures"\n\n\n[releases\n'},
                     "Break", "2024-01-03T09:00:00+00:00")  # fmt: skip
        words = text_of(page(client, "/chapters/a").text)
    assert (
        "The newest changes to the manual cannot be shown yet, because its settings cannot be "
        "read. manual.toml is not valid TOML: expected ']' at the end of a table declaration "
        f"(at line 5, column 10). This is the manual as it stood before them, at commit {good[:10]}."
    ) in words


def test_a_withdrawn_chapter_reads_right(client: TestClient):
    words = text_of(page(client, "/chapters/forced-marriage").text)
    assert "Forced Marriage. Its last text is shown below for reference only." in words


def test_a_broken_manual_toml_is_a_page_with_a_way_back(tmp_path: Path):
    """Broken in the manual's first commit: nothing before it to show (503)."""
    (tmp_path / "manual").mkdir()
    broken = ManualRepo(tmp_path / "manual")
    broken.commit({"manual.toml": "[manual\ntitle = 1", "a.md": doc("A")}, "Start",
                  "2024-02-01T09:00:00+00:00")  # fmt: skip
    with served(broken) as client:
        response = page(client, "/", 503)
        assert "manual.toml is not valid TOML" in response.text
        assert '<a href="/">' in response.text


def test_a_newsletter_without_site_url_links_to_this_service(small: ManualRepo):
    with served(small) as client:
        text = page(client, "/releases/2024-01-01/newsletter.md").text
        assert "(http://testserver/chapters/a)" in text
        frame = page(client, "/releases/2024-01-01/newsletter.html?inline=true").text
        assert frame.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in frame
        assert "<title>Newsletter section for 1 January 2024</title>" in frame
        # The editor is told, where the section is copied from (behind a proxy, the links
        # named the service's own loopback address: exploratory testing).
        preview = text_of(page(client, "/releases/2024-01-01/newsletter").text)
        assert "Its links start http://testserver, the address this page was opened at" in preview
        assert "sets site_url in manual.toml" in preview


def test_a_template_that_asks_too_much_is_one_sentence(small: ManualRepo):
    small.commit({"_templates/newsletter.html.j2": "{% for i in range(10**9) %}{% endfor %}"},
                 when="2024-02-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        response = page(client, "/releases/2024-01-01/newsletter", 503)
        assert "The manual's settings or templates need mending" in text_of(response.text)
        assert "newsletter.html.j2 failed" in response.text
        feed = feedparser.parse(page(client, "/feeds/releases.atom").content)
        assert "newsletter.html.j2 failed" in feed.entries[0].content[0].value


def test_a_newsletter_template_out_of_time_fails_at_once_afterwards(
    small: ManualRepo, monkeypatch: pytest.MonkeyPatch
):
    """A lead that loops slowly took its time (10 seconds) for each of the feed's newsletters
    (exploratory testing): after the first, the same sentence at once in that feed."""
    from tracker.publish import sandbox

    monkeypatch.setattr(sandbox, "SECONDS", 0.4)
    for day in range(2, 7):
        small.commit({"a.md": doc("Alpha", f"Day {day}.")}, f"Day {day}",
                     f"2024-01-0{day}T09:00:00+00:00", {"Change-Note": f"Day {day}."})  # fmt: skip
    slow = "{% for i in range(100000) %}{{ ([2, 1] * 100000)|sort|length }}{% endfor %}\n"
    small.commit({"_templates/_lead.j2": slow}, when="2024-02-01T09:00:00+00:00")
    said = "procedures/_templates/_lead.j2 failed at line 1: it takes more than 0.4 seconds."
    renderings = counted_renderings(monkeypatch)
    with served(small) as client:
        feed = feedparser.parse(page(client, "/feeds/releases.atom").content)
        assert len(feed.entries) == 6
        assert all(said in entry.content[0].value for entry in feed.entries)
        assert renderings == ["newsletter.html.j2"]  # (each of the six took the time before)
        response = page(client, "/releases/2024-01-03/newsletter", 503)  # (on its own: again)
        assert said in text_of(response.text)
        assert renderings == ["newsletter.html.j2"] * 2
        small.commit({"_templates/_lead.j2": "Mended\n"}, when="2024-02-02T09:00:00+00:00")
        assert "Mended" in page(client, "/releases/2024-01-03/newsletter.txt").text


def test_search_drops_control_characters(client: TestClient):
    response = page(client, "/search?q=stran%00gulation%01")
    assert "\x00" not in response.text and "\x01" not in response.text


def test_openapi_describes_the_api_not_the_pages(client: TestClient):
    spec = page(client, "/openapi.json").json()
    assert all(
        path.startswith("/api/") or path in ("/healthz", "/hooks/push") for path in spec["paths"]
    )
    responses = spec["paths"]["/api/chapters/{ident}"]["get"]["responses"]
    assert {"400", "404"} <= set(responses)


def test_the_server_follows_the_branch_it_started_on(small: ManualRepo):
    from web.app import served_manual

    manual = served_manual(str(small.path), "procedures", None)
    small.branch("draft")
    small.commit({"draft.md": doc("Draft")}, when="2024-02-01T09:00:00+00:00")
    snapshot = manual.snapshot()
    assert snapshot.branch == "main"
    assert [d.id for d in snapshot.documents] == ["a"]


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)


def test_images_kept_in_the_manual_are_served_as_they_were_at_each_version(small: ManualRepo):
    images = small.path / "procedures" / "images"
    images.mkdir()
    (images / "my flow.png").write_bytes(PNG)
    first = small.commit(
        {"a.md": doc("Alpha", "![The referral flow](images/my%20flow.png)")},
        "Flow",
        "2024-02-01T09:00:00+00:00",
    )
    (images / "my flow.png").unlink()
    (images / "new.png").write_bytes(PNG + b"2")
    second = small.commit(
        {"a.md": doc("Alpha", "![The new flow](images/new.png)")}, "New flow",
        "2024-03-01T09:00:00+00:00",
    )  # fmt: skip
    with served(small) as client:
        today = page(client, "/chapters/a").text
        assert f'<img alt="The new flow" src="/files/{second}/images/new.png">' in today
        past = page(client, "/chapters/a?at=2024-02-15").text
        assert f'src="/files/{first}/images/my%20flow.png"' in past
        assert page(client, f"/files/{first}/images/my%20flow.png").content == PNG
        diff = page(client, "/chapters/a/diff").text
        assert f'src="/files/{first}/images/my%20flow.png"' in diff  # the deleted image: old
        assert f'src="/files/{second}/images/new.png"' in diff
        image = page(client, f"/files/{second}/images/new.png")
        assert image.headers["content-type"] == "image/png"
        assert "sandbox" in image.headers["content-security-policy"]
        page(client, f"/files/{second}/images/my%20flow.png", 404)  # gone by then
        page(client, f"/files/{second}/a.md", 404)
        page(client, f"/files/{'0' * 40}/images/new.png", 404)
        page(client, f"/files/{second}/images/%2e%2e/%2e%2e/x.png", 400)


def test_a_symbolic_link_is_served_as_no_image(small: ManualRepo):
    """An image that is a symbolic link was answered as image/png with the path it points to
    (/etc/passwd) as its body: git keeps the link's target as its blob (exploratory testing)."""
    images = small.path / "procedures" / "images"
    images.mkdir()
    (images / "link.png").symlink_to("/etc/passwd")
    (images / "ok.png").write_bytes(PNG)
    commit = small.commit({"a.md": doc("Alpha", "![Link](images/link.png) ![Ok](images/ok.png)")},
                          "Images", "2024-02-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        assert page(client, f"/files/{commit}/images/ok.png").content == PNG
        response = page(client, f"/files/{commit}/images/link.png", 404)
        assert b"passwd" not in response.content


def test_only_images_the_manual_publishes_are_served(small: ManualRepo):
    """/files/ served any image under the manual's folder, a _drafts/ one and one that exclude
    leaves out too (security review): those are never published, so never served, and a
    chapter that shows one is given no address for it."""
    for name in ("_drafts/photo.png", "private/secret.png", "images/ok.png", "_x.png"):
        (small.path / "procedures" / name).parent.mkdir(exist_ok=True)
        (small.path / "procedures" / name).write_bytes(PNG)
    shows = "![Draft](_drafts/photo.png) ![Secret](private/secret.png) ![Fine](images/ok.png)"
    commit = small.commit(
        {"a.md": doc("Alpha", shows), "manual.toml": '[manual]\nexclude = ["secret.*"]\n'},
        "Images", "2024-02-01T09:00:00+00:00",
    )  # fmt: skip
    with served(small) as client:
        assert page(client, f"/files/{commit}/images/ok.png").content == PNG
        for name in ("_drafts/photo.png", "private/secret.png", "_x.png"):
            page(client, f"/files/{commit}/{name}", 404)
        chapter = page(client, "/chapters/a").text
        assert f'src="/files/{commit}/images/ok.png"' in chapter
        assert chapter.count("/files/") == 1


def test_a_file_whose_path_gives_an_id_no_address_can_hold_is_never_listed(small: ManualRepo):
    """procedures/...md (the id '..') was listed on every page, linked to /chapters/.., which
    a browser opens as the home page and the service answers 400 (security review): it is
    left out, as a file that cannot be read is (tracker check: invalid-id)."""
    small.commit({"...md": doc("Dots"), "esc\x1b.md": doc("Escape"), "fine (1).md": doc("Fine")},
                 "Add", "2024-02-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        for path in ("/", "/chapters", "/releases/2024-02-01", "/search?q=dots"):
            html = page(client, path).text
            assert "Dots" not in html and "Escape" not in html, path
            for link in re.findall(r'href="(/chapters/[^"#]*)', html):
                assert client.get(unescape(link)).status_code == 200, (path, link)
        assert "Fine" in page(client, "/chapters").text


def test_links_keep_the_date_and_fragments_are_prefixed_once(small: ManualRepo):
    guide = doc("Guide", "[TOC]\n\n## Two\n\nSee [two](#section-two) and [a](../a.md#).")
    small.commit({"guides/history.md": guide}, "Add", "2024-02-01T09:00:00+00:00")
    small.commit({"guides/history.md": doc("Guide", "Changed.")}, "Change",
                 "2024-03-01T09:00:00+00:00")  # fmt: skip
    with served(small, "2024-06-01") as client:
        past = page(client, "/chapters/guides/history?at=2024-02-15").text
        assert "as it stood on 15 February 2024" in text_of(past)
        assert 'href="#section-two"' in past and "section-section" not in past
        assert 'href="/chapters/a?at=2024-02-15"' in past


# The heading each of those links lands on, by the link's words.
SECTION_LANDINGS = {
    "a": "Section 47 Enquiries", "b": "Section 47 Enquiries", "c": "Reporting", "d": "Reporting",
    "e": "17 Assessments", "f": "Section 17 Assessments", "g": "Section 17 here",
}  # fmt: skip


def landing(html: str, fragment: str) -> str | None:
    """The words of the heading that holds the id ``fragment`` (None when none does); the id
    must be the page's only one of that name."""
    assert len(re.findall(f'\\sid="{re.escape(fragment)}"', html)) <= 1, fragment
    for heading in re.finditer(r"<h([1-6])\b[^>]*>.*?</h\1>", html, re.S):
        if f' id="{fragment}"' in heading.group(0):
            return text_of(heading.group(0))
    return None


def section_links(html: str) -> dict[str, str]:
    """The address of each of SECTION_HEADINGS' links on a page, by its words."""
    return dict((words, unescape(href)) for href, words in
                re.findall(r'<a href="([^"]*#[^"]*)"[^>]*>([a-g])</a>', html))  # fmt: skip


def test_links_to_headings_whose_words_begin_with_section_land_on_them(small: ManualRepo):
    """ "## Section 47 Enquiries" is linked as docs/authors.md says, #section-47-enquiries, and
    the page's id for it stays section-section-47-enquiries (every heading's id is prefixed):
    both land on it, on the chapter's page today and on a date, and from a diff's links (within
    the diff, whose headings have the ids the page gives them)."""
    small.commit(SECTION_HEADINGS, "Add", "2024-02-01T09:00:00+00:00")
    small.commit({"strategy.md": SECTION_HEADINGS["strategy.md"] + "\nMore.\n"}, "Edit",
                 "2024-03-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        for address in ("/chapters/strategy", "/chapters/strategy?at=2024-02-15",
                        "/chapters/strategy/diff"):  # fmt: skip
            links = section_links(page(client, address).text)
            assert sorted(links) == sorted(SECTION_LANDINGS), address
            for words, heading in SECTION_LANDINGS.items():
                path, _, fragment = links[words].partition("#")
                target = page(client, path or address).text
                assert landing(target, fragment) == heading, (address, words, links[words])


def followed(html: str, fragment: str) -> str | None:
    """The id a browser goes to for a link ending ``#fragment`` (as the href has it): the HTML
    standard's indicated part of the document, the fragment percent-encoded as the URL standard
    encodes it, then decoded as UTF-8."""
    encoded = quote(fragment, safe="!#$%&'()*+,-./:;=?@[\\]^_{|}~")
    ids = {unescape(ident) for ident in re.findall(r'\sid="([^"]*)"', html)}
    return next((i for i in (encoded, unquote(encoded, errors="replace")) if i in ids), None)


def test_links_to_headings_in_other_scripts_land_on_them(small: ManualRepo):
    """Headings of Greek, Urdu, Bengali or Chinese words had the id "section-" (and "_1", "_2"
    after it): no link went to them. Each has its words as its id now, on the chapter's page
    and in a diff, and links land there however they are written (the words, copied from a
    page, percent-encoded), from another chapter and within the page or the diff: where tracker
    check says they land (test_check's test of the same links)."""
    small.commit(NON_LATIN_HEADINGS, "Add", "2024-02-01T09:00:00+00:00")
    small.commit({"leaflet.md": NON_LATIN_HEADINGS["leaflet.md"] + "\nMore.\n"}, "Edit",
                 "2024-03-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        for address, landings in (("/chapters/other", LEAFLET_LANDINGS),
                                  ("/chapters/leaflet", OWN_LANDINGS),
                                  ("/chapters/leaflet?at=2024-02-15", OWN_LANDINGS),
                                  ("/chapters/leaflet/diff", OWN_LANDINGS)):  # fmt: skip
            html = page(client, address).text
            body = html[html.index("<main") :]
            ids = re.findall(r'\sid="(section-[^"]*)"', body)
            if address != "/chapters/other":
                assert ids == LEAFLET_IDS, address
            links = dict((words, unescape(href)) for href, words in
                         re.findall(r'<a href="([^"]*)"[^>]*>([a-n])</a>', body))  # fmt: skip
            assert sorted(links) == sorted(landings), address
            for words, landing in landings.items():
                path, _, fragment = links[words].partition("#")
                target = page(client, path).text if path else html
                assert followed(target, fragment) == landing, (address, words, links[words])


def test_headings_written_as_html_keep_clear_of_the_page_s_own_ids(small: ManualRepo):
    """<h2 id="main-content"> in a chapter kept its id: the page then had two main-content
    (the skip link's target), and the chapter's link #main-content went nowhere (it is given
    the prefix, as every same-page link is). Every id and name in a chapter's HTML now has
    the page's prefix, as Markdown's headings' ids have it, and its links go to them; an id an
    earlier heading has, or an empty one, is left out."""
    small.commit({"c.md": doc("C", HTML_HEADINGS)}, "Add", "2024-02-01T09:00:00+00:00")
    with served(small) as client:
        html = page(client, "/chapters/c").text
    body = html[html.index('<div class="app-prose">') : html.index("</main>")]
    ids = re.findall(r'\s(?:id|name)="([^"]*)"', body)
    assert ids == ["section-main-content", "section-search", "section-steps", "section-contacts"]
    assert len(re.findall(r'\sid="main-content"', html)) == 1  # the page's own
    links = dict(
        (words, href) for href, words in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)<', body)
    )
    assert links == {"the contacts": "#section-main-content", "the search": "#section-search",
                     "steps": "#section-steps"}  # fmt: skip
    assert [landing(html, href[1:]) for href in links.values()] == ["Contacts", "Search", "Steps"]


def test_a_diff_s_same_page_links_go_to_its_headings_each_id_given_once(small: ManualRepo):
    """A chapter's [see below](#reporting) went nowhere in a diff: its headings had no ids. They
    have the ids their pages give them (the later version's first; a heading only the earlier
    had, its own unless a later heading has it), and the links go to them within the diff."""
    old = ("## Reporting\n\nCall us.\n\n## Old Part\n\nWords here soon gone.\n\n## Steps\n\n"
           "One.\n\n## Contacts\n\nPhone.")  # fmt: skip
    new = ("## Reporting\n\nCall us now.\n\n## Steps\n\nTwo.\n\n## New Part\n\nAll different "
           "text is present.\n\n## Steps\n\nSee [below](#reporting), [new](#new-part), [steps]"
           "(#steps_1) and [c](#contacts).\n\n## Contacts\n\nAn email address.")  # fmt: skip
    small.commit({"c.md": doc("C", old)}, "Add", "2024-02-01T09:00:00+00:00")
    small.commit({"c.md": doc("C", new)}, "Edit", "2024-03-01T09:00:00+00:00")
    with served(small) as client:
        html = page(client, "/chapters/c/diff?from=2024-02-01&to=2024-03-01").text
    ids = re.findall(r'\sid="([^"]*)"', html[html.index('<div class="diff') :])
    assert len(ids) == len(set(ids)) and "section-old-part" in ids and "section-steps_1" in ids
    links = dict((words, href) for href, words in re.findall(r'<a href="(#[^"]*)">(?:<ins>'
                 r'<span class="vh">[^<]*</span>)?([^<]*)<', html))  # fmt: skip
    assert {words: landing(html, href[1:]) for words, href in links.items()} == {
        "below": "Reporting", "new": "inserted text: New Part", "steps": "inserted text: Steps",
        "c": "Contacts",
    }  # fmt: skip


def test_links_with_percent_escapes_go_to_their_chapters_and_no_further(small: ManualRepo):
    """A link's escapes are decoded before it is resolved (as tracker check now reads it too):
    early%20help.md is "early help.md"; what is no document of the manual once decoded (out of
    the root, absolute, a NUL, encoded twice) is left as written."""
    small.commit(ESCAPED_LINKS, "Add", "2024-02-01T09:00:00+00:00")
    with served(small) as client:
        html = page(client, "/chapters/a").text
        links = dict((words, unescape(href)) for href, words in
                     re.findall(r'<a href="([^"]*)"[^>]*>([a-h])</a>', html))  # fmt: skip
        assert links == {
            "a": "/chapters/early%20help", "b": "/chapters/early%20help#section-17-help",
            "c": "/chapters/caf%C3%A9", "d": "%2e%2e/procedures/a.md",
            "e": "..%2Fprocedures%2Fa.md", "f": "%2Fa.md", "g": "early%2520help.md",
            "h": "a%00.md",
        }  # fmt: skip
        assert "Early Help" in text_of(page(client, "/chapters/early%20help").text)


def test_links_in_every_form_go_where_tracker_check_reads_them(small: ManualRepo):
    """The links test_check's test of the same chapter checks: a path in angle brackets with a
    space, a query, brackets in the text, around an image, an escaped character (left as
    written, a broken link, before), each goes to its chapter; what check reports is left as
    written. //[x.md is no address: the page was a 500 (urlsplit refuses it)."""
    small.commit(LINK_FORMS, "Add", "2024-02-01T09:00:00+00:00")
    with served(small) as client:
        html = page(client, "/chapters/a").text
    links = {("e" if words.startswith("<img") else words[:1]): unescape(href) for href, words in
             re.findall(r'<a href="([^"]*)"[^>]*>([a-m]|[dj] \[in brackets\]|<img[^>]*>)</a>', html)}  # fmt: skip
    assert links == {
        "a": "/chapters/early%20help", "b": "/chapters/early%20help#section-referrals",
        "c": "/chapters/s47", "d": "/chapters/s47", "e": "/chapters/a_b", "f": "/chapters/a_b",
        "g": "no such.md", "h": "missing.md?from=index", "i": "/chapters/s47#section-nowhere",
        "j": "gone.md", "m": "//[x.md",
    }  # fmt: skip
    assert "inside.md" not in html


def test_the_banner_of_a_chapter_not_yet_in_force_gives_its_go_live_date(small: ManualRepo):
    small.commit({"b.md": doc("Bravo")}, "Add B", "2024-05-01T09:00:00+00:00",
                 {"Go-Live": "2024-09-01"})  # fmt: skip
    with served(small) as client:
        words = text_of(page(client, "/chapters/b?at=2024-12-01").text)
        assert "it goes live on 1 September 2024. You are reading it as it will stand on " \
            "1 December 2024." in words  # fmt: skip


def test_what_the_pages_say_about_coming_and_recent_changes(client: TestClient, demo: Path):
    home = page(client, "/")
    recent = [listed.document.id for listed in home.context["recent"]]  # type: ignore[attr-defined]
    snapshot = open_manual(demo).snapshot()
    editorial = {d.id for d in snapshot.documents if d.in_force(TODAY) and d.in_force(TODAY).minor}
    assert editorial and not editorial & set(recent[:3])
    exploitation = page(client, "/chapters/exploitation")
    coming = exploitation.context["next"]  # type: ignore[attr-defined]
    assert coming.commit == snapshot.document("exploitation").in_force(coming.effective).commit


def test_a_change_undone_the_day_it_goes_live_is_announced_nowhere(small: ManualRepo):
    """A change and its revert going live on one day: the chapter's page said it "will change
    on 6 March 2024: Practitioners must now refer", and the release listed it, though its text
    stays as it was (exploratory testing). Nothing is announced; its history keeps both."""
    day = {"Go-Live": "2024-03-06"}
    before = (small.path / "procedures" / "a.md").read_text(encoding="utf-8")
    small.commit({"a.md": doc("Alpha", "You must refer.")}, "Must",
                 "2024-02-01T09:00:00+00:00", day | {"Change-Note": "Practitioners must now refer."})  # fmt: skip
    small.commit({"a.md": before}, "Revert", "2024-02-02T09:00:00+00:00", day)
    with served(small, "2024-02-20") as client:
        assert "6 March" not in text_of(page(client, "/chapters/a").text)  # (nothing coming)
        for at in ("", "?at=2024-03-06", "?at=2024-03-20"):
            words = text_of(page(client, f"/chapters/a{at}").text)
            assert "must" not in words and "change on 6 March" not in words, at
            assert "changed on 6 March" not in words, at
            assert "not yet in force" not in words, at  # (the text in force today, as it is)
            assert not at or "this is the version in force today" in words, at
        assert "/releases/2024-03-06" not in page(client, "/releases").text
        assert page(client, "/api/releases/2024-03-06", 404).status_code == 404
        history = text_of(page(client, "/chapters/a/history").text)
        assert "Practitioners must now refer." in history and "Revert" in history
        feed = feedparser.parse(page(client, "/chapters/a/feed.atom").content)
        assert not feed.feed.updated.startswith("2024-03-06")  # (its newest entry's day)
    with served(small, "2024-03-20") as client:  # (the day gone: "last updated" then? no)
        for path in ("/chapters/a", "/chapters/a?at=2024-03-06", "/"):
            assert "updated 6 march" not in text_of(page(client, path).text).lower(), path
        # (its text is its first version's: no change to see, though versions came after)
        assert "see what changed" not in text_of(page(client, "/chapters/a").text)


def test_a_change_with_an_editorial_fix_the_same_day_is_recently_updated(small: ManualRepo):
    """A change and a typo fixed (minor) going live on one day: the release lists it, the
    contents tag it "Updated", and the home page said no chapter had been updated (review)."""
    day = {"Go-Live": "2024-03-06"}
    small.commit({"a.md": doc("Alpha", "You must refer.")}, "Must", "2024-02-01T09:00:00+00:00",
                 day | {"Change-Note": "Practitioners must now refer."})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "You must refer!")}, "Typo", "2024-02-02T09:00:00+00:00",
                 day | {"Change-Type": "minor"})  # fmt: skip
    with served(small, "2024-03-20") as client:
        assert "updated 6 march 2024" in text_of(page(client, "/").text).lower()


def test_a_chapter_page_gives_every_note_of_a_day_as_its_release_does(small: ManualRepo):
    """Two versions going live the same day: the page says what both changed, in commit order,
    as the release entry does (SPEC §4), not the last one's note alone; an editorial version
    that day is left out, and an editorial-only day still says what it was."""
    day = {"Go-Live": "2024-03-06"}
    small.commit({"a.md": doc("Alpha", "Restructured.")}, "Restructure",
                 "2024-02-01T09:00:00+00:00", day | {"Change-Note": "Restructured."})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "Restructured, hub.")}, "Hub",
                 "2024-02-02T09:00:00+00:00", day | {"Change-Note": "Hub updated."})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "Restructured, the hub.")}, "Typo",
                 "2024-02-03T09:00:00+00:00", day | {"Change-Type": "minor"})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "Restructured, the Hub.")}, "Capital letter",
                 "2024-04-01T09:00:00+00:00", {"Go-Live": "2024-04-03", "Change-Type": "minor"})  # fmt: skip
    with served(small, "2024-02-20") as client:
        release = page(client, "/api/releases/2024-03-06").json()
        assert release["entries"][0]["notes"] == ["Restructured.", "Hub updated."]
        words = text_of(page(client, "/chapters/a").text)
        assert "This chapter will change on 6 March 2024: Restructured. Hub updated. See" in words
        for at in ("?at=2024-03-06", "?at=2024-03-20"):
            words = text_of(page(client, f"/chapters/a{at}").text)
            assert "What will change on 6 March 2024: Restructured. Hub updated." in words, at
            assert "will change on 3 April 2024: Capital letter. See" in words, at
        words = text_of(page(client, "/chapters/a?at=2024-04-03").text)
        assert "What will change on 3 April 2024: Capital letter." in words
    # Withdrawn, then edited while withdrawn: the withdrawal's day and note, not the edit's.
    now = {"Go-Live": "immediate"}
    small.commit({"b.md": doc("Bravo")}, "Add B", "2024-01-05T09:00:00+00:00", now)
    small.commit({"b.md": doc("Bravo", status="archived")}, "Archive B",
                 "2024-02-05T09:00:00+00:00", now | {"Change-Note": "Replaced by A."})  # fmt: skip
    small.commit({"b.md": doc("Bravo", "Tidied.", status="archived")}, "Tidy B",
                 "2024-02-10T09:00:00+00:00", now)  # fmt: skip
    with served(small, "2024-02-20") as client:
        words = text_of(page(client, "/chapters/b").text)
        assert "This chapter was withdrawn on 5 February 2024: Replaced by A. Its last" in words


def test_head_of_the_api_is_refused_in_words_that_match(client: TestClient):
    response = client.post("/api/releases")
    assert response.status_code == 405
    assert response.headers["allow"] in response.json()["error"]


def test_a_former_id_moves_to_the_chapters_address(small: ManualRepo):
    small.move("a.md", "alpha.md", when="2024-02-01T09:00:00+00:00")
    with served(small) as client:
        response = client.get("/chapters/a?at=2024-01-15", follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"] == "/chapters/alpha?at=2024-01-15"
        assert "Alpha" in text_of(page(client, "/chapters/alpha").text)


def test_a_diff_over_several_versions_gives_the_note_of_each(small: ManualRepo):
    """Two dates with two changes between them: both notes, not the last one's only (the
    release's diff link covers every change that went live that day)."""
    small.commit({"a.md": doc("Alpha", "Staff must act.")}, "Duty", "2024-01-05T09:00:00+00:00",
                 {"Change-Note": "Staff must now act."})  # fmt: skip
    small.commit({"a.md": doc("Alpha", "Staff must act.\n\nMore.")}, "More",
                 "2024-01-06T09:00:00+00:00", {"Change-Note": "A paragraph added."})  # fmt: skip
    with served(small) as client:
        words = text_of(page(client, "/chapters/a/diff?from=2024-01-02&to=2024-01-10").text)
        assert "Change notes of the versions compared: Staff must now act. A paragraph added." in (
            words
        )
        one = text_of(page(client, "/chapters/a/diff?from=2024-01-05&to=2024-01-06").text)
        assert "Change note: A paragraph added." in one and "Change notes" not in one
        data = page(client, "/api/chapters/a/diff?from=2024-01-02&to=2024-01-10").json()
        assert data["notes"] == ["Staff must now act.", "A paragraph added."]
        back = page(client, "/api/chapters/a/diff?from=2024-01-10&to=2024-01-02").json()
        assert back["notes"] == ["Add"]  # (backwards: the version shown's own, as before)


def test_a_diff_from_before_the_chapter_existed_says_so(client: TestClient):
    response = page(client, "/chapters/domestic-abuse/diff?from=2000-01-01")
    assert "It was not yet in force on 1 January 2000, so the whole of" in text_of(response.text)
    data = page(client, "/api/chapters/domestic-abuse/diff?from=2000-01-01").json()  # (as the
    # command line's JSON says it)
    assert data["from"] is None
    assert data["from_absent"] == "it was not yet in force on 1st January 2000"


def test_an_id_of_letters_of_any_script_has_every_page(small: ManualRepo):
    """An explicit id in letters beyond ASCII, as a file's name gives its path id: its pages
    are at its percent-encoded address, and the contents links to it so."""
    small.commit({"a.md": doc("Alpha", "More.", id="café/ünï"), "ünï.md": doc("Umlaut")},
                 when="2024-02-01T09:00:00+00:00")  # fmt: skip
    with served(small) as client:
        for ident in ("caf%C3%A9/%C3%BCn%C3%AF", "%C3%BCn%C3%AF"):
            for suffix in ("", "/history", "/diff", "/feed.atom"):
                page(client, f"/chapters/{ident}{suffix}")
            assert client.get(f"/api/chapters/{ident}").status_code == 200
        assert 'href="/chapters/caf%C3%A9/%C3%BCn%C3%AF"' in page(client, "/").text
