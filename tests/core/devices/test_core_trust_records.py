"""Trust records: the byte layout pinned by known-answer vectors, and damaged input refused.

Signatures are checked against the same vectors in tests/native/devices (Ed25519 needs the
native backend; this file also runs inside Pyodide)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncoxide.devices.records import (
    MAGIC,
    RecordKind,
    TrustRecord,
    parse_record,
)
from syncoxide.errors import ForeignFormatError, MalformedDataError, UnsupportedVersionError

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "devices" / "trust_record_v1.json"
CASES = json.loads(VECTORS.read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_record_bytes_match_the_known_answer(case: dict[str, object]) -> None:
    raw = bytes.fromhex(str(case["record"]))
    record = parse_record(raw)
    assert record.kind is RecordKind[str(case["kind"])]
    assert record.sequence == case["sequence"]
    assert record.issued_at == case["issued_at"]
    assert record.signer.hex() == case["signer"]
    assert record.subject.hex() == case["subject"]
    assert record.via.hex() == case["via"]
    assert record.name == case["name"]
    assert record.to_bytes() == raw
    assert raw.startswith(MAGIC + b"\x01")


def _raw() -> bytearray:
    return bytearray.fromhex(str(CASES[0]["record"]))


def test_wrong_magic_is_a_foreign_format() -> None:
    raw = _raw()
    raw[0:4] = b"XXXX"
    with pytest.raises(ForeignFormatError):
        parse_record(bytes(raw))


def test_a_newer_version_is_refused_as_such() -> None:
    raw = _raw()
    raw[4] = 2
    with pytest.raises(UnsupportedVersionError):
        parse_record(bytes(raw))


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-1],  # cut short
        lambda raw: raw + b"\0",  # trailing byte
        lambda raw: raw[:5] + b"\x09" + raw[6:],  # unknown kind
        lambda raw: raw[:118] + b"\xff" + raw[119:],  # name longer than allowed
        lambda raw: raw[:40],
    ],
    ids=["cut", "trailing", "kind", "name-length", "header-only"],
)
def test_damaged_records_are_malformed(damage: object) -> None:
    with pytest.raises(MalformedDataError):
        parse_record(bytes(damage(bytes(_raw()))))  # type: ignore[operator]


def test_an_unsigned_record_cannot_be_encoded() -> None:
    record = TrustRecord(RecordKind.PAIR, 1, 0, bytes(32), bytes(range(32)))
    with pytest.raises(MalformedDataError, match="not signed"):
        record.to_bytes()


def test_a_name_over_64_bytes_is_refused() -> None:
    record = TrustRecord(RecordKind.PAIR, 1, 0, bytes(32), bytes(range(32)), "é" * 33)
    with pytest.raises(MalformedDataError, match="64 bytes"):
        record.signed_part()
