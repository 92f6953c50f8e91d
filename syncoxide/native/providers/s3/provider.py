"""S3 and S3-compatible stores (AWS, rclone serve s3, MinIO, moto).

How it maps the contract:
- Folders are key prefixes; ``mkdir`` writes a zero-byte marker ``path/.sxdir`` (see
  ``s3_listing``) so empty folders survive, and deleting a folder's last entry leaves a marker
  behind, as a disk would.
- Writes are atomic by S3's nature (PUT and CompleteMultipartUpload publish whole objects).
  Small files are buffered, checked against the source digest, then PUT; big ones go up as a
  parallel multipart upload that is aborted on any failure or digest mismatch.
- Our own digests and the mtime live in object metadata (``md5chksum`` and ``mtime`` in
  rclone's spelling, ``sx-sha1``): multipart ETags are not MD5s and LastModified is upload
  time. Metadata only exists from a HEAD, so listing HEADs each file (in parallel) to report
  the same mtime that ``write`` returned, except the objects ``s3_object_memory`` knows.
- ``move`` is a server-side copy then a delete: not atomic across the two keys.
- Requests are signed here and sent with ``HttpPool`` (``lean.py``) where the remote has an endpoint
  and static keys; the aiobotocore client is made, and botocore imported, only for what the
  lean requests do not handle (other credentials, unusual replies, versions), so a plain sync
  never pays botocore's start-up (tests/native/providers/s3/test_s3_sync_imports.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from syncoxide.errors import (
    AlreadyExistsError,
    ConfigError,
    DirectoryNotEmptyError,
    IntegrityError,
    NotFoundError,
    UsageError,
)
from syncoxide.native.net.address_guard import AddressGuard
from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.digests import (
    StreamDigests,
    mtime_to_text,
    verify_expected,
)
from syncoxide.native.providers.s3 import key_names
from syncoxide.native.providers.s3.calls import S3Calls
from syncoxide.native.providers.s3.errors import (
    PreconditionFailedError,
    error_code,
    loaded_botocore,
    translated,
)
from syncoxide.native.providers.s3.lean import (
    CopyGuard,
    Head,
    HeadSigner,
    LeanRead,
    lean_copy,
    lean_get,
    lean_head,
    lean_put,
)
from syncoxide.native.providers.s3.lean_list import (
    ListedObject,
    ListPage,
    PageAsk,
    lean_list_page,
    listed_time,
)
from syncoxide.native.providers.s3.lean_uploads import Lean
from syncoxide.native.providers.s3.list_pages import PageReader
from syncoxide.native.providers.s3.listing import MARKER_NAME
from syncoxide.native.providers.s3.metadata import bare_etag, file_entry, object_metadata
from syncoxide.native.providers.s3.object_memory import KnownObject, ObjectMemory
from syncoxide.native.providers.s3.part_buffers import PartBuffers, PartBytesGate
from syncoxide.native.providers.s3.parts import PART_KIND, S3Parts, part_bytes_for_size
from syncoxide.native.providers.s3.prefix_walk import walk_prefixes
from syncoxide.native.providers.s3.settings import MiB, S3Settings, create_client
from syncoxide.native.providers.s3.upload import MultipartUpload, read_head
from syncoxide.native.providers.upload_ledger import UploadLedger
from syncoxide.providers.contract import (
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    FillsBuffers,
    OpenedFile,
    PartPlan,
    ProviderVersion,
    PrunePredicate,
)

_READ_CHUNK = MiB
_COPY_LIMIT = 5 * 1024 * MiB  # the largest object one CopyObject call may copy
_EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


@dataclass(frozen=True)
class ObjectVersion:
    """Which version of the source an object holds, as its metadata records it."""

    mtime_ns: int
    hash_kind: str


class S3Provider:
    """One bucket (optionally under a key prefix) as a sync root. Close with ``aclose``."""

    def __init__(self, settings: S3Settings) -> None:
        self._settings = settings
        self._bucket = settings.bucket
        prefix = settings.prefix.strip("/")
        self._prefix = f"{prefix}/" if prefix else ""
        self._exits = AsyncExitStack()
        self._client: Any = None
        self._lean: Lean | None = None
        self._lean_opened = False
        self._opening = asyncio.Lock()
        self._part_slots = asyncio.Semaphore(settings.upload_concurrency)
        self._part_bytes = PartBytesGate(settings.part_memory)
        self._memory = ObjectMemory()
        self._unheaded: dict[str, ListedObject] = {}  # see ``list_tree_listed``
        self._buffers = PartBuffers()
        self._ledger: UploadLedger | None = None
        self._process_ledger = UploadLedger(None)
        #: Encrypted parts S3 checked by their Content-MD5 (s3/parts.py, ``S3Parts.vouched``).
        self._vouched_parts: dict[tuple[str, int], tuple[str, str]] = {}
        self._guard: AddressGuard | None = None
        self._features = Features(
            case_sensitive=True,
            mtime_precision_ns=settings.mtime_precision_ns,
            server_side_copy=True,
            server_side_move=True,
            hash_kinds=frozenset({"sha1", "md5"}),
            lists_whole_files=True,  # an object exists only once its PUT or upload completes
        )

    async def __aenter__(self) -> S3Provider:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    @property
    def settings(self) -> S3Settings:
        return self._settings

    def keep_state_in(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._memory = ObjectMemory(folder / "s3-objects.json")
        self._ledger = UploadLedger(folder / "s3-uploads.json")

    def guard_addresses(self, guard: AddressGuard) -> None:
        self._guard = guard

    async def aclose(self) -> None:
        self._memory.save()
        await self._exits.aclose()
        self._client = self._lean = None
        self._lean_opened = False
        # A semaphore belongs to the event loop that used it; the next loop gets a new one.
        self._part_slots = asyncio.Semaphore(self._settings.upload_concurrency)
        self._part_bytes = PartBytesGate(self._settings.part_memory)

    async def _s3(self) -> Any:
        """The botocore client, made (and botocore imported) on first use."""
        async with self._opening:
            if self._client is None:
                await self._check_endpoint()
                try:
                    context = create_client(self._settings, self._guard)
                    self._client = await self._exits.enter_async_context(context)
                except Exception as error:
                    botocore = loaded_botocore()
                    if botocore is None or not isinstance(error, botocore.BotoCoreError):
                        raise
                    raise ConfigError(
                        f"The S3 client could not be set up: {error}.",
                        hint="Nothing was changed. Check the remote settings and AWS_* variables.",
                    ) from error
        return self._client

    async def _lean_session(self) -> Lean | None:
        """The session and signer of the lean requests; None where the remote needs botocore
        (no endpoint, or credentials other than static keys)."""
        if not self._lean_opened:
            async with self._opening:
                if not self._lean_opened:
                    await self._check_endpoint()
                    await self._open_lean()
                    self._lean_opened = True
        return self._lean

    def _calls(self, lean: Lean | None) -> S3Calls:
        return S3Calls(self._bucket, lean, self._s3)

    async def _open_lean(self) -> None:
        s = self._settings
        if s.endpoint_url and s.access_key_id and s.secret_access_key:
            signer = HeadSigner(s.endpoint_url, s.region, s.access_key_id, s.secret_access_key)
            pool = HttpPool(
                s.endpoint_url,
                limit=s.head_concurrency,
                timeouts=(s.connect_timeout, s.read_timeout),
                resolve=self._guard.addresses if self._guard is not None else None,
            )
            await self._exits.enter_async_context(pool)
            self._lean = (pool, signer)

    async def _check_endpoint(self) -> None:
        """A refused endpoint fails here, clearly, before any client is built (aiohttp, under
        botocore's client, skips the resolver for an address written as digits)."""
        if self._guard is not None and self._settings.endpoint_url:
            url = urlsplit(self._settings.endpoint_url)
            port = url.port or (443 if url.scheme == "https" else 80)
            await self._guard.addresses(url.hostname or "", port)

    def _translated(self, where: str) -> Any:
        return translated(where, self._bucket, self._settings.endpoint_url or "AWS S3")

    def _key(self, path: str) -> str:
        if path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")):
            raise UsageError(f"{path!r} is not a path inside the sync root.")
        return self._prefix + key_names.encode(path)

    # -- the contract ------------------------------------------------------------------
    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        endpoint = self._settings.endpoint_url or "aws"
        return f"s3:{endpoint}/{self._bucket}/{self._prefix}"

    def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        return self._listed(PageReader(self._prefix, self._memory, self._head, prune), prune)

    def list_tree_listed(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        """``StatsOnRead``: no HEADs; objects the memory does not know come as listed."""
        reader = PageReader(self._prefix, self._memory, None, prune)
        self._unheaded = reader.unheaded  # ``open_file`` teaches the memory from its GET
        return self._listed(reader, prune)

    async def _listed(
        self, reader: PageReader, prune: PrunePredicate | None
    ) -> AsyncIterator[list[Entry]]:
        # Prefixes are listed side by side while this loop HEADs what the memory does not
        # know (prefix_walk.py says why).
        pages = walk_prefixes(self._list_page, self._prefix,
                              concurrency=self._settings.list_concurrency,
                              skip=functools.partial(self._pruned, prune))  # fmt: skip
        try:
            while True:
                with self._translated(self._prefix or "/"):
                    contents = await anext(pages, None)
                if contents is None:
                    reader.finish()
                    return
                entries = await reader.entries(contents, self._settings.head_concurrency)
                if entries:
                    yield entries
        finally:
            await pages.aclose()

    def _pruned(self, prune: PrunePredicate | None, prefix: str) -> bool:
        """Whether a folder's key prefix (``a/b/``) is one ``prune`` leaves out."""
        folder = key_names.decode(prefix[len(self._prefix) : -1])
        return prune is not None and "" not in folder.split("/") and prune(folder)

    async def _list_page(self, ask: PageAsk) -> ListPage:
        """One page of the listing ``ask`` describes."""
        lean = await self._lean_session()
        if lean is not None:
            with contextlib.suppress(LookupError):  # unusual: botocore says what it is
                return await lean_list_page(*lean, self._bucket, ask)
        client = await self._s3()
        more = {"ContinuationToken": ask.token} if ask.token else {}
        if ask.start_after and not ask.token:
            more["StartAfter"] = ask.start_after
        if ask.delimiter:
            more["Delimiter"] = ask.delimiter
        reply = await client.list_objects_v2(Bucket=self._bucket, Prefix=ask.prefix, **more)
        truncated = reply.get("IsTruncated", False)
        return ListPage(
            [
                ListedObject(o["Key"], o["Size"], o.get("ETag", ""), listed_time(o["LastModified"]))
                for o in reply.get("Contents", [])
            ],
            reply.get("NextContinuationToken", "") if truncated else "",
            [found["Prefix"] for found in reply.get("CommonPrefixes", [])],
        )

    def _remember(self, path: str, etag: str, entry: Entry) -> None:
        if etag:
            known = KnownObject(entry.size, etag, "", entry.mtime_ns, entry.hashes)
            self._memory.learn(self._key(path), known)

    async def _head(self, path: str) -> Entry:
        lean = await self._lean_head(path)
        if lean is not None:
            return file_entry(path, lean.size, lean.last_modified_ns, lean.metadata, etag=lean.etag)
        head = await self._head_object(path)
        modified = int(head["LastModified"].timestamp()) * 10**9
        metadata = head.get("Metadata", {})
        etag = head.get("ETag", "")
        return file_entry(path, head["ContentLength"], modified, metadata, etag=etag)

    async def _lean_head(self, path: str) -> Head | None:
        """The object's head through the lean HEAD; None when botocore must ask (no lean
        session, or an unusual reply it should explain); NotFoundError when it is absent."""
        lean = await self._lean_session()
        if lean is None:
            return None
        try:
            with self._translated(path):
                head = await lean_head(*lean, self._bucket, self._key(path))
        except LookupError:
            return None
        if head is None:
            raise NotFoundError(f"S3: {path!r} does not exist.")
        return head

    async def _metadata(self, path: str) -> dict[str, str]:
        """The object's user metadata (names in lower case)."""
        lean = await self._lean_head(path)
        if lean is not None:
            return dict(lean.metadata)
        head = await self._head_object(path)
        return {name.lower(): value for name, value in head.get("Metadata", {}).items()}

    async def _head_object(self, path: str) -> Any:
        client = await self._s3()
        with self._translated(path):
            try:
                return await client.head_object(Bucket=self._bucket, Key=self._key(path))
            except Exception as error:
                # A HEAD reply has no body, so a bare 403 hides whether the key or the
                # credentials are wrong; a listing's error body tells.
                if error_code(error) == "403":
                    await client.list_objects_v2(Bucket=self._bucket, MaxKeys=1)
                raise

    async def _folder_keys(self, path: str, limit: int) -> list[str]:
        """Up to ``limit`` keys under the folder ``path`` (its marker sorts first)."""
        prefix = self._key(path) + "/" if path else self._prefix
        lean = await self._lean_session()
        with self._translated(path):
            if lean is not None:
                with contextlib.suppress(LookupError):  # unusual: botocore says what it is
                    page = await lean_list_page(
                        *lean, self._bucket, PageAsk(prefix), max_keys=limit
                    )
                    return [listed.key for listed in page.contents]
            client = await self._s3()
            found = await client.list_objects_v2(Bucket=self._bucket, Prefix=prefix, MaxKeys=limit)
        return [item["Key"] for item in found.get("Contents", [])]

    async def stat(self, path: str) -> Entry:
        if path == "":
            return Entry("", EntryKind.DIR)
        try:
            return await self._head(path)
        except NotFoundError:
            if await self._folder_keys(path, 1):
                return Entry(path, EntryKind.DIR)
            raise

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        if length == 0:
            return
        extra = {}
        if offset or length is not None:
            end = "" if length is None else str(offset + length - 1)
            extra["Range"] = f"bytes={offset}-{end}"
        lean = await self._lean_read(path, extra.get("Range", ""))
        if lean is not None:
            try:  # also when this generator is closed or cancelled mid-body
                with self._translated(path):
                    async for block in lean.chunks(_READ_CHUNK):
                        yield block
            finally:
                lean.release()
            return
        client = await self._s3()
        with self._translated(path):
            try:
                response = await client.get_object(
                    Bucket=self._bucket, Key=self._key(path), **extra
                )
            except Exception as error:
                if error_code(error) == "InvalidRange":
                    return  # the offset is at or past the end: no bytes
                raise
            async with response["Body"] as body:
                async for block in body.iter_chunks(_READ_CHUNK):
                    yield block

    @contextlib.asynccontextmanager
    async def open_file(self, path: str) -> AsyncIterator[OpenedFile]:
        """``StatsOnRead``: one GET, its entry from the reply's headers (the metadata a HEAD
        would give: ``x-amz-meta-mtime``, else Last-Modified)."""
        lean = await self._lean_read(path, "")
        if lean is None:
            async with self._botocore_file(path) as opened:
                yield opened
            return
        try:
            with self._translated(path):
                head = lean.head()
            entry = file_entry(path, head.size, head.last_modified_ns, head.metadata,
                               etag=head.etag)  # fmt: skip
            self._learn_read(entry)
            chunks = self._translated_chunks(path, lean.chunks(_READ_CHUNK))
            try:
                yield OpenedFile(entry, chunks)
            finally:
                await chunks.aclose()
        finally:
            lean.release()

    def _learn_read(self, entry: Entry) -> None:
        """What a GET said of an object ``list_tree_listed`` listed, remembered as a HEAD's
        would be: with the listing's LastModified, only when size and ETag show the same
        object (a newer one with the same body, new metadata only, is then merely HEADed
        again by the next listing, as its LastModified differs)."""
        key = self._key(entry.path)
        listed = self._unheaded.pop(key, None)
        if listed is None or entry.size != listed.size:
            return
        if entry.etag and entry.etag == bare_etag(listed.etag):
            known = KnownObject(entry.size, listed.etag, listed.last_modified,
                                entry.mtime_ns, entry.hashes)  # fmt: skip
            self._memory.learn(key, known)

    @contextlib.asynccontextmanager
    async def _botocore_file(self, path: str) -> AsyncIterator[OpenedFile]:
        client = await self._s3()
        with self._translated(path):
            reply = await client.get_object(Bucket=self._bucket, Key=self._key(path))
        metadata = {name.lower(): value for name, value in reply.get("Metadata", {}).items()}
        modified = int(reply["LastModified"].timestamp()) * 10**9
        entry = file_entry(path, reply["ContentLength"], modified, metadata,
                           etag=reply.get("ETag", ""))  # fmt: skip
        self._learn_read(entry)
        async with reply["Body"] as body:
            chunks = self._translated_chunks(path, body.iter_chunks(_READ_CHUNK))
            try:
                yield OpenedFile(entry, chunks)
            finally:
                await chunks.aclose()

    async def _translated_chunks(
        self, path: str, chunks: AsyncIterator[bytes]
    ) -> AsyncGenerator[bytes, None]:
        with self._translated(path):
            async for chunk in chunks:
                yield chunk

    async def _lean_read(self, path: str, byte_range: str) -> LeanRead | None:
        """The plain case of a GET without botocore's per-request CPU; None: use botocore
        (no lean session, or a reply it should explain, such as a range past the end)."""
        lean = await self._lean_session()
        if lean is None:
            return None
        try:
            with self._translated(path):
                read = await lean_get(
                    *lean,
                    self._bucket,
                    self._key(path),
                    byte_range=byte_range,
                )
        except LookupError:
            return None
        if read is None:
            raise NotFoundError(f"S3: {path!r} does not exist.")
        return read

    def digests_wanted_first(self, size: int) -> tuple[str, ...]:
        # A multipart upload's metadata is fixed when it starts; a single PUT sends it after
        # the bytes were hashed anyway.
        return ("md5", "sha1") if size > self._settings.part_size else ()

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        return await self._write(
            path, chunks, {}, mtime_ns=mtime_ns, hash_kind=hash_kind, expected=expected_digest
        )

    async def write_known(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        known: dict[str, str],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        return await self._write(
            path, chunks, known, mtime_ns=mtime_ns, hash_kind=hash_kind, expected=expected_digest
        )

    async def _write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        known: dict[str, str],
        *,
        mtime_ns: int | None,
        hash_kind: str | None,
        expected: ExpectedDigest | None,
    ) -> Entry:
        key, kind = self._key(path), hash_kind or "sha1"
        mtime = time.time_ns() if mtime_ns is None else mtime_ns
        # With both digests known the stream is hashed once, to prove it is what was hashed.
        known = {k: known[k] for k in ("md5", kind) if k in known}
        if len(known) < len({"md5", kind}):
            known = {}
        digests = StreamDigests(kind) if known else StreamDigests("md5", kind)
        head, rest = await read_head(chunks, digests, self._settings.part_size)

        def check() -> None:
            _verify(expected, digests, known=known, kind=kind, path=path)

        with self._translated(path):
            if rest is None:
                check()
                hashes = known or digests.hashes("md5", kind)
                metadata = object_metadata(mtime, hashes, kind)
                etag = await self._put_small(key, bytes(head), hashes["md5"], metadata)
            else:
                etag = await self._put_multipart(
                    key,
                    (head, rest),
                    digests=digests,
                    known=known,
                    version=ObjectVersion(mtime, kind),
                    check=check,
                )
        hashes = known or digests.hashes("md5", kind)
        written = Entry(path, EntryKind.FILE, digests.size, mtime, hashes, etag=bare_etag(etag))
        self._remember(path, etag, written)
        return written

    async def _put_multipart(
        self,
        key: str,
        stream: tuple[bytearray, AsyncIterator[bytes]],
        *,
        digests: StreamDigests,
        known: dict[str, str],
        version: ObjectVersion,
        check: Callable[[], None],
    ) -> str:
        """A multipart upload of ``stream`` (head, rest) recording ``version`` in the object's
        metadata; the object's ETag ("" if unknown)."""
        mtime, kind = version.mtime_ns, version.hash_kind
        upload = MultipartUpload(
            self._calls(await self._lean_session()),
            key,
            self._settings.part_size,
            self._part_slots,
            ledger=self._ledger,
        )
        metadata = object_metadata(mtime, known, kind)
        etag = await upload.run(*stream, digests, metadata, before_commit=check, mtime_ns=mtime)
        if known or digests.size > _COPY_LIMIT:
            return etag
        # Digests known only now: adding them costs the store a copy of the whole object.
        return await self._replace_metadata(
            key, object_metadata(mtime, digests.hashes("md5", kind), kind)
        )

    async def _put_small(
        self, key: str, body: bytes, md5_hex: str, metadata: dict[str, str]
    ) -> str:
        """PUTs one object; its ETag."""
        md5 = bytes.fromhex(md5_hex)
        lean = await self._lean_session()
        if lean is not None:
            etag = await lean_put(*lean, self._bucket, key, body=body, md5=md5, metadata=metadata)
            if etag is not None:
                return etag
        client = await self._s3()
        sent = await client.put_object(Bucket=self._bucket, Key=key, Body=body, Metadata=metadata)
        return str(sent.get("ETag", ""))

    async def _replace_metadata(self, key: str, metadata: dict[str, str]) -> str:
        """Rewrites the object's metadata in place; the new object's ETag."""
        self._memory.forget(key)
        lean = await self._lean_session()
        if lean is not None:
            etag = await lean_copy(*lean, self._bucket, (key, key), guard=None, metadata=metadata)
            if etag is not None:
                return etag
        client = await self._s3()
        copied = await client.copy_object(
            Bucket=self._bucket,
            Key=key,
            CopySource={"Bucket": self._bucket, "Key": key},
            Metadata=metadata,
            MetadataDirective="REPLACE",
        )
        return str(copied.get("CopyObjectResult", {}).get("ETag", ""))

    # -- WritesParts: big files as resumable multipart uploads (see s3/parts.py) ------------
    async def _parts(self) -> S3Parts:
        # Without a state folder, copies in parts resume within this process only. That
        # ledger is theirs alone: a streamed upload without a ledger still aborts on failure.
        ledger = self._ledger or self._process_ledger
        return S3Parts(self._calls(await self._lean_session()), ledger, self._vouched_parts)

    def preferred_part_bytes(self, size: int) -> int:
        """The engine's part size for this file when the user set none (see s3/parts.py)."""
        return part_bytes_for_size(size, self._settings.part_size)

    async def begin_parts(self, path: str, token: str, plan: PartPlan) -> str | None:
        parts = await self._parts()
        with self._translated(path):
            return await parts.begin(self._key(path), token, plan)

    async def write_part(
        self, path: str, token: str, offset: int, chunks: AsyncIterator[bytes], *, size: int
    ) -> None:
        parts = await self._parts()
        # One part is held whole, in a buffer of its length filled in place, under one of the
        # provider's upload slots (s3/part_buffers.py says why both).
        expected = parts.part_length(self._key(path), token, offset, size)
        async with self._part_bytes.hold(expected), self._part_slots:
            with self._buffers.lend(expected) as body:
                filled = await _gather_part(chunks, body)
                if filled != expected:
                    # Never sent: the server would hold a part of another length.
                    raise IntegrityError(
                        f"{path!r} gave {filled} bytes for its part at offset {offset}, "
                        f"{expected} expected: it changed while it was being copied."
                    )
                # The engine hashed the part as it filled the buffer: its MD5 costs nothing here.
                md5 = chunks.filled_digest(PART_KIND) if isinstance(chunks, FillsBuffers) else None
                with self._translated(path):
                    await parts.write(self._key(path), token, offset, body, md5=md5)

    async def part_digest(
        self, path: str, token: str, *, offset: int, length: int, kind: str
    ) -> str | None:
        if kind != PART_KIND:
            return None
        parts = await self._parts()
        with self._translated(path):
            return await parts.digest(self._key(path), token, offset=offset, length=length)

    async def commit_parts(
        self,
        path: str,
        token: str,
        *,
        size: int,
        mtime_ns: int,
        whole_digest: str | None,
        hash_kind: str | None,
    ) -> Entry:
        parts, key = await self._parts(), self._key(path)
        self._memory.forget(key)
        with self._translated(path):
            etag = await parts.complete(key, token, size)
        hashes = {hash_kind: whole_digest} if hash_kind and whole_digest else {}
        written = Entry(path, EntryKind.FILE, size, mtime_ns, hashes, etag=bare_etag(etag))
        self._remember(path, etag, written)
        return written

    async def discard_parts(self, path: str, token: str) -> None:
        parts = await self._parts()
        with self._translated(path):
            await parts.discard(self._key(path), token)

    async def delete(self, path: str) -> None:
        if await self._is_file(path):
            await self._delete_keys([self._key(path)], path)
        else:
            keys = await self._folder_keys(path, 3)
            if not keys:
                raise NotFoundError(f"S3: {path!r} does not exist.")
            folder = self._key(path) + "/"
            if not set(keys) <= {folder, folder + MARKER_NAME}:
                raise DirectoryNotEmptyError(f"S3: folder {path!r} is not empty.")
            await self._delete_keys(keys, path)
        await self._keep_parent(path)

    async def _is_file(self, path: str) -> bool:
        try:
            await self._head(path)
        except NotFoundError:
            return False
        return True

    async def _delete_keys(self, keys: list[str], where: str) -> None:
        for key in keys:
            self._memory.forget(key)
        calls = self._calls(await self._lean_session())
        with self._translated(where):
            await calls.delete(keys)

    async def _keep_parent(self, path: str) -> None:
        # Removing a folder's last key would make the folder vanish with it; a disk keeps it.
        parent = path.rpartition("/")[0]
        if parent and not await self._folder_keys(parent, 1):
            await self._put_marker(parent)

    async def _put_marker(self, path: str) -> None:
        with self._translated(path):
            await self._put_small(f"{self._key(path)}/{MARKER_NAME}", b"", _EMPTY_MD5, {})

    async def mkdir(self, path: str) -> None:
        if path == "":
            return
        if await self._is_file(path):
            raise AlreadyExistsError(f"S3: {path!r} exists and is a file.")
        await self._put_marker(path)

    async def move(self, source: str, target: str) -> None:
        copied = await self._copy(source, target)  # what it found tells a file from a folder
        if copied.kind is EntryKind.FILE:
            await self._delete_keys([self._key(source)], source)
        else:
            await self._delete_keys(await self._all_keys(source), source)
        await self._keep_parent(source)

    async def move_listed(self, source: Entry, target: str, *, folder_stays: bool) -> None:
        """A move the engine's listing already checked: a CopyObject and a DeleteObject.

        The copy carries ``If-None-Match: *`` (refused when the target exists, where the
        server honours it: AWS does; rclone serve s3 and moto 5.2 ignore it, so there an
        object written at the target after the listing is overwritten, as by rclone) and
        ``x-amz-copy-source-if-match`` with the listed ETag (refused when the source changed
        since). Either refusal falls back to ``move``, which looks first and never overwrites.
        """
        if source.kind is not EntryKind.FILE or not source.etag or source.size > _COPY_LIMIT:
            await self.move(source.path, target)
            return
        old, new = self._key(source.path), self._key(target)
        try:
            await self._copy_key(old, new, source.size, source.path, guard_etag=source.etag)
        except PreconditionFailedError:
            await self.move(source.path, target)
            return
        await self._delete_keys([old], source.path)
        if folder_stays:
            await self._keep_parent(source.path)

    async def copy(self, source: str, target: str) -> None:
        """Server-side copy of a file or a folder; ``AlreadyExistsError`` if ``target`` exists."""
        await self._copy(source, target)

    async def _copy(self, source: str, target: str) -> Entry:
        """``copy``, returning the source's entry as it was found."""
        try:
            await self.stat(target)
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"S3: {target!r} already exists.")
        entry = await self.stat(source)
        if entry.kind is EntryKind.FILE:
            await self._copy_key(self._key(source), self._key(target), entry.size, source)
            return entry
        old, new = self._key(source) + "/", self._key(target) + "/"
        for key in await self._all_keys(source):
            await self._copy_key(key, new + key[len(old) :], None, source)
        return entry

    async def _all_keys(self, folder: str) -> list[str]:
        keys: list[str] = []
        token = ""
        prefix = self._key(folder) + "/"
        with self._translated(folder):
            while True:
                page = await self._list_page(PageAsk(prefix, token=token))
                keys.extend(listed.key for listed in page.contents)
                token = page.next_token
                if not token:
                    return keys

    async def _copy_key(
        self, old: str, new: str, size: int | None, where: str, *, guard_etag: str = ""
    ) -> None:
        """CopyObject ``old`` to ``new``; with ``guard_etag``, only onto a free name and only
        from that very object (``PreconditionFailedError`` otherwise, where the server checks).
        """
        if size is not None and size > _COPY_LIMIT:
            raise UsageError(
                f"S3: {where!r} is larger than 5 GiB, which one server-side copy cannot move.",
                hint="Nothing was changed. Copy it through the sync engine instead.",
            )
        self._memory.forget(new)
        guard = CopyGuard(guard_etag) if guard_etag else None
        lean = await self._lean_session()
        if lean is not None:
            with self._translated(where):
                copied = await lean_copy(*lean, self._bucket, (old, new), guard=guard)
            if copied is not None:
                self._memory.moved(old, new, copied)
                return
        client = await self._s3()
        guards = guard.parameters() if guard is not None else {}
        with self._translated(where):
            reply = await client.copy_object(
                Bucket=self._bucket,
                Key=new,
                CopySource={"Bucket": self._bucket, "Key": old},
                MetadataDirective="COPY",
                **guards,
            )
        self._memory.moved(old, new, reply.get("CopyObjectResult", {}).get("ETag", ""))

    # -- provider-side history (KeepsVersions) --------------------------------------------
    async def versions(self, path: str) -> list[ProviderVersion]:
        from syncoxide.native.providers.s3.versions import key_versions  # botocore's calls

        client = await self._s3()
        with self._translated(path):
            return await key_versions(client, self._bucket, self._key(path), path)

    async def restore_version(self, path: str, version_id: str) -> Entry:
        wanted = next((v for v in await self.versions(path) if v.version_id == version_id), None)
        if wanted is None:
            raise NotFoundError(
                f"S3: {path!r} has no version {version_id!r}.",
                hint="Nothing was changed. List the file's versions for the ones kept.",
            )
        if wanted.size > _COPY_LIMIT:
            raise UsageError(
                f"S3: that version of {path!r} is larger than 5 GiB, which one server-side copy"
                " cannot bring back.",
                hint="Nothing was changed. Download that version with an S3 tool instead.",
            )
        from syncoxide.native.providers.s3.versions import restore_key_version

        key = self._key(path)
        self._memory.forget(key)
        client = await self._s3()
        with self._translated(path):
            await restore_key_version(client, self._bucket, key, version_id)
        return await self.stat(path)

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        key = self._key(path)
        metadata = await self._metadata(path)
        metadata["mtime"] = mtime_to_text(mtime_ns)
        with self._translated(path):
            await self._replace_metadata(key, metadata)

    async def hash(self, path: str, kind: str) -> str:
        stored = (await self._head(path)).hashes.get(kind)
        if stored is not None:
            return stored
        digests = StreamDigests(kind)
        async for block in self.open_read(path):
            await digests.update(block)
        return digests.hexdigest(kind)


async def _gather_part(chunks: AsyncIterator[bytes], body: bytearray) -> int:
    """Fills ``body`` with the blocks of one part; the byte count the source gave (another
    count than ``len(body)`` means the source changed: the excess is dropped, never kept).
    The engine's parts fill it themselves, straight from a local source (engine/part_read.py)."""
    if isinstance(chunks, FillsBuffers):
        return await chunks.fill(body)
    filled, room = 0, len(body)
    async for block in chunks:
        end = filled + len(block)
        if end <= room:
            body[filled:end] = block
        elif filled < room:
            body[filled:] = memoryview(block)[: room - filled]
        filled = end
        del block  # copied: not held while the next one is read
    return filled


def _verify(
    expected_digest: ExpectedDigest | None,
    digests: StreamDigests,
    *,
    known: dict[str, str],
    kind: str,
    path: str,
) -> None:
    """The source's digest must match what was sent and, if given, what was hashed first."""
    verify_expected(expected_digest, digests, kind, path)
    if known and known[kind] != digests.hexdigest(kind):
        raise IntegrityError(
            f"{path!r} changed between hashing it and sending it.",
            hint="Nothing was committed; the next attempt hashes it again.",
        )
