"""The binary framing against its known-answer vectors, and every broken frame refused."""

from __future__ import annotations

import pytest

from syncoxide.errors import RemoteProtocolError, UnsupportedVersionError
from syncoxide.protocol.events import Data, Hello
from syncoxide.protocol.frames import MAX_FRAME, MAX_PAYLOAD, decode_body, encode_event
from syncoxide.protocol.transfer import NEED_DATA, Role, TransferConnection
from tests.core.protocol.protocol_vectors import EVENTS, load_vectors


@pytest.mark.parametrize("label", sorted(EVENTS))
def test_frames_match_the_vectors_both_ways(label: str) -> None:
    expected = load_vectors()[label]
    frame = encode_event(EVENTS[label])
    assert frame.hex() == expected
    assert decode_body(frame[0], frame[5:]) == EVENTS[label]


def test_vectors_cover_every_event() -> None:
    assert set(load_vectors()) == set(EVENTS)


def test_a_frame_split_anywhere_reassembles() -> None:
    frame = encode_event(Hello(bytes(16)))
    connection = TransferConnection(Role.SENDER)
    for byte in frame[:-1]:
        connection.receive(bytes([byte]))
        assert connection.next_event() is NEED_DATA
    connection.receive(frame[-1:])
    assert connection.next_event() == Hello(bytes(16))


def test_largest_data_frame_fits_one_data_channel_message() -> None:
    assert len(encode_event(Data(0, 0, bytes(MAX_PAYLOAD)))) == MAX_FRAME == 262_144
    with pytest.raises(ValueError, match="exceeds"):
        encode_event(Data(0, 0, bytes(MAX_PAYLOAD + 1)))


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("ff00000000", RemoteProtocolError),  # unknown type
        ("0500040000", RemoteProtocolError),  # announces more than the limit
        ("0300000003000000", RemoteProtocolError),  # REQUEST body too short
        ("0700000001ff", RemoteProtocolError),  # DONE with a body
        ("0100000015584f585401" + "00" * 16, RemoteProtocolError),  # wrong magic
        ("0100000015534f585402" + "00" * 16, UnsupportedVersionError),  # version 2
        ("0800000002c328", RemoteProtocolError),  # CANCEL reason not UTF-8
    ],
)
def test_broken_frames_are_refused(frame: str, error: type[Exception]) -> None:
    connection = TransferConnection(Role.SENDER)
    connection.receive(bytes.fromhex(frame))
    with pytest.raises(error):
        connection.next_event()
