"""The headers every answer of the service carries: its security headers (each page's scripts
run only with its nonce), and how long a cache may keep it where its route does not say."""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecurityHeaders:
    """Headers every response carries; each page's scripts run only with its nonce (a plain
    ASGI middleware: it costs a page little, and runs inside the page cache, which keeps the
    headers it sets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["nonce"] = nonce

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                secured(MutableHeaders(scope=message), nonce, message["status"], scope["path"])
            await send(message)

        await self.app(scope, receive, sending)


def secured(headers: MutableHeaders, nonce: str, status: int, path: str) -> None:
    """Set the security headers (a route's own policy or frame option is kept), and how long
    a cache may keep an answer that does not say: no longer than it takes to ask again (a
    CDN kept a 404 or a former id's redirect for minutes after the commit that changed it, as
    it may where nothing is said: exploratory testing of the service's clients), and never
    an error of the service's or its health, which are of the moment."""
    headers.setdefault("Content-Security-Policy", policy(nonce))
    of_the_moment = status >= 500 or path == "/healthz"
    headers.setdefault("Cache-Control", "no-store" if of_the_moment else "no-cache")
    if status == 503:
        headers.setdefault("Retry-After", "60")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"


def policy(nonce: str) -> str:
    """The Content-Security-Policy of our pages: nothing from elsewhere, images included."""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    )
