"""Multipart uploads that a later run resumes instead of sending every part again.

A run killed mid-upload leaves its multipart upload open on the server. The ledger (a small
JSON file beside the pair's state) names it: key -> upload id, the source's mtime and the part
size it was started with (and the digest put in its metadata, if any). The next write of that
key with the same mtime, part size and digest asks the server which parts arrived (ListParts)
and skips a part only when the server's ETag for it is the MD5 of the bytes about to be sent,
so a skipped part is exactly what the source holds now; any other part is sent again into the
same upload. An upload started for another version of the source (another mtime, part size or
digest) is aborted, so the server drops its parts.

Only our own uploads are resumed or aborted: another client's open upload of the same key is
never touched, because only the ledger names uploads. Losing the ledger costs the resume, never
data: the open upload then waits for the bucket's lifecycle rule to drop it.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from syncoxide.native.providers.upload_ledger import OpenUpload, UploadLedger


@dataclass(frozen=True)
class HeldPart:
    etag: str
    size: int

    def holds(self, md5_hex: str, size: int) -> bool:
        return self.etag.strip('"').lower() == md5_hex and self.size == size


async def open_upload(
    client: Any,
    ledger: UploadLedger | None,
    where: tuple[str, str],
    upload: tuple[int, int, dict[str, str]],
) -> tuple[str, dict[int, HeldPart]]:
    """The upload id to send parts to, and the parts the server already holds for it.

    ``where`` is (bucket, key); ``upload`` is (source mtime, part size, object metadata).
    """
    bucket, key = where
    mtime_ns, part_size, metadata = upload
    # The digests an upload was started with are in its metadata for good: resume only one
    # started for the same digest (or, like it, for none).
    digest = metadata.get("md5chksum", "")
    found = ledger.find(key) if ledger is not None else None
    if ledger is not None and found is not None:
        if (found.mtime_ns, found.part_size, found.digest) == (mtime_ns, part_size, digest):
            held = await held_parts(client, bucket, key, found.upload_id)
            if held is not None:
                return found.upload_id, held
        else:
            await abort_quietly(client, bucket, key, found.upload_id)
        ledger.forget(key)
    created = await client.create_multipart_upload(Bucket=bucket, Key=key, Metadata=metadata)
    upload_id = str(created["UploadId"])
    if ledger is not None:
        ledger.remember(key, OpenUpload(upload_id, mtime_ns, part_size, digest))
    return upload_id, {}


async def held_parts(
    client: Any, bucket: str, key: str, upload_id: str
) -> dict[int, HeldPart] | None:
    """The parts of an open upload; None when the server no longer knows the upload."""
    held: dict[int, HeldPart] = {}
    try:
        async for page in client.get_paginator("list_parts").paginate(
            Bucket=bucket, Key=key, UploadId=upload_id
        ):
            for part in page.get("Parts", []):
                held[int(part["PartNumber"])] = HeldPart(str(part["ETag"]), int(part["Size"]))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchUpload", "404"):
            return None  # completed, aborted or expired since: start over
        raise
    return held


async def abort_quietly(client: Any, bucket: str, key: str, upload_id: str) -> None:
    # An abort that fails leaves parts the bucket's lifecycle rule drops; never a reason to
    # fail the write that no longer needs them.
    with suppress(Exception):
        await client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
