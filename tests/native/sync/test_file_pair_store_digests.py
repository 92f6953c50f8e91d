"""The pair folder keeps the destination's remembered digests beside the state and journal."""

from __future__ import annotations

import asyncio
from pathlib import Path

from syncoxide.native.local.pair_store import FilePairStore


def test_digests_round_trip_and_start_absent(tmp_path: Path) -> None:
    async def run() -> None:
        store = FilePairStore(tmp_path / "pair")
        assert await store.load_digests() is None
        await store.save_digests(b'{"format": "syncoxide-digest-cache"}')
        await store.save_digests(b"second")
        assert await FilePairStore(tmp_path / "pair").load_digests() == b"second"
        assert await store.load_state() is None  # kept apart from the bisync state
        assert sorted(p.name for p in (tmp_path / "pair").iterdir()) == ["digests.json"]

    asyncio.run(run())
