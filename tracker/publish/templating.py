"""Jinja2 templates: the manual's own (``_templates/``) before the package's, sandboxed."""

from __future__ import annotations

import posixpath
import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
)

from tracker.errors import ConfigError
from tracker.publish.sandbox import Bounded

OURS = Path(__file__).parent / "templates"  # the package's templates (PackageLoader's files)


def template_environment(overrides: dict[str, str], folder: str = "") -> Bounded:
    """Templates from the manual's ``_templates/`` first, then the package's: one environment
    per set of templates, kept, so that each template is compiled once (a release feed or a
    static export renders hundreds of newsletter sections with the same templates).
    ``folder``: the manual's templates folder in the repository, to name its files in errors."""
    return _environment(tuple(sorted(overrides.items())), folder)


@lru_cache(maxsize=8)
def _environment(overrides: tuple[tuple[str, str], ...], folder: str) -> Bounded:
    environment = Bounded(
        loader=ChoiceLoader(
            [_Overrides(dict(overrides), folder), PackageLoader("tracker.publish", "templates")]
        ),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    environment.filters["md_escape"] = _md_escape
    return environment


# The failures out of time or steps of the renderings in a batch (``batch``), by their
# templates (an environment per set of templates): None outside one.
_spent: ContextVar[dict[int, tuple[Bounded, TemplateFailure]] | None] = ContextVar(
    "spent", default=None
)


@contextmanager
def batch() -> Iterator[None]:
    """Renderings that, once one of them ran out of its time with a set of templates
    (``sandbox.Exhausted``: ten seconds, where a newsletter takes milliseconds), fail at once
    with the same templates, saying the same: a release feed renders fifty newsletters, a
    static copy hundreds, ``tracker check`` one in each format; without this a slow template
    took its time for each. Running out of loops' steps is not remembered: it can depend on
    the release (loops over its entries), and each release is written on its own merits. Only
    within the batch: another rendering (a page asking for one newsletter) tries again."""
    token = _spent.set({})
    try:
        yield
    finally:
        _spent.reset(token)


def remember(environment: Bounded, failed: TemplateFailure) -> None:
    """Within a batch, remember that a rendering with these templates ran out (``batch``)."""
    spent = _spent.get()
    if spent is not None:
        spent[id(environment)] = (environment, failed)  # (kept alive: its id stays its own)


def remembered(environment: Bounded) -> TemplateFailure | None:
    """The failure ``remember`` kept for these templates in this batch, as a new exception."""
    found = (_spent.get() or {}).get(id(environment))
    if found is None:
        return None
    failed = found[1]
    return TemplateFailure(failed.file, failed.line, failed.reason, failed.compiling)


class _Overrides(BaseLoader):
    """The manual's templates, each given its path in the repository as its file name: Jinja
    names the file and line of an error with it (a DictLoader's templates have none)."""

    def __init__(self, mapping: dict[str, str], folder: str) -> None:
        self.mapping, self.folder = mapping, folder

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template not in self.mapping:
            raise TemplateNotFound(template)
        return self.mapping[template], posixpath.join(self.folder, template), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.mapping)


class TemplateFailure(ConfigError):
    """A template that cannot be compiled (``compiling``) or fails as it renders: the file at
    fault (the manual's by its path in the repository, ours by name), its line, and why."""

    def __init__(self, file: str, line: int | None, reason: str, compiling: bool) -> None:
        at = f" at line {line}" if line else ""
        super().__init__(f"The newsletter template {file} failed{at}: {reason}.")
        self.file, self.line, self.reason, self.compiling = file, line, reason, compiling


def failure(error: Exception, folder: str, fallback: str) -> TemplateFailure:
    """Where and why a template failed: the file and line Jinja names for a syntax error
    (an unknown filter is one), else the innermost line of the manual's templates (else of
    ours) the traceback passes through, which is the partial at fault rather than the template
    that included it (``folder``: the manual's templates folder; ``fallback``: the file named
    when no template line is known)."""
    if isinstance(error, TemplateSyntaxError):
        file = error.filename or error.name or fallback
        return TemplateFailure(_shown(file), error.lineno, _reason(error), compiling=True)
    manual: tuple[str, int | None] | None = None
    ours: tuple[str, int | None] = (fallback, None)
    for frame, lineno in traceback.walk_tb(error.__traceback__):  # (no source lines read)
        name = frame.f_code.co_filename  # Jinja rewrites template frames to the template's
        if name.startswith(folder + "/"):
            manual = (name, lineno)
        elif Path(name).parent == OURS:
            ours = (name, lineno)
    file, line = manual or ours  # (only the manual's can be mended by its authors)
    return TemplateFailure(_shown(file), line, _reason(error), compiling=False)


def _shown(file: str) -> str:
    """A template's file as an error names it: ours by its name, the manual's by its path."""
    path = Path(file)
    return path.name if path.parent == OURS else file


def _reason(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return (
            "it includes or calls itself without end "
            "(a template or a macro, directly or through another)"
        )
    if isinstance(error, TemplateNotFound):
        return f"there is no template named {error.name!r}"
    text = error.message if isinstance(error, TemplateSyntaxError) else str(error)
    return (text or "").rstrip(".") or type(error).__name__


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
