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

from syncoxide.native.providers.s3.calls import S3Calls
from syncoxide.native.providers.s3.lean_uploads import HeldPart
from syncoxide.native.providers.upload_ledger import OpenUpload, UploadLedger


async def open_upload(
    calls: S3Calls,
    ledger: UploadLedger | None,
    key: str,
    upload: tuple[int, int, dict[str, str]],
) -> tuple[str, dict[int, HeldPart]]:
    """The upload id to send parts of ``key`` to, and the parts the server already holds for
    it. ``upload`` is (source mtime, part size, object metadata).
    """
    mtime_ns, part_size, metadata = upload
    # The digests an upload was started with are in its metadata for good: resume only one
    # started for the same digest (or, like it, for none).
    digest = metadata.get("md5chksum", "")
    found = ledger.find(key) if ledger is not None else None
    if ledger is not None and found is not None:
        if (found.mtime_ns, found.part_size, found.digest) == (mtime_ns, part_size, digest):
            held = await calls.held_parts(key, found.upload_id)
            if held is not None:
                return found.upload_id, held
        else:
            await calls.abort_quietly(key, found.upload_id)
        ledger.forget(key)
    upload_id = await calls.create_upload(key, metadata)
    if ledger is not None:
        ledger.remember(key, OpenUpload(upload_id, mtime_ns, part_size, digest))
    return upload_id, {}
