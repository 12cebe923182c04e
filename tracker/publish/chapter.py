"""A chapter's Markdown -> sanitised HTML for its page, with links between chapters made pages.

Links to another document of the manual (``../referrals.md``, ``exploitation.md#section``) are
resolved against the chapter's own folder and given to ``link``, which returns the page's
address (or None when no document has that path: the link is then left as it was written,
and ``tracker check`` reports it). Headings get ids, so that ``#section`` links land.
"""

from __future__ import annotations

import posixpath
import re
import threading
from collections.abc import Callable
from html import escape, unescape
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension, slugify
from markdown.treeprocessors import Treeprocessor

from tracker.history.documents import split_front_matter

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
ANCHOR = "section-"  # heading ids begin so, never clashing with the page's own ids
TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "blockquote", "pre", "code", "hr", "a", "strong", "em", "b", "i", "br", "sup",
    "sub", "abbr", "img", "dl", "dt", "dd",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt"}, "th": {"align"},
    "td": {"align"}, "ol": {"start"}, **{f"h{level}": {"id"} for level in range(1, 7)},
}  # fmt: skip
_LEADING_TITLE = re.compile(r"\A\s*#[ \t]+[^\n]*\n")
_HREF = re.compile(r'href="([^"]*)"')
Linker = Callable[[str, str], str | None]  # (document path under the root, fragment) -> address


def render_chapter(source: str, path: str, link: Linker) -> str:
    """The body of a chapter as sanitised HTML; its own ``# Title`` is left to the page."""
    _, body = split_front_matter(source)
    body = _LEADING_TITLE.sub("", body, count=1)
    converter = _converter()
    converter.reset()
    _LinkRewriter.current.rewrite = lambda href: _rewrite(href, path, link)
    html = converter.convert(body)
    clean: str = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return shift_top_headings(clean)


def shift_top_headings(html: str) -> str:
    """Headings one level lower when the text uses h1 (the page's title is the only h1)."""
    if "<h1" not in html:
        return html
    return re.sub(
        r"<(/?)h([1-6])\b", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + 1)}", html
    )


def rewrite_links(html: str, path: str, link: Linker) -> str:
    """Links between chapters made pages in HTML rendered elsewhere (a diff of the chapter)."""
    return _HREF.sub(lambda m: f'href="{escape(_rewrite(unescape(m.group(1)), path, link))}"', html)


def _rewrite(href: str, path: str, link: Linker) -> str:
    """A relative link to a Markdown file of the manual becomes the address of its page."""
    parts = urlsplit(href)
    if href.startswith("#"):
        return f"#{ANCHOR}{parts.fragment}"  # a heading of the same chapter
    if parts.scheme or parts.netloc or not parts.path.endswith(".md") or href.startswith("/"):
        return href
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), parts.path))
    if target.startswith("../") or target == "..":
        return href
    return link(target, ANCHOR + parts.fragment if parts.fragment else "") or href


class _LinkRewriter(Treeprocessor):
    """Gives every ``<a href>`` to the rewrite function set for the conversion in progress."""

    current = threading.local()

    def run(self, root: Element) -> None:
        rewrite = getattr(self.current, "rewrite", None)
        if rewrite is None:
            return
        for anchor in root.iter("a"):
            href = anchor.get("href")
            if href:
                anchor.set("href", rewrite(href))


class _Links(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LinkRewriter(md), "chapter-links", 1)


_LOCAL = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's converter (a Markdown instance keeps state while it converts)."""
    converter: markdown.Markdown | None = getattr(_LOCAL, "converter", None)
    if converter is None:
        headings = TocExtension(slugify=lambda text, separator: ANCHOR + slugify(text, separator))
        converter = markdown.Markdown(
            extensions=[*EXTENSIONS, headings, _Links()], output_format="html"
        )
        _LOCAL.converter = converter
    return converter
