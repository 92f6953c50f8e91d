"""A tar stream read as it arrives: ``borg export-tar ... -`` turned into members and bytes.

The reverse of :mod:`.tar_stream`, sans-IO like it: :meth:`TarReader.feed` takes bytes in any
cut and returns events; nothing is buffered beyond one 512-byte block and a long name. Read:
ustar headers (``tarfile.TarInfo.frombuf`` checks each header's checksum), GNU long names and
link targets (types ``L``/``K``, which borg 1.2's ``export-tar`` writes by default) and pax
extended headers (``x``: ``path``, ``linkpath``, ``size``, ``mtime``; ``g`` is skipped).

Byte layout read (as written by :mod:`.tar_stream`)::

    [pax 'x' or GNU 'L'/'K' header + its data padded to 512]   then
    header 512 | data (size) | zero padding to 512             per member
    two zero blocks                                            end of archive

Events, in order for each member: one :class:`TarMember`, then :class:`TarData` chunks whose
lengths add up to its size (none for folders and links), then :class:`TarMemberEnd`; after the
last member one :class:`TarEnd`. A stream that stops before its end blocks is cut:
:meth:`TarReader.close` raises ``TruncatedDataError``.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field

from syncoxide.errors import MalformedDataError, TruncatedDataError

BLOCK = 512
#: A long name or pax header larger than this is refused (borg's are a few hundred bytes).
MAX_META = 1 << 20
_KINDS = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.CONTTYPE: "file",
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
    tarfile.FIFOTYPE: "fifo",
    tarfile.CHRTYPE: "device",
    tarfile.BLKTYPE: "device",
}
_META_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE,
               tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)  # fmt: skip


@dataclass(frozen=True)
class TarMember:
    path: str  # as stored: relative, "/" separated, no trailing "/"
    kind: str  # file, dir, symlink, hardlink, fifo, device
    size: int  # bytes of data that follow (0 for folders and links)
    mode: int
    mtime: float
    link_target: str = ""


@dataclass(frozen=True)
class TarData:
    data: bytes


@dataclass(frozen=True)
class TarMemberEnd:
    member: TarMember


@dataclass(frozen=True)
class TarEnd:
    pass


TarEvent = TarMember | TarData | TarMemberEnd | TarEnd


@dataclass
class TarReader:
    _buffer: bytearray = field(default_factory=bytearray)
    _member: TarMember | None = None
    _data_left: int = 0  # bytes of the current member's data still to come
    _skip: int = 0  # padding still to drop
    _meta: tuple[bytes, int] | None = None  # (header type, bytes) of a long name / pax record
    _overrides: dict[str, str] = field(default_factory=dict)
    _zero_blocks: int = 0
    ended: bool = False

    def feed(self, data: bytes) -> list[TarEvent]:
        self._buffer += data
        events: list[TarEvent] = []
        while not self.ended:
            progress = self._step(events)
            if not progress:
                break
        return events

    def close(self) -> None:
        if not self.ended:
            raise TruncatedDataError(
                "The archive stream stopped before its end.",
                hint="Nothing was left half-written; run the restore again.",
            )

    def _step(self, events: list[TarEvent]) -> bool:
        if self._skip:
            taken = min(self._skip, len(self._buffer))
            del self._buffer[:taken]
            self._skip -= taken
            return taken > 0
        if self._member is not None:
            return self._member_data(events)
        if self._meta is not None:
            return self._meta_data()
        if len(self._buffer) < BLOCK:
            return False
        block = bytes(self._buffer[:BLOCK])
        del self._buffer[:BLOCK]
        self._header(block, events)
        return True

    def _member_data(self, events: list[TarEvent]) -> bool:
        assert self._member is not None
        if self._data_left:
            if not self._buffer:
                return False
            taken = min(self._data_left, len(self._buffer))
            events.append(TarData(bytes(self._buffer[:taken])))
            del self._buffer[:taken]
            self._data_left -= taken
            return True
        events.append(TarMemberEnd(self._member))
        self._skip = -self._member.size % BLOCK
        self._member = None
        return True

    def _meta_data(self) -> bool:
        assert self._meta is not None
        kind, size = self._meta
        padded = size + (-size % BLOCK)
        if len(self._buffer) < padded:
            return False
        data = bytes(self._buffer[:size])
        del self._buffer[:padded]
        self._meta = None
        if kind == tarfile.GNUTYPE_LONGNAME:
            self._overrides["path"] = _text(data.rstrip(b"\0"))
        elif kind == tarfile.GNUTYPE_LONGLINK:
            self._overrides["linkpath"] = _text(data.rstrip(b"\0"))
        elif kind in (tarfile.XHDTYPE, tarfile.SOLARIS_XHDTYPE):
            self._overrides.update(parse_pax_records(data))
        return True

    def _header(self, block: bytes, events: list[TarEvent]) -> None:
        if block == bytes(BLOCK):
            self._zero_blocks += 1
            if self._zero_blocks == 2:
                self.ended = True
                events.append(TarEnd())
            return
        self._zero_blocks = 0
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        except tarfile.HeaderError as error:
            problem = f"The archive stream has a damaged header ({error})."
            raise MalformedDataError(problem) from None
        if info.type in _META_TYPES:
            if info.size > MAX_META:
                raise MalformedDataError("The archive stream has an oversized name header.")
            self._meta = (info.type, info.size)
            return
        member = self._member_from(info)
        events.append(member)
        self._member, self._data_left = member, member.size

    def _member_from(self, info: tarfile.TarInfo) -> TarMember:
        given, self._overrides = self._overrides, {}
        kind = _KINDS.get(info.type, "other")
        size = int(given.get("size", info.size))
        return TarMember(
            path=given.get("path", info.name).strip("/"),
            kind=kind,
            size=size,
            mode=info.mode,
            mtime=float(given.get("mtime", info.mtime)),
            link_target=given.get("linkpath", info.linkname),
        )


def parse_pax_records(data: bytes) -> dict[str, str]:
    """``LENGTH KEY=VALUE\\n`` records (POSIX.1-2001), LENGTH counting the whole record."""
    records: dict[str, str] = {}
    position = 0
    while position < len(data) and data[position : position + 1] != b"\0":
        space = data.find(b" ", position)
        if space < 0 or not data[position:space].isdigit():
            raise MalformedDataError("The archive stream has a damaged pax header.")
        end = position + int(data[position:space])
        record = data[space + 1 : end]
        if end > len(data) or not record.endswith(b"\n") or b"=" not in record:
            raise MalformedDataError("The archive stream has a damaged pax header.")
        key, _, value = record[:-1].partition(b"=")
        records[_text(key)] = _text(value)
        position = end
    return records


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")
