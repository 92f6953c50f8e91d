"""The modification time a stored file gets: the client's, or the moment the server kept it.

Every upload route into a user's server storage (``PUT /storage/content``, a tus upload named
by ``POST /storage/commit``, gRPC ``Files.Upload``, and the server's own writes through
``OwnFilesProvider``) may leave the time out. A missing time means "now, when the server
committed the file", never 0: a file stamped 1970 shows as blank or ancient in the app, and an
account share or sync rule comparing size and time would miss a same-size rewrite.

A time the client gives is kept as given, unless it is absurd; then the write is refused
before anything is kept, rather than clamped, so a client with a broken clock learns of it
instead of silently storing a time it did not send:

- before 1970 (negative): no file system we sync with keeps such a time on purpose;
- more than ``FUTURE_SLACK_NS`` (26 hours) ahead of the server's clock: beyond any time zone
  mistake or clock skew, and a file dated years ahead would win every "newer" comparison.
"""

from __future__ import annotations

from syncoxide.errors import UsageError

NS_PER_SECOND = 1_000_000_000
#: How far ahead of the server's clock a given time may be (time zones span 26 hours).
FUTURE_SLACK_NS = 26 * 3600 * NS_PER_SECOND


def check_given_mtime(mtime_ns: int | None, now_ns: int) -> None:
    """``UsageError`` when a client's time is before 1970 or over 26 hours in the future."""
    if mtime_ns is None:
        return
    if mtime_ns < 0:
        raise UsageError(
            f"The modification time {mtime_ns} ns is before 1970.",
            hint="Nothing was kept. Send the file's real time, or none to have the server's.",
        )
    if mtime_ns > now_ns + FUTURE_SLACK_NS:
        raise UsageError(
            f"The modification time {mtime_ns} ns is more than 26 hours ahead of"
            " the server's clock.",
            hint="Nothing was kept. Check the sending machine's clock, or send no time"
            " to have the server's.",
        )


def committed_mtime(mtime_ns: int | None, now_ns: int) -> int:
    """The time to store: the client's if it gave one, else the commit moment ``now_ns``."""
    check_given_mtime(mtime_ns, now_ns)
    return now_ns if mtime_ns is None else mtime_ns
