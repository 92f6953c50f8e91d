"""Property tests: any plaintext, chunk size and byte range round-trips exactly."""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.crypto import format as fmt
from syncoxide.crypto import names, stream
from syncoxide.crypto.keys import SecretBytes
from syncoxide.system import SystemRandom
from tests.native.crypto.scripted import BACKEND, open_all, run, seal

MASTER = SecretBytes(os.urandom(32))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=700), st.integers(6, 8), st.integers(0, 800), st.integers(0, 800))
def test_stream_and_random_access_round_trip(
    plaintext: bytes, chunk_log2: int, start: int, length: int
) -> None:
    ciphertext = run(seal(MASTER, plaintext, SystemRandom(), chunk_log2))
    assert len(ciphertext) == fmt.ChunkLayout(116, 1 << chunk_log2).ciphertext_size(len(plaintext))
    assert len(ciphertext) == stream.sealed_size(len(plaintext), chunk_log2)  # uploads declare it
    assert run(open_all(MASTER, ciphertext)) == plaintext

    async def read_at(offset: int, size: int) -> bytes:
        return ciphertext[offset : offset + size]

    async def ranged() -> bytes:
        opener = await stream.FileOpener.create(BACKEND, MASTER, fmt.parse_header(ciphertext))
        return await stream.read_range(
            opener, read_at, len(ciphertext), start=start, end=start + length
        )

    assert run(ranged()) == plaintext[start : start + length]


SAFE_NAME = st.text(min_size=1, max_size=300).filter(
    lambda n: n not in (".", "..") and "/" not in n and "\x00" not in n
)


@settings(max_examples=80, deadline=None)
@given(SAFE_NAME, st.sampled_from(["", "a", "a/b c/Ü"]), st.integers(64, 255))
def test_any_name_round_trips_within_the_limit(name: str, directory: str, limit: int) -> None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be file names anywhere
        return
    cipher = names.NameCipher(BACKEND, MASTER, limit)
    stored = run(cipher.encrypt(directory, name))
    assert len(stored.stored) <= limit
    assert run(cipher.decrypt(directory, stored.stored, stored.sidecar)) == name


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=500), st.lists(st.integers(1, 90), min_size=1, max_size=20))
def test_short_reads_from_pipes_change_nothing(plaintext: bytes, cuts: list[int]) -> None:
    def dribbling(data: bytes) -> stream.Read:
        remaining, turns = [data], iter(cuts * 10_000)

        async def read(size: int) -> bytes:  # returns fewer bytes than asked, like a pipe
            taken = remaining[0][: min(size, next(turns))]
            remaining[0] = remaining[0][len(taken) :]
            return taken

        return read

    async def both() -> bytes:
        sealer = await stream.FileSealer.create(BACKEND, MASTER, SystemRandom(), 6)
        sealed: list[bytes] = []

        async def keep(data: bytes) -> None:
            sealed.append(data)

        await stream.seal_stream(sealer, dribbling(plaintext), keep)
        read = dribbling(b"".join(sealed))
        opener = await stream.FileOpener.create(BACKEND, MASTER, await stream.read_header(read))
        opened: list[bytes] = []

        async def collect(data: bytes) -> None:
            opened.append(data)

        await stream.open_stream(opener, read, collect)
        return b"".join(opened)

    assert run(both()) == plaintext
