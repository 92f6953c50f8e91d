"""``syncoxide backup init|create|list|restore|prune|check|schedule|mount|umount|break-lock``.

Each verb is one or two borg runs through ``syncoxide.native.backup``; repositories are local
paths or ``ssh://`` addresses, spelled as borg spells them, so plain borg (or Vorta) opens the
same repository with the same passphrase.

The asyncio side (the repository, mounts, the event loop) is imported by the verbs that use
it, not here: ``create`` with no progress line to draw (a timer, a script) runs borg through
:func:`syncoxide.native.backup.create.create_blocking` and never loads asyncio, about a third
of a second backup's fixed cost beyond borg (docs/backups.md, Benchmarks). Nor does it load,
before borg starts, what only its end needs (reading borg's answer, printing it) or what only
another verb needs (retention rules, the progress line, pathlib): those imports are made inside
the functions, while borg runs or not at all, and tests/cli/test_cli_startup_imports.py counts
what is left.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from syncoxide.backup.locations import RepositoryLocation, parse_location
from syncoxide.backup.names import archive_name, check_prefix, default_prefix
from syncoxide.backup.periods import PERIODS
from syncoxide.cli.backup.secrets import read_passphrase
from syncoxide.errors import UsageError
from syncoxide.native.backup.create import CreateOptions, create_blocking
from syncoxide.native.backup.settings import DEFAULT_ENCRYPTION, ENCRYPTIONS, BorgSettings

if TYPE_CHECKING:
    from pathlib import Path

    from syncoxide.backup.listing import BackupStats
    from syncoxide.backup.retention import RetentionPolicy
    from syncoxide.cli.backup.progress import ProgressLine
    from syncoxide.native.backup.repository import BorgRepository

T = TypeVar("T")


def _path(text: str) -> Path:
    """argparse's ``type`` for paths: pathlib is loaded only when such an option is given."""
    from pathlib import Path

    return Path(text)


def _progress_line() -> ProgressLine:
    from syncoxide.cli.backup.progress import ProgressLine

    return ProgressLine()


def register(commands: Any) -> None:
    backup = commands.add_parser("backup", help="encrypted, deduplicated backups with borg")
    verbs = backup.add_subparsers(dest="backup_command", metavar="ACTION", action=_Verbs)
    verbs.required = True
    for name, (summary, _) in VERBS.items():
        # Without its own -h a placeholder costs a tenth as much; _Verbs adds it with the rest.
        verbs.add_parser(name, help=summary, add_help=False)


class _Verbs(argparse._SubParsersAction):  # type: ignore[type-arg]  # noqa: SLF001 (its hook)
    """The verbs' subparsers, each verb's arguments added only when that verb is run (or its
    help shown): ``backup --help`` lists the verbs from their summaries alone, and a run does
    not build the other nine parsers (~4 ms of every ``backup create``, 2026-12-07)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        chosen = self._name_parser_map.get(values[0]) if values else None
        if chosen is not None and not chosen.add_help:
            chosen.add_help = True
            chosen.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS,
                help="show this help message and exit",
            )  # fmt: skip
            VERBS[values[0]][1](chosen)
        super().__call__(parser, namespace, values, option_string)


def _repo_arguments(parser: argparse.ArgumentParser, what: str = "repository") -> None:
    parser.add_argument("repository", metavar="REPO", help=f"the {what} (PATH, ssh://... )")
    parser.add_argument(
        "--passphrase-file", type=_path, help="first line is the passphrase (else BORG_PASSPHRASE)"
    )


def _keep_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep-within", default="", metavar="DURATION", help="e.g. 2d, 4w")
    for rule in PERIODS:
        parser.add_argument(f"--keep-{rule}", type=int, default=0, metavar="N")


def _init(init: argparse.ArgumentParser) -> None:
    _repo_arguments(init)
    init.add_argument("--encryption", default=DEFAULT_ENCRYPTION, choices=ENCRYPTIONS)
    init.add_argument("--append-only", action="store_true", help="clients can add, not delete")
    init.add_argument("--storage-quota", metavar="SIZE", help="e.g. 50G")
    init.set_defaults(run=_run_init)


def _create(create: argparse.ArgumentParser) -> None:
    _repo_arguments(create)
    create.add_argument("paths", nargs="+", metavar="PATH")
    create.add_argument("--prefix", help="archive names start PREFIX- (default: first folder)")
    create.add_argument("--exclude", action="append", default=[], metavar="PATTERN")
    create.add_argument("--compression", help="borg's spelling: lz4 (default), zstd,3, ...")
    create.add_argument("--one-file-system", action="store_true")
    create.add_argument("--json", action="store_true", help="print the result as JSON")
    _keep_arguments(create)
    create.set_defaults(run=_run_create)


def _list(listing: argparse.ArgumentParser) -> None:
    _repo_arguments(listing, "repository, or REPO::ARCHIVE for its contents")
    listing.add_argument("paths", nargs="*", metavar="PATH", help="only these paths")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_run_list)


def _restore(restore: argparse.ArgumentParser) -> None:
    _repo_arguments(restore, "archive, as REPO::ARCHIVE")
    restore.add_argument("paths", nargs="*", metavar="PATH", help="only these paths")
    restore.add_argument("--to", type=_path, required=True, metavar="DEST")
    restore.add_argument("--overwrite", action="store_true", help="allow a non-empty DEST")
    restore.add_argument("--strip-components", type=int, default=0, metavar="N")
    restore.set_defaults(run=_run_restore)


def _prune(prune: argparse.ArgumentParser) -> None:
    _repo_arguments(prune)
    prune.add_argument("--prefix", help="only archives named PREFIX-...")
    prune.add_argument("--dry-run", action="store_true")
    _keep_arguments(prune)
    prune.set_defaults(run=_run_prune)


def _check(check: argparse.ArgumentParser) -> None:
    _repo_arguments(check)
    check.add_argument("--verify-data", action="store_true", help="also decrypt every chunk")
    check.set_defaults(run=_run_check)


def _schedule(schedule: argparse.ArgumentParser) -> None:
    _repo_arguments(schedule)
    schedule.add_argument("paths", nargs="+", metavar="PATH")
    schedule.add_argument("--every", required=True, help="daily, daily at 02:30, every 6h, ...")
    schedule.add_argument("--prefix")
    schedule.add_argument("--exclude", action="append", default=[], metavar="PATTERN")
    schedule.add_argument("--cron", action="store_true", help="print a crontab line instead")
    schedule.add_argument(
        "--unit-dir",
        type=_path,
        # A string, made a Path by _path: pathlib is not loaded to build this parser.
        default=os.path.join(os.path.expanduser("~"), ".config", "systemd", "user"),  # noqa: PTH111, PTH118
        help=argparse.SUPPRESS,
    )
    _keep_arguments(schedule)
    schedule.set_defaults(run=_run_schedule)


def _mount(mounting: argparse.ArgumentParser) -> None:
    _repo_arguments(mounting, "repository or REPO::ARCHIVE")
    mounting.add_argument("mountpoint", type=_path)
    mounting.set_defaults(run=_run_mount)


def _umount(unmounting: argparse.ArgumentParser) -> None:
    unmounting.add_argument("mountpoint", type=_path)
    unmounting.set_defaults(run=_run_umount)


def _break_lock(breaking: argparse.ArgumentParser) -> None:
    _repo_arguments(breaking)
    breaking.set_defaults(run=_run_break_lock)


#: verb -> (summary for ``backup --help``, what adds its arguments to its parser)
VERBS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "init": ("make a new encrypted repository", _init),
    "create": ("back up folders into a new archive", _create),
    "list": ("list archives, or the contents of one", _list),
    "restore": ("extract an archive (or some paths) to a folder", _restore),
    "prune": ("delete archives the retention rules do not keep", _prune),
    "check": ("check the repository's and archives' consistency", _check),
    "schedule": ("run a backup on a schedule (systemd or cron)", _schedule),
    "mount": ("mount the repository or an archive (FUSE)", _mount),
    "umount": ("unmount what `backup mount` mounted", _umount),
    "break-lock": ("remove a lock no running borg holds", _break_lock),
}


def _policy(args: argparse.Namespace) -> RetentionPolicy:
    from syncoxide.backup.retention import RetentionPolicy

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
    # As RetentionPolicy.empty, without loading the retention rules when nothing is pruned;
    # a policy is still checked before the backup starts.
    keeps = bool(args.keep_within) or any(getattr(args, f"keep_{rule}") for rule in PERIODS)
    policy = _policy(args) if keeps else None
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"Nothing at {', '.join(missing)}.", hint="Nothing was backed up.")
    settings = _settings(args)
    options = CreateOptions(args.exclude, args.compression, args.one_file_system)
    if not sys.stderr.isatty():  # nobody sees progress (as ProgressLine): borg without asyncio
        stats = create_blocking(
            ref.repository, settings, name, args.paths, options=options, meanwhile=_printing
        )
    else:
        line = _progress_line()
        work = _open(ref.repository, settings).create(name, args.paths, options, on_event=line)
        stats = _with_progress(work, line)
    left = None if policy is None else run(_open(ref.repository, settings).prune(policy, prefix))
    if args.json:
        import json

        print(json.dumps({**stats.__dict__, "archives_left": left}))
    else:
        _print_stats(stats)
        if left is not None:
            print(f"Pruned: {len(left)} archives left in the repository.")
    return 0


def _printing() -> None:
    """What printing a backup's figures imports, loaded while borg makes it."""
    import json  # noqa: F401

    import syncoxide.units  # noqa: F401


def _print_stats(stats: BackupStats) -> None:
    from syncoxide.units import format_bytes

    print(
        f"Archive {stats.archive}: {stats.files:,} files, {format_bytes(stats.original_size)}, "
        f"{format_bytes(stats.added)} new after compression and deduplication "
        f"({stats.duration:.1f} s)."
    )


def _run_list(args: argparse.Namespace) -> int:
    ref = parse_location(args.repository)
    repository = _repository(args)
    import json

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
    import json

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
    line = _progress_line()
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
        from datetime import datetime

        from syncoxide.backup.retention import plan_prune

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
    line = _progress_line()
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
    paths = [str(_path(p).resolve()) for p in args.paths]
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
