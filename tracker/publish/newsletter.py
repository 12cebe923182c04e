"""A release -> the newsletter's "Multi-Agency Procedures update" section (SPEC §5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from jinja2 import TemplateError

from tracker.dates import in_words
from tracker.errors import ConfigError
from tracker.history.releases import Entry, Release
from tracker.manual import Manual
from tracker.publish.templating import template_environment
from tracker.trackchanges.cache import summary_data

FORMATS = ("text", "md", "html", "json")
TEMPLATES = {"text": "newsletter.txt.j2", "md": "newsletter.md.j2", "html": "newsletter.html.j2"}
# (change, type) -> heading, in the order the groups appear.
GROUPS = (
    ("new", "chapter", "New Chapters"),
    ("updated", "chapter", "Updated Chapters"),
    ("new", "guidance", "New Guidance"),
    ("updated", "guidance", "Updated Guidance"),
    ("retired", "chapter", "Withdrawn Chapters"),
    ("retired", "guidance", "Withdrawn Guidance"),
)


@dataclass(frozen=True)
class Item:
    """One line of the section: a document and the notes shown beside its title."""

    id: str
    title: str
    notes: tuple[str, ...]
    url: str
    changes_url: str
    summary: dict[str, Any] | None = None  # what changed, in words and as data (json format)


def newsletter_context(manual: Manual, release: Release, summaries: bool = False) -> dict[str, Any]:
    """Everything a newsletter template may use (with each change's summary, if asked)."""
    site = manual.config.site_url
    groups = []
    for change, kind, heading in GROUPS:
        items = [
            _item(entry, release, site, manual if summaries else None)
            for entry in release.entries
            if entry.change == change and entry.type == kind and not entry.minor
        ]
        if items:
            groups.append({"heading": heading, "change": change, "type": kind, "items": items})
    return {
        "manual": {
            "title": manual.config.title,
            "name": manual.config.name,
            "site_url": site,
            "contents_url": f"{site}/chapters" if site else "",
        },
        "release": {
            "date": release.date.isoformat(),
            "date_words": in_words(release.date),
            "upcoming": release.upcoming,
        },
        "groups": groups,
    }


def _item(entry: Entry, release: Release, site: str, manual: Manual | None) -> Item:
    # Guidance shows its title alone unless an author wrote a Change-Note for it.
    notes = [note.text for note in entry.notes if note.explicit or entry.type != "guidance"]
    path = f"{site}/chapters/{quote(entry.id)}" if site else ""
    before = (release.date - timedelta(days=1)).isoformat()
    changes = f"{path}/diff?from={before}&to={release.date.isoformat()}" if site else ""
    summary = summary_data(manual, entry.before, entry.version) if manual else None
    return Item(entry.id, entry.title, tuple(notes), path, changes, summary)


def render_newsletter(manual: Manual, release: Release, fmt: str = "text") -> str:
    """The section in one of FORMATS, through the manual's templates or ours."""
    context = newsletter_context(manual, release, summaries=fmt == "json")
    if fmt == "json":
        return json.dumps(_jsonable(context), indent=2, ensure_ascii=False) + "\n"
    environment = template_environment(manual.template_files())
    try:
        return environment.get_template(TEMPLATES[fmt]).render(context)
    except (TemplateError, RecursionError) as error:
        reason = error if isinstance(error, TemplateError) else "it includes itself"
        raise ConfigError(f"The newsletter template {TEMPLATES[fmt]} failed: {reason}.") from None


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    groups = [
        {**group, "items": [item.__dict__ for item in group["items"]]}
        for group in context["groups"]
    ]
    return {**context, "groups": groups}
