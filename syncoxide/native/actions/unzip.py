"""Unpack a zip archive into a folder, behind the guards of ``syncoxide.automation.archive_guard``.

The central directory is judged first (sizes, ratio, count, depth, names); then each entry is
copied in 1 MiB pieces while the bytes really produced are counted, since a crafted archive can
declare small sizes and inflate to far more: past its declared size an entry is refused.
Everything lands in a scratch folder; the caller moves it into place only when all is well.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from syncoxide.automation.archive_guard import ArchiveLimits, ArchiveMember, check_members
from syncoxide.errors import ActionError, UnsafeArchiveError, UnsupportedInputError

PIECE = 1 << 20


def unpack_zip(source: Path, target: Path, limits: ArchiveLimits) -> dict[str, int]:
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            names = check_members([_member(info) for info in infos], limits, source.stat().st_size)
            if len(set(names)) != len(names):
                raise UnsafeArchiveError(
                    "The archive was refused: it names the same file twice.",
                    hint="Nothing was unpacked and the archive is unchanged.",
                )
            written = sum(
                _extract(archive, info, target / name)
                for info, name in zip(infos, names, strict=True)
            )
    except zipfile.BadZipFile as error:
        raise UnsupportedInputError(
            f"{source.name!r} is not a readable zip archive: {error}.",
            hint="The file may be damaged; it was left as it is.",
        ) from None
    except (RuntimeError, NotImplementedError) as error:  # encrypted or an unknown method
        raise ActionError(f"{source.name!r} cannot be unpacked here: {error}.") from None
    return {"entries": len(infos), "bytes": written}


def _member(info: zipfile.ZipInfo) -> ArchiveMember:
    mode = info.external_attr >> 16
    return ArchiveMember(
        name=info.filename,
        packed=info.compress_size,
        unpacked=info.file_size,
        is_dir=info.is_dir(),
        is_link=stat.S_ISLNK(mode),
    )


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> int:
    if info.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as source, path.open("xb") as out:
        while piece := source.read(PIECE):
            written += len(piece)
            if written > info.file_size:
                raise UnsafeArchiveError(
                    f"The archive was refused: {info.filename!r} inflates past its declared"
                    f" {info.file_size} bytes.",
                    hint="Nothing was kept from it; the archive is unchanged.",
                )
            out.write(piece)
    return written
