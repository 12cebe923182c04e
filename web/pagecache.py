"""Answers kept in memory, so that a page asked again is sent rather than made again.

An answer is kept under everything it is made from: the manual's branch and head (the snapshot
read, and which read of it: ``View.read``), whether an older state is shown because the newest
settings broke, the day taken as today, and the request's scheme, host, root path, path and
query string. A new commit, a new day or another address is another key, so a kept answer is
never a stale one. Only GET answers of 200 are kept (pages, feeds, the JSON API); errors,
redirects, images, static files, the webhook and ``/healthz`` are made every time, and so is
an answer made with a comparison simplified for time or size (it may be exact next time: the
Differ notes giving one out, ``noting_coarse``); a route can refuse with ``Cache-Control:
no-store``.

Every page's scripts run only with a nonce of its own (``web/app.py``): an answer is kept with
an unguessable per-process marker where its nonce was, and each answer sent from here gets a
fresh nonce in its place. The marker is never sent; an answer that holds it anyway (a chapter
quoting it) is not kept, so no text of the manual can ever become a nonce.

Answers carry a weak ETag (the same in every worker: the nonce is left out of it) and
``Cache-Control: no-cache``, so a browser or CDN asks again each time and is answered ``304``
when nothing changed. The kept bytes are bounded (least recently used go first):
``TRACKER_PAGE_CACHE_MB``, 32 by default, 0 for none. An answer's bytes are its body, its
headers and its key (a long query string or Host header costs what it holds), and an answer
to a query string longer than ``LONGEST_QUERY`` is never kept: no address a page links to
has one, and junk queries would only push useful answers out.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from tracker.index.store import megabytes
from tracker.trackchanges.cache import noting_coarse
from web.site import Site

SIZE_VARIABLE = "TRACKER_PAGE_CACHE_MB"
DEFAULT_MB = 32
LARGEST_SHARE = 16  # an answer bigger than this share of the bound is not kept
LONGEST_QUERY = 1_000  # bytes; an answer to a longer query string is made every time
# What an entry's Python objects cost besides the bytes of its texts (its key's tuple and eleven
# parts, a dozen header strings in their tuples, the Kept, the store's node): about 1.6 KB as
# measured (sys.getsizeof, tracemalloc) with the headers every answer carries.
ENTRY_COST = 1_600
NOT_KEPT = ("/static/", "/files/", "/hooks/", "/healthz")  # path prefixes made every time
_DROPPED = {b"content-length", b"etag", b"cache-control"}  # set anew on every answer
Message = MutableMapping[str, Any]


def bound_from_environment() -> int:
    """The bound in bytes that ``TRACKER_PAGE_CACHE_MB`` sets (whole or decimal megabytes)."""
    return megabytes(SIZE_VARIABLE, DEFAULT_MB)


@dataclass(frozen=True)
class Kept:
    """One answer: its headers and body with the marker for the nonce, and its ETag."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes
    # Starlette's TestClient asks for the template and its context ("http.response.debug");
    # kept only then, so that tests read the context of a kept page as of a fresh one.
    debug: Message | None = None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + ENTRY_COST


def key_size(key: object) -> int:
    """The bytes of the text in a key (a tuple of texts, numbers and dates, maybe nested)."""
    if isinstance(key, (str, bytes)):
        return len(key)
    if isinstance(key, tuple):
        return sum(key_size(part) for part in key)
    return 0


class Store:
    """Answers by key, least recently used first out once ``bound`` bytes are kept."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.size = 0
        self.hits = 0  # answers sent from here (and 304s), since the start
        self.marker = secrets.token_urlsafe(16).encode()  # as long as a nonce; never sent
        self._answers: OrderedDict[Hashable, tuple[Kept, int]] = OrderedDict()  # and its size
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Hashable) -> Kept | None:
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, answer: Kept) -> bool:
        """Keep an answer (False when it is too big to be worth a place), counting its key."""
        size = answer.size + key_size(key)
        if size * LARGEST_SHARE > self.bound:
            return False
        with self._lock:
            old = self._answers.pop(key, None)
            self.size -= old[1] if old else 0
            self._answers[key] = (answer, size)
            self.size += size
            while self.size > self.bound:
                _, (_, dropped) = self._answers.popitem(last=False)
                self.size -= dropped
        return True


def etag_of(body: bytes, marker: bytes) -> bytes:
    """A weak validator of the answer's content, whatever its nonce (so every worker agrees)."""
    return (
        b'W/"'
        + hashlib.blake2b(body.replace(marker, b""), digest_size=16).hexdigest().encode()
        + b'"'
    )


def matches(scope: Scope, etag: bytes) -> bool:
    """Whether the request's If-None-Match names this ETag (weak comparison, as RFC 9110)."""
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            tags = {tag.strip().removeprefix(b"W/") for tag in value.split(b",")}
            return b"*" in tags or etag.removeprefix(b"W/") in tags
    return False


class PageCache:
    """ASGI middleware: answers kept in ``store``; the nonce is put in by ``SecurityHeaders``,
    which runs inside it (``request.state.nonce``), or here for an answer sent from the store."""

    def __init__(self, app: ASGIApp, site: Site, store: Store) -> None:
        self.app = app
        self.site = site
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"].startswith(NOT_KEPT)
            or len(scope.get("query_string") or b"") > LONGEST_QUERY
        ):
            await self.app(scope, receive, send)
            return
        try:  # re-reads the snapshot when the branch moved: not on the event loop
            view = await run_in_threadpool(self.site.view)
        except Exception:  # the manual cannot be read: the route answers that, uncached
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["view"] = view  # the route reads what the key says
        key = (
            view.snapshot.branch, view.snapshot.head, view.read, view.today, view.stale,
            scope.get("scheme"), tuple(scope.get("server") or ()), scope.get("root_path"),
            _host(scope), scope["path"], scope.get("raw_path"), scope.get("query_string"),
        )  # fmt: skip
        kept = self.store.get(key)
        if kept is not None:
            await self._send(scope, send, kept)
        elif scope["method"] == "HEAD":  # made as GET makes it (kept, with its validators),
            await self._make({**scope, "method": "GET"}, receive, _headless(send), key)  # no body
        else:
            await self._make(scope, receive, send, key)

    async def _send(self, scope: Scope, send: Send, kept: Kept) -> None:
        """A kept answer with a fresh nonce, or 304 when the client has it already."""
        validators = [(b"etag", kept.etag), (b"cache-control", b"no-cache")]
        if matches(scope, kept.etag):  # no policy: the client keeps the one of its copy
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        if kept.debug is not None and "http.response.debug" in scope.get("extensions", {}):
            await send(kept.debug)
        nonce = secrets.token_urlsafe(16).encode()
        body = kept.body.replace(self.store.marker, nonce)
        headers = [(name, value.replace(self.store.marker, nonce)) for name, value in kept.headers]
        headers += [(b"content-length", str(len(body)).encode()), *validators]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )

    async def _make(self, scope: Scope, receive: Receive, send: Send, key: Hashable) -> None:
        """Make the answer, keep it if it may be kept, and send it."""
        started: Message | None = None
        debug: Message | None = None
        chunks: list[bytes] = []
        largest = self.store.bound // LARGEST_SHARE

        async def capture(message: Message) -> None:
            nonlocal started, debug
            if message["type"] == "http.response.debug":
                debug = message
            if message["type"] == "http.response.start" and message["status"] == 200:
                started = message  # held until the whole body is here
                return
            if started is None or message["type"] != "http.response.body":
                await send(message)  # an error, a redirect: passed on as it comes
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                if sum(map(len, chunks)) > largest:  # too big to keep: sent as it comes
                    await send(started)
                    await send({"type": "http.response.body", "body": b"".join(chunks),
                                "more_body": True})  # fmt: skip
                    started, chunks[:] = None, []
                return
            keep = not noted.coarse  # the whole answer is made: every diff it shows given out
            await self._finish(scope, send, key, started, b"".join(chunks), debug, keep)
            started = None

        with noting_coarse() as noted:
            await self.app(scope, receive, capture)

    async def _finish(
        self,
        scope: Scope,
        send: Send,
        key: Hashable,
        started: Message,
        body: bytes,
        debug: Message | None,
        keep: bool,
    ) -> None:
        """Send a whole answer of 200 with its ETag, keeping it unless it may not be kept
        (``keep`` False: it shows a simplified comparison)."""
        headers = [(k.lower(), v) for k, v in started.get("headers", [])]
        nonce = scope.get("state", {}).get("nonce", "").encode()
        marker = self.store.marker
        if not (keep and nonce and _may_keep(headers, body, marker)):  # as made, no ETag
            await send(started)
            await send({"type": "http.response.body", "body": body})
            return
        stored = body.replace(nonce, marker)
        kept = Kept(
            tuple((n, v.replace(nonce, marker)) for n, v in headers if n not in _DROPPED),
            stored,
            etag_of(stored, marker),
            debug,
        )
        self.store.put(key, kept)
        validators = [(b"etag", kept.etag), (b"cache-control", b"no-cache")]
        if matches(scope, kept.etag):
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        out = [(n, v) for n, v in headers if n not in (b"etag", b"cache-control")] + validators
        await send({**started, "headers": out})
        await send({"type": "http.response.body", "body": body})


def _headless(send: Send) -> Send:
    """``send`` with every part of the body left out (a HEAD's answer to a GET made)."""

    async def headless(message: Message) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            message = {**message, "body": b""}
        await send(message)

    return headless


def _may_keep(headers: list[tuple[bytes, bytes]], body: bytes, marker: bytes) -> bool:
    """Whether an answer may be kept: no cookie, no ``no-store``, and no marker of its own
    (which would become a nonce when sent from the store)."""
    for name, value in headers:
        if name == b"set-cookie" or (name == b"cache-control" and b"no-store" in value):
            return False
        if marker in value:
            return False
    return marker not in body


def _host(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"host":
            return bytes(value)
    return None
