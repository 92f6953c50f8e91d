"""Verified copies: the digest is computed while the bytes stream, never in a second pass.

The source side hashes what it reads; the destination provider hashes what it stores and asks
for the source digest (``expected_digest``) before it commits. A short read, a source that
changed underneath, or a digest mismatch raises ``IntegrityError``; nothing is committed, the
copy is retried, and after the last attempt the file fails with a clear message.

A destination that wants a big file's digests before the upload (``WritesKnownDigests``, S3
multipart) gets them from the listing or, when hashing the source is a local read, from one
pass over the source first: the page cache makes the second read cheap, where adding the
digests after the upload would cost the store a copy of the whole object.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar, cast

from syncoxide.errors import IntegrityError, ProviderUnavailableError
from syncoxide.providers.contract import HASH_KINDS, Entry, Provider, WritesKnownDigests

ATTEMPTS = 3
T = TypeVar("T")


async def in_verified_attempts(attempt: Callable[[], Awaitable[T]], failed: str, hint: str) -> T:
    """``attempt()`` again while its bytes fail verification or the provider is briefly away,
    up to ``ATTEMPTS`` times; then an ``IntegrityError``: "<failed> 3 times: <last reason>"."""
    last: IntegrityError | ProviderUnavailableError | None = None
    for _ in range(ATTEMPTS):
        try:
            return await attempt()
        except (IntegrityError, ProviderUnavailableError) as error:
            last = error
    assert last is not None
    raise IntegrityError(f"{failed} {ATTEMPTS} times: {last.message}", hint=hint) from last


def common_hash_kind(one: Provider, two: Provider) -> str | None:
    shared = one.features.hash_kinds & two.features.hash_kinds
    return next((kind for kind in HASH_KINDS if kind in shared), None)


class HashingSource:
    """Wraps a provider's read stream: counts and hashes the bytes as they pass."""

    def __init__(
        self,
        chunks: AsyncIterator[bytes],
        kind: str | None,
        expected: Entry,
        recheck: Callable[[], Awaitable[Entry]] | None = None,
    ) -> None:
        self._chunks = chunks
        self._recheck = recheck
        self._hasher = hashlib.new(kind) if kind else None
        self._kind = kind
        self._expected = expected
        self.count = 0

    async def stream(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            self.count += len(chunk)
            if self._hasher is not None:
                self._hasher.update(chunk)
            yield chunk
        if self._recheck is not None:
            # An edit that keeps the size (a database, a log rewritten in place) is only seen
            # by asking again: the bytes read may mix two versions, so nothing is committed.
            now = await self._recheck()
            if (now.size, now.mtime_ns) != (self._expected.size, self._expected.mtime_ns):
                raise IntegrityError(
                    f"{self._expected.path!r} changed while it was being copied; "
                    "the next run copies its new version."
                )

    def digest(self) -> str | None:
        if self.count != self._expected.size:
            raise IntegrityError(
                f"{self._expected.path!r} changed while it was being copied "
                f"({self.count} bytes read, {self._expected.size} expected)."
            )
        if self._hasher is None or self._kind is None:
            return None
        digest = self._hasher.hexdigest()
        known = self._expected.hashes.get(self._kind)
        if known is not None and known != digest:
            raise IntegrityError(f"{self._expected.path!r} no longer matches its listed digest.")
        return digest


async def copy_verified(
    source: Provider, source_entry: Entry, dest: Provider, dest_path: str, *, kind: str | None
) -> Entry:
    async def attempt() -> Entry:
        reader = HashingSource(
            source.open_read(source_entry.path),
            kind,
            source_entry,
            recheck=lambda: source.stat(source_entry.path),
        )
        writer = known_digest_writer(dest)
        known = await digests_first(source, source_entry, writer)
        if known is not None and writer is not None:
            return await writer.write_known(
                dest_path,
                reader.stream(),
                known,
                mtime_ns=source_entry.mtime_ns,
                hash_kind=kind,
                expected_digest=reader.digest,
            )
        return await dest.write(
            dest_path,
            reader.stream(),
            mtime_ns=source_entry.mtime_ns,
            hash_kind=kind,
            expected_digest=reader.digest,
        )

    return await in_verified_attempts(
        attempt,
        f"Copying {source_entry.path!r} failed verification",
        "Nothing was written under the final name and the source is untouched; "
        "check the storage and run again.",
    )


def known_digest_writer(dest: Provider) -> WritesKnownDigests | None:
    """``dest`` if it takes digests up front. Not ``isinstance``: against a runtime protocol
    that costs ~50 us, a second of CPU over a first copy of 10,000 files."""
    if callable(getattr(dest, "write_known", None)):
        return cast(WritesKnownDigests, dest)
    return None


async def digests_first(
    source: Provider, entry: Entry, dest: WritesKnownDigests | None
) -> dict[str, str] | None:
    """The digests ``dest`` wants before writing ``entry``; None when it wants none or getting
    them would mean downloading the source an extra time."""
    if dest is None:
        return None
    kinds = dest.digests_wanted_first(entry.size)
    if not kinds:
        return None
    known = {kind: entry.hashes[kind] for kind in kinds if kind in entry.hashes}
    missing = [kind for kind in kinds if kind not in known]
    if missing and not source.features.hashes_cheaply:
        return None
    for kind in missing:
        known[kind] = await source.hash(entry.path, kind)
    return known
