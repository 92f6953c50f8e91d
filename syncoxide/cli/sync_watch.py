"""``syncoxide sync SRC DST --watch``: keep a pair in step until stopped.

One run at start, then one after every settled batch of changes (``syncoxide.engine.watch``).
Changes come from local file events at once, from a provider's change feed (Drive, Dropbox)
every ``--feed-interval`` seconds, or, for providers without a feed, from a run every
``--poll-interval`` seconds. copy and sync watch the source; bisync watches both sides.

Each run uses the pair's journal like a one-shot run, under the same lock, so a watch stopped
mid-run (Ctrl-C or SIGTERM: exit 130) is resumed by the next run or the next watch. The first
run fails the command as a one-shot run would (bad root, safety stop); later failures are
reported and the watch goes on: the next change or poll tries again.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from typing import Any

from syncoxide.byte_names import display, json_text
from syncoxide.cli.sync_report import ProgressLine, print_summary
from syncoxide.engine.exit_codes import EXIT_INTERRUPTED, EXIT_NOT_RUN, EXIT_OK, stop_exit_code
from syncoxide.engine.pair_store import PairStore
from syncoxide.engine.run import RunOptions, run_pair
from syncoxide.engine.summary import summary_json
from syncoxide.engine.watch import ChangeSource, WatchSettings, watch_pair
from syncoxide.errors import SafetyLimitError, SyncoxideError, UsageError
from syncoxide.native import event_loop
from syncoxide.native.watch.provider_changes import own_change_source
from syncoxide.native.watch.remote_changes import PollTimer
from syncoxide.sync.plan import Mode
from syncoxide.system import SystemClock, SystemRandom


def change_sources(
    one: Any, two: Any, mode: Mode, *, feed_seconds: float, poll_seconds: float
) -> list[ChangeSource]:
    """What to watch: the source (copy, sync), or both sides (bisync)."""
    sides = (one, two) if mode is Mode.BISYNC else (one,)
    sources: list[ChangeSource] = []
    for provider in sides:
        own = own_change_source(provider, feed_seconds=feed_seconds)
        sources.append(own or PollTimer(poll_seconds))
    return sources


def watch_settings(args: argparse.Namespace, options: RunOptions) -> WatchSettings:
    """The watch's settings; UsageError for what does not go with --watch."""
    if options.mode is Mode.MOVE:
        raise UsageError(
            "--watch does not go with --mode move: a file still being written could be moved "
            "away from its writer.",
            hint="Use --mode copy or sync with --watch.",
        )
    if options.dry_run:
        raise UsageError("--watch does not go with --dry-run.", hint="Drop one of them.")
    if min(args.settle, args.feed_interval, args.poll_interval) <= 0 or args.settle > 60:
        raise UsageError(
            "--settle must be above 0 and at most 60; --feed-interval and --poll-interval above 0."
        )
    return WatchSettings(quiet_seconds=args.settle)


class PairWatch:
    """The runs of one watched pair and what they print."""

    def __init__(self, args: argparse.Namespace, options: RunOptions, sides: tuple[Any, Any]):
        self.args = args
        self.options = options
        self.one, self.two = sides
        self.runs = 0

    async def run_once(self, store: PairStore, changes: int) -> None:
        self.runs += 1
        started = time.monotonic()
        progress = ProgressLine(sys.stderr)
        progress.enabled = progress.enabled and not self.args.json
        try:
            report = await run_pair(
                self.one,
                self.two,
                store,
                self.options,
                clock=SystemClock(),
                random=SystemRandom(),
                progress=progress,
            )
        except SyncoxideError as error:
            if self.runs == 1:
                raise  # a watch that cannot start says so, with the one-shot exit code
            print(f"syncoxide: run {self.runs}: {display(str(error))}", file=sys.stderr)
            return
        progress.finish()
        self._report(report, time.monotonic() - started, changes)

    def _report(self, report: Any, seconds: float, changes: int) -> None:
        if self.args.json:
            body = {"run": self.runs, "changes": changes, **summary_json(report, seconds)}
            print(json_text(body), flush=True)
            return
        print(f"run {self.runs} ({changes} changes seen):", end=" ")
        print_summary(report, seconds)
        sys.stdout.flush()
        if self.runs == 1:
            print("watching for changes; Ctrl-C stops", file=sys.stderr, flush=True)


async def _watching(watch: PairWatch, store: PairStore, settings: WatchSettings) -> None:
    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    sources = change_sources(
        watch.one,
        watch.two,
        watch.options.mode,
        feed_seconds=watch.args.feed_interval,
        poll_seconds=watch.args.poll_interval,
    )
    try:
        await watch_pair(
            lambda changes: watch.run_once(store, changes),
            sources,
            settings=settings,
            monotonic=time.monotonic,
        )
    finally:
        for provider in (watch.one, watch.two):
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()


def watch_command(
    args: argparse.Namespace,
    options: RunOptions,
    sides: tuple[Any, Any],
    *,
    store: Any,
    settings: WatchSettings,
) -> int:
    try:
        store.lock()
        event_loop.run(_watching(PairWatch(args, options, sides), store, settings))
    except SafetyLimitError as error:
        print(f"syncoxide: safety stop: {display(str(error))}", file=sys.stderr)
        return stop_exit_code(error)
    except UsageError:
        raise
    except SyncoxideError as error:
        print(f"syncoxide: {display(str(error))}", file=sys.stderr)
        return EXIT_NOT_RUN
    except (KeyboardInterrupt, asyncio.CancelledError):
        print(
            "syncoxide: watch stopped. Finished files are in place; a run cut short resumes "
            "from the journal next time.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        store.unlock()
    return EXIT_OK
