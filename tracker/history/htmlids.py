"""The ids of headings written as raw HTML in a chapter (``<h2 id="contacts">``), as its page
gives them: with the page's prefix, as Markdown's headings have theirs (``page_anchor``), so that
none clashes with the page's own ids; and the addresses of its links written as raw HTML
(``<a href="referrals.md">``), which the page makes links to pages as it makes Markdown's. Read
from the text without Python-Markdown, as ``documents.heading_ids`` reads the Markdown headings
and ``hrefs.page_hrefs`` Markdown's links, for ``tracker check``'s links.

Python-Markdown passes raw HTML through as written, blocks and inline tags alike, and the page's
sanitiser (nh3: a browser's parser) reads it: so the text is read here as a browser tokenizes
it, in one pass however hostile. A heading's tag counts only where the browser sees a tag: not
in a comment (``<!-->`` and ``<!--->`` end one at once), in another tag's attribute value
(``title='<h2 id="x">'``), in what a ``<script>``, ``<style>``, ``<textarea>``, ``<title>`` and
the like hold (text, or dropped: ``template``), or after ``<plaintext>``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from html import unescape

from tracker.history.links import ANCHOR_PREFIX, page_anchor

# A line indented as code (Python-Markdown's indented code block), where it begins a block
# (``_code_lines``): a paragraph's or a list item's line so indented is theirs. In a list, a
# block so indented after a blank line is the item's, but taken for code here: rare, and a
# link to a heading there is then reported as broken though it works, never the other way.
_INDENTED = re.compile(r"^(?: {4}|\t).*$", re.M)
_LINE = re.compile(r"^.*$", re.M)
_LIST_ITEM = re.compile(r" *(?:[-*+]|[0-9]+[.])(?:[ \t]|$)")  # (Python-Markdown's: no "1)")
# A raw HTML block's first line: one of Python-Markdown's block-level tags at its start.
_BLOCK_TAG = re.compile(
    r" {0,3}<(address|article|aside|blockquote|body|canvas|center|colgroup|dd|details|div|dl"
    r"|dt|fieldset|figcaption|figure|footer|form|group|h[1-6]|header|hgroup|hr|html|iframe"
    r"|legend|li|main|map|math|menu|nav|noscript|object|ol|option|output|p|pre|progress"
    r"|script|section|style|summary|table|tbody|td|textarea|tfoot|th|thead|tr|ul|video)"
    r"(?=[\t\n\f\r />]|$)",
    re.I,
)
_SPACE = "\t\n\f\r "  # (HTML's white space)
_NAME = re.compile(r"[^\t\n\f\r />]*")  # a tag's name, after its first letter
# Before an attribute: white space and '/'; its name (whose first character may be '='); an
# '=' before its value, and a value not in quotes.
_BEFORE_NAME = re.compile(r"[\t\n\f\r /]*([^\t\n\f\r />][^\t\n\f\r />=]*)?")
_EQUALS = re.compile(r"[\t\n\f\r ]*=[\t\n\f\r ]*")
_BARE = re.compile(r"[^\t\n\f\r >]*")
# Elements whose content a browser reads as text up to their end tag (or drops: template).
_RAW = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
     "noscript", "template"}
)  # fmt: skip
# Raw HTML in a paragraph, as Python-Markdown passes it through (inlinepatterns.HTML_RE: a tag,
# a comment, a processing instruction or CDATA); any other '<' there it escapes, as text. Its
# quantifiers never give back what they took, so each try reads at most to a quote's match.
_INLINE_HTML = re.compile(
    r"""<(?:/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'"""
    r"""|[^\s"'=<>]++))?+)*+\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]"""
    r"""|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>""",
    re.S,
)
_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_BLANK = re.compile(r"\n[ \t]*\n")  # a blank line: a paragraph ends there
_COMMENT_ENDS = ("-->", "--!>")
_BLOCK_MARKS = ("<!--", "<?", "<![CDATA[")  # (what begins a raw block besides a tag)


def raw_heading_ids(text: str) -> list[str]:
    """The ids raw HTML gives headings in ``text`` (its code already taken out), without the
    page's prefix (as ``DocMeta.anchors`` holds them): ``contacts`` for ``id="contacts"`` and
    for ``id="section-contacts"`` alike. Lines indented as code are left out, as the page
    leaves them, and tags a browser does not see as tags (see above)."""
    if "<h" not in text and "<H" not in text:
        return []
    return _Reader(text, "id").ids()


def raw_link_hrefs(text: str) -> list[str]:
    """The ``href`` of each link (``<a>``) raw HTML in ``text`` (its code already taken out)
    makes, as written (its character references read), read as ``raw_heading_ids`` reads
    headings."""
    if "<a" not in text and "<A" not in text:
        return []
    return _Reader(text, "href").ids()


class _Reader:
    """One pass over a text as a browser reads its tags. What Python-Markdown shows as text
    rather than passing through (a comment, a tag or a quoted value nothing closes: it escapes
    its '<') is read as text; each search is looked up first in where the last of what it
    looks for is (none after: no search), so that a hostile text is read in about one pass."""

    def __init__(self, text: str, wanted: str) -> None:
        self.text, self.wanted = text, wanted  # ("id": headings' ids; "href": links')
        self.last = {mark: text.rfind(mark) for mark in ('"', "'", ">", "-->", "--!>")}
        self.found: list[str] = []
        # Where a walk through a tag's attributes was at when it found no end: a walk from
        # there always ends alike, so a later one (a '<' among those attributes) stops there.
        self.endless: set[int] = set()

    def ids(self) -> list[str]:
        text = self.text
        indented = _code_lines(text)
        starts = [start for start, _ in indented]
        at = _next_tag(text, 0)
        while at >= 0:
            line = bisect_right(starts, at) - 1
            if line >= 0 and at < indented[line][1]:  # (code: not HTML)
                at = _next_tag(text, indented[line][1])
                continue
            after = self._after(at)
            at = -1 if after is None else _next_tag(text, after)
        return self.found

    def _find(self, mark: str, at: int) -> int:
        """Where ``mark`` is next found from ``at`` (-1: nowhere)."""
        return self.text.find(mark, at) if self.last[mark] >= at else -1

    def _after(self, at: int) -> int | None:
        """Where the browser reads on after what starts with the '<' at ``at`` (a comment, a
        tag, a raw element's text, or the '<' alone), the id of a heading's start tag kept;
        None when nothing after it is read as HTML (a raw element's text runs to the end)."""
        text = self.text
        if not _starts_block(text, at) and not _inline_tag(text, at):
            return at + 1  # (in a paragraph, Python-Markdown escapes it: text)
        if text.startswith("<!--", at):
            if text.startswith((">", "->"), at + 4):  # (<!--> and <!--->)
                return text.index(">", at + 4) + 1
            ends = [(self._find(end, at + 4), len(end)) for end in _COMMENT_ENDS]
            return min((place + size for place, size in ends if place >= 0), default=at + 1)
        closing = text.startswith("</", at)
        first = text[at + 1 + closing : at + 2 + closing]
        if not (first.isascii() and first.isalpha()):
            if text[at + 1 : at + 2] in ("!", "?") or (closing and first != ">"):
                place = self._find(">", at + 2)  # (a bogus comment, to the next '>')
                return at + 1 if place < 0 else place + 1
            return at + 1  # (text)
        name_end = _NAME.match(text, at + 2 + closing).end()  # type: ignore[union-attr]
        name = text[at + 1 + closing : name_end].lower()
        ident, end = self._attributes(name_end)
        if end is None:
            return at + 1  # (a tag no '>' ends, or a quote nothing closes: text)
        if closing:
            return end
        if self.wanted == "id" and name in _HEADINGS and ident:
            self.found.append(page_anchor(ident).removeprefix(ANCHOR_PREFIX))
        elif self.wanted == "href" and name == "a" and ident is not None:
            self.found.append(ident.strip(_SPACE))  # (as a browser reads an address)
        if name == "plaintext":
            return None
        return _end_tag(text, name, end) if name in _RAW else end

    def _attributes(self, at: int) -> tuple[str | None, int | None]:
        """The value of a start tag's first ``wanted`` attribute (a browser keeps the first),
        from ``at`` where its attributes begin, and where the tag ends, past its '>' (None:
        nothing does: a quote nothing closes, or no '>' after it)."""
        text, ident = self.text, None
        if self.last[">"] < at:
            return None, None
        walked: list[int] = []
        while True:
            if at in self.endless:
                self.endless.update(walked)
                return ident, None
            walked.append(at)
            named = _BEFORE_NAME.match(text, at)
            assert named is not None  # (it matches "")
            at = named.end()
            if named.group(1) is None:
                if text.startswith(">", at):
                    return ident, at + 1
                self.endless.update(walked)
                return ident, None
            value = None
            equals = _EQUALS.match(text, at)
            if equals is not None:
                at = equals.end()
                quote = text[at : at + 1]
                if quote in ('"', "'"):
                    closed = self._find(quote, at + 1)
                    if closed < 0:
                        self.endless.update(walked)
                        return ident, None
                    value, at = text[at + 1 : closed], closed + 1
                else:
                    value = _BARE.match(text, at).group()  # type: ignore[union-attr]
                    at += len(value)
            if ident is None and named.group(1).lower() == self.wanted:
                ident = unescape(value or "")


def _code_lines(text: str) -> list[tuple[int, int]]:
    """Where each line of an indented code block is, as Python-Markdown reads them: a line
    indented four spaces past where a block's text begins (the page's left edge, or a list
    item's text: four past its marker), where a block may begin (after a blank line, a
    heading, a rule or a raw HTML block; never inside a paragraph, whose lines go on however
    indented), and the lines after it indented as far (blank lines between them too). A list
    item begins at a marker (``-``, ``*``, ``+``, ``1.``; a list cannot break into a
    paragraph) and ends at text less indented than its own after a blank line, or a heading.
    In a raw HTML block (a block-level tag or a comment at a line's start, to the line that
    closes it) every line is HTML. Not read: code in a blockquote (``>     x``)."""
    found: list[tuple[int, int]] = []
    if "\n    " not in text and "\n\t" not in text and not text.startswith(("    ", "\t")):
        return found  # (no line is indented: most chapters)
    code_at: int | None = None  # the indent of the code block's lines, in one
    items: list[int] = []  # where the text of each open list item begins, innermost last
    after_block, paragraph, html, depth = True, False, "", 0
    for line in _LINE.finditer(text):
        words = line.group()
        if html:  # (Python-Markdown passes the lines of a raw HTML block through as they are)
            depth += _tags_opened(html, words)
            if depth <= 0:
                html, after_block, paragraph = "", words.rstrip().endswith(">"), False
            continue
        if not words.strip():
            after_block, paragraph = True, False  # (a code block goes on over blank lines)
            continue
        spaced = words.expandtabs(4) if "\t" in words else words
        indent = len(spaced) - len(spaced.lstrip(" "))
        if code_at is not None and indent >= code_at:
            found.append((line.start(), line.end()))
            continue
        code_at = None
        if after_block and items and indent < items[-1] and not _LIST_ITEM.match(spaced):
            items = [at for at in items if at <= indent]  # (text less indented: the list ends)
        base = items[-1] if items else 0
        if after_block and not paragraph and indent >= base + 4:
            code_at = base + 4
            found.append((line.start(), line.end()))
            continue
        rest = spaced[indent:]
        marker = _LIST_ITEM.match(spaced)
        if marker is not None and (after_block or items or not paragraph):
            items = [at for at in items if at <= indent] + [indent + 4]
            after_block, paragraph = False, True
        elif (rest.startswith("#") and indent < base + 4) or _RULE.fullmatch(rest):
            after_block, paragraph = True, False  # (a heading, a rule or a heading's underline)
            items = items if indent else []
        elif indent >= 4:  # (a tag or comment so indented is no block's start: text)
            after_block, paragraph = False, True
        elif (opened := _BLOCK_TAG.match(rest)) and opened.group(1).lower() not in _VOID:
            html = opened.group(1).lower()
            depth = 0 if _SELF_CLOSED.match(rest) else _tags_opened(html, rest)
            after_block, paragraph = rest.rstrip().endswith(">"), False
            html = html if depth > 0 else ""
            items = items if indent else []
        elif opened or rest.startswith("<!--"):
            if not opened and "-->" not in rest:
                html, depth = "!--", 1
            after_block, paragraph = rest.rstrip().endswith(">"), False
            items = items if indent else []
        else:
            after_block, paragraph = False, True
    return found


_RULE = re.compile(r"(?:([-*_])[ \t]*(?:\1[ \t]*){2,}|=+[ \t]*)")
_SELF_CLOSED = re.compile(r"<[A-Za-z0-9]+(?:[^>\"']|\"[^\"]*\"|'[^']*')*/>")
_VOID = frozenset({"hr"})  # (of the block-level tags: an element that never holds a line)


def html_block_spans(text: str) -> list[tuple[int, int]]:
    """Where each raw HTML block is: a block-level tag (or a comment) at a line's start, to
    the line that closes it (or the text's end). Python-Markdown passes its lines through as
    they are, so a backtick there opens no code span (a link written ``<p>`<a href="b.md">```
    is a link on the page: a property test found check passing it over as code)."""
    found: list[tuple[int, int]] = []
    start, html, depth = 0, "", 0
    for line in _LINE.finditer(text):
        words = line.group()
        if html:
            depth += _tags_opened(html, words)
            if depth <= 0:
                found.append((start, line.end()))
                html = ""
            continue
        rest = words.lstrip(" ")
        opened = _BLOCK_TAG.match(words)
        if opened:
            name = opened.group(1).lower()
            void = name in _VOID or _SELF_CLOSED.match(rest) is not None
            depth = 0 if void else _tags_opened(name, words)
        elif len(words) - len(rest) < 4 and rest.startswith("<!--"):
            begin = line.start() + len(words) - len(rest)  # (the comment alone: what follows
            close = text.find("-->", begin + 4)  # it on its line is read as Markdown)
            found.append((begin, len(text) if close < 0 else close + 3))
            continue
        else:
            continue
        if depth > 0:
            html, start = name, line.start()
        else:
            found.append((line.start(), line.end()))
    if html:
        found.append((start, len(text)))
    return found


def _tags_opened(name: str, line: str) -> int:
    """How many more ``name`` elements a line opens than it closes ("!--": comments)."""
    if name == "!--":
        return line.count("<!--") - line.count("-->")
    opened = len(re.findall(f"<{name}(?=[{_SPACE}/>]|$)", line, re.I))
    return opened - len(re.findall(f"</{name}[{_SPACE}]*>", line, re.I))


def _next_tag(text: str, at: int) -> int:
    """Where the next '<' that may begin a tag, a comment or the like is, from ``at`` (-1:
    none): any other '<' is text, in a block and in a paragraph alike (a review found a
    megabyte of '<' read one by one: a second)."""
    found = _TAG_START.search(text, at)
    return -1 if found is None else found.start()


def _end_tag(text: str, name: str, at: int) -> int | None:
    """Where the end tag of a raw element named ``name`` begins, from ``at`` (None: none)."""
    pattern = re.compile(f"</{name}[{_SPACE}/>]", re.I)
    found = pattern.search(text, at)
    return None if found is None else found.start()


def _inline_tag(text: str, at: int) -> bool:
    """Whether Python-Markdown passes the '<' at ``at``, in a paragraph, through as HTML: what
    its HTML_RE matches there, within the paragraph (a blank line ends it: ``x<h2 id="`` and
    a blank line, then ``">``, is text)."""
    found = _INLINE_HTML.match(text, at)
    return found is not None and _BLANK.search(text, at, found.end()) is None


def _starts_block(text: str, at: int) -> bool:
    """Whether the '<' at ``at`` begins a block (after a blank line, or the text's start; or a
    block-level tag at a line's start, which ends a paragraph): Python-Markdown passes a raw
    HTML block through whole, and in a paragraph only what its HTML_RE matches
    (``_INLINE_HTML``)."""
    if at == 0 or text[max(0, at - 2) : at] == "\n\n" or (at == 1 and text[0] == "\n"):
        # (a block only where the tag is block-level, or a comment or the like: any other
        # tag there, a span or an <a>, begins a paragraph, as "<words" does, which is text)
        return _BLOCK_TAG.match(text, at) is not None or text.startswith(_BLOCK_MARKS, at)
    line = text.rfind("\n", 0, at) + 1
    return (
        at - line <= 3 and not text[line:at].strip(" ") and _BLOCK_TAG.match(text, line) is not None
    )
