"""Refreshing the served repository from where authors push: a signed push webhook, and
polling (``tracker serve --poll``).

``POST /hooks/push`` is on only when ``TRACKER_WEBHOOK_SECRET`` is set. It accepts the
signatures GitHub, Gitea and Forgejo send (``X-Hub-Signature-256``, an HMAC-SHA256 of the body
with the secret), Gitea's own header (``X-Gitea-Signature``) and GitLab's token
(``X-Gitlab-Token``). A request that is not signed with the secret gets 401 and changes
nothing. A signed one fetches the tracked branch from ``origin`` and reads the new head; the
other workers see it on their next request (they share the repository and its index).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tracker.errors import ConfigError, RepositoryError
from tracker.index.store import cache_folder, made_private, ours_alone, present, reclaimed
from tracker.logs import Logger
from tracker.manual import Manual
from tracker.repository.write import fetch_branch

SECRET_VARIABLE = "TRACKER_WEBHOOK_SECRET"  # noqa: S105 (the name of a variable)
MAX_BODY = 5_000_000  # bytes: a push event, even of many commits, is far smaller
log = Logger("tracker.web")
router = APIRouter(tags=["hooks"])


def webhook_secret() -> bytes | None:
    """The shared secret, from the environment (never the command line: process lists show
    it); None turns the webhook off."""
    value = os.environ.get(SECRET_VARIABLE, "")
    return value.encode("utf-8") if value else None


def signed(headers: Any, body: bytes, secret: bytes) -> bool:
    """Whether a request carries the secret's signature of its body (or GitLab's token)."""
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    github = headers.get("x-hub-signature-256", "")
    gitea = headers.get("x-gitea-signature", "") or headers.get("x-forgejo-signature", "")
    gitlab = headers.get("x-gitlab-token", "")
    return (  # compared as bytes, in constant time (a header may hold any character)
        (bool(github) and hmac.compare_digest(_bytes(github), f"sha256={digest}".encode()))
        or (bool(gitea) and hmac.compare_digest(_bytes(gitea), digest.encode()))
        or (bool(gitlab) and hmac.compare_digest(_bytes(gitlab), secret))
    )


def _bytes(header: str) -> bytes:
    """A header's bytes as sent (Starlette decodes them as Latin-1): GitLab's token of a secret
    with a '£' in it was refused when encoded again as UTF-8 (exploratory testing)."""
    return header.encode("latin-1", "replace")


@router.post(
    "/hooks/push",
    responses={401: {"description": "Not signed with the service's secret"},
               404: {"description": "No secret is set: the webhook is off"},
               413: {"description": "Too large to be a push event"},
               503: {"description": "The repository cannot be updated now"}},
)  # fmt: skip
async def push(request: Request) -> JSONResponse:
    """A push happened where authors work: fetch the tracked branch and read it."""
    secret = webhook_secret()
    if secret is None:
        return JSONResponse({"error": "The push webhook is off on this service."}, 404)
    body = await _body(request)
    if body is None:
        return JSONResponse({"error": "The request is too large to be a push event."}, 413)
    if not signed(request.headers, body, secret):
        sender = request.client.host if request.client else "an unknown address"
        log.warning("a push webhook from %s without a valid signature was refused.", sender)
        return JSONResponse({"error": "The request is not signed with this service's secret."}, 401)
    event = request.headers.get("x-github-event") or request.headers.get("x-gitea-event", "")
    if event == "ping":
        return JSONResponse({"status": "pong"})
    manual: Manual = request.app.state.site.manual
    try:
        head = await run_in_threadpool(refresh, manual)
    except RepositoryError as error:
        log.warning("the push webhook's fetch failed: %s", error)  # (as a poll's is)
        return JSONResponse({"error": str(error)}, 503)
    except OSError as error:  # the lock file beside the repository
        said = f"The repository cannot be updated ({error.strerror})."
        log.warning("the push webhook's fetch failed: %s", said)
        return JSONResponse({"error": said}, 503)
    return JSONResponse({"status": "fetched", "branch": manual.branch, "head": head})


async def _body(request: Request) -> bytes | None:
    """The request's body, read no further than MAX_BODY (None past it): anyone may post."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def refresh(manual: Manual) -> str:
    """Fetch the manual's branch from ``origin`` and read its new head (the snapshot too, so
    that the next page is quick); returns the head. How the fetch went is kept for
    ``/healthz`` (``fetch_state``)."""
    if manual.branch is None or manual.branch == "HEAD":
        raise RepositoryError(
            "The service follows a detached HEAD, so there is no branch to fetch; start it "
            "with --branch."
        )
    try:
        head = fetch_branch(manual.repo, manual.branch)
    except (RepositoryError, OSError) as error:
        _note_fetch(manual, str(error) if isinstance(error, RepositoryError) else repr(error))
        raise
    _note_fetch(manual, None)
    if manual.repo.remote_reached():  # (a partial clone's texts left out while it was down)
        manual.read_again()
    # Fetched: if the new settings cannot be read, the pages say so, not the hook (a forge
    # told 503 would send the push again, to the same end).
    with contextlib.suppress(ConfigError):
        manual.snapshot()
    return head


class Poller:
    """Fetches the branch every ``seconds`` in a thread of its own (``tracker serve --poll``)."""

    def __init__(self, manual: Manual, seconds: float) -> None:
        self.manual, self.seconds = manual, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tracker-poll", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        failing: str | None = None  # said once while it fails so (--poll 60: 1,440 lines a day)
        while not self._stop.wait(self.seconds):
            try:
                head = refresh(self.manual)
            except Exception as error:  # a network that is down now may be up next time
                if str(error) != failing:
                    log.warning("polling the remote failed: %s", error)
                failing = str(error)
                continue
            if failing is not None:
                log.warning(
                    "polling the remote works again (%s at %s).", self.manual.branch, head[:10]
                )
            failing = None


FETCH_STATE = "fetch.json"  # beside the index: how the last fetch went, for every worker
_SAID: set[str] = set()


def _note_fetch(manual: Manual, error: str | None) -> None:
    """Keep how a fetch went (and since when fetches have failed), written whole at once."""
    folder = cache_folder(manual.repo)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    state: dict[str, Any] = {"ok": True, "at": now}
    if error is not None:
        before = fetch_state(manual) or {}
        since = before.get("failing_since") if before.get("ok") is False else None
        state = {"ok": False, "at": now, "failing_since": since or now, "error": error}
    path = folder / FETCH_STATE
    temporary = folder / f".{FETCH_STATE}.{secrets.token_hex(8)}"
    try:  # (only in a folder of this user's alone, as every cache file: store.reclaimed)
        made_private(folder)
        if not reclaimed(path):
            raise PermissionError("it, or its folder, could be changed by other users")
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW  # (never through a link)
        with os.fdopen(os.open(temporary, flags, 0o600), "w", encoding="utf-8") as out:
            json.dump(state, out)
        temporary.replace(path)
    except OSError as failure:
        with contextlib.suppress(OSError):
            temporary.unlink()
        with contextlib.suppress(OSError):  # (what it said before would be said on: not so)
            if ours_alone(path):
                path.unlink()
        if FETCH_STATE not in _SAID:  # (/healthz then says nothing of fetches: said once)
            _SAID.add(FETCH_STATE)
            log.warning("cannot keep how fetches go in %s (%s).", path, failure)


def fetch_state(manual: Manual, since: datetime | None = None) -> dict[str, Any] | None:
    """How the last fetch (a push webhook's or a poll's) went: ``ok``, ``at``, and when it
    failed, ``error`` and ``failing_since``; None before any (or if it cannot be trusted), or
    before ``since``."""
    path = cache_folder(manual.repo) / FETCH_STATE
    if not present(path) or not ours_alone(path):
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        at = datetime.fromisoformat(found["at"]) if since is not None else None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if at is not None and at.tzinfo is None:
        return None  # (no time zone: not written by a fetch, so not to be trusted)
    if at is not None and since is not None and at < since.replace(microsecond=0):
        return None  # (an earlier run's: a service that no longer fetches said it for ever)
    return found if isinstance(found, dict) else None


STARTED = "TRACKER_WORKER_STARTED"  # when ``tracker serve`` started, for its workers


def started() -> datetime:
    """When this service started: its main process's time, in each of its workers."""
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(os.environ.get(STARTED, ""))
    return datetime.now(UTC)
