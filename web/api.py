"""The JSON API (SPEC §8): the same shapes as the command line's JSON, described by OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from tracker.dates import parse_date
from tracker.errors import InputError, NotFoundError
from tracker.history.snapshot import API_PAGES, NotYetInForce
from tracker.publish import views
from web import apischema, newsletters
from web.pages import (
    FROM,
    TO,
    check_id,
    compared,
    document_for,
    moved_to,
    release_on,
)
from web.rendering import current_view
from web.site import View


class Problem(BaseModel):
    """What an error answers: one sentence."""

    error: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "A malformed id, date, ref or format"},
    404: {"model": Problem, "description": "A well-formed id, date or ref that names nothing"},
    503: {"model": Problem, "description": "The manual cannot be read"},
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def get(path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """A GET route that answers HEAD as GET does (as every page does), whether or not its
    answer is kept (``pagecache``); HEAD is left out of the API's description, which has one
    operation for each address (as for ``/healthz``)."""

    def route(endpoint: Endpoint) -> Endpoint:
        router.get(path, **options)(endpoint)
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **options)
        return endpoint

    return route


def answers(model: Any, description: str) -> dict[int | str, dict[str, Any]]:
    """A route's 200 answer as OpenAPI describes it (``apischema``): the route returns its
    answer as it always has (``response_model=None``: not validated or serialised through the
    model, which describes it only)."""
    return {200: {"model": model, "description": description}}


# The most changes whose summaries one request may ask for: each may need a diff worked out
# (cold, 5 to 150 ms a change), and anyone may ask (docs/operators.md, "The JSON API").
SUMMARIES_AT_ONCE = 200
SINCE = Query(None, description="only releases on or after this date (YYYY-MM-DD)")
UNTIL = Query(None, description="only releases on or before this date (YYYY-MM-DD)")


@get("/releases", response_model=None, responses=answers(apischema.Releases, "The releases"))
def releases(
    request: Request,
    summaries: bool = False,
    since: str | None = SINCE,
    until: str | None = UNTIL,
) -> dict[str, Any]:
    """Every release, oldest first, or those from `since` to `until` (both kept).

    With `summaries`, each entry also says what changed in it; these are given for at most
    200 changes at a time (each may need a diff worked out): a longer span answers 400,
    saying how to narrow it.
    """
    view = current_view(request)
    first, last = _day(since, "since date"), _day(until, "until date")
    if first and last and first > last:
        raise InputError(f"The since date {since} is after the until date {until}.")
    chosen = [
        r
        for r in view.snapshot.releases
        if (first is None or r.date >= first) and (last is None or r.date <= last)
    ]
    summarise = None
    if summaries:
        changes = sum(len(r.entries) for r in chosen)
        if changes > SUMMARIES_AT_ONCE:
            raise InputError(
                f"Summaries are given for at most {SUMMARIES_AT_ONCE} changes at a time, and "
                f"these releases hold {changes:,}: narrow them with since= and until=, or ask "
                "for one release at /api/releases/{date}."
            )
        pairs = [(entry.before, entry.version) for r in chosen for entry in r.entries]
        summarise = view.manual.differ.summariser(pairs)
    return {"releases": [views.release_json(r, view.today, summarise) for r in chosen]}


@get(
    "/releases/{day}",
    response_model=None,
    responses=answers(apischema.SummarisedRelease, "The release, each entry summarised"),
)
def release(request: Request, day: str) -> dict[str, Any]:
    """One release and its entries, each with what changed in it."""
    view = current_view(request)
    release = release_on(view, day, page=False)
    changes = [(entry.before, entry.version) for entry in release.entries]
    return views.release_json(release, view.today, view.manual.differ.summariser(changes))


@get(
    "/releases/{day}/newsletter",
    response_model=None,
    responses=answers(apischema.Newsletter, "The newsletter section as data"),
)
def newsletter(request: Request, day: str) -> dict[str, Any]:
    """The release's newsletter section as data, with the summary of each change."""
    view = current_view(request)
    release = release_on(view, day, page=False)
    data: dict[str, Any] = json.loads(
        newsletters.render(view, release, "json", str(request.base_url))
    )
    return data


def address_clash(view: View, ident: str) -> dict[str, str] | None:
    """What a listed document's address answers instead of it: another document's page (its
    id is that document's address plus ``/history`` or ``/diff``: ``Snapshot.clashing``; the
    API has no feed, so ``/api/chapters/a/feed.atom`` is the document ``a/feed.atom``)."""
    found = view.snapshot.clashing.get(ident)
    return {"id": found[0], "page": found[1]} if found and found[1] in API_PAGES else None


def also_named(view: View, ident: str, page: str, answer: dict[str, Any]) -> dict[str, Any]:
    """A document's history or diff, saying so when its address is also the id of another
    document (which this address cannot answer: ``address_clash`` lists it so)."""
    if f"{ident}/{page}" in view.snapshot.clashing:
        answer["address_clash"] = {"id": f"{ident}/{page}"}
    return answer


@get("/chapters", response_model=None, responses=answers(apischema.Chapters, "The documents"))
def chapters(request: Request) -> dict[str, Any]:
    """Every document in table-of-contents order, with the version in force today.

    `address_clash` is null, or for a document whose id is another's address plus `/history`
    or `/diff` (an error of `tracker check`: address-clash) that other page, `{"id", "page"}`:
    `/api/chapters/{id}` answers with that page, never this document, as the website does; its
    own history and diffs have addresses of their own (`/api/chapters/{id}/history`).
    """
    view = current_view(request)
    found = []
    for document in view.snapshot.documents:
        version = document.shown_on(view.today)
        found.append(
            {
                "id": document.id,
                "title": (version or document.latest).title,
                "type": (version or document.latest).type,
                "section": (version or document.latest).meta.section,
                "withdrawn": version is not None and version.withdrawn,
                "in_force": views.version_json(version) if version else None,
                "address_clash": address_clash(view, document.id),
            }
        )
    return {"chapters": found}


@get(
    "/chapters/{ident:path}/history",
    response_model=None,
    responses=answers(
        apischema.History | apischema.ChapterText,
        "The history; for a document whose own id is this address, that document (as for "
        "`/api/chapters/{id}`)",
    ),
)
def history(request: Request, ident: str) -> dict[str, Any] | RedirectResponse:
    """A document's versions, oldest first, each with what it changed, and `left_out`: the
    versions that could not be read (`committed`, `file`, `reason`), which are not published.

    Where another document's id is this address (`{id}/history`: address-clash), the answer
    is still this document's history, with `address_clash`: `{"id"}` of the other.
    """
    view = current_view(request)
    document = document_for(view, ident, "history")
    if document is None:  # the chapter whose own id ends in /history
        return chapter(request, f"{ident}/history", request.query_params.get("at"))
    summarise = view.manual.differ.summariser(document.changes)
    found = views.history_json(document, summarise, view.snapshot)
    return also_named(view, ident, "history", found)


@get(
    "/chapters/{ident:path}/diff",
    response_model=None,
    responses=answers(
        apischema.Diff | apischema.ChapterText,
        "The diff; for a document whose own id is this address, that document (as for "
        "`/api/chapters/{id}`)",
    ),
)
def diff(
    request: Request,
    ident: str,
    start: str | None = FROM,
    end: str | None = TO,
    source: bool = False,
) -> dict[str, Any] | RedirectResponse:
    """What changed between two versions, as the command line's ``diff --format json``.

    Where another document's id is this address (`{id}/diff`: address-clash), the answer is
    still this document's diff, with `address_clash`: `{"id"}` of the other.
    """
    view = current_view(request)
    document = document_for(view, ident, "diff")
    if document is None:  # the chapter whose own id ends in /diff
        return chapter(request, f"{ident}/diff", request.query_params.get("at"))
    before, after = compared(view, document, start, end)
    body = json.loads(view.manual.differ.view(before, after, "source-json" if source else "json"))
    return also_named(view, ident, "diff", views.diff_json(document, before, after, body, start))


@get(
    "/chapters/{ident:path}",
    response_model=None,
    responses=answers(apischema.ChapterText, "The document's version and its Markdown"),
)
def chapter(
    request: Request, ident: str, at: str | None = None
) -> dict[str, Any] | RedirectResponse:
    """A document's version in force today (or on ``at``), with its Markdown.

    With `at`, the id names the document that had it on that day (a case note cites an id
    as it was): when that document has another id now, the answer is a redirect (302) to
    its own address for the day. A date before the document's first version went live
    answers 404, as its page does and as `tracker show --at` refuses it; so does any date
    for a document withdrawn before it ever went live. Without `at`, a document that goes
    live later (none of its versions in force today) answers with `version` and `markdown`
    null.
    """
    view = current_view(request)
    asked = _day(at, "date")
    if asked is None:  # (a former id answers as the chapter's own: a document, not a page)
        document = view.snapshot.document(check_id(ident))
    else:  # (as the page: the document that had the id that day, sent on at most once)
        found = moved_to(view.snapshot, check_id(ident), asked)
        if isinstance(found, str):
            return RedirectResponse(view.urls.api_chapter(found, asked), status_code=302)
        document = found
    day = asked or view.today
    version = document.shown_on(day)
    never = views.never_said(document, view.today) if asked is not None else None
    if never is not None:  # (as tracker show --at says it; the page, in words)
        raise NotFoundError(never)
    if version is None and asked is not None:
        raise NotYetInForce(document, asked)
    return {
        "id": document.id,
        "date": day.isoformat(),
        "version": views.version_json(version) if version else None,
        "markdown": view.manual.texts.of(version) if version else None,
    }


def _day(text: str | None, what: str) -> date | None:
    """A date a query gives, None when it gives none: an empty one is a malformed date, as the
    command line says (a page's form reads it as none); a partner's system that built
    ``?at=${incident_date}`` with nothing in it was given today's version (exploratory testing
    of the service's clients)."""
    return parse_date(text, what) if text is not None else None
