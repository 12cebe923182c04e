"""Whether this process is making an answer now, so that work in the background gives way.

A service builds its search index in the background as it starts (``Site.warm_search``):
about 12 ms of Python a chapter, 3.5 s for 300. Python runs one thread at a time, so a page
asked for meanwhile took ten times as long (a chapter's history, 0.4 s, took 4 s; after a
restart every page is asked for afresh). The warm-up now waits, before each chapter, until
no request has been answered here for a moment (``give_way``), a second at most: with no
readers it runs at full speed, and under steady traffic it still ends, slowly (a chapter a
second: 12 ms of Python in each second, where it took all of it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

GIVE_WAY_SECONDS = 1.0  # the longest the background work waits before each step
QUIET_SECONDS = 0.05  # how long no request must have been answered for it to go on


class _Answering:
    """How many requests this process is answering (its apps alike), and when the last
    ended."""

    def __init__(self) -> None:
        self.count = 0
        self.ended = 0.0  # (time.monotonic())
        self._lock = threading.Lock()  # (apps may run on several threads: tests, exports)

    def add(self, step: int) -> None:
        with self._lock:
            self.count += step
            if step < 0:
                self.ended = time.monotonic()


ANSWERING = _Answering()


def give_way(done: Callable[[], bool] = lambda: False) -> None:
    """Wait until no request has been answered for ``QUIET_SECONDS`` (requests often come
    close together: a page, then its styles and scripts), ``GIVE_WAY_SECONDS`` at most, or
    until the work is ``done`` (it is not wanted any more)."""
    now = time.monotonic()
    deadline = now + GIVE_WAY_SECONDS
    while now < deadline and (ANSWERING.count > 0 or now - ANSWERING.ended < QUIET_SECONDS):
        if done():
            return
        time.sleep(0.005)
        now = time.monotonic()


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
