"""``tracker check``'s rules for the images of each document's current text, as the website
publishes it (sanitised HTML: not an image in code or a comment, but one written as HTML):
``image-alt``, an image a screen reader cannot describe, and ``broken-image``, one whose file
its page cannot show."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from html import unescape
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

from tracker.authoring.lines import Lines
from tracker.authoring.notfiles import Tree
from tracker.history.documents import LFS_FIX, LFS_POINTER
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
CHANGED = "image-changed"
# The blob id and size of each file (commit, path in the repository) asked at once (None: the
# commit has none).
Blob = tuple[str, int]


class Objects(Tree, Protocol):
    """Git's objects, as ``GitRepo`` reads them."""

    def file_objects(self, files: Iterable[tuple[str, str]]) -> list[Blob | None]:
        """The blob id and size of each file (commit, path), without reading it."""

    def read_blobs(self, shas: Iterable[str], limit: int) -> Iterator[tuple[str, bytes | None]]:
        """Contents of blobs in the order given, cut after ``limit`` + 1 bytes."""


# How each kind of image begins (WebP: "RIFF", its size, then "WEBP"); an SVG is text whose
# "<svg" comes within its first 8 KB (after an XML declaration, a comment, a doctype), in
# UTF-8 or, after its byte order mark, UTF-16.
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_SNIFFED = 8192  # (bytes of each image read: an SVG's licence comment may come first)


def image_problems(
    snapshot: Snapshot,
    published: Callable[[Version], str],
    objects: Objects | None = None,
    lines: Lines | None = None,
) -> list[Problem]:
    """Images a screen reader cannot describe (WCAG 1.1.1): an ``<img>`` without ``alt`` (it
    reads out the file's name), and, as a warning, one whose description is empty
    (``![](flow.png)``: right only for decoration). With ``objects``, images the page cannot
    show (``Files.broken``), or shows as they were before a change (``Files.changed``). Each
    on the line where its address is written (``lines``)."""
    shown = [
        (doc.latest, image.group(0))
        for doc in snapshot.documents
        if not doc.latest.withdrawn and doc.latest.blob
        for image in _IMG.finditer(published(doc.latest))
    ]
    files = Files(snapshot, objects) if objects is not None else None
    images = [(version, tag, _src(tag)) for version, tag in shown]
    if files is not None:  # (every file asked of git at once)
        files.look_up([(version, src) for version, _, src in images if src])
    found = []
    for version, tag, src in images:
        alt = _ALT.search(tag)
        broken = files.broken(version, src) if files and src else None
        wrong: list[tuple[Level, str, str]] = []
        if alt is None:
            wrong.append(("error", _BARE_IMG, _ALT_RULE))
        elif not alt.group(1).strip():
            wrong.append(("warning", _NO_WORDS, _ALT_RULE))
        if broken is not None:
            wrong.append(("error", broken, BROKEN))
        elif files and src and (changed := files.changed(version, src)) is not None:
            wrong.append(("warning", changed, CHANGED))
        line = lines.address(version, src, kind="image") if lines and wrong and src else None
        found += [Problem(level, version.path, message, rule=rule, line=line)
                  for level, message, rule in wrong]  # fmt: skip
    return found


def _src(tag: str) -> str:
    """An ``<img>``'s address, as a browser reads it ('' for none)."""
    src = _SRC.search(tag)
    return unescape(src.group(1)) if src else ""


def _named(document: str, src: str) -> str | None:
    """The path under the root of the file the image at ``src`` in the document at path
    ``document`` names, as ``tracker.publish.chapter`` reads it: '' when it is not the
    manual's to show (a web address), None when it leads outside the manual's folder."""
    try:
        parts = urlsplit(src)
    except ValueError:  # ("//[x.png": no address; the page leaves it as written)
        return ""
    if parts.scheme or parts.netloc or not parts.path:
        return ""
    return None if src.startswith("/") else link_path(document, parts.path)


class Files:
    """The files a version's images name, as the website finds them: each image's address
    given by ``tracker.publish.chapter`` (a path relative to the chapter, inside the manual's
    folder, of an image type), its file read as it was at the version's commit by
    ``/files/<commit>/<path>`` (its name's accents joined or apart, at most LARGEST_IMAGE)."""

    def __init__(self, snapshot: Snapshot, objects: Objects) -> None:
        self.root, self.head, self.objects = snapshot.root, snapshot.head, objects.file_objects
        self.config = snapshot.config
        self.known: dict[tuple[str, str], Blob | None] = {}  # (commit, repository path) -> blob
        self.read = objects.read_blobs
        self.starts: dict[str, bytes | None] = {}  # blob id -> its first bytes (None: missing)

    def look_up(self, images: list[tuple[Version, str]]) -> None:
        """Ask git at once for the files these images name, at their version's commit and at
        the head (for one added since)."""
        wanted: dict[tuple[str, str], None] = {}  # (in order, each once)
        for version, src in images:
            target = _named(version.path, src)
            if target and PurePosixPath(target).suffix.lower() in IMAGE_TYPES:
                for commit in (version.commit, self.head):
                    wanted.update(dict.fromkeys((commit, name) for name in self._names(target)))
        asked = [key for key in wanted if key not in self.known]
        self.known.update(zip(asked, self.objects(asked), strict=True))

    def broken(self, version: Version, src: str) -> str | None:
        """Why the page of this version cannot show the image at ``src`` (as its HTML has it),
        or None when it can, or when it is not the manual's to show (a web address)."""
        shown = f"shows the image {src}, which"
        target = _named(version.path, src)
        if target == "":
            return None
        if target is None:
            return (
                f"{shown} is outside the manual's folder, so its page shows none; keep images in "
                "the manual's folder, named by their path from the document (images/flow.png)"
            )
        if PurePosixPath(target).suffix.lower() not in IMAGE_TYPES:
            return f"{shown} is not a PNG, JPEG, GIF, WebP or SVG file, so its page shows none"
        if not self.config.is_published(target):
            return (
                f"{shown} is not published (a folder on its path or its name starts with _, "
                "or an exclude pattern in manual.toml matches it), so its page shows none"
            )
        blob = self.blob(version.commit, target)
        if blob is None and self.blob(self.head, target) is not None:
            return (
                f"{shown} the manual did not have when this version was committed "
                f"({version.commit[:10]}): its page shows images as they were then, so none"
            )
        if blob is None:
            return (
                f"{shown} is not a file of the manual, so its page shows none (the path is "
                "from the document's folder, the case of its letters counts, and a symbolic "
                "link is no file)"
            )
        if blob[1] > LARGEST_IMAGE:
            return f"{shown} is larger than {LARGEST_IMAGE // 1_000_000} MB, so its page shows none"
        return self._not_an_image(shown, blob[0])

    def _not_an_image(self, shown: str, sha: str) -> str | None:
        """Why a file named as an image is none, by what it holds (its name's ending said
        nothing of a Git LFS pointer, nor of text named flow.png: exploratory testing)."""
        if sha not in self.starts:  # (every image's file read at once, when first asked)
            others = {blob[0] for blob in self.known.values() if blob} - set(self.starts) - {sha}
            self.starts.update(self.read([sha, *sorted(others)], _SNIFFED))
        start = self.starts.get(sha)
        if start is None or is_image(start):
            return None  # (git lacks it: the page's own notice says so)
        if start.startswith(LFS_POINTER):
            return (
                f"{shown} is a Git LFS pointer, not the image (git holds only a note of a file "
                "kept elsewhere), so its page shows none; keep the manual's images out of Git "
                f"LFS{LFS_FIX}"
            )
        return f"{shown} is not a PNG, JPEG, GIF, WebP or SVG image inside, so its page shows none"

    def changed(self, version: Version, src: str) -> str | None:
        """Why the page of this version shows an older image than the manual now has (a page
        shows its images as they were at its commit: a corrected flowchart committed alone never
        reached it), or None. Told by the file's blob id, which ``look_up`` asked of git at both
        commits (a size alone missed a corrected digit in an SVG)."""
        target = _named(version.path, src)
        if not target or version.commit == self.head:
            return None
        then, now = self.blob(version.commit, target), self.blob(self.head, target)
        if then is None or now is None or then[0] == now[0]:
            return None
        return (
            f"shows the image {src} as it was when the document was last committed "
            f"({version.commit[:10]}); the file has changed since, so its page still shows the "
            "old image: commit the document again (any change) to show the new one"
        )

    def _names(self, path: str) -> list[str]:
        """The repository paths the files route tries for a path under the root: as written,
        then with its accents apart (NFD) or joined (NFC); none git could take for an option,
        which the route refuses."""
        where = self.root.join(path)
        names = [where]
        if not path.isascii():  # (the part under the root only, as the route tries it)
            forms = (self.root.join(unicodedata.normalize(form, path)) for form in ("NFD", "NFC"))
            names += [name for name in forms if name not in names]
        return [name for name in names if not name.startswith("-")]

    def blob(self, commit: str, path: str) -> Blob | None:
        """The blob id and size of the file at ``path`` under the root at ``commit`` (None:
        none), as the files route finds it (``_names``), asked of git unless ``look_up`` asked
        already."""
        names = self._names(path)
        asked = [(commit, name) for name in names if (commit, name) not in self.known]
        self.known.update(zip(asked, self.objects(asked), strict=True))
        found = (self.known[(commit, name)] for name in names)
        return next((blob for blob in found if blob is not None), None)


def is_image(start: bytes) -> bool:
    """Whether a file's first bytes are those of a PNG, JPEG, GIF, WebP or SVG image."""
    if start.startswith(_SIGNATURES) or (start[:4] == b"RIFF" and start[8:12] == b"WEBP"):
        return True
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):  # (UTF-16, as some editors save it)
        return "<svg" in start[:_SNIFFED].decode("utf-16", "replace").lower()
    return b"<svg" in start[:_SNIFFED].lower()
