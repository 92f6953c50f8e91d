"""A server copy's listing held against the transfer's manifest."""

from __future__ import annotations

import hashlib

import pytest

from syncoxide.errors import RemoteProtocolError
from syncoxide.protocol.manifest import FileEntry, Manifest
from syncoxide.protocol.server_copy import download_urls, manifest_of_listing, mismatch

A = FileEntry("trip/a.bin", 3, hashlib.sha256(b"abc").digest())
B = FileEntry("trip/day 2/b.txt", 0, hashlib.sha256(b"").digest())
MANIFEST = Manifest((A, B))


def _listed(entry: FileEntry, **changes: object) -> dict[str, object]:
    listed: dict[str, object] = {
        "path": entry.path,
        "size": entry.size,
        "sha256": entry.sha256.hex(),
        "download_url": f"/s/x/files/{entry.path[-5:]}",
    }
    return {**listed, **changes}


def test_the_same_files_in_any_order_match() -> None:
    listing = [_listed(B), _listed(A)]
    assert mismatch(MANIFEST, listing) is None
    assert download_urls(MANIFEST, listing) == ("/s/x/files/a.bin", "/s/x/files/b.txt")


@pytest.mark.parametrize(
    ("listing", "why"),
    [
        ([_listed(A)], "trip/day 2/b.txt is missing."),
        ([_listed(A, size=4), _listed(B)], "trip/a.bin differs"),
        ([_listed(A, sha256="00" * 32), _listed(B)], "trip/a.bin differs"),
        ([_listed(A, sha256=None), _listed(B)], "trip/a.bin differs"),
    ],
)
def test_a_missing_or_different_file_is_named(listing: list[dict[str, object]], why: str) -> None:
    assert (mismatch(MANIFEST, listing) or "").startswith(why)


def test_a_listing_becomes_a_manifest_in_path_order() -> None:
    assert manifest_of_listing([_listed(B), _listed(A)]) == MANIFEST


def test_a_listing_that_climbs_out_is_refused_like_any_manifest() -> None:
    with pytest.raises(RemoteProtocolError):
        manifest_of_listing([_listed(A, path="../evil.bin")])
