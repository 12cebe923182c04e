"""Jinja2 templates: the manual's own (``_templates/``) before the package's, sandboxed."""

from __future__ import annotations

import posixpath
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, safe_range

from tracker.errors import ConfigError

OURS = Path(__file__).parent / "templates"  # the package's templates (PackageLoader's files)
# What one rendering may make: the sandbox stops a template from running code, not from
# using time or memory. A newsletter section is a few kilobytes; these are far beyond any
# template's need and far below what would tie up or exhaust a service that renders them.
LARGEST = 2_000_000  # characters written, and items or characters a '*' may make
LARGEST_BITS = 100_000  # of a whole number '*' or '**' makes (10 ** 30000)
STEPS = 1_000_000  # numbers all the range() loops of one rendering may go through
_steps: ContextVar[list[int]] = ContextVar("steps")
_FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0-9.*]*")  # a '%' conversion's flags and sizes


def template_environment(overrides: dict[str, str], folder: str = "") -> SandboxedEnvironment:
    """Templates from the manual's ``_templates/`` first, then the package's: one environment
    per set of templates, kept, so that each template is compiled once (a release feed or a
    static export renders hundreds of newsletter sections with the same templates).
    ``folder``: the manual's templates folder in the repository, to name its files in errors."""
    return _environment(tuple(sorted(overrides.items())), folder)


def rendered(
    environment: SandboxedEnvironment, name: str, context: Mapping[str, Any] | None = None
) -> str:
    """The template rendered within the bounds above: past one, a SecurityError (which
    ``failure`` names as the template's)."""
    token = _steps.set([STEPS])
    try:
        written, parts = 0, []
        for part in environment.get_template(name).generate(context or {}):
            written += len(part)
            if written > LARGEST:
                raise SecurityError(f"it writes more than {LARGEST:,} characters")
            parts.append(part)
        return "".join(parts)
    finally:
        _steps.reset(token)


class _Bounded(SandboxedEnvironment):
    """Jinja2's sandbox, with what '*', '**' and '+' make bounded, the filters that make text
    of a width they are given bounded, and range()'s numbers counted as loops go through them.
    Not bounded: '~' (Jinja2 joins its texts in code of its own), so a text doubled in a loop
    can still grow (up to STEPS times)."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _counted_range
        self.globals["lipsum"] = _no_lipsum
        for name in ("center", "indent", "format", "wordwrap", "truncate"):
            self.filters[name] = _sized(name, self.filters[name])

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _whole(left) and _whole(right):
            if right > 0 and max(1, abs(left).bit_length()) * right > LARGEST_BITS:
                raise SecurityError(f"{left} ** {right} is too large a number")
        elif operator == "*" and _whole(left) and _whole(right):
            if abs(left).bit_length() + abs(right).bit_length() > LARGEST_BITS:
                raise SecurityError("the product is too large a number")
        elif operator == "*":
            count, made = (left, right) if _whole(left) else (right, left)
            if _whole(count) and hasattr(made, "__len__") and len(made) * count > LARGEST:
                raise SecurityError(f"it repeats a value {count:,} times, too large to make")
        elif operator == "+" and _long(left, right):
            raise SecurityError(f"it joins values into more than {LARGEST:,} items")
        return super().call_binop(context, operator, left, right)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _long(left: Any, right: Any) -> bool:
    """Whether two texts or lists joined would be more than LARGEST long."""
    sized = hasattr(left, "__len__") and hasattr(right, "__len__")
    return sized and len(left) + len(right) > LARGEST


def _sized(name: str, made: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose numbers (a width, a length) and format (``%3000000000s``) are bounded."""

    def bounded(*values: Any, **options: Any) -> Any:
        numbers = [v for v in (*values[1:], *options.values()) if _whole(v)]
        if name == "format" and isinstance(values[0], str):
            specs = "".join(_FORMAT_SPEC.findall(values[0]))  # (widths, not the text's numbers)
            numbers += [int(n) for n in re.findall(r"[0-9]+", specs)]
        if any(abs(number) > LARGEST for number in numbers):
            raise SecurityError(f"its {name} filter is given a number over {LARGEST:,}")
        return made(*values, **options)

    bounded.__name__ = name
    if getattr(made, "jinja_pass_arg", None) is not None:  # (it takes the environment first)
        bounded.jinja_pass_arg = made.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def _no_lipsum(*_: Any, **__: Any) -> str:
    raise SecurityError("lipsum() is not for a newsletter")


class _Counted:
    """Jinja2's sandboxed range (at most 100,000 numbers) whose numbers count against the
    rendering's STEPS each time a loop (or a filter) goes through them."""

    def __init__(self, numbers: range) -> None:
        self._numbers = numbers

    def __iter__(self) -> Iterator[int]:
        budget = _steps.get(None)
        if budget is not None:
            budget[0] -= len(self._numbers)
            if budget[0] < 0:
                raise SecurityError(f"its loops go through more than {STEPS:,} numbers")
        return iter(self._numbers)

    def __reversed__(self) -> Iterator[int]:
        return reversed(list(self))

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: int) -> int:
        return self._numbers[index]

    def __contains__(self, value: object) -> bool:
        return value in self._numbers


def _counted_range(*bounds: int) -> _Counted:
    return _Counted(safe_range(*bounds))


@lru_cache(maxsize=8)
def _environment(overrides: tuple[tuple[str, str], ...], folder: str) -> SandboxedEnvironment:
    environment = _Bounded(
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
        return "it includes itself (directly or through another template)"
    if isinstance(error, TemplateNotFound):
        return f"there is no template named {error.name!r}"
    text = error.message if isinstance(error, TemplateSyntaxError) else str(error)
    return (text or "").rstrip(".") or type(error).__name__


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
