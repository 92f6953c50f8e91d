"""The guards a zip archive passes before a single byte of it is unpacked.

An archive from a stranger can be a bomb (42 kB that inflate to petabytes: a huge total, a wild
compression ratio, or millions of entries), or can aim outside the target folder (``../x``,
``/etc/x``, ``C:\\x``, a symlink). ``check_members`` judges the central directory as a whole
and refuses the whole archive on the first breach, so nothing is half unpacked; the native
unpacker then counts the bytes that really come out, since the declared sizes can lie.
Nested archives are unpacked as plain files, never opened in turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syncoxide.errors import UnsafeArchiveError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveLimits:
    max_total_bytes: int = 4 * 1000**3  # 4 GB unpacked
    max_entries: int = 10_000
    max_ratio: float = 200.0  # unpacked / packed, per entry and for the whole archive
    max_depth: int = 32  # folders deep
    ratio_floor: int = 1 << 20  # entries smaller than this unpacked are not judged by ratio


@dataclass(frozen=True)
class ArchiveMember:
    """One entry as the archive's central directory declares it."""

    name: str
    packed: int
    unpacked: int
    is_dir: bool = False
    is_link: bool = False


def check_members(
    members: list[ArchiveMember], limits: ArchiveLimits, archive_size: int
) -> list[str]:
    """The safe relative path of each member, in order; ``UnsafeArchiveError`` otherwise."""
    if len(members) > limits.max_entries:
        raise _refused(f"it holds {len(members)} entries, more than {limits.max_entries}")
    total = sum(member.unpacked for member in members)
    if total > limits.max_total_bytes:
        raise _refused(f"it unpacks to {total} bytes, more than {limits.max_total_bytes}")
    if total > limits.ratio_floor and total > limits.max_ratio * max(archive_size, 1):
        raise _refused(f"it unpacks to {total / max(archive_size, 1):.0f} times its size")
    return [_safe_member(member, limits) for member in members]


def _safe_member(member: ArchiveMember, limits: ArchiveLimits) -> str:
    if member.is_link:
        raise _refused(f"{member.name!r} is a symbolic link")
    if member.unpacked > limits.ratio_floor and member.unpacked > limits.max_ratio * max(
        member.packed, 1
    ):
        raise _refused(f"{member.name!r} inflates {member.unpacked // max(member.packed, 1)} times")
    return safe_member_name(member.name, limits.max_depth)


def safe_member_name(name: str, max_depth: int) -> str:
    """``name`` as a relative path under the target, or refused: never repaired silently,
    since an archive that names ``..`` or an absolute path is built to escape."""
    if not name or _CONTROL.search(name):
        raise _refused(f"an entry has an empty or control-character name ({name!r})")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise _refused(f"{name!r} is an absolute path")
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _refused(f"{name!r} climbs out of the target folder")
    if not parts:
        raise _refused(f"{name!r} names no file")
    if len(parts) > max_depth:
        raise _refused(f"{name!r} is {len(parts)} folders deep, more than {max_depth}")
    return "/".join(parts)


def _refused(why: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"The archive was refused: {why}.",
        hint="Nothing was unpacked and the archive is unchanged.",
    )
