"""Front matter + Markdown -> document metadata (SPEC §2). Pure functions, no git."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from html import unescape
from types import MappingProxyType
from typing import Any

from tracker.history.blocks import heading_words
from tracker.history.codeless import code_spans, without_code_spans, without_fences
from tracker.history.frontyaml import (
    Impossible,
    TooDeep,
    as_written,
    load_yaml,
    plain_yaml,
    repeated,
    trouble,
    unknown_keys,
)
from tracker.history.headings import emphasis_out, heading_slug, plainly_shown, unique
from tracker.history.hrefs import manual_target, page_hrefs
from tracker.history.htmlids import html_block_spans, raw_heading_ids, raw_link_hrefs
from tracker.history.ids import id_problem
from tracker.history.links import LONGEST_ID, composed
from tracker.history.shownwords import LONGEST, READ_AT_MOST, shown_words
from tracker.history.wide import wide_encoding

TYPES = ("chapter", "guidance")
STATUSES = ("live", "archived")
KNOWN_KEYS = {"id", "title", "type", "section", "order", "owner", "review_due", "status"}
TEXT_KEYS = {"id", "title", "type", "section", "owner", "status"}  # (any scalar, as written)
# An explicit id is a path: words of letters, digits, '.', '_' or '-', joined by '/'. Letters
# of any script, as a file's name gives its path id (its address is percent-encoded).
# Front matter: an opening line of ---, then the first closing line of --- or ... (found by
# the newline before it, which the search can skip to).
_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_HEADING = re.compile(r"^#[ \t]+(.+)$", re.M)
# ATX headings (## Text) and setext ones (Text over = or -), outside code. Each pattern starts
# with the newline before its line (one is put in front of the text), not "^": a literal first
# character lets the engine skip to candidates, several times faster on long texts. Words are
# matched whole (a lazy match before trailing spaces is quadratic in them: _unclosed strips).
# An ATX heading is any line that starts with '#', as Python-Markdown's HashHeaderProcessor
# reads it: no space is needed ("#5 Steps"), and "##" alone is an empty heading, whose id on
# the page is the prefix alone ("section-") and counts among the ids repeats are numbered by
# (``blocks.heading_words`` reads its words).
_ANY_HEADING = re.compile(r"\n(?:(#[^\n]*)|([^\s#>|-][^\n]*)\n(?:=+|-+)[ \t]*$)", re.M)
# Without a line of = or - under text only ATX headings match: searched alone, much faster.
_UNDERLINE = re.compile(r"\n(?:=+|-+)[ \t]*$", re.M)
_ATX = re.compile(r"\n(#[^\n]*)")
_LEADING_TITLE = re.compile(r"\A\s*#[ \t]+[^\n]*\n")  # the page shows it as its own title
# A link in a heading: its text (one level of brackets within) and target. The text's parts
# cannot overlap ('[' starts only a bracketed part), so a heading of 80,000 '[' is one pass.
_INLINE_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\((?:[^()]|\([^()]*\))*\)")
# An image has no words on the page (its description is an attribute): none in the id.
_INLINE_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?:[^()]|\([^()]*\))*\)")
# Marks the page does not show: tags, emphasis and code marks (underscores: _emphasis_out).
_MARKS = re.compile(r"<[^<>]*>|[*`~]")
# A character reference as Python-Markdown's pages keep it (``serializers.RE_AMP``'s, whose '&'
# is left as written): the heading's id is made from the text with each one read (``toc``).
_REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.I)
MAX_BYTES = 2_000_000
MISSING = "git lacks the file's contents"  # how the reason for a missing object begins
LFS_POINTER = b"version https://git-lfs.github.com/spec/"  # (git's text for a file kept elsewhere)
LFS = "the file is a Git LFS pointer"  # how the reason for one begins
LFS_FIX = " (take it out of .gitattributes' lfs lines, run git add --renormalize . and commit)"


@dataclass(frozen=True)
class DocMeta:
    """What one blob says about its document. ``title`` is None when it names none."""

    id: str | None = None
    title: str | None = None
    type: str = "chapter"
    section: str | None = None
    order: float | None = None
    owner: str | None = None
    review_due: date | None = None
    status: str = "live"
    links: tuple[str, ...] = ()  # to other documents: "path.md" or "path.md#fragment"
    anchors: tuple[str, ...] = ()  # the ids of its headings, as pages give them
    problems: tuple[str, ...] = field(default=())
    # Why this version cannot be published at all (missing, binary, not UTF-8, too large).
    unreadable: str | None = None
    broken: bool = False  # the front matter could not be read: its values are unknown


def decode(data: bytes) -> str:
    """Blob bytes as text; invalid UTF-8 is replaced rather than refused."""
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter YAML or None, body)."""
    opening = _OPENING.match(text)
    closing = _CLOSING.search(text, opening.end() - 1) if opening else None
    if opening is None or closing is None:
        return None, text
    return text[opening.end() : closing.start() + 1], text[closing.end() :]


def parse_document(data: bytes | None, whole: bool = True) -> DocMeta:
    """Read a document's metadata. Never raises: problems are listed on the result.

    ``whole=False`` leaves out the links and heading ids, which only a document's newest
    version keeps (what ``tracker check`` reads): most of the cost of reading a long history.
    """
    try:  # (decoded once: what unreadable() would find, only when something is wrong)
        text = None if data is None or _cannot_be_read(data) else data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        reason = unreadable(data)
        assert reason is not None
        return DocMeta(problems=(reason,), unreadable=reason)
    text = text.lstrip("\ufeff")  # as decode() gives it
    yaml_text, body = split_front_matter(text)
    if not whole and yaml_text is not None:
        known = _titled(yaml_text)
        if known is not None:
            return known
    values, found, broken = _front_matter(yaml_text)
    problems = list(found)
    if yaml_text is None and re.match(r"\A---[ \t]*\r?\n", text):
        problems.append("the front matter has no closing '---' line, so it is read as text")
        broken = True
    elif yaml_text is None and text[:1].isspace() and _front_matter(_late(text))[0]:
        problems.append(
            "the front matter does not start on the first line (a blank line or spaces come "
            "before its '---'), so it is read as text; remove what comes before it"
        )
    title = values.get("title")
    if not title:
        heading = _HEADING.search(body)
        title = _unclosed(heading.group(1)).strip() if heading else None
    if not whole:
        return _meta(values, title, tuple(problems), broken)
    read = (tuple(_relative_links(body)), tuple(heading_ids(body)))
    return _meta(values, title, tuple(problems), broken, read)


def _late(text: str) -> str | None:
    """The front matter the text would have without the white space it starts with (which
    Python-Markdown's pages, as this reading, take as text), if any."""
    return split_front_matter(text.lstrip())[0]


def _cannot_be_read(data: bytes) -> bool:
    """Too large, binary or a Git LFS pointer (``unreadable``'s first tests, without copying
    the bytes)."""
    return len(data) > MAX_BYTES or data.find(b"\0", 0, 8000) >= 0 or data.startswith(LFS_POINTER)


@lru_cache(maxsize=4096)
def _titled(yaml_text: str) -> DocMeta | None:
    """The metadata, without links and heading ids, of every text with this front matter
    when it names a title (nothing of the body counts then), made once: most versions of a
    chapter change its body only. None when it names none (the body's heading is the title)."""
    values, found, broken = _front_matter(yaml_text)
    if not values.get("title"):
        return None
    return _meta(values, values.get("title"), found, broken)


def _meta(
    values: Mapping[str, Any],
    title: str | None,
    problems: tuple[str, ...],
    broken: bool,
    found: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
) -> DocMeta:
    """The metadata the front matter's values give, with the body's links and heading ids
    (``found``: none, for a text read in part)."""
    return DocMeta(
        id=values.get("id"),
        title=title,
        type=values.get("type", "chapter"),
        section=values.get("section"),
        order=values.get("order"),
        owner=values.get("owner"),
        review_due=values.get("review_due"),
        status=values.get("status", "live"),
        links=found[0],
        anchors=found[1],
        problems=problems,
        broken=broken,
    )


def unreadable(data: bytes | None) -> str | None:
    """Why a file cannot be published as a chapter, or None when it can."""
    if data is None:
        return f"{MISSING} (a missing object, or one a partial clone could not fetch)"
    if len(data) > MAX_BYTES:
        return f"the file is larger than {MAX_BYTES // 1_000_000} MB"
    if data.startswith(LFS_POINTER):  # (exploratory testing: its page showed the pointer)
        return f"{LFS}, not the chapter: keep the manual's Markdown out of Git LFS{LFS_FIX}"
    if b"\0" in data[:8000]:
        wide = wide_encoding(data)
        if wide:  # (Notepad's "Unicode": text, but every other byte a NUL to git)
            how = ": in Notepad, Save As with Encoding UTF-8" if wide == "UTF-16" else ""
            return f"the file is {wide} text, not UTF-8 (save it as UTF-8{how})"
        return "the file is binary, not Markdown"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return (
            f"the file is not UTF-8 text (line {line}); save it as UTF-8 so that every "
            "character shows as written"
        )
    return None


@lru_cache(maxsize=4096)
def _front_matter(yaml_text: str | None) -> tuple[Mapping[str, Any], tuple[str, ...], bool]:
    """``_read_front_matter``, once per distinct text: most versions of a chapter change its
    body only. What it gives is read-only (its values are text, numbers and dates)."""
    values, problems, broken = _read_front_matter(yaml_text)
    return MappingProxyType(values), tuple(problems), broken


def _read_front_matter(
    yaml_text: str | None, loader: Any = None
) -> tuple[dict[str, Any], list[str], bool]:
    """(values, problems, whether the front matter as a whole could not be read); ``loader``:
    PyYAML's loader class to use (none: plain ``key: value`` lines are read without it, the
    rest by libyaml's loader when PyYAML has one)."""
    if yaml_text is None:
        return {}, [], False
    raw = plain_yaml(yaml_text) if loader is None else None
    plain = raw is not None
    if raw is None:
        import yaml

        try:
            raw = load_yaml(yaml_text, loader)
        except TooDeep:
            return {}, ["the front matter is nested too deeply to read"], True
        except (ValueError, yaml.YAMLError) as error:
            mark = getattr(error, "problem_mark", None)
            at, said = trouble(yaml_text, mark.line if mark is not None else None)
            where = f" at line {at + 2}" if at is not None else ""
            return {}, [f"the front matter is not valid YAML{where}{said}"], True
    if raw is None:
        return {}, [], False
    if not isinstance(raw, dict):
        at, said = trouble(yaml_text, None)
        where = f" at line {at + 2}" if at is not None else ""
        return {}, [f"the front matter is not a set of 'key: value' lines{where}{said}"], True
    values: dict[str, Any] = {}
    problems = unknown_keys(raw, KNOWN_KEYS)
    problems += repeated(yaml_text, plain) if not plain or len(raw) < yaml_text.count("\n") else []
    written: dict[str, Any] | None = None  # (the values as written, read only when needed)
    for key in KNOWN_KEYS & set(raw):
        value = raw[key]
        if key in TEXT_KEYS and isinstance(value, int | float | date):  # (true is an int)
            # Text as written, as a quoted value would be: "id: 123", "id: 2024-01-01".
            written = written if written is not None else {} if plain else as_written(yaml_text)
            as_text = written.get(key)
            value = as_text if isinstance(as_text, str) else str(value)  # (plain: str() is)
        value, problem = _check_value(key, value)
        if problem:
            problems.append(problem)
        if value is not None:
            values[key] = value
    return values, sorted(problems), False


def _check_value(key: str, value: Any) -> tuple[Any, str | None]:
    """The key's value as kept, and what is wrong with it (a title or section on more than
    one line is kept on one, each run of white space a space, and reported)."""
    if value is None:
        return None, None
    if isinstance(value, Impossible) and key not in TEXT_KEYS:
        return None, f"the front matter holds an impossible date ({key!r}: {value})"
    if key == "order":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"'order' must be a number, not {value!r}"
        return float(value), None
    if key == "review_due":
        if not isinstance(value, date):
            return None, f"'review_due' must be a date (YYYY-MM-DD), not {value!r}"
        return value if type(value) is date else date(value.year, value.month, value.day), None
    if not isinstance(value, str):
        return None, f"{key!r} must be text"
    text = str(value).strip()
    if key == "id":
        text = composed(text)
    if key == "id" and (wrong := id_problem(text)) is not None:
        return None, wrong
    if key == "type" and text not in TYPES:
        return None, f"'type' must be one of {', '.join(TYPES)}, not {text!r}"
    if key == "status" and text not in STATUSES:
        return None, f"'status' must be one of {', '.join(STATUSES)}, not {text!r}"
    if len(text.splitlines()) > 1:  # (a block scalar, "title: |": the page shows one line)
        folded = " ".join(text.split())
        return folded, f"{key!r} is on more than one line; it is shown on one: {folded!r}"
    return text, None


def _relative_links(body: str) -> list[str]:
    """Targets of links to other Markdown files of the manual, as the website reads them
    (``manual_target``: "path.md", or with its ``#fragment``), and to the page's own headings
    ("#fragment"): Markdown's links, then those written as HTML (``<a href="b.md">``)."""
    targets = []
    for href in page_hrefs(body) + _raw_hrefs(body):
        found = manual_target(href)
        if found is not None and any(found):
            path, fragment = found
            targets.append(f"{path}#{fragment}" if fragment else path)
    return targets


def _raw_hrefs(body: str) -> list[str]:
    """The addresses of links written as HTML, outside code (as ``heading_ids`` reads HTML)."""
    if "<a" not in body and "<A" not in body:
        return []
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    title = _LEADING_TITLE.match(body)
    text = "\n" + (body[title.end() :] if title else body)
    if "```" in text or "~~~" in text:
        text = without_fences(text)
    return raw_link_hrefs(without_code_spans(text, html_block_spans(text)) if "`" in text else text)


def heading_ids(body: str) -> list[str]:
    """The ids of a document's headings as its page gives them (without the page's prefix):
    Python-Markdown's, from the words the page shows (links and emphasis dropped), a repeat
    getting ``_1``, ``_2``; the leading ``# Title`` is the page's own title and has none. Then
    those of headings written as HTML (``<h2 id="contacts">``), outside code. The words of a
    heading that ``plainly_shown`` cannot vouch for are Python-Markdown's to give, up to
    ``LONGEST`` characters a heading and ``READ_AT_MOST`` a document (its time grows faster
    than a heading's length on some text); past them, a plain reading's."""
    if "\r" in body:  # (line ends as Python-Markdown reads them, as page_hrefs reads them)
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    title = _LEADING_TITLE.match(body)
    text = "\n" + (body[title.end() :] if title else body)
    if "```" in text or "~~~" in text:
        text = without_fences(text)  # (an empty line where each block was)
    if _UNDERLINE.search(text):
        pairs = _ANY_HEADING.findall(text)
        found = [heading_words(atx) if atx else setext for atx, setext in pairs]
    else:
        found = [heading_words(atx) for atx in _ATX.findall(text)]
    headings = [heading for heading in found if heading is not None]  # (None: "#x\\" is text)
    ids: list[str] = []
    taken: set[str] = set()
    counted: dict[str, int] = {}
    left = READ_AT_MOST
    for heading in headings:  # (as the page's ids have them: with the prefix, never empty)
        words = heading.strip()
        page = len(words) <= min(LONGEST, left) and not plainly_shown(words)
        left -= len(words) if page else 0
        ident = ("section-" + _slug(words, page))[:LONGEST_ID]
        ids.append(unique(ident, taken, counted).removeprefix("section-"))
    if "<h" in text or "<H" in text:
        ids += raw_heading_ids(
            without_code_spans(text, html_block_spans(text)) if "`" in text else text
        )
    return ids


def _unclosed(heading: str) -> str:  # (an ATX heading's words without closing #s, as before)
    return heading.rstrip(" \t#") or heading[:1]


@lru_cache(maxsize=8192)
def _slug(words: str, page: bool) -> str:
    """A heading's id from its words as written: most headings recur in every version. With
    ``page``, from the words the page shows, as Python-Markdown reads them (``shownwords``:
    for words whose code, emphasis, links or the like the plain reading might read otherwise
    than the page). Else read plainly: links, images, tags, code marks and the underscores
    ``emphasis_out`` takes for emphasis dropped, a character reference (``&amp;``, ``&#945;``)
    the character it names, as on the page, but in a code span, which shows it as written;
    as the page reads it wherever ``plainly_shown`` says so."""
    shown = shown_words(words) if page else None
    if shown is not None:
        return heading_slug(shown)
    text = words
    if "&" in text:
        text = _code_escaped(text)
    if "![" in text:
        text = _INLINE_IMAGE.sub("", text)
    shown = emphasis_out(_MARKS.sub("", _INLINE_LINK.sub(r"\1", text)))
    return heading_slug(_REFERENCE.sub(_referred, shown) if "&" in shown else shown)


def _code_escaped(text: str) -> str:
    """The text with each '&' in a code span written ``&amp;``, as Python-Markdown writes it
    there (``code_escape``)."""
    kept: list[str] = []
    shown = 0
    for start, end, _ in code_spans(text):
        kept += (text[shown:start], text[start:end].replace("&", "&amp;"))
        shown = end
    return "".join(kept) + text[shown:]


def _referred(found: re.Match[str]) -> str:
    return unescape(found.group())


def path_id(relative_path: str) -> str:
    """The default id: the path under the root without ``.md``, its letters composed."""
    return composed(relative_path[:-3] if relative_path.endswith(".md") else relative_path)


def default_title(relative_path: str) -> str:
    """The title of a document that names none: its file name."""
    return path_id(relative_path).rsplit("/", 1)[-1]
