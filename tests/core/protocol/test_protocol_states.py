"""The transition table: each side may only send what its state allows."""

from __future__ import annotations

import pytest

from syncoxide.errors import LocalProtocolError, RemoteProtocolError
from syncoxide.protocol.events import Cancel, Credit, Data, Done, Hello, ManifestOffered
from syncoxide.protocol.frames import encode_event
from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.transfer import Role, State, TransferConnection

EMPTY = Manifest(())


def test_happy_path_walks_the_table() -> None:
    sender, receiver = TransferConnection(Role.SENDER), TransferConnection(Role.RECEIVER)
    for event, source, sink in [
        (Hello(bytes(16)), receiver, sender),
        (ManifestOffered(EMPTY), sender, receiver),
        (Credit(10), receiver, sender),
        (Data(0, 0, b"x"), sender, receiver),
        (Done(), receiver, sender),
    ]:
        sink.receive(source.send(event))
        assert sink.next_event() == event
    assert sender.state is receiver.state is State.DONE


def test_sending_out_of_turn_is_our_own_error() -> None:
    sender = TransferConnection(Role.SENDER)
    with pytest.raises(LocalProtocolError, match="sender may not send Data"):
        sender.send(Data(0, 0, b"early"))


def test_receiving_out_of_turn_is_their_error() -> None:
    receiver = TransferConnection(Role.RECEIVER)
    receiver.receive(encode_event(Done()))
    with pytest.raises(RemoteProtocolError, match="receiver may not send Done"):
        TransferConnection(Role.SENDER)._transition(Role.RECEIVER, Done, RemoteProtocolError)
    with pytest.raises(RemoteProtocolError, match="sender may not send Done"):
        receiver.next_event()


def test_cancel_closes_from_any_open_state_and_nothing_follows() -> None:
    sender = TransferConnection(Role.SENDER)
    sender.send(Cancel("stop"))
    assert sender.state is State.CANCELLED
    with pytest.raises(LocalProtocolError):
        sender.send(Cancel("again"))
