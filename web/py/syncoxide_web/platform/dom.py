"""The one way the app's views touch the page: find, say, show, make, and listen.

Every view goes through these helpers, so a page convention (how an error looks, where a
transfer's state is kept for the page and its tests) is decided once, here.

``Listeners`` holds what a view must keep referenced for as long as the page lives: the JS
proxies of its event handlers (a proxy that Python garbage-collects stops receiving events)
and the background tasks those handlers start (the event loop keeps only weak references),
each of which reports its failure to the browser console (``platform/background.py``).

A DOM lookup that finds nothing (``getAttribute`` of a missing attribute, ``closest`` or
``querySelector`` with no match, ``localStorage.getItem`` of a missing key) gives JavaScript
``null``, which this Pyodide hands to Python as ``pyodide.ffi.jsnull``, not ``None``: an
``is None`` test misses it. Test such results with ``present``. A missing ``data-`` value is
read with ``data_of``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import js
from pyodide.ffi import create_once_callable, create_proxy, jsnull

from syncoxide.errors import SyncoxideError
from syncoxide_web.platform.background import BackgroundTasks

#: The ``data-state`` value of a status line, with the error style, for a failure.
FAILED = "failed"


def present(value: Any) -> bool:
    """Whether a value from the page is something: not ``None`` (JS ``undefined``, a missing
    property) nor JS ``null`` (``jsnull``: a lookup that found nothing).

    ``row = event.target.closest("tr"); if not present(row): return``
    """
    return value is not None and value is not jsnull


def data_of(node: Any, name: str) -> str | None:
    """The node's ``data-NAME`` value (``data_of(button, "action")``), ``None`` if it has none.

    Not ``node.dataset.NAME``: Pyodide raises ``AttributeError`` for a missing one, so a click
    beside the buttons (on a row's text) would end its handler with an error.
    """
    value = getattr(node.dataset, name, None)
    return str(value) if present(value) else None


def element(element_id: str) -> Any:
    """The page's element with this id (not ``present`` when the page has none)."""
    return js.document.getElementById(element_id)


def say(where: str, text: str, *, error: bool = False, state: str | None = None) -> None:
    """Put ``text`` in the status line with id ``where``, styled as an error if it is one.

    ``state``, when given, is kept in the line's ``data-state``: where a transfer stands
    (``waiting``, ``sending``, ``done``...), which the page checks before overwriting a final
    one. A ``failed`` state is shown as an error.
    """
    status = element(where)
    status.textContent = text
    status.className = "error" if error or state == FAILED else ""
    if state is not None:
        status.dataset.state = state


def say_error(where: str, error: SyncoxideError, *, what: str = "", kept: str = "") -> None:
    """Say, as an error, that ``what`` failed, the error's message and hint, and what was kept.

    ``say_error("share-status", error, kept="Nothing was uploaded.")``
    """
    parts = (f"{what}:" if what else "", error.message, error.hint or "", kept)
    say(where, " ".join(part for part in parts if part), error=True)


def show(target: str | Any, shown: bool = True) -> None:
    """Show (or hide) the element, given as an id or as the element itself."""
    _resolved(target).hidden = not shown


def make(tag: str, text: str = "", **properties: Any) -> Any:
    """A new element: ``make("a", "Save", href=url, download="")``."""
    made = js.document.createElement(tag)
    if text:
        made.textContent = text
    for name, value in properties.items():
        setattr(made, name, value)
    return made


def picked_files(target: str | Any) -> list[Any]:
    """The ``File`` objects chosen in an ``<input type="file">``, in order."""
    files = _resolved(target).files
    return [files.item(index) for index in range(int(files.length))]


class Listeners:
    """Event handlers one view added, and the background tasks they started."""

    def __init__(self) -> None:
        self._proxies: list[Any] = []
        self._tasks = BackgroundTasks(report=js.console.error)

    def on(self, target: str | Any, kind: str, handler: Callable[[Any], object]) -> None:
        """Call ``handler(event)`` on each ``kind`` event of ``target`` (an id or an element)."""
        proxy = create_proxy(handler)
        self._proxies.append(proxy)
        _resolved(target).addEventListener(kind, proxy)

    def on_task(
        self,
        target: str | Any,
        kind: str,
        handler: Callable[[Any], Coroutine[Any, Any, object]],
    ) -> None:
        """Run ``handler(event)`` in the background on each event; a form is not submitted."""

        def begin(event: Any) -> None:
            if kind == "submit":
                event.preventDefault()
            self.start(handler(event))

        self.on(target, kind, begin)

    def start(self, work: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run ``work`` in the background, holding it until it ends; if it fails, its error
        and traceback go to the browser console and the other listeners carry on."""
        return self._tasks.start(work)

    def on_shown(self, view: str, load: Callable[[], Coroutine[Any, Any, object]]) -> None:
        """Run ``load()`` each time the app switches to ``view`` (its ``#/view`` hash), so a
        list another view changed (a file deleted, then Trash opened) is shown as it is now."""

        def switched(_event: Any) -> None:
            if str(js.location.hash).removeprefix("#").removeprefix("/") == view:
                self.start(load())

        self.on(js.window, "hashchange", switched)

    def after(self, seconds: float, callback: Callable[[], object]) -> None:
        """Call ``callback`` once, ``seconds`` from now (the browser's timer)."""
        js.setTimeout(create_once_callable(lambda *_args: callback()), seconds * 1000)


def _resolved(target: str | Any) -> Any:
    return element(target) if isinstance(target, str) else target
