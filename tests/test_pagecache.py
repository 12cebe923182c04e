"""The page cache (web/pagecache.py): a kept answer is the answer made anew, under real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import ManualRepo, doc
from fastapi.testclient import TestClient
from httpx2 import Response

from tracker.demo import build_demo
from tracker.history.releases import entry_rows
from tracker.manual import open_manual
from tracker.publish import contents
from web.app import create_app
from web.feeds import FEED_RELEASES
from web.pagecache import Kept, Store
from web.site import Site

D = date.fromisoformat
TODAY = D("2024-11-20")
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
# Every kind of answer kept: pages, feeds, the API, downloads, a search.
PATHS = [
    "/", "/chapters", "/chapters/referrals", "/chapters/referrals?at=2024-06-01",
    "/chapters/domestic-abuse/history", "/chapters/domestic-abuse/diff",
    "/chapters/domestic-abuse/diff?from=2024-11-12&to=2024-11-13&source=true",
    "/releases", "/releases/2024-11-13", "/releases/2024-11-13/newsletter",
    "/releases/2024-11-13/newsletter.md", "/feeds/releases.atom",
    "/chapters/domestic-abuse/feed.atom", "/api/releases?summaries=true",
    "/api/chapters/domestic-abuse/history", "/search?q=referral",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("pagecache") / "demo")


@pytest.fixture(scope="module")
def cached(demo: Path) -> Iterator[TestClient]:
    with TestClient(create_app(open_manual(demo), TODAY, cache_bytes=50_000_000)) as client:
        yield client


def store(client: TestClient) -> Store:
    kept: Store = client.app.state.pages  # type: ignore[attr-defined]
    return kept


def nonce(response: Response) -> str:
    """The nonce the response's policy allows; every nonce attribute of a page must be it."""
    found = NONCE.findall(response.headers["content-security-policy"])
    assert len(found) == 1
    return found[0]


def without_nonce(response: Response) -> str:
    return response.text.replace(nonce(response), "NONCE")


def test_a_kept_answer_is_the_answer_made_anew(cached: TestClient, demo: Path):
    with TestClient(create_app(open_manual(demo), TODAY, cache_bytes=0)) as fresh:
        assert fresh.app.state.pages is None  # type: ignore[attr-defined]
        for path in PATHS:
            made = fresh.get(path)
            first, hits = cached.get(path), store(cached).hits
            again = cached.get(path)
            assert store(cached).hits == hits + 1, path  # the second was sent from the store
            assert made.status_code == first.status_code == again.status_code == 200, path
            assert without_nonce(made) == without_nonce(first) == without_nonce(again), path
            assert first.headers["etag"] == again.headers["etag"], path
            for name in ("content-type", "content-disposition", "x-frame-options"):
                assert made.headers.get(name) == again.headers.get(name), (path, name)
            assert again.headers["content-length"] == str(len(again.content))


def test_each_answer_has_its_own_nonce_and_its_policy_names_it(cached: TestClient):
    answers = [cached.get("/chapters/referrals") for _ in range(3)]
    nonces = [nonce(answer) for answer in answers]
    assert len(set(nonces)) == 3
    for answer, expected in zip(answers, nonces, strict=True):
        assert set(re.findall(r'nonce="([^"]+)"', answer.text)) == {expected}
    assert store(cached).marker.decode() not in "".join(answer.text for answer in answers)


def test_errors_and_redirects_are_made_each_time(cached: TestClient):
    """And a cache in front is told to ask again: a CDN kept a 404 or a former id's redirect
    for minutes after the commit that changed it (exploratory testing of the service's
    clients), as it may keep an answer that says nothing."""
    before = len(store(cached))
    for path, status in (("/chapters/no-such-chapter", 404), ("/releases/2024-13-45", 400),
                         ("/api/chapters/nothing", 404), ("/releases/", 308)):  # fmt: skip
        for _ in range(2):
            response = cached.get(path, follow_redirects=False)
            assert response.status_code == status
            assert "etag" not in response.headers
            assert response.headers["cache-control"] == "no-cache", path
    health = cached.get("/healthz")
    assert (health.json()["status"], health.headers["cache-control"]) == ("ok", "no-store")
    assert cached.get("/static/app.js").headers["cache-control"] == "no-cache"  # (its ETag)
    assert len(store(cached)) == before


def test_a_browser_that_has_the_page_is_answered_304_without_a_policy(cached: TestClient):
    first = cached.get("/releases")
    assert first.headers["cache-control"] == "no-cache"  # always asked again: a commit shows
    again = cached.get("/releases", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    # The browser keeps the page it has, with its own nonce and the policy that names it.
    assert "content-security-policy" not in again.headers
    other = cached.get("/releases", headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.content == first.content.replace(
        nonce(first).encode(), nonce(other).encode()
    )


def test_head_of_a_kept_page_has_its_headers_and_no_body(cached: TestClient):
    body = cached.get("/chapters").content
    head = cached.head("/chapters")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(body))


@pytest.fixture
def small(repo: ManualRepo) -> ManualRepo:
    repo.commit({"a.md": doc("Alpha", "The first text.")}, "Add", "2024-01-01T09:00:00+00:00")
    return repo


def test_a_new_commit_is_a_new_page(small: ManualRepo):
    with TestClient(create_app(small.open(), D("2024-06-01"))) as client:
        first = client.get("/chapters/a")
        assert "The first text." in first.text and client.get("/chapters/a").status_code == 200
        small.commit({"a.md": doc("Alpha", "The second text.")}, "Edit",
                     "2024-02-01T09:00:00+00:00")  # fmt: skip
        after = client.get("/chapters/a", headers={"If-None-Match": first.headers["etag"]})
        assert after.status_code == 200
        assert "The second text." in after.text and "The first text." not in after.text


def test_a_new_day_is_a_new_page(small: ManualRepo):
    days = {"today": D("2024-01-01")}
    manual = small.open()
    site = Site(manual, clock=lambda zone: days["today"])
    small.commit({"b.md": doc("Bravo")}, "Add B", "2024-01-01T10:00:00+00:00",
                 {"Go-Live": "2024-03-01"})  # fmt: skip
    with TestClient(create_app(manual, site=site)) as client:
        assert "Bravo" not in client.get("/chapters").text
        assert "Bravo" not in client.get("/chapters").text
        days["today"] += timedelta(days=60)  # the server ran past midnight, many times
        assert "Bravo" in client.get("/chapters").text


def test_broken_settings_show_their_banner_on_pages_kept_before(small: ManualRepo):
    with TestClient(create_app(small.open(), D("2024-06-01"))) as client:
        assert "cannot be shown yet" not in client.get("/chapters/a").text
        small.commit({"manual.toml": "[manual\ntitle = 1"}, "Break", "2024-02-01T09:00:00+00:00")
        assert "cannot be shown yet" in client.get("/chapters/a").text


def test_the_host_asked_for_is_part_of_the_key(small: ManualRepo):
    with TestClient(create_app(small.open(), D("2024-06-01"))) as client:
        path = "/releases/2024-01-01/newsletter.md"
        one = client.get(path, headers={"Host": "one.example"}).text
        two = client.get(path, headers={"Host": "two.example"}).text
        assert "(http://one.example/chapters/a)" in one
        assert "(http://two.example/chapters/a)" in two


def test_text_like_a_nonce_or_the_marker_is_never_changed(repo: ManualRepo):
    with TestClient(create_app(repo.open(), D("2024-06-01"))) as client:
        marker = store(client).marker.decode()
        quoted = f"Quoting {marker} and nonce-{marker} and NONCE and {{{{ nonce }}}}."
        repo.commit({"q.md": doc("Quote", quoted)}, "Add", "2024-01-01T09:00:00+00:00")
        for _ in range(3):
            response = client.get("/chapters/q")
            assert marker in response.text and "{{ nonce }}" in response.text
            assert nonce(response) != marker
        kept = len(store(client))
        client.get("/chapters/q")
        assert len(store(client)) == kept  # an answer holding the marker is never kept
        client.get("/chapters/q/history")  # no marker in it: kept as any other
        assert len(store(client)) == kept + 1


def test_the_releases_feed_carries_the_newest_releases(repo: ManualRepo):
    first = D("2024-01-01")
    for number in range(FEED_RELEASES + 2):
        day = (first + timedelta(days=number)).isoformat()
        repo.commit({"a.md": doc("Alpha", f"Version {number}.")}, f"Edit {number}",
                    f"{day}T09:00:00+00:00")  # fmt: skip
    with TestClient(create_app(repo.open(), D("2024-06-01"))) as client:
        feed = feedparser.parse(client.get("/feeds/releases.atom").content)
    assert len(feed.entries) == FEED_RELEASES
    assert feed.entries[0].link.endswith(f"/releases/{first + timedelta(days=FEED_RELEASES + 1)}")
    assert feed.entries[-1].link.endswith(f"/releases/{first + timedelta(days=2)}")


def test_a_simplified_comparison_is_not_kept(repo: ManualRepo):
    """Whatever shows a diff simplified for size (the diff page, the JSON API's diff, a release
    and a history with its summary, the chapter's feed...) is made every time; the rest kept."""
    old = "\n\n".join(f"Old paragraph {number} here." for number in range(3300))
    new = "\n\n".join(f"New words {number} there." for number in range(3300))
    repo.commit({"c.md": doc("C", old)}, "Add", "2024-01-01T09:00:00+00:00")
    repo.commit({"c.md": doc("C", new)}, "Rewrite", "2024-01-02T09:00:00+00:00")
    with TestClient(create_app(repo.open(), D("2024-06-01"))) as client:
        for _ in range(2):
            assert "This comparison is simplified" in client.get("/chapters/c/diff").text
            assert client.get("/api/chapters/c/diff").json()["diff"]["coarse"] is True
            for path in ("/releases/2024-01-02", "/chapters/c/history",
                         "/api/releases/2024-01-02", "/chapters/c/feed.atom"):  # fmt: skip
                assert "Too large or too different" in client.get(path).text, path
        assert len(store(client)) == 0 and store(client).hits == 0
        client.get("/chapters/c")  # no comparison in it: kept as any other
        assert len(store(client)) == 1


def test_a_chapter_quoting_what_a_simplified_comparison_says_is_kept(repo: ManualRepo):
    """What is not kept is told by the Differ, not guessed from the words of the answer."""
    quoted = 'Quoting "coarse":true, diff-coarse and Too large or too different to compare closely.'
    repo.commit({"q.md": doc("Quote", quoted)}, "Add", "2024-01-01T09:00:00+00:00")
    with TestClient(create_app(repo.open(), D("2024-06-01"))) as client:
        for path in ("/chapters/q", "/api/chapters/q"):
            assert "diff-coarse and Too large" in client.get(path).text
            assert "diff-coarse and Too large" in client.get(path).text
        assert len(store(client)) == 2 and store(client).hits == 2


def test_the_store_keeps_the_recently_used_within_its_bound():
    kept = Store(bound=16 * 4_000)
    answer = Kept((), b"x" * 300, b'W/"x"')  # 1,900 bytes with its overhead
    room = kept.bound // answer.size
    for number in range(room):
        assert kept.put(number, answer)
    assert len(kept) == room and kept.get(0) is answer  # used again: now the most recent
    for number in range(room, room + 3):
        assert kept.put(number, answer)
    assert kept.size <= kept.bound and len(kept) == room
    assert kept.get(0) is answer and [kept.get(n) for n in (1, 2, 3)] == [None] * 3
    assert kept.get(4) is answer and kept.get(room + 2) is answer
    assert not kept.put("big", Kept((), b"x" * 3_000, b'W/"y"'))  # more than a 16th: not kept


def test_the_key_counts_in_an_answers_size():
    kept = Store(bound=16 * 10_000)
    answer = Kept((), b"x" * 300, b'W/"x"')
    assert kept.put(("/a", b"q" * 5_000, None, 3), answer)
    assert kept.size == answer.size + len("/a") + 5_000
    assert not kept.put(("/b", b"q" * 10_000), answer)  # with its key, more than a 16th


def test_a_long_query_string_costs_what_it_holds_or_is_not_kept(small: ManualRepo):
    with TestClient(create_app(small.open(), D("2024-06-01"), cache_bytes=2_000_000)) as client:
        body = len(client.get("/api/releases/2024-01-01").content)
        size = store(client).size
        assert client.get(f"/api/releases/2024-01-01?pad={'x' * 900}").status_code == 200
        assert len(store(client)) == 2 and store(client).size - size > body + 900
        for _ in range(2):  # longer than 1 KB: made every time, never kept
            answer = client.get(f"/api/releases/2024-01-01?pad={'x' * 1_100}")
            assert answer.status_code == 200 and len(answer.content) == body
        assert len(store(client)) == 2 and store(client).hits == 0


def test_a_small_bound_evicts_and_pages_stay_right(demo: Path):
    with TestClient(create_app(open_manual(demo), TODAY, cache_bytes=200_000)) as client:
        bound = store(client).bound
        paths = [f"/chapters?n={number}" for number in range(40)]  # ~8 KB each, each its key
        first = {path: without_nonce(client.get(path)) for path in paths}
        assert 0 < len(store(client)) < len(paths) and store(client).size <= bound
        assert client.get(paths[-1]) and store(client).hits == 1  # the newest is kept...
        assert without_nonce(client.get(paths[0])) == first[paths[0]]  # the oldest made anew
        assert store(client).hits == 1 and store(client).size <= bound


def test_recently_updated_reads_as_every_version_scanned(demo: Path):
    snapshot = open_manual(demo).snapshot()

    def scanned(day: date) -> list[contents.Listed]:  # the definition, read the long way:
        found = []  # the newest release entry not editorial, after the first version's day
        for document in snapshot.documents:
            current = document.in_force(day)
            if current is None or current.withdrawn:
                continue
            first = document.versions[0].effective
            days = [d for d, row in entry_rows(document) if first < d <= day and not row[6]]
            if days:
                found.append(contents.Listed(document, document.in_force(days[-1])))
        found.sort(key=lambda listed: listed.version.effective, reverse=True)
        return found[: contents.RECENT_CHAPTERS]

    days = sorted({v.effective for d in snapshot.documents for v in d.versions})
    for day in [d + timedelta(days=shift) for d in days for shift in (-1, 0)]:
        assert contents.recently_updated(snapshot, day) == scanned(day), day
