"""Round trips, random access and every kind of damage, through the real AES backend."""

import os

import pytest

from syncoxide.crypto import format as fmt
from syncoxide.crypto import stream
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import (
    FormatError,
    IntegrityError,
    LocalProtocolError,
    MalformedDataError,
    SyncoxideError,
    TamperedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
    WrongKeyError,
)
from syncoxide.system import SystemRandom
from tests.native.crypto.scripted import BACKEND, open_all, run, seal

MASTER = SecretBytes(os.urandom(32))
RANDOM = SystemRandom()
RECORD = 64 + 16


def sealed(plaintext: bytes) -> bytes:
    return run(seal(MASTER, plaintext, RANDOM))


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 128, 129, 1000])
def test_round_trip_at_chunk_edges(size: int) -> None:
    plaintext = os.urandom(size)
    ciphertext = sealed(plaintext)
    assert len(ciphertext) == fmt.ChunkLayout(116, 64).ciphertext_size(size)
    assert run(open_all(MASTER, ciphertext)) == plaintext


def test_default_chunks_are_64_kib() -> None:
    plaintext = os.urandom(3 * 65536 + 5)
    ciphertext = run(seal(MASTER, plaintext, RANDOM, fmt.DEFAULT_CHUNK_LOG2))
    assert len(ciphertext) == 116 + len(plaintext) + 4 * 16
    assert run(open_all(MASTER, ciphertext)) == plaintext


def test_same_plaintext_encrypts_differently_each_time() -> None:
    assert sealed(b"same") != sealed(b"same")


@pytest.mark.parametrize(("start", "end"), [(0, 1), (10, 200), (63, 65), (128, 1000), (999, 5000)])
def test_random_access_opens_only_needed_chunks(start: int, end: int) -> None:
    plaintext = os.urandom(1000)
    ciphertext = sealed(plaintext)
    asked: list[int] = []

    async def read_at(offset: int, size: int) -> bytes:
        asked.append(offset)
        return ciphertext[offset : offset + size]

    async def ranged() -> bytes:
        opener = await stream.FileOpener.create(BACKEND, MASTER, fmt.parse_header(ciphertext))
        return await stream.read_range(opener, read_at, len(ciphertext), start=start, end=end)

    assert run(ranged()) == plaintext[start:end]
    assert len(asked) == len(range(start // 64, (min(end, 1000) - 1) // 64 + 1))


def expect(error: type[SyncoxideError], ciphertext: bytes, master: SecretBytes = MASTER) -> str:
    with pytest.raises(error) as caught:
        run(open_all(master, ciphertext))
    return str(caught.value)


def test_truncation_at_a_chunk_boundary_is_named_truncation() -> None:
    ciphertext = sealed(os.urandom(200))
    message = expect(TruncatedDataError, ciphertext[: 116 + 2 * RECORD])
    assert "cut short" in message
    expect(TruncatedDataError, ciphertext[:116])  # every chunk gone
    expect(TruncatedDataError, ciphertext[:50])  # inside the header


def test_truncation_inside_a_chunk_fails_authentication() -> None:
    ciphertext = sealed(os.urandom(200))
    expect(IntegrityError, ciphertext[:-5])
    expect(TruncatedDataError, ciphertext[: 116 + RECORD + 3])  # shorter than a tag


@pytest.mark.parametrize("offset", [116, 116 + 40, 116 + RECORD - 1, 116 + RECORD + 7])
def test_a_flipped_bit_in_the_chunks_is_tampering(offset: int) -> None:
    ciphertext = bytearray(sealed(os.urandom(200)))
    ciphertext[offset] ^= 0x01
    assert "Chunk" in expect(TamperedDataError, bytes(ciphertext))


@pytest.mark.parametrize(
    ("offset", "error"),
    [
        (0, FormatError),
        (7, UnsupportedVersionError),
        (8, TamperedDataError),
        (9, TamperedDataError),
        (20, TamperedDataError),
        (50, WrongKeyError),
        (60, TamperedDataError),
        (100, TamperedDataError),
    ],
)
def test_header_tampering_is_detected(offset: int, error: type[SyncoxideError]) -> None:
    ciphertext = bytearray(sealed(os.urandom(200)))
    ciphertext[offset] ^= 0x01
    expect(error, bytes(ciphertext))


def test_reordered_chunks_are_detected() -> None:
    ciphertext = sealed(os.urandom(200))
    chunk0, chunk1 = ciphertext[116:196], ciphertext[196:276]
    expect(TamperedDataError, ciphertext[:116] + chunk1 + chunk0 + ciphertext[276:])


def test_chunks_swapped_between_files_are_detected() -> None:
    first, second = sealed(os.urandom(200)), sealed(os.urandom(200))
    expect(TamperedDataError, first[:196] + second[196:276] + first[276:])


def test_appended_data_after_the_last_chunk_is_detected() -> None:
    ciphertext = sealed(os.urandom(200))
    expect(IntegrityError, ciphertext + sealed(b"x")[116:])


def test_another_vault_key_is_named_as_such() -> None:
    message = expect(WrongKeyError, sealed(b"data"), SecretBytes(os.urandom(32)))
    assert "different vault" in message


def test_a_zero_byte_last_chunk_is_malformed_even_when_authentic() -> None:
    async def forge() -> bytes:
        header, file_key = await stream.new_file_header(BACKEND, MASTER, RANDOM, 6)
        from syncoxide.crypto.keys import payload_key

        gcm = await BACKEND.aes_gcm(payload_key(file_key))
        aad = header.fixed_part()
        full = await gcm.seal(fmt.chunk_nonce(header.nonce_prefix, 0, False), bytes(64), aad)
        empty = await gcm.seal(fmt.chunk_nonce(header.nonce_prefix, 1, True), b"", aad)
        return header.encode() + full + empty

    assert "empty chunk" in expect(MalformedDataError, run(forge()))


def test_sealer_refuses_to_break_the_format() -> None:
    async def misuse() -> None:
        sealer = await stream.FileSealer.create(BACKEND, MASTER, RANDOM, 6)
        await sealer.seal_chunk(bytes(10), last=False)

    with pytest.raises(LocalProtocolError):
        run(misuse())


def test_rewrap_hands_the_file_to_another_key_without_touching_chunks() -> None:
    plaintext = os.urandom(300)
    ciphertext = sealed(plaintext)
    new_master = SecretBytes(os.urandom(32))
    header = fmt.parse_header(ciphertext)
    moved = run(
        stream.rewrap_header(BACKEND, header, RANDOM, old_master=MASTER, new_master=new_master)
    )
    rewrapped = moved.encode() + ciphertext[116:]
    assert run(open_all(new_master, rewrapped)) == plaintext
    expect(WrongKeyError, rewrapped)


def test_no_error_message_carries_key_material() -> None:
    ciphertext = sealed(os.urandom(200))
    damaged = [
        ciphertext[:150],
        ciphertext[:-1] + bytes([ciphertext[-1] ^ 0x80]),
        ciphertext[:20] + bytes([ciphertext[20] ^ 0x80]) + ciphertext[21:],
    ]
    secrets = {MASTER.reveal().hex(), MASTER.reveal().hex().upper()}
    for sample in damaged:
        with pytest.raises(SyncoxideError) as caught:
            run(open_all(MASTER, sample))
        text = f"{caught.value} {caught.value!r} {caught.value.hint}"
        assert not any(secret[:16] in text for secret in secrets)
