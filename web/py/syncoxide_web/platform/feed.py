"""A value one view publishes and other views follow, without importing each other.

The Files view loads the server's connections; the rules form in the Sync view lists them too.
The app makes one ``Feed`` and hands it to both, so neither view knows the other exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Feed(Generic[T]):
    """Followers are told each value published, in the order they started following; one that
    starts following late is told the last value at once (views start in any order)."""

    def __init__(self) -> None:
        self._followers: list[Callable[[T], object]] = []
        self._last: list[T] = []  # empty until the first publish

    def follow(self, follower: Callable[[T], object]) -> None:
        self._followers.append(follower)
        if self._last:
            follower(self._last[0])

    def publish(self, value: T) -> None:
        self._last[:] = [value]
        for follower in self._followers:
            follower(value)
