"""The file format's pure parts (header, nonces, layout) against the known-answer vectors."""

from typing import Any

import pytest

from syncoxide.crypto import format as fmt
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import (
    EmptyInputError,
    ForeignFormatError,
    FormatError,
    IntegrityError,
    MalformedDataError,
    TamperedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
)
from tests.core.crypto.vectors import case, load_cases

CASES = load_cases("file_v1.json")


def vector_header(label: str = "three_chunks") -> tuple[dict[str, Any], bytes]:
    chosen = case("file_v1.json", label)
    return chosen, bytes.fromhex(chosen["expected"]["header"])


@pytest.mark.parametrize("chosen", CASES, ids=lambda c: c["label"])
def test_header_fields_and_commitment_match_vectors(chosen: dict[str, Any]) -> None:
    header = fmt.parse_header(bytes.fromhex(chosen["expected"]["ciphertext"]))
    assert header.encode().hex() == chosen["expected"]["header"]
    assert header.chunk_size == 64 and header.nonce_prefix.hex() == chosen["prefix"]
    assert header.key_id.hex() == chosen["expected"]["key_id"]
    fixed = fmt.new_fixed_part(bytes.fromhex(chosen["prefix"]), chosen["chunk_log2"])
    commitment = fmt.compute_commitment(SecretBytes(bytes.fromhex(chosen["file_key"])), fixed)
    assert commitment.hex() == chosen["expected"]["commitment"] == header.commitment.hex()


@pytest.mark.parametrize("chosen", CASES, ids=lambda c: c["label"])
def test_layout_predicts_vector_sizes(chosen: dict[str, Any]) -> None:
    plain_size = len(chosen["plaintext"]) // 2
    total = len(chosen["expected"]["ciphertext"]) // 2
    layout = fmt.ChunkLayout(fmt.HEADER_SIZE_V1, 64)
    assert layout.ciphertext_size(plain_size) == total
    assert layout.plaintext_size(total) == plain_size


def test_commitment_rejects_another_key() -> None:
    _, raw = vector_header()
    header = fmt.parse_header(raw)
    fmt.check_commitment(header, SecretBytes(bytes(range(32, 64))))
    with pytest.raises(TamperedDataError):
        fmt.check_commitment(header, SecretBytes(bytes(32)))


def test_chunk_nonce_is_prefix_counter_and_last_flag() -> None:
    prefix = bytes.fromhex("a0a1a2a3a4a5a6")
    assert fmt.chunk_nonce(prefix, 0, False).hex() == "a0a1a2a3a4a5a6" + "00000000" + "00"
    assert fmt.chunk_nonce(prefix, 258, True).hex() == "a0a1a2a3a4a5a6" + "00000102" + "01"
    with pytest.raises(MalformedDataError):
        fmt.chunk_nonce(prefix, 2**32, False)


def test_spans_locate_every_chunk_for_random_access() -> None:
    layout = fmt.ChunkLayout(116, 64)
    total = layout.ciphertext_size(150)  # chunks of 64, 64, 22 plaintext bytes
    spans = [layout.span(i, total) for i in range(3)]
    assert [(s.offset, s.size, s.last) for s in spans] == [
        (116, 80, False),
        (196, 80, False),
        (276, 38, True),
    ]
    assert list(layout.chunks_for_range(60, 70)) == [0, 1]
    assert list(layout.chunks_for_range(128, 150)) == [2]
    assert list(layout.chunks_for_range(5, 5)) == []
    with pytest.raises(IndexError):
        layout.span(3, total)


def test_empty_plaintext_is_one_tag_only_chunk() -> None:
    layout = fmt.ChunkLayout(116, 64)
    assert layout.ciphertext_size(0) == 116 + 16
    assert layout.chunk_count(116 + 16) == 1 and layout.plaintext_size(116 + 16) == 0


def test_sizes_that_no_writer_produces_are_refused() -> None:
    layout = fmt.ChunkLayout(116, 64)
    with pytest.raises(TruncatedDataError):
        layout.chunk_count(116 + 10)  # not even one tag
    with pytest.raises(TruncatedDataError):
        layout.chunk_count(116 + 80 + 5)  # cut inside the second chunk's tag
    with pytest.raises(MalformedDataError):
        layout.chunk_count(116 + 80 + 16)  # a 0-byte last chunk after data


def test_bad_inputs_get_precise_errors() -> None:
    _, raw = vector_header()
    with pytest.raises(EmptyInputError):
        fmt.parse_header(b"")
    with pytest.raises(ForeignFormatError):
        fmt.parse_header(b"%PDF-1.7 not ours at all, long enough to hold a header" * 3)
    with pytest.raises(TruncatedDataError):
        fmt.parse_header(raw[:5])
    with pytest.raises(TruncatedDataError):
        fmt.parse_header(raw[:100])
    with pytest.raises(UnsupportedVersionError) as newer:
        fmt.parse_header(raw[:7] + b"\x02" + raw[8:])
    assert "version 2" in str(newer.value) and "Update syncoxide" in str(newer.value)
    with pytest.raises(MalformedDataError):
        fmt.parse_header(raw[:8] + b"\x40" + raw[9:])


def test_error_families_let_callers_catch_broadly() -> None:
    assert issubclass(UnsupportedVersionError, FormatError)
    assert issubclass(ForeignFormatError, FormatError)
    for cls in (TruncatedDataError, TamperedDataError, MalformedDataError, EmptyInputError):
        assert issubclass(cls, IntegrityError)


def test_version_dispatch_reads_header_size_from_first_bytes() -> None:
    _, raw = vector_header()
    assert fmt.header_size(raw[:16]) == 116 == len(raw)


def test_rewrap_changes_only_the_key_slot() -> None:
    _, raw = vector_header()
    header = fmt.parse_header(raw)
    other = header.rewrapped(b"K" * 8, b"N" * 12, b"W" * 48)
    assert other.fixed_part() == header.fixed_part() and other.commitment == header.commitment
    assert other.encode()[:48] == raw[:48] and other.encode()[48:] != raw[48:]


def test_a_new_version_row_leaves_version_1_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    _, raw = vector_header()
    routed: list[int] = []

    def parse_v2(data: bytes) -> fmt.FileHeader:
        routed.append(data[7])
        return fmt.parse_header(data[:7] + b"\x01" + data[8:])

    monkeypatch.setitem(fmt._PARSERS, 2, (fmt.HEADER_SIZE_V1, parse_v2))
    assert fmt.parse_header(raw).encode() == raw and routed == []
    fmt.parse_header(raw[:7] + b"\x02" + raw[8:])
    assert routed == [2]
