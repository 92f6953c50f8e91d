"""The transfer protocol's per-connection state machine, h11 style.

``send(event) -> bytes`` checks that *we* may send ``event`` now and returns its frame;
``receive(bytes)`` buffers what arrived and ``next_event()`` returns the next whole event (or
``NEED_DATA``) after checking that *they* were allowed to send it. Both consult the one table
below, keyed by (who sends, state, event type). A pair missing from the table is a protocol
error: ``LocalProtocolError`` for our own mistake, ``RemoteProtocolError`` for theirs.

One connection carries one attempt. After a reconnect both sides start a fresh machine and the
receiver asks again from where it stopped (receiving.py keeps that progress across connections).

    AWAIT_HELLO --HELLO(r)--> AWAIT_MANIFEST --MANIFEST(s)--> TRANSFERRING --DONE(r)--> DONE
    TRANSFERRING loops on REQUEST(r), CREDIT(r), DATA(s), VERIFIED(r)
    any open state --CANCEL(either)--> CANCELLED,  --FAILURE(either)--> FAILED
"""

from __future__ import annotations

import enum

from syncoxide.errors import LocalProtocolError, RemoteProtocolError
from syncoxide.protocol.events import (
    Cancel,
    Credit,
    Data,
    Done,
    Event,
    Failure,
    Hello,
    ManifestOffered,
    Request,
    Verified,
)
from syncoxide.protocol.frames import HEADER, decode_body, encode_event, split_frame


class Role(enum.Enum):
    SENDER = "sender"
    RECEIVER = "receiver"


class State(enum.Enum):
    AWAIT_HELLO = "await_hello"
    AWAIT_MANIFEST = "await_manifest"
    TRANSFERRING = "transferring"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class _NeedData(enum.Enum):
    NEED_DATA = "need_data"


NEED_DATA = _NeedData.NEED_DATA

S, R = Role.SENDER, Role.RECEIVER
OPEN_STATES = (State.AWAIT_HELLO, State.AWAIT_MANIFEST, State.TRANSFERRING)

TRANSITIONS: dict[tuple[Role, State, type[Event]], State] = {
    (R, State.AWAIT_HELLO, Hello): State.AWAIT_MANIFEST,
    (S, State.AWAIT_MANIFEST, ManifestOffered): State.TRANSFERRING,
    (R, State.TRANSFERRING, Request): State.TRANSFERRING,
    (R, State.TRANSFERRING, Credit): State.TRANSFERRING,
    (S, State.TRANSFERRING, Data): State.TRANSFERRING,
    (R, State.TRANSFERRING, Verified): State.TRANSFERRING,
    (R, State.TRANSFERRING, Done): State.DONE,
    **{(who, state, Cancel): State.CANCELLED for who in Role for state in OPEN_STATES},
    **{(who, state, Failure): State.FAILED for who in Role for state in OPEN_STATES},
}


class TransferConnection:
    def __init__(self, role: Role) -> None:
        self.our_role = role
        self.their_role = R if role is S else S
        self.state = State.AWAIT_HELLO
        self._buffer: bytes | bytearray = b""
        self._start = 0  # frames before this offset were already read

    def send(self, event: Event) -> bytes:
        """Return the frame for ``event``, or raise LocalProtocolError if it is not our turn."""
        self.state = self._transition(self.our_role, type(event), LocalProtocolError)
        return encode_event(event)

    def send_unframed(self, kind: type[Event]) -> None:
        """Check and record that we send a ``kind`` event whose frame the adapter builds itself
        (the browser frames DATA in JavaScript, so payloads never pass through Python)."""
        self.state = self._transition(self.our_role, kind, LocalProtocolError)

    def receive_unframed(self, kind: type[Event]) -> None:
        """Check and record that they sent a ``kind`` event the adapter parsed itself (the
        browser peels DATA frames off in JavaScript and hands over only their header)."""
        if self._start < len(self._buffer):
            raise RemoteProtocolError(
                f"A {kind.__name__} frame arrived in the middle of another frame.",
                hint="Verified files were kept; resume the transfer to continue.",
            )
        self.state = self._transition(self.their_role, kind, RemoteProtocolError)

    def receive(self, data: bytes) -> None:
        # A data channel message usually holds whole frames: then the message itself becomes
        # the buffer, not a copy. Read frames are dropped once per message, not one by one:
        # dropping each frame as it is read would copy what is left over and over.
        if self._start >= len(self._buffer):
            self._buffer, self._start = data, 0
            return
        rest = bytearray(memoryview(self._buffer)[self._start :])
        rest += data
        self._buffer, self._start = rest, 0

    def next_event(self) -> Event | _NeedData:
        found = split_frame(self._buffer, self._start)
        if found is None:
            return NEED_DATA
        kind, length = found
        with memoryview(self._buffer) as view:
            body = view[self._start + HEADER.size : self._start + length]
            try:
                event = decode_body(kind, body)  # decoders copy what they keep
            finally:
                body.release()
        self._start += length
        self.state = self._transition(self.their_role, type(event), RemoteProtocolError)
        return event

    def _transition(
        self, who: Role, kind: type[Event], error: type[LocalProtocolError | RemoteProtocolError]
    ) -> State:
        after = TRANSITIONS.get((who, self.state, kind))
        if after is None:
            raise error(
                f"The {who.value} may not send {kind.__name__} while the transfer is "
                f"{self.state.value}.",
                hint="Verified files were kept; resume the transfer to continue.",
            )
        return after
