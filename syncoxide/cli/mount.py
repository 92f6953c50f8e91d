"""``syncoxide mount LOCATION MOUNTPOINT``: a remote (or a local folder) as a FUSE file system.

Runs in the foreground until unmounted: Ctrl-C or ``fusermount3 -u MOUNTPOINT`` from another
shell. Files written through the mount are uploaded when they are closed.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from syncoxide.errors import ConfigError, UsageError

FUSE_DEVICE = Path("/dev/fuse")
MIB = 1 << 20
#: How often to ask a change feed that answers at once (Drive, Dropbox); our server's holds the
#: call until something changes, so its changes show as they commit.
FEED_SECONDS = 5.0


def register(commands: Any) -> None:
    mount = commands.add_parser(
        "mount",
        help="mount a remote (NAME:path) or folder as a local file system",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mount.add_argument("location", help="NAME:path on a remote, or a local folder")
    mount.add_argument("mountpoint", type=Path, help="an existing empty folder")
    mount.add_argument("--read-only", action="store_true", help="refuse every change")
    mount.add_argument(
        "--cache-size", type=int, default=256, metavar="MIB", help="block cache limit (256)"
    )
    mount.add_argument(
        "--dir-cache-time", type=float, default=60, metavar="SECONDS",
        help="how long a listing is trusted where nothing reports changes (60); local folders,"
        " the server's storage, Drive and Dropbox report theirs, so listings follow at once",
    )  # fmt: skip
    mount.add_argument(
        "--read-ahead", type=int, default=4, metavar="BLOCKS",
        help="4 MiB blocks fetched ahead of a sequential reader (4)",
    )  # fmt: skip
    mount.set_defaults(run=run)


def fuse_problem() -> str | None:
    """Why FUSE cannot be used here, or None."""
    if not FUSE_DEVICE.exists():
        return "/dev/fuse is missing: this system (or container) offers no FUSE"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is missing: install FUSE 3 (apt-get install fuse3)"
    return None


def _check_mountpoint(mountpoint: Path) -> None:
    if not mountpoint.is_dir():
        raise UsageError(f"{mountpoint} is not a folder.", hint="Create an empty folder first.")
    if any(mountpoint.iterdir()):
        raise UsageError(
            f"{mountpoint} is not empty.", hint="Mount on an empty folder, so nothing is hidden."
        )


# libfuse 3.14 (Debian 12) ends its loop on Ctrl-C, SIGTERM or SIGHUP with the signal's number
# as the session's error, which fuse_main reports as 8 ("the loop failed") and mfusepy raises as
# RuntimeError(8); libfuse 2 and an unmount with fusermount3 -u return 0. By then libfuse has
# unmounted, so the stop is as clean as any other.
STOPPED_BY_SIGNAL = 8


def run(args: argparse.Namespace) -> int:
    problem = fuse_problem()
    if problem is not None:
        raise ConfigError(f"Cannot mount: {problem}.")
    if args.cache_size < 1 or args.read_ahead < 0 or args.dir_cache_time < 0:
        raise UsageError("--cache-size must be at least 1; --read-ahead and --dir-cache-time 0+.")
    _check_mountpoint(args.mountpoint)
    try:
        import mfusepy
    except OSError as error:  # libfuse itself could not be loaded
        raise ConfigError(f"Cannot mount: {error}.", hint="apt-get install fuse3") from None

    from syncoxide.cli.locations import open_location
    from syncoxide.native.mount.blocks import ReadTuning
    from syncoxide.native.mount.filesystem import RemoteFileSystem
    from syncoxide.native.mount.follow import ListingFollower
    from syncoxide.native.mount.fuse_ops import LoopThread, MountOperations
    from syncoxide.native.watch.provider_changes import own_change_source

    logging.basicConfig(level=logging.WARNING, format="syncoxide mount: %(message)s")
    provider = open_location(args.location)
    spill = Path(tempfile.mkdtemp(prefix="syncoxide-mount-"))
    loop = LoopThread()
    filesystem = RemoteFileSystem(
        provider,
        spill_folder=spill,
        read_only=args.read_only,
        listing_ttl=args.dir_cache_time,
        tuning=ReadTuning(read_ahead=args.read_ahead, cache_bytes=args.cache_size * MIB),
    )
    follower = ListingFollower(own_change_source(provider, feed_seconds=FEED_SECONDS), filesystem)
    try:
        follower.start(loop)
        print(f"Mounted {args.location} on {args.mountpoint}; Ctrl-C or fusermount3 -u to unmount.")
        try:
            mfusepy.FUSE(
                MountOperations(filesystem, loop),
                str(args.mountpoint),
                foreground=True,
                nothreads=False,
                ro=args.read_only,
                fsname=f"syncoxide:{args.location}"[:200],
                subtype="syncoxide",
            )
        except RuntimeError as error:
            if error.args != (STOPPED_BY_SIGNAL,):
                raise
    finally:
        follower.stop()
        close = getattr(provider, "aclose", None)
        if close is not None:
            loop.run(close())
        loop.stop()
        shutil.rmtree(spill, ignore_errors=True)
    print(f"Unmounted {args.mountpoint}.")
    return 0
