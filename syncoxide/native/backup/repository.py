"""A borg repository and what we do with it: init, create, import-tar, list, extract, prune,
compact, check, break-lock. Each method is one borg run through :mod:`.process`.

Archive names come from :mod:`syncoxide.backup.names` (``PREFIX-time``), so ``prune`` can be
limited to one source's archives with ``--glob-archives``. Borg's defaults are kept where they
are sound (lz4 compression, the files cache), which keeps our runs as fast as plain borg's.
Borg is asked for ``--progress`` only when someone listens (``on_event``): without it borg
writes no line per file, which a run with nobody watching (a timer, a script) would pay for
twice, in borg writing them and in us reading them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from syncoxide.backup.listing import (
    ArchiveEntry,
    BackupStats,
    RepositorySummary,
    parse_create_stats,
    parse_entry,
    parse_repository,
)
from syncoxide.backup.locations import ArchiveRef, RepositoryLocation
from syncoxide.backup.names import check_archive_name, prefix_glob
from syncoxide.backup.retention import RetentionPolicy
from syncoxide.errors import UsageError
from syncoxide.native.backup.create import DEFAULT_OPTIONS, CreateOptions, create_arguments
from syncoxide.native.backup.process import (
    BorgSettings,
    EventSink,
    feed_borg,
    run_borg,
    start_borg,
    stream_borg,
)
from syncoxide.native.backup.settings import DEFAULT_ENCRYPTION, ENCRYPTIONS

__all__ = ["DEFAULT_ENCRYPTION", "ENCRYPTIONS", "BorgRepository", "CreateOptions"]


class BorgRepository:
    def __init__(self, location: RepositoryLocation | str, settings: BorgSettings) -> None:
        self.location = (
            location if isinstance(location, RepositoryLocation) else RepositoryLocation(location)
        )
        self.settings = settings

    def spec(self, archive: str | None = None) -> str:
        return ArchiveRef(self.location, archive).borg_spec

    async def init(
        self,
        encryption: str = DEFAULT_ENCRYPTION,
        *,
        append_only: bool = False,
        storage_quota: str | None = None,
    ) -> None:
        if encryption not in ENCRYPTIONS:
            raise UsageError(
                f"'{encryption}' is not an encryption borg offers here.",
                hint=f"Choose one of: {', '.join(ENCRYPTIONS)}.",
            )
        if self.settings.passphrase in (None, ""):
            raise UsageError(
                "A new repository needs a passphrase.",
                hint="Give --passphrase-file, set BORG_PASSPHRASE, or type it when asked.",
            )
        args = ["--encryption", encryption]
        if append_only:
            args.append("--append-only")
        if storage_quota:
            args += ["--storage-quota", storage_quota]
        await run_borg(self.settings, "init", [*args, self.spec()])

    async def create(
        self,
        archive: str,
        paths: Sequence[str],
        options: CreateOptions = DEFAULT_OPTIONS,
        *,
        on_event: EventSink | None = None,
        cwd: Path | None = None,
    ) -> BackupStats:
        args = create_arguments(
            self.location, archive, paths, options, progress=on_event is not None
        )
        answer = await run_borg(self.settings, "create", args, on_event=on_event, cwd=cwd)
        return parse_create_stats(answer)

    async def import_tar(
        self, archive: str, tar_chunks: AsyncIterator[bytes], *, on_event: EventSink | None = None
    ) -> BackupStats:
        """An archive from a tar stream (``borg import-tar REPO::NAME -``), never on disk."""
        spec = self.spec(check_archive_name(archive))
        answer = await feed_borg(
            self.settings,
            "import-tar",
            [*_progress(on_event), "--json", spec, "-"],
            tar_chunks,
            on_event=on_event,
        )
        return parse_create_stats(answer)

    async def summary(self) -> RepositorySummary:
        return parse_repository(await run_borg(self.settings, "list", ["--json", self.spec()]))

    async def contents(
        self, archive: str, paths: Sequence[str] = ()
    ) -> AsyncIterator[ArchiveEntry]:
        run = await start_borg(self.settings, "list", ["--json-lines", self.spec(archive), *paths])
        try:
            while line := await run.stdout.readline():
                if line.strip():
                    yield parse_entry(line)
            await run.finish()
        finally:
            await run.stop()

    async def extract(
        self,
        archive: str,
        destination: Path,
        paths: Sequence[str] = (),
        *,
        strip_components: int = 0,
        on_event: EventSink | None = None,
    ) -> None:
        """Extract into ``destination`` (made if missing), as plain ``borg extract`` would."""
        destination.mkdir(parents=True, exist_ok=True)
        args = _progress(on_event)
        if strip_components:
            args += ["--strip-components", str(strip_components)]
        await run_borg(
            self.settings,
            "extract",
            [*args, self.spec(archive), *paths],
            on_event=on_event,
            cwd=destination,
        )

    def file_bytes(self, archive: str, path: str) -> AsyncIterator[bytes]:
        """One file's bytes, streamed (``borg extract --stdout``)."""
        return stream_borg(self.settings, "extract", ["--stdout", self.spec(archive), path])

    def tar_bytes(
        self, archive: str, paths: Sequence[str] = (), *, on_event: EventSink | None = None
    ) -> AsyncIterator[bytes]:
        """A tar stream of the archive or of ``paths`` in it (``borg export-tar ... -``);
        with ``on_event``, borg's ``--progress`` (``progress_percent``, msgid ``extract``:
        bytes read out of the archive of the total it measured first) goes there."""
        args = [*_progress(on_event), self.spec(archive), "-", *paths]
        return stream_borg(self.settings, "export-tar", args, on_event=on_event)

    async def prune(
        self, policy: RetentionPolicy, prefix: str | None = None, *, dry_run: bool = False
    ) -> list[str]:
        """Prune by ``policy`` (only ``PREFIX-*`` archives if given), then compact so the
        space is freed; the names of the archives left."""
        args = policy.borg_args()
        if prefix:
            args += ["--glob-archives", prefix_glob(prefix)]
        if dry_run:
            args.append("--dry-run")
        await run_borg(self.settings, "prune", [*args, self.spec()])
        if not dry_run:
            await self.compact()
        return [a.name for a in (await self.summary()).archives]

    async def compact(self) -> None:
        await run_borg(self.settings, "compact", [self.spec()])

    async def check(self, *, verify_data: bool = False, on_event: EventSink | None = None) -> None:
        args = [*_progress(on_event), *(["--verify-data"] if verify_data else [])]
        await run_borg(self.settings, "check", [*args, self.spec()], on_event=on_event)

    async def break_lock(self) -> None:
        await run_borg(self.settings, "break-lock", [self.spec()])

    async def delete_archive(self, archive: str) -> None:
        await run_borg(self.settings, "delete", [self.spec(check_archive_name(archive))])


def _progress(on_event: EventSink | None) -> list[str]:
    return ["--progress"] if on_event is not None else []
