"""S3's side of ``WritesParts``: one big file as a multipart upload whose parts arrive in any
order from concurrent streams, and which a later run resumes.

Range ``offset`` of the engine's plan is part number ``offset // part_bytes + 1``. The upload
id, the token of the engine's copy, the source mtime and the part size are kept in the upload
ledger (beside the pair's state); the engine journals each finished part with its MD5, which
is the part's ETag. A part counts as stored only when ListParts shows it with that ETag and
its length, so a resumed run re-sends exactly the parts the server does not hold.

Nothing appears under the final key before CompleteMultipartUpload, which publishes the whole
object at once; it is called only when every part is listed with the length the plan expects.
The object's ETag (the MD5 of the part MD5s, then ``-N``) is then checked against the parts
the engine verified, so parts assembled in another order or from another upload are caught.
Where S3 encrypts with SSE-KMS or SSE-C, a part's ETag is no MD5 (AWS documents it; the
UploadPart reply says so in ``x-amz-server-side-encryption: aws:kms`` or
``x-amz-server-side-encryption-customer-algorithm``), so comparing it with the bytes' MD5 could
never match. For such a part the check is S3's own: the part went with the MD5 the engine
computed as Content-MD5, which S3 verifies before it stores anything (BadDigest otherwise), so
its digest is that MD5, as long as ListParts still shows the part with the ETag and length that
reply gave. The object's assembled ETag is then not checked either. Everywhere else the ETag
comparison stands (it caught parts stored wrong). That vouching lives in this process only:
after a restart an encrypted part cannot be read back and is sent again.
An upload left by another token, another source mtime or another part size (the source
changed, or the settings did) is aborted, so the server drops its parts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from syncoxide.errors import IntegrityError, UsageError
from syncoxide.native.providers.s3.calls import S3Calls
from syncoxide.native.providers.s3.lean import Stored
from syncoxide.native.providers.s3.lean_uploads import HeldPart
from syncoxide.native.providers.s3.metadata import object_metadata
from syncoxide.native.providers.s3.settings import MiB
from syncoxide.native.providers.upload_ledger import OpenUpload, UploadLedger
from syncoxide.providers.contract import PartPlan

#: S3's limits: every part but the last at least 5 MiB, at most 10,000 parts.
MIN_PART = 5 * MiB
MAX_PARTS = 10_000
#: The one digest S3 vouches for per stored part: its ETag.
PART_KIND = "md5"
_MD5_HEX = re.compile(r"[0-9a-f]{32}")
_MULTIPART_ETAG = re.compile(r"([0-9a-f]{32})-(\d+)")


def part_bytes_for_size(size: int, base: int) -> int:
    """The part size a copy in parts uses for a file of ``size`` bytes when the user set none:
    ``base`` (the remote's part size, 8 MiB by default: each stream holds one part in memory
    while it is sent, so 4 streams of 32 MiB parts peaked at 226 MB), at least S3's 5 MiB, and
    grown in whole MiB for a file that would otherwise need more than 10,000 parts."""
    smallest = -(-size // MAX_PARTS)
    return max(base, MIN_PART, -(-smallest // MiB) * MiB)


def part_etag_md5(etag: str) -> str | None:
    """The MD5 a part's ETag states; None for an ETag that is no MD5 (some stores)."""
    bare = etag.strip('"').lower()
    return bare if _MD5_HEX.fullmatch(bare) else None


@dataclass(frozen=True)
class S3Parts:
    """Multipart uploads of one bucket, for the engine's copies in parts."""

    calls: S3Calls
    ledger: UploadLedger
    #: (upload id, part number) -> (ETag, MD5 hex) of encrypted parts whose Content-MD5 S3
    #: verified: their ETag is no MD5 (module docstring).
    vouched: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)

    async def begin(self, key: str, token: str, plan: PartPlan) -> str:
        _check_plan(plan)
        found = self.ledger.find(key)
        if found is not None:
            same = (found.token, found.mtime_ns, found.part_size) == (
                token,
                plan.mtime_ns,
                plan.part_bytes,
            )
            if same and await self.calls.held_parts(key, found.upload_id) is not None:
                return PART_KIND
            if not same:  # another version of the source, or other settings: drop its parts
                await self.calls.abort_quietly(key, found.upload_id)
            self.ledger.forget(key)
        listed = {k: plan.hashes[k] for k in ("md5", "sha1") if k in plan.hashes}
        metadata = object_metadata(plan.mtime_ns, listed, "sha1")
        upload = OpenUpload(
            await self.calls.create_upload(key, metadata),
            plan.mtime_ns,
            plan.part_bytes,
            digest=metadata.get("md5chksum", ""),
            token=token,
        )
        self.ledger.remember(key, upload)
        return PART_KIND

    def _upload(self, key: str, token: str) -> OpenUpload | None:
        found = self.ledger.find(key)
        return found if found is not None and found.token == token else None

    def part_length(self, key: str, token: str, offset: int, size: int) -> int:
        """The length the plan gives the part at ``offset`` (0 without an open upload)."""
        upload = self._upload(key, token)
        return 0 if upload is None else max(0, min(upload.part_size, size - offset))

    async def write(
        self, key: str, token: str, offset: int, body: bytes | bytearray, *, md5: bytes | None
    ) -> None:
        """Sends the part at ``offset``; with ``md5`` (the engine's digest of the bytes it
        read) as its Content-MD5, so S3 refuses a part changed on the way (BadDigest) instead
        of storing it. Without it (a caller that did not hash in MD5) the part is not hashed
        again here: the engine compares its digest with the ETag ListParts states
        (``digest``) before it journals the part, either way."""
        upload = self._upload(key, token)
        if upload is None:
            raise IntegrityError(f"S3: no open upload for {key!r}; its parts start over.")
        number = offset // upload.part_size + 1
        sent = await self.calls.upload_part(
            (key, upload.upload_id), number, body, content_md5=md5 if md5 is not None else False
        )
        self.vouched.pop((upload.upload_id, number), None)
        if sent.encrypted and md5 is not None:
            # S3 refuses a part whose Content-MD5 does not match (BadDigest), so this MD5 is
            # what it stored; the ETag, under SSE-KMS or SSE-C, cannot say so.
            self.vouched[(upload.upload_id, number)] = (sent.etag.strip('"'), md5.hex())

    async def digest(self, key: str, token: str, *, offset: int, length: int) -> str | None:
        upload = self._upload(key, token)
        if upload is None:
            return None
        held = await self.calls.held_parts(key, upload.upload_id)
        number = offset // upload.part_size + 1
        part = (held or {}).get(number)
        if part is None or part.size != length:
            return None
        vouched = self.vouched.get((upload.upload_id, number))
        if vouched is not None and vouched[0] == part.etag.strip('"'):
            return vouched[1]
        return part_etag_md5(part.etag)

    async def complete(self, key: str, token: str, size: int) -> str:
        """Publishes the object; its ETag."""
        upload = self._upload(key, token)
        if upload is None:
            raise IntegrityError(f"S3: no open upload for {key!r}; the next run copies it again.")
        held = await self.calls.held_parts(key, upload.upload_id) or {}
        count = -(-size // upload.part_size)
        wanted = [
            min(upload.part_size, size - (n - 1) * upload.part_size) for n in range(1, count + 1)
        ]
        got = [held[n].size if n in held else -1 for n in range(1, count + 1)]
        if got != wanted:
            raise IntegrityError(f"S3: the upload of {key!r} lacks parts; the next run sends them.")
        parts = [(n, held[n].etag) for n in range(1, count + 1)]
        stored = await self.calls.complete(key, upload.upload_id, parts)
        etag = stored.etag
        self.ledger.forget(key)
        if not self._assembled(upload.upload_id, stored, [held[n] for n in range(1, count + 1)]):
            await self.calls.delete([key])
            raise IntegrityError(
                f"S3 assembled {key!r} from other parts than were verified; it was removed.",
                hint="The next run copies it again.",
            )
        return etag

    def _assembled(self, upload_id: str, stored: Stored, parts: list[HeldPart]) -> bool:
        """Whether the object's ETag names exactly ``parts``; not checked for an encrypted
        object (SSE-KMS, SSE-C), whose ETags are no MD5s: S3 checked each part's Content-MD5."""
        mine = [k for k in self.vouched if k[0] == upload_id]
        for done in mine:
            del self.vouched[done]
        return stored.encrypted or bool(mine) or _assembled_from(stored.etag, parts)

    async def discard(self, key: str, token: str) -> None:
        upload = self._upload(key, token)
        if upload is not None:
            await self.calls.abort_quietly(key, upload.upload_id)
            self.ledger.forget(key)
            for dropped in [k for k in self.vouched if k[0] == upload.upload_id]:
                del self.vouched[dropped]


def _check_plan(plan: PartPlan) -> None:
    if plan.size > plan.part_bytes and plan.part_bytes < MIN_PART:
        raise UsageError(
            f"S3 parts must be at least 5 MiB; the chunk size is {plan.part_bytes} bytes.",
            hint="Nothing was sent. Raise --multi-thread-chunk-size to 5 or more.",
        )
    if -(-plan.size // plan.part_bytes) > MAX_PARTS:
        raise UsageError(
            f"S3 takes at most {MAX_PARTS} parts; {plan.size} bytes in parts of "
            f"{plan.part_bytes} would need more.",
            hint="Nothing was sent. Raise --multi-thread-chunk-size.",
        )


def _assembled_from(etag: str, parts: list[HeldPart]) -> bool:
    """Whether a multipart ETag names exactly ``parts`` in order (true when the store's ETag
    follows no known scheme: the per-part checks then stand alone)."""
    found = _MULTIPART_ETAG.fullmatch(etag.strip('"').lower())
    md5s = [part_etag_md5(part.etag) for part in parts]
    if found is None or None in md5s:
        return True
    joined = b"".join(bytes.fromhex(m) for m in md5s if m is not None)
    return found.group(1) == _md5_hex(joined) and int(found.group(2)) == len(parts)


def _md5_hex(body: bytes) -> str:
    # MD5 because S3 names a part by it (its ETag).
    return hashlib.md5(body, usedforsecurity=False).hexdigest()
