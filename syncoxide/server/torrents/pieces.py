"""SHA-1 piece hashes of a torrent, fed the files' bytes in torrent order.

BitTorrent v1 hashes the concatenation of every file (in the order the ``info`` dictionary
lists them) in fixed-length pieces; a piece may span several files and the last one is short.
``PieceHasher`` takes the bytes in any chunking and returns the 20-byte digests joined, the
``pieces`` value of the ``info`` dictionary. It does no IO, so the caller chooses where the
bytes come from and which thread hashes them.
"""

from __future__ import annotations

import hashlib

DIGEST_BYTES = 20


class PieceHasher:
    def __init__(self, piece_length: int) -> None:
        if piece_length <= 0:
            raise ValueError("a piece length is a positive number of bytes")
        self._piece_length = piece_length
        self._current = hashlib.sha1()  # noqa: S324 - BitTorrent v1 names SHA-1
        self._filled = 0
        self._digests = bytearray()

    def update(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            take = min(len(view), self._piece_length - self._filled)
            self._current.update(view[:take])
            self._filled += take
            view = view[take:]
            if self._filled == self._piece_length:
                self._close_piece()

    def _close_piece(self) -> None:
        self._digests += self._current.digest()
        self._current = hashlib.sha1()  # noqa: S324
        self._filled = 0

    def finish(self) -> bytes:
        """Every piece's digest, the short last piece included."""
        if self._filled:
            self._close_piece()
        return bytes(self._digests)
