"""A release -> the newsletter's "Multi-Agency Procedures update" section (SPEC §5)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal, get_args

import css_inline
from jinja2.exceptions import SecurityError

from tracker.config import DEFAULT_TITLE, TEMPLATES_FOLDER, Config, NotText
from tracker.dates import in_words
from tracker.errors import NotFoundError
from tracker.history.model import Problem
from tracker.history.releases import Entry, EntryChange, Release
from tracker.history.snapshot import Snapshot
from tracker.history.texts import ended
from tracker.publish.sandbox import Exhausted, rendered
from tracker.publish.templating import (
    TemplateFailure,
    batch,
    failure,
    remember,
    remembered,
    template_environment,
)
from tracker.publish.urls import Exported, Urls
from tracker.publish.views import Summariser

Format = Literal["text", "md", "html", "json"]
FORMATS: tuple[Format, ...] = get_args(Format)
TEMPLATES = {"text": "newsletter.txt.j2", "md": "newsletter.md.j2", "html": "newsletter.html.j2"}
_TEMPLATED: tuple[Format, ...] = ("text", "md", "html")  # (json uses no template)
STYLES = "newsletter.css"  # inlined into the html format; a manual may override it too
# Never fetch a stylesheet a template links to: rendering makes no request of its own.
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_link_tags=False)
INLINED_AT_MOST = 10_000_000  # style rules times elements to inline (about a second)
# (change, type) -> heading, in the order the groups appear.
GROUPS: tuple[tuple[EntryChange, str, str], ...] = (
    ("new", "chapter", "New Chapters"),
    ("updated", "chapter", "Updated Chapters"),
    ("new", "guidance", "New Guidance"),
    ("updated", "guidance", "Updated Guidance"),
    ("withdrawn", "chapter", "Withdrawn Chapters"),
    ("withdrawn", "guidance", "Withdrawn Guidance"),
)


@dataclass(frozen=True)
class Item:
    """One line of the section: a document and the notes shown beside its title (several
    each end as a sentence does, so that a template may join them with a space)."""

    id: str
    title: str
    notes: tuple[str, ...]
    url: str
    changes_url: str
    summary: dict[str, Any] | None = None  # what changed, in words and as data (json format)


@dataclass(frozen=True)
class Group:
    """The items of one heading ("New Chapters"). Not a dict: a template's ``group.items``
    would be the dict's own method, which failed with "'builtin_function_or_method' object is
    not iterable" (exploratory testing); ``group["items"]`` reads it too, as Jinja2 reads
    what has no such key by its attribute."""

    heading: str
    change: str
    type: str
    items: list[Item]


def newsletter_context(
    snapshot: Snapshot,
    release: Release,
    today: date,
    summarise: Summariser | None = None,
    site_url: str | None = None,
    exported: Exported | None = None,
) -> dict[str, Any]:
    """Everything a newsletter template may use (with each change's summary, given a summariser).

    Links are absolute, from the manual's ``site_url`` (or the ``site_url`` given instead).
    """
    site = snapshot.config.site_url if site_url is None else site_url
    urls = Urls(site, exported, snapshot.clashing)
    groups = []
    for change, kind, heading in GROUPS:
        items = [
            _item(entry, release, urls, summarise)
            for entry in release.entries
            if entry.change == change and entry.type == kind and not entry.minor
        ]
        if items:
            groups.append(Group(heading, change, kind, items))
    return {
        "manual": {
            "title": snapshot.config.title,
            "name": snapshot.config.name,
            **names(snapshot.config),
            "site_url": urls.site_url,
            "contents_url": urls.contents() if urls.absolute else "",
        },
        "release": {
            "date": release.date.isoformat(),
            "date_words": in_words(release.date),
            "upcoming": release.is_upcoming(today),
        },
        "groups": groups,
    }


def names(config: Config) -> dict[str, str]:
    """How the section's sentences name the manual: "the DSCP website", "provided by DSCP".

    A manual that names itself in manual.toml is called by its short name, else its title; one
    that does not (no manual.toml) is "the procedures website", "provided by the partnership".
    """
    if config.short_name or config.title != DEFAULT_TITLE:
        return {"website": f"the {config.name} website", "provider": config.name}
    return {"website": "the procedures website", "provider": "the partnership"}


def _item(entry: Entry, release: Release, urls: Urls, summarise: Summariser | None) -> Item:
    # Guidance shows its title alone unless an author wrote a Change-Note for it.
    notes = [note.text for note in entry.notes if note.explicit or entry.type != "guidance"]
    if len(notes) > 1:  # (each its own sentence, to be joined: "Fix typo. Update the number.")
        notes = [ended(text) for text in notes]
    page = (urls.chapter(entry.id) or "") if urls.absolute else ""  # ("": no link to it)
    changes = urls.release_diff(entry.id, release.date) if urls.absolute else ""
    summary = summarise(entry.before, entry.version) if summarise else None
    return Item(entry.id, entry.title, tuple(notes), page, changes, summary)


def render_newsletter(
    snapshot: Snapshot,
    release: Release,
    today: date,
    fmt: Format,
    *,
    templates: Mapping[str, str],
    summarise: Summariser | None,
    site_url: str | None = None,
    exported: Exported | None = None,
) -> str:
    """The section in one of FORMATS, through the manual's ``templates`` (by file name) or ours.

    JSON carries each entry's summary of what changed when given a ``summarise``; with
    ``exported``, links are a static export's addresses (see ``Urls``).
    """
    if fmt == "json":
        context = newsletter_context(snapshot, release, today, summarise, site_url, exported)
        return json.dumps(_jsonable(context), indent=2, ensure_ascii=False) + "\n"
    context = newsletter_context(snapshot, release, today, site_url=site_url, exported=exported)
    folder = snapshot.root.join(TEMPLATES_FOLDER)
    environment = template_environment(dict(templates), folder)
    if (spent := remembered(environment)) is not None:  # (they ran out of time before)
        raise spent
    name = TEMPLATES[fmt]
    try:  # a manual's own template: any failure is the template's, named where it failed
        text = rendered(environment, name, context)
        if fmt == "html":  # email clients keep inline styles only
            name = STYLES
            styles = rendered(environment, STYLES)
            text = _INLINER.inline_fragment(text, _inlinable(text, styles))
    except Exception as error:  # (RecursionError too: a template that includes itself)
        failed = failure(error, folder, f"{folder}/{name}" if name in templates else name)
        if isinstance(error, Exhausted):  # (it would take as long again)
            remember(environment, failed)
        raise failed from None
    return text


def _inlinable(text: str, styles: str) -> str:
    """The styles, if inlining them is bounded: the inliner matches each rule against each
    element (25,000 of each took 52 s, outside the rendering's bounds; review), where a
    newsletter has a few hundred elements and rules."""
    elements, rules = text.count("<"), styles.count("{")
    if elements * rules > INLINED_AT_MOST:
        raise SecurityError(
            f"its {rules:,} style rules for {elements:,} elements are too many to inline "
            f"(at most {INLINED_AT_MOST:,} of one for each of the other)"
        )
    return styles


def template_problems(
    snapshot: Snapshot, today: date, read: Callable[[], Mapping[str, str]], tried: bool = True
) -> list[Problem]:
    """What ``tracker newsletter`` would refuse, for ``tracker check``: a template of the
    manual's own that is not UTF-8 text, else each that cannot be compiled (whether used or
    not), then (if ``tried``) each failure writing the newsletter of the next release (else the
    latest) in each format (no summaries, no git: as cheap as one newsletter). ``read``: the
    templates."""
    try:
        templates = read()
    except NotText as error:
        where = snapshot.root.relative(error.name) or error.name
        message = f"is not UTF-8 text (line {error.line}), so no newsletter can be written"
        return [Problem("error", where, message, rule="newsletter-template", line=error.line)]
    folder = snapshot.root.join(TEMPLATES_FOLDER)
    environment = template_environment(dict(templates), folder)
    failures: list[tuple[TemplateFailure, str]] = []
    for name in sorted(templates):
        if name.endswith(".j2") or name == STYLES:  # (other files only if included)
            try:
                environment.get_template(name)
            except Exception as error:
                failures.append((failure(error, folder, f"{folder}/{name}"), ""))
    try:
        release = snapshot.default_release(today) if templates and tried else None
    except NotFoundError:  # no release yet: nothing to write
        release = None
    with batch():  # (a format that ran out of time: the others say so at once)
        for fmt in _TEMPLATED if release is not None else ():
            assert release is not None
            try:
                render_newsletter(
                    snapshot, release, today, fmt, templates=templates, summarise=None
                )
            except TemplateFailure as failed:
                failures.append((failed, f" writing the newsletter of {in_words(release.date)}"))
    problems: dict[tuple[str, int | None, str], Problem] = {}
    for found, writing in failures:
        where = snapshot.root.relative(found.file) or found.file
        at = f" at line {found.line}" if found.line else ""
        what = f"cannot be compiled{at}" if found.compiling else f"fails{at}{writing}"
        problem = Problem("error", where, f"{what}: {found.reason}", rule="newsletter-template",
                          line=found.line)  # fmt: skip
        problems.setdefault((where, found.line, found.reason), problem)
    return list(problems.values())


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    return {**context, "groups": [asdict(group) for group in context["groups"]]}
