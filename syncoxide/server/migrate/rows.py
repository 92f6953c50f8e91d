"""A row as both databases give it back, reduced to one canonical form, and a table's
checksum over those forms.

SQLite stores flags as integers and blobs as ``bytes``; PostgreSQL gives ``bool`` and
``bytes`` (or ``memoryview``). ``canonical`` maps both to the same value, so a row copied
faithfully hashes the same on either side. The table checksum is the sum of the rows'
SHA-256 values modulo 2**256: independent of order (the two databases sort text
differently) yet changed by any row added, lost, altered or duplicated.

    row digest  = SHA-256( UTF-8( repr( tuple(canonical(v) for v in row) ) ) ), big-endian
    table sum   = (digest(row 1) + digest(row 2) + ...) mod 2**256, shown as 64 hex digits

    canonical:  bool -> int (True -> 1)    memoryview -> bytes    others as they are

Vector: the row ``(7, "é", None, b"\x00\xff", True, 2.5)`` is the text
``(7, 'é', None, b'\x00\xff', 1, 2.5)``, digest
``96d746ba46cd92ba91b94f70b97e6d60574546974d81bb72b71c7e1ca06e676e``; that row and ``(1,)``
sum to ``bfa24a6ab2f621435861d05f73a7a95a2100e63cd39440f8fcb6c686f18dea9d``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_MODULUS = 1 << 256


def canonical(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def row_digest(row: Sequence[Any]) -> int:
    text = repr(tuple(canonical(value) for value in row)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.sha256(text).digest(), "big")


def row_bytes(row: Sequence[Any]) -> int:
    """About how many bytes the row's values hold (text as UTF-8, numbers as 8)."""
    size = 0
    for value in row:
        if isinstance(value, str):
            size += len(value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, bytes | memoryview):
            size += len(value)
        elif value is not None:
            size += 8
    return size


@dataclass
class Tally:
    """Rows seen, their bytes and their order-free checksum."""

    rows: int = 0
    bytes: int = 0
    checksum: int = 0

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.rows += 1
            self.bytes += row_bytes(row)
            self.checksum = (self.checksum + row_digest(row)) % _MODULUS

    @property
    def hex(self) -> str:
        return f"{self.checksum:064x}"
