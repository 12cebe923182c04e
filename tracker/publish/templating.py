"""Jinja2 templates: the manual's own (``_templates/``) before the package's, sandboxed."""

from __future__ import annotations

import re
from functools import lru_cache

from jinja2 import ChoiceLoader, DictLoader, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


def template_environment(overrides: dict[str, str]) -> SandboxedEnvironment:
    """Templates from the manual's ``_templates/`` first, then the package's: one environment
    per set of templates, kept, so that each template is compiled once (a release feed or a
    static export renders hundreds of newsletter sections with the same templates)."""
    return _environment(tuple(sorted(overrides.items())))


@lru_cache(maxsize=8)
def _environment(overrides: tuple[tuple[str, str], ...]) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=ChoiceLoader(
            [DictLoader(dict(overrides)), PackageLoader("tracker.publish", "templates")]
        ),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    environment.filters["md_escape"] = _md_escape
    return environment


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
