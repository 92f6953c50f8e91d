"""A file's S3 object versions, and bringing an old one back.

A bucket with versioning on keeps every body a key ever had. ``ListObjectVersions`` takes a
prefix, not a key, so the versions of ``a.txt`` come with those of ``a.txt.bak``: only the
exact key's are kept. Delete markers are not versions of the content and are left out (a key
whose newest entry is a marker has no current version). Restoring copies the old version onto
the key (``CopyObject`` with its ``VersionId``, metadata copied, so our mtime and digests come
back with the bytes): the restored copy is a new current version and every version before it,
including the one it replaces, is still kept.

Servers without versioning: a bucket where it is off lists one version, ``null``; a server
that does not implement the call at all (``rclone serve s3``) answers NotImplemented, which
is said plainly here.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from syncoxide.errors import NotFoundError, UsageError
from syncoxide.providers.contract import ProviderVersion

_UNSUPPORTED = ("NotImplemented", "MethodNotAllowed", "XNotImplemented")


async def key_versions(client: Any, bucket: str, key: str, where: str) -> list[ProviderVersion]:
    """Versions of exactly ``key``, newest first; NotFoundError when there are none."""
    found: list[dict[str, Any]] = []
    newest_is_marker = False
    paginator = client.get_paginator("list_object_versions")
    try:
        async for page in paginator.paginate(Bucket=bucket, Prefix=key):
            found += [v for v in page.get("Versions", []) if v["Key"] == key]
            markers = page.get("DeleteMarkers", [])
            newest_is_marker |= any(m["Key"] == key and m.get("IsLatest") for m in markers)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in _UNSUPPORTED:
            raise UsageError(
                f"This S3 server keeps no object versions ({code}).",
                hint="Only a bucket with versioning on has versions to list and restore.",
            ) from error
        raise
    if not found:
        raise NotFoundError(f"S3: {where!r} has no versions.")
    found.sort(key=lambda v: v["LastModified"], reverse=True)
    return [_version(v, newest_is_marker) for v in found]


def _version(item: dict[str, Any], deleted: bool) -> ProviderVersion:
    stored_ns = int(item["LastModified"].timestamp() * 1_000_000) * 1000
    current = bool(item.get("IsLatest")) and not deleted
    return ProviderVersion(str(item["VersionId"]), int(item["Size"]), stored_ns, current)


async def restore_key_version(client: Any, bucket: str, key: str, version_id: str) -> None:
    """Copy version ``version_id`` of ``key`` onto ``key`` (a new current version)."""
    await client.copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": bucket, "Key": key, "VersionId": version_id},
        MetadataDirective="COPY",
    )
