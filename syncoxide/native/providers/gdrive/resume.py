"""Drive resumable sessions that a later run continues instead of uploading from byte 0.

Before each chunk is sent, the ledger (``upload_ledger``, a JSON file beside the pair's state)
records the session, the source's mtime, the chunk size and ``end:sha1``: the offset the
session will hold once that chunk arrives and the SHA-1 of every byte up to it. A killed run
leaves the session open. The next write of the same path with the same mtime and chunk size
asks the session how many bytes it holds, reads the source again from the start, skips the
held bytes and checks the SHA-1 of the first ``end`` bytes before it sends anything after
them. Drive keeps no digest of a session's bytes, so this check is what proves the held bytes
are the source's: a source that changed keeping its mtime raises ``IntegrityError`` and the
session is cancelled; the engine's next attempt starts a new one.

Recording before sending means the session holds at most one chunk less than recorded, so at
most one chunk is still to be sent once the prefix is proven.
"""

from __future__ import annotations

import hashlib

from syncoxide.errors import IntegrityError
from syncoxide.native.providers.upload_ledger import OpenUpload, UploadLedger


class SessionTrack:
    """Records one session's chunks in the ledger and, when resuming, says what to skip."""

    def __init__(self, ledger: UploadLedger | None, key: str, upload: OpenUpload) -> None:
        self._ledger = ledger if key else None
        self._key = key
        self._upload = upload
        self._prefix = hashlib.sha1(usedforsecurity=False)
        #: Resuming: (bytes the session holds, recorded end, recorded SHA-1) until proven.
        self._resume: tuple[int, int, str] | None = None

    def resume_from(self, held: int) -> None:
        end, digest = recorded_prefix(self._upload)
        if end:
            self._resume = (held, end, digest)

    @property
    def session(self) -> str:
        return self._upload.upload_id

    def before_chunk(self, chunk: bytes, offset: int, final: bool) -> int:
        """Where in ``chunk`` (at ``offset``) sending starts: ``len(chunk)`` if it is held."""
        self._prefix.update(chunk)
        end = offset + len(chunk)
        if self._resume is not None:
            held, recorded_end, recorded = self._resume
            if end < recorded_end and not final:
                return len(chunk)  # recorded before a later chunk: the session holds it
            if end != recorded_end or self._prefix.hexdigest() != recorded:
                raise IntegrityError(
                    "The source changed since an earlier run began uploading it.",
                    hint="The earlier upload was cancelled; the next attempt starts anew.",
                )
            self._resume = None
            return min(len(chunk), max(0, held - offset))
        if self._ledger is not None:
            digest = f"{end}:{self._prefix.hexdigest()}"
            self._upload = OpenUpload(
                self._upload.upload_id, self._upload.mtime_ns, self._upload.part_size, digest
            )
            self._ledger.remember(self._key, self._upload)
        return 0

    def forget(self) -> None:
        if self._ledger is not None:
            self._ledger.forget(self._key)


def recorded_prefix(upload: OpenUpload) -> tuple[int, str]:
    """(end, SHA-1) recorded for a session; (0, "") when nothing was recorded yet."""
    end, _, digest = upload.digest.partition(":")
    return (int(end), digest) if end.isdigit() and digest else (0, "")


def can_resume(upload: OpenUpload, held: int | None, chunk_size: int) -> bool:
    """True when the session holds what the ledger says it was sent (one chunk may be lost)."""
    if held is None:
        return False
    end, _ = recorded_prefix(upload)
    return held == 0 if end == 0 else end - chunk_size <= held <= end
