"""Names that are not valid UTF-8 round-trip through the journal's JSON (hypothesis; the fixed
vectors are in tests/core/test_core_byte_names.py)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.byte_names import display, from_bytes, json_bytes, needs_bytes, to_bytes

#: Bytes of a POSIX name: anything but "/" and NUL.
name_bytes = st.binary(min_size=1, max_size=60).filter(lambda b: b"/" not in b and b"\0" not in b)


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
