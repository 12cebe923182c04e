"""Front matter's YAML as values (SPEC §2): plain ``key: value`` lines read without PyYAML,
the rest by PyYAML's safe loader, which keeps a date no calendar has as text of its own kind,
so that one impossible date is a wrong value of its key, not front matter lost whole. Pure
functions, no git."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable
from datetime import date
from functools import lru_cache
from typing import Any


class Impossible(str):
    """A value YAML reads as a date or time that no calendar has (``2025-02-29``, ``25:00``),
    as written: YAML's own constructor refuses it, and every other key would go with it."""


def load_yaml(text: str, loader: Any = None) -> Any:
    """The YAML's value; what is wrong with it, as PyYAML's Python loader says it (libyaml
    places some errors a line later, so text it refuses is read again by the Python loader).
    ``loader``: PyYAML's loader class (none: libyaml's safe loader when PyYAML was built with
    it, as its wheels are: several times faster). PyYAML loads only when a document is read."""
    import yaml

    base = loader or getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=_lenient(base))  # noqa: S506 (a safe loader)
    except RecursionError:
        raise TooDeep from None
    except (ValueError, yaml.YAMLError) as error:
        if "nesting depth" in str(error):  # (libyaml's limit; the Python loader would go as
            raise TooDeep from None  # deep as Python's stack: review)
        if base is yaml.SafeLoader:
            raise
    try:
        return yaml.load(text, Loader=_lenient(yaml.SafeLoader))  # noqa: S506 (a safe loader)
    except RecursionError:
        raise TooDeep from None


class TooDeep(ValueError):
    """YAML nested deeper than its reader goes (a line of a thousand brackets): a finding,
    where it stopped every command with Python's RecursionError (review)."""


@lru_cache(maxsize=4)
def _lenient(base: Any) -> Any:
    """``base``, a safe loader, reading a date or time no calendar has as ``Impossible``."""
    import yaml

    def timestamp(loader: Any, node: Any) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:  # (datetime's refusal: 2025-02-29, 25:00, an offset of a day)
            return Impossible(node.value)

    lenient: Any = type(f"Lenient{base.__name__}", (base,), {})
    lenient.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return lenient


def as_written(text: str) -> dict[str, Any]:
    """The YAML mapping's values as written, each scalar as text (YAML's base loader reads no
    numbers, dates or true and false): for keys whose values are text, ``id: 1.10`` is
    "1.10", not the number 1.1. Empty when the text is not a mapping."""
    import yaml

    try:
        found = yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # noqa: S506
    except (ValueError, yaml.YAMLError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}


# Front matter as authors mostly write it: "key: value" lines whose values YAML can only read
# one way. A key in lower case; a value in double or single quotes (printable ASCII, no
# escapes), a whole number without a leading zero, a YYYY-MM-DD date, or plain words that
# start with a letter (no ':' or '#', which YAML would read otherwise). Anything else, even a
# blank line or a comment, goes to PyYAML.
_PLAIN_LINE = re.compile(
    r"([a-z][a-z_]*):(?: +(?:"
    r'"([ !#-\[\]-~]*)"'  # double quotes
    r"|'([ -&(-~]*)'"  # single quotes
    r"|(0|[1-9][0-9]{0,17})"  # a whole number
    r"|([0-9]{4})-([0-9]{2})-([0-9]{2})"  # a date
    r"|([A-Za-z](?:[A-Za-z0-9 ,.()/&'_-]*[A-Za-z0-9,.()/&'_-])?)"  # plain words
    r"))?"
)
# Words YAML 1.1 reads as true, false or null (with 'y' and 'n', which some parsers do).
_NOT_TEXT = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


def plain_yaml(text: str) -> dict[str, Any] | None:
    """The mapping PyYAML's safe loader reads from front matter of plain ``key: value`` lines
    (``_PLAIN_LINE``), without loading PyYAML (0.1 s) or asking it (65 µs a text); None for
    anything else, which PyYAML reads. A test checks the two agree."""
    if not text.endswith("\n"):
        return None
    values: dict[str, Any] = {}
    for line in text[:-1].split("\n"):
        pair = _plain_line(line)
        if pair is None:
            return None
        values[pair[0]] = pair[1]
    return values


@lru_cache(maxsize=16_384)
def _plain_line(line: str) -> tuple[str, Any] | None:
    """One plain ``key: value`` line's key and value, else None. Read once per distinct line:
    the versions of a chapter mostly repeat their lines (its values are text, whole numbers
    and dates, none of which can be changed)."""
    match = _PLAIN_LINE.fullmatch(line)
    if match is None or match.group(1) in _NOT_TEXT:
        return None
    key, double, single, number, year, month, day, words = match.groups()
    if words is not None and words.lower() in _NOT_TEXT:
        return None
    if year is not None:
        try:
            return key, date(int(year), int(month), int(day))
        except ValueError:
            return None  # PyYAML says what is wrong with it
    if number is not None:
        return key, int(number)
    return key, next((v for v in (double, single, words) if v is not None), None)


# Spaces a word processor types that YAML takes for no space (a non-breaking one after
# "title:", pasted from Word or Outlook), each by its name.
_ODD_SPACES = {"\u00a0": "a non-breaking space", "\u2007": "a figure space",
               "\u2009": "a thin space", "\u202f": "a narrow non-breaking space",
               "\u3000": "an ideographic space", "\u200b": "a zero-width space"}  # fmt: skip
_ODD = "".join(_ODD_SPACES)
# (Each linear: no lazy part before white space, which took seconds on a line of spaces.)
_KEYED = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]+(.*)")
_ODD_PLACE = re.compile(rf"[{_ODD}]|[A-Za-z_][\w-]*[ \t]*:[{_ODD}]")  # (indent, or after ':')
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


# Findings of one kind said of a version's front matter at most, the rest counted: front matter
# of 10,000 unknown keys gave 10,000 errors, in every command's output and the index.
SAID_AT_MOST = 20


def at_most(found: list[str], more: str) -> list[str]:
    """The first ``SAID_AT_MOST`` findings, and how many more there are (``more``: what they
    are, as a plural)."""
    if len(found) <= SAID_AT_MOST:
        return found
    return [*found[:SAID_AT_MOST], f"{more}: {len(found) - SAID_AT_MOST:,} more"]


def unknown_keys(keys: Iterable[object], known: Container[str]) -> list[str]:
    """The findings for the keys the front matter does not have (``unknown_key``), at most."""
    found = [unknown_key(key, known) for key in keys if key not in known]
    return at_most(found, "unknown front matter keys")


def unknown_key(key: object, known: Container[str]) -> str:
    """The finding for a key the front matter does not have, naming a space a word processor
    typed before or after a known one ('\u00a0title'), which YAML kept in the key."""
    plain = key.strip("".join(_ODD_SPACES) + " \t") if isinstance(key, str) else None
    odd = next((c for c in key if c in _ODD_SPACES), None) if isinstance(key, str) else None
    if plain in known and odd is not None:
        return (
            f"unknown front matter key {key!r}: {plain!r} with {_ODD_SPACES[odd]} (U+"
            f"{ord(odd):04X}), as a word processor types one; type the key alone"
        )
    return f"unknown front matter key {key!r}"


def trouble(text: str, line: int | None) -> tuple[int | None, str]:
    """What is likely wrong with front matter YAML cannot read, or reads as no mapping, as
    words to follow its message ('' where nothing plain is seen): a non-breaking space where
    YAML needs a space (after a key's colon, or indenting), a tab, an indented key, an
    unclosed quotation mark, a value holding ': ' or starting with a character YAML reads
    otherwise. ``line``: the YAML's line YAML names (from 0); the one before it is looked at
    too (YAML names where it noticed, often the next line). With the line the words are
    about (from 0; None: none), which the finding names, so that an editor opens it there."""
    lines = text.split("\n")
    for at, written in enumerate(lines):
        odd = _ODD_PLACE.match(written)
        if odd is not None:
            name = _ODD_SPACES[odd.group(0)[-1]]
            return at, (
                f" (it holds {name}, as a word processor types one, where YAML needs a plain "
                "space: type a plain space)"
            )
    for at in () if line is None else (line, line - 1):
        said = _line_trouble(lines[at]) if 0 <= at < len(lines) else None
        if said:
            return at, f" ({said})"
    for at, written in enumerate(lines):  # (YAML names the text's end for a quotation left open)
        said = _line_trouble(written)
        if said and said.endswith("is not closed"):
            return at, f" ({said})"
    return line, ""


def _line_trouble(line: str) -> str | None:
    if line.startswith("\t"):
        return "a line starts with a tab: indent with spaces, or not at all"
    keyed = _KEYED.fullmatch(line.lstrip(" "))
    if keyed is None:
        return None
    if line.startswith(" "):
        return f"'{keyed.group(1)}:' is indented: every key starts at the beginning of its line"
    key, value = keyed.group(1), keyed.group(2).rstrip(" \t")
    if value[:1] in ("'", '"') and value.count(value[0]) < 2:
        return f"the quotation mark after '{key}:' is not closed"
    words, hashed, comment = value.partition(" #")  # (a comment stays outside the quotes)
    if '"' in words or "\\" in words:
        return None  # (double quotes around it would not do)
    quoted = f'{key}: "{words.rstrip()}"' + (f" #{comment}" if hashed else "")
    example = f": {quoted}" if len(quoted) <= 120 else ""  # (a long line is not written out)
    if value[:1] in tuple("[]{}@`&*!|>%"):
        return f"a value starting with '{value[0]}' must be in quotes{example}"
    if ": " in words and value[:1] not in ("'", '"'):
        return f"a value holding ': ' must be in quotes{example}"
    return None


def repeated(text: str, plain: bool) -> list[str]:
    """Keys given twice at the front matter's top level (YAML takes the last, without a word:
    "title: A" then "title: B" showed B), each with the line of the one taken. ``plain``: the
    text is plain ``key: value`` lines (``plain_yaml``), one key a line; else YAML's own
    reading of the mapping's keys says (a quoted value may go on over lines)."""
    keys = [(keyed.group(1), at) for at, line in enumerate(text.split("\n"))
            if (keyed := _TOP_KEY.match(line))]  # fmt: skip
    if not plain and len({key for key, _ in keys}) == len(keys):
        return []  # (no line says a key twice: none is; YAML's own reading, as dear again as
    if not plain:  # the load, only where one may be)
        keys = _mapping_keys(text)
    last = {key: at for key, at in keys}
    count = Counter(key for key, _ in keys)
    found = [
        f"{key!r} is given twice in the front matter: the last is taken, at line {last[key] + 2}"
        for key in dict.fromkeys(key for key, _ in keys)
        if count[key] > 1
    ]
    return at_most(found, "keys given twice in the front matter")


def _mapping_keys(text: str) -> list[tuple[str, int]]:
    """The top-level keys of a YAML mapping, each with its line (from 0), as YAML reads them
    (a key is its tag and text: '1.0' and 1.0 are two; a merge, '<<', is none)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (ValueError, yaml.YAMLError, RecursionError):
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    merge = "tag:yaml.org,2002:merge"
    keys = [key for key, _ in node.value
            if isinstance(key, yaml.ScalarNode) and key.tag != merge]  # fmt: skip
    tags = Counter(key.value for key in {(key.tag, key.value): key for key in keys}.values())
    return [(key.value if tags[key.value] == 1 else f"{key.value} ({key.tag})",
             key.start_mark.line) for key in keys]  # fmt: skip
