"""Ranges of S3 keys, and a guess at a key between two others, for listing one prefix in parts.

Why: one ListObjectsV2 walk of a prefix asks for its pages one after another (each waits for
the token the last one returned). Inside one large folder that is the whole listing's wall
time; ``StartAfter`` lets several walks of one prefix run side by side, each over its own part
of the key space.

How a range stays exact: a range is ``(after, until]`` in S3's key order (UTF-8 bytes, which is
Python's code point order); an item of a page (a key, or a ``CommonPrefixes`` entry, judged by
its own string) belongs to the one range whose bounds hold it. Ranges that meet at a split
point cover the key space without a gap or an overlap, so a key present for the whole listing
is read exactly once, and a key added or removed meanwhile at most once. Nothing depends on how
good the split point is: a poor guess costs a request, never a key.

The guess (``split_point``) reads two keys as numbers whose digits are the characters seen in
the folder's keys, from the first character where they differ, and takes the middle: keys of
digits and letters split near the middle of what lies between them, not at some code point
far past every key the folder holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

#: Digits of a split point past the keys' common start (more only while two keys are closer).
_DIGITS, _MOST_DIGITS = 3, 12
_SURROGATES = range(0xD800, 0xE000)


@dataclass(frozen=True)
class KeyRange:
    """Keys ``k`` with ``after < k <= until``; ``after`` "" is the prefix's start, ``until``
    None its end."""

    after: str = ""
    until: str | None = None

    def holds(self, item: str) -> bool:
        return self.after < item and (self.until is None or item <= self.until)

    def cut(self, items: Sequence[T], key: Callable[[T], str]) -> Sequence[T]:
        """The items that lie in this range. Each is checked: a page is not always sorted
        (rclone serve s3 puts keys added mid-listing at a page's front)."""
        return [item for item in items if self.holds(key(item))]


def alphabet_of(keys: list[str], start: int) -> str:
    """The sorted characters of ``keys`` past their first ``start`` (the folder's prefix)."""
    return "".join(sorted(set().union(*(key[start:] for key in keys))))


def ceiling_of(first: str, last: str, prefix: str, alphabet: str) -> str:
    """A guess at a key past the last one of an open-ended range, from the page ``first`` to
    ``last``: where their common start ends is where later keys likely still vary, one
    character earlier is where the page's keys all agreed."""
    common = len(_common(first, last))
    return first[: max(len(prefix), common - 1)] + _above(alphabet)


def split_point(low: str, high: str, alphabet: str) -> str | None:
    """A string strictly between ``low`` and ``high``, near the middle of the keys that may lie
    between them; None when none is found (they are too close, or out of order)."""
    if not alphabet or low >= high:
        return None
    digits = alphabet + _above(alphabet)
    common = _common(low, high)
    start = len(common)
    for width in range(_DIGITS, _MOST_DIGITS + 1):
        lower, upper = _number(low[start:], digits, width), _number(high[start:], digits, width)
        if upper - lower >= 2:
            middle = common + _text((lower + upper) // 2, digits, width)
            return middle if low < middle < high else None
    return None


def _common(one: str, other: str) -> str:
    size = 0
    for mine, theirs in zip(one, other, strict=False):
        if mine != theirs:
            break
        size += 1
    return one[:size]


def _above(alphabet: str) -> str:
    """The character just past the alphabet's last (never a surrogate: keys are UTF-8)."""
    code = ord(alphabet[-1]) + 1 if alphabet else ord("~")
    return chr(_SURROGATES.stop if code in _SURROGATES else min(code, 0x10FFFF))


def _number(text: str, digits: str, width: int) -> int:
    value = 0
    for position in range(width):
        digit = bisect.bisect_left(digits, text[position]) if position < len(text) else 0
        value = value * len(digits) + min(digit, len(digits) - 1)
    return value


def _text(value: int, digits: str, width: int) -> str:
    out: list[str] = []
    for _ in range(width):
        value, digit = divmod(value, len(digits))
        out.append(digits[digit])
    return "".join(reversed(out))
