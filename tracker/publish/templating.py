"""Jinja2 templates: the manual's own (``_templates/``) before the package's, sandboxed."""

from __future__ import annotations

import re

from jinja2 import ChoiceLoader, DictLoader, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


def template_environment(overrides: dict[str, str]) -> SandboxedEnvironment:
    """Templates from the manual's ``_templates/`` first, then the package's."""
    environment = SandboxedEnvironment(
        loader=ChoiceLoader([DictLoader(overrides), PackageLoader("tracker.publish", "templates")]),
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
