"""Background tasks a view starts, held until they end, and reported when they fail.

The event loop keeps only weak references to tasks, so a view must hold each one itself. A task
that raises would otherwise end in silence: nobody awaits it, and in the browser the loop's own
"exception was never retrieved" warning only comes (if ever) when the task is garbage-collected.
So each failure is passed, with its traceback, to ``report`` as soon as the task ends. One
task's failure never touches the others.

This module imports nothing from the browser: the page passes ``report`` in (``console.error``),
so the holding and reporting run the same on CPython in the tests.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Coroutine
from typing import Any


class BackgroundTasks:
    """Tasks started in the background; a failed one is told to ``report`` with its traceback."""

    def __init__(self, report: Callable[[str], object]) -> None:
        self._report = report
        self._tasks: set[asyncio.Future[Any]] = set()

    def start(self, work: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run ``work`` in the background, holding it until it ends."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._ended)
        return task

    def running(self) -> int:
        """How many started tasks have not ended yet."""
        return len(self._tasks)

    def _ended(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():  # stopped on purpose (a view closed, a transfer cancelled)
            return
        error = task.exception()
        if error is not None:
            self._report(failure_text(task, error))


def failure_text(task: asyncio.Future[Any], error: BaseException) -> str:
    """What a failed task says: which work failed, then the full traceback."""
    work = task.get_coro() if isinstance(task, asyncio.Task) else None
    name = getattr(work, "__qualname__", None) or repr(task)
    details = "".join(traceback.format_exception(error))
    return f"A background task of the app failed ({name}): {error!r}\n{details}"
