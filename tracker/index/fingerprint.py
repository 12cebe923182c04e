"""What the kept history (``derived.py``) was made with: a fingerprint of the code whose
objects it pickles, and of the libraries whose rules shaped them. Another fingerprint means
the history is replayed, never read back into classes of another shape."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

_LIBRARIES = ("holidays", "python-dateutil", "tzdata", "PyYAML", "Markdown")  # dates, parsing
# What is kept is pickled objects of these modules: any change to their code (a new release,
# a field added) gives another fingerprint.
_PICKLED = ("config.py", "history/model.py", "history/documents.py", "history/golive.py",
            "history/identity.py", "history/releases.py", "history/snapshot.py",
            "history/trailers.py", "history/walk.py", "repository/parse.py",
            "repository/paths.py", "index/derived.py", "index/fingerprint.py")  # fmt: skip
# What made the pickled objects besides, and the command line's answers kept as text:
_RULES = ("dates.py", "errors.py", "manual.py", "history/texts.py", "index/answers.py")
_PARSING = ("history/documents.py", "repository/parse.py")  # what read the raw index's rows


@functools.cache
def parser() -> str:
    """A digest of the code and library that read each version's metadata (kept in the raw
    index: another digest reads every version again)."""
    package = Path(__file__).parent.parent
    code = b"".join((package / name).read_bytes() for name in _PARSING)
    return hashlib.sha256(code + _versions(("PyYAML",)).encode()).hexdigest()[:16]


def _versions(names: Sequence[str]) -> str:
    """The installed versions of these distributions, from the names of their ``.dist-info``
    folders (importlib.metadata would cost every command tens of milliseconds to import)."""
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for folder in sys.path:
        with contextlib.suppress(OSError):
            for entry in os.listdir(folder or "."):  # noqa: PTH208 (names, not Paths: fast)
                name, _, rest = entry.partition("-")
                if entry.endswith(".dist-info") and _normal(name) in wanted:
                    found.setdefault(_normal(name), rest.removesuffix(".dist-info"))
    for key, name in wanted.items():
        if key not in found:  # installed some other way: ask the slower, thorough way
            from importlib import metadata

            found[key] = metadata.version(name)
    return "".join(f"{name}={found[key]};" for key, name in sorted(wanted.items()))


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def fingerprint() -> str:
    """A digest of the code and the libraries that shape what is kept."""
    code = b"".join(
        (Path(__file__).parent.parent / name).read_bytes() for name in _PICKLED + _RULES
    )
    return hashlib.sha256(code + _versions(_LIBRARIES).encode()).hexdigest()[:16]
