"""Block alignment: exact anchors first, then similar blocks paired inside each gap (a block
that stands elsewhere word for word, or nearly, is kept out of the pairing: it moved).

Pairing inside a gap is a small dynamic programme over a similarity table, capped (as
MediaWiki caps its move search) so that a pathological pair of documents stays fast: past the
cap a gap is shown coarsely, every old block deleted and every new block inserted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from tracker.trackchanges.text import Block
from tracker.trackchanges.wordiff import DELETE, EQUAL, INSERT, Deadline, diff_items

PAIR_AT = 0.3  # blocks less alike than this are a deletion and an insertion
JOIN_AT = 0.8  # a split or merge must explain the text at least this well
REWRITE_AT = 0.5  # a section whose text kept less than this was replaced, not renamed
JOIN_HINT = 0.2  # ...and each part must share at least this much with the whole
MOVE_AT = 0.8  # a block found elsewhere at least this alike has moved
GAP_CAP = 40_000  # a gap this size (old x new blocks) is aligned in full
BAND = 25  # a larger gap compares each old block with new blocks this close to the diagonal
MOVE_CAP = 40_000  # comparisons allowed for the move search
_LETTER = re.compile(r"[^\W_]")  # a character str.isalnum() accepts: \w but the underscore


class _WordSets:
    """Each block's set of words, worked out when first asked for (blocks that stayed the
    same, most often most of them, are never compared)."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self._blocks = blocks
        self._sets: list[frozenset[str] | None] = [None] * len(blocks)

    def __getitem__(self, index: int) -> frozenset[str]:
        found = self._sets[index]
        if found is None:
            found = self._sets[index] = _word_set(self._blocks[index])
        return found


@dataclass(frozen=True)
class _Sides:
    """The two versions' blocks and each block's set of words."""

    old: Sequence[Block]
    new: Sequence[Block]
    words_old: _WordSets
    words_new: _WordSets
    # Blocks the key diff left out that stand word for word on the other side: moved.
    twins_old: frozenset[int] = frozenset()
    twins_new: frozenset[int] = frozenset()


StepKind = Literal["same", "pair", "split", "merge", "delete", "insert", "moved", "away"]


@dataclass(frozen=True)
class Step:
    """One aligned unit: ``kind`` is same, pair, split, merge, delete, insert, moved or away."""

    kind: StepKind
    old: tuple[int, ...]
    new: tuple[int, ...]


def align(
    old: Sequence[Block], new: Sequence[Block], deadline: Deadline
) -> tuple[list[Step], bool]:
    """Steps in reading order (old-only steps where they stood), and whether it was coarse."""
    runs = diff_items([b.key for b in old], [b.key for b in new], deadline)
    sides = _Sides(old, new, _WordSets(old), _WordSets(new))
    twins = _twins(sides, runs, deadline)
    sides = replace(
        sides, twins_old=frozenset(i for i, _ in twins), twins_new=frozenset(j for _, j in twins)
    )
    steps: list[Step] = []
    coarse = False
    i = j = 0
    gap_old: list[int] = []
    gap_new: list[int] = []
    if deadline.passed():  # diff-match-patch stopped early: its runs are only roughly right
        coarse = True
    for op, count in [*runs, (EQUAL, 0)]:  # a last empty run closes a trailing gap
        if op == DELETE:
            gap_old += range(i, i + count)
            i += count
        elif op == INSERT:
            gap_new += range(j, j + count)
            j += count
        else:
            if gap_old or gap_new:
                gap, was_coarse = _align_gap(sides, gap_old, gap_new, deadline)
                steps += gap
                coarse |= was_coarse
                gap_old, gap_new = [], []
            steps += [Step("same", (i + k,), (j + k,)) for k in range(count)]
            i, j = i + count, j + count
    steps = _unforce_headings(steps, sides)
    return (steps if coarse else _find_moves(steps, sides, deadline)), coarse


def _twins(sides: _Sides, runs: list[tuple[str, int]], deadline: Deadline) -> list[tuple[int, int]]:
    """(old, new) index of each block the runs delete that a block they insert, in another
    gap, repeats exactly or nearly (at least MOVE_AT alike).

    Such a block moved: it is kept out of the pairing of similar blocks, where a block that
    shares a word or two with it (a heading "Section 20 …" and another "Section 17 …") would
    otherwise take its place. Blocks with the same key are matched in order, and the others
    most alike first, as moves are; a block as much alike to one in its own gap (an exact
    copy's, at least MOVE_AT) is left to that gap's pairing (a block changed where it stood).
    """
    old, new = sides.old, sides.new
    deleted: dict[str, list[int]] = {}
    gap_old: dict[int, int] = {}  # old or new index -> the gap it is in
    gap_new: dict[int, int] = {}
    i = j = gap = 0
    for op, count in runs:
        if op == DELETE:
            for k in range(i, i + count):
                deleted.setdefault(old[k].key, []).append(k)
                gap_old[k] = gap
        elif op == INSERT:
            gap_new.update((k, gap) for k in range(j, j + count))
        else:
            gap += 1
        i += count if op != INSERT else 0
        j += count if op != DELETE else 0
    twins: list[tuple[int, int]] = []
    for k in gap_new:
        waiting = deleted.get(new[k].key)
        if waiting:
            twins.append((waiting.pop(0), k))
    exact_old, exact_new = {i for i, _ in twins}, {j for _, j in twins}
    rest_old = [i for i in gap_old if i not in exact_old]
    rest_new = [j for j in gap_new if j not in exact_new]
    if len(rest_old) * len(rest_new) > MOVE_CAP or deadline.passed():
        return twins  # (as the move search gives up)
    words_old, words_new = sides.words_old, sides.words_new
    candidates = sorted(
        (
            (score, i, j)
            for i in rest_old
            for j in rest_new
            if gap_old[i] != gap_new[j] and old[i].kind == new[j].kind and old[i].words
            and (score := similarity(words_old[i], words_new[j])) >= MOVE_AT
        ),
        reverse=True,
    )  # fmt: skip
    in_gap_old: dict[int, list[int]] = {}
    in_gap_new: dict[int, list[int]] = {}
    for i in rest_old:
        in_gap_old.setdefault(gap_old[i], []).append(i)
    for j in rest_new:
        in_gap_new.setdefault(gap_new[j], []).append(j)

    def rivalled(i: int, j: int, score: float) -> bool:
        """Whether either block is as much alike to one in its own gap (changed in place)."""
        return any(
            new[k].kind == old[i].kind and similarity(words_old[i], words_new[k]) >= score
            for k in in_gap_new.get(gap_old[i], [])
        ) or any(
            old[k].kind == new[j].kind and similarity(words_old[k], words_new[j]) >= score
            for k in in_gap_old.get(gap_new[j], [])
        )

    # A block copied word for word elsewhere may still have been changed where it stood (an
    # instruction reworded in place, its old wording repeated in a new summary): where one
    # of its gap is at least MOVE_AT alike, the change in place is shown (review).
    twins = [(i, j) for i, j in twins if not rivalled(i, j, MOVE_AT)]
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for score, i, j in candidates:
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            if not rivalled(i, j, score):
                twins.append((i, j))
    return twins


def _word_set(block: Block) -> frozenset[str]:
    """A block's distinct words, punctuation left out (a full stop makes no two blocks alike).

    The set of ``block.words`` that have a letter, quicker: each distinct token read once, those
    all letters and digits (most) kept by ``filter`` (no tag, space or reference is), and only
    the others searched (``[^\\W_]`` is what ``str.isalnum`` accepts).
    """
    distinct = set(block.tokens)
    words = set(filter(str.isalnum, distinct))
    for token in distinct.difference(words):
        if token[0] != "<" and not token.isspace():  # as Block.words reads them
            word = html.unescape(token) if "&" in token else token
            if word.isalnum() or _LETTER.search(word):
                words.add(word)
    return frozenset(words)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two sets of words."""
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 1.0


def _align_gap(
    sides: _Sides, olds: list[int], news: list[int], deadline: Deadline
) -> tuple[list[Step], bool]:
    old, new, words_old, words_new = sides.old, sides.new, sides.words_old, sides.words_new
    if not olds or not news:
        return _coarse(olds, news), False
    n, m = len(olds), len(news)
    band = max(n, m) if n * m <= GAP_CAP else BAND + abs(n - m)
    if n * min(m, 2 * band + 1) > 4 * GAP_CAP or deadline.passed():
        return _coarse(olds, news), True

    known: dict[tuple[int, int], float] = {}

    def moved(i: int, j: int) -> bool:
        """Whether either block stands word for word elsewhere (exact beats alike)."""
        return i in sides.twins_old or j in sides.twins_new

    def pair(i: int, j: int) -> float:
        """Similarity of two blocks of the same kind (0 otherwise), worked out once."""
        if (i, j) not in known:
            same_kind = old[i].kind == new[j].kind and not moved(i, j)
            known[i, j] = similarity(words_old[i], words_new[j]) if same_kind else 0.0
        return known[i, j]

    def paired(i: int, j: int) -> float:
        score = pair(i, j)
        if moved(i, j):
            return score  # (0: a block that moved is paired with nothing in its old place)
        if old[i].kind == "heading" and new[j].kind == "heading" and old[i].level == new[j].level:
            return max(score, PAIR_AT)  # a heading in the same place may be renamed (see below)
        return score

    def split(i: int, j1: int, j2: int) -> float:
        if min(pair(i, j1), pair(i, j2)) < JOIN_HINT:
            return 0.0  # both halves must share words with the whole
        return similarity(words_old[i], words_new[j1] | words_new[j2])

    def merge(i1: int, i2: int, j: int) -> float:
        if min(pair(i1, j), pair(i2, j)) < JOIN_HINT:
            return 0.0
        return similarity(words_old[i1] | words_old[i2], words_new[j])

    unreachable = float("-inf")
    best = [[unreachable] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    # The kind of step that reaches each cell (its blocks follow from the cell: ``_trace``).
    move = [[""] * (m + 1) for _ in range(n + 1)]
    for a in range(n + 1):
        if deadline.passed():
            return _coarse(olds, news), True
        centre = a * m // n
        row, above = best[a], best[a - 1]
        for b in range(max(0, centre - band), min(m, centre + band) + 1):
            if a == b == 0:
                continue
            # On a tie the insertion is the later step, so old text reads before new: of the
            # options below, the first of the best is taken (as max() takes it).
            if b:
                top, kind = row[b - 1], "insert"
                if a and above[b] > top:
                    top, kind = above[b], "delete"
            else:
                top, kind = above[b], "delete"
            if a and b:
                score = paired(olds[a - 1], news[b - 1])
                if score >= PAIR_AT and above[b - 1] + score > top:
                    top, kind = above[b - 1] + score, "pair"
                if b > 1:
                    score = split(olds[a - 1], news[b - 2], news[b - 1])
                    if score >= JOIN_AT and above[b - 2] + score > top:
                        top, kind = above[b - 2] + score, "split"
                if a > 1:
                    score = merge(olds[a - 2], olds[a - 1], news[b - 1])
                    if score >= JOIN_AT and best[a - 2][b - 1] + score > top:
                        top, kind = best[a - 2][b - 1] + score, "merge"
            row[b], move[a][b] = top, kind
    if best[n][m] == unreachable:  # the band missed the corner: cannot happen, but stay safe
        return _coarse(olds, news), True
    return _trace(move, olds, news), False


def _unforce_headings(steps: list[Step], sides: _Sides) -> list[Step]:
    """A heading paired only for its place is renamed when its section's text stayed.

    Otherwise (the text after it went too) the section was replaced: the old heading is shown
    deleted and the new one inserted.
    """
    result: list[Step] = []
    for number, step in enumerate(steps):
        if step.kind == "pair" and sides.old[step.old[0]].kind == "heading":
            i, j = step.old[0], step.new[0]
            following = steps[number + 1] if number + 1 < len(steps) else None
            kept = following is not None and (
                following.kind == "same"
                or (
                    following.kind == "pair"
                    and similarity(
                        sides.words_old[following.old[0]], sides.words_new[following.new[0]]
                    )
                    >= REWRITE_AT
                )
            )
            if similarity(sides.words_old[i], sides.words_new[j]) < PAIR_AT and not kept:
                result += [Step("delete", (i,), ()), Step("insert", (), (j,))]
                continue
        result.append(step)
    return result


def _coarse(olds: list[int], news: list[int]) -> list[Step]:
    return [Step("delete", (i,), ()) for i in olds] + [Step("insert", (), (j,)) for j in news]


def _trace(move: list[list[str]], olds: list[int], news: list[int]) -> list[Step]:
    steps: list[Step] = []
    a, b = len(olds), len(news)
    while a or b:
        kind = move[a][b]
        if kind == "insert":
            step = Step("insert", (), (news[b - 1],))
        elif kind == "delete":
            step = Step("delete", (olds[a - 1],), ())
        elif kind == "pair":
            step = Step("pair", (olds[a - 1],), (news[b - 1],))
        elif kind == "split":
            step = Step("split", (olds[a - 1],), (news[b - 2], news[b - 1]))
        else:
            assert kind == "merge"
            step = Step("merge", (olds[a - 2], olds[a - 1]), (news[b - 1],))
        steps.append(step)
        a -= len(step.old)
        b -= len(step.new)
    steps.reverse()
    return steps


def _find_moves(steps: list[Step], sides: _Sides, deadline: Deadline) -> list[Step]:
    """Turn a deletion and an insertion of the same (or a very similar) block into a move."""
    old, new, words_old, words_new = sides.old, sides.new, sides.words_old, sides.words_new
    deleted = [s.old[0] for s in steps if s.kind == "delete"]
    inserted = [s.new[0] for s in steps if s.kind == "insert"]
    moved: dict[int, int] = {}  # old index -> new index
    by_key: dict[str, list[int]] = {}
    for i in deleted:
        by_key.setdefault(old[i].key, []).append(i)
    for j in inserted:
        if by_key.get(new[j].key):
            moved[by_key[new[j].key].pop(0)] = j
    rest_old = [i for i in deleted if i not in moved]
    paired_new = set(moved.values())
    rest_new = [j for j in inserted if j not in paired_new]
    if len(rest_old) * len(rest_new) <= MOVE_CAP and not deadline.passed():
        candidates = sorted(
            (
                (similarity(words_old[i], words_new[j]), i, j)
                for i in rest_old
                for j in rest_new
                if old[i].kind == new[j].kind and old[i].words
            ),
            reverse=True,
        )
        taken_new: set[int] = set()
        for score, i, j in candidates:
            if score >= MOVE_AT and i not in moved and j not in taken_new:
                moved[i] = j
                taken_new.add(j)
    if not moved:
        return steps
    target = {j: i for i, j in moved.items()}
    result = []
    for step in steps:
        if step.kind == "delete" and step.old[0] in moved:
            result.append(Step("away", step.old, (moved[step.old[0]],)))
        elif step.kind == "insert" and step.new[0] in target:
            result.append(Step("moved", (target[step.new[0]],), step.new))
        else:
            result.append(step)
    return result
