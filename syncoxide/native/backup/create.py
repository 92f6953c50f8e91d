"""``borg create``'s arguments, shared by both ways of running it, and the run without asyncio.

:meth:`.repository.BorgRepository.create` runs them on asyncio (progress events, the server);
:func:`create_blocking` runs the same arguments through :mod:`.blocking` when nobody watches,
so the CLI's second backup pays for no event loop (see docs/backups.md, Benchmarks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syncoxide.backup.locations import ArchiveRef, RepositoryLocation
from syncoxide.backup.names import check_archive_name
from syncoxide.errors import UsageError
from syncoxide.native.backup.blocking import run_borg_blocking
from syncoxide.native.backup.settings import BorgSettings

if TYPE_CHECKING:
    from pathlib import Path

    from syncoxide.backup.listing import BackupStats


@dataclass(frozen=True)
class CreateOptions:
    excludes: Sequence[str] = ()
    compression: str | None = None  # borg's spelling ("lz4", "zstd,3"); None: borg's default
    one_file_system: bool = False


#: Borg's defaults: no excludes, its compression (lz4), crossing file systems.
DEFAULT_OPTIONS = CreateOptions()


def create_arguments(
    location: RepositoryLocation,
    archive: str,
    paths: Sequence[str],
    options: CreateOptions,
    *,
    progress: bool,
) -> list[str]:
    """``borg create``'s arguments after the operation; ``--progress`` only if someone
    listens: without it borg writes no line per file."""
    if not paths:
        raise UsageError("Nothing to back up: give at least one folder or file.")
    args = [*(["--progress"] if progress else []), "--json"]
    for pattern in options.excludes:
        args += ["--exclude", pattern]
    if options.compression:
        args += ["--compression", options.compression]
    if options.one_file_system:
        args.append("--one-file-system")
    return [*args, ArchiveRef(location, check_archive_name(archive)).borg_spec, *paths]


def create_blocking(
    location: RepositoryLocation,
    settings: BorgSettings,
    archive: str,
    paths: Sequence[str],
    *,
    options: CreateOptions = DEFAULT_OPTIONS,
    cwd: Path | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> BackupStats:
    """A new archive with no progress shown, without asyncio; the same errors as
    :meth:`.repository.BorgRepository.create`. What reads borg's answer is imported while
    borg runs, then ``meanwhile`` is called (the caller's own imports for afterwards)."""
    args = create_arguments(location, archive, paths, options, progress=False)

    def prepare() -> None:
        import syncoxide.backup.listing  # noqa: F401 (loaded beside borg, used once it ends)

        if meanwhile is not None:
            meanwhile()

    output = run_borg_blocking(settings, "create", args, cwd=cwd, meanwhile=prepare)
    from syncoxide.backup.listing import parse_create_stats

    return parse_create_stats(output)
