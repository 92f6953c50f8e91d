"""The blob store on any S3-compatible service, through the project's S3 client settings.

Keys map to objects under an optional prefix. A blob of up to one part is a single PUT; a
longer one streams as a multipart upload, one part in memory at a time, aborted if the
stream fails, so a failed ``put`` leaves no object and no stray parts, and no instance ever
holds a whole file. Reads are ranged GETs, so a download resumed with Range on any
instance starts where it asked.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from syncoxide.errors import NotFoundError
from syncoxide.native.providers.s3.errors import translated
from syncoxide.native.providers.s3.settings import S3Settings, create_client
from syncoxide.server.storage.blobs import check_key

#: S3's smallest part but the last; bigger parts cost memory, smaller ones requests.
MIN_PART = 5 * 1024 * 1024
#: The largest object one CopyObject may copy; bigger ones are copied part by part.
MAX_SINGLE_COPY = 5 * 1024**3
#: Bytes per UploadPartCopy when an object is too big for one CopyObject.
COPY_PART = 1024**3


class S3BlobStore:
    def __init__(self, settings: S3Settings) -> None:
        self._settings = settings
        self._bucket = settings.bucket
        prefix = settings.prefix.strip("/")
        self._prefix = f"{prefix}/" if prefix else ""
        self._part_size = max(settings.part_size, MIN_PART)
        self._client: Any = None
        self._context: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _key(self, key: str) -> str:
        check_key(key)
        return self._prefix + key

    def _translated(self, where: str) -> contextlib.AbstractContextManager[None]:
        return translated(where, self._bucket, self._settings.endpoint_url or "AWS")

    async def _s3(self) -> Any:
        """The client of the running event loop (a client belongs to the loop it was made in)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._context = create_client(self._settings)
            self._client = await self._context.__aenter__()
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._context is not None:
            await self._context.__aexit__(None, None, None)
        self._client = self._context = self._loop = None

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        name = self._key(key)
        s3 = await self._s3()
        parts = _parts(chunks, self._part_size)
        first = await anext(parts, b"")
        second = await anext(parts, None)
        if second is None:
            with self._translated(key):
                await s3.put_object(Bucket=self._bucket, Key=name, Body=first)
            return len(first)
        return await self._multipart(name, _chained(first, second, parts))

    async def _multipart(self, name: str, parts: AsyncIterator[bytes]) -> int:
        s3 = await self._s3()
        with self._translated(name):
            started = await s3.create_multipart_upload(Bucket=self._bucket, Key=name)
        upload = {"Bucket": self._bucket, "Key": name, "UploadId": started["UploadId"]}
        done: list[dict[str, Any]] = []
        written = 0
        try:
            async for part in parts:
                with self._translated(name):
                    sent = await s3.upload_part(**upload, PartNumber=len(done) + 1, Body=part)
                done.append({"PartNumber": len(done) + 1, "ETag": sent["ETag"]})
                written += len(part)
            with self._translated(name):
                await s3.complete_multipart_upload(**upload, MultipartUpload={"Parts": done})
        except BaseException:
            with contextlib.suppress(Exception):
                await s3.abort_multipart_upload(**upload)
            raise
        return written

    async def put_bytes(self, key: str, data: bytes) -> None:
        """One small object (an upload's state, its tail), written whole or not at all."""
        s3 = await self._s3()
        with self._translated(key):
            await s3.put_object(Bucket=self._bucket, Key=self._key(key), Body=data)

    async def get_bytes(self, key: str) -> bytes | None:
        """A small object's bytes; None when there is no such object."""
        s3 = await self._s3()
        try:
            with self._translated(key):
                reply = await s3.get_object(Bucket=self._bucket, Key=self._key(key))
        except NotFoundError:
            return None
        async with reply["Body"] as body:
            return bytes(await body.read())

    async def start_parts(self, key: str) -> str:
        """Start a multipart upload of ``key``; its id names it in the calls below."""
        s3 = await self._s3()
        with self._translated(key):
            started = await s3.create_multipart_upload(Bucket=self._bucket, Key=self._key(key))
        return str(started["UploadId"])

    async def send_part(self, key: str, parts_id: str, number: int, data: bytes) -> str:
        """Send part ``number`` (sending a number again replaces it); answers its ETag."""
        s3 = await self._s3()
        with self._translated(key):
            sent = await s3.upload_part(
                Bucket=self._bucket, Key=self._key(key), UploadId=parts_id,
                PartNumber=number, Body=data,
            )  # fmt: skip
        return str(sent["ETag"])

    async def finish_parts(self, key: str, parts_id: str, etags: Sequence[str]) -> None:
        """Join parts 1..n (``etags`` in order) into the object ``key``."""
        s3 = await self._s3()
        done = [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, start=1)]
        with self._translated(key):
            await s3.complete_multipart_upload(
                Bucket=self._bucket, Key=self._key(key), UploadId=parts_id,
                MultipartUpload={"Parts": done},
            )  # fmt: skip

    async def abort_parts(self, key: str, parts_id: str) -> None:
        """Drop a multipart upload and every part sent to it (gone already is fine)."""
        s3 = await self._s3()
        with contextlib.suppress(NotFoundError), self._translated(key):
            await s3.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key(key), UploadId=parts_id
            )

    async def copy(self, source: str, key: str, size: int) -> None:
        """A server-side copy of blob ``source`` (``size`` bytes) to ``key``: no byte passes
        through this instance. Over ``MAX_SINGLE_COPY``, copied in parts."""
        s3 = await self._s3()
        origin = {"Bucket": self._bucket, "Key": self._key(source)}
        if size <= MAX_SINGLE_COPY:
            with self._translated(key):
                await s3.copy_object(Bucket=self._bucket, Key=self._key(key), CopySource=origin)
            return
        parts_id = await self.start_parts(key)
        etags: list[str] = []
        try:
            for start in range(0, size, COPY_PART):
                last = min(start + COPY_PART, size) - 1
                with self._translated(key):
                    copied = await s3.upload_part_copy(
                        Bucket=self._bucket, Key=self._key(key), UploadId=parts_id,
                        PartNumber=len(etags) + 1, CopySource=origin,
                        CopySourceRange=f"bytes={start}-{last}",
                    )  # fmt: skip
                etags.append(str(copied["CopyPartResult"]["ETag"]))
            await self.finish_parts(key, parts_id, etags)
        except BaseException:
            with contextlib.suppress(Exception):
                await self.abort_parts(key, parts_id)
            raise

    async def adopt(self, key: str, path: Path) -> int:
        """Stream the finished local file up (S3 cannot rename into a bucket), then drop it."""
        size = await self.put(key, _file_chunks(path, self._part_size))
        path.unlink()
        return size

    async def read(
        self, key: str, chunk_size: int = 1 << 16, start: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        name = self._key(key)
        if length == 0:
            return
        # A whole blob is asked for without a range: S3 answers a range on an empty object
        # (an empty file shared or uploaded) with 416, as it does one that starts at the end.
        whole = start == 0 and length is None
        last = "" if length is None else str(start + length - 1)
        ranged = {} if whole else {"Range": f"bytes={start}-{last}"}
        s3 = await self._s3()
        try:
            with self._translated(key):
                try:
                    reply = await s3.get_object(Bucket=self._bucket, Key=name, **ranged)
                except ClientError as error:
                    if ranged and _code_of(error) == "InvalidRange":
                        return  # nothing at or past the end, as a file read there gives
                    raise
        except NotFoundError as error:
            raise NotFoundError(f"No blob {key!r}.") from error
        async with reply["Body"] as body:
            while chunk := await body.read(chunk_size):
                yield chunk

    async def size(self, key: str) -> int | None:
        name = self._key(key)
        s3 = await self._s3()
        try:
            head = await s3.head_object(Bucket=self._bucket, Key=name)
        except ClientError as error:
            if _code_of(error) in ("404", "NoSuchKey", "NotFound"):
                return None
            with self._translated(key):
                raise
        return int(head["ContentLength"])

    async def delete(self, key: str) -> bool:
        if await self.size(key) is None:
            return False
        s3 = await self._s3()
        with self._translated(key):
            await s3.delete_object(Bucket=self._bucket, Key=self._key(key))
        return True

    async def keys(self, prefix: str) -> Sequence[str]:
        s3 = await self._s3()
        found: list[str] = []
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=self._prefix + prefix
        )
        with self._translated(prefix or "/"):
            async for page in pages:
                found.extend(item["Key"][len(self._prefix) :] for item in page.get("Contents", []))
        return sorted(found)


async def _parts(chunks: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    """The stream regrouped into parts of ``size`` bytes (the last one shorter)."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


async def _chained(first: bytes, second: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    yield second
    async for part in rest:
        yield part


async def _file_chunks(path: Path, size: int) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(size):
            yield chunk


def _code_of(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
