"""Archives as folders through borg's FUSE mount (``borg mount``), where FUSE is available.

``borg mount`` daemonises once the mount is up (it returns when the folder can be read), so a
mount outlives the command that made it; ``umount`` undoes it with ``fusermount3 -u`` (or
``fusermount -u``, or ``borg umount``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from syncoxide.errors import BackupError, ConfigError, UsageError
from syncoxide.native.backup.process import BorgSettings, run_borg
from syncoxide.native.backup.repository import BorgRepository

#: What borg says when neither of its FUSE bindings imports.
NO_FUSE_BINDING = "no FUSE support"


def fuse_available() -> bool:
    return Path("/dev/fuse").exists() and any(
        shutil.which(tool) for tool in ("fusermount3", "fusermount")
    )


async def mount(repository: BorgRepository, mountpoint: Path, archive: str | None = None) -> None:
    if not fuse_available():
        raise ConfigError(
            "FUSE is not available on this machine, so archives cannot be mounted.",
            hint="Install fuse3, or use `syncoxide backup restore` to extract instead.",
        )
    mountpoint.mkdir(parents=True, exist_ok=True)
    if any(mountpoint.iterdir()):
        raise UsageError(f"{mountpoint} is not empty; mount into an empty folder.")
    spec = repository.spec(archive)
    try:
        await run_borg(repository.settings, "mount", [spec, str(mountpoint)])
    except BackupError as error:
        # borg runs FUSE through a Python binding that Debian's borgbackup only recommends.
        if NO_FUSE_BINDING not in str(error):
            raise
        raise ConfigError(
            "borg cannot mount on this machine: it has no FUSE binding (pyfuse3 or llfuse).",
            hint="apt-get install python3-pyfuse3 (or pip install 'borgbackup[pyfuse3]' where "
            "borg came from pip), or use `syncoxide backup restore` to extract instead.",
        ) from None


async def umount(mountpoint: Path, settings: BorgSettings | None = None) -> None:
    if not os.path.ismount(mountpoint):
        raise UsageError(f"Nothing is mounted at {mountpoint}.")
    await run_borg(settings or BorgSettings(), "umount", [str(mountpoint)])
