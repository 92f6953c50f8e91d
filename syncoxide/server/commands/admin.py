"""``syncoxide admin migrate``: move an embedded server's data onto PostgreSQL and S3
(server/migrate/). Stop the server first; the command refuses while it runs."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any


def register(commands: Any) -> None:
    admin = commands.add_parser(
        "admin", help="operator tasks: move a server onto PostgreSQL and S3"
    )
    actions = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    move = actions.add_parser(
        "migrate",
        help="copy an embedded server's data (SQLite + local blobs) onto PostgreSQL and S3, "
        "verified and resumable (S3 keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
        description="Copy every table and blob of a stopped embedded server onto PostgreSQL "
        "and an S3-compatible store, verifying row counts, table checksums and blob hashes. "
        "The data directory is only read. A killed run resumes where it stopped when run "
        "again. S3 keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. "
        "Step by step: docs/scaling.md.",
    )
    move.add_argument(
        "--to",
        required=True,
        metavar="POSTGRESQL_URL",
        help="the target database, postgresql://user:pw@host:5432/db",
    )
    move.add_argument(
        "--blobs",
        required=True,
        metavar="S3_URL",
        help="the target blob store, s3://bucket/prefix?endpoint=URL&region=R",
    )
    move.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the server's data directory (default: your user data directory)",
    )
    move.add_argument(
        "--dry-run", action="store_true", help="report what would be copied; write nothing"
    )
    move.add_argument(
        "--replace-target",
        action="store_true",
        help="empty a target that holds other data first (that data is lost)",
    )
    move.add_argument(
        "--verify",
        action="store_true",
        help="also read every blob copied earlier back from S3 and compare",
    )
    move.add_argument(
        "--batch-size",
        type=int,
        default=1000,
        help="rows per committed batch (default %(default)s)",
    )
    move.set_defaults(run=_migrate)


def _migrate(args: argparse.Namespace) -> int:
    from syncoxide.errors import UsageError
    from syncoxide.server.config import ServerConfig
    from syncoxide.server.migrate.run import MigrateOptions, migrate

    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1.")
    options = MigrateOptions(
        data_dir=ServerConfig.embedded_defaults(args.data_dir).data_dir,
        to=args.to,
        blobs=args.blobs,
        dry_run=args.dry_run,
        replace_target=args.replace_target,
        verify=args.verify,
        batch_size=args.batch_size,
    )
    return asyncio.run(migrate(options, lambda line: print(line, flush=True)))
