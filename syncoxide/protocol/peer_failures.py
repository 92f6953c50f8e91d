"""What a CANCEL or FAILURE frame from the other side becomes on ours: an error from the tree."""

from __future__ import annotations

from syncoxide.errors import (
    CancelledByUserError,
    IntegrityError,
    ProviderError,
    RemoteProtocolError,
    SyncoxideError,
)
from syncoxide.protocol.events import FAILURE_INTEGRITY, FAILURE_STORAGE, Cancel, Failure

_KEPT = "Verified files were kept; start the transfer again to resume."


def error_from_peer(event: Cancel | Failure, peer: str) -> SyncoxideError:
    if isinstance(event, Cancel):
        return CancelledByUserError(
            f"The {peer} cancelled the transfer: {event.reason}", hint=_KEPT
        )
    kinds: dict[int, type[SyncoxideError]] = {
        FAILURE_INTEGRITY: IntegrityError,
        FAILURE_STORAGE: ProviderError,
    }
    kind = kinds.get(event.code, RemoteProtocolError)
    return kind(f"The {peer} stopped the transfer: {event.message}", hint=_KEPT)


def failure_code(error: SyncoxideError) -> int:
    if isinstance(error, IntegrityError):
        return FAILURE_INTEGRITY
    if isinstance(error, ProviderError):
        return FAILURE_STORAGE
    return 1
