"""Two ends over an in-memory link: delays, split frames, a cut mid-stream, resume."""

from __future__ import annotations

import hashlib

import pytest

from syncoxide.errors import IntegrityError, RemoteProtocolError
from syncoxide.protocol.events import Credit, Data
from syncoxide.protocol.frames import encode_event
from syncoxide.protocol.receiving import ReceiverProgress, ReceiverSession
from tests.core.protocol.protocol_link import TRANSFER_ID, Link, manifest_of


def content(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


FILES = {
    "a.bin": content("a", 300_000),
    "folder/empty.txt": b"",
    "folder/deep/b.bin": content("b", 70_001),
}


def test_files_arrive_verified_over_a_slow_link() -> None:
    link = Link(dict(FILES), delay=5)
    link.run()
    assert link.complete and link.sender_confirmed
    assert link.final == FILES
    assert link.sender.bytes_sent == sum(map(len, FILES.values()))
    assert link.sender.already_had == 0


def test_credit_bounds_the_bytes_in_flight() -> None:
    link = Link(dict(FILES), window=32 * 1024, delay=4)
    peak = 0
    while not link.complete:
        link.tick()
        in_flight = sum(len(d) for _, d in link.to_receiver.in_flight)
        peak = max(peak, in_flight)
    assert peak <= 32 * 1024 + 1024  # the window plus frame headers


def test_cut_mid_stream_resumes_without_resending_written_bytes() -> None:
    link = Link(dict(FILES))
    link.run(until=150_000)
    written_before_cut = sum(len(p) for p in link.disk.values())
    assert 0 < written_before_cut < len(FILES["a.bin"])
    link.cut()
    link.reconnect()
    link.run()
    assert link.complete and link.final == FILES
    assert link.connections == 2
    offsets = [(index, offset) for index, offset, _ in link.writes]
    assert len(offsets) == len(set(offsets)), "a chunk was written twice"
    # The second connection only carried what the first had not delivered.
    assert link.sender.bytes_sent == sum(map(len, FILES.values())) - written_before_cut
    # ...and the new sender knows where the receiver stood, so its progress starts there.
    assert link.sender.already_had == written_before_cut


def test_repeated_cuts_still_converge() -> None:
    link = Link(dict(FILES), delay=3)
    for _ in range(6):
        link.run(ticks=7)
        link.cut()
        link.reconnect()
    link.run()
    assert link.complete and link.final == FILES


def test_receiver_restart_rebuilds_progress_from_kept_bytes() -> None:
    link = Link(dict(FILES))
    link.run(until=100_000)
    link.cut()
    link.kept = {index: bytes(part) for index, part in link.disk.items()}
    link.progress = ReceiverProgress(TRANSFER_ID)  # a new process starts knowing nothing
    link.reconnect()
    link.run()
    assert link.complete and link.final == FILES
    assert link.sender.bytes_sent < sum(map(len, FILES.values()))


def test_cut_after_the_last_file_verified_still_finishes() -> None:
    link = Link({"one": b"abc"})
    while not link.complete:
        link.tick()
    link.cut()  # the DONE frame is lost on the way
    link.sender_confirmed = False
    link.reconnect()
    link.run()
    assert link.sender_confirmed
    assert link.sender.bytes_sent == 0
    assert link.sender.already_had == 3  # a verified file counts as held, once


def test_tampered_content_fails_the_hash_and_is_not_kept() -> None:
    link = Link(dict(FILES))
    link.files["a.bin"] = b"X" + FILES["a.bin"][1:]  # the sender's disk changed under it
    with pytest.raises(IntegrityError, match=r"a\.bin"):
        link.run()
    assert "a.bin" not in link.final
    assert link.progress.offset(0) == 0  # the damaged bytes will be received again


def started_receiver(files: dict[str, bytes]) -> ReceiverSession:
    manifest = manifest_of(files)
    receiver = ReceiverSession(ReceiverProgress(TRANSFER_ID), window=1024)
    from syncoxide.protocol.sending import SenderSession

    sender = SenderSession(manifest, TRANSFER_ID)
    sender.receive(receiver.data_to_send())
    receiver.receive(sender.data_to_send())
    receiver.request_missing()
    receiver.data_to_send()
    return receiver


def test_more_than_announced_is_refused() -> None:
    receiver = started_receiver({"small": b"12345"})
    with pytest.raises(RemoteProtocolError, match="announced size"):
        receiver.receive(encode_event(Data(0, 0, b"123456")))


def test_more_than_the_credit_is_refused() -> None:
    receiver = started_receiver({"big": b"x" * 5000})
    with pytest.raises(RemoteProtocolError, match="credit"):
        receiver.receive(encode_event(Data(0, 0, b"x" * 1025)))


def test_out_of_order_data_is_refused() -> None:
    receiver = started_receiver({"big": b"x" * 5000})
    with pytest.raises(RemoteProtocolError, match="out of order"):
        receiver.receive(encode_event(Data(0, 10, b"x")))


def test_credit_from_the_sender_is_a_protocol_error() -> None:
    receiver = started_receiver({"big": b"x" * 5000})
    with pytest.raises(RemoteProtocolError):
        receiver.receive(encode_event(Credit(10)))
