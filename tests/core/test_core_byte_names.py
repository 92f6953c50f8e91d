"""Names that are not valid UTF-8: fixed vectors for each form, and round trips (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.byte_names import display, from_bytes, json_bytes, json_text, needs_bytes, to_bytes

RAW = b"bad_\x81.txt"
NAME = "bad_\udc81.txt"

#: Bytes of a POSIX name: anything but "/" and NUL.
name_bytes = st.binary(min_size=1, max_size=60).filter(lambda b: b"/" not in b and b"\0" not in b)


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


@settings(max_examples=300, deadline=None)
@given(name_bytes)
def test_every_byte_name_round_trips_through_json(raw: bytes) -> None:
    name = from_bytes(raw)
    blob = json_bytes({"files": [name]})
    blob.decode("utf-8")  # strict: the journal and state stay valid UTF-8
    assert to_bytes(json.loads(blob)["files"][0]) == raw
    assert needs_bytes(name) == (not _is_utf8(raw))
    display(name).encode("utf-8")  # printable on any UTF-8 terminal


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
