"""The pairing hello: a relay between two DTLS channels, or a wrong code, is caught."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.binding import ChannelView
from syncoxide.devices.pairing import ANSWERER, OFFERER, Hello, check_hello, make_hello
from syncoxide.devices.wire import MAX_FRAME
from syncoxide.errors import AuthenticationError, RemoteProtocolError
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.native.p2p.channel import MAX_MESSAGE

ED25519 = NativeEd25519()
SEED = SecretBytes(hashlib.sha256(b"laptop").digest())
PUBLIC = asyncio.run(ED25519.public_key(SEED))
VIEW = ChannelView(hashlib.sha256(b"offerer cert").digest(), hashlib.sha256(b"answerer").digest())
KEY = hashlib.sha256(b"pake key").digest()


def hello(*, view: ChannelView = VIEW, key: bytes = KEY) -> Hello:
    made = make_hello(
        SEED, PUBLIC, "laptop", pake_key=key, view=view, role=OFFERER, ed25519=ED25519
    )
    return asyncio.run(made)


def check(
    received: Hello, *, view: ChannelView = VIEW, key: bytes = KEY, role: int = OFFERER
) -> None:
    asyncio.run(check_hello(received, pake_key=key, view=view, role=role, ed25519=ED25519))


def test_a_hello_over_the_same_channel_and_code_checks() -> None:
    check(Hello.decode(hello().encode()))


def test_a_relay_in_the_middle_is_caught_by_the_channel_binding() -> None:
    # The relay shows each end its own certificate: the views differ in one fingerprint.
    relayed = ChannelView(VIEW.offerer, hashlib.sha256(b"relay cert").digest())
    with pytest.raises(AuthenticationError, match="sits between"):
        check(hello(view=relayed))


def test_a_peer_that_does_not_know_the_code_is_caught() -> None:
    with pytest.raises(AuthenticationError, match="pairing code"):
        check(hello(key=hashlib.sha256(b"guess").digest()))


def test_a_hello_reflected_to_its_sender_is_refused() -> None:
    with pytest.raises(AuthenticationError):
        check(hello(), role=ANSWERER)


@pytest.mark.parametrize(
    "raw",
    [b"", b"[]", b'{"type": "hello"}', json.dumps({"type": "hello", "public": "AA==",
     "name": "x", "signature": "AA==", "mac": "AA=="}).encode()],
)  # fmt: skip
def test_malformed_hellos_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        Hello.decode(raw)


def test_sync_frames_fit_the_channel_message_limit() -> None:
    assert MAX_FRAME == MAX_MESSAGE
