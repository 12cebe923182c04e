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

from tracker.history.codeless import code_spans, without_fences

_STAND_IN = "\x02"  # for an escaped character or a code span (Python-Markdown drops \x02)
_LINKED = "\x03"  # for a link, where images are looked for (and \x03)
_PLACEHOLDER = "\x02klzzwxh:0000\x03"  # Python-Markdown's stand-in (its number never matters)
_ESCAPED = frozenset("\\`*_{}[]()>#+-.!")  # Python-Markdown's ESCAPED_CHARS
_ESCAPE = re.compile(r"\\(.)")
_SPACES = re.compile(r"(?<=\n) +\n")  # a line of spaces: Python-Markdown empties it
_BLANK_LINE = re.compile(r"\n\n+")
_LEADING_TITLE = re.compile(r"\A\s*#[ \t]+[^\n]*\n")  # the page's own title, not its body
_MARKS = re.compile(r"[\[\]()'\"]")
# LinkInlineProcessor.RE_LINK: a destination in <...>, with a title or none; else "(" alone.
_ANGLED = re.compile(r"""\(\s*(?:(<[^<>]*>)\s*(?:('[^']*'|"[^"]*")\s*)?\))?""")


def page_hrefs(body: str) -> list[str]:
    """The ``href`` of each link (``<a>``) the page of a chapter with this body shows, in order
    (images, and links within an image's description, are not links)."""
    if "](" not in body:  # (the fast way out: every link has it)
        return []
    text = body.replace(_STAND_IN, "").replace(_LINKED, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)  # (as Python-Markdown)
    title = _LEADING_TITLE.match(text)
    text = "\n" + (text[title.end() :] if title else text)
    if "```" in text or "~~~" in text:
        text = without_fences(text)
    hrefs: list[str] = []
    for paragraph in _BLANK_LINE.split(_SPACES.sub("\n", text)):
        if "](" in paragraph:  # (as Python-Markdown's paragraph, which ends before the newline)
            hrefs.extend(_paragraph_hrefs(paragraph.rstrip("\n")))
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


def _paragraph_hrefs(paragraph: str) -> list[str]:
    """The hrefs of a paragraph's links (as ``page_hrefs``)."""
    data, meant = _marked(paragraph)
    links = _Marks(data).links()
    if links and "![" in data:
        links = _outside_images(data, links)
    stand_ins = [found.start() for found in re.finditer(_STAND_IN, data)]
    hrefs = []
    for _, _, start, end, slipped in links:
        end, left = _slipped(data) if slipped else (end, "")
        first = bisect_left(stand_ins, start)  # (what stands in for the first in it)
        pieces = data[start:end].split(_STAND_IN)
        href = "".join(piece + meant[first + n] for n, piece in enumerate(pieces[:-1]))
        hrefs.append((href + pieces[-1] + left).strip())
    return hrefs


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


def _outside_images(data: str, links: list[Link]) -> list[Link]:
    """The links not within an image (``![a [b](b.md)](c.png)``: Python-Markdown reads its
    links first, then images, and an image's description is text)."""
    pieces, at, shown, length = [], [], 0, 0
    for start, end, _, _, slipped in links:
        pieces.append(data[shown:start])
        length += start - shown
        at.append(length)
        pieces.append(_LINKED)
        length += 1
        shown = end - slipped  # (Python-Markdown keeps the last character after one: _slip)
    images = _Marks("".join(pieces) + data[shown:]).links(image=True)
    starts = [image[0] for image in images]
    kept = []
    for link, where in zip(links, at, strict=True):
        image = bisect_right(starts, where) - 1
        if image < 0 or images[image][1] <= where:
            kept.append(link)
    return kept


# Where a link starts and ends, and its destination does; whether Python-Markdown slipped there.
Link = tuple[int, int, int, int, bool]


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
                found.append((at - image, after, start, end, slipped))
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
