"""What the kept history (``derived.py``) was made with: a fingerprint of the code whose
objects it pickles, and of the libraries whose rules shaped them. Another fingerprint means
the history is replayed, never read back into classes of another shape."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tracker.index.store import library_versions

_LIBRARIES = ("holidays", "python-dateutil", "tzdata", "PyYAML", "Markdown")  # dates, parsing
# What is kept is pickled objects of these modules: any change to their code (a new release,
# a field added) gives another fingerprint.
_PICKLED = ("config.py", "history/model.py", "history/documents.py", "history/frontyaml.py",
            "history/codeless.py", "history/ids.py", "history/wide.py",
            "history/blocks.py", "history/hrefs.py", "history/headings.py", "history/htmlids.py",
            "history/shownwords.py", "history/links.py", "history/golive.py",
            "history/identity.py", "history/releases.py", "history/snapshot.py",
            "history/trailers.py", "history/walk.py", "repository/parse.py",
            "repository/paths.py", "index/derived.py", "index/fingerprint.py")  # fmt: skip
# What made the pickled objects besides (read.py: how git's log is asked for; raw.py: which
# versions are read whole), the command line's answers kept as text, and the file's tables:
_RULES = ("dates.py", "errors.py", "manual.py", "repository/read.py", "index/raw.py",
          "history/texts.py", "index/answers.py", "index/keptfile.py")  # fmt: skip


def fingerprint() -> str:
    """A digest of the code and the libraries that shape what is kept."""
    code = b"".join(
        (Path(__file__).parent.parent / name).read_bytes() for name in _PICKLED + _RULES
    )
    return hashlib.sha256(code + library_versions(_LIBRARIES).encode()).hexdigest()[:16]
