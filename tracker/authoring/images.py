"""``tracker check``'s rules for the images of each document's current text, as the website
publishes it (sanitised HTML: not an image in code or a comment, but one written as HTML):
``image-alt``, an image a screen reader cannot describe, and ``broken-image``, one whose file
its page cannot show."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from html import unescape
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from tracker.authoring.lines import Lines
from tracker.errors import RefError
from tracker.history.links import IMAGE_TYPES, LARGEST_IMAGE, link_path
from tracker.history.model import Level, Problem, Version
from tracker.history.snapshot import Snapshot

_IMG = re.compile(r"<img\b[^>]*>")  # (in sanitised HTML: attribute values hold no '<' or '>')
_ALT = re.compile(r'\salt="([^"]*)"')
_SRC = re.compile(r'\ssrc="([^"]*)"')
_ALT_RULE = "image-alt"
_BARE_IMG = "has an <img> with no alt text, so a screen reader reads out its file's name instead"
_NO_WORDS = (
    'has an image with an empty description (![](…), or alt=""): say what it shows, unless '
    "it is only decoration"
)
BROKEN = "broken-image"
# The size of a file at a commit, by its path in the repository (None: the commit has none).
Sizes = Callable[[str, str], int | None]


def image_problems(
    snapshot: Snapshot,
    published: Callable[[Version], str],
    sizes: Sizes | None = None,
    lines: Lines | None = None,
) -> list[Problem]:
    """Images a screen reader cannot describe (WCAG 1.1.1): an ``<img>`` without ``alt`` (it
    reads out the file's name), and, as a warning, one whose description is empty
    (``![](flow.png)``: right only for decoration). With ``sizes``, images the page cannot
    show (``Files.broken``). Each on the line where its address is written (``lines``)."""
    found = []
    files = Files(snapshot, sizes) if sizes is not None else None
    for doc in snapshot.documents:
        version = doc.latest
        if version.withdrawn or not version.blob:
            continue
        for image in _IMG.finditer(published(version)):
            alt, src = _ALT.search(image.group(0)), _SRC.search(image.group(0))
            address = unescape(src.group(1)) if src else ""
            broken = files.broken(version, address) if files and address else None
            wrong: list[tuple[Level, str, str]] = []
            if alt is None:
                wrong.append(("error", _BARE_IMG, _ALT_RULE))
            elif not alt.group(1).strip():
                wrong.append(("warning", _NO_WORDS, _ALT_RULE))
            if broken is not None:
                wrong.append(("error", broken, BROKEN))
            line = lines.address(version, address) if lines and wrong and address else None
            found += [Problem(level, version.path, message, rule=rule, line=line)
                      for level, message, rule in wrong]  # fmt: skip
    return found


class Files:
    """The files a version's images name, as the website finds them: each image's address
    given by ``tracker.publish.chapter`` (a path relative to the chapter, inside the manual's
    folder, of an image type), its file read as it was at the version's commit by
    ``/files/<commit>/<path>`` (its name's accents joined or apart, at most LARGEST_IMAGE)."""

    def __init__(self, snapshot: Snapshot, sizes: Sizes) -> None:
        self.root, self.head, self.sizes = snapshot.root, snapshot.head, sizes
        self.known: dict[tuple[str, str], int | None] = {}

    def broken(self, version: Version, src: str) -> str | None:
        """Why the page of this version cannot show the image at ``src`` (as its HTML has it),
        or None when it can, or when it is not the manual's to show (a web address)."""
        try:
            parts = urlsplit(src)
        except ValueError:  # ("//[x.png": no address; the page leaves it as written)
            return None
        if parts.scheme or parts.netloc or not parts.path:
            return None
        shown = f"shows the image {src}, which"
        target = None if src.startswith("/") else link_path(version.path, parts.path)
        if target is None:
            return (
                f"{shown} is outside the manual's folder, so its page shows none; keep images in "
                "the manual's folder, named by their path from the document (images/flow.png)"
            )
        if PurePosixPath(target).suffix.lower() not in IMAGE_TYPES:
            return f"{shown} is not a PNG, JPEG, GIF, WebP or SVG file, so its page shows none"
        size = self.size(version.commit, target)
        if size is None and self.size(self.head, target) is not None:
            return (
                f"{shown} the manual did not have when this version was committed "
                f"({version.commit[:10]}): its page shows images as they were then, so none"
            )
        if size is None:
            return (
                f"{shown} is not a file of the manual, so its page shows none (the path is "
                "from the document's folder, and the case of its letters counts)"
            )
        if size > LARGEST_IMAGE:
            return f"{shown} is larger than {LARGEST_IMAGE // 1_000_000} MB, so its page shows none"
        return None

    def size(self, commit: str, path: str) -> int | None:
        """The size of the file at ``path`` under the root at ``commit`` (None: none), its
        name's accents joined or apart (NFC or NFD: as the files route finds it)."""
        if (commit, path) not in self.known:
            where = self.root.join(path)
            names = [where]
            if not where.isascii():
                forms = (unicodedata.normalize(form, where) for form in ("NFD", "NFC"))
                names += [name for name in forms if name != where]
            found = None
            for name in names:
                try:
                    found = self.sizes(commit, name)
                except RefError:  # (a name git could take for an option: the route refuses it)
                    found = None
                if found is not None:
                    break
            self.known[(commit, path)] = found
        return self.known[(commit, path)]
