"""JSON written by orjson (tracker/jsontext.py) is byte for byte what ``json`` writes, and what
orjson refuses ``json`` writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from tracker.jsontext import json_text

# What the answers hold: text (any character, a lone surrogate too), whole numbers (past 64
# bits too), true, false and null, in lists and objects keyed by text. Never a float.
SCALARS = st.one_of(
    st.text(), st.integers(), st.integers(min_value=2**63), st.booleans(), st.none()
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(DATA)
@example({"a": [], "b": {}, "c": '\x00\x1f\u2028é"\\/', "d": [1, True, None]})
@example({"path": "caf\udce9.md"})  # (a lone surrogate: orjson refuses it)
@example([2**64])  # (past 64 bits: orjson refuses it)
def test_json_text_is_what_json_writes(data: Any):
    assert json_text(data) == json.dumps(data, indent=2, ensure_ascii=False)
    assert json_text(data, indent=False) == json.dumps(
        data, ensure_ascii=False, separators=(",", ":")
    )
