"""The manual's files (``/files/COMMIT/PATH``) as a static export writes them: never in a form
that a browser runs script in, whatever file server sends them.

The service sends each of them with a policy that lets nothing in it run or load
(``web.pages.FILE_POLICY``), since an SVG image may hold a script, which would run in the
site's origin when the image's address is opened. A file server sends no such policy, and every
common one (nginx, Apache, S3 and CloudFront, GitHub Pages, Netlify, Python's http.server)
names a file's type by its ending: ``.svg`` is ``image/svg+xml``, which runs scripts when
opened, and no other ending gives a type that an ``<img>`` would show as SVG. So, at an SVG's
address, the export writes an SVG of its own that holds nothing but the original as an image
(``<image href="data:image/svg+xml;base64,...">``): an image inside an SVG is drawn as an
``<img>`` draws one, running no script and loading nothing, both when a page shows the file and
when its address is opened. It keeps the original's width, height and aspect ratio, so a page
shows the picture as before. PNG, JPEG, GIF and WebP files are written as they are: browsers
never run them (nor read them as HTML). Any other ending is left out.
"""

from __future__ import annotations

import re
from base64 import b64encode
from pathlib import PurePosixPath
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

AS_THEY_ARE = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
WRAPPED = frozenset({".svg"})
_SVG = "{http://www.w3.org/2000/svg}svg"
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# A length that gives an image its own size (a percentage gives none, as in an <img>).
_LENGTH = re.compile(rf"\s*({_NUMBER})(px|pt|pc|mm|cm|in|em|ex)?\s*")
_VIEW_BOX = re.compile(rf"\s*{_NUMBER}(?:\s*,\s*|\s+){_NUMBER}(?:\s*,\s*|\s+)"
                       rf"({_NUMBER})(?:\s*,\s*|\s+)({_NUMBER})\s*")  # fmt: skip


def published(path: str, data: bytes) -> bytes | None:
    """What the export writes for the manual's file at ``path`` (a path ending as the
    service's ``/files/`` route accepts): None for a file it leaves out."""
    ending = PurePosixPath(path).suffix.lower()
    if ending in AS_THEY_ARE:
        return data
    if ending in WRAPPED:
        return svg_as_image(data)
    return None


def svg_as_image(data: bytes) -> bytes:
    """An SVG holding ``data`` (an SVG) as an image only, the same size as ``data`` draws."""
    size, inner = _size(data)
    encoded = b64encode(data).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg"{size}>'
        f'<image {inner} preserveAspectRatio="none" href="data:image/svg+xml;base64,{encoded}"/>'
        "</svg>\n"
    ).encode("ascii")


def _size(data: bytes) -> tuple[str, str]:
    """The outer SVG's size attributes, and the image's within it, from the original's root:
    its width and height (lengths only: numbers, never text of the file's); where one is
    missing, its viewBox's aspect ratio, which an <img> then sizes it by."""
    root = _root_attributes(data)
    lengths = {}
    for name in ("width", "height"):
        found = _LENGTH.fullmatch(root.get(name, ""))
        if found and float(found.group(1)) > 0:
            lengths[name] = found.group(1) + (found.group(2) or "")
    size = "".join(f' {name}="{value}"' for name, value in lengths.items())
    box = _VIEW_BOX.fullmatch(root.get("viewBox", ""))
    if len(lengths) == 2 or box is None or float(box.group(1)) <= 0 or float(box.group(2)) <= 0:
        return size, 'width="100%" height="100%"'
    width, height = box.group(1), box.group(2)
    return f'{size} viewBox="0 0 {width} {height}"', f'width="{width}" height="{height}"'


def _root_attributes(data: bytes) -> dict[str, str]:
    """The attributes of an SVG's root element (none for a file that is not one), read no
    further than that element: the rest is the browser's to draw, as an image."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start",))
    try:
        for start in range(0, len(data), 65536):
            parser.feed(data[start : start + 65536])
            for event in parser.read_events():
                element = event[-1]  # (the only events asked for: an element's start)
                if isinstance(element, Element):
                    return dict(element.attrib) if element.tag == _SVG else {}
    except ParseError:
        pass
    return {}
