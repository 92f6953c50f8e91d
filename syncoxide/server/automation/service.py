"""Arrivals become jobs, and a job fetches its inputs, runs the action and stores the result.

Arrivals come from three places: a request link's finished upload (``link_arrived``, called
by the drop endpoint), a write into the user's server storage (``FileService.changes``), and a
poll of the folders of connections and account shares (``provider_watch.py``). Each enabled
rule of the owner that watches that place and matches the file gets a job; a combining rule
adds the file to its job while that job still waits. A share that lands in the storage on
this server is heard like a folder, with its results next to the arrival.

A job copies its inputs out of the blob store into ``DATA/automation/job-ID``, runs the action
there (``syncoxide.native.actions``: limits, isolation), and stores the result in the owner's
storage (or, for a provider's folder, back into that folder through the provider contract,
``provider_files.py``) under the path fixed when the job was made. That makes a re-run after
a crash safe: the same result lands on the same path, and a result already there with the
same content is left as is, so a job completes exactly once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import posixpath
import shutil
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncoxide.automation.actions import ActionOptions, plan_conversion, suffix_of
from syncoxide.errors import NotFoundError, SyncoxideError
from syncoxide.native.actions.runner import ActionRun, run_action
from syncoxide.server.automation.places import RulePlaces
from syncoxide.server.automation.provider_files import ProviderJobs, ProviderSide
from syncoxide.server.automation.provider_watch import ProviderArrivals
from syncoxide.server.automation.queue import DEAD, RUNNING, Job, JobQueue, NewJob
from syncoxide.server.automation.rules import (
    FOLDER,
    MOVE,
    REQUEST,
    SHARE,
    AutomationRule,
    AutomationRuleStore,
)
from syncoxide.server.automation.worker import JobControl, JobWorker
from syncoxide.server.events.service import Notifier
from syncoxide.server.files.changes import WRITTEN, FileChange
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import StoredEntry
from syncoxide.server.links.service import LinkService
from syncoxide.server.links.store import Link, LinkFile

log = logging.getLogger("syncoxide.server.automation")
JOB_KIND = "automation"
#: The error code of a dead job standing for a polled file that could not be handed over.
HANDOFF_FAILED = "handoff_failed"
PIECE = 1 << 20


@dataclass
class AutomationService:
    rules: AutomationRuleStore
    queue: JobQueue
    files: FileService
    links: LinkService
    notifier: Notifier
    work_root: Path
    places: RulePlaces
    provider_jobs: ProviderJobs
    settle_seconds: float = 10.0
    worker: JobWorker | None = None
    #: Looks at provider folders; set by the app.
    arrivals: ProviderArrivals | None = None
    #: Tells the other instances to stop a job this one does not run (set by the app when a
    #: bus joins instances: scheduling/cancel_relay.py).
    stop_elsewhere: Callable[[int], None] = lambda _job_id: None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _writing: set[tuple[int, str]] = field(default_factory=set)

    # -- arrivals ---------------------------------------------------------------------

    async def link_arrived(self, link: Link, file: LinkFile) -> None:
        if link.public_key:  # sealed to the owner's key: the server cannot read it
            return
        item = {"source": REQUEST, "link": link.id, "file": file.id, "name": file.path}
        for rule in self.rules.watching(REQUEST, link.user_id):
            if rule.source == link.id and rule.matches(file.path, file.size):
                self._enqueue(rule, item)

    def file_changed(self, change: FileChange) -> None:
        """A ``FileService`` listener: runs inline after the write, so it only schedules."""
        if change.what != WRITTEN or (change.user_id, change.path) in self._writing:
            return
        self._in_background(self._folder_arrival(change))

    async def _folder_arrival(self, change: FileChange) -> None:
        folders = self.rules.watching(FOLDER, change.user_id)
        watching: list[tuple[AutomationRule, str, str | None]]
        watching = [(rule, rule.source, None) for rule in folders]
        watching += await self._shares_here(change.user_id)
        if not watching:  # most writes: no folder rule, so no lookup
            return
        entry = self._stored_or_none(change.user_id, change.path)
        if entry is None:  # gone again already
            return
        item = {"source": FOLDER, "path": change.path, "name": change.path}
        for rule, root, results in watching:
            inside = change.path.startswith(f"{root}/") if root else True
            target = rule.target_folder if results is None else results
            own = target and change.path.startswith(f"{target}/")
            if inside and not own and rule.matches(change.path, entry.size):
                folder = None if results is None else target or posixpath.dirname(change.path)
                self._enqueue(rule, item, folder)

    async def _shares_here(self, user_id: int) -> list[tuple[AutomationRule, str, str]]:
        """Share rules whose share lands in this storage: (rule, its folder, results folder
        or "" for next to each arrival)."""
        found = []
        for rule in self.rules.watching(SHARE, user_id):
            try:
                place = await self.places.of(rule)
            except SyncoxideError:  # revoked, left, not placed, encrypted: watches nothing now
                continue
            if place.connection is None:
                target = rule.target_folder and posixpath.join(place.path, rule.target_folder)
                found.append((rule, place.path, target))
        return found

    def enqueue(self, rule: AutomationRule, item: dict[str, Any], folder: str) -> None:
        """An arrival in a provider's folder (``provider_watch``), results into ``folder``."""
        self._enqueue(rule, item, folder)

    def _enqueue(
        self, rule: AutomationRule, item: dict[str, Any], folder: str | None = None
    ) -> None:
        key = f"rule:{rule.id}" if rule.combine else ""
        if key and self.queue.collect(key, item, self.settle_seconds) is not None:
            return
        payload = self._payload(rule, item, folder)
        delay = self.settle_seconds if rule.combine else 0.0
        self.queue.enqueue(NewJob(rule.user_id, JOB_KIND, payload, delay=delay, collect_key=key))
        if self.worker is not None:
            self.worker.wake()

    def handoff_given_up(
        self, rule: AutomationRule, item: dict[str, Any], folder: str, message: str
    ) -> None:
        """A polled file that could not be handed to its rule (``provider_watch``): a dead
        job of its own, so the rule's failures show it, and a retry from there converts it.
        Its event is sent as for any job given up; the poll calls this inline, so it only
        schedules the sending."""
        job = NewJob(rule.user_id, JOB_KIND, self._payload(rule, item, folder))
        buried = self.queue.bury(job, code=HANDOFF_FAILED, message=message)
        self._in_background(self.job_finished(buried, DEAD))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after the caller returns (listeners and polls call inline), keeping a
        reference until it ends: the loop itself keeps only weak ones."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _payload(
        self, rule: AutomationRule, item: dict[str, Any], folder: str | None
    ) -> dict[str, Any]:
        when = time.strftime("%Y-%m-%d-%H%M%S", time.gmtime())
        payload = {
            "rule": rule.id,
            "rule_name": rule.name,
            "items": [item],
            "output_type": rule.output,
            "output": rule.output_path(item["name"], when, folder),
            "options": rule.options,
            "original": rule.original,
            "target_folder": rule.target_folder if folder is None else folder,
        }
        if item["source"] == "provider":  # where the job opens its folder
            payload.update({k: item[k] for k in ("connection", "share", "place")})
        return payload

    def cancel_job(self, user_id: int, job_id: int) -> Job | None:
        """A waiting job is cancelled; a running one is stopped now, wherever it runs (its
        worker would otherwise read the flag at its next lease renewal)."""
        job = self.queue.cancel(user_id, job_id)
        if job is None or job.status != RUNNING or not job.cancel_requested:
            return job
        if self.worker is None or not self.worker.stop_here(job.id):
            self.stop_elsewhere(job.id)
        return job

    async def job_finished(self, job: Job, status: str) -> None:
        payload = {"job": job.id, "rule": job.payload.get("rule"), "status": status}
        await self.notifier.emit(job.user_id, "automation.job.finished", payload, int(time.time()))

    async def job_changed(self, job: Job, what: str) -> None:
        """``automation.job.started``, ``.progress`` or ``.retrying``: an open view shows a job
        running (with its share done) or waiting for another try without being asked."""
        payload = {"job": job.id, "rule": job.payload.get("rule"), "status": job.status,
                   "progress": round(job.progress, 2), "attempts": job.attempts}  # fmt: skip
        await self.notifier.emit(job.user_id, f"automation.job.{what}", payload, int(time.time()))

    # -- running a job -----------------------------------------------------------------

    async def run_job(self, job: Job, control: JobControl) -> dict[str, Any]:
        work = self.work_root / f"job-{job.id}"
        shutil.rmtree(work, ignore_errors=True)  # what an interrupted attempt left
        work.mkdir(parents=True)
        try:
            return await self._run_in(work, job, control)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    async def _run_in(self, work: Path, job: Job, control: JobControl) -> dict[str, Any]:
        if job.payload.get("connection") is None:
            return await self._convert(work, job, control, None)
        async with self.provider_jobs.opened(job.user_id, job.payload) as side:
            return await self._convert(work, job, control, side)

    async def _convert(
        self, work: Path, job: Job, control: JobControl, side: ProviderSide | None
    ) -> dict[str, Any]:
        """Fetch the inputs, run the action, store the result: in the server storage, or in
        the provider folder ``side`` when the job came from one."""
        payload = job.payload
        items = payload["items"]
        inputs = []
        for n, item in enumerate(items):
            into = work / f"input-{n:05d}.{suffix_of(item['name'])}"
            if side is None:
                inputs.append(await self._fetch(job, item, into))
            else:
                inputs.append(await side.fetch(item, into, self._moved_path(payload, item)))
        output_type = payload["output_type"]
        target = "result/" if output_type == "/" else f"result.{output_type}"
        options = await self._local_options(job, payload["options"], work)
        plan = plan_conversion([str(p) for p in inputs], target, ActionOptions(**options))
        local = work / target.rstrip("/")
        run = ActionRun(plan, inputs, local, replace=True)
        result = await asyncio.to_thread(
            run_action, run, cancelled=control.cancelled, on_progress=control.report
        )
        output = payload["output"].rstrip("/")
        if side is None:
            stored = await self._store(job.user_id, local, output)
            if payload["original"] == MOVE:
                await self._move_originals(job, items)
        else:
            stored = await side.store(local, output)
            if payload["original"] == MOVE:
                for item in items:
                    await side.move_original(item, self._moved_path(payload, item))
        return {"action": plan.action.value, "outputs": stored, "seconds": round(result.seconds, 2),
                "details": result.details}  # fmt: skip

    async def _local_options(self, job: Job, options: dict[str, Any], work: Path) -> dict[str, Any]:
        """The rule's options with its watermark image (a file of the user's) copied here."""
        logo = options.get("watermark_image")
        if not logo:
            return options
        entry = self._stored_or_none(job.user_id, logo)
        if entry is None:
            raise NotFoundError(
                f"The watermark image {logo!r} is no longer in your files; nothing was made.",
                hint="Put it back, or change the rule's watermark image.",
            )
        local = work / f"watermark.{suffix_of(logo)}"
        with local.open("wb") as out:
            async for piece in self.files.read(entry, 0, entry.size):
                out.write(piece)
        return {**options, "watermark_image": str(local)}

    async def _fetch(self, job: Job, item: dict[str, Any], into: Path) -> Path:
        with into.open("wb") as out:
            async for piece in self._source_bytes(job, item):
                out.write(piece)
        return into

    async def _source_bytes(self, job: Job, item: dict[str, Any]) -> AsyncIterator[bytes]:
        if item["source"] == REQUEST:
            file = await self.links.store.file(item["link"], item["file"])
            if file is not None:
                async for piece in self.links.file_bytes(file):
                    yield piece
                return
        else:
            stored = self._stored_or_none(job.user_id, item["path"])
            if stored is not None:
                async for piece in self.files.read(stored, 0, stored.size):
                    yield piece
                return
        # Moved beside the result by an earlier attempt of this very job.
        moved = self._moved_path(job.payload, item)
        entry = self._stored_or_none(job.user_id, moved)
        if entry is None:
            raise NotFoundError(f"{item['name']!r} is no longer there; nothing was made from it.")
        async for piece in self.files.read(entry, 0, entry.size):
            yield piece

    def _stored_or_none(self, user_id: int, path: str) -> StoredEntry | None:
        try:
            return self.files.file(user_id, path)
        except SyncoxideError:  # not there, or a folder
            return None

    async def _store(self, user_id: int, local: Path, path: str) -> list[str]:
        if local.is_dir():
            stored = []
            for child in sorted(p for p in local.rglob("*") if p.is_file()):
                relative = child.relative_to(local).as_posix()
                stored += await self._store(user_id, child, f"{path}/{relative}")
            return stored
        digest = await asyncio.to_thread(_sha256, local)
        existing = self._stored_or_none(user_id, path)
        if existing is not None and existing.sha256 == digest:
            return [path]  # an earlier attempt stored it before its server stopped
        self._writing.add((user_id, path))
        try:
            await self.files.put(
                user_id, path, _read_pieces(local), mtime_ns=time.time_ns(), expected_sha1=None
            )
        finally:
            self._writing.discard((user_id, path))
        return [path]

    async def _move_originals(self, job: Job, items: list[dict[str, Any]]) -> None:
        for item in items:
            moved = self._moved_path(job.payload, item)
            if item["source"] == FOLDER:
                if self._stored_or_none(job.user_id, item["path"]) is not None:
                    self._writing.add((job.user_id, moved))
                    try:
                        self.files.move(job.user_id, item["path"], moved)
                    finally:
                        self._writing.discard((job.user_id, moved))
                continue
            file = await self.links.store.file(item["link"], item["file"])
            if file is None:
                continue
            if self._stored_or_none(job.user_id, moved) is None:
                self._writing.add((job.user_id, moved))
                try:
                    body = self.links.file_bytes(file)
                    await self.files.put(
                        job.user_id, moved, body, mtime_ns=time.time_ns(), expected_sha1=None
                    )
                finally:
                    self._writing.discard((job.user_id, moved))
            await self.links.store.remove_file(item["link"], item["file"])
            await self.links.blobs.delete(file.blob_key)

    @staticmethod
    def _moved_path(payload: dict[str, Any], item: dict[str, Any]) -> str:
        base = item["name"].rsplit("/", 1)[-1]
        folder = payload["target_folder"]
        return f"{folder}/{base}" if folder else base


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while piece := source.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


async def _read_pieces(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(PIECE):
            yield piece
