"""Two ends over an in-memory link: delays, split frames, a cut mid-stream, resume."""

from __future__ import annotations

import hashlib

import pytest

from syncoxide.errors import IntegrityError, LocalProtocolError, RemoteProtocolError
from syncoxide.protocol.events import Credit, Data
from syncoxide.protocol.frames import encode_event
from syncoxide.protocol.receiving import (
    DigestNeeded,
    FileVerified,
    ReceiverProgress,
    ReceiverSession,
    TransferComplete,
)
from syncoxide.protocol.sending import ChunkRead, SenderSession
from tests.core.protocol.protocol_link import TRANSFER_ID, Link, OutsideLink, manifest_of


def content(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


# Every link test runs twice: payloads through the session (the CLI's way), and DATA framed by the
# sender's adapter and peeled off and hashed by the receiver's (the browser's way).
BOTH_WAYS = pytest.mark.parametrize("make_link", [Link, OutsideLink], ids=["inside", "outside"])

FILES = {
    "a.bin": content("a", 300_000),
    "folder/empty.txt": b"",
    "folder/deep/b.bin": content("b", 70_001),
}


@BOTH_WAYS
def test_files_arrive_verified_over_a_slow_link(make_link: type[Link]) -> None:
    link = make_link(dict(FILES), delay=5)
    link.run()
    assert link.complete and link.sender_confirmed
    assert link.final == FILES
    assert link.sender.bytes_sent == sum(map(len, FILES.values()))
    assert link.sender.already_had == 0


@BOTH_WAYS
def test_credit_bounds_the_bytes_in_flight(make_link: type[Link]) -> None:
    link = make_link(dict(FILES), window=32 * 1024, delay=4)
    peak = 0
    while not link.complete:
        link.tick()
        in_flight = sum(len(d) for _, d in link.to_receiver.in_flight)
        peak = max(peak, in_flight)
    assert peak <= 32 * 1024 + 1024  # the window plus frame headers


@BOTH_WAYS
def test_cut_mid_stream_resumes_without_resending_written_bytes(make_link: type[Link]) -> None:
    link = make_link(dict(FILES))
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


@BOTH_WAYS
def test_repeated_cuts_still_converge(make_link: type[Link]) -> None:
    link = make_link(dict(FILES), delay=3)
    for _ in range(6):
        link.run(ticks=7)
        link.cut()
        link.reconnect()
    link.run()
    assert link.complete and link.final == FILES


@BOTH_WAYS
def test_receiver_restart_rebuilds_progress_from_kept_bytes(make_link: type[Link]) -> None:
    link = make_link(dict(FILES))
    link.run(until=100_000)
    link.cut()
    link.kept = {index: bytes(part) for index, part in link.disk.items()}
    link.progress = link.new_progress()  # a new process starts knowing nothing
    link.reconnect()
    link.run()
    assert link.complete and link.final == FILES
    assert link.sender.bytes_sent < sum(map(len, FILES.values()))


@BOTH_WAYS
def test_cut_after_the_last_file_verified_still_finishes(make_link: type[Link]) -> None:
    link = make_link({"one": b"abc"})
    while not link.complete:
        link.tick()
    link.cut()  # the DONE frame is lost on the way
    link.sender_confirmed = False
    link.reconnect()
    link.run()
    assert link.sender_confirmed
    assert link.sender.bytes_sent == 0
    assert link.sender.already_had == 3  # a verified file counts as held, once


@BOTH_WAYS
def test_tampered_content_fails_the_hash_and_is_not_kept(make_link: type[Link]) -> None:
    link = make_link(dict(FILES))
    link.files["a.bin"] = b"X" + FILES["a.bin"][1:]  # the sender's disk changed under it
    with pytest.raises(IntegrityError, match=r"a\.bin"):
        link.run()
    assert "a.bin" not in link.final
    assert link.progress.offset(0) == 0  # the damaged bytes will be received again


def started_receiver(files: dict[str, bytes], *, hashed_outside: bool = False) -> ReceiverSession:
    """A receiver past the manifest, with 1 KiB of credit granted."""
    progress = ReceiverProgress(TRANSFER_ID, hashed_outside=hashed_outside)
    receiver = ReceiverSession(progress, window=1024)
    sender = SenderSession(manifest_of(files), TRANSFER_ID)
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


def started_outside(files: dict[str, bytes]) -> ReceiverSession:
    return started_receiver(files, hashed_outside=True)


def test_header_only_data_gets_the_same_checks() -> None:
    for files, header, error in [
        ({"small": b"12345"}, (0, 0, 6), "announced size"),
        ({"big": b"x" * 5000}, (0, 0, 1025), "credit"),
        ({"big": b"x" * 5000}, (0, 10, 1), "out of order"),
        ({"big": b"x" * 5000}, (7, 0, 1), "out of order"),
    ]:
        receiver = started_outside(files)
        with pytest.raises(RemoteProtocolError, match=error):
            receiver.accept_data(*header)
        assert receiver.data_to_send()[0] == 0x09, "the sender is told with a FAILURE frame"
        assert receiver.progress.offset(0) == 0, "nothing of a refused frame is counted"


def test_a_wrong_outside_digest_fails_and_starts_the_file_over() -> None:
    receiver = started_outside({"small": b"12345"})
    [needed] = receiver.accept_data(0, 0, 5)
    assert isinstance(needed, DigestNeeded)
    with pytest.raises(IntegrityError, match="small"):
        receiver.file_digest(0, hashlib.sha256(b"12346").digest())
    assert receiver.progress.offset(0) == 0
    assert receiver.data_to_send()[0] == 0x09


def test_the_right_outside_digest_verifies_and_completes() -> None:
    receiver = started_outside({"small": b"12345"})
    receiver.accept_data(0, 0, 5)
    actions = receiver.file_digest(0, hashlib.sha256(b"12345").digest())
    assert [type(action) for action in actions] == [FileVerified, TransferComplete]
    with pytest.raises(LocalProtocolError, match="not waiting"):
        receiver.file_digest(0, hashlib.sha256(b"12345").digest())


def test_hashing_here_and_outside_do_not_mix() -> None:
    outside = started_outside({"big": b"x" * 5000})
    with pytest.raises(LocalProtocolError, match="hashed outside"):
        outside.receive(encode_event(Data(0, 0, b"x")))
    inside = started_receiver({"big": b"x" * 5000})
    with pytest.raises(LocalProtocolError, match="hashed_outside"):
        inside.accept_data(0, 0, 1)
    with pytest.raises(LocalProtocolError, match="hashed_outside"):
        inside.progress.absorbed_outside(0, 10)


def test_header_only_data_in_the_middle_of_a_frame_is_refused() -> None:
    receiver = started_outside({"big": b"x" * 5000})
    receiver.receive(encode_event(Credit(1))[:3])  # half a frame waits in the parser
    with pytest.raises(RemoteProtocolError, match="middle of another frame"):
        receiver.accept_data(0, 0, 1)


def test_a_span_takes_all_the_credit_the_file_allows() -> None:
    files = {"a": b"a" * 3000, "b": b"b" * 10}
    sender = SenderSession(manifest_of(files), TRANSFER_ID)
    receiver = ReceiverSession(ReceiverProgress(TRANSFER_ID), window=2048)
    sender.receive(receiver.data_to_send())
    receiver.receive(sender.data_to_send())
    receiver.request_missing()
    sender.receive(receiver.data_to_send())
    assert sender.take_span() == ChunkRead(0, 0, 2048)  # the whole credit, one span
    assert sender.take_span() is None  # no credit left
    sender.credit += 2000  # as if more credit came
    assert sender.take_span() == ChunkRead(0, 2048, 952)  # the rest of the file
    assert sender.take_span() == ChunkRead(1, 0, 10)  # then the next file
    assert sender.bytes_sent == 3010


def test_credit_goes_back_in_the_steps_the_adapter_chose() -> None:
    receiver = started_outside({"big": b"x" * 5000})
    receiver.top_up = 512
    receiver.written(300)
    assert receiver.data_to_send() == b"", "no credit before a whole step was written"
    receiver.written(300)
    assert receiver.data_to_send() == encode_event(Credit(600))
    assert ReceiverSession(ReceiverProgress(TRANSFER_ID), window=1600).top_up == 100
