"""One sync of a local folder to a provider that writes big files in parts, as a fresh process
would run it, for the S3 and SFTP parts tests (each brings its own provider that dies on cue)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.parts import PartSettings
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.sftp.provider import SftpProvider
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.sync.plan import Mode
from syncoxide.wal.replay import replay_journal


def sync_in_parts(
    source_dir: Path,
    dest: S3Provider | SftpProvider,
    store: MemoryPairStore,
    *,
    part: int,
    streams: int,
    seed: bytes,
) -> RunReport:
    """One-way sync into ``dest`` in parts of ``part`` bytes; ``dest`` is closed afterwards."""
    options = RunOptions(Mode.SYNC, parts=PartSettings(streams, 2 * part, part))

    async def go() -> RunReport:
        try:
            return await run_pair(
                LocalProvider(source_dir),
                dest,
                store,
                options,
                clock=FixedClock(1_700_000_000.0),
                random=SeededRandom(seed),
            )
        finally:
            await dest.aclose()

    return asyncio.run(go())


def journaled_parts(store: MemoryPairStore) -> int:
    """How many parts of the first action the journal holds as verified."""
    return len(replay_journal(store.journal or b"").parts.get(0, {}))
