"""Every address comes from one place: absolute with a site_url, paths from the root without."""

from __future__ import annotations

from datetime import date

from tracker.publish.urls import Urls

SITE = Urls("https://procedures.example.org")
D = date.fromisoformat


def test_absolute_addresses_from_the_site_url():
    assert SITE.absolute
    assert SITE.contents() == "https://procedures.example.org/chapters"
    assert SITE.chapter("referrals") == "https://procedures.example.org/chapters/referrals"
    assert SITE.release_diff("referrals", D("2024-03-01")) == (
        "https://procedures.example.org/chapters/referrals/diff?from=2024-02-29&to=2024-03-01"
    )
    assert SITE.newsletter(D("2024-11-13"), "html") == (
        "https://procedures.example.org/releases/2024-11-13/newsletter?format=html"
    )
    assert SITE.releases_feed() == "https://procedures.example.org/feeds/releases.atom"


def test_paths_without_a_site_url_keep_slashes_in_ids_and_escape_the_rest():
    urls = Urls()
    assert not urls.absolute
    assert urls.home() == "/"
    assert urls.chapter("health/child death") == "/chapters/health/child%20death"
    assert urls.chapter("a", at=D("2024-10-01")) == "/chapters/a?at=2024-10-01"
    assert urls.history("health/x") == "/chapters/health/x/history"
    assert urls.chapter_feed("a") == "/chapters/a/feed.atom"
    assert urls.diff("a", "2024-01-01", "main~1") == "/chapters/a/diff?from=2024-01-01&to=main~1"
    assert urls.release(D("2024-11-13")) == "/releases/2024-11-13"
    assert urls.releases() == "/releases"
