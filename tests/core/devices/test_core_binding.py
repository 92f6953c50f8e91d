"""Channel binding bytes and pairing codes (pure: runs in Pyodide too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncoxide.devices.binding import ChannelView, Purpose, binding, sdp_fingerprint
from syncoxide.devices.pairing import PairingCode
from syncoxide.errors import InvalidInputError, RemoteProtocolError

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "devices" / "binding_v1.json"


def test_sdp_fingerprint_reads_the_sha256_line() -> None:
    sdp = "v=0\r\na=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
    assert sdp_fingerprint(sdp) == bytes([0xAB]) * 32
    with pytest.raises(RemoteProtocolError):
        sdp_fingerprint("v=0\r\na=fingerprint:sha-1 AB:CD\r\n")


def test_pairing_codes_round_trip_and_bad_ones_are_refused() -> None:
    code = PairingCode.new("7K3Q-9XPM", bytes(range(8)))
    assert PairingCode.parse(str(code).lower().replace("-", " ")) == code
    with pytest.raises(InvalidInputError):
        PairingCode.parse("7K3Q-9XPM")


def test_binding_bytes_match_the_known_answer() -> None:
    case = json.loads(VECTORS.read_text())["cases"][0]
    signed = binding(Purpose(case["purpose"]), bytes.fromhex(case["session"]),
                     ChannelView(bytes.fromhex(case["offerer"]), bytes.fromhex(case["answerer"])),
                     bytes.fromhex(case["signer"]))  # fmt: skip
    assert signed.hex() == case["binding"]
