"""JSON as the command line and a static copy write it: indented by two spaces (or compact),
UTF-8 as it is, as ``json.dumps(data, indent=2, ensure_ascii=False)`` writes it.

orjson writes it about ten times as fast: ``json`` indents only in its pure-Python encoder
(7 MB of releases, 150 ms against 17), and a warm ``tracker releases --format json`` on a large
manual spent most of its time there (docs/performance.md). What orjson refuses, ``json``
writes: a lone surrogate (from a file name git gave as bytes), an integer past 64 bits. The
answers hold no floats, which the two would write apart (``1e+16``, ``1e16``).
"""

from __future__ import annotations

from typing import Any


def json_text(data: Any, indent: bool = True) -> str:
    """``data`` as JSON text: indented, or compact (no spaces after ``,`` and ``:``)."""
    import orjson

    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent else None).decode()
    except (orjson.JSONEncodeError, TypeError):
        import json

        separators = None if indent else (",", ":")
        return json.dumps(
            data, indent=2 if indent else None, ensure_ascii=False, separators=separators
        )
