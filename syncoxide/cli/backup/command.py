"""``syncoxide backup init|create|list|restore|prune|check|schedule|mount|umount|break-lock``.

Each verb is one or two borg runs through ``syncoxide.native.backup``; repositories are local
paths or ``ssh://`` addresses, spelled as borg spells them, so plain borg (or Vorta) opens the
same repository with the same passphrase.

The asyncio side (the repository, mounts, the event loop) is imported by the verbs that use
it, not here: ``create`` with no progress line to draw (a timer, a script) runs borg through
:func:`syncoxide.native.backup.create.create_blocking` and never loads asyncio, about a third
of a second backup's fixed cost beyond borg (docs/backups.md, Benchmarks).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from syncoxide.backup.listing import BackupStats
from syncoxide.backup.locations import RepositoryLocation, parse_location
from syncoxide.backup.names import archive_name, check_prefix, default_prefix
from syncoxide.backup.retention import PERIODS, RetentionPolicy, plan_prune
from syncoxide.cli.backup.progress import ProgressLine
from syncoxide.cli.backup.secrets import read_passphrase
from syncoxide.errors import UsageError
from syncoxide.native.backup.create import CreateOptions, create_blocking
from syncoxide.native.backup.settings import DEFAULT_ENCRYPTION, ENCRYPTIONS, BorgSettings
from syncoxide.units import format_bytes

if TYPE_CHECKING:
    from syncoxide.native.backup.repository import BorgRepository

T = TypeVar("T")


def register(commands: Any) -> None:
    backup = commands.add_parser("backup", help="encrypted, deduplicated backups with borg")
    verbs = backup.add_subparsers(dest="backup_command", metavar="ACTION")
    verbs.required = True
    _init(verbs)
    _create(verbs)
    _list(verbs)
    _restore(verbs)
    _prune(verbs)
    _check(verbs)
    _schedule(verbs)
    _mounting(verbs)


def _repo_arguments(parser: argparse.ArgumentParser, what: str = "repository") -> None:
    parser.add_argument("repository", metavar="REPO", help=f"the {what} (PATH, ssh://... )")
    parser.add_argument(
        "--passphrase-file", type=Path, help="first line is the passphrase (else BORG_PASSPHRASE)"
    )


def _keep_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep-within", default="", metavar="DURATION", help="e.g. 2d, 4w")
    for rule in PERIODS:
        parser.add_argument(f"--keep-{rule}", type=int, default=0, metavar="N")


def _init(verbs: Any) -> None:
    init = verbs.add_parser("init", help="make a new encrypted repository")
    _repo_arguments(init)
    init.add_argument("--encryption", default=DEFAULT_ENCRYPTION, choices=ENCRYPTIONS)
    init.add_argument("--append-only", action="store_true", help="clients can add, not delete")
    init.add_argument("--storage-quota", metavar="SIZE", help="e.g. 50G")
    init.set_defaults(run=_run_init)


def _create(verbs: Any) -> None:
    create = verbs.add_parser("create", help="back up folders into a new archive")
    _repo_arguments(create)
    create.add_argument("paths", nargs="+", metavar="PATH")
    create.add_argument("--prefix", help="archive names start PREFIX- (default: first folder)")
    create.add_argument("--exclude", action="append", default=[], metavar="PATTERN")
    create.add_argument("--compression", help="borg's spelling: lz4 (default), zstd,3, ...")
    create.add_argument("--one-file-system", action="store_true")
    create.add_argument("--json", action="store_true", help="print the result as JSON")
    _keep_arguments(create)
    create.set_defaults(run=_run_create)


def _list(verbs: Any) -> None:
    listing = verbs.add_parser("list", help="list archives, or the contents of one")
    _repo_arguments(listing, "repository, or REPO::ARCHIVE for its contents")
    listing.add_argument("paths", nargs="*", metavar="PATH", help="only these paths")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_run_list)


def _restore(verbs: Any) -> None:
    restore = verbs.add_parser("restore", help="extract an archive (or some paths) to a folder")
    _repo_arguments(restore, "archive, as REPO::ARCHIVE")
    restore.add_argument("paths", nargs="*", metavar="PATH", help="only these paths")
    restore.add_argument("--to", type=Path, required=True, metavar="DEST")
    restore.add_argument("--overwrite", action="store_true", help="allow a non-empty DEST")
    restore.add_argument("--strip-components", type=int, default=0, metavar="N")
    restore.set_defaults(run=_run_restore)


def _prune(verbs: Any) -> None:
    prune = verbs.add_parser("prune", help="delete archives the retention rules do not keep")
    _repo_arguments(prune)
    prune.add_argument("--prefix", help="only archives named PREFIX-...")
    prune.add_argument("--dry-run", action="store_true")
    _keep_arguments(prune)
    prune.set_defaults(run=_run_prune)


def _check(verbs: Any) -> None:
    check = verbs.add_parser("check", help="check the repository's and archives' consistency")
    _repo_arguments(check)
    check.add_argument("--verify-data", action="store_true", help="also decrypt every chunk")
    check.set_defaults(run=_run_check)


def _schedule(verbs: Any) -> None:
    schedule = verbs.add_parser("schedule", help="run a backup on a schedule (systemd or cron)")
    _repo_arguments(schedule)
    schedule.add_argument("paths", nargs="+", metavar="PATH")
    schedule.add_argument("--every", required=True, help="daily, daily at 02:30, every 6h, ...")
    schedule.add_argument("--prefix")
    schedule.add_argument("--exclude", action="append", default=[], metavar="PATTERN")
    schedule.add_argument("--cron", action="store_true", help="print a crontab line instead")
    schedule.add_argument(
        "--unit-dir",
        type=Path,
        default=Path.home() / ".config" / "systemd" / "user",
        help=argparse.SUPPRESS,
    )
    _keep_arguments(schedule)
    schedule.set_defaults(run=_run_schedule)


def _mounting(verbs: Any) -> None:
    mounting = verbs.add_parser("mount", help="mount the repository or an archive (FUSE)")
    _repo_arguments(mounting, "repository or REPO::ARCHIVE")
    mounting.add_argument("mountpoint", type=Path)
    mounting.set_defaults(run=_run_mount)
    unmounting = verbs.add_parser("umount", help="unmount what `backup mount` mounted")
    unmounting.add_argument("mountpoint", type=Path)
    unmounting.set_defaults(run=_run_umount)
    breaking = verbs.add_parser("break-lock", help="remove a lock no running borg holds")
    _repo_arguments(breaking)
    breaking.set_defaults(run=_run_break_lock)


def _policy(args: argparse.Namespace) -> RetentionPolicy:
    counts = {rule: getattr(args, f"keep_{rule}") for rule in PERIODS}
    return RetentionPolicy(within=args.keep_within, **counts)


def _settings(args: argparse.Namespace, *, new: bool = False) -> BorgSettings:
    return BorgSettings(passphrase=read_passphrase(getattr(args, "passphrase_file", None), new=new))


def _repository(args: argparse.Namespace, *, new: bool = False) -> BorgRepository:
    return _open(parse_location(args.repository).repository, _settings(args, new=new))


def _open(location: RepositoryLocation, settings: BorgSettings) -> BorgRepository:
    from syncoxide.native.backup.repository import BorgRepository

    return BorgRepository(location, settings)


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on the CLI's event loop, imported only by the verbs that need one."""
    from syncoxide.native.event_loop import run as run_on_loop

    return run_on_loop(work)


def _with_progress(work: Coroutine[Any, Any, T], line: ProgressLine) -> T:
    try:
        return run(work)
    finally:
        line.finish()


def _run_init(args: argparse.Namespace) -> int:
    repository = _repository(args, new=True)
    run(
        repository.init(
            args.encryption, append_only=args.append_only, storage_quota=args.storage_quota
        )
    )
    print(f"Created the repository {repository.location.text} ({args.encryption}).")
    print("Keep the passphrase safe: without it (and the key), nothing can be restored.")
    print(f"Export the key too: borg key export {repository.location.text} KEYFILE")
    return 0


def _run_create(args: argparse.Namespace) -> int:
    ref = parse_location(args.repository)
    prefix = check_prefix(args.prefix) if args.prefix else default_prefix(args.paths)
    name = ref.archive or archive_name(prefix, time.time())
    policy = _policy(args)
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"Nothing at {', '.join(missing)}.", hint="Nothing was backed up.")
    settings = _settings(args)
    options = CreateOptions(args.exclude, args.compression, args.one_file_system)
    line = ProgressLine()
    if line.sink() is None:  # nobody sees progress: run borg without asyncio
        stats = create_blocking(ref.repository, settings, name, args.paths, options=options)
    else:
        work = _open(ref.repository, settings).create(name, args.paths, options, on_event=line)
        stats = _with_progress(work, line)
    left = None if policy.empty else run(_open(ref.repository, settings).prune(policy, prefix))
    if args.json:
        print(json.dumps({**stats.__dict__, "archives_left": left}))
    else:
        _print_stats(stats)
        if left is not None:
            print(f"Pruned: {len(left)} archives left in the repository.")
    return 0


def _print_stats(stats: BackupStats) -> None:
    print(
        f"Archive {stats.archive}: {stats.files:,} files, {format_bytes(stats.original_size)}, "
        f"{format_bytes(stats.added)} new after compression and deduplication "
        f"({stats.duration:.1f} s)."
    )


def _run_list(args: argparse.Namespace) -> int:
    ref = parse_location(args.repository)
    repository = _repository(args)
    if ref.archive is None:
        summary = run(repository.summary())
        if args.json:
            archives = [
                {"name": a.name, "id": a.id, "time": a.time.isoformat()} for a in summary.archives
            ]
            print(json.dumps({"archives": archives, "encryption": summary.encryption}))
        elif not summary.archives:
            print("No archives yet. Make one with `syncoxide backup create REPO PATH...`.")
        for archive in [] if args.json else summary.archives:
            print(f"{archive.name:<48} {archive.time:%Y-%m-%d %H:%M:%S}")
        return 0
    return run(_print_contents(repository, ref.archive, args.paths, args.json))


async def _print_contents(
    repository: BorgRepository, archive: str, paths: list[str], as_json: bool
) -> int:
    async for entry in repository.contents(archive, paths):
        if as_json:
            print(json.dumps({"path": entry.path, "kind": entry.kind, "size": entry.size,
                              "mtime": entry.mtime.isoformat()}))  # fmt: skip
        else:
            print(f"{entry.mode} {entry.size:>12} {entry.mtime:%Y-%m-%d %H:%M} {entry.path}")
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    ref = parse_location(args.repository, archive_required=True)
    destination: Path = args.to
    if destination.exists() and not destination.is_dir():
        raise UsageError(f"{destination} is a file; restore into a folder.")
    if destination.is_dir() and any(destination.iterdir()) and not args.overwrite:
        raise UsageError(
            f"{destination} is not empty, and a restore would overwrite files of the same name.",
            hint="Restore into an empty or new folder, or add --overwrite. Nothing was changed.",
        )
    repository = _repository(args)
    assert ref.archive is not None
    line = ProgressLine()
    work = repository.extract(
        ref.archive,
        destination,
        args.paths,
        strip_components=args.strip_components,
        on_event=line.sink(),
    )
    _with_progress(work, line)
    print(f"Restored {ref.archive} into {destination}.")
    return 0


def _run_prune(args: argparse.Namespace) -> int:
    repository = _repository(args)
    policy = _policy(args)
    prefix = check_prefix(args.prefix) if args.prefix else None
    policy.borg_args()  # refuses an empty policy before anything runs, dry or not
    if args.dry_run:
        archives = run(repository.summary()).archives
        if prefix is not None:
            archives = [a for a in archives if a.name.startswith(prefix + "-")]
        plan = plan_prune(archives, policy, datetime.now())
        for name, rule in plan.keep.items():
            print(f"keep    {name}  ({rule})")
        for name in plan.delete:
            print(f"delete  {name}")
        return 0
    left = run(repository.prune(policy, prefix))
    print(f"Pruned; {len(left)} archives left. The freed space is returned (compacted).")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    repository = _repository(args)
    line = ProgressLine()
    _with_progress(repository.check(verify_data=args.verify_data, on_event=line.sink()), line)
    print(f"{repository.location.text}: no problems found.")
    return 0


def _run_schedule(args: argparse.Namespace) -> int:
    from syncoxide.backup.schedule import Schedule
    from syncoxide.cli.backup.timer import PlannedBackup, cron_line, systemd_units, write_units

    schedule = Schedule.parse(args.every)
    parse_location(args.repository)
    if args.passphrase_file is None and "BORG_PASSPHRASE" not in os.environ:
        print("Note: no --passphrase-file given; an encrypted repository will need one.",
              file=sys.stderr)  # fmt: skip
    prefix = check_prefix(args.prefix) if args.prefix else default_prefix(args.paths)
    keep = _policy(args).borg_args() if not _policy(args).empty else []
    paths = [str(Path(p).resolve()) for p in args.paths]
    plan = PlannedBackup(prefix, args.repository, paths, args.exclude, keep, args.passphrase_file)
    if args.cron:
        print(cron_line(plan, schedule))
        return 0
    written = write_units(args.unit_dir, systemd_units(plan, schedule))
    for path in written:
        print(f"Wrote {path}")
    timer = written[-1].name
    print(f"Start it with: systemctl --user daemon-reload && systemctl --user enable --now {timer}")
    return 0


def _run_mount(args: argparse.Namespace) -> int:
    from syncoxide.native.backup.mounts import mount

    ref = parse_location(args.repository)
    repository = _repository(args)
    run(mount(repository, args.mountpoint, ref.archive))
    print(f"Mounted at {args.mountpoint}; `syncoxide backup umount {args.mountpoint}` to undo.")
    return 0


def _run_umount(args: argparse.Namespace) -> int:
    from syncoxide.native.backup.mounts import umount

    run(umount(args.mountpoint))
    print(f"Unmounted {args.mountpoint}.")
    return 0


def _run_break_lock(args: argparse.Namespace) -> int:
    repository = _repository(args)
    run(repository.break_lock())
    print(f"Removed the lock of {repository.location.text}.")
    return 0
