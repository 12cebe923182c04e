"""The engine's loggers, taken from ``logging`` only when one first says something.

Importing ``logging`` costs a command about 8 ms (it brings ``traceback``, ``threading``,
``string`` and more), a sixth of a warm ``tracker releases`` or ``tracker history`` that has
nothing to warn about. A module here keeps ``log = Logger(__name__)``; its first message
imports ``logging`` and first runs what is waiting for it (``console.warnings_to_stderr``
sets up its handler so). ``tests/test_architecture.py`` keeps every module of ``tracker/`` and
``web/`` on these loggers: a plain ``logging.getLogger`` elsewhere would say its warnings
before that set-up, without the command line's handler.
"""

from __future__ import annotations

import sys
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable

# Set-ups waiting for ``logging`` (a command's handler), run when a logger here is first used;
# a set-up is taken off only once it has run, so that a thread saying something meanwhile
# waits for it (``_lock``) rather than saying it before the handler is there.
waiting: list[Callable[[], None]] = []
_lock = threading.Lock()  # (threading is imported already: subprocess imports it)


def when_imported(setup: Callable[[], None]) -> None:
    """Run ``setup`` now if ``logging`` is imported already, else just before the first message
    of a logger here (``forget`` takes it back if none came). ``setup`` must not log."""
    if "logging" in sys.modules:
        setup()
        return
    with _lock:
        waiting.append(setup)


def forget(setup: Callable[[], None]) -> None:
    """Take back a set-up that is still waiting."""
    with _lock:
        if setup in waiting:
            waiting.remove(setup)


class Logger:
    """``logging.getLogger(name)``, got when first used."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def real(self) -> logging.Logger:
        import logging

        if waiting:  # (read without the lock: only a set-up still waiting takes it)
            with _lock:
                while waiting:
                    try:
                        waiting[0]()
                    finally:  # (one that fails is not tried again at every message)
                        waiting.pop(0)
        return logging.getLogger(self.name)

    def debug(self, message: str, *args: object) -> None:
        self.real().debug(message, *args)

    def info(self, message: str, *args: object) -> None:
        self.real().info(message, *args)

    def warning(self, message: str, *args: object) -> None:
        self.real().warning(message, *args)

    def exception(self, message: str, *args: object, exc_info: BaseException) -> None:
        self.real().exception(message, *args, exc_info=exc_info)
