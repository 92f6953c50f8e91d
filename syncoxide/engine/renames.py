"""The IO step of rename detection: digests for the candidate files, then pairs.

A side contributes a digest only where it is cheap: listed with the entry
(``Features.listing_hash_kinds``, e.g. a WebDAV or Drive checksum) or a local read
(``hashes_cheaply``). A remote that would have to download a file to hash it is not asked;
its files are then copied as before. See ``syncoxide.sync.renames`` for the policy.
"""

from __future__ import annotations

import asyncio

from syncoxide.providers.contract import HASH_KINDS, Features, Provider
from syncoxide.sync.listing import Listing
from syncoxide.sync.renames import pair_renames, rename_candidates

from .listing_io import add_digests


def _can_tell(features: Features, kind: str) -> bool:
    return kind in features.listing_hash_kinds or (
        features.hashes_cheaply and kind in features.hash_kinds
    )


def rename_hash_kind(one: Provider, two: Provider) -> str | None:
    """A digest both sides give cheaply, preferring the engine's order, else any listed one."""
    listed = sorted(one.features.listing_hash_kinds | two.features.listing_hash_kinds)
    for kind in (*HASH_KINDS, *listed):
        if _can_tell(one.features, kind) and _can_tell(two.features, kind):
            return kind
    return None


async def find_renames(
    source: Provider, dest: Provider, first: Listing, second: Listing, *, width: int
) -> dict[str, str]:
    """Source key -> destination key of files that moved (same size and digest)."""
    kind = rename_hash_kind(source, dest)
    if kind is None:
        return {}
    arrived, gone = rename_candidates(first, second)
    if not arrived:
        return {}
    await asyncio.gather(
        _fill(source, first, arrived, kind, width=width),
        _fill(dest, second, gone, kind, width=width),
    )
    return pair_renames(
        {k: first.files[k] for k in arrived}, {k: second.files[k] for k in gone}, kind
    )


async def _fill(
    provider: Provider, listing: Listing, keys: set[str], kind: str, *, width: int
) -> None:
    if provider.features.hashes_cheaply and kind in provider.features.hash_kinds:
        await add_digests(provider, listing.files, keys, kind, width=width)
