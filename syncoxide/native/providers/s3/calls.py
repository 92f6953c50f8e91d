"""The multipart-upload and delete requests of one bucket: lean first, botocore when needed.

Each call goes through the lean requests (``lean_uploads.py``) when the remote allows them (an
endpoint and static keys) and they understood the reply; otherwise the same request goes
through the botocore client, which is made (and botocore imported) only then.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from syncoxide.native.providers.s3.errors import error_code
from syncoxide.native.providers.s3.lean import Stored, etag_is_opaque, lean_delete, lean_upload_part
from syncoxide.native.providers.s3.lean_uploads import (
    HeldPart,
    Lean,
    lean_abort,
    lean_complete,
    lean_create_upload,
    lean_delete_keys,
    lean_list_parts,
)

#: The most keys one DeleteObjects request takes.
DELETE_BATCH = 1000


@dataclass(frozen=True)
class S3Calls:
    bucket: str
    lean: Lean | None
    #: The botocore client, made on first use.
    botocore: Callable[[], Awaitable[Any]]

    async def create_upload(self, key: str, metadata: dict[str, str]) -> str:
        """A new multipart upload of ``key`` carrying ``metadata``: its upload id."""
        if self.lean is not None:
            upload_id = await lean_create_upload(self.lean, self.bucket, key, metadata)
            if upload_id is not None:
                return upload_id
        client = await self.botocore()
        created = await client.create_multipart_upload(
            Bucket=self.bucket, Key=key, Metadata=metadata
        )
        return str(created["UploadId"])

    async def upload_part(
        self,
        where: tuple[str, str],
        number: int,
        body: bytes | bytearray,
        *,
        content_md5: bool | bytes = True,
    ) -> Stored:
        """Sends part ``number`` of the upload ``where`` = (key, upload id): what S3 stored
        (``content_md5`` as in ``lean_upload_part``)."""
        key, upload_id = where
        if self.lean is not None:
            session, signer = self.lean
            stored = await lean_upload_part(
                session,
                signer,
                (self.bucket, key, upload_id),
                number,
                body=body,
                content_md5=content_md5,
            )
            if stored is not None:
                return stored
        client = await self.botocore()
        checked = (
            {"ContentMD5": base64.b64encode(content_md5).decode()}
            if isinstance(content_md5, bytes)
            else {}
        )
        sent = await client.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body, **checked
        )
        return _stored(sent)

    async def held_parts(self, key: str, upload_id: str) -> dict[int, HeldPart] | None:
        """The parts of an open upload; None when the server no longer knows the upload
        (completed, aborted or expired since)."""
        if self.lean is not None:
            with suppress(LookupError):  # unusual: botocore says what it is
                return await lean_list_parts(self.lean, (self.bucket, key, upload_id))
        client = await self.botocore()
        held: dict[int, HeldPart] = {}
        try:
            async for page in client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=key, UploadId=upload_id
            ):
                for part in page.get("Parts", []):
                    held[int(part["PartNumber"])] = HeldPart(str(part["ETag"]), int(part["Size"]))
        except Exception as error:
            if error_code(error) in ("NoSuchUpload", "404"):
                return None
            raise
        return held

    async def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> Stored:
        """Publishes the object from ``parts`` = (number, ETag): its ETag ("" if none)."""
        if self.lean is not None:
            stored = await lean_complete(self.lean, (self.bucket, key, upload_id), parts)
            if stored is not None:
                return stored
        client = await self.botocore()
        done = await client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in parts]},
        )
        return _stored(done)

    async def abort_quietly(self, key: str, upload_id: str) -> None:
        # An abort that fails leaves parts the bucket's lifecycle rule drops; never a reason
        # to fail the write that no longer needs them.
        with suppress(Exception):
            if self.lean is not None and await lean_abort(self.lean, (self.bucket, key, upload_id)):
                return
            client = await self.botocore()
            await client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    async def delete(self, keys: list[str]) -> None:
        """Deletes ``keys`` (S3 deletes an absent key without complaint)."""
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            if len(batch) == 1:
                await self._delete_one(batch[0])
            elif self.lean is None or not await lean_delete_keys(self.lean, self.bucket, batch):
                client = await self.botocore()
                await client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )

    async def _delete_one(self, key: str) -> None:
        if self.lean is not None and await lean_delete(*self.lean, self.bucket, key):
            return
        client = await self.botocore()
        await client.delete_object(Bucket=self.bucket, Key=key)


def _stored(reply: Any) -> Stored:
    """A botocore reply's ETag, and whether its headers say it is encrypted (no MD5)."""
    headers = reply.get("ResponseMetadata", {}).get("HTTPHeaders", {})  # names in lower case
    return Stored(str(reply.get("ETag", "")), etag_is_opaque(headers))
