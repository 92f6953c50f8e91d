"""Where a transfer stands, and the one line both ends show for it (speed, time left, result).

Pure: the send view and the receive page render the same words from the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide.units import format_bytes, format_rate

FINAL_STATES = ("verified", "failed", "cancelled", "fallback")


@dataclass
class TransferStatus:
    done_bytes: int = 0
    total_bytes: int = 0
    started: float = 0.0
    state: str = "waiting"  # waiting, transferring, verified, failed, cancelled, fallback
    resumed_from: int = 0  # bytes the receiver already held when this connection began
    reason: str = ""
    fallback: str = ""  # the share link path a receiver switches to when the sender is gone
    received: ReceiverProgress | None = None  # at "fallback": what arrived peer-to-peer
    via_server_copy: bool = False  # the rest came from the sender's server copy

    def speed(self, now: float) -> float:
        return (self.done_bytes - self.resumed_from) / max(now - self.started, 1e-3)

    def seconds_left(self, now: float) -> float | None:
        speed = self.speed(now)
        return (self.total_bytes - self.done_bytes) / speed if speed > 0 else None


StatusCallback = Callable[[TransferStatus], None]


def describe(status: TransferStatus, now: float, verb: str) -> str:
    """One status line; ``verb`` is "Sending" or "Receiving"."""
    if status.state == "verified":
        source = " (server copy)" if status.via_server_copy else ""
        return f"Verified{source}: every file arrived and its SHA-256 matched."
    if status.state == "cancelled":
        return f"Cancelled. {status.reason}".strip()
    if status.state == "failed":
        return f"Failed: {status.reason}"
    if status.state == "fallback":
        return "The sender is gone; downloading the copy they left on the server instead."
    if status.state == "waiting":
        if status.done_bytes:
            return (
                f"The other device left at {format_bytes(status.done_bytes)}; "
                "waiting for it to come back (what arrived is kept)."
            )
        return "Waiting for the other device to connect…"
    left = status.seconds_left(now)
    tail = f", about {_duration(left)} left" if left is not None else ""
    return (
        f"{verb}: {format_bytes(status.done_bytes)} of {format_bytes(status.total_bytes)}, "
        f"{format_rate(status.speed(now))}{tail}"
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
