"""Python's cyclic garbage collector, paused while the engine makes many small objects.

Reading a long history, unpickling a kept one and making the releases from their rows each
make hundreds of thousands of small objects that live on, and each of the collector's passes
scanned them all again: a third of a first read's time went to it. Their objects are freed by
reference counting (nothing they make is in a cycle to speak of), so the collector is paused
while they run and runs again afterwards. (A diff makes as many, but short-lived: pausing
the collector for it made no difference, measured in one process with and without a large
heap, so it is not paused.) The pause is process-wide: with several threads, it ends when
the first of them to have paused it is done.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector paused while the block runs (if it was running)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pausing_collector(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function``, run with the collector paused."""

    @functools.wraps(function)
    def paused(*args: _P.args, **options: _P.kwargs) -> _R:
        with collector_paused():
            return function(*args, **options)

    return paused
