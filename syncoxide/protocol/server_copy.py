"""A transfer's server copy as its share link lists it, held against the transfer's manifest.

Pure: the CLI and the browser fetch the listing (``GET /api/v1/shares/<id>``: each file with
``path``, ``size``, ``sha256`` in hex and ``download_url``) and ask here whether it holds exactly
what the sender announced. A sender names its copy only when it does; a receiver fetches from
it only when it does, and still checks every file's SHA-256 as it arrives.
"""

from __future__ import annotations

from typing import Any

from syncoxide.protocol.manifest import FileEntry, Manifest

Listing = list[dict[str, Any]]


def mismatch(manifest: Manifest, listing: Listing) -> str | None:
    """Why ``listing`` is not the manifest's files (the first file that differs), or None."""
    listed = {file.get("path"): file for file in listing}
    for entry in manifest.files:
        file = listed.get(entry.path)
        if file is None:
            return f"{entry.path} is missing."
        if file.get("size") != entry.size or file.get("sha256") != entry.sha256.hex():
            return f"{entry.path} differs from what the sender announced."
    return None


def manifest_of_listing(listing: Listing) -> Manifest:
    """The listing as a manifest (paths checked as any manifest's), when no other is known."""
    entries = [FileEntry(f["path"], int(f["size"]), bytes.fromhex(f["sha256"])) for f in listing]
    return Manifest(tuple(sorted(entries, key=lambda entry: entry.path)))


def download_urls(manifest: Manifest, listing: Listing) -> tuple[str, ...]:
    """Each manifest file's download path, in manifest order (after ``mismatch`` said None)."""
    listed = {file["path"]: str(file["download_url"]) for file in listing}
    return tuple(listed[entry.path] for entry in manifest.files)
