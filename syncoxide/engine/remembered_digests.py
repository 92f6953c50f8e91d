"""The IO around a pair's remembered destination digests (``syncoxide.sync.digest_cache``):
load them before planning, lend them to rename detection, save what the run learned.

Kept for a one-way pair whose destination cannot give a digest cheaply itself (no digest
in its listing, hashing would mean a download: S3, SFTP), and for one whose source keeps file
ids (a local disk): there a renamed source file is known by its file id, so neither it nor
the destination's old file is read (measured on the 10,020-file tree: the two 32 MiB reads
were most of a one-rename run's work after the listing). A destination that lists digests,
synced from a source without file ids, needs none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from syncoxide.providers.contract import HASH_KINDS, Features, Provider
from syncoxide.sync.digest_cache import (
    DigestCache,
    Done,
    cache_after,
    decode_cache,
    encode_cache,
    source_digests,
)
from syncoxide.sync.listing import Listing
from syncoxide.sync.plan import Mode

from .outcome import Outcome
from .pair_store import PairStore


def tells_digests(features: Features, kind: str) -> bool:
    """The provider gives ``kind`` with its listing or for the price of a local read."""
    return kind in features.listing_hash_kinds or (
        features.hashes_cheaply and kind in features.hash_kinds
    )


def worth_remembering(source: Provider, dest: Provider, kind: str | None) -> bool:
    """A copy whose parts are hashed apart also hashes the whole source (a local read) when the
    destination can give no digest itself, so the pair can remember one."""
    return (
        kind is not None
        and tells_digests(source.features, kind)
        and not tells_digests(dest.features, kind)
    )


#: Where the destination hashes cheaply itself, records serve only to know a renamed source
#: file by its file id without reading it; a smaller file costs less to read than its record
#: costs to keep (a local pair reads and writes every record on each run that acts: 10,000
#: small files' records added ~50 ms to a run changing 200 of them, same run as before).
SMALLEST_RECORDED_WITH_CHEAP_DIGESTS = 1024 * 1024


def smallest_recorded(dest: Provider, kind: str | None) -> int:
    """Files below this size get no record: 0 where the destination cannot hash cheaply."""
    if kind is not None and tells_digests(dest.features, kind):
        return SMALLEST_RECORDED_WITH_CHEAP_DIGESTS
    return 0


def needs_remembered_digests(
    source: Provider, dest: Provider, mode: Mode, track_renames: bool
) -> bool:
    if mode is Mode.BISYNC or not track_renames:
        return False  # bisync keeps its digests in its own state
    if source.features.keeps_file_ids:
        return True
    kinds = (*HASH_KINDS, *dest.features.listing_hash_kinds)
    return not any(tells_digests(dest.features, kind) for kind in kinds)


async def load_remembered(store: PairStore, dest: Provider) -> DigestCache:
    return decode_cache(await store.load_digests(), dest.root_id)


def recall_into(listing: Listing, keys: Iterable[str], cache: DigestCache) -> None:
    """Add the remembered digests of the files under ``keys`` that are unchanged since."""
    for key in keys:
        entry = listing.files[key]
        known = cache.recall(entry)
        if known:
            listing.files[key] = replace(entry, hashes={**entry.hashes, **known})


def recall_sources_into(
    lists: tuple[Listing, Listing], keys: tuple[Iterable[str], Iterable[str]], cache: DigestCache
) -> None:
    """Give the arrived source files (``keys[0]``) that are the own source file of a
    remembered copy among the gone destination files (``keys[1]``), renamed and unchanged
    (``source_digests``), that copy's digests."""
    source, dest = lists
    new = {key: source.files[key] for key in keys[0]}
    old = {key: dest.files[key] for key in keys[1]}
    for key, known in source_digests(cache, new, old).items():
        entry = source.files[key]
        source.files[key] = replace(entry, hashes={**entry.hashes, **known})


async def save_remembered(
    store: PairStore,
    cache: DigestCache,
    listing: Listing,
    outcomes: list[Outcome],
    *,
    min_size: int = 0,
) -> None:
    done = [_done(outcome) for outcome in outcomes if outcome.ok and not outcome.message]
    after = cache_after(cache, listing.files.values(), done, min_size=min_size)
    if after != cache:  # a run that changed nothing writes nothing
        await store.save_digests(encode_cache(after))


def _done(outcome: Outcome) -> Done:
    # A copy that moved bytes (all of them, or a delta's blocks) hashed what it stored; one
    # that found the bytes already there (``bytes_moved`` 0) or did nothing hashed nothing.
    hashed = not outcome.noop and outcome.bytes_moved != 0
    return Done(outcome.action, outcome.written, hashed_in_transit=hashed)
