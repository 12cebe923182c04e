"""A chapter's Markdown -> sanitised HTML for its page, with links between chapters made pages.

Links to another document of the manual (``../referrals.md``, ``exploitation.md#section``) are
resolved against the chapter's own folder and given to ``link``, which returns the page's
address (or None when no document has that path: the link is then left as it was written,
and ``tracker check`` reports it; or ``NO_PAGE`` for a document that has no page to link to:
its words then stand unlinked, with a note saying why, as every list of the site names such a
document). Headings get ids, so that ``#section`` links land (one
whose words begin "Section" two: ``tracker.history.links.heading_aliases``).

A chapter's text is converted once and kept (a few hundred, most recent first) with a stand-in
for each link to another chapter and each image: a page showing the same text again (the
chapter as in force on each release date, each with its own links) only puts in the addresses
``link`` and ``media`` give now. Where an address could be written differently inside HTML, or
a link is left as written, the text is converted again, so the result is always the same.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension, slugify
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX

from tracker.history.brackets import Brackets
from tracker.history.documents import split_front_matter
from tracker.history.headings import spelled, unicode_slug
from tracker.history.hrefs import manual_target
from tracker.history.links import (
    ANCHOR_PREFIX,
    LONGEST_ID,
    composed,
    heading_aliases,
    link_path,
    page_anchor,
)
from tracker.history.model import Version
from tracker.publish.plain import NESTED, as_written, at_set_depth, might_nest_deep, unclosed_reason
from tracker.trackchanges.shared import TARGET_CLASS, shift_headings

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
ANCHOR = ANCHOR_PREFIX  # heading ids begin so, never clashing with the page's own ids
TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "blockquote", "pre", "code", "hr", "a", "strong", "em", "b", "i", "br", "sup",
    "sub", "abbr", "img", "dl", "dt", "dd",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt"}, "th": {"align"},
    "td": {"align"}, "ol": {"start"}, **{f"h{level}": {"id"} for level in range(1, 7)},
    # Any element may say its language and its direction ("*": nh3's attributes of every
    # tag): Urdu or Arabic then read right to left, and a screen reader speaks each in its own
    # voice (WCAG 1.3.2, 3.1.2).
    "*": {"lang", "title", "dir"},
}  # fmt: skip
_LEADING_TITLE = re.compile(r"\A\s*#[ \t]+[^\n]*\n")
# A link's href or an image's src in sanitised HTML (its values quoted, a '<' in text escaped:
# never text that reads so, as in a code span).
_HREF = re.compile(r'(<(?:a|img)(?: [a-z-]+="[^"]*")*? )(href|src)="([^"]*)"')
_ESCAPE = re.compile(f"{STX}([0-9]+){ETX}")  # an escaped character
_DELETED = re.compile(r"(<del\b[^>]*>.*?</del>)", re.S)  # (<del class="diff-next"> too)
# A heading's start tag in sanitised HTML, its attributes quoted (a value may hold '>'), and
# its id among them (only headings keep an id; besides it, the sanitiser keeps lang, title, dir).
_HEADING_TAG = re.compile(r'<h([1-6])((?: [a-z-]+="[^"]*")*)>')
_ID = re.compile(r' id="([^"]*)"')
_SAME_PAGE = re.compile(r'href="#([^"]+)"')  # a link to an id of the page, in sanitised HTML
Linker = Callable[[str, str], str | None]  # (document path under the root, fragment) -> address
# What ``link`` answers for a document that cannot be shown at its address (another document's
# page is there: ``Snapshot.clashing``): no address, so never one a browser could open.
NO_PAGE = "\x00no page"
NO_PAGE_NOTE = "cannot be shown on this website: its address is another page's"
_UNLINKED = re.compile(f'<a [^>]*href="{NO_PAGE}"[^>]*>(.*?)</a>', re.S)  # (no <a> within)
Media = Callable[[str], str | None]  # a file's path under the root -> its address, if served
Titles = Callable[[str], str | None]  # a document's path under the root -> its title, if any
_TARGET = re.compile(f'<a class="{TARGET_CLASS}(-was)?" href="([^"]*)">([^<]*)</a>')
# A stand-in address: a path (kept by the sanitiser), unguessable by a chapter's text.
_STAND_IN = f"/.tracker-{secrets.token_hex(8)}-"
_STAND_INS = re.compile(f'"{re.escape(_STAND_IN)}([0-9]+)"')
# Addresses written the same in HTML as they are (no character Markdown or nh3 escapes: nh3
# writes letters of other alphabets as they are, a no-break space as "&nbsp;").
_PLAIN = re.compile(r"[A-Za-z0-9/_.~%#:@!$()*+,;=?\u00a1-\U0010ffff-]*")
KEPT = 256  # converted chapter texts kept


@dataclass(frozen=True)
class _Shape:
    """A chapter converted with stand-ins: what ``link`` and ``media`` were asked, in order."""

    html: str
    links: tuple[tuple[str, str], ...]  # (document path, fragment)
    images: tuple[str, ...]  # paths under the root

    def fill(self, link: Linker, media: Media | None) -> str | None:
        """The HTML with today's addresses, or None when one cannot simply be put in."""
        answers = [link(target, fragment) for target, fragment in self.links]
        answers += [media(target) if media else None for target in self.images]
        if not all(answer is not None and _PLAIN.fullmatch(answer) for answer in answers):
            return None
        return _STAND_INS.sub(lambda found: f'"{answers[int(found.group(1))]}"', self.html)


_SHAPES: OrderedDict[tuple[bytes, str, bool], _Shape] = OrderedDict()
_SHAPES_LOCK = threading.Lock()


def render_chapter(source: str, path: str, link: Linker, media: Media | None = None) -> str:
    """The body of a chapter as sanitised HTML; its own ``# Title`` is left to the page.

    Images kept in the manual's folder (``images/flow.png``) are given the address ``media``
    returns for them; any other image is left as written (and the page's policy may block it).
    """
    if _STAND_IN in source:
        return _convert(source, path, link, media)
    key = (hashlib.sha256(source.encode()).digest(), path, media is not None)
    with _SHAPES_LOCK:
        shape = _SHAPES.get(key)
        if shape is not None:
            _SHAPES.move_to_end(key)
    if shape is None:
        shape = _shape(source, path, media is not None)
        with _SHAPES_LOCK:
            _SHAPES[key] = shape
            while len(_SHAPES) > KEPT:
                _SHAPES.popitem(last=False)
    filled = shape.fill(link, media)
    return filled if filled is not None else _convert(source, path, link, media)


def with_images(text_of: Callable[[Version], str]) -> Callable[[Version], str]:
    """A version's text as the website publishes it (sanitised HTML, links left out), for
    ``tracker check``'s images: '' for a text that holds no image (converting every chapter
    of a large manual would take seconds)."""

    def html(version: Version) -> str:
        text = text_of(version)
        if "![" not in text and "<im" not in text.lower():  # (<image> is published as <img>)
            return ""
        return render_chapter(text, version.path, lambda _target, _fragment: "#")

    return html


def shown_plain(source: str) -> str | None:
    """Why the website shows this chapter's text as written, without its formatting (None:
    it does not): ``tracker.publish.plain``."""
    body = _LEADING_TITLE.sub("", split_front_matter(source)[1], count=1)
    reason = unclosed_reason(body)
    if reason is None and might_nest_deep(body) and at_set_depth(_markdown, body) is None:
        reason = NESTED
    return reason


def _shape(source: str, path: str, images: bool) -> _Shape:
    """The chapter converted with a stand-in for each address ``link`` or ``media`` gives."""
    links: list[tuple[str, str]] = []
    targets: list[str] = []

    def link(target: str, fragment: str) -> str:
        links.append((target, fragment))
        return f"{_STAND_IN}{len(links) - 1}"

    def media(target: str) -> str:
        targets.append(target)
        return f"{_STAND_IN}i{len(targets) - 1}"

    html = _convert(source, path, link, media if images else None)
    # Images are numbered after the links, now that their number is known.
    html = re.sub(
        f'"{re.escape(_STAND_IN)}i([0-9]+)"',
        lambda found: f'"{_STAND_IN}{len(links) + int(found.group(1))}"',
        html,
    )
    return _Shape(html, tuple(links), tuple(targets))


def _convert(source: str, path: str, link: Linker, media: Media | None) -> str:
    """The chapter converted (Markdown, then nh3), with the addresses given now."""
    _, body = split_front_matter(source)
    body = _LEADING_TITLE.sub("", body, count=1)
    reason, html = unclosed_reason(body), None
    if reason is None:
        rewrite, image = (
            lambda href: _rewrite(href, path, link),
            lambda src: _image(src, path, media),
        )
        html = at_set_depth(_markdown, body, rewrite, image)
    if html is None:
        return as_written(body, reason or NESTED)
    clean: str = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    # Links written as HTML (<a href="b.md">), which Python-Markdown passes through as written,
    # made pages as Markdown's are (those are addresses by now, which this leaves as they are).
    if "<a" in body or "<A" in body or "<img" in body or "<IMG" in body:
        clean = rewrite_links(clean, path, link, media)
    return shift_top_headings(_with_aliases(_prefixed(clean)))


def _prefixed(html: str) -> str:
    """Every heading's id with the page's prefix, as Markdown's headings have it: one written
    as HTML (``<h2 id="main-content">``) kept its own, which could be one of the page's (the
    skip link's). Same-page links written as HTML go to them as Markdown's do (``page_anchor``);
    an empty id, or one an earlier heading has, is left out (an id names one element)."""
    if "<h" not in html:
        return html
    given: set[str] = set()

    def heading(found: re.Match[str]) -> str:
        level, attributes = found.groups()
        named = _ID.search(attributes)
        if named is None:
            return found.group(0)
        ident = page_anchor(named.group(1)) if named.group(1) else ""
        others = attributes[: named.start()] + attributes[named.end() :]  # (lang, title)
        if not ident or ident in given:
            return f"<h{level}{others}>"
        given.add(ident)
        return f'<h{level}{others} id="{ident}">'

    html = _HEADING_TAG.sub(heading, html)
    return _SAME_PAGE.sub(lambda found: f'href="#{page_anchor(found.group(1))}"', html)


def _with_aliases(html: str) -> str:
    """Each heading whose words begin "Section" given its second id too, as an empty element
    inside it (an element has one id): see ``heading_aliases``."""
    aliases = heading_aliases(filter(None, map(_heading_id, _HEADING_TAG.finditer(html))))
    if not aliases:
        return html
    return _HEADING_TAG.sub(lambda found: found.group(0) + _alias(aliases, found), html)


def _heading_id(found: re.Match[str]) -> str | None:
    named = _ID.search(found.group(2))
    return named.group(1) if named else None


def _alias(aliases: dict[str, str], found: re.Match[str]) -> str:
    ident = aliases.get(_heading_id(found) or "")
    return f'<span id="{ident}"></span>' if ident else ""


def shift_top_headings(html: str) -> str:
    """Headings one level lower when the text uses h1 (the page's title is the only h1), each
    level kept distinct (an h5 and an h6 never both become h6)."""
    return shift_headings(html, 1) if "<h1" in html else html


def rewrite_links(
    html: str,
    path: str,
    link: Linker,
    media: Media | None = None,
    old_media: Media | None = None,
    titles: Titles | None = None,
    old_path: str | None = None,
) -> str:
    """Links between chapters and images made pages and files in HTML rendered elsewhere (a
    diff of the chapter). Links and images in deleted text (``<del>``) are the earlier
    version's: read from its ``old_path`` (a chapter moved to another folder), images taking
    ``old_media``. A diff's note that a link goes elsewhere names the chapters by their
    ``titles`` (a file that is no chapter's, or none given: its name, unlinked), the one it
    went to read from the earlier version's ``old_path`` too."""
    if TARGET_CLASS in html:
        html = _TARGET.sub(
            lambda found: _titled(found, (old_path or path) if found[1] else path, link, titles),
            html,
        )

    def within(media_here: Media | None, here: str) -> Callable[[re.Match[str]], str]:
        def one(match: re.Match[str]) -> str:
            before, name, value = match[1], match[2], unescape(match[3])
            new = _rewrite(value, here, link) if name == "href" else _image(value, here, media_here)
            return f'{before}{name}="{escape(new)}"'

        return one

    deleted, shown = within(old_media or media, old_path or path), within(media, path)
    rewritten = "".join(
        _HREF.sub(deleted if piece.startswith("<del") else shown, piece)
        for piece in _DELETED.split(html)
    )
    return _UNLINKED.sub(lambda found: f"{found.group(1)} ({NO_PAGE_NOTE})", rewritten)


def _titled(found: re.Match[str], path: str, link: Linker, titles: Titles | None) -> str:
    """A diff note's target (``trackchanges.views``): a link named by its chapter's title."""
    href, written = unescape(found[2]), found[3]
    target = manual_target(href)
    document = link_path(path, target[0]) if target else None
    title = titles(composed(document)) if titles and document else None
    address = _rewrite(href, path, link)
    if title is None or address == href:  # (no page: the file's name)
        return written
    section = f", section “{escape(unquote(target[1]))}”" if target and target[1] else ""
    return f'<a href="{escape(address)}">{escape(title)}</a>{section}'


def _image(src: str, path: str, media: Media | None) -> str:
    try:
        parts = urlsplit(src)
    except ValueError:  # ("//[x.png": no address a browser could read; left as written)
        return src
    if media is None or parts.scheme or parts.netloc or src.startswith("/") or not parts.path:
        return src
    target = link_path(path, parts.path)
    return (media(target) if target else None) or src


def _rewrite(href: str, path: str, link: Linker) -> str:
    """A relative link to a Markdown file of the manual becomes the address of its page
    (``tracker check`` reads links so too: ``manual_target``)."""
    found = manual_target(href.strip("\t\n\f\r "))  # (HTML's: a browser drops it from an href)
    if found is None:
        return href
    document, fragment = found
    if not document:
        return f"#{page_anchor(fragment)}" if fragment else href  # the same chapter
    target = link_path(path, document)
    if target is None:
        return href
    return link(composed(target), page_anchor(fragment) if fragment else "") or href


class _LinkRewriter(Treeprocessor):
    """Gives every ``<a href>`` and ``<img src>`` to the functions set for the conversion."""

    current = threading.local()

    def run(self, root: Element) -> None:
        rewrite = getattr(self.current, "rewrite", None)
        image = getattr(self.current, "image", None)
        for anchor in root.iter("a"):
            href = anchor.get("href")
            if href and rewrite is not None:
                address = rewrite(_unescaped(href))
                if address == NO_PAGE:  # its words, and why they lead nowhere (the sanitiser
                    anchor.tag = "span"  # keeps a span's words, not the span)
                    anchor.attrib.clear()
                    anchor.tail = f" ({NO_PAGE_NOTE}){anchor.tail or ''}"
                else:
                    anchor.set("href", address)
        for picture in root.iter("img"):
            src = picture.get("src")
            if src and image is not None:
                picture.set("src", image(_unescaped(src)))


def _unescaped(address: str) -> str:
    """An address with its escaped characters put back (``a\\_b.md`` is "a_b.md"): Python-Markdown
    does so only after this runs, so such a link was left as written, broken."""
    return _ESCAPE.sub(lambda found: chr(int(found.group(1))), address)


class _Links(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LinkRewriter(md), "chapter-links", 1)


def _markdown(
    body: str,
    rewrite: Callable[[str], str] | None = None,
    image: Callable[[str], str] | None = None,
) -> str | None:
    """``body`` converted by this thread's Python-Markdown, links and images given to
    ``rewrite`` and ``image``; None if its marks are nested deeper than it can read."""
    _LinkRewriter.current.rewrite, _LinkRewriter.current.image = rewrite, image
    try:
        return _converter().reset().convert(body)
    except RecursionError:
        # Stopped part-way, its parser keeps the state it was in (a list read 500 deep: every
        # text it converted after that lost its paragraphs, read as a list item's): reset()
        # does not restore it, so this thread's converter is made again.
        _LOCAL.converter = None
        return None


_LOCAL = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's converter (a Markdown instance keeps state while it converts)."""
    converter: markdown.Markdown | None = getattr(_LOCAL, "converter", None)
    if converter is None:
        headings = TocExtension(slugify=_slug)
        converter = markdown.Markdown(
            extensions=[*EXTENSIONS, headings, _Links(), Brackets()], output_format="html"
        )
        _LOCAL.converter = converter
    return converter


def _slug(words: str, separator: str) -> str:
    """A heading's id: Python-Markdown's ASCII slug of its words, as pages have always given
    it, unless that holds no letter or digit (words of Greek, Urdu, Bengali, Chinese): then
    the words as written (``tracker.history.headings.heading_slug``, which check reads by)."""
    ident = slugify(words, separator)
    if not spelled(ident):
        ident = unicode_slug(words)
    return (ANCHOR + ident)[:LONGEST_ID]
