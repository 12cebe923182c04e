"""The sandbox newsletter templates render in: Jinja2's, which stops a template from running
code, bounded in the memory and loops a rendering may use (a manual's own templates are
written by whoever may push to its `_templates/`)."""

from __future__ import annotations

import time
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from contextvars import ContextVar
from typing import Any, TypeGuard

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import (
    SandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
    safe_range,
)
from jinja2.utils import Namespace
from markupsafe import Markup

from tracker.publish import sizes

# What one rendering may make: Jinja2's sandbox stops a template from running code, not from
# using time or memory. A newsletter section is a few kilobytes; these are far beyond any
# template's need and far below what would tie up or exhaust a service that renders them.
LARGEST = 2_000_000  # characters written, and items or characters a '*' may make
LARGEST_BITS = 100_000  # of a whole number '*' or '**' makes (10 ** 30000)
STEPS = 1_000_000  # numbers or items all the loops of one rendering may go through
WRAPPED_AT_MOST = 100_000  # characters the wordwrap filter wraps (a newsletter's paragraphs)
SECONDS = 10.0  # one rendering takes (a newsletter section takes a few milliseconds)
# (steps left, the deadline, characters written)
_steps: ContextVar[list[float]] = ContextVar("steps")


def rendered(
    environment: SandboxedEnvironment, name: str, context: Mapping[str, Any] | None = None
) -> str:
    """The template rendered within the bounds above: past one, a SecurityError (which
    ``failure`` names as the template's), ``Exhausted`` past its time."""
    token = _steps.set([STEPS, time.monotonic() + SECONDS, 0])
    try:
        written, parts = 0, []
        for part in environment.get_template(name).generate(context or {}):
            written += len(part)  # (as ``Bounded.written`` counts: this in case it cannot)
            if written > LARGEST:
                raise SecurityError(_WRITES)
            parts.append(part)
        return "".join(parts)
    finally:
        _steps.reset(token)


class Exhausted(SecurityError):
    """A rendering that ran out of its time: one that would take as long again, however busy
    the machine (a newsletter takes milliseconds of its ten seconds; ``templating.batch``).
    Running out of loops' steps is not this: it can depend on the release."""


_WRITES = f"it writes more than {LARGEST:,} characters"


class _BoundedCode(CodeGenerator):
    """Jinja2's code for templates, with each text '~' joins checked (it joins in code of its
    own, which no method of the environment sees), and what each template writes counted where
    it writes it (so that a partial writing too much is named with its line)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.made(")
        super().visit_Concat(node, frame)
        self.write(")")

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        """Each loop's items counted as it goes through them (``counted``)."""
        counted = nodes.EnvironmentAttribute("counted", lineno=node.lineno)
        node.iter = nodes.Call(counted, [node.iter], [], None, None, lineno=node.lineno)
        node.iter.set_environment(self.environment)
        super().visit_For(node, frame)

    # Each text written counted, into the output or into a macro's or a {% set %} block's text,
    # so that no block makes more than LARGEST either (a macro's text written out counts again).

    def _output_const_repr(self, group: Any) -> str:
        return f"environment.written({super()._output_const_repr(group)})"

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.written(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")


class Bounded(SandboxedEnvironment):
    """Jinja2's sandbox, with what '*', '**', '+', '%' and '~' make bounded, what each filter
    and each method of a text makes bounded (and, where one value could make another millions
    of times its size, what it would make, before it is made: '%' and format() by their widths,
    precisions and fields), and range()'s numbers counted as loops go through them. A value is
    refused once made past LARGEST, so most are made at most twice its size; a filter that
    escapes each character (``urlencode``, ``tojson``) may make up to a dozen times, once."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BoundedCode

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _counted_range
        self.globals["lipsum"] = _no_lipsum
        for name in list(self.filters):
            self.filters[name] = _sized(name, self.filters[name])

    @staticmethod
    def counted(items: Any) -> Any:
        """A loop's items, each counted against the rendering's STEPS (a range's numbers are
        counted as it is gone through), with its time checked."""
        return items if isinstance(items, _Counted) else _each_counted(items)

    @staticmethod
    def written(text: str) -> str:
        """A text a template writes, counted against the rendering's LARGEST."""
        budget = _steps.get(None)
        if budget is not None:
            budget[2] += len(text)
            if budget[2] > LARGEST:
                raise SecurityError(_WRITES)
        return text

    @staticmethod
    def made(value: Any) -> Any:
        """A value a template made, refused when it is larger than LARGEST (``_weight``)."""
        _tick(0)
        if _weight(value) > LARGEST:
            raise SecurityError(f"it makes a value of more than {LARGEST:,} items or characters")
        return value

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):  # (a method of a text: '"a".ljust(10**9)')
            name = getattr(__obj, "__name__", "")
            if name == "join" and args:  # (gone through once, weighed, then joined)
                args = (list(_Weighed(args[0])), *args[1:])
            _refuse_large(f"its {name}()", owner, f"str.{name}", args, kwargs)
        return __self.made(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """A text's format() or format_map() (``_Formatter``), as Jinja2's sandbox wraps them."""
        if super().wrap_str_format(value) is None:  # (not a text's)
            return None
        text, by_name = value.__self__, value.__name__ == "format_map"
        formatter = (
            _EscapeFormatter(self, escape=text.escape)
            if isinstance(text, Markup)
            else _Formatter(self)
        )

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if by_name and (kwargs or len(args) != 1):
                raise TypeError("format_map() takes exactly one argument")
            args, kwargs = ((), args[0]) if by_name else (args, kwargs)
            return type(text)(formatter.vformat(text, args, kwargs))  # type: ignore[no-any-return]

        return wrapper

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _whole(left) and _whole(right):
            if right > 0 and max(1, abs(left).bit_length()) * right > LARGEST_BITS:
                raise SecurityError(f"{left} ** {right} is too large a number")
        elif operator == "*" and _whole(left) and _whole(right):
            if abs(left).bit_length() + abs(right).bit_length() > LARGEST_BITS:
                raise SecurityError("the product is too large a number")
        elif operator == "*":
            count, made = (left, right) if _whole(left) else (right, left)
            if _whole(count) and hasattr(made, "__len__") and _weight(made) * count > LARGEST:
                raise SecurityError(f"it repeats a value {count:,} times, too large to make")
        elif operator == "+" and _long(left, right):
            raise SecurityError(f"it joins values into more than {LARGEST:,} items")
        elif operator == "%" and isinstance(left, str):  # ('"%-3000000000s" % x')
            _refuse_percent("its '%'", left, right)
            return self.made(super().call_binop(context, operator, left, right))
        return super().call_binop(context, operator, left, right)


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _long(left: Any, right: Any) -> bool:
    """Whether two texts or lists joined would be more than LARGEST long (``_weight``)."""
    sized = hasattr(left, "__len__") and hasattr(right, "__len__")
    return sized and _weight(left) + _weight(right) > LARGEST


def _weight(value: Any) -> int:
    """A text's characters; the items of a list, tuple, set, mapping (its keys too), a mapping's
    view or a namespace(), and the weight of each, those in them too (a list of a thousand
    different texts of a million characters is not small, nor a list holding one long list,
    or a mapping with one long key, a thousand times: each is written out in full); 0 for
    anything else (the release's own data). Counted only up to just past LARGEST."""
    if isinstance(value, str):
        return len(value)
    weight, stack = 0, [value]
    while stack and weight <= LARGEST:
        items = _held(stack.pop())
        weight += len(items)
        for item in items:
            if isinstance(item, str):
                weight += len(item)
            elif _held(item) is not _NOTHING:
                stack.append(item)
            if weight > LARGEST:
                break
    return weight


_NOTHING: list[Any] = []


def _held(value: Any) -> list[Any] | tuple[Any, ...]:
    """What a value holds that is written out with it (``_NOTHING`` for none of these)."""
    if isinstance(value, list | tuple):
        return value
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    if isinstance(value, set | frozenset | KeysView | ValuesView | ItemsView):
        return list(value)
    if isinstance(value, Namespace):
        return _held(dict(value._Namespace__attrs))
    return _NOTHING


def _tick(steps: int) -> None:
    """Count steps against the rendering's STEPS, and check its time (SECONDS)."""
    budget = _steps.get(None)
    if budget is not None:
        budget[0] -= steps
        if budget[0] < 0:
            raise SecurityError(f"its loops go through more than {STEPS:,} numbers or items")
        if time.monotonic() > budget[1]:
            raise Exhausted(f"it takes more than {SECONDS:g} seconds")


def _each_counted(items: Any) -> Iterator[Any]:
    for item in items:
        _tick(1)
        yield item


def _lazy(value: Any) -> bool:
    return hasattr(value, "__next__") and not isinstance(value, _Weighed)


class _Weighed:
    """A generator's items (``map``'s, ``select``'s...), refused once they come to more than
    LARGEST (``_weight``) as a filter reads them: before a list of them is made."""

    def __init__(self, items: Any) -> None:
        self._items, self._weight = iter(items), 0

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        item = next(self._items)
        self._weight += 1 + (len(item) if isinstance(item, str) else 0)
        if self._weight > LARGEST:
            raise SecurityError(f"it makes more than {LARGEST:,} items or characters")
        return item


def _sized(name: str, made: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose numbers (a width, a length), format (``%3000000000s``) and what it would
    make are bounded, and whose value is refused past LARGEST."""
    passed = getattr(made, "jinja_pass_arg", None) is not None  # (it takes the environment first)

    def bounded(*values: Any, **options: Any) -> Any:
        given = values[1:] if passed else values
        if name == "join" and given:  # (gone through once, weighed, then joined)
            given = (list(_Weighed(given[0])), *given[1:])
        else:  # (what a filter makes of a generator, as map's, is weighed as it is read)
            given = tuple(_Weighed(v) if _lazy(v) else v for v in given)
        values = (*values[: len(values) - len(given)], *given)
        if name == "format" and given and isinstance(given[0], str):  # (text % (options or args))
            _refuse_percent("its format filter", given[0], options or given[1:])
        if given:
            _refuse_large(f"its {name} filter", given[0], name, given[1:], options)
        return Bounded.made(made(*values, **options))

    bounded.__name__ = name
    if passed:
        bounded.jinja_pass_arg = made.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def _refuse_percent(what: str, text: str, values: Any) -> None:
    """Refuse ``text % values`` given a width or precision over LARGEST, or that would make
    more than LARGEST characters (``sizes.percent``), before it is made."""
    largest, made = sizes.percent(text, values)
    if largest > LARGEST:
        raise SecurityError(f"{what} is given a width or precision over {LARGEST:,}")
    if made > LARGEST:
        raise SecurityError(f"{what} would make more than {LARGEST:,} characters")


class _Formatter(SandboxedFormatter):
    """Jinja2's formatter for a text's format(), refusing a field's width or precision over
    LARGEST before the field is made (as the text writes it, "{:>3000000000}", or as an
    argument gives it, "{:>{w}}": each field's spec is checked once its own fields are put in)
    and fields of more than LARGEST characters in all (a long text put in a thousand times)."""

    made = 0

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self.made = 0
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        if sizes.spec(format_spec) > LARGEST:
            raise SecurityError(f"its format() is given a width or precision over {LARGEST:,}")
        field = super().format_field(value, format_spec)
        self.made += len(field)
        if self.made > LARGEST:
            raise SecurityError(f"its format() would make more than {LARGEST:,} characters")
        return field


class _EscapeFormatter(_Formatter, SandboxedEscapeFormatter):
    """``_Formatter`` for a text marked safe (Markup), whose fields are escaped."""


def _refuse_large(what: str, subject: Any, name: str, args: tuple[Any, ...], options: Any) -> None:
    """Refuse a filter or a text's method given a size over LARGEST, or that would make more
    than LARGEST from ``subject``: those that can make a value many times the size of the
    values they are given (a text put in place of each letter of another, an indent repeated
    on every line). ``name``: a filter's, or a text's method's as "str.ljust"."""
    if name in _SIZES and any(_whole(v) and abs(v) > LARGEST for v in (*args, *options.values())):
        raise SecurityError(f"{what} is given a number over {LARGEST:,}")
    if sizes.largest_made(subject, name, args, options) > LARGEST:
        raise SecurityError(f"{what} would make more than {LARGEST:,} items or characters")
    if name == "wordwrap" and isinstance(subject, str) and len(subject) > WRAPPED_AT_MOST:
        # (textwrap's time grows faster than its text: 2 million characters took minutes)
        raise SecurityError(f"{what} is given more than {WRAPPED_AT_MOST:,} characters")


_SIZES = {"center", "indent", "wordwrap", "truncate", "batch", "slice", "tojson",
          "str.ljust", "str.rjust", "str.center", "str.zfill", "str.expandtabs"}  # fmt: skip


def _no_lipsum(*_: Any, **__: Any) -> str:
    raise SecurityError("lipsum() is not for a newsletter")


class _Counted:
    """Jinja2's sandboxed range (at most 100,000 numbers) whose numbers count against the
    rendering's STEPS each time a loop (or a filter) goes through them."""

    def __init__(self, numbers: range) -> None:
        self._numbers = numbers

    def __iter__(self) -> Iterator[int]:
        _tick(len(self._numbers))
        return iter(self._numbers)

    def __reversed__(self) -> Iterator[int]:
        return reversed(list(self))

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: int) -> int:
        return self._numbers[index]

    def __contains__(self, value: object) -> bool:
        return value in self._numbers

    def __repr__(self) -> str:  # (printed as a range is: "range(0, 5)")
        return repr(self._numbers)

    def __eq__(self, other: object) -> bool:  # (equal to a range of the same numbers)
        numbers = other._numbers if isinstance(other, _Counted) else other
        return self._numbers == numbers if isinstance(numbers, range) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._numbers)


def _counted_range(*bounds: int) -> _Counted:
    return _Counted(safe_range(*bounds))
