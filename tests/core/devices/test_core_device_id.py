"""Device IDs: known answers, the check characters, and what people type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncoxide.devices.device_id import ALPHABET, ID_LENGTH, device_id, luhn32, normalise_device_id
from syncoxide.errors import InvalidInputError

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "devices" / "device_id_v1.json"
CASES = json.loads(VECTORS.read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_device_id_matches_the_known_answer(case: dict[str, str]) -> None:
    assert device_id(bytes.fromhex(case["public_key"])) == case["device_id"]
    assert len(case["device_id"]) == ID_LENGTH


def test_a_device_id_is_read_back_whatever_the_case_and_spacing() -> None:
    known = CASES[0]["device_id"]
    typed = known.lower().replace("-", " ")
    assert normalise_device_id(typed) == known


def test_every_single_mistyped_character_is_caught() -> None:
    known = CASES[1]["device_id"]
    for position, original in enumerate(known):
        if original == "-":
            continue
        for replacement in ALPHABET.replace(original, ""):
            typo = known[:position] + replacement + known[position + 1 :]
            with pytest.raises(InvalidInputError):
                normalise_device_id(typo)


def test_the_error_names_the_group_that_does_not_check() -> None:
    known = CASES[2]["device_id"]
    typo = known[:9] + ("A" if known[9] != "A" else "B") + known[10:]
    with pytest.raises(InvalidInputError, match="Group 2"):
        normalise_device_id(typo)


@pytest.mark.parametrize("text", ["", "not-an-id", "IYYEZ7P-V7BDYGB-YMB54VN", "1" * 28])
def test_text_that_is_no_device_id_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="not a device ID"):
        normalise_device_id(text)


def test_a_public_key_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="32 bytes"):
        device_id(bytes(31))


def test_luhn32_catches_neighbour_swaps_except_its_one_blind_pair() -> None:
    missed = set()
    for first in ALPHABET:
        for second in ALPHABET:
            if first != second and luhn32(first + second + "QRST") == luhn32(
                second + first + "QRST"
            ):
                missed.add(frozenset((first, second)))
    assert missed == {frozenset("A7")}
