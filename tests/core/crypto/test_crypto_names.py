"""Name encryption's pure parts: per-directory keys, synthetic IV, base32, long names."""

from typing import Any

import pytest

from syncoxide.crypto import names
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import MalformedDataError, TamperedDataError, UsageError
from tests.core.crypto.vectors import load_cases

CASES = load_cases("names_v1.json")


@pytest.mark.parametrize("chosen", CASES, ids=lambda c: f"{c['directory']}:{c['name'][:12]}")
def test_synthetic_iv_and_long_name_match_vectors(chosen: dict[str, Any]) -> None:
    mac_key, _ = names.directory_keys(
        SecretBytes(bytes.fromhex(chosen["names_key"])), chosen["directory"]
    )
    siv = names.synthetic_iv(mac_key, chosen["name"].encode())
    expected = chosen["expected"]
    assert siv.hex() == expected["siv"]
    if expected["sidecar"] is None:
        assert names.decode_base32(expected["stored"])[:16] == siv
        assert names.expand(expected["stored"], None) == expected["stored"]
    else:
        assert names.shorten(expected["sidecar"], chosen["max_length"]).stored == expected["stored"]
        assert names.expand(expected["stored"], expected["sidecar"]) == expected["sidecar"]
        assert len(expected["stored"]) <= chosen["max_length"]


def test_directory_keys_differ_per_directory() -> None:
    key = SecretBytes(bytes(32))
    assert names.directory_keys(key, "a") != names.directory_keys(key, "b")
    assert names.directory_keys(key, "a") == names.directory_keys(key, "a")


def test_base32_is_lowercase_and_decodes_either_case() -> None:
    blob = bytes(range(40))
    text = names.encode_base32(blob)
    assert text == text.lower() and "=" not in text
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert names.decode_base32(text) == names.decode_base32(text.upper()) == blob
    with pytest.raises(MalformedDataError):
        names.decode_base32("not!base32")


def test_long_names_are_marked_and_sidecars_recognised() -> None:
    short = names.shorten("a" * 300)
    assert short.stored.startswith(names.LONG_PREFIX) and len(short.stored) == 56
    assert short.sidecar_name == short.stored + ".name"
    assert names.is_sidecar(short.stored + ".name") and not names.is_sidecar(short.stored)
    assert names.shorten("a" * 255).sidecar is None


def test_tampered_or_lost_sidecar_is_caught() -> None:
    short = names.shorten("a" * 300)
    with pytest.raises(TamperedDataError):
        names.expand(short.stored, "b" * 300)
    with pytest.raises(MalformedDataError):
        names.expand(short.stored, None)


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "nul\x00"])
def test_impossible_plain_names_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        names.check_plain_name(bad)
