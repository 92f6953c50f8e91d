"""The IO step of rename detection: digests for the candidate files, then pairs.

A side contributes a digest only where it is cheap: listed with the entry
(``Features.listing_hash_kinds``, e.g. a WebDAV or Drive checksum), a local read
(``hashes_cheaply``), or, on the destination, remembered by the pair from an earlier copy of
that very file, unchanged since (``syncoxide.sync.digest_cache``: how S3 and SFTP take part).
A remote that would have to download a file to hash it is not asked; its files are then
copied as before. See ``syncoxide.sync.renames`` for the policy.

Bisync (``verify_bisync_guesses``) is stricter about guesses and looser about cost: a pair
found on size and mtime alone is planned only once a digest of the new file equals the old
bytes' (kept in the pair state, or read from the other side's unchanged copy). That read is
made even on a remote, since the alternative, a full copy, reads the same bytes and writes them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from syncoxide.errors import NotFoundError
from syncoxide.providers.contract import HASH_KINDS, Provider
from syncoxide.sync.bisync_renames import BisyncRename, old_digests
from syncoxide.sync.digest_cache import DigestCache
from syncoxide.sync.listing import Listing, same_content
from syncoxide.sync.plan import Plan, Side
from syncoxide.sync.renames import pair_renames, rename_candidates, same_bytes_both_sides
from syncoxide.sync.state import PairState

from .listing_io import add_digests
from .remembered_digests import recall_into, recall_sources_into, tells_digests
from .transfer import common_hash_kind


def rename_hash_kind(
    one: Provider, two: Provider, remembered: frozenset[str] = frozenset()
) -> str | None:
    """A digest both sides give cheaply (the destination's maybe only as ``remembered``
    digests), preferring the engine's order, else any listed one."""
    listed = sorted(one.features.listing_hash_kinds | two.features.listing_hash_kinds)
    for kind in (*HASH_KINDS, *listed):
        if tells_digests(one.features, kind) and (
            tells_digests(two.features, kind) or kind in remembered
        ):
            return kind
    return None


async def find_renames(
    source: Provider,
    dest: Provider,
    plan: Plan,
    lists: tuple[Listing, Listing],
    *,
    width: int,
    remembered: DigestCache | None = None,
) -> dict[str, str]:
    """Source key -> destination key of files that moved (same size and digest).

    ``remembered``: digests the pair kept for destination files it copied earlier; where the
    destination cannot tell a digest itself, only a file unchanged since it was remembered
    can be the old name of a move."""
    cache = remembered or DigestCache(dest.root_id)
    kind = rename_hash_kind(source, dest, cache.kinds())
    if kind is None:
        return {}
    first, second = lists
    arrived, gone = rename_candidates(plan, first, second)
    if not arrived:
        return {}
    recall_into(second, gone, cache)
    recall_sources_into(lists, (arrived, gone), cache)
    await asyncio.gather(
        _fill(source, first, arrived, kind, width=width),
        _fill(dest, second, gone, kind, width=width),
    )
    new = {k: first.files[k] for k in arrived}
    old = {k: second.files[k] for k in gone}
    if not tells_digests(dest.features, kind):
        # A digest the destination's metadata claims is no proof: only a remembered one is.
        old = {k: e for k, e in old.items() if kind in cache.recall(e)}
    # Only the candidates can stay: asked of every file, this took ~5 ms on a 10,000-file pair.
    keys = new.keys() | old.keys()
    staying = same_bytes_both_sides(
        {k: first.files[k] for k in keys if k in first.files},
        {k: second.files[k] for k in keys if k in second.files},
        kind,
    )
    new = {k: e for k, e in new.items() if k not in staying}
    old = {k: e for k, e in old.items() if k not in staying}
    return pair_renames(new, old, kind)


async def _fill(
    provider: Provider, listing: Listing, keys: set[str], kind: str, *, width: int
) -> None:
    if provider.features.hashes_cheaply and kind in provider.features.hash_kinds:
        await add_digests(provider, listing.files, keys, kind, width=width)


async def verify_bisync_guesses(
    found: list[BisyncRename],
    providers: Mapping[Side, Provider],
    sides: Mapping[Side, Listing],
    state: PairState,
    *,
    tolerance_ns: int,
    width: int,
) -> list[BisyncRename]:
    """The renames to plan: sure ones as found, guesses only where a digest confirms them.

    Each digest read is kept on the listing entry, so the pair state keeps it and the next
    rename of that file pairs without reading it again."""
    slots = asyncio.Semaphore(max(1, width))

    async def check(rename: BisyncRename) -> bool:
        async with slots:
            try:
                if rename.same_file and await _still_same_file(rename, providers, sides):
                    return True
                return await _confirm(
                    rename, providers=providers, sides=sides, state=state, tolerance_ns=tolerance_ns
                )
            except NotFoundError:  # gone since the listing: it syncs as before
                return False

    guesses = [rename for rename in found if not rename.sure]
    verdicts = await asyncio.gather(*(check(rename) for rename in guesses))
    confirmed = {id(rename) for rename, ok in zip(guesses, verdicts, strict=True) if ok}
    return [rename for rename in found if rename.sure or id(rename) in confirmed]


async def _still_same_file(
    rename: BisyncRename, providers: Mapping[Side, Provider], sides: Mapping[Side, Listing]
) -> bool:
    """The renamed file, asked for again, is still the file the state recorded (same file id,
    size and mtime as listed): its bytes were moved, not rewritten, so they need no read. Any
    difference (edited, replaced since the listing) falls back to the digest check."""
    listed = sides[rename.side].files[rename.new_key]
    now = await providers[rename.side].stat(listed.path)
    return (now.file_id, now.size, now.mtime_ns) == (listed.file_id, listed.size, listed.mtime_ns)


async def _confirm(
    rename: BisyncRename,
    *,
    providers: Mapping[Side, Provider],
    sides: Mapping[Side, Listing],
    state: PairState,
    tolerance_ns: int,
) -> bool:
    here, there = rename.side, rename.side.other
    record = state.files[rename.old_key]
    known = old_digests(record, here)
    kind = next((k for k in sorted(known) if k in providers[here].features.hash_kinds), None)
    if kind is not None:
        expected = known[kind]
    else:
        # No digest of the old bytes kept: the other side's copy, if unchanged, holds them.
        kind = common_hash_kind(providers[here], providers[there])
        before = record.one if there is Side.PATH1 else record.two
        theirs = sides[there].files[rename.old_key]
        if kind is None or not same_content(
            before, theirs, tolerance_ns=tolerance_ns, checksum=False
        ):
            return False
        expected = await _digest_of(providers[there], sides[there], rename.old_key, kind)
    return await _digest_of(providers[here], sides[here], rename.new_key, kind) == expected


async def _digest_of(provider: Provider, listing: Listing, key: str, kind: str) -> str:
    entry = listing.files[key]
    digest = entry.hashes.get(kind)
    if digest is None:
        digest = await provider.hash(entry.path, kind)
        listing.files[key] = replace(entry, hashes={**entry.hashes, kind: digest})
    return digest
