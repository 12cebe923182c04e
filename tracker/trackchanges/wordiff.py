"""Token-level diff with diff-match-patch: each distinct token becomes one character."""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import chain

from tracker.trackchanges.engine import diff_runs, semantic_diff
from tracker.trackchanges.text import LOOKS_AS, is_formatting, is_gap, same_look, tag_name

EQUAL, INSERT, DELETE = "=", "+", "-"
_OPS = {0: EQUAL, 1: INSERT, -1: DELETE}
Ops = list[tuple[str, list[str]]]


class Deadline:
    """A time budget shared by every step of one diff."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.spent = False  # a step stopped early: what follows must be as coarse

    def left(self) -> float:
        """Seconds remaining (never negative)."""
        return 0.0 if self.spent else max(0.0, self.end - time.monotonic())

    def passed(self) -> bool:
        """Whether the budget is spent."""
        return self.spent or time.monotonic() >= self.end


def encode(*sequences: Sequence[str]) -> list[str]:
    """Map each distinct item to one character, so diff-match-patch diffs items, not letters."""
    # Numbered in order of first appearance, from U+0100, stepping over the surrogates.
    codes = dict.fromkeys(chain.from_iterable(sequences), "")
    if len(codes) <= 0xD800 - 0x100:  # most often: no surrogate to step over
        codes = dict(zip(codes, map(chr, range(0x100, 0x100 + len(codes))), strict=True))
    else:
        for number, item in enumerate(codes, 0x100):
            codes[item] = chr(number + 0x800 if number >= 0xD800 else number)
    return ["".join(map(codes.__getitem__, sequence)) for sequence in sequences]


def diff_tokens(
    old: Sequence[str],
    new: Sequence[str],
    deadline: Deadline,
    keys: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Ops:
    """Runs of equal, inserted and deleted tokens, cleaned up so marks fall on whole phrases.

    With ``keys`` (one for each token) the keys are compared rather than the tokens. Blocks
    longer than LONG tokens (an HTML block never closed is the rest of its document) are
    diffed a sentence at a time first, then word by word where sentences changed.
    """
    old_keys, new_keys = keys or (old, new)
    if list(old_keys) == list(new_keys):
        return [(EQUAL, list(new))] if new else []
    if len(old) > LONG and len(new) > LONG:
        return _by_sentence(old, new, old_keys, new_keys, deadline)
    return _diff_tokens(old, new, old_keys, new_keys, deadline)


LONG = 2_000  # tokens
_ENDS = frozenset({".", "!", "?", ";", "\n"})  # a sentence ends with one of these tokens


def _sentences(tokens: Sequence[str]) -> list[int]:
    """Where each sentence ends (the index after its last token)."""
    ends = [number + 1 for number, token in enumerate(tokens) if token in _ENDS]
    return ends if ends and ends[-1] == len(tokens) else [*ends, len(tokens)]


def _by_sentence(
    old: Sequence[str],
    new: Sequence[str],
    old_keys: Sequence[str],
    new_keys: Sequence[str],
    deadline: Deadline,
) -> Ops:
    """The sentences both versions have are equal; the tokens between them are diffed."""
    old_ends, new_ends = _sentences(old), _sentences(new)
    old_starts, new_starts = [0, *old_ends[:-1]], [0, *new_ends[:-1]]
    a, b = encode(old_keys, new_keys)  # a key a character, so a sentence is a string
    old_sentences = [a[start:end] for start, end in zip(old_starts, old_ends, strict=True)]
    new_sentences = [b[start:end] for start, end in zip(new_starts, new_ends, strict=True)]
    ops: Ops = []
    i = j = 0  # sentences accounted for
    at_old = at_new = 0  # tokens accounted for
    for op, count in [*diff_items(old_sentences, new_sentences, deadline), (EQUAL, 0)]:
        if op == DELETE:
            i += count
        elif op == INSERT:
            j += count
        else:
            until_old = old_starts[i] if i < len(old_starts) else len(old)
            until_new = new_starts[j] if j < len(new_starts) else len(new)
            if until_old > at_old or until_new > at_new:
                ops += _diff_tokens(
                    old[at_old:until_old], new[at_new:until_new],
                    old_keys[at_old:until_old], new_keys[at_new:until_new], deadline,
                )  # fmt: skip
            i, j = i + count, j + count
            at_old = old_ends[i - 1] if i else 0
            at_new = new_ends[j - 1] if j else 0
            if count:
                ops.append((EQUAL, list(new[until_new:at_new])))
    return _joined_runs(ops)


def _diff_tokens(
    old: Sequence[str],
    new: Sequence[str],
    old_keys: Sequence[str],
    new_keys: Sequence[str],
    deadline: Deadline,
) -> Ops:
    if not old_keys or not new_keys:
        return [(DELETE, list(old))] if old else [(INSERT, list(new))] if new else []
    a, b = encode(old_keys, new_keys)
    diffs, stopped = semantic_diff(a, b, deadline.left())
    deadline.spent |= stopped
    ops: Ops = []
    cursor_old = cursor_new = 0
    for code, chars in diffs:
        op = _OPS[code]
        if op == DELETE:
            tokens = list(old[cursor_old : cursor_old + len(chars)])
            cursor_old += len(chars)
        else:  # an equal run is given as the new version has it
            tokens = list(new[cursor_new : cursor_new + len(chars)])
            cursor_new += len(chars)
            cursor_old += len(chars) if op == EQUAL else 0
        ops.append((op, tokens))
    return ops


def diff_items(old: Sequence[str], new: Sequence[str], deadline: Deadline) -> list[tuple[str, int]]:
    """Exact diff of two sequences of keys: (op, count) runs, no clean-up.

    A key only one side has can be in no common subsequence, so only the keys both sides have
    are diffed; the others are then put back, deleted or inserted where they stand. When most
    keys changed (a paragraph each with a word changed) that leaves diff-match-patch, whose
    cost grows with the number of differences, little to do.
    """
    common = set(old).intersection(new)
    kept_old = [i for i, key in enumerate(old) if key in common]
    kept_new = [j for j, key in enumerate(new) if key in common]
    a, b = encode([old[i] for i in kept_old], [new[j] for j in kept_new])
    found, stopped = diff_runs(a, b, deadline.left()) if a or b else ([], False)
    deadline.spent |= stopped
    runs: list[tuple[str, int]] = []
    i = j = 0  # how far the full sequences are accounted for
    at_old = at_new = 0  # ...and the kept ones

    def changed(until_old: int, until_new: int) -> None:
        """Everything before these places that is not yet accounted for: deleted, inserted."""
        nonlocal i, j
        for op, count in ((DELETE, until_old - i), (INSERT, until_new - j)):
            if count:
                runs.append((op, count))
        i, j = until_old, until_new

    for code, count in found:
        if code == 0:
            for k in range(count):
                changed(kept_old[at_old + k], kept_new[at_new + k])
                _add(runs, EQUAL, 1)
                i, j = i + 1, j + 1
            at_old, at_new = at_old + count, at_new + count
        elif code == -1:  # accounted for with the next equal key, as the keys around them are
            at_old += count
        else:
            at_new += count
    changed(len(old), len(new))
    return _grouped(runs)


def _add(runs: list[tuple[str, int]], op: str, count: int) -> None:
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + count)
    else:
        runs.append((op, count))


def _grouped(runs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Between two equal runs, one deletion then one insertion (as diff-match-patch gives)."""
    grouped: list[tuple[str, int]] = []
    deleted = inserted = 0
    for op, count in [*runs, (EQUAL, 0)]:
        if op == DELETE:
            deleted += count
        elif op == INSERT:
            inserted += count
        else:
            for changed_op, changed_count in ((DELETE, deleted), (INSERT, inserted)):
                if changed_count:
                    grouped.append((changed_op, changed_count))
            deleted = inserted = 0
            if count:
                _add(grouped, EQUAL, count)
    return grouped


def diff_words(
    old: Sequence[str],
    new: Sequence[str],
    deadline: Deadline,
    pre: bool = False,
    compared: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Ops:
    """The word diff of two blocks' tokens, as a reader sees the change (``compared``: the
    tokens compared in their stead, one for each, where they are not the tokens themselves).

    A word is compared with the formatting it stands in (bold, a link...), so that formatting
    that comes or goes is marked on the words it covers. White space inserted or deleted where
    the other version already has a break is no change a reader sees: it is not marked.
    """
    old_compared, new_compared = compared or (old, new)
    keys = (_in_context(old_compared), _in_context(new_compared))
    return settle(diff_tokens(old, new, deadline, keys), pre)


def _in_context(tokens: Sequence[str]) -> Sequence[str]:
    """Each text token with the inline elements open around it; tags as they are, but those
    that look the same as others (``<b>``, ``<i>``) as those (``same_look``)."""
    if "<" not in "".join(tokens):  # most blocks: no tag (looked for in C, not token by token)
        return tokens
    tags = [number for number, token in enumerate(tokens) if token[0] == "<"]
    if not tags:
        return tokens
    keyed = list(tokens)
    open_tags: list[str] = []
    for at, until in zip(tags, [*tags[1:], len(tokens)], strict=True):
        token = tokens[at]
        if not is_formatting(token):
            continue
        name = tag_name(token)
        if name in LOOKS_AS:  # compared as what it looks the same as (<b> as <strong>)
            name = LOOKS_AS[name]
            keyed[at] = same_look(token)
        if token[1] != "/":
            open_tags.append(name)
        elif name in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
        if open_tags and until > at + 1:
            context = "/".join(open_tags) + "\0"
            keyed[at + 1 : until] = [context + t for t in tokens[at + 1 : until]]
    return keyed


def settle(ops: Ops, pre: bool = False) -> Ops:
    """Leave unmarked the white space whose coming or going changes nothing shown.

    White space replacing white space is equal. White space inserted (or deleted) beside white
    space or a break that both versions share, or at a block's edge, is equal (or goes). In
    preformatted text every white space character is shown, so all of it stays.
    """
    if not any(op != EQUAL and _plain_spaces(tokens) for op, tokens in ops):
        return ops  # most often: nothing but words came or went
    ops = _joined_runs(_replaced_spaces(ops, pre))
    old = [(op, t) for op, tokens in ops if op != INSERT for t in tokens]
    new = [(op, t) for op, tokens in ops if op != DELETE for t in tokens]
    old_pre = _preformatted([t for _, t in old], pre)
    new_pre = _preformatted([t for _, t in new], pre)
    settled: Ops = []
    i = j = 0
    for op, tokens in ops:
        size = len(tokens)
        spaces = op != EQUAL and _plain_spaces(tokens)
        if spaces and op == INSERT and not any(new_pre[j : j + size]) and _beside_shared(old, i):
            settled.append((EQUAL, tokens))
        elif not (spaces and op == DELETE and not any(old_pre[i : i + size])
                  and _beside_shared(new, j)):  # fmt: skip
            settled.append((op, tokens))
        i += size if op != INSERT else 0
        j += size if op != DELETE else 0
    return _joined_runs(settled)


def _replaced_spaces(ops: Ops, pre: bool) -> Ops:
    """A deletion and an insertion of white space side by side: equal (outside <pre>)."""
    if pre or any(tag_name(t) == "pre" for _, tokens in ops for t in tokens):
        return ops
    out: Ops = []
    for op, tokens in ops:
        previous = out[-1] if out else None
        if (
            previous is not None
            and {previous[0], op} == {INSERT, DELETE}
            and _plain_spaces(previous[1] + tokens)
        ):
            out[-1] = (EQUAL, tokens if op == INSERT else previous[1])
        else:
            out.append((op, tokens))
    return out


def _plain_spaces(tokens: list[str]) -> bool:
    """Whether every token is white space a browser folds (spaces, tabs, line ends): a
    no-break or em space is shown as it is, so its coming or going is a change a reader sees."""
    return all(tokens) and not "".join(tokens).strip(_FOLDED)


_FOLDED = " \t\n\r\f"


def _preformatted(tokens: list[str], pre: bool) -> list[bool]:
    """Whether each token stands inside <pre>."""
    inside: list[bool] = []
    depth = int(pre)
    for token in tokens:
        if tag_name(token) == "pre":
            depth += -1 if token.startswith("</") else 1
        inside.append(depth > 0)
    return inside


def _beside_shared(tokens: list[tuple[str, str]], at: int) -> bool:
    """Whether the place before ``tokens[at]`` has, beside it, white space or a break that both
    versions share, or a block's edge."""
    for step, start in ((-1, at - 1), (1, at)):
        k = start
        while 0 <= k < len(tokens) and is_formatting(tokens[k][1]):
            k += step
        if not 0 <= k < len(tokens) or (tokens[k][0] == EQUAL and is_gap(tokens[k][1])):
            return True
    return False


def _joined_runs(ops: Ops) -> Ops:
    """Neighbouring runs of one kind made one."""
    joined: Ops = []
    for op, tokens in ops:
        if joined and joined[-1][0] == op:
            joined[-1] = (op, joined[-1][1] + tokens)
        elif tokens:
            joined.append((op, tokens))
    return joined
