"""Text that is not UTF-8 but is text: UTF-16 and UTF-32, which Windows' Notepad calls
"Unicode" and git takes for binary (every other byte a NUL). Said so, an author knows to save
the file as UTF-8 rather than look for an embedded image. Pure functions."""

from __future__ import annotations

import re

# Control characters but line ends and tabs: text has none, binary has many (a non-breaking
# space, a soft hyphen or U+2028, which Word's text holds, are no control characters).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def wide_encoding(data: bytes) -> str | None:
    """Which of UTF-16 or UTF-32 a file with NUL bytes is written in, by its byte order mark,
    or without one when its first 8,000 bytes decode so as text with no control characters
    but line ends and tabs, at least half of it ASCII (Markdown's marks, spaces, line ends):
    a binary file hardly ever does; None when it is neither."""
    head = data[:8000]
    for mark, name in ((b"\xff\xfe\0\0", "UTF-32"), (b"\0\0\xfe\xff", "UTF-32"),
                       (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):  # fmt: skip
        if head.startswith(mark):
            return name
    for codec, name in (("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                        ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32")):  # fmt: skip
        unit = 4 if name == "UTF-32" else 2
        text = _decoded(head[: len(head) // unit * unit], codec, unit)
        if text is None or len(text) < 8 or _CONTROL.search(text):
            continue
        if sum(c < "\x80" for c in text) * 2 >= len(text):
            return name
    return None


def _decoded(head: bytes, codec: str, unit: int) -> str | None:
    """The text, or None; a pair of surrogates the 8,000 bytes cut in two is left out."""
    for end in (len(head), len(head) - unit):
        try:
            return head[:end].decode(codec)
        except UnicodeDecodeError:
            continue
    return None
