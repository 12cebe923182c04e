"""Addresses that end in a slash (``/chapters/referrals/``, as a static copy writes its own) are
sent on for good (308: a link checker reads 307 as for now) to the same address without it,
query string kept, where the service has that address; so a link copied from a static copy,
or typed with a slash, opens the page.

The address sent on to is the one the reader asked for, as written (percent-escapes kept), less
its trailing slashes, and a path on this site only: never one a browser would read as another
site's (``//evil.example``, ``/\\evil.example``), nor one it would read otherwise than asked.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlencode

from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

# What an address sent on to keeps as it is: the characters a path or query may hold but for
# a backslash (browsers read one as a slash), quotes and spaces, which are percent-escaped, as
# is any other byte; a percent-escape stays as it was written.
_KEPT = "/%:@!$&()*+,;=-._~"


class TrailingSlash:
    """ASGI middleware: a request for an address that ends in a slash, where the same address
    without it is one of ``router``'s, is answered with a redirect there."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        location = slashless(scope, self.router) if scope["type"] == "http" else None
        if location is None:
            await self.app(scope, receive, send)
            return
        await RedirectResponse(location, status_code=308)(scope, receive, send)


def slashless(scope: Scope, router: Router) -> str | None:
    """The address (a path from the site's root, with the query string) to send a request on
    to, or None: its path ends in no slash, is all slashes, would be another site's once they
    go (``//evil.example/``), or names no address of the service even then."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    target = raw.rstrip(b"/")
    path = quote(target, safe=_KEPT)
    if target == raw or not path.startswith("/") or path.startswith("//"):
        return None  # (an empty path is all slashes: "/" and "//" are no redirect)
    path, asked = _served(path)  # (a static copy's address: the service's for the same page)
    trimmed = {**scope, "path": unquote(path), "raw_path": path.encode()}
    if all(route.matches(trimmed)[0] is Match.NONE for route in router.routes):
        return None
    query = "&".join(
        part for part in (asked, quote(scope.get("query_string") or b"", safe=_KEPT + "?")) if part
    )
    return f"{path}?{query}" if query else path


# A static copy's addresses for pages the service answers with a query string (urls.py):
# a chapter on a day, a diff between two dates or revisions ('-': none), a newsletter's format.
_STATIC = (
    (re.compile(r"(/chapters/.+)/at/([0-9]{4}-[0-9]{2}-[0-9]{2})"), ("at",)),
    (re.compile(r"(/chapters/.+/diff)/([^/]+)/([^/]+)(/source)?"), ("from", "to", "source")),
    (re.compile(r"(/releases/[0-9]{4}-[0-9]{2}-[0-9]{2}/newsletter)/(text|md|json)"), ("format",)),
)


def _served(path: str) -> tuple[str, str]:
    """The service's path and query for a static copy's address of a page (written with its
    slash: ``/chapters/referrals/at/2024-11-13/``), else the path as it is and no query."""
    for pattern, names in _STATIC:
        found = pattern.fullmatch(path)
        if found is not None:
            values = [unquote(value) if value else "" for value in found.groups()[1:]]
            query = [
                (name, "true" if name == "source" else value)
                for name, value in zip(names, values, strict=True)
                if value and value != "-"
            ]
            return found.group(1), urlencode(query)
    return path, ""
