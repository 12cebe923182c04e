"""Token-level diff with diff-match-patch: each distinct token becomes one character."""

from __future__ import annotations

import time
from collections.abc import Sequence

from diff_match_patch import diff_match_patch

EQUAL, INSERT, DELETE = "=", "+", "-"
_OPS = {0: EQUAL, 1: INSERT, -1: DELETE}
Ops = list[tuple[str, list[str]]]


class Deadline:
    """A time budget shared by every step of one diff."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds remaining (never negative)."""
        return max(0.0, self.end - time.monotonic())

    def passed(self) -> bool:
        """Whether the budget is spent."""
        return time.monotonic() >= self.end


def encode(*sequences: Sequence[str]) -> list[str]:
    """Map each distinct item to one character, so diff-match-patch diffs items, not letters."""
    codes: dict[str, str] = {}
    encoded = []
    for sequence in sequences:
        chars = []
        for item in sequence:
            code = codes.get(item)
            if code is None:
                number = len(codes) + 0x100
                code = codes[item] = chr(number + 0x800 if number >= 0xD800 else number)
            chars.append(code)
        encoded.append("".join(chars))
    return encoded


def diff_tokens(old: Sequence[str], new: Sequence[str], deadline: Deadline) -> Ops:
    """Runs of equal, inserted and deleted tokens, cleaned up so marks fall on whole phrases."""
    if list(old) == list(new):
        return [(EQUAL, list(old))] if old else []
    a, b = encode(old, new)
    engine = diff_match_patch()
    engine.Diff_Timeout = max(deadline.left(), 0.001)
    diffs = engine.diff_main(a, b, False)
    engine.diff_cleanupSemantic(diffs)
    ops: Ops = []
    cursor_old = cursor_new = 0
    for code, chars in diffs:
        op = _OPS[code]
        if op == INSERT:
            tokens = list(new[cursor_new : cursor_new + len(chars)])
            cursor_new += len(chars)
        else:
            tokens = list(old[cursor_old : cursor_old + len(chars)])
            cursor_old += len(chars)
            cursor_new += len(chars) if op == EQUAL else 0
        ops.append((op, tokens))
    return ops


def diff_items(old: Sequence[str], new: Sequence[str], deadline: Deadline) -> list[tuple[str, int]]:
    """Exact diff of two sequences of keys: (op, count) runs, no clean-up."""
    a, b = encode(old, new)
    engine = diff_match_patch()
    engine.Diff_Timeout = max(deadline.left(), 0.001)
    return [(_OPS[code], len(chars)) for code, chars in engine.diff_main(a, b, False)]
