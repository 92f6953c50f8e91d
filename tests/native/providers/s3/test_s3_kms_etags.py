"""Copies to a bucket whose ETags are no MD5s because S3 encrypts with SSE-KMS (or SSE-C).

The relay in front of moto (``kms_etag_proxy``) is a stand-in for AWS behaviour that cannot be
reached from here: it rewrites every ETag to a value that is no MD5 and, as AWS does, says
``x-amz-server-side-encryption: aws:kms``. With that header the copy in parts relies on the
Content-MD5 S3 verifies and succeeds with the right bytes; without it, the same ETags are a
mismatch that fails the file clearly after the bounded attempts, never a loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunReport
from syncoxide.engine.transfer import ATTEMPTS
from syncoxide.errors import NotFoundError
from syncoxide.native.providers.s3.calls import S3Calls
from syncoxide.native.providers.s3.lean import Stored, etag_is_opaque
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from tests.native.providers.parts_runs import sync_in_parts
from tests.native.providers.s3.kms_etag_proxy import kms_etag_proxy
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server, s3_client

PART = 5 * 1024 * 1024
_roots = itertools.count()
pytestmark = pytest.mark.timeout(300)


def _settings(endpoint: str, bucket: str, prefix: str) -> S3Settings:
    return S3Settings(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )


def _tree(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    source = tmp_path / "a"
    source.mkdir()
    files = {
        "big.bin": random.Random(5).randbytes(3 * PART + 1234),
        "small.txt": b"a single PUT\n",
    }
    for name, content in files.items():
        (source / name).write_bytes(content)
    return source, files


async def _read(provider: S3Provider, path: str) -> bytes | None:
    try:
        return b"".join([chunk async for chunk in provider.open_read(path)])
    except NotFoundError:
        return None
    finally:
        await provider.aclose()


@dataclass(frozen=True)
class _Copy:
    files: dict[str, bytes]
    prefix: str  # of the copy in the bucket
    part_numbers: list[int]  # of every UploadPart the relay passed on
    report: RunReport


def _copy_through_relay(moto_s3: S3Server, tmp_path: Path, *, announce: bool) -> _Copy:
    """The tree copied in parts to a new prefix of moto's bucket through the KMS ETag relay."""
    source, files = _tree(tmp_path)
    prefix = f"kms{os.getpid()}-{next(_roots)}"
    with kms_etag_proxy(moto_s3.endpoint, announce=announce) as proxy:
        endpoint = f"http://127.0.0.1:{proxy.port}"
        dest = S3Provider(_settings(endpoint, moto_s3.bucket, prefix))
        dest.keep_state_in(tmp_path / "state")
        report = sync_in_parts(source, dest, MemoryPairStore(), part=PART, streams=2, seed=b"k")
    return _Copy(files, prefix, proxy.part_numbers, report)


def test_encrypted_etags_rely_on_the_checked_content_md5(moto_s3: S3Server, tmp_path: Path) -> None:
    copy = _copy_through_relay(moto_s3, tmp_path, announce=True)
    report, prefix = copy.report, copy.prefix
    assert not report.failures, [f.message for f in report.failures]
    assert sorted(Counter(copy.part_numbers).items()) == [(n, 1) for n in range(1, 5)]
    for name, content in copy.files.items():  # read from moto itself: the stored bytes
        direct = S3Provider(_settings(moto_s3.endpoint, moto_s3.bucket, prefix))
        assert asyncio.run(_read(direct, name)) == content


def test_a_non_md5_etag_without_the_header_fails_after_bounded_attempts(
    moto_s3: S3Server, tmp_path: Path
) -> None:
    copy = _copy_through_relay(moto_s3, tmp_path, announce=False)
    files, prefix = copy.files, copy.prefix
    [failure] = [f.message for f in copy.report.failures if f.action.path == "big.bin"]
    assert f"failed verification {ATTEMPTS} times" in failure
    assert "did not read back as written" in failure
    # Each part went at most ATTEMPTS times, then the copy stopped.
    assert copy.part_numbers
    assert max(Counter(copy.part_numbers).values()) <= ATTEMPTS
    direct = S3Provider(_settings(moto_s3.endpoint, moto_s3.bucket, prefix))
    assert asyncio.run(_read(direct, "big.bin")) is None  # nothing under the final name
    direct = S3Provider(_settings(moto_s3.endpoint, moto_s3.bucket, prefix))
    assert asyncio.run(_read(direct, "small.txt")) == files["small.txt"]


@pytest.mark.parametrize(
    ("headers", "opaque"),
    [
        ({"x-amz-server-side-encryption": "aws:kms"}, True),
        ({"x-amz-server-side-encryption": "aws:kms:dsse"}, True),
        ({"x-amz-server-side-encryption-customer-algorithm": "AES256"}, True),
        ({"x-amz-server-side-encryption": "AES256"}, False),  # SSE-S3 keeps MD5 ETags
        ({}, False),
    ],
)
def test_which_replies_say_the_etag_is_no_md5(headers: dict[str, str], opaque: bool) -> None:
    assert etag_is_opaque(headers) is opaque


@pytest.mark.parametrize("announce", [True, False])
def test_the_botocore_path_reads_the_encryption_too(moto_s3: S3Server, announce: bool) -> None:
    """UploadPart and CompleteMultipartUpload through botocore (the fallback when the lean
    requests do not apply) also tell an encrypted ETag by the reply's header."""
    body = random.Random(6).randbytes(PART)
    md5 = hashlib.md5(body, usedforsecurity=False).digest()

    async def send(endpoint: str) -> tuple[Stored, Stored]:
        async with s3_client(endpoint) as client:

            async def botocore() -> object:
                return client

            calls = S3Calls(moto_s3.bucket, None, botocore)
            key = f"kms{os.getpid()}-{next(_roots)}/boto.bin"
            upload_id = await calls.create_upload(key, {})
            part = await calls.upload_part((key, upload_id), 1, body, content_md5=md5)
            done = await calls.complete(key, upload_id, [(1, part.etag)])
            return part, done

    with kms_etag_proxy(moto_s3.endpoint, announce=announce) as proxy:
        part, done = asyncio.run(send(f"http://127.0.0.1:{proxy.port}"))
    assert part.etag.strip('"') != md5.hex()  # the relay's stand-in, as under SSE-KMS
    assert (part.encrypted, done.encrypted) == (announce, announce)
