"""Names that are not valid UTF-8: fixed vectors for each form (the round-trip property test is in
tests/native/test_byte_names_properties.py: this module also runs inside Pyodide, which has no
hypothesis)."""

from __future__ import annotations

from syncoxide.byte_names import display, from_bytes, json_text, needs_bytes, to_bytes

RAW = b"bad_\x81.txt"
NAME = "bad_\udc81.txt"


def test_the_forms_of_one_name() -> None:
    assert from_bytes(RAW) == NAME
    assert to_bytes(NAME) == RAW
    assert json_text({"p": NAME}) == '{"p":"bad_\\udc81.txt"}'
    assert display(NAME) == "bad_\u201b81.txt"
    assert display(from_bytes(b"\xfe\xff")) == "\u201bFE\u201bFF"
    assert needs_bytes(NAME) and not needs_bytes("caf\u00e9.txt") and not needs_bytes("a.txt")


def test_valid_names_keep_their_plain_readable_form() -> None:
    assert json_text({"p": "caf\u00e9 \u6e2c\u8a66"}) == '{"p":"caf\u00e9 \u6e2c\u8a66"}'
    assert display("caf\u00e9") == "caf\u00e9"
