"""Finishing what an interrupted run's journal owes, before a run plans afresh.

Every pending action is re-checked against what is there now, then applied (see
``syncoxide.engine.executor``); the journal gets its FINISH record and is cleared. When the
journal owes plain copies only, the fresh listing is read meanwhile
(``syncoxide.engine.resume_overlap`` says why that is safe).
"""

from __future__ import annotations

from syncoxide.providers.contract import Provider
from syncoxide.sync.plan import Side
from syncoxide.wal.codec import encode_finish
from syncoxide.wal.replay import JournalReplay, replay_journal

from .executor import Executor, Progress
from .outcome import Outcome
from .pair_listing import Trees, read_trees
from .pair_store import PairStore
from .resume_overlap import lists_beside_resume, resume_beside_listing
from .run_options import RunOptions


async def finish_journal(
    providers: dict[Side, Provider],
    store: PairStore,
    options: RunOptions,
    progress: Progress | None,
    *,
    replay: JournalReplay,
) -> list[Outcome]:
    """Applies what ``replay`` owes, re-checking each action first; clears the journal."""
    outcomes: list[Outcome] = []
    if replay.needs_resume:
        executor = Executor(
            providers,
            store=store,
            trash_root=str(replay.header["trash"]),
            settings=options.copy_settings(providers, recheck=True),
            progress=progress,
            stored_parts=replay.parts,
        )
        outcomes = await executor.run(replay.pending())
        await store.append_journal(encode_finish(), durable=True)
    await store.clear_journal()
    return outcomes


async def resume_and_list(
    providers: dict[Side, Provider],
    store: PairStore,
    options: RunOptions,
    progress: Progress | None,
) -> tuple[list[Outcome], Trees | None]:
    """Finishes the journal; when it owes plain copies only, reads the trees meanwhile
    (``syncoxide.engine.resume_overlap``), else leaves them to be read after (None)."""
    blob = await store.load_journal()
    if blob is None:
        return [], None
    replay = replay_journal(blob)
    finishing = finish_journal(providers, store, options, progress, replay=replay)
    if not lists_beside_resume(replay, options.mode):
        return await finishing, None
    one, two = providers[Side.PATH1], providers[Side.PATH2]
    return await resume_beside_listing(
        finishing, lambda: read_trees(one, two, mode=options.mode, rules=options.rules), two
    )
