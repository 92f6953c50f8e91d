"""The event loop the CLI runs on: uvloop where it is installed (CPython on Linux and macOS).

Transfers over SSH and HTTP spend much of their CPU in the loop's socket callbacks, one per
packet; uvloop (libuv) runs those in C. Everything else is plain asyncio, so without uvloop
(Windows, a minimal install) the same code runs on the standard loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the fastest loop available."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(main)
