"""Borg's ``--log-json`` lines, read into progress events and our errors.

With ``--log-json --progress`` borg writes one JSON object per line on stderr (borg 1.2
``borg/logger.py`` and ``helpers/progress.py``)::

    {"type": "archive_progress", "original_size": 300519, "compressed_size": ...,
     "deduplicated_size": ..., "nfiles": 2, "path": "src/a", "finished": false, "time": ...}
    {"type": "progress_percent", "msgid": "extract", "current": 300000, "total": 300003,
     "info": ["src/a"], "message": "  0.0% Extracting: src/a", "finished": false, ...}
    {"type": "progress_message", "msgid": "cache.begin_transaction", "message": "...", ...}
    {"type": "log_message", "levelname": "ERROR", "msgid": "PassphraseWrong",
     "message": "passphrase supplied in BORG_PASSPHRASE ... is incorrect.", "name": "..."}

Errors are recognised by ``msgid`` (borg's exception class name, which borg keeps stable for
this purpose), never by their text. :class:`BorgLogReader` is fed stderr bytes as they come
and returns events; :func:`error_for` turns the run's outcome into one of our errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from syncoxide.errors import (
    AlreadyExistsError,
    BackupError,
    NotFoundError,
    RepositoryLockedError,
    StorageFullError,
    SyncoxideError,
    UsageError,
    WrongPasswordError,
)

#: Lines longer than this without a newline are dropped (borg's are far shorter).
MAX_LINE = 1 << 20
BORG_WARNING = 1  # borg's exit code for "finished, with warnings"


@dataclass(frozen=True)
class ArchiveProgress:
    """While ``create``/``import-tar`` runs: bytes read, stored after compression and dedup."""

    original_size: int
    compressed_size: int
    deduplicated_size: int
    nfiles: int
    path: str
    finished: bool


@dataclass(frozen=True)
class PercentProgress:
    """A counted operation (extract, check): ``current`` of ``total``."""

    operation: str  # borg's msgid: extract, check, ...
    current: int
    total: int
    finished: bool

    @property
    def fraction(self) -> float:
        return min(1.0, self.current / self.total) if self.total else 0.0


@dataclass(frozen=True)
class StatusMessage:
    """A step without a count ("Initializing cache transaction", "Compacting segments")."""

    operation: str
    message: str
    finished: bool


@dataclass(frozen=True)
class LogMessage:
    level: str  # DEBUG, INFO, WARNING, ERROR, CRITICAL
    msgid: str
    message: str


BorgEvent = ArchiveProgress | PercentProgress | StatusMessage | LogMessage


@dataclass
class BorgLogReader:
    """Feed it stderr bytes as they arrive; it returns what they said, line by line."""

    _pending: bytearray = field(default_factory=bytearray)
    errors: list[LogMessage] = field(default_factory=list)
    warnings: list[LogMessage] = field(default_factory=list)
    #: Lines that were not JSON (a crashing borg, a remote shell's complaint), kept for errors.
    other_lines: list[str] = field(default_factory=list)

    def feed(self, data: bytes) -> list[BorgEvent]:
        self._pending += data
        events: list[BorgEvent] = []
        while (end := self._pending.find(b"\n")) >= 0:
            line = bytes(self._pending[:end])
            del self._pending[: end + 1]
            events.extend(self._line(line))
        if len(self._pending) > MAX_LINE:
            self._pending.clear()
        return events

    def close(self) -> list[BorgEvent]:
        line, self._pending = bytes(self._pending), bytearray()
        return list(self._line(line)) if line.strip() else []

    def _line(self, raw: bytes) -> list[BorgEvent]:
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            return []
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            self.other_lines = [*self.other_lines[-19:], text]
            return []
        event = parse_record(record)
        if isinstance(event, LogMessage):
            if event.level in ("ERROR", "CRITICAL"):
                self.errors.append(event)
            elif event.level == "WARNING":
                self.warnings.append(event)
        return [event] if event is not None else []


def parse_record(record: dict[str, Any]) -> BorgEvent | None:
    kind = record.get("type")
    finished = bool(record.get("finished", False))
    if kind == "archive_progress":
        return ArchiveProgress(
            original_size=_int(record, "original_size"),
            compressed_size=_int(record, "compressed_size"),
            deduplicated_size=_int(record, "deduplicated_size"),
            nfiles=_int(record, "nfiles"),
            path=str(record.get("path", "")),
            finished=finished,
        )
    if kind == "progress_percent":
        return PercentProgress(
            str(record.get("msgid") or ""), _int(record, "current"), _int(record, "total"), finished
        )
    if kind == "progress_message":
        return StatusMessage(
            str(record.get("msgid") or ""), str(record.get("message", "")), finished
        )
    if kind == "log_message":
        return LogMessage(
            str(record.get("levelname", "INFO")),
            str(record.get("msgid") or ""),
            str(record.get("message", "")),
        )
    return None


def _int(record: dict[str, Any], name: str) -> int:
    value = record.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_LOCKED = {"LockTimeout", "LockFailed", "LockError", "LockErrorT", "NotLocked", "NotMyLock"}
_MISSING = {
    "Repository.DoesNotExist",
    "Repository.InvalidRepository",
    "Repository.ParentPathDoesNotExist",
}
_FULL = {"Repository.InsufficientFreeSpaceError", "Repository.StorageQuotaExceeded"}
_PASSPHRASE = {"PassphraseWrong", "PasscommandFailure", "NoPassphraseFailure"}


def error_for(operation: str, exit_code: int, reader: BorgLogReader) -> SyncoxideError:
    """Our error for a borg run that ended with ``exit_code`` (2 or more, or killed)."""
    msgids = {e.msgid for e in reader.errors}
    said = _what_borg_said(reader)
    if msgids & _PASSPHRASE:
        return WrongPasswordError(
            "The passphrase does not open this repository.",
            hint="Nothing was changed. Check the passphrase (file, BORG_PASSPHRASE or prompt).",
        )
    if msgids & _LOCKED:
        return RepositoryLockedError(
            "The repository is locked: another borg is using it, or one was stopped mid-way.",
            hint="Nothing was changed. Wait and try again; if no borg runs any more, run "
            "`syncoxide backup break-lock REPO` (or `borg break-lock REPO`).",
        )
    if msgids & _MISSING:
        return NotFoundError(
            f"There is no borg repository there ({said}).",
            hint="Check the path, or create one with `syncoxide backup init REPO`.",
        )
    if msgids & _FULL or _disk_full(reader):
        return StorageFullError(
            f"The repository's disk or quota is full ({said}).",
            hint="The repository was left as it was before this run. Free some space (prune "
            "old archives, then `borg compact`) or raise the quota, then run it again.",
        )
    if "Archive.DoesNotExist" in msgids:
        return NotFoundError(f"There is no such archive ({said}).")
    if "Archive.AlreadyExists" in msgids or "Repository.AlreadyExists" in msgids:
        return AlreadyExistsError(f"That name is taken ({said}).")
    if "PathNotAllowed" in msgids or "Repository path not allowed" in said:
        return UsageError(f"The server refused that repository path ({said}).")
    if "ConnectionClosed" in msgids or "ConnectionClosedWithHint" in msgids:
        return BackupError(
            f"The connection to the repository's server closed ({said}).",
            hint="Check the SSH address, key and the server's authorized_keys entry.",
        )
    if exit_code < 0 or exit_code >= 128:
        return BackupError(
            f"borg {operation} was stopped before it finished.",
            hint="The repository keeps only what a finished run committed; run it again.",
        )
    return BackupError(f"borg {operation} failed: {said}.")


def _what_borg_said(reader: BorgLogReader) -> str:
    if reader.errors:
        return reader.errors[-1].message.strip().splitlines()[0][:300]
    if reader.other_lines:
        return reader.other_lines[-1][:300]
    return "no message"


def _disk_full(reader: BorgLogReader) -> bool:
    # An OSError from a full disk reaches borg's top level as msgid "Exception" with the
    # errno in its text; no stable msgid exists for it in borg 1.2.
    return any("[Errno 28]" in e.message or "[Errno 122]" in e.message for e in reader.errors)
