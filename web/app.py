"""The web service: FastAPI + Jinja2 on the engine in ``tracker``, adding no rules of its own.

``create_app`` wires the pages, the JSON API and the feeds to one ``Site``; this module also
holds what every response shares: security headers, error pages, static files.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.arguments import printable
from tracker.console import quiet_cut_off
from tracker.errors import (
    ConfigError,
    InputError,
    NotFoundError,
    RepositoryError,
    TrackerError,
    clause,
)
from tracker.logs import Logger
from tracker.manual import Manual, open_manual
from web import ahead, api, feeds, hooks, pages
from web.busy import Counted
from web.headers import SecurityHeaders, secured
from web.pagecache import PageCache, Store, bound_from_environment
from web.rendering import keep_compiled_templates, plain_address, render_page, templates
from web.site import Site
from web.slashes import TrailingSlash
from web.stopping import shutdown_grace

log = Logger("tracker.web")
STATIC = Path(__file__).parent / "static"
BUILT = STATIC / "build"
TITLES = {
    400: "There is a problem with the address",
    404: "Page not found",
    405: "This address cannot do that",
    503: "The manual cannot be read",
    500: "Sorry, there is a problem with the service",
}


def create_app(
    manual: Manual,
    today: date | None = None,
    site: Site | None = None,
    cache_bytes: int | None = None,
    work_ahead: bool = False,
    worker: bool = False,
) -> FastAPI:
    """The service for one manual; ``today`` fixes the date (demos and tests). Pages are kept
    in memory up to ``cache_bytes`` (default ``$TRACKER_PAGE_CACHE_MB``; 0: none, and a static
    export keeps none: it asks each page once). ``work_ahead``: the summaries of every change
    are worked out in the background as it starts (``ahead.py``; ``tracker serve``).
    ``worker``: one of several, whose main process said what they all would at start-up."""
    app = _Service(
        title="Multi-Agency Procedures tracker",
        summary="What changed in the manual, and when: releases, histories, diffs, newsletter.",
        docs_url=None,
        redoc_url=None,
        lifespan=warmed,
        redirect_slashes=False,  # (TrailingSlash does, for every address alike)
    )
    app.state.site = site = site or Site(manual, today)
    app.state.work_ahead = work_ahead and site.exported is None and ahead.wanted()
    app.state.styled = assets_built(say=not worker)
    app.state.started = hooks.started()  # (/healthz says only this run's fetches)
    keep_compiled_templates(manual)
    app.add_middleware(TrailingSlash, router=app.router)
    app.add_middleware(SecurityHeaders)
    bound = bound_from_environment() if cache_bytes is None else cache_bytes
    app.state.pages = None
    if bound > 0 and site.exported is None:
        app.state.pages = Store(bound)
        app.add_middleware(PageCache, site=site, store=app.state.pages)
    app.add_middleware(Counted)  # (outermost: background work gives way to requests)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(hooks.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.add_exception_handler(TrackerError, _tracker_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["api"],
                      responses={503: {"description": "The manual cannot be read"}})  # fmt: skip
    app.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)
    return app


@asynccontextmanager
async def warmed(app: FastAPI) -> AsyncIterator[None]:
    """Before the service takes requests, it answers one of its own: the first request of a
    process pays for what Starlette and anyio start lazily (the worker threads, imports; about
    0.1 s of CPU here), which would otherwise fall on a reader's first page; and it starts to
    build the search index, which would fall on the first search."""
    await get_inside(app, "/static/favicon.svg")
    site = app.state.site
    app.state.warming = app.state.ahead = None
    if site.exported is None:  # (a static export builds it once, at its end)
        app.state.warming = site.warm_search()  # (a benchmark waits for it: bench_history)
    stop = threading.Event()
    if app.state.work_ahead:
        app.state.ahead = site.work_ahead(app.state.warming, stop)
    try:
        yield
    finally:
        stop.set()  # (the summaries' work stops at its next step)


async def get_inside(app: ASGIApp, path: str) -> int:
    """GET a path of the app in this process, without a server: its status."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "server": ("localhost", 80), "client": ("127.0.0.1", 0),
        "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"host", b"localhost")],
    }  # fmt: skip
    status = 500

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def healthz(request: Request) -> dict[str, Any]:
    """The service can read its manual: the branch head it serves, and today's date. "stale"
    (with the problem) when the newest commit's settings cannot be read and an older state is
    served: still up, but the authors have something to mend. "degraded" (with the problems)
    when some pages answered 503 in the last ten minutes, as for a version git lacks (a
    damaged repository): the rest is served."""
    plain_address(request)
    site = request.app.state.site
    view = site.view()
    fetched = hooks.fetch_state(view.manual, request.app.state.started)  # (this run's last)
    failing = site.failing_lately()
    return {
        "status": "stale" if view.stale else "degraded" if failing else "ok",
        **({"problem": view.stale} if view.stale else {"problem": failing[0]} if failing else {}),
        **({"failing": failing[:5]} if failing else {}),
        **({"fetch": fetched} if fetched is not None else {}),
        "branch": view.snapshot.branch,
        "head": view.snapshot.head,
        "today": view.today.isoformat(),
        "documents": len(view.snapshot.documents),
        "worker": os.getpid(),  # which of several workers answered
    }


def assets_built(say: bool = True) -> bool:
    """Whether the GOV.UK Frontend styles were built; without them pages are plain, with a word."""
    built = (BUILT / "app.css").is_file()
    if not built and say:
        log.warning(
            "the front-end assets are not built (run 'make assets'); pages are served unstyled."
        )
    return built


class _Service(FastAPI):
    """FastAPI, with the security headers also on the page of an unexpected error: Starlette
    answers one (``_unexpected``) from its ServerErrorMiddleware, which it puts outside every
    middleware added, so ``SecurityHeaders`` never saw that answer."""

    def build_middleware_stack(self) -> ASGIApp:
        inner = super().build_middleware_stack()

        async def outermost(scope: Scope, receive: Receive, send: Send) -> None:
            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start" and message["status"] >= 500:
                    headers = MutableHeaders(scope=message)
                    if "x-content-type-options" not in headers:  # (not answered inside)
                        nonce = scope.get("state", {}).get("nonce") or secrets.token_urlsafe(16)
                        secured(headers, nonce, message["status"], scope["path"])
                await send(message)

            await inner(scope, receive, sending if scope["type"] == "http" else send)

        return outermost

    def openapi(self) -> dict[str, Any]:
        """The API's description as the API answers: a malformed value is 400 (never FastAPI's
        422, which it does not send), and a date is a date (schemathesis, exploratory
        testing: clients made from the description sent what the API refuses)."""
        schema = super().openapi()  # (FastAPI makes it again when its routes change)
        described(schema)  # (each time: mending a mended one changes nothing)
        return schema


DATES = frozenset({"day", "since", "until", "at"})  # (--from and --to take a ref too)


def described(schema: dict[str, Any]) -> None:
    """Mend FastAPI's description of the API in place (``_Service.openapi``)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
            for parameter in operation.get("parameters", []):
                if parameter.get("name") in DATES:
                    parameter["schema"] = {"type": "string", "format": "date",
                                           "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}  # fmt: skip
    for unused in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(unused, None)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/api", "/healthz")


def error_response(
    request: Request,
    status: int,
    message: str,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One sentence and a way back, as a page or (for the API) as JSON."""
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    context: dict[str, Any] = {
        "title": title or TITLES.get(status, TITLES[500]),
        "message": message,
    }
    try:
        response: Response = render_page(request, "error.html", context, status=status)
    except Exception:  # the manual itself cannot be read: a page without it
        body = templates.get_template("error_plain.html").render(context)
        response = HTMLResponse(body, status_code=status)
    response.headers.update(headers or {})
    return response


async def _tracker_error(request: Request, error: Exception) -> Response:
    title = None
    if isinstance(error, NotFoundError):
        status = 404
    elif isinstance(error, ConfigError):
        status, title = 503, "The manual's settings or templates need mending"
    elif isinstance(error, RepositoryError):
        status = 503
    else:  # InputError and any other mistake in the request
        status = 400
    if status == 503 and isinstance(error, TrackerError):  # (said in the log once)
        request.app.state.site.unreadable(error)
    return error_response(request, status, str(error), title)


async def _validation_error(request: Request, error: Exception) -> Response:
    problems = error.errors() if isinstance(error, RequestValidationError) else []
    where = ", ".join(str(p.get("loc", ["?"])[-1]) for p in problems) or "the address"
    return error_response(request, 400, f"The request's {where} is not valid.")


async def _http_error(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    headers = dict(getattr(error, "headers", None) or {})  # 405 says what is allowed (Allow)
    if status == 404:
        return error_response(request, 404, "There is no page at this address.")
    if status == 405:
        if headers.get("Allow", "GET") == "GET":  # (every GET route answers HEAD too: the
            headers["Allow"] = "GET, HEAD"  # API's as a route of its own, which Starlette omits)
        allowed = headers["Allow"]
        message = f"This service is read-only: this address answers {allowed} requests only."
        return error_response(request, 405, message, headers=headers)
    return error_response(request, status, str(getattr(error, "detail", "")), headers=headers)


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=error)
    return error_response(request, 500, "Something went wrong on our side; please try again.")


def environment_read() -> None:
    """Read the service's settings from the environment (the caches' bounds, git's timeout,
    whether to work summaries out ahead, the grace at a stop): a mistake is InputError."""
    from tracker.repository.process import git_timeout
    from tracker.trackchanges.cache import bound_from_environment as diff_cache_bound

    bound_from_environment(), diff_cache_bound(), git_timeout(), ahead.wanted(), shutdown_grace()


def serve(
    manual: Manual,
    today: date | None,
    host: str,
    port: int,
    workers: int = 1,
    poll: float | None = None,
) -> None:
    """Run the service until interrupted (``tracker serve``): in this process, or in
    ``workers`` processes that share the repository and its index; with ``poll``, fetching the
    branch from ``origin`` every so many seconds."""
    import uvicorn

    # (uvicorn's type says int, but it gives the seconds to asyncio.timeout, which takes any)
    options: dict[str, Any] = {
        "log_level": "warning",
        "timeout_graceful_shutdown": shutdown_grace(),
    }
    quiet_cut_off()  # (each worker's own process says so too: worker_app)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:  # say a taken port in one sentence, before starting
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise InputError(f"Cannot serve on {host}:{port}: {error.strerror}.") from None
    shown = manual.latest  # (read by served_manual: the manual before broken settings, or none)
    title = shown.config.title if shown is not None else "a manual whose settings need mending"
    print(printable(f"Serving {title} at http://{host}:{port}/ (Ctrl+C to stop).", True))
    poller = hooks.Poller(manual, poll) if poll else None
    if poller is not None:
        poller.start()
    try:
        if workers == 1:
            app = create_app(manual, today, work_ahead=True)
            uvicorn.run(app, host=host, port=port, **options)
            return
        assets_built()  # (said once, here, rather than by every worker)
        os.environ.update(  # what each worker opens, as this process opened it
            {
                WORKER_REPO: str(manual.repo.work_tree or manual.repo.git_dir),
                WORKER_ROOT: manual.root.folder or ".",
                WORKER_BRANCH: manual.branch or "",
                WORKER_TODAY: today.isoformat() if today else "",
                hooks.STARTED: hooks.started().isoformat(),
            }
        )
        uvicorn.run(
            "web.app:worker_app", factory=True, host=host, port=port, workers=workers,
            **options,
        )  # fmt: skip
    finally:
        if poller is not None:
            poller.stop()


def served_manual(repo: str, root: str, branch: str | None) -> Manual:
    """The manual a server follows: ``branch``, else the branch checked out when it starts,
    so that checking out a draft in the served working copy never publishes it."""
    manual = open_manual(repo, root=root, branch=branch, publishing=True)
    current = manual.repo.branch_head(None)[0] if branch is None else None
    if current is not None and current != "HEAD":  # (asked before the history is read, which
        manual.close()  # says its warnings: read twice, they were said twice)
        manual = open_manual(repo, root=root, branch=current, publishing=True)
    try:
        manual.snapshot()  # a manual that cannot be read is said now, in one sentence
    except ConfigError as error:  # (a reboot while the settings are broken is no outage)
        shown = manual.before_broken_settings()
        if shown is None:
            log.warning("%s; the service answers 503 until it is mended.", clause(error))
        else:
            log.warning("%s; showing the manual as it stood at %s.", clause(error), shown.head[:10])
    return manual


WORKER_REPO, WORKER_ROOT = "TRACKER_WORKER_REPO", "TRACKER_WORKER_ROOT"
WORKER_BRANCH, WORKER_TODAY = "TRACKER_WORKER_BRANCH", "TRACKER_WORKER_TODAY"


def worker_app() -> FastAPI:
    """The service in one of several worker processes (``serve(workers=N)`` names the manual
    through the environment, which uvicorn's workers inherit)."""
    from tracker.console import warnings_of_a_worker

    warnings_of_a_worker()  # ("tracker: warning: ...", as the main process says them)
    quiet_cut_off()
    branch, today = os.environ.get(WORKER_BRANCH) or None, os.environ.get(WORKER_TODAY)
    manual = open_manual(os.environ[WORKER_REPO], os.environ[WORKER_ROOT], branch, publishing=True)
    fixed = date.fromisoformat(today) if today else None
    return create_app(manual, fixed, work_ahead=True, worker=True)
