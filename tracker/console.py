"""The engine's warnings on a terminal: ``tracker: warning: ...`` lines on stderr.

Apart from ``cli.py`` so that ``tracker --help`` and a usage mistake do not import logging.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tracker.arguments import printable

log = logging.getLogger("tracker")


class _Once(logging.Filter):
    """Lets each message through once per run."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return printable(f"tracker: {record.levelname.lower()}: {record.getMessage()}", True)


@contextmanager
def warnings_to_stderr(once: bool = True) -> Iterator[None]:
    """The engine's warnings as ``tracker: warning: ...`` lines on stderr while a command runs
    (each said once per run, except by a server, which runs for days); afterwards the logger
    is as it was."""
    saved = (log.level, log.propagate)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    if once:
        handler.addFilter(_Once())
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]
