"""A static copy of the website (``tracker build --out DIR``), for any web server or CDN.

Every page is rendered by the service itself, in this process, with the addresses of a static
export (``Urls.exported``): no query strings, a folder with an ``index.html`` for each page.
The pipeline: the pages every manual has (each chapter, its history and feed, each chapter as
in force on each release date, each release and its newsletter) → render each, which names
the pages it links to (diffs, images), and render those too until none is left → the pages
at renamed chapters' former ids that send the browser on (``moved``) → the API's documents,
the search index, the styles and scripts → write what changed (``outdir``).

A page whose inputs are what they were at the last build (its key, ``web/pagekeys.py``) and
whose file is still there is not rendered again: the manifest keeps each page's key and the
addresses it links to, so the pages it names are still exported. A page made with a diff
simplified for time or size (a busy machine) is written but not kept in the manifest, so the
next build renders it again (it may be exact then).
"""

from __future__ import annotations

import asyncio
import re
from base64 import b64encode
from collections.abc import Callable, MutableMapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, tzinfo
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args
from urllib.parse import quote, unquote, urlsplit

from tracker import dates
from tracker.config import web_address
from tracker.errors import InputError
from tracker.history.snapshot import API_PAGES, page_of
from tracker.index.store import cache_folder, made_private
from tracker.jsontext import json_text
from tracker.logs import Logger
from tracker.manual import Manual
from tracker.publish.newsletter import Format
from tracker.publish.templating import batch
from tracker.publish.urls import Exported
from tracker.trackchanges.cache import noting_coarse
from web import moved
from web.inert import published
from web.newsletters import EMAIL_POLICY, EXTENSIONS
from web.outdir import Counts, OutDir, check_relative
from web.pagekeys import Keys
from web.site import Site, View, entries

if TYPE_CHECKING:  # the service is imported only when a page is to be rendered
    from fastapi import FastAPI

log = Logger("tracker.export")
NOT_FOUND = "/404.html"  # what many static hosts show for an address that names nothing
MISSING = "/.tracker-export-not-found"  # an address the service answers with its 404 page
STATIC = Path(__file__).parent / "static"  # as web.app serves it at /static
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
_HEAD = re.compile(r"<head>\s*(<meta charset=[^>]*>)?")


@dataclass(frozen=True)
class Report:
    """What a build made and what it did to the folder."""

    files: int
    counts: Counts
    rendered: tuple[str, ...]  # pages rendered anew (the others kept as the last build made them)
    left_out: tuple[str, ...] = ()  # pages that answered an error, each said: the copy lacks them


def build_site(
    manual: Manual,
    out: Path,
    base_url: str | None,
    today: date | None,
    clock: Callable[[tzinfo], date] = dates.today,
) -> Report:
    """Export the whole site into ``out``, rewriting only what changed. ``today``: the day
    fixed by ``--today`` (every page then says so); else ``clock`` tells the current date in
    the manual's time zone."""
    snapshot = manual.snapshot()
    base = check_base(snapshot.config.site_url, base_url)
    vouches = cache_folder(manual.repo)
    with suppress(OSError):  # (unwritable: every build writes every file)
        made_private(vouches)
    folder = OutDir.open(out, (manual.repo.git_dir, manual.repo.common_dir), vouches)
    try:
        day = today or clock(snapshot.config.timezone)
        site = _Still(manual, today, clock=lambda _zone: day, exported=_Recorder())
        styled = (STATIC / "build" / "app.css").is_file()  # as web.app.assets_built finds it
        keys = Keys(site.view(), base, styled, fixed_today=today is not None)
        with batch():  # (a newsletter template out of time: the copy's other newsletters at once)
            service = _Service(manual, today, site)
            pages = asyncio.run(_render_all(service, site, base, folder, keys))
        for path, content in _assets().items():
            folder.put(path, content)
        made = (folder.finish(pages.json()), tuple(pages.rendered), tuple(pages.left_out))
        return Report(len(folder.hashes), *made)
    finally:
        folder.close()


class _Service:
    """The service that renders the pages, made for the first page rendered (none, if none)."""

    def __init__(self, manual: Manual, today: date | None, site: Site) -> None:
        self.manual, self.today, self.site = manual, today, site
        self._app: FastAPI | None = None

    @property
    def app(self) -> FastAPI:
        if self._app is None:
            from web.app import create_app

            self._app = create_app(self.manual, self.today, self.site)
        return self._app


class _Recorder(dict[str, str | None]):
    """The export's addresses, noting each one a page names while ``log`` is set (setdefault)."""

    log: list[str] | None = None

    def setdefault(self, key: str, default: str | None = None) -> str | None:
        if self.log is not None:
            self.log.append(key)
        return super().setdefault(key, default)


class _Pages:
    """What the manifest keeps about each page: its key, its file's digest and the addresses
    it links to (as numbers in one table of addresses, each with the service's)."""

    def __init__(self, kept: Any) -> None:
        table = kept.get("addresses") if isinstance(kept, dict) else None
        pages = kept.get("pages") if isinstance(kept, dict) else None
        self.old_table: list[Any] = table if isinstance(table, list) else []
        self.old: dict[str, Any] = pages if isinstance(pages, dict) else {}
        self.table: dict[tuple[str, str | None], int] = {}
        self.pages: dict[str, tuple[str, str, list[int]]] = {}
        self.rendered: list[str] = []
        self.left_out: list[str] = []

    def reuse(self, address: str, key: str, folder: OutDir, exported: Exported) -> bool:
        """Keep the last build's page when its key is unchanged and its file still there,
        naming the pages it links to as if it had been rendered."""
        old = self.old.get(address)
        try:
            last_key, digest, numbers = old  # type: ignore[misc]
            links = [tuple(self.old_table[number]) for number in numbers]
            if last_key != key or not folder.reuse(file_path(address), digest):
                return False
        except (TypeError, ValueError, IndexError, InputError):
            return False  # not kept, or kept in a shape this build does not read: render it
        for static, served in links:
            exported.setdefault(static, served)
        self.record(address, key, digest, [(static, served) for static, served in links])
        return True

    def record(self, address: str, key: str, digest: str, links: list[tuple[str, Any]]) -> None:
        numbers = [self.table.setdefault(link, len(self.table)) for link in links]
        self.pages[address] = (key, digest, numbers)

    def json(self) -> dict[str, Any]:
        return {"addresses": [list(link) for link in self.table], "pages": self.pages}


class _Still(Site):
    """The site as it stands when the build starts: one snapshot and one day for every page
    (the service asks git whether the branch moved on every request)."""

    _view: View | None = None

    def view(self) -> View:
        if self._view is None:
            self._view = super().view()
        return self._view


def check_base(site_url: str, given: str | None) -> str:
    """The export's own address, for the absolute links of feeds and newsletters."""
    base = (given or site_url).rstrip("/")
    if not base:
        raise InputError(
            "Give --base-url (the address the export will be served at) or set site_url in "
            "manual.toml: feeds and newsletters need absolute links."
        )
    address = web_address(base)
    if address is None:
        raise InputError(
            f"{base} is not an http(s) address such as https://procedures.example.org."
        )
    if urlsplit(address).path:
        raise InputError(f"A static export is served at the root of its address, not at {base}.")
    if site_url and base != site_url:
        raise InputError(
            f"manual.toml's site_url is {site_url}: --base-url may not give another address."
        )
    return base


def seed(view: View) -> dict[str, str]:
    """The pages every export has (each page records its own address), and the API's
    documents, which no page links to: static address -> the service's."""
    urls, snapshot = view.urls, view.snapshot
    for page in (urls.home, urls.contents, urls.releases, urls.search, urls.releases_feed,
                 urls.newsletter_feed, urls.api, urls.search_index):  # fmt: skip
        page()
    api = {"/api/releases.json": "/api/releases", "/api/chapters.json": "/api/chapters"}
    for release in snapshot.releases:
        urls.release(release.date)
        for fmt in get_args(Format):
            urls.newsletter(release.date, fmt)
        for extension in EXTENSIONS:
            urls.newsletter_file(release.date, extension)
        served = f"/api/releases/{release.date.isoformat()}"
        api.update({f"{served}.json": served, f"{served}/newsletter.json": f"{served}/newsletter"})
    for document in snapshot.documents:
        urls.chapter(document.id)
        urls.history(document.id)
        urls.chapter_feed(document.id)
        for release in snapshot.releases:
            if document.shown_on(release.date) is not None:
                urls.chapter(document.id, release.date)
        served = f"/api/chapters/{quote(document.id)}"
        api[f"{served}/history.json"] = f"{served}/history"
        if clash := snapshot.clashing.get(document.id):  # (Urls gives it no address)
            log.warning("The export leaves out %r (%s): its address is %s (address-clash).",
                        document.id, document.latest.path, page_of(*clash))  # fmt: skip
        if clash is None or clash[1] not in API_PAGES:  # (else the service answers
            api[f"{served}.json"] = served  # another's page there)
    return api


async def _render_all(
    service: _Service, site: Site, base: str, folder: OutDir, keys: Keys
) -> _Pages:
    """Every page, and every page those link to, kept in ``folder`` as they are made; a page
    whose key is unchanged is kept as the last build made it."""
    exported = site.exported
    assert isinstance(exported, _Recorder)
    api = seed(view := site.view())
    exported.update(api)
    moved.seed(view, exported)
    exported[NOT_FOUND] = MISSING
    pages = _Pages(folder.previous_pages)
    done: set[str] = set()
    while pending := [address for address in exported if address not in done]:
        for address in pending:
            done.add(address)
            served = exported[address]
            if served is None:
                continue
            key = keys.key(served)
            if pages.reuse(address, key, folder, exported):
                continue
            exported.log = []
            pages.rendered.append(address)
            try:
                with noting_coarse() as noted:
                    status, body = await request(service.app, served, base, address)
            finally:
                named, exported.log = exported.log, None
            answered = status == (404 if address == NOT_FOUND else 200)
            content = _with_policy(body, address) if answered else None
            if content is None:
                # What the service could not make fails the build, once written; not a 404 (a
                # file a chapter names that is not there, which the service answers so too).
                why = "is not a file the export can publish" if answered else f"answered {status}"
                log.warning("%s %s; the export leaves it out.", served, why)
                pages.left_out += [address] if answered or status >= 500 else []
                continue
            if _add(folder, address, content) and not noted.coarse:  # else: made again next time
                links = [(static, exported[static]) for static in dict.fromkeys(named)]
                pages.record(address, key, sha256(content).hexdigest(), links)
    made = set(folder.hashes)
    for address, page in moved.pages(view, exported, base, lambda at: _kept(at, made)):
        _add(folder, address, _in_head(page, _page_policy("")))
    index = view.urls.search_index()  # (made again only when its key changed: it reads
    key = keys.key(index)  # every chapter in force as its page shows it, seconds for many)
    if not pages.reuse(index, key, folder, exported):
        content = _search_index(view)
        if _add(folder, index, content):
            pages.record(index, key, sha256(content).hexdigest(), [])
    _add(folder, view.urls.api(), _api_index(sorted(api)))
    return pages


def file_path(address: str) -> str:
    """Where a static address is kept in the folder: ``/releases/`` -> releases/index.html."""
    path = unquote(address).lstrip("/")
    return check_relative(path + "index.html" if not path or path.endswith("/") else path)


def _kept(address: str, made: set[str]) -> bool:
    """Whether this build wrote (or kept) the file of a static address."""
    try:
        return file_path(address) in made
    except InputError:
        return False  # an address the export could not name a file for


def _add(folder: OutDir, address: str, content: bytes) -> bool:
    """Write one file; one that cannot be (an odd chapter file name, two pages at one
    address) is left out with a warning rather than stopping the whole export."""
    try:
        kept = folder.put(file_path(address), content)
    except (InputError, OSError) as error:
        log.warning("The export leaves out %s: %s", address, error)
        return False
    if not kept:  # the chapter 'a/history', and the history of 'a'
        log.warning("Two pages share the address %s; the export keeps the first.", address)
    return kept


async def request(app: FastAPI, served: str, base: str, address: str) -> tuple[int, bytes]:
    """GET ``served`` from the service in this process: its status and body."""
    path, _, query = served.partition("?")
    parts = urlsplit(base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": parts.scheme, "server": (parts.hostname, port), "client": ("127.0.0.1", 0),
        "root_path": "", "path": unquote(path), "raw_path": path.encode(),
        "query_string": query.encode(), "headers": [(b"host", parts.netloc.encode())],
        "state": {"static_path": address},  # the page's own address, for its navigation
    }  # fmt: skip
    status, chunks, finished = 500, [], asyncio.Event()

    async def receive() -> dict[str, Any]:
        await finished.wait()  # no body; the client "leaves" once the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                finished.set()

    await app(scope, receive, send)
    return status, b"".join(chunks)


def _with_policy(body: bytes, address: str) -> bytes | None:
    """An HTML file with the Content-Security-Policy the service sends with it, in a meta
    element (a file server sends none): the pages' (their inline scripts allowed by their
    hashes, as the service allows them by a nonce), and the newsletter's email HTML's (styles
    inline, nothing that runs). The manual's own files in a form nothing in them can run in
    (``web.inert``: an SVG as an image only; None, left out, for any other than an image).
    Other files are kept as they are."""
    if address.startswith("/files/"):
        return published(unquote(address), body)
    if address.endswith("/") or address == NOT_FOUND:
        text = body.decode("utf-8")
        return _in_head(text, _page_policy(text))
    if address.endswith(".html"):  # the newsletter section, to download or in the preview
        text = body.decode("utf-8")
        policy = EMAIL_POLICY.replace("; frame-ancestors 'self'", "").replace(
            "; sandbox allow-same-origin", ""
        )  # (not allowed in a meta)
        if _HEAD.search(text):  # (else a fragment: its head implied, its charset said here)
            return _in_head(text, policy)
        return f'<meta charset="utf-8">\n{_meta(policy)}\n{text}'.encode()
    return body


def _page_policy(text: str) -> str:
    hashes = " ".join(
        f"'sha256-{b64encode(sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(text)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
        "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'"
    )


def _meta(policy: str) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


def _in_head(text: str, policy: str) -> bytes:
    meta = _meta(policy)
    return _HEAD.sub(lambda found: found.group(0) + meta, text, count=1).encode("utf-8")


def _search_index(view: View) -> bytes:
    """The documents in force, for the search page's script: title, headings and plain text."""
    documents = []
    for entry in entries(view):  # (as the service's search reads them)
        url = view.urls.chapter(entry.id)
        documents.append(
            {"id": entry.id, "title": entry.title, "url": url, "headings": entry.headings,
             "text": entry.text}
        )  # fmt: skip
    return _json({"documents": documents}, indent=False)


def _api_index(paths: list[str]) -> bytes:
    about = ("The JSON API's documents in this static copy: the service's /api/... addresses, "
             "each with .json added (those that take a query are not exported).")  # fmt: skip
    return _json({"about": about, "documents": paths})


def _json(data: Any, indent: bool = True) -> bytes:
    return (json_text(data, indent) + "\n").encode("utf-8")


def _assets() -> dict[str, bytes]:
    """The styles, scripts and icons the pages use, as the service serves them."""
    return {
        f"static/{path.relative_to(STATIC).as_posix()}": path.read_bytes()
        for path in sorted(STATIC.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
