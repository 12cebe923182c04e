"""Atom feeds (SPEC §8): the releases, each carrying its newsletter section, and each chapter's.

A mailing tool's RSS-to-email (Mailchimp, MailerLite, MailPoet) sends what its feed published
since it last sent, as the "Multi-Agency Procedures update" section: the newsletter feed holds
the releases gone live, each published when it appeared there. The releases feed, for readers,
has upcoming releases too, once scheduled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import partial
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from tracker.config import DEFAULT_TITLE
from tracker.dates import in_words
from tracker.errors import ConfigError
from tracker.history.model import Document, Version, VersionKind
from tracker.history.releases import Release, entry_rows
from tracker.publish.contents import sentences
from tracker.publish.templating import batch
from tracker.publish.urls import Urls
from web import newsletters
from web.pages import chapter, document_for
from web.rendering import current_view
from web.site import View

router = APIRouter(include_in_schema=False)
get = partial(router.api_route, methods=["GET", "HEAD"])
WORDS: dict[VersionKind, str] = {"added": "added", "modified": "updated", "renamed": "updated",
                                 "withdrawn": "withdrawn"}  # fmt: skip
ATOM = "application/atom+xml; charset=utf-8"
FEED_RELEASES = 50  # the releases feed carries this many, the newest (upcoming ones first)
# What XML 1.0 cannot hold: control characters but tab, newline and carriage return, lone
# surrogates, U+FFFE and U+FFFF. A title or note pasted from a word processor carries them (a
# vertical tab is Word's line break); lxml refuses them, which made the whole feed a 500.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def absolute(request: Request, view: View) -> Urls:
    """Addresses for feeds: from the manual's site_url, else from the request."""
    site_url = view.snapshot.config.site_url or str(request.base_url).rstrip("/")
    return Urls(site_url, view.exported, view.snapshot.clashing)


def moment(day: date, zone: ZoneInfo) -> datetime:
    """The start of a go-live day in the manual's time zone."""
    return datetime.combine(day, time(0, 0), zone)


@get("/feeds/releases.atom")
def releases_feed(request: Request) -> Response:
    return _releases_feed(request, gone_live=False)


@get("/feeds/newsletter.atom")
def newsletter_feed(request: Request) -> Response:
    """The releases gone live, for a mailing tool (exploratory testing of the service's
    clients): one that sends what was published since it last sent mailed an upcoming release
    at every send until its day (published then), and never one gone live the day its change
    was committed (published at the day's start, before the change was made)."""
    return _releases_feed(request, gone_live=True)


def _releases_feed(request: Request, gone_live: bool) -> Response:
    view = current_view(request)
    urls = absolute(request, view)
    zone = view.snapshot.config.timezone
    name, own = (
        ("newsletter", urls.newsletter_feed) if gone_live else ("releases", urls.releases_feed)
    )
    feed = _feed(view, urls, own(), f"{view.snapshot.config.title}: {name}", urls.releases())
    # An editorial-only release is nothing to tell practitioners: no email for it. The newest
    # releases only: each carries its newsletter section, and a feed of ten years of them was
    # 9 MB and 14 s of CPU for every poll (RSS-to-email reads the newest entry).
    releases = [release for release in view.snapshot.releases if not release.minor]
    if gone_live:
        releases = [release for release in releases if not release.is_upcoming(view.today)]
    releases = releases[-FEED_RELEASES:]
    stamps = {release.date: _stamps(release, view.today, zone) for release in releases}
    feed.updated(max((updated for _, updated in stamps.values()), default=moment(view.today, zone)))
    # Newest first, the entry a mailing tool sends: should a newsletter run out of time, the
    # others in this feed say so at once, not each in turn (``batch``).
    with batch():
        for release in reversed(releases):
            entry = feed.add_entry(order="append")
            entry.id(urls.permanent(f"/releases/{release.date.isoformat()}"))
            entry.title(xml_text(_release_title(release, view.today)))
            entry.link(href=urls.release(release.date))
            entry.published(stamps[release.date][0])
            entry.updated(stamps[release.date][1])
            entry.content(xml_text(_section(view, release, urls.site_url)), type="html")
    return Response(feed.atom_str(pretty=True), media_type=ATOM)


def xml_text(text: str) -> str:
    """A text as a feed can hold it: each character XML cannot, a space."""
    return _NOT_XML.sub(" ", text)


def _stamps(release: Release, today: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A release's entry's published and updated. Published on its day, once gone live, or
    when its first change was committed if later (a change that went live the day it was
    made: published at the day's start, before it was in any feed, a mailing tool that sends
    what is new since it last sent never sent it; a minor entry, in no feed alone, is not
    counted: review); while upcoming (in the releases feed only),
    on its day. Updated, once gone live, then too (or with a later commit), and while upcoming
    with its newest commit, so that a reader sees it change as changes join it (its day would
    hide them all)."""
    day, newest = moment(release.date, zone), max(e.version.committed for e in release.entries)
    if release.is_upcoming(today):
        return day, newest
    told = min(e.version.committed for e in release.entries if not e.minor)  # (in a feed since)
    return max(day, told), max(day, newest)


def _section(view: View, release: Release, site_url: str) -> str:
    """The release's newsletter section; a broken template of the manual says so in one line."""
    try:
        return newsletters.render(view, release, "html", site_url)
    except ConfigError as error:
        return f"<p>{escape(str(error))}</p>"


def _release_title(release: Release, today: date) -> str:
    when = in_words(release.date)
    return (
        f"Procedures going live on {when}" if release.is_upcoming(today) else f"Release of {when}"
    )


@get("/chapters/{ident:path}/feed.atom")
def chapter_feed(request: Request, ident: str) -> Response:
    view = current_view(request)
    document = document_for(view, ident, "feed.atom")
    if document is None:
        return chapter(request, f"{ident}/feed.atom", request.query_params.get("at"))
    urls = absolute(request, view)
    zone = view.snapshot.config.timezone
    title = f"{document.latest.title}: changes"
    permanent = urls.permanent(_named(view.snapshot.documents, document))
    feed = _feed(view, urls, urls.chapter_feed(document.id), title, urls.history(document.id))
    feed.id(permanent)
    # The changes practitioners saw: not those of a day that changed nothing they could read
    # (a draft withdrawn before it went live, a change undone the day it would have).
    days = {day for day, _ in entry_rows(document)}
    changes = [(before, v) for before, v in document.changes if v.effective in days]
    stamps = {v.commit: _version_stamps(v, view.today, zone) for _, v in changes}
    # (no entry: a chapter withdrawn before it went live; its first day may be ahead of today)
    first = _version_stamps(document.versions[0], view.today, zone)[1]
    feed.updated(max((updated for _, updated in stamps.values()), default=first))
    summarise = view.manual.differ.summariser(changes)
    for before, version in changes:
        entry = feed.add_entry(order="prepend")
        entry.id(f"{permanent}#{version.commit}")
        entry.title(
            xml_text(f"{version.title}: {WORDS[version.kind]} from {in_words(version.effective)}")
        )
        # This version's own change, as its summary says and the history page links it (two
        # versions going live the same day would otherwise both open the day's whole change).
        entry.link(href=urls.diff(document.id, before.commit if before else "", version.commit))
        entry.published(stamps[version.commit][0])
        entry.updated(stamps[version.commit][1])
        summary = summarise(before, version)["text"]
        entry.summary(xml_text(f"{sentences(version.notes)} {summary}".strip()))
    return Response(feed.atom_str(pretty=True), media_type=ATOM)


def _version_stamps(version: Version, today: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A chapter's feed entry's published and updated, as a release's (``_stamps``): once gone
    live, its day, or its commit if later; while upcoming, published on its day and updated by
    its commit (its day, ahead, stood as when the feed last changed: a far Go-Live kept the
    feed's updated in 9999; exploratory testing of dates)."""
    day = moment(version.effective, zone)
    if version.effective > today:
        return day, version.committed
    return (stamp := max(day, version.committed)), stamp


def _named(documents: Iterable[Document], document: Document) -> str:
    """What names a chapter's feed and entries for good (RFC 4287: unique, never changed): its
    first id's feed address, which a rename or a new id in front matter does not change (a
    reader at the former address was given every change again as new), with the first commit
    added for a document whose first id an older one had first (a former id given to a new
    chapter: two feeds must not share a name)."""
    first = document.versions[0]
    named = f"/chapters/{quote(first.id)}/feed.atom"
    older = (
        other is not document
        and other.versions[0].id == first.id
        and (other.versions[0].committed, other.versions[0].commit)
        < (first.committed, first.commit)
        for other in documents
    )
    return f"{named}?first={first.commit}" if any(older) else named


def _feed(view: View, urls: Urls, self_url: str, title: str, alternate: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(xml_text(title))
    # RFC 4287 4.1.1: a feed names an author unless each of its entries does: the manual, by
    # its short name (else its title), at the site's address.
    name = view.snapshot.config.name.strip() or DEFAULT_TITLE  # (a title set to "" is allowed)
    feed.author({"name": xml_text(name), "uri": urls.home()})
    feed.link(href=self_url, rel="self")
    feed.link(href=alternate, rel="alternate")
    feed.language("en-GB")
    return feed
