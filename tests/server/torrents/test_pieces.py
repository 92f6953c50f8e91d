"""Piece hashes equal SHA-1 of each fixed-length slice of the concatenated bytes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncoxide.server.torrents.pieces import PieceHasher


def _expected(data: bytes, piece: int) -> bytes:
    return b"".join(hashlib.sha1(data[i : i + piece]).digest() for i in range(0, len(data), piece))


@given(
    chunks=st.lists(st.binary(max_size=300), max_size=12),
    piece=st.integers(min_value=1, max_value=97),
)
def test_any_chunking_gives_the_digests_of_the_whole(chunks: list[bytes], piece: int) -> None:
    hasher = PieceHasher(piece)
    for chunk in chunks:
        hasher.update(chunk)
    assert hasher.finish() == _expected(b"".join(chunks), piece)


def test_a_piece_length_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        PieceHasher(0)
