"""The transfer protocol's events: one frozen dataclass per frame type (see frames.py)."""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.errors import LocalProtocolError
from syncoxide.protocol.manifest import Manifest

PROTOCOL_VERSION = 1


@dataclass(frozen=True)
class Hello:
    """Receiver -> sender, first: which transfer it wants, in which protocol version."""

    transfer_id: bytes
    version: int = PROTOCOL_VERSION

    def __post_init__(self) -> None:
        if len(self.transfer_id) != 16:
            raise LocalProtocolError("A transfer id is 16 bytes; this one is not.")


@dataclass(frozen=True)
class ManifestOffered:
    """Sender -> receiver: the files and folders, their sizes and SHA-256."""

    manifest: Manifest


@dataclass(frozen=True)
class Request:
    """Receiver -> sender: send file ``file_index`` from ``offset`` (0, or where we stopped)."""

    file_index: int
    offset: int


@dataclass(frozen=True)
class Credit:
    """Receiver -> sender: you may send ``amount`` more payload bytes."""

    amount: int


@dataclass(frozen=True)
class Data:
    """Sender -> receiver: bytes of a file, at an offset, inside the granted credit."""

    file_index: int
    offset: int
    payload: bytes


@dataclass(frozen=True)
class Verified:
    """Receiver -> sender: the whole file arrived and its SHA-256 matched."""

    file_index: int
    sha256: bytes


@dataclass(frozen=True)
class Done:
    """Receiver -> sender: every file is verified; the transfer is complete."""


@dataclass(frozen=True)
class Cancel:
    """Either side: a person stopped the transfer."""

    reason: str


@dataclass(frozen=True)
class Failure:
    """Either side: the transfer cannot go on (``code`` is one of the FAILURE_* values)."""

    code: int
    message: str


FAILURE_PROTOCOL = 1  # the other side broke the protocol
FAILURE_INTEGRITY = 2  # content did not match its SHA-256
FAILURE_STORAGE = 3  # reading or writing files failed (disk full, permission)

Event = Hello | ManifestOffered | Request | Credit | Data | Verified | Done | Cancel | Failure
