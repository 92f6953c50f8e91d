"""One run of a pair: resume any journal, list, plan, journal the plan, execute, save state.

Order of durability: the whole plan is written and made durable before the first side effect;
each action is marked as it commits; the bisync state is saved only after every action was
attempted (failed keys keep their old record); the journal is cleared last. A run killed at
any point leaves either no journal (nothing started) or a journal the next run resumes.
A journal that owes plain copies only is resumed while the listing is read (listing writes
nothing, so this order of durability holds; ``syncoxide.engine.resume_overlap``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from syncoxide.errors import RunNotStartedError, SyncoxideError
from syncoxide.ports import Clock, RandomSource
from syncoxide.providers.contract import Provider
from syncoxide.sync.bisync import BisyncOptions, carry_digests, lookalike_keys, plan_bisync
from syncoxide.sync.bisync_renames import BisyncRename, find_bisync_renames
from syncoxide.sync.digest_cache import DigestCache
from syncoxide.sync.listing import Listing
from syncoxide.sync.one_way import OneWayOptions, plan_one_way
from syncoxide.sync.plan import Action, Mode, Plan, Side
from syncoxide.sync.renames import with_renames
from syncoxide.sync.state import PairState, decode_state
from syncoxide.wal.actions import action_to_json
from syncoxide.wal.codec import HEADER, encode_action, encode_begin, encode_finish, encode_sealed

from .executor import Executor, Progress
from .journal_resume import resume_and_list
from .listing_io import add_digests, parked_files, recover_parked
from .outcome import Outcome
from .pair_listing import Trees, build_listings, read_trees
from .pair_store import PairStore
from .remembered_digests import (
    load_remembered,
    needs_remembered_digests,
    save_remembered,
    smallest_recorded,
)
from .renames import find_renames, verify_bisync_guesses
from .resume_overlap import note_resumed
from .run_options import RunOptions as RunOptions  # callers import it from here, as before
from .safety import PairView, check_safety
from .side_by_side import gather_or_cancel
from .state_update import save_bisync_state
from .transfer import common_hash_kind


@dataclass
class RunReport:
    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)
    resumed: list[Outcome] = field(default_factory=list)
    dry_run: bool = False
    partials_removed: int = 0
    #: Files a killed run's move chain parked and could not bring home, now in the trash.
    parked_recovered: int = 0
    trash_root: str = ""

    def __repr__(self) -> str:
        # Short on purpose: asyncio.run's teardown reprs the main task's result, and a full
        # repr of 10k outcomes costs half a second.
        return f"<RunReport {len(self.outcomes)} outcomes, {len(self.failures)} failed>"

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.resumed + self.outcomes if not o.ok]


def pair_id(one: Provider, two: Provider) -> str:
    return hashlib.sha256(f"{one.root_id}\0{two.root_id}".encode()).hexdigest()[:16]


def _tolerance(one: Provider, two: Provider) -> int:
    coarsest = max(one.features.mtime_precision_ns, two.features.mtime_precision_ns)
    return coarsest if coarsest > 1 else 0


def _checksum_keys(one: Listing, two: Listing, state: PairState) -> tuple[set[str], set[str]]:
    both = {
        k for k in one.files.keys() & two.files.keys() if one.files[k].size == two.files[k].size
    }
    first = both | {
        k for k, rec in state.files.items() if k in one.files and one.files[k].size == rec.one.size
    }
    second = both | {
        k for k, rec in state.files.items() if k in two.files and two.files[k].size == rec.two.size
    }
    return first, second


@dataclass(frozen=True)
class RunMarks:
    """What names this run's conflicts (its time) and move chains (its random tag)."""

    now: float
    park_tag: str


def _plan(
    one: Provider,
    two: Provider,
    lists: tuple[Listing, Listing],
    state: PairState,
    *,
    options: RunOptions,
    renames: list[BisyncRename],
    marks: RunMarks,
) -> Plan:
    first, second = lists
    tolerance = _tolerance(one, two)
    if options.mode is not Mode.BISYNC:
        return plan_one_way(first, second, OneWayOptions(options.mode, options.checksum, tolerance))
    settable = frozenset(
        side
        for side, provider in ((Side.PATH1, one), (Side.PATH2, two))
        if provider.features.sets_mtime_in_place
    )
    opts = BisyncOptions(
        options.policy,
        options.checksum,
        tolerance,
        case_sensitive=one.features.case_sensitive and two.features.case_sensitive,
        now=marks.now,
        settable_mtimes=settable,
        park_tag=marks.park_tag,
    )
    return plan_bisync(first, second, state, opts, renames=renames)


async def _bisync_renames(
    one: Provider,
    two: Provider,
    lists: tuple[Listing, Listing],
    *,
    state: PairState,
    options: RunOptions,
) -> list[BisyncRename]:
    """Renames either side made since the last run, guesses verified by digest."""
    if options.mode is not Mode.BISYNC or not options.track_renames or not state.files:
        return []
    sides = {Side.PATH1: lists[0], Side.PATH2: lists[1]}
    tolerance = _tolerance(one, two)
    found = find_bisync_renames(sides, state, tolerance_ns=tolerance)
    providers = {Side.PATH1: one, Side.PATH2: two}
    return await verify_bisync_guesses(
        found, providers, sides, state, tolerance_ns=tolerance, width=options.transfers
    )


async def _journal_plan(
    store: PairStore, header: dict[str, object], plan: Plan
) -> list[tuple[int, Action]]:
    ordered = plan.ordered()
    parts = [HEADER, encode_begin(header)]
    parts += [encode_action(i, action_to_json(a)) for i, a in enumerate(ordered)]
    parts.append(encode_sealed(len(ordered)))
    await store.start_journal(b"".join(parts))
    return list(enumerate(ordered))


async def _load_state(store: PairStore, options: RunOptions) -> PairState:
    if options.mode is not Mode.BISYNC:
        return PairState()
    saved = await store.load_state()
    return decode_state(saved) if saved is not None else PairState()


async def _add_checksums(
    one: Provider,
    two: Provider,
    first: Listing,
    second: Listing,
    *,
    state: PairState,
    options: RunOptions,
) -> None:
    kind = common_hash_kind(one, two)
    if not options.checksum or kind is None:
        return
    keys1, keys2 = _checksum_keys(first, second, state)
    await gather_or_cancel(
        add_digests(one, first.files, keys1, kind, width=options.transfers),
        add_digests(two, second.files, keys2, kind, width=options.transfers),
    )


async def _hash_lookalikes(
    one: Provider,
    two: Provider,
    first: Listing,
    second: Listing,
    *,
    state: PairState,
    options: RunOptions,
) -> None:
    """Hash files both sides changed to the same size: identical content is not a conflict.

    Only those keys are read (usually none), so a run without --checksum stays a listing."""
    kind = common_hash_kind(one, two)
    if options.mode is not Mode.BISYNC or options.checksum or kind is None:
        return
    keys = lookalike_keys(first, second, state, _tolerance(one, two))
    if keys:
        await gather_or_cancel(
            add_digests(one, first.files, keys, kind, width=options.transfers),
            add_digests(two, second.files, keys, kind, width=options.transfers),
        )


async def _execute(
    providers: dict[Side, Provider],
    store: PairStore,
    report: RunReport,
    options: RunOptions,
    *,
    progress: Progress | None,
    now: float,
) -> None:
    one, two = providers[Side.PATH1], providers[Side.PATH2]
    header: dict[str, object] = {
        "mode": report.plan.mode.value,
        "pair": pair_id(one, two),
        "trash": report.trash_root,
        "started": now,
    }
    indexed = await _journal_plan(store, header, report.plan)
    executor = Executor(
        providers,
        store=store,
        trash_root=report.trash_root,
        settings=options.copy_settings(providers, listed_moves=report.plan.mode is not Mode.BISYNC),
        progress=progress,
    )
    report.outcomes = await executor.run(indexed)
    await store.append_journal(encode_finish(), durable=True)


@dataclass
class _Prepared:
    first: Listing
    second: Listing
    state: PairState
    plan: Plan
    removed: int
    #: The destination's remembered digests, where the pair keeps them.
    remembered: DigestCache | None = None


async def _prepare(
    one: Provider,
    two: Provider,
    store: PairStore,
    options: RunOptions,
    *,
    now: float,
    park_tag: str,
    trees: Trees | None,
) -> _Prepared:
    """List (unless ``trees`` were read already), load the state, hash what needs it, plan:
    nothing is changed here but partials."""
    if trees is None:
        trees = await read_trees(one, two, mode=options.mode, rules=options.rules)
    first, second, removed = await build_listings(one, two, trees, mode=options.mode)
    state = await _load_state(store, options)
    if state.files and not options.checksum:
        carry_digests(first, Side.PATH1, state, _tolerance(one, two))
        carry_digests(second, Side.PATH2, state, _tolerance(one, two))
    await _add_checksums(one, two, first, second, state=state, options=options)
    await _hash_lookalikes(one, two, first, second, state=state, options=options)
    renames = await _bisync_renames(one, two, (first, second), state=state, options=options)
    plan = _plan(
        one,
        two,
        (first, second),
        state,
        options=options,
        renames=renames,
        marks=RunMarks(now, park_tag),
    )
    remembered = None
    # A run with nothing to do neither reads nor writes them (a stale record only ever
    # misses: it is dropped by the next run that acts).
    if plan.actions and needs_remembered_digests(one, two, options.mode, options.track_renames):
        remembered = await load_remembered(store, two)
    if options.mode is Mode.SYNC and options.track_renames:
        lists = (first, second)
        width = options.transfers
        pairs = await find_renames(one, two, plan, lists, width=width, remembered=remembered)
        plan = with_renames(plan, pairs, first, second, park_tag=park_tag)
    return _Prepared(first, second, state, plan, removed, remembered)


async def _prepare_or_explain(
    one: Provider,
    two: Provider,
    store: PairStore,
    options: RunOptions,
    *,
    now: float,
    park_tag: str,
    trees: Trees | None = None,
) -> _Prepared:
    try:
        return await _prepare(one, two, store, options, now=now, park_tag=park_tag, trees=trees)
    except SyncoxideError:
        raise
    except Exception as error:  # a bug or an untranslated failure: say so, exit "not started"
        raise RunNotStartedError(
            f"The run stopped before changing anything ({type(error).__name__}: {error}).",
            hint="Nothing was changed. Run again; if it keeps stopping here, report it with "
            "this message.",
        ) from error


async def _remember_digests(
    providers: dict[Side, Provider],
    store: PairStore,
    *,
    ready: _Prepared,
    report: RunReport,
    options: RunOptions,
) -> None:
    """Saves the digests the resumed copies and this run's actions learned, in that order.

    A resumed copy in parts hashed its whole source alongside (``syncoxide.engine.parts``);
    kept only when this run's own plan had actions, it was lost whenever the resume had
    finished the work, so a later rename of that big file uploaded it again."""
    one, two = providers[Side.PATH1], providers[Side.PATH2]
    remembered = ready.remembered
    wrote = any(o.ok and o.written is not None for o in report.resumed)
    if (
        remembered is None
        and wrote
        and needs_remembered_digests(one, two, options.mode, options.track_renames)
    ):
        remembered = await load_remembered(store, two)
    if remembered is None:
        return
    floor = smallest_recorded(two, common_hash_kind(one, two))
    done = [*report.resumed, *report.outcomes]
    await save_remembered(store, remembered, ready.second, done, min_size=floor)


async def run_pair(
    one: Provider,
    two: Provider,
    store: PairStore,
    options: RunOptions,
    *,
    clock: Clock,
    random: RandomSource,
    progress: Progress | None = None,
) -> RunReport:
    providers = {Side.PATH1: one, Side.PATH2: two}
    resumed, trees = await resume_and_list(providers, store, options, progress)
    now = clock.now()
    # Names this run's trash folder and the temporary names of its move chains.
    run = random.token_bytes(3).hex()
    try:
        ready = await _prepare_or_explain(
            one, two, store, options, now=now, park_tag=run, trees=trees
        )
    except SyncoxideError as error:
        note_resumed(error, resumed)
        raise
    plan = ready.plan
    report = RunReport(
        plan, resumed=resumed, dry_run=options.dry_run, partials_removed=ready.removed
    )
    sides = {Side.PATH1: ready.first, Side.PATH2: ready.second}
    view = PairView(options.mode, plan, sides, ready.state, _tolerance(one, two))
    check_safety(view, options.safety())
    if options.dry_run:
        return report
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    report.trash_root = f".syncoxide/trash/{pair_id(one, two)}/{stamp}-{run}"
    for side, listing in sides.items():
        report.parked_recovered += await recover_parked(
            providers[side],
            parked_files(listing.partials),
            report.trash_root,
            common_hash_kind(one, two),
        )
    if plan.actions:
        await _execute(providers, store, report, options, progress=progress, now=now)
    await _remember_digests(providers, store, ready=ready, report=report, options=options)
    if options.mode is Mode.BISYNC:
        sensitive = one.features.case_sensitive and two.features.case_sensitive
        await save_bisync_state(
            store,
            ready.state,
            ready.first,
            ready.second,
            outcomes=report.outcomes,
            sensitive=sensitive,
        )
    if plan.actions:
        await store.clear_journal()
    return report
