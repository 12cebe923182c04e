"""The block diff keeps every block that did not change, however many around it did.

When every paragraph has a word changed, only the blocks both versions have are diffed.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.trackchanges.wordiff import DELETE, EQUAL, INSERT, Deadline, diff_items

KEYS = st.lists(st.sampled_from("abcdef"), max_size=30)


def check_script(old: list[str], new: list[str], runs: list[tuple[str, int]]) -> int:
    """That the runs turn ``old`` into ``new``; how many keys they keep."""
    i = j = kept = 0
    for number, (op, count) in enumerate(runs):
        assert count > 0
        if number:
            assert (runs[number - 1][0], op) in {(EQUAL, DELETE), (EQUAL, INSERT),
                                                 (DELETE, INSERT), (DELETE, EQUAL),
                                                 (INSERT, EQUAL)}  # fmt: skip
        if op == EQUAL:
            assert old[i : i + count] == new[j : j + count]
            i, j, kept = i + count, j + count, kept + count
        elif op == DELETE:
            i += count
        else:
            j += count
    assert (i, j) == (len(old), len(new))
    return kept


@settings(max_examples=300, deadline=None)
@given(KEYS, KEYS, st.data())
def test_the_block_diff_keeps_every_key_that_was_not_replaced(
    old: list[str], extra: list[str], data: st.DataObject
):
    """A version whose blocks all changed but a few: each unchanged block is kept in place,
    however many blocks around it changed (as when every paragraph has a word changed)."""
    replaced = data.draw(st.lists(st.booleans(), min_size=len(old), max_size=len(old)))
    new = [f"{key}{number}'" if swap else key for number, (key, swap) in
           enumerate(zip(old, replaced, strict=True))] + [f"{k}+" for k in extra]  # fmt: skip
    kept = check_script(old, new, diff_items(old, new, Deadline(5)))
    assert kept == replaced.count(False)


@settings(max_examples=300, deadline=None)
@given(KEYS, KEYS)
def test_the_block_diff_is_a_script_from_one_version_to_the_other(old: list[str], new: list[str]):
    check_script(old, new, diff_items(old, new, Deadline(5)))
