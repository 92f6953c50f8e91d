"""A zip written as its members arrive, when their CRC-32s are not known in advance.

:mod:`.zip_layout` lays out a zip from metadata alone (sizes and CRCs known: link files);
bytes restored from a borg archive come out of ``borg export-tar`` with no CRC, so here each
member is followed by a data descriptor (general purpose flag bit 3) carrying its CRC-32 and
sizes, as ``zip -`` writes to a pipe. The standard library's ``zipfile`` writes that form when
its file cannot seek; :class:`ZipStream` gives it such a file and hands back, after each call,
the bytes it wrote. Members are STORED (no compression: what people back up is mostly already
compressed, and it keeps the CPU free) and always ZIP64, so a member over 4 GiB needs no
size known up front.

Per member::

    local header  50 4B 03 04 | ... flags 0x0808 (descriptor, UTF-8) | crc 0 | sizes 0xFFFFFFFF
                  | name | ZIP64 extra
    data          the member's bytes
    descriptor    50 4B 07 08 | crc32 u32 | compressed u64 | size u64
    ... then the central directory and end records, written by :meth:`ZipStream.close`.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from typing import IO

_REGULAR_FILE, _DIR_MODE = 0o100000, 0o040755


class _Outbox:
    """A write-only, non-seekable file: ``zipfile`` writes here, we take the bytes out."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


class ZipStream:
    def __init__(self) -> None:
        self._outbox = _Outbox()
        self._zip = zipfile.ZipFile(self._outbox, "w", zipfile.ZIP_STORED)  # type: ignore[call-overload]
        self._member: IO[bytes] | None = None
        self.names: set[str] = set()

    def start_file(self, name: str, mtime: float, mode: int = 0o644) -> bytes:
        """Open member ``name``; its bytes follow through :meth:`write`."""
        ended = self.end_file()
        info = self._info(name, mtime, _REGULAR_FILE | (mode & 0o777))
        self._member = self._zip.open(info, "w", force_zip64=True)
        return ended + self._outbox.take()

    def write(self, data: bytes) -> bytes:
        assert self._member is not None, "start_file first"
        self._member.write(data)
        return self._outbox.take()

    def end_file(self) -> bytes:
        """Close the open member (its data descriptor); nothing if none is open."""
        if self._member is not None:
            self._member.close()
            self._member = None
        return self._outbox.take()

    def add_folder(self, name: str, mtime: float) -> bytes:
        ended = self.end_file()
        self._zip.writestr(self._info(name.rstrip("/") + "/", mtime, _DIR_MODE), b"")
        return ended + self._outbox.take()

    def close(self) -> bytes:
        """The central directory and end records: the last bytes of the archive."""
        ended = self.end_file()
        self._zip.close()
        return ended + self._outbox.take()

    def _info(self, name: str, mtime: float, mode: int) -> zipfile.ZipInfo:
        moment = datetime.fromtimestamp(max(mtime, 315532800.0), UTC)  # zip starts in 1980
        stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.external_attr = mode << 16
        info.compress_type = zipfile.ZIP_STORED
        self.names.add(name)
        return info
