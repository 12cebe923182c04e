"""The links a chapter's page makes, read from its Markdown as Python-Markdown reads them
(``LinkInlineProcessor``: brackets within a link's text, a destination in ``<...>`` or with
spaces, a title in quotes, escapes and code spans) without loading it (0.1 s), in one pass over
each paragraph however hostile: Python-Markdown scans on from each link to its paragraph's end
when no bracket or parenthesis closes it, which takes minutes on some texts. A test compares
the two on generated text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from urllib.parse import urlsplit

from tracker.history.blocks import inline_blocks
from tracker.history.codeless import code_spans, without_fences

_STAND_IN = "\x02"  # for an escaped character or a code span (Python-Markdown drops \x02)
_LINKED = "\x03"  # for a link, where images are looked for (and \x03)
_PLACEHOLDER = "\x02klzzwxh:0000\x03"  # Python-Markdown's stand-in (its number never matters)
_ESCAPED = frozenset("\\`*_{}[]()>#+-.!")  # Python-Markdown's ESCAPED_CHARS
_ESCAPE = re.compile(r"\\(.)")
_SPACES = re.compile(r"\n +(?=\n)")  # a line of spaces: Python-Markdown empties it
_WHITESPACE = re.compile(r"\s+")  # (ReferenceInlineProcessor.NEWLINE_CLEANUP_RE)
_LEADING_TITLE = re.compile(r"\A\s*#[ \t]+[^\n]*\n")  # the page's own title, not its body
_MARKS = re.compile(r"[\[\]()'\"]")
_BRACKETS = re.compile(r"[\[\]]")
# LinkInlineProcessor.RE_LINK: a destination in <...>, with a title or none; else "(" alone.
_ANGLED = re.compile(r"""\(\s*(?:(<[^<>]*>)\s*(?:('[^']*'|"[^"]*")\s*)?\))?""")


def page_hrefs(body: str) -> list[str]:
    """The ``href`` of each link (``<a>``) the page of a chapter with this body shows, in order
    (images, and links within an image's description, are not links): inline links and links
    by reference (``[text][label]``, ``[label][]``, ``[label]``, to a label defined anywhere)."""
    if "](" not in body and "]:" not in body:  # (the fast way out: every link has one)
        return []
    text = body.replace(_STAND_IN, "").replace(_LINKED, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)  # (as Python-Markdown)
    title = _LEADING_TITLE.match(text)
    text = "\n" + (text[title.end() :] if title else text)
    if "```" in text or "~~~" in text:
        text = without_fences(text)
    blocks, references = inline_blocks(_SPACES.sub("\n", text) if "\n " in text else text)
    hrefs: list[str] = []
    for block in blocks:
        if "](" in block or (references and "]" in block):
            hrefs.extend(_paragraph_hrefs(block.lstrip(), references))
    return hrefs


def manual_target(href: str) -> tuple[str, str] | None:
    """(path, fragment) of a link the website makes a link to a page of the manual: a relative
    path ending ``.md`` (its query dropped), or "" for the page's own heading; None for any
    other (a web address, ``mailto:``, a file, an address no browser could read)."""
    try:
        parts = urlsplit(href)
    except ValueError:  # ("//[x.md": no address; the website leaves it as written)
        return None
    if href.startswith("#"):
        return "", parts.fragment
    if parts.scheme or parts.netloc or not parts.path.endswith(".md") or href.startswith("/"):
        return None
    return parts.path, parts.fragment


def _paragraph_hrefs(paragraph: str, references: dict[str, str]) -> list[str]:
    """The hrefs of a paragraph's links (as ``page_hrefs``), read as Python-Markdown's inline
    patterns read them, in their order: links by reference (made stand-ins), inline links,
    images, images by reference, then links by a label alone (``[label]``)."""
    data, meant = _marked(paragraph)
    referred: list[Use] = []  # (later those in an inline link's destination are dropped)
    if references and "[" in data:
        data, meant, referred = _referred(data, meant, _uses(data, references))
    links = _Marks(data).links()
    # Each link's text is read on by the patterns after links' (images, links by a label
    # alone): only its brackets and destination are masked.
    masked = _masked(data, _outside_texts(links))
    images = [(start, end) for start, end, *_ in _Marks(masked).links(image=True)]
    masked = _masked(masked, images)
    if references:
        pictured = _uses(masked, references, image=True)
        images = sorted(images + [(start, end) for start, end, *_ in pictured])
        referred += _uses(_masked(masked, pictured), references, short=True)
    stand_ins = [found.start() for found in re.finditer(_STAND_IN, data)]
    hrefs, destinations = [], []
    for at, end, start, stop, slipped, _ in links:
        stop, left = _slipped(data) if slipped else (stop, "")
        destinations.append((start, end))
        first = bisect_left(stand_ins, start)  # (what stands in for the first in it)
        pieces = data[start:stop].split(_STAND_IN)
        href = "".join(piece + meant[first + n] for n, piece in enumerate(pieces[:-1]))
        hrefs.append((at, (href + pieces[-1] + left).strip()))
    starts = [start for start, _ in destinations]  # (one by reference in its title too)
    hrefs += [(at, href) for at, _, href, _ in referred if not _within(at, destinations, starts)]
    starts = [start for start, _ in images]
    return [href for at, href in sorted(hrefs) if not _within(at, images, starts)]


def _outside_texts(links: list[Link]) -> list[tuple[int, int]]:
    """The parts of each link but its text: its "[", and from the "]" closing its text to its
    end (a link that ``_slipped`` ends one character short)."""
    parts: list[tuple[int, int]] = []
    for start, end, _, _, slipped, close in links:
        parts += [(start, start + 1), (close, end - slipped)]
    return parts


def _within(at: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether ``at`` is within one of the spans (in order, not overlapping), such as an
    image's (its description is text)."""
    span = bisect_right(starts, at) - 1
    return span >= 0 and at < spans[span][1]


def _masked(text: str, spans: list[tuple[int, int]] | list[Use]) -> str:
    """The text with each span (in order) made stand-ins of the same length: no bracket,
    parenthesis, quote or space, as Python-Markdown's stand-in for a link or image is none."""
    pieces: list[str] = []
    shown = 0
    for start, end, *_ in spans:
        pieces += (text[shown:start], _LINKED * (end - start))
        shown = end
    return "".join(pieces) + text[shown:]


def _uses(
    text: str, references: dict[str, str], image: bool = False, short: bool = False
) -> list[Use]:
    """Where each link (or image) by reference starts and ends, and its destination, as
    ``ReferenceInlineProcessor`` (or its image, or short, kind) finds them: from each "["
    (after "!" for an image, else not), its text to the "]" that closes it, then (but for the
    short kind) one space or none and a label in brackets, or "[]" for its text again; a label
    not defined is no link, and the next is looked for after it."""
    found: list[Use] = []
    closing: dict[int, int] = {}  # each "[" -> the "]" that closes it
    closers: list[int] = []  # where each "]" is
    opened: list[int] = []
    after = 0
    for mark in _BRACKETS.finditer(text):
        if mark.group() == "[":
            opened.append(mark.start())
        else:
            closers.append(mark.start())
            if opened:
                closing[opened.pop()] = mark.start()
    for at in sorted(closing):
        bang = at > 0 and text[at - 1] == "!"
        if bang != image or at - image < after:
            continue
        close = closing[at]
        label, end = text[at + 1 : close], close + 1
        if not short:
            start = end + (text[end : end + 1].isspace() and text[end + 1 : end + 2] == "[")
            later = bisect_right(closers, start)
            if text[start : start + 1] != "[" or later == len(closers):
                continue
            label, end = text[start + 1 : closers[later]] or label, closers[later] + 1
        after = end
        href = references.get(_WHITESPACE.sub(" ", label.lower()))
        if href is not None:
            found.append((at - image, end, href, text[at + 1 : close]))
    return found


def _referred(data: str, meant: list[str], uses: list[Use]) -> tuple[str, list[str], list[Use]]:
    """The paragraph with each link by reference made one stand-in (Python-Markdown's
    placeholder), what each stand-in stands for, and where each of those links now is."""
    pieces: list[str] = []
    kept: list[str] = []
    moved: list[Use] = []
    shown = length = 0
    stand_ins = [found.start() for found in re.finditer(_STAND_IN, data)]
    for start, end, href, text in uses:
        pieces += (data[shown:start], _STAND_IN)
        kept += meant[bisect_left(stand_ins, shown) : bisect_left(stand_ins, start)]
        kept.append(text)  # (its text, where a link's destination holds it: unescape)
        length += start - shown
        moved.append((length, length + 1, href, text))
        length += 1
        shown = end
    pieces.append(data[shown:])
    kept += meant[bisect_left(stand_ins, shown) :]
    return "".join(pieces), kept, moved


def _slipped(data: str) -> tuple[int, str]:
    """Where a destination Python-Markdown slipped on ends (``_Marks._slip``): two characters
    before the paragraph's, counted in its own text, where each stand-in is 14 characters long
    (``\\x02klzzwxh:0000\\x03``); and what is left of one it cut through (not a character)."""
    if data[-1] == _STAND_IN:
        return len(data) - 1, _PLACEHOLDER[:-2]
    if data[-2] == _STAND_IN:
        return len(data) - 2, _PLACEHOLDER[:-1]
    return len(data) - 2, ""


def _marked(paragraph: str) -> tuple[str, list[str]]:
    """The paragraph with each code span and escaped character made one stand-in, and what each
    stands for in an href (Python-Markdown's: the character, the code's text as in HTML)."""
    pieces: list[str] = []
    meant: list[str] = []
    shown = 0
    for start, end, ticks in [*code_spans(paragraph), (len(paragraph), len(paragraph), 0)]:
        segment, last = paragraph[shown:start], 0
        for escape in _ESCAPE.finditer(segment):
            if escape.group(1) in _ESCAPED:
                pieces += (segment[last : escape.start()], _STAND_IN)
                meant.append(escape.group(1))
                last = escape.end()
        pieces.append(segment[last:])
        if ticks:
            pieces.append(_STAND_IN)
            code = paragraph[start + ticks : end - ticks].strip()
            meant.append(code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        shown = end
    return "".join(pieces), meant


# Where a link by reference starts and ends, its destination and its text.
Use = tuple[int, int, str, str]
# Where a link starts and ends, and its destination does; whether Python-Markdown slipped there.
Link = tuple[int, int, int, int, bool, int]  # (start, end, destination's, slipped, "]")


class _Marks:
    """A paragraph's brackets, parentheses and quotes, found in one pass: what Python-Markdown
    scans for from each link, again and again."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.closing: dict[int, int] = {}  # each "[" or "(" -> the "]" or ")" that closes it
        self.brackets: list[int] = []  # where each "[" is
        self.parens: list[int] = []  # where each "(" or ")" is
        self.depth: list[int] = []  # how many "(" less ")" up to each of them
        self.quotes: dict[str, list[int]] = {"'": [], '"': []}
        self.ends: list[tuple[int, int]] = []  # each ")" after a quote (and spaces), the quote
        opened: dict[str, list[int]] = {"[": self.brackets, "(": []}
        open_now: dict[str, list[int]] = {"[": [], "(": []}
        for found in _MARKS.finditer(text):
            at, mark = found.start(), found.group()
            if mark in "'\"":
                self.quotes[mark].append(at)
                continue
            kind = "[" if mark in "[]" else "("
            if mark in "[(":
                opened[kind].append(at)
                open_now[kind].append(at)
            elif open_now[kind]:
                self.closing[open_now[kind].pop()] = at
            if kind == "(":
                self.parens.append(at)
                self.depth.append((self.depth[-1] if self.depth else 0) + (mark == "(") * 2 - 1)
            if mark == ")":
                self._after_quote(at)

    def _after_quote(self, at: int) -> None:
        before = at - 1  # (spaces before a ")" are passed once each: only one ")" follows them)
        while before >= 0 and self.text[before] == " ":
            before -= 1
        if before >= 0 and self.text[before] in "'\"":
            self.ends.append((at, before))

    def links(self, image: bool = False) -> list[Link]:
        """Each link (or image) in order, as ``LinkInlineProcessor`` finds them: from each "["
        (after "!" for an image, else not), its text to the "]" that closes it, then its
        destination; the next looked for after it."""
        found: list[Link] = []
        after = 0
        for at in self.brackets:
            bang = at > 0 and self.text[at - 1] == "!"
            close = self.closing.get(at)
            if bang != image or at - image < after or close is None:
                continue
            destination = self._destination(close + 1)
            if destination is not None:
                start, end, after = destination
                slipped = after < 0  # (see _slip)
                after = len(self.text) if slipped else after
                found.append((at - image, after, start, end, slipped, close))
        return found

    def _destination(self, at: int) -> tuple[int, int, int] | None:
        """Where the destination of a link whose text ends before ``at`` starts and ends, and
        where the link ends (``LinkInlineProcessor.getLink``); None when it has none."""
        found = _ANGLED.match(self.text, at)
        if found is None:
            return None
        if found.group(1):
            return found.start(1) + 1, found.end(1) - 1, found.end()
        start, close = found.end(), self.closing.get(at)
        quotes = (self._next(self.quotes[mark], start) for mark in "'\"")
        quote = min((found for found in quotes if found is not None), default=None)
        if close is not None and (quote is None or close < quote):
            return start, close, close + 1
        return None if quote is None else self._titled(start, quote)

    def _titled(self, start: int, quote: int) -> tuple[int, int, int] | None:
        """The destination of a link with a quote in its parentheses, as Python-Markdown reads
        it: a title, closed by a ")" after the same quote again (the destination ends at the
        first), or by one after the other kind of quote twice (it ends at the first of those);
        else no title, and it ends at the parenthesis that would have closed it without one."""
        mark = self.text[quote]
        other = self._next(self.quotes["'" if mark == '"' else '"'], quote)
        first = bisect_right(self.ends, (quote, len(self.text)))
        for end, before in self.ends[first : first + 3]:  # (two at most are not: see below)
            if before not in (quote, other):  # (the quote itself, the first of the other kind)
                same = self.text[before] == mark
                return start, quote if same or other is None else other, end + 1
        depth = 1 + self._depth(quote) - self._depth(start)
        last = bisect_right(self.parens, quote) + depth - 1
        if last >= len(self.parens):
            return None
        if self.text[self.parens[last]] == "(":
            return self._slip(start)
        return start, self.parens[last], self.parens[last] + 1

    def _slip(self, start: int) -> tuple[int, int, int]:
        """Python-Markdown's reading of a link whose title does not close and whose parenthesis
        closing it is a "(", as its page shows it: the paragraph's rest less its last two
        characters (an index of -1 for the link's end, which ends the paragraph's links)."""
        return start, len(self.text), -1

    def _depth(self, at: int) -> int:
        """How many "(" less ")" come before ``at``."""
        before = bisect_left(self.parens, at)
        return self.depth[before - 1] if before else 0

    @staticmethod
    def _next(positions: list[int], at: int) -> int | None:
        """The first of the positions at or after ``at``."""
        index = bisect_left(positions, at)
        return positions[index] if index < len(positions) else None
