"""diff-match-patch's diff worked out by its C++ port (texts of bounded size; larger ones by the
original, timed by the wall clock); its semantic clean-up by the original.

Python's diff_main was most of a word diff's time. fast-diff-match-patch runs the same
algorithm (Google's, ported to C++) and gives the same runs: tests/test_diff_engine.py holds it
to the Python one. Its clean-up is not used: it tells letters from punctuation and spaces by the
C library's character classes, the Python one by Unicode's, and a token is coded as one
character (from U+0100) whose class decides where an insertion is shifted to; only the Python
clean-up gives the answers diffs have always had.
"""

from __future__ import annotations

import time

import fast_diff_match_patch
from diff_match_patch import diff_match_patch

Runs = list[tuple[int, int]]  # (-1 deleted, 0 equal, 1 inserted; how many characters)
_CODES = {"=": 0, "+": 1, "-": -1}
_CLEANER = diff_match_patch()  # its clean-up keeps no state: one serves every thread


# Texts this small (the product of their lengths) are diffed by the C++ port, with a limit it
# never reaches (not none: without a limit diff-match-patch leaves out its half-match step and
# answers differently): the most it can take is milliseconds. Larger ones go to the Python
# original, which keeps to the budget by the wall clock; the C++ port times itself by the
# process's CPU clock, which on a busy machine runs slower than the wall (review found a diff
# held seconds past its budget).
AT_ONCE = 4_000_000


def diff_runs(a: str, b: str, seconds: float) -> tuple[Runs, bool]:
    """diff-match-patch's ``diff_main(a, b, checklines=False)`` as runs, and whether it may
    have stopped early (given up on what is left, as it does past ``seconds``)."""
    if len(a) * len(b) <= AT_ONCE:
        found = fast_diff_match_patch.diff(
            a, b, timelimit=3600, checklines=False, cleanup="No", counts_only=True
        )
        return [(_CODES[op], count) for op, count in found], False
    diffs, stopped = _original(a, b, seconds)
    return [(code, len(text)) for code, text in diffs], stopped


def diff_main(a: str, b: str, seconds: float) -> tuple[list[tuple[int, str]], bool]:
    """As ``diff_runs``, each run with its characters, as diff-match-patch gives them."""
    if len(a) * len(b) > AT_ONCE:
        return _original(a, b, seconds)
    runs, stopped = diff_runs(a, b, seconds)
    diffs: list[tuple[int, str]] = []
    i = j = 0
    for code, count in runs:
        if code < 0:
            diffs.append((code, a[i : i + count]))
            i += count
        else:
            diffs.append((code, b[j : j + count]))
            j += count
            i += count if code == 0 else 0
    return diffs, stopped


def _original(a: str, b: str, seconds: float) -> tuple[list[tuple[int, str]], bool]:
    """The Python original's diff, within ``seconds`` by the wall clock, and whether it may
    have stopped early."""
    engine = diff_match_patch()
    engine.Diff_Timeout = max(seconds, 0.001)
    start = time.monotonic()
    diffs: list[tuple[int, str]] = engine.diff_main(a, b, False)
    return diffs, time.monotonic() - start >= engine.Diff_Timeout


def cleanup_semantic(diffs: list[tuple[int, str]]) -> None:
    """diff-match-patch's (Python) semantic clean-up, in place."""
    _CLEANER.diff_cleanupSemantic(diffs)


def semantic_diff(a: str, b: str, seconds: float) -> tuple[list[tuple[int, str]], bool]:
    """``diff_main`` then ``cleanup_semantic``, and whether the diff may have stopped early."""
    replaced = _one_replacement(a, b)
    if replaced is not None:
        return replaced, False
    diffs, stopped = diff_main(a, b, seconds)
    cleanup_semantic(diffs)
    return diffs, stopped


def _one_replacement(a: str, b: str) -> list[tuple[int, str]] | None:
    """The cleaned-up diff of two texts that, between a common start and a common end, have
    no character in common (most often one word replaced); None for any other two texts.

    diff_main gives them as the common start, the one middle deleted, the other inserted and
    the common end (nothing in the middles can be equal, and its clean-up merges the rest),
    and the semantic clean-up leaves that as it is: no equality stands between two edits, no
    edit stands alone between two equalities, and the deleted text cannot end as the inserted
    begins (or begin as it ends). tests/test_diff_engine.py holds this to the two steps.
    """
    start = _CLEANER.diff_commonPrefix(a, b)
    end = _CLEANER.diff_commonSuffix(a[start:], b[start:])
    old, new = a[start : len(a) - end], b[start : len(b) - end]
    if not old or not new or not set(old).isdisjoint(new):
        return None
    runs = ((0, a[:start]), (-1, old), (1, new), (0, a[len(a) - end :]))
    return [(code, text) for code, text in runs if text]
