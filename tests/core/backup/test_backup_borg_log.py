"""Borg's --log-json lines become progress events and our errors, by msgid."""

from __future__ import annotations

import json

import pytest

from syncoxide.backup.borg_log import (
    ArchiveProgress,
    BorgLogReader,
    LogMessage,
    PercentProgress,
    StatusMessage,
    error_for,
)
from syncoxide.errors import (
    BackupError,
    NotFoundError,
    RepositoryLockedError,
    StorageFullError,
    UsageError,
    WrongPasswordError,
)

# Lines as borg 1.2.4 wrote them on this machine.
PROGRESS = (
    b'{"original_size": 300519, "compressed_size": 300612, "deduplicated_size": 300612, '
    b'"nfiles": 2, "path": "src/a", "time": 1796538631.6, "type": "archive_progress", '
    b'"finished": false}\n'
)
EXTRACT = (
    b'{"message": "  0.0% Extracting: src/a", "current": 300000, "total": 300003, '
    b'"info": ["src/a"], "operation": 1, "msgid": "extract", "type": "progress_percent", '
    b'"finished": false, "time": 1796538655.8}\n'
)
CACHE = (
    b'{"message": "Initializing cache transaction: Reading config", "operation": 1, '
    b'"msgid": "cache.begin_transaction", "type": "progress_message", "finished": false}\n'
)


def error_line(msgid: str, message: str = "it failed") -> bytes:
    record = {"type": "log_message", "levelname": "ERROR", "msgid": msgid, "message": message}
    return json.dumps(record).encode() + b"\n"


def test_lines_split_anywhere_still_make_whole_events() -> None:
    reader = BorgLogReader()
    stream = PROGRESS + EXTRACT + CACHE
    events = []
    for start in range(0, len(stream), 7):
        events += reader.feed(stream[start : start + 7])
    assert events == [
        ArchiveProgress(300519, 300612, 300612, 2, "src/a", False),
        PercentProgress("extract", 300000, 300003, False),
        StatusMessage(
            "cache.begin_transaction", "Initializing cache transaction: Reading config", False
        ),
    ]
    assert events[1].fraction == pytest.approx(0.99999, abs=1e-4)  # type: ignore[union-attr]


def test_text_that_is_not_json_is_kept_for_the_error() -> None:
    reader = BorgLogReader()
    assert reader.feed(b"Remote: ssh: connect to host x port 22: Connection refused\n") == []
    assert reader.feed(b'{"type": "log_message", "levelname": "ERROR", "message": "x"}') == []
    assert reader.close() == [LogMessage("ERROR", "", "x")]
    assert reader.other_lines == ["Remote: ssh: connect to host x port 22: Connection refused"]


@pytest.mark.parametrize(
    ("msgid", "kind"),
    [
        ("PassphraseWrong", WrongPasswordError),
        ("LockTimeout", RepositoryLockedError),
        ("Repository.DoesNotExist", NotFoundError),
        ("Repository.InvalidRepository", NotFoundError),
        ("Repository.StorageQuotaExceeded", StorageFullError),
        ("Repository.InsufficientFreeSpaceError", StorageFullError),
        ("Archive.DoesNotExist", NotFoundError),
        ("PathNotAllowed", UsageError),
        ("Something.New", BackupError),
    ],
)
def test_errors_are_recognised_by_msgid(msgid: str, kind: type[Exception]) -> None:
    reader = BorgLogReader()
    reader.feed(error_line(msgid))
    error = error_for("create", 2, reader)
    assert type(error) is kind
    assert "passphrase" not in (error.hint or "").lower() or kind is WrongPasswordError


def test_a_full_disk_is_recognised_from_the_errno_borg_reports() -> None:
    reader = BorgLogReader()
    reader.feed(error_line("Exception", "Local Exception"))
    reader.feed(error_line("", "Traceback ...\nOSError: [Errno 28] No space left on device\n"))
    error = error_for("create", 2, reader)
    assert isinstance(error, StorageFullError)
    assert "left as it was" in (error.hint or "")


def test_a_killed_borg_says_it_was_stopped() -> None:
    error = error_for("create", -9, BorgLogReader())
    assert type(error) is BackupError
    assert "stopped" in error.message


def test_locked_is_retryable() -> None:
    reader = BorgLogReader()
    reader.feed(error_line("LockTimeout"))
    assert error_for("list", 2, reader).retryable
