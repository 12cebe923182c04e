"""Atom feeds (SPEC §8): the releases, each carrying its newsletter section, and each chapter's.

A mailing tool's RSS-to-email (Mailchimp, MailPoet) takes the newest entry of the releases feed
as the "Multi-Agency Procedures update" section. Upcoming releases appear once scheduled.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from tracker.dates import in_words
from tracker.history.releases import Release
from tracker.publish.urls import Urls
from web import newsletters
from web.pages import check_id
from web.rendering import site
from web.site import View

router = APIRouter(include_in_schema=False)
ATOM = "application/atom+xml; charset=utf-8"


def absolute(request: Request, view: View) -> Urls:
    """Addresses for feeds: from the manual's site_url, else from the request."""
    return Urls(view.snapshot.config.site_url or str(request.base_url).rstrip("/"))


def moment(day: date, zone: ZoneInfo) -> datetime:
    """The start of a go-live day in the manual's time zone."""
    return datetime.combine(day, time(0, 0), zone)


@router.get("/feeds/releases.atom")
def releases_feed(request: Request) -> Response:
    view = site(request).view()
    urls = absolute(request, view)
    zone = view.snapshot.config.timezone
    feed = _feed(urls.releases_feed(), f"{view.snapshot.config.title}: releases", urls.releases())
    releases = view.snapshot.releases
    feed.updated(moment(releases[-1].date, zone) if releases else moment(view.today, zone))
    for release in releases:
        entry = feed.add_entry(order="prepend")
        entry.id(urls.release(release.date))
        entry.title(_release_title(release, view.today))
        entry.link(href=urls.release(release.date))
        entry.published(moment(release.date, zone))
        entry.updated(moment(release.date, zone))
        entry.content(newsletters.render(view, release, "html"), type="html")
    return Response(feed.atom_str(pretty=True), media_type=ATOM)


def _release_title(release: Release, today: date) -> str:
    when = in_words(release.date)
    return (
        f"Procedures going live on {when}" if release.is_upcoming(today) else f"Release of {when}"
    )


@router.get("/chapters/{ident:path}/feed.atom")
def chapter_feed(request: Request, ident: str) -> Response:
    view = site(request).view()
    document = view.snapshot.document(check_id(ident))
    urls = absolute(request, view)
    zone = view.snapshot.config.timezone
    title = f"{document.latest.title}: changes"
    feed = _feed(urls.chapter_feed(document.id), title, urls.history(document.id))
    feed.updated(moment(max(v.effective for v in document.versions), zone))
    differ = view.manual.differ
    for number, version in enumerate(document.versions):
        before = document.versions[number - 1] if number else None
        entry = feed.add_entry(order="prepend")
        entry.id(f"{urls.chapter_feed(document.id)}#{version.commit}")
        entry.title(f"{version.title}: {version.kind} from {in_words(version.effective)}")
        entry.link(href=urls.release_diff(document.id, version.effective))
        entry.published(moment(version.effective, zone))
        entry.updated(moment(version.effective, zone))
        summary = differ.summary(before, version)["text"]
        entry.summary(f"{version.note} {summary}".strip())
    return Response(feed.atom_str(pretty=True), media_type=ATOM)


def _feed(self_url: str, title: str, alternate: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(title)
    feed.link(href=self_url, rel="self")
    feed.link(href=alternate, rel="alternate")
    feed.language("en-GB")
    return feed
