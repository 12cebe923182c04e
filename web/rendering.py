"""Jinja2 for the pages: our templates first, then the GOV.UK Frontend macros."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from tracker.dates import short_date
from tracker.errors import InputError
from tracker.history.texts import ended
from tracker.index.store import cache_folder, claimed, made_private, ours_alone
from tracker.logs import Logger
from tracker.manual import Manual
from tracker.publish.contents import sentences
from web.site import Site, View

log = Logger("tracker.web")  # (under "tracker": the command line's handler says it)
FOLDER = Path(__file__).parent / "templates"
_TABLE = re.compile(r"<table\b[^>]*>|</table>")
# A word longer than a table's column is on a phone (an address a change note cites).
_LONG_WORD = re.compile(r"\S{21,}")
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
    environment.filters["short_date"] = short_date
    environment.globals["short_date"] = short_date
    environment.filters["sentences"] = sentences
    environment.filters["ended"] = ended  # (a text as a sentence)
    environment.filters["long_words"] = long_words
    return environment


def long_words(text: str) -> Markup:
    """``text`` escaped, each word in it longer than a table's column on a phone in a span
    that may break anywhere (app.scss): a column of a table is then as wide as its other words
    ask, not as the long word (which made the release page's table 553 pixels wide at 320)."""
    return Markup(  # noqa: S704 (escaped first; the span is ours)
        _LONG_WORD.sub(
            lambda word: f'<span class="app-long-word">{word.group()}</span>', str(escape(text))
        )
    )


templates = Jinja2Templates(env=_environment())


def site(request: Request) -> Site:
    """The service's state."""
    found: Site = request.app.state.site
    return found


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def current_view(request: Request) -> View:
    """What a request reads: the view the page cache keyed it by (so that the answer kept is
    the one its key names, even when a commit lands meanwhile), else the site's now. An
    address holding a control character is refused (400): a route's pattern reads a line feed
    at its end as no part of it (``/chapters/a%0a`` was ``/chapters/a``'s page)."""
    plain_address(request)
    pinned: View | None = getattr(request.state, "view", None)
    return pinned if pinned is not None else site(request).view()


def plain_address(request: Request) -> None:
    """Refuse (400) an address holding a control character, once: the page saying so asks for
    the view again."""
    if _CONTROL.search(request.scope.get("path", "")) and not getattr(
        request.state, "refused", False
    ):
        request.state.refused = True
        raise InputError("An address cannot hold a control character.")


def keep_compiled_templates(manual: Manual) -> None:
    """Keep the templates compiled beside the manual's index, so that a new process does not
    compile them again for its first pages (about 0.5 s; jinja2 checks each against its
    source and the Python version)."""
    folder = cache_folder(manual.repo) / "templates"
    templates.env.bytecode_cache = QuietBytecodeCache(folder)


class QuietBytecodeCache(FileSystemBytecodeCache):
    """Compiled templates in a folder; one that cannot be read or written is compiled anew.
    Compiled templates are code: they are read and written only where no other user could have
    put a file (``store.ours_alone``), else compiled each time."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def _ours(self, bucket: Bucket) -> bool:
        claimed(self.folder)  # (one an older version left group-writable)
        name = Path(self._get_cache_filename(bucket))
        return ours_alone(self.folder) and ours_alone(name)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            if self._ours(bucket):
                super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            made_private(self.folder)
            if self._ours(bucket):
                super().dump_bytecode(bucket)
        except OSError as error:
            log.debug("compiled templates not kept in %s: %s", self.folder, error)


def render_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    view: View | None = None,
) -> HTMLResponse:
    """A page with what every page shows: the manual's title, navigation, styles and nonce."""
    view = view or current_view(request)
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


def scrolling_tables(fragment: str) -> str:
    """A chapter's tables each in a box that scrolls sideways on a narrow screen rather than
    the page (WCAG 1.4.10), which a keyboard can scroll too: focusable, and named as a region
    (``fragment``: sanitised HTML, whose text holds no ``<``)."""
    count = 0

    def wrapped(tag: re.Match[str]) -> str:
        nonlocal count
        if tag.group(0) == "</table>":
            return "</table></div>"
        count += 1
        return (
            f'<div class="app-table-scroll" role="region" tabindex="0" aria-label="Table {count}">'
            + tag.group(0)
        )

    return _TABLE.sub(wrapped, fragment)
