"""The Sync view: two folders, a mode, the plan, then the run with progress, all in the page.

Folders are private browser folders (OPFS, named here) or folders on this computer picked with
the File System Access API where the browser has it. The engine, planner and journal are the
same code the CLI runs; only the providers and the pair store are the browser's.
"""

from __future__ import annotations

import time
from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide.units import counted, format_bytes, format_rate
from syncoxide_web.platform.dom import Listeners, element, say, say_error, show

if TYPE_CHECKING:
    from syncoxide.engine.outcome import Outcome
    from syncoxide.engine.run import RunOptions, RunReport
    from syncoxide.providers.contract import Provider

PLAN_LINES_SHOWN = 200
MIN_PASSWORD = 8


STATUS = "sync-status"


class SyncView:
    """The Sync view: the folders picked on this computer, by side, and the runs it starts."""

    def __init__(self) -> None:
        self._listeners = Listeners()
        self._picked: dict[str, Any] = {}  # "one" / "two": a picked folder's handle

    def start(self) -> SyncView:
        self._listeners.on_task("sync-preview", "click", lambda _e: self._run(dry_run=True))
        self._listeners.on_task("sync-run", "click", lambda _e: self._run(dry_run=False))
        for button in js.document.querySelectorAll("#sync-form button.pick"):
            if not hasattr(js.window, "showDirectoryPicker"):
                show(button, False)  # this browser cannot open folders on disk: browser ones only
                continue
            self._listeners.on_task(button, "click", partial(self._pick, str(button.dataset.side)))
        return self

    async def _pick(self, side: str, _event: Any = None) -> None:
        try:
            handle = await js.window.showDirectoryPicker()
        except Exception:  # the user closed the dialog: nothing to do
            return
        self._picked[side] = handle
        element(f"sync-{side}-picked").textContent = f"using “{handle.name}”"

    async def _folder(self, side: str) -> Provider:
        folder = await self._plain_folder(side)
        if not element(f"sync-{side}-encrypted").checked:
            return folder
        return _encrypted(folder, str(element(f"sync-{side}-password").value))

    async def _plain_folder(self, side: str) -> Provider:
        from syncoxide_web.platform.opfs import open_opfs_folder, open_picked_folder

        if side in self._picked:
            handle = self._picked[side]
            return await open_picked_folder(handle, str(handle.name))
        name = str(element(f"sync-{side}").value).strip()
        if not name or "/" in name or name in {".", ".."}:
            raise SyncoxideError(f"“{name}” is not a folder name.", hint="Use letters and digits.")
        return await open_opfs_folder(name)

    async def _run(self, dry_run: bool) -> None:
        # The engine is imported on first use, not at start-up: the first screen comes sooner.
        from syncoxide.engine.run import pair_id, run_pair
        from syncoxide.system import SystemClock, SystemRandom
        from syncoxide_web.sync.pair_store import OpfsPairStore

        _set_busy(True)
        started = time.monotonic()
        try:
            one, two = await self._folder("one"), await self._folder("two")
            options = _options(dry_run)
            say(STATUS, "Comparing the folders…")
            progress = _Progress(started)
            report = await run_pair(
                one,
                two,
                OpfsPairStore(pair_id(one, two)),
                options,
                clock=SystemClock(),
                random=SystemRandom(),
                progress=progress,
            )
            _show_report(report, dry_run, time.monotonic() - started)
        except SyncoxideError as error:
            say_error(STATUS, error)
        finally:
            _set_busy(False)


def _encrypted(folder: Provider, password: str) -> Provider:
    """Names and content encrypted in the layout `syncoxide decrypt` opens (keys stay here)."""
    from syncoxide.crypto.keys import SecretBytes
    from syncoxide.providers.encrypted import PasswordFolder
    from syncoxide.system import SystemRandom
    from syncoxide_web.platform.webcrypto import WebCryptoBackend

    if len(password) < MIN_PASSWORD:
        raise SyncoxideError(f"Use a password of at least {MIN_PASSWORD} characters.")
    return PasswordFolder(
        folder, WebCryptoBackend(), SecretBytes(password.encode()), SystemRandom()
    )


def _options(dry_run: bool) -> RunOptions:
    from syncoxide.engine.run import RunOptions
    from syncoxide.sync.conflicts import ConflictPolicy
    from syncoxide.sync.plan import Mode

    return RunOptions(
        mode=Mode(str(element("sync-mode").value)),
        policy=ConflictPolicy(str(element("sync-conflict").value)),
        dry_run=dry_run,
    )


class _Progress:
    def __init__(self, started: float) -> None:
        self.started = started
        self.done = 0
        self.bytes = 0

    def __call__(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.written is not None:
            self.bytes += outcome.written.size
        seconds = max(time.monotonic() - self.started, 1e-3)
        say(
            STATUS,
            f"{self.done} done · {format_bytes(self.bytes)} · {format_rate(self.bytes / seconds)}",
        )


def _show_report(report: RunReport, dry_run: bool, seconds: float) -> None:
    actions = report.plan.ordered()
    lines = [action.describe() for action in actions[:PLAN_LINES_SHOWN]]
    if len(actions) > PLAN_LINES_SHOWN:
        lines.append(f"… and {len(actions) - PLAN_LINES_SHOWN} more")
    lines += [f"skipped {s.path}: {s.reason}" for s in report.plan.skipped]
    element("sync-plan").textContent = "\n".join(lines) or "Nothing to do: the folders agree."
    if dry_run:
        say(STATUS, f"Plan: {counted(len(actions), 'action')}. Nothing was changed yet.")
        return
    failed = report.failures
    if failed:
        first = failed[0]
        say(
            STATUS,
            f"{len(failed)} of {counted(len(actions), 'action')} failed; the rest is done. "
            f"First: {escape(first.action.path)}: {first.message}",
            error=True,
        )
        return
    say(STATUS, f"Done: {counted(len(actions), 'action')} in {seconds:.1f} s, every copy verified.")


def _set_busy(busy: bool) -> None:
    for name in ("sync-preview", "sync-run"):
        element(name).disabled = busy
