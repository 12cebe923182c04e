"""What a broken link in a chapter was likely meant for (``tracker check``'s "did you mean"):
the nearest document path or heading id that a link would reach."""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import quote, unquote

from tracker.history.links import ANCHOR_PREFIX, landing_ids, page_anchor
from tracker.history.model import Version

SUGGESTED = re.compile(r" \(did you mean [^()]*\?\)$")  # a suggestion, as a finding ends
SUGGESTED_TARGETS = 50  # broken links' targets given a suggestion (each compared with all)


class Suggestions:
    """What a broken link was likely meant for: the nearest document path or heading id,
    each target worked out once (one moved chapter is linked from many places), for the first
    SUGGESTED_TARGETS targets (each is compared with every document)."""

    def __init__(self, live: Iterable[str], former: Mapping[str, str] | None = None) -> None:
        self._paths = {path.removesuffix(".md"): path for path in live}  # (".md" looks alike)
        self._known: dict[tuple[str, ...], str] = {}
        self._former = former or {}  # a path a document had -> its path now
        named: dict[str, list[str]] = {}  # a file's name, without ".md" -> the paths so named
        for path in self._paths.values():
            named.setdefault(_name(path), []).append(path)
        self._named = {name: paths[0] for name, paths in named.items() if len(paths) == 1}

    def _remembered(self, key: tuple[str, ...], work: Callable[[], str]) -> str:
        if key not in self._known:
            self._known[key] = work() if len(self._known) < SUGGESTED_TARGETS else ""
        return self._known[key]

    def path(self, source: str, wanted: str) -> str:
        """' (did you mean …?)' naming the document whose path is nearest ``wanted``, as a
        link from ``source`` would name it, if one is near."""
        near = self._remembered(("path", wanted), lambda: self._near_path(wanted))
        if not near:
            return ""
        written = posixpath.relpath(near, posixpath.dirname(source) or ".")
        return f" (did you mean {quote(written, safe=_PATH_SAFE)}?)"

    def _near_path(self, wanted: str) -> str:
        """The document a link was likely meant for: the one that had the path (renamed or
        moved since), else the one whose path is nearest, else the only one of that name
        (the right file from the wrong folder, a "../" too many or too few: newcomer's
        testing, whose paths were too far apart as wholes)."""
        if wanted in self._former:
            return self._former[wanted]
        stem = wanted.removesuffix(".md")
        near = difflib.get_close_matches(stem, list(self._paths), n=1, cutoff=0.85)
        return self._paths[near[0]] if near else self._named.get(_name(wanted), "")

    def heading(self, fragment: str, version: Version, known: set[str]) -> str:
        """' (did you mean #…?)' naming the heading whose id is nearest the one a link names,
        if one is near and a link to it lands."""
        key = ("id", version.path, version.blob or "", fragment)
        near = self._remembered(key, lambda: self._near_id(fragment, version, known))
        return f" (did you mean #{near}?)" if near else ""

    @staticmethod
    def _near_id(fragment: str, version: Version, known: set[str]) -> str:
        wanted = unquote(fragment).lower()
        anchors = list(version.meta.anchors)
        for asked in dict.fromkeys((wanted, wanted.removeprefix(ANCHOR_PREFIX))):
            for near in difflib.get_close_matches(asked, anchors, n=3, cutoff=0.85):
                if known & set(landing_ids(page_anchor(near))):
                    return near
        return ""


# What a path in a link may hold as it is (RFC 3986's path characters less '%'): the rest is
# percent-encoded, as a file named "faq#1.md" must be linked.
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def _name(path: str) -> str:
    """A file's name, without its folder or ".md"."""
    return posixpath.basename(path).removesuffix(".md")
