"""``syncoxide sync`` and ``syncoxide trash``: the sync engine from the command line.

Exit codes (``syncoxide.engine.exit_codes``, docs/sync.md): 0 done; 1 some files failed (the
rest was done; run again to retry them); 2 bad usage; 3 stopped by --max-delete; 4 the run could
not start or failed before changing anything; 5 a side lists empty (--allow-empty-side);
6 too large a share would be deleted (--max-delete-share, --force); 7 every file on a side
changed (--force); 130 interrupted (the next run resumes from the journal).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from syncoxide.byte_names import display
from syncoxide.engine.exit_codes import EXIT_INTERRUPTED, EXIT_NOT_RUN, EXIT_OK, stop_exit_code
from syncoxide.engine.watch import QUIET_SECONDS
from syncoxide.errors import SafetyLimitError, SyncoxideError, UsageError
from syncoxide.native import event_loop
from syncoxide.native.collector import fewer_collections

STATE_ENV = "SYNCOXIDE_STATE_DIR"


class _FilterAction(argparse.Action):
    """Keeps --include and --exclude in the order given: the first matching rule decides."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        rules = list(getattr(namespace, "rules", None) or [])
        rules.append((option == "--include", str(values)))
        namespace.rules = rules


def register(commands: Any) -> None:
    _register_sync(commands)
    _register_trash(commands)


def _register_sync(commands: Any) -> None:
    sync = commands.add_parser(
        "sync",
        help="copy, mirror, move or two-way sync two folders",
        epilog="exit codes: 0 done, 1 some files failed, 2 usage, 3 stopped by --max-delete, "
        "4 could not start, 5 a side is empty, 6 too many deletions, 7 every file changed, "
        "130 interrupted. Stops 3, 5, 6 and 7 change nothing. See docs/sync.md.",
    )
    sync.add_argument("source", metavar="SRC", help="source folder (path1 in bisync)")
    sync.add_argument("dest", metavar="DST", help="destination folder (path2 in bisync)")
    sync.add_argument(
        "--mode",
        choices=["copy", "sync", "move", "bisync"],
        default="copy",
        help="copy never deletes; sync mirrors; move deletes sources after a verified copy; "
        "bisync is two-way (default copy)",
    )
    sync.add_argument("--checksum", action="store_true", help="compare content, not size+mtime")
    sync.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    sync.add_argument(
        "--conflict",
        default="newer",
        choices=["newer", "older", "larger", "path1", "path2", "keep-both"],
        help="bisync: who wins when both sides changed (default newer; the loser goes to the "
        "trash, or beside the winner with keep-both)",
    )
    sync.add_argument("--transfers", type=int, default=4, help="parallel transfers (default 4)")
    sync.add_argument(
        "--multi-thread-streams",
        type=int,
        default=4,
        metavar="N",
        help="concurrent parts per big file, resumable after a crash (default 4)",
    )
    sync.add_argument(
        "--multi-thread-cutoff",
        type=int,
        default=64,
        metavar="MiB",
        help="files of this size or more go in parts where the destination allows (default 64)",
    )
    sync.add_argument(
        "--multi-thread-chunk-size",
        type=int,
        default=None,
        metavar="MiB",
        help="size of one part (default 32; on S3 the remote's part size, 8, grown for huge files)",
    )
    sync.add_argument(
        "--whole-file",
        action="store_true",
        help="copy changed big files whole instead of writing only their changed blocks",
    )
    sync.add_argument(
        "--delta-cutoff",
        type=int,
        default=16,
        metavar="MiB",
        help="changed files of this size or more are updated block by block (default 16)",
    )
    sync.add_argument(
        "--no-track-renames",
        dest="track_renames",
        action="store_false",
        help="sync and bisync: copy renamed files again instead of moving them",
    )
    _add_selection_and_output(sync)
    _add_watch(sync)
    sync.set_defaults(run=_sync, rules=[])


def _add_selection_and_output(sync: argparse.ArgumentParser) -> None:
    sync.add_argument(
        "--exclude",
        action=_FilterAction,
        metavar="GLOB",
        dest="rules",
        help="leave out matching paths (repeatable; first matching rule wins)",
    )
    sync.add_argument(
        "--include",
        action=_FilterAction,
        metavar="GLOB",
        dest="rules",
        help="take only matching files (repeatable)",
    )
    sync.add_argument(
        "--max-delete",
        type=int,
        default=None,
        metavar="N",
        help="stop before changing anything if more than N files would go",
    )
    _add_safety(sync)
    sync.add_argument("--json", action="store_true", help="print a machine-readable summary")
    sync.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help=f"where pair state and journals live (default ${STATE_ENV} or the user state folder)",
    )
    # For benchmarks that compare against tools that never fsync; not for real use.
    sync.add_argument("--no-fsync", action="store_true", help=argparse.SUPPRESS)


def _add_watch(sync: argparse.ArgumentParser) -> None:
    sync.add_argument(
        "--watch",
        action="store_true",
        help="keep running: sync again whenever a side changes (copy, sync, bisync); "
        "Ctrl-C stops (exit 130)",
    )
    sync.add_argument(
        "--settle",
        type=float,
        default=QUIET_SECONDS,
        metavar="SECONDS",
        help="--watch: start a run once no change was seen for this long, so files still "
        f"being written are not copied half-way (default {QUIET_SECONDS})",
    )
    sync.add_argument(
        "--feed-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="--watch: how often to ask a provider's change feed (Drive, Dropbox; default 5)",
    )
    sync.add_argument(
        "--poll-interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="--watch: how often to sync a remote that has no change feed (default 60)",
    )


def _add_safety(sync: argparse.ArgumentParser) -> None:
    sync.add_argument(
        "--max-delete-share",
        type=int,
        default=50,
        metavar="PERCENT",
        help="stop before changing anything if more than PERCENT of a side's files would be "
        "deleted (default 50; from 5 files on a side)",
    )
    sync.add_argument(
        "--allow-empty-side",
        action="store_true",
        help="go on when a side lists no files though the pair had files there (an emptied "
        "folder, not an unmounted disk)",
    )
    sync.add_argument(
        "--force",
        action="store_true",
        help="go on past the delete-share and all-files-changed stops",
    )


def _register_trash(commands: Any) -> None:
    trash = commands.add_parser("trash", help="list or restore versions bisync set aside")
    actions = trash.add_subparsers(dest="trash_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the pair's trash on both sides")
    listing.add_argument("path1")
    listing.add_argument("path2")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_trash_list)
    back = actions.add_parser("restore", help="put a trashed version back under its name")
    back.add_argument("path1")
    back.add_argument("path2")
    back.add_argument("item", help="an id from `syncoxide trash list` (side:run/path)")
    back.set_defaults(run=_trash_restore)


def state_root(given: Path | None) -> Path:
    if given is not None:
        return given
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    from platformdirs import user_state_dir

    return Path(user_state_dir("syncoxide"))


def _options(args: argparse.Namespace) -> Any:
    from syncoxide.engine.run import RunOptions
    from syncoxide.sync.conflicts import ConflictPolicy
    from syncoxide.sync.filters import compile_rule
    from syncoxide.sync.plan import Mode

    if args.transfers < 1:
        raise UsageError("--transfers must be at least 1.")
    if not 0 <= args.max_delete_share <= 100:
        raise UsageError("--max-delete-share is a percentage, from 0 to 100.")
    rules = tuple(compile_rule(glob, include=include) for include, glob in args.rules)
    return RunOptions(
        mode=Mode(args.mode),
        checksum=args.checksum,
        dry_run=args.dry_run,
        policy=ConflictPolicy(args.conflict),
        transfers=args.transfers,
        rules=rules,
        max_delete=args.max_delete,
        max_delete_percent=args.max_delete_share,
        allow_empty_side=args.allow_empty_side,
        force=args.force,
        track_renames=args.track_renames,
        parts=_part_settings(args),
        delta=_delta_settings(args),
    )


def _delta_settings(args: argparse.Namespace) -> Any:
    from syncoxide.engine.delta import MIB, DeltaSettings

    if args.delta_cutoff < 1:
        raise UsageError("--delta-cutoff must be at least 1 (MiB).")
    return DeltaSettings(enabled=not args.whole_file, cutoff=args.delta_cutoff * MIB)


def _part_settings(args: argparse.Namespace) -> Any:
    from syncoxide.engine.parts import MIB, PartSettings

    chunk = args.multi_thread_chunk_size
    numbers = (args.multi_thread_streams, args.multi_thread_cutoff, 1 if chunk is None else chunk)
    if min(numbers) < 1:
        raise UsageError(
            "--multi-thread-streams, --multi-thread-cutoff and --multi-thread-chunk-size "
            "must be at least 1."
        )
    return PartSettings(
        args.multi_thread_streams,
        args.multi_thread_cutoff * MIB,
        None if chunk is None else chunk * MIB,
    )


def _providers(
    first: str,
    second: str,
    *,
    durable: bool = True,
    make_second: bool = False,
    dry_run: bool = False,
) -> tuple[Any, Any]:
    """Local folders, or ``NAME:path`` on a remote added with ``syncoxide remote add``;
    ``make_second`` makes a missing local destination whose parent exists."""
    from syncoxide.cli.locations import open_location

    one = open_location(first, durable)
    two = open_location(second, durable, make=make_second, dry_run=dry_run)
    if one.root_id == two.root_id:
        raise UsageError("Source and destination are the same folder.")
    return one, two


async def _closing(one: Any, two: Any, work: Coroutine[Any, Any, Any]) -> Any:
    """Run ``work``, then close network providers' connections inside the same loop."""
    try:
        return await work
    finally:
        for provider in (one, two):
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()


def _sync(args: argparse.Namespace) -> int:
    from syncoxide.cli.sync_report import ProgressLine, print_json, print_summary
    from syncoxide.engine.run import pair_id, run_pair
    from syncoxide.engine.summary import exit_code, summary_json
    from syncoxide.native.local.pair_store import FilePairStore
    from syncoxide.native.providers.local_state import give_local_state
    from syncoxide.system import SystemClock, SystemRandom

    options = _options(args)
    if args.watch:
        from syncoxide.cli.sync_watch import watch_settings  # the watchers only when watching

        watching = watch_settings(args, options)  # refused before the destination is made
    one, two = _providers(
        args.source,
        args.dest,
        durable=not args.no_fsync,
        make_second=True,
        dry_run=args.dry_run,
    )
    store = FilePairStore(state_root(args.state_dir) / "pairs" / pair_id(one, two))
    give_local_state((one, two), store.folder)
    if args.watch:
        from syncoxide.cli.sync_watch import watch_command

        return watch_command(args, options, (one, two), store=store, settings=watching)
    progress = ProgressLine(sys.stderr)
    progress.enabled = progress.enabled and not args.json
    started = time.monotonic()
    try:
        store.lock()
        with fewer_collections():
            report = event_loop.run(
                _closing(
                    one,
                    two,
                    run_pair(
                        one,
                        two,
                        store,
                        options,
                        clock=SystemClock(),
                        random=SystemRandom(),
                        progress=progress,
                    ),
                )
            )
    except SafetyLimitError as error:
        print(f"syncoxide: safety stop: {display(str(error))}", file=sys.stderr)
        return stop_exit_code(error)
    except UsageError:
        raise
    except SyncoxideError as error:
        print(f"syncoxide: {display(str(error))}", file=sys.stderr)
        return EXIT_NOT_RUN
    except KeyboardInterrupt:
        print(
            "syncoxide: interrupted. Finished files are in place; run the same command again "
            "to resume from the journal.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        store.unlock()
    progress.finish()
    seconds = time.monotonic() - started
    if args.json:
        print_json(summary_json(report, seconds))
    else:
        print_summary(report, seconds)
    return exit_code(report)


def _trash_list(args: argparse.Namespace) -> int:
    from syncoxide.cli.sync_report import print_json
    from syncoxide.engine.run import pair_id
    from syncoxide.engine.trash import list_trash
    from syncoxide.sync.plan import Side

    one, two = _providers(args.path1, args.path2)
    pair = pair_id(one, two)

    async def both() -> list[Any]:
        return await list_trash(one, Side.PATH1, pair) + await list_trash(two, Side.PATH2, pair)

    items = asyncio.run(both())
    if args.json:
        print_json(
            {
                "items": [
                    {
                        "id": i.ident,
                        "side": i.side.value,
                        "run": i.run,
                        "path": i.path,
                        "size": i.size,
                    }
                    for i in items
                ]
            }
        )
    else:
        for item in items:
            print(f"{item.ident}\t{item.size} bytes")
        print(f"{len(items)} versions in the trash of this pair")
    return EXIT_OK


def _trash_restore(args: argparse.Namespace) -> int:
    from syncoxide.engine.run import pair_id
    from syncoxide.engine.trash import parse_ident, restore
    from syncoxide.sync.plan import Side

    side, run, path = parse_ident(args.item)
    one, two = _providers(args.path1, args.path2)
    provider = one if side is Side.PATH1 else two
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    displaced = asyncio.run(restore(provider, pair_id(one, two), run, path, stamp=stamp))
    print(f"restored {path} on {side.value}")
    if displaced:
        print(f"the version that was there is now in the trash as {displaced}")
    print("run `syncoxide sync --mode bisync` to carry it to the other side")
    return EXIT_OK
