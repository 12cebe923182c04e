"""What a command writes on a terminal: its output with control characters shown harmless,
and the engine's warnings as ``tracker: warning: ...`` lines on stderr.

Apart from ``cli.py`` so that ``tracker --help`` and a usage mistake do not import logging.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from tracker import logs
from tracker.arguments import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

log = logs.Logger("tracker")


@contextmanager
def warnings_to_stderr(once: bool = True) -> Iterator[None]:
    """The engine's warnings as ``tracker: warning: ...`` lines on stderr while a command runs
    (each said once per run, except by a server, which runs for days, and says when each
    was: ``2024-12-01T10:00:00Z tracker: warning: ...``); afterwards the logger
    is as it was. Set up when the first warning comes (``logs.py``: a command with nothing to
    say does not import ``logging``)."""
    undo: list[Callable[[], None]] = []

    def setup() -> None:
        undo.append(_handler(once))

    logs.when_imported(setup)
    try:
        yield
    finally:
        logs.forget(setup)
        for step in undo:
            step()


def warnings_of_a_worker() -> None:
    """A worker process of ``tracker serve --workers N`` says its warnings as the main process
    does (they went out bare, through ``logging``'s last resort), for as long as it runs."""

    def setup() -> None:
        _handler(once=False)

    logs.when_imported(setup)


CUT_OFF = "A request still being answered was cut off as the service stopped."
_QUIETED: list[bool] = []  # (once per process)


def quiet_cut_off() -> None:
    """uvicorn logs each request it cancels at the end of a stopping service's grace
    (``web/stopping.py``) as an exception in the application, with a traceback through every
    middleware: this says it in one line."""
    import asyncio
    import logging

    def one_line(record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
            record.msg, record.args, record.exc_info = CUT_OFF, (), None
        return True

    if not _QUIETED:
        logging.getLogger("uvicorn.error").addFilter(one_line)
        _QUIETED.append(True)


def _handler(once: bool) -> Callable[[], None]:
    """Our handler on the ``tracker`` logger, and how to take it off again."""
    import logging

    seen: set[str] = set()

    def new(record: logging.LogRecord) -> bool:  # each message once per run
        message = record.getMessage()
        if message in seen:
            return False
        seen.add(message)
        return True

    class Formatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            line = f"tracker: {record.levelname.lower()}: {record.getMessage()}"
            if not once:  # a server's, which runs for days: when (UTC, to the second)
                line = time.strftime("%Y-%m-%dT%H:%M:%SZ ", time.gmtime(record.created)) + line
            return printable(line, True)

    real = logging.getLogger("tracker")  # (not log.real(): this runs inside it)
    saved = (real.level, real.propagate)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Formatter())
    if once:
        handler.addFilter(new)
    real.addHandler(handler)
    real.setLevel(logging.WARNING)
    real.propagate = False

    def undo() -> None:
        real.removeHandler(handler)
        real.setLevel(saved[0])
        real.propagate = saved[1]

    return undo


def out(text: str, end: str = "\n", keep: Sequence[str] = ()) -> None:
    """Print text for people: the control characters a chapter, a title or a commit message
    could carry (escape sequences among them) are shown as a replacement character, never
    written as they are (``keep``: but for these sequences, a coloured diff's own colours)."""
    if not keep:
        print(printable(text), end=end)
        return
    import re

    parts = re.split(f"({'|'.join(map(re.escape, keep))})", text)  # kept ones at odd places
    print("".join(part if n % 2 else printable(part) for n, part in enumerate(parts)), end=end)


def warn_about(notices: Iterable[tuple[int, str, str]], keys: Iterable[int] | None) -> None:
    """A warning for each notice (document key, path, problem) about these documents (all of
    them: None)."""
    shown = None if keys is None else set(keys)
    for key, path, problem in notices:
        if shown is None or key in shown:
            log.warning("%s: %s (see 'tracker check').", path, problem)


def unlinked(site_url: str) -> None:
    """Say that a newsletter written on the command line has no links, where the manual gives
    no site_url (a page of the service links to its own address instead, and says so)."""
    if not site_url:
        log.warning(
            "the manual gives no site_url (manual.toml's [manual]), so the newsletter has no "
            "links to the chapters and what changed in them; set it to the website's address, "
            'as site_url = "https://procedures.example.org".'
        )


def print_json(data: Any) -> None:
    """Data as indented JSON (UTF-8 as it is: JSON escapes control characters itself)."""
    from tracker.jsontext import json_text

    print(json_text(data))
