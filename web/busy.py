"""Whether this process is making an answer now, so that work in the background gives way.

A service builds its search index in the background as it starts (``Site.warm_search``):
about 12 ms of Python a chapter, 3.5 s for 300. Python runs one thread at a time, so a page
asked for meanwhile took ten times as long (a chapter's history, 0.4 s, took 4 s; after a
restart every page is asked for afresh). The warm-up now waits, before each chapter, while a
request is being answered here (``give_way``), for a tenth of a second at most: with no
readers it runs at full speed, and under steady traffic it still ends, slowly.
"""

from __future__ import annotations

import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

GIVE_WAY_SECONDS = 0.1  # the longest the background work waits before each step


class _Answering:
    """How many requests this process is answering (its apps alike)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()  # (apps may run on several threads: tests, exports)

    def add(self, step: int) -> None:
        with self._lock:
            self.count += step


ANSWERING = _Answering()


def give_way() -> None:
    """Wait while a request is being answered, ``GIVE_WAY_SECONDS`` at most."""
    deadline = time.monotonic() + GIVE_WAY_SECONDS
    while ANSWERING.count > 0 and time.monotonic() < deadline:
        time.sleep(0.002)


class Counted:
    """Counts the requests being answered (outermost: from the first byte asked to the last
    sent, page cache included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ANSWERING.add(1)
        try:
            await self.app(scope, receive, send)
        finally:
            ANSWERING.add(-1)
