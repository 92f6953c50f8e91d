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


#: Types ``canonical`` leaves alone: SQLite gives only these, so its rows skip the mapping.
_PLAIN = frozenset({int, str, bytes, float, type(None)})


def row_text(row: Sequence[Any]) -> bytes:
    """The row's canonical form; its length is what progress lines count as the row's bytes."""
    values = tuple(row) if _PLAIN.issuperset(map(type, row)) else tuple(map(canonical, row))
    return repr(values).encode("utf-8", "surrogatepass")


def row_digest(row: Sequence[Any]) -> int:
    return int.from_bytes(hashlib.sha256(row_text(row)).digest(), "big")


@dataclass
class Tally:
    """Rows seen, the length of their canonical forms and their order-free checksum."""

    rows: int = 0
    bytes: int = 0
    checksum: int = 0

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        total = self.checksum
        for row in rows:
            text = row_text(row)
            self.rows += 1
            self.bytes += len(text)
            total += int.from_bytes(hashlib.sha256(text).digest(), "big")
        self.checksum = total % _MODULUS

    @property
    def hex(self) -> str:
        return f"{self.checksum:064x}"
