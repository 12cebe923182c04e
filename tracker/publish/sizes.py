"""What a filter, a text's method, a '%' conversion or a str.format field would make, worked
out before it is made: at most how long it would be, the widths and precisions it is given
(the sandbox, ``sandbox.py``, refuses one past its bounds)."""

from __future__ import annotations

import json
import re
from typing import Any, TypeGuard

# After the '%' (and its "(key)"): flags, width, precision, a length modifier Python ignores,
# and the conversion.
_PERCENT = re.compile(r"[-+ #0]*(\*|[0-9]*)(?:\.(\*|[0-9]*))?[hlL]?(.)?", re.DOTALL)
# A standard format spec ("{:>10.3}"'s ">10.3"): [[fill]align][sign][z][#][0][width][,_][.precision]
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?([0-9]*)[,_]?(?:\.([0-9]*))?", re.DOTALL)


def percent(text: str, values: Any) -> tuple[int, int]:
    """The largest width or precision ``text % values`` is given (written in ``text``, or taken
    from ``values`` by a '*'), and at most how many characters it makes (a long text put in a
    thousand times by "%(a)s%(a)s..." is long). Read as Python reads it; where Python would
    refuse it (too few values, an unknown conversion), what was read up to there."""
    given = values if isinstance(values, tuple) else (values,)
    taken, largest, made = 0, 0, len(text)
    converted: dict[tuple[int, str], int] = {}  # (the value, the conversion): its length
    at = text.find("%")
    try:
        while at >= 0:
            key, at = _key(text, at + 1)
            found = _PERCENT.match(text, at)
            assert found is not None  # (every part of it may be empty)
            width, precision, kind = found.groups()
            if kind is None:  # (Python: "incomplete format")
                break
            at = text.find("%", found.end())
            if kind == "%" and found.end() - found.start() == 1 and key is None:  # ("%%")
                continue
            sizes = []
            for size in (width, precision):
                if size == "*":
                    value, taken = given[taken], taken + 1
                    sizes.append(abs(value) if isinstance(value, int) else 0)
                else:
                    sizes.append(_number(size or ""))
            largest = max(largest, *sizes)
            if key is None:
                value, taken = given[taken], taken + 1
            else:
                value = values[key]
            if isinstance(value, str) and kind == "s":
                converted[id(value), kind] = len(value)
            elif (id(value), kind) not in converted:  # (each value converted once)
                converted[id(value), kind] = 1 if kind == "c" else len(f"%{kind}" % (value,))
            made += sum(sizes) + converted[id(value), kind]
    except (TypeError, ValueError, LookupError, OverflowError):
        pass  # (Python says why as it formats; nothing is made past this conversion)
    return largest, made


def _key(text: str, at: int) -> tuple[str | None, int]:
    """A conversion's "(key)" at ``at`` (its parentheses nest, as Python reads them), and
    where the rest of the conversion starts."""
    if not text.startswith("(", at):
        return None, at
    depth, end = 1, at + 1
    while depth and end < len(text):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    return text[at + 1 : end - 1], end


def spec(format_spec: str) -> int:
    """The larger of a str.format field's width and precision (0 for a spec that is not a
    standard one, as a date's "%d %B %Y")."""
    found = _SPEC.match(format_spec)
    return max(_number(found.group(1)), _number(found.group(2) or "")) if found else 0


def _number(digits: str) -> int:
    """A width's or precision's digits as a number (one of a thousand digits as 10 ** 18)."""
    digits = digits.lstrip("0")
    return int(digits) if 0 < len(digits) <= 18 else 10**18 if digits else 0


def largest_made(subject: Any, name: str, args: tuple[Any, ...], options: Any) -> int:
    """At most how long the value made would be, for those that multiply (else 0)."""
    given = dict(zip(_ARGUMENTS.get(name, ()), args, strict=False)) | dict(options)
    text = subject if isinstance(subject, str) else ""
    if name in ("replace", "str.replace"):
        old, new, count = given.get("old"), given.get("new"), given.get("count")
        if not isinstance(old, str) or not isinstance(new, str):
            return 0
        times = text.count(old) if old else len(text) + 1
        return len(text) + min(times, count if _whole(count) and count >= 0 else times) * max(
            0, len(new) - len(old)
        )
    if name in ("join", "str.join"):  # (the filter's items are its subject, the method's given)
        parts = subject if name == "join" else given.get("items", ())
        between = given.get("d", "") if name == "join" else text
        lengths = [len(part) if isinstance(part, str) else len(str(part)) for part in parts]
        return sum(lengths) + len(between if isinstance(between, str) else "") * len(lengths)
    if name == "indent":
        width = given.get("width", 4)
        size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        return len(text) + (text.count("\n") + 1) * max(0, size)
    if name == "wordwrap":
        wrap = given.get("wrapstring")
        return len(text) + (len(text) // 2 + 1) * (len(wrap) if isinstance(wrap, str) else 1)
    if name == "str.expandtabs" and _whole(size := given.get("tabsize", 8)):
        return len(text) + text.count("\t") * size
    if name == "str.translate" and isinstance(given.get("table"), dict):
        values = given["table"].values()
        return len(text) * max((len(v) for v in values if isinstance(v, str)), default=1)
    if name in ("batch", "slice") and _whole(count := given.get("count")):
        return abs(count)
    if name == "tojson" and _whole(indent := given.get("indent")) and indent > 0:
        try:
            compact = json.dumps(subject, default=str)
        except (TypeError, ValueError, RecursionError):
            return 0  # (the filter says why)
        lines = sum(compact.count(mark) for mark in ",[{") + 1
        return len(compact) + lines * (1 + indent * _depth(compact))
    return 0


def _depth(compact: str) -> int:
    """How deep the lists and objects of a JSON text nest: the innermost are taken away
    until none is left (a pass each, at the regular expressions' speed)."""
    left, depth = re.sub(r'"(?:[^"\\]|\\.)*"', "", compact), 0
    while (fewer := _INNERMOST.sub("", left)) != left:
        left, depth = fewer, depth + 1
    return depth


_INNERMOST = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")


# The positional arguments of the filters and methods above (after their value).
_ARGUMENTS = {
    "replace": ("old", "new", "count"), "str.replace": ("old", "new", "count"),
    "join": ("d",), "str.join": ("items",), "indent": ("width",), "tojson": ("indent",),
    "wordwrap": ("width", "break_long_words", "wrapstring"), "str.expandtabs": ("tabsize",),
    "str.translate": ("table",), "batch": ("count",), "slice": ("count",),
}  # fmt: skip


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
