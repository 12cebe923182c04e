"""Jinja2 for the pages: our templates first, then the GOV.UK Frontend macros."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)

from tracker.dates import in_words
from web.site import Site, View

FOLDER = Path(__file__).parent / "templates"
NAVIGATION = (("home", "Home"), ("contents", "Contents"), ("releases", "Releases"),
              ("search", "Search"))  # (Urls method, label)  # fmt: skip


def _environment() -> Environment:
    environment = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(FOLDER),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["in_words"] = in_words
    environment.filters["short_date"] = short_date
    return environment


def short_date(day: date) -> str:
    """13 November 2024: how GOV.UK pages write a date."""
    return f"{day.day} {day:%B} {day.year}"


templates = Jinja2Templates(env=_environment())


def site(request: Request) -> Site:
    """The service's state."""
    found: Site = request.app.state.site
    return found


def render_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    view: View | None = None,
) -> HTMLResponse:
    """A page with what every page shows: the manual's title, navigation, styles and nonce."""
    view = view or site(request).view()
    shared = {
        "request": request,
        "view": view,
        "manual_title": view.snapshot.config.title,
        "manual_name": view.snapshot.config.name,
        "today": view.today,
        "fixed_today": site(request).fixed_today is not None,
        "navigation": [(getattr(view.urls, page)(), label) for page, label in NAVIGATION],
        # A static export names each page by its own address, and fixes no nonce in a file
        # (its policy lists the hashes of inline scripts instead).
        "current": getattr(request.state, "static_path", request.url.path),
        "nonce": "" if view.exported is not None else getattr(request.state, "nonce", ""),
        "static_site": view.exported is not None,
        "styled": request.app.state.styled,
        "urls": view.urls,
    }
    return templates.TemplateResponse(request, name, {**shared, **context}, status_code=status)
