"""What a chapter's page shares with the diffs, in a module of its own so that a page (and
``tracker check``) does not import the track-changes code: headings moved under a page's own,
and the class of a link's address shown beside its words."""

from __future__ import annotations

import re

TARGET_CLASS = "diff-target"
_HEADING = re.compile(r"<h([1-6])\b")
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def shift_headings(fragment: str, by: int) -> str:
    """Headings moved ``by`` levels lower, to sit under a page's own, each level kept distinct.

    When the deepest heading would pass h6, the levels the fragment uses are instead numbered
    in order from h(by + 1), or from as high as they must start to end at h6: the order of the
    levels is kept and no two become one (docs/decisions.md, "Headings in a diff").
    """
    levels = sorted({int(level) for level in _HEADING.findall(fragment)})
    if not levels:
        return fragment
    if levels[-1] + by <= 6:
        target = {level: level + by for level in levels}
    else:
        start = min(by + 1, 7 - len(levels))
        target = {level: start + rank for rank, level in enumerate(levels)}
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{target[int(m.group(2))]}", fragment)
