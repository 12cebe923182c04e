"""Text that is not UTF-8 but is text: UTF-16 and UTF-32, which Windows' Notepad calls
"Unicode" and git takes for binary (every other byte a NUL). Said so, an author knows to save
the file as UTF-8 rather than look for an embedded image. Pure functions."""

from __future__ import annotations


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
    for codec, name in (("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16")):
        try:
            text = head[: len(head) // 2 * 2].decode(codec)
        except UnicodeDecodeError:
            continue
        plain = all(c.isprintable() or c in "\r\n\t" for c in text)
        if len(text) >= 8 and plain and sum(c < "\x80" for c in text) * 2 >= len(text):
            return name
    return None
