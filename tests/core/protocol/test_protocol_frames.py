"""The binary framing against its known-answer vectors, and every broken frame refused."""

from __future__ import annotations

import pytest

from syncoxide.errors import RemoteProtocolError, UnsupportedVersionError
from syncoxide.protocol.events import Data, Hello, ManifestOffered
from syncoxide.protocol.frames import MAX_FRAME, MAX_PAYLOAD, decode_body, encode_event
from syncoxide.protocol.manifest import FileEntry, Manifest
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


def test_frames_grouped_or_cut_anyhow_decode_to_the_same_events() -> None:
    """A message may hold whole frames (parsed where they lie) or cut one anywhere."""
    manifest = Manifest((FileEntry("a.bin", 5000, bytes(32)),))
    data = [Data(0, i * 1000, bytes([i + 1]) * 1000) for i in range(5)]
    stream = encode_event(ManifestOffered(manifest)) + b"".join(map(encode_event, data))
    for cuts in ([], [1], [len(stream) - 1], [700, 1800, 1801, 3000], list(range(0, 6000, 333))):
        connection = TransferConnection(Role.RECEIVER)
        connection.send(Hello(bytes(16)))
        events = []
        for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
            connection.receive(stream[start:end])
            while (event := connection.next_event()) is not NEED_DATA:
                events.append(event)
        assert events == [ManifestOffered(manifest), *data]
        assert all(type(event.payload) is bytes for event in events[1:])  # type: ignore[attr-defined]
