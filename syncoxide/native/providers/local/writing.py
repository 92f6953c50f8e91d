# ruff: noqa: PTH103, PTH105, PTH108, PTH120
# Plain ``os`` calls on ``str`` paths on purpose: this is the per-file hot path (10k files),
# and building ``Path`` objects there costs measurable time.
"""The partial file behind one local write: written (and hashed) under a hidden name, checked
against its source's digest, stamped, and only then published under its final name."""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from typing import Any

from syncoxide.errors import IntegrityError
from syncoxide.providers.contract import ExpectedDigest


class PartialWriter:
    """The partial file behind one ``write`` (blocking calls; large files use worker threads)."""

    def __init__(
        self,
        partial: str,
        hash_kind: str | None,
        expected_digest: ExpectedDigest | None,
        path: str,
    ) -> None:
        self.partial = partial
        self.hasher: Any = hashlib.new(hash_kind) if hash_kind else None
        self.expected_digest = expected_digest
        self.path = path
        self.fd = -1

    def open_and_write(self, blocks: list[bytes]) -> None:
        try:
            self.fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(self.partial), exist_ok=True)
            self.fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        for block in blocks:
            self.append(block)

    def append(self, block: bytes) -> None:
        view = memoryview(block)
        while view:
            view = view[os.write(self.fd, view) :]
        if self.hasher is not None:
            self.hasher.update(block)

    def digest(self) -> str | None:
        return None if self.hasher is None else str(self.hasher.hexdigest())

    def seal(self, mtime_ns: int | None) -> os.stat_result:
        # The source digest is final once its stream is drained; compare before publishing.
        if self.expected_digest is not None:
            wanted = self.expected_digest()
            if wanted is not None and wanted != self.digest():
                raise IntegrityError(
                    f"{self.path!r} did not match its source after the copy.",
                    hint="The previous version was kept.",
                )
        if mtime_ns is not None:
            os.utime(self.fd, ns=(mtime_ns, mtime_ns))
        return os.fstat(self.fd)

    def publish(self, final: str) -> None:
        os.close(self.fd)
        self.fd = -1
        os.replace(self.partial, final)

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with suppress(OSError):
            os.unlink(self.partial)
