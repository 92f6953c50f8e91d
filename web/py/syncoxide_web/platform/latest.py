"""Which of a view's overlapping reads may draw: only the one asked last.

A view reads its list again on every switch to it, every search and after every action, so
two reads are often under way at once; the browser queues requests and the server answers
them side by side, so the answers can come back in another order than asked. Drawn as they
came, an older answer could replace a newer one: a search showing the list of the search
before it, or a file just moved to the trash listed again.
"""

from __future__ import annotations

from collections.abc import Callable


class LatestRead:
    """Hands each read a check that says whether a later read was asked since."""

    def __init__(self) -> None:
        self._asked = 0

    def ask(self) -> Callable[[], bool]:
        """Call before the read; draw its answer only while the returned check says True."""
        self._asked += 1
        ticket = self._asked
        return lambda: ticket == self._asked
