"""The one exception tree of syncoxide.

Every error the core, the CLI, the server or the browser app raises on purpose is a
``SyncoxideError``. Adapters translate foreign exceptions (OSError, JS errors, aiortc,
HTTP clients) into this tree at the boundary, so callers never match on message text::

    SyncoxideError                      retryable = False unless a subclass says otherwise
    ├── UsageError                      the caller asked for something impossible (bad flag or path)
    │   └── InvalidInputError           a request field, header or parameter is malformed
    ├── ConfigError                     configuration or installation is incomplete or invalid
    │   └── FeatureOffError             the operator has not turned this feature on (email)
    ├── NotFoundError                   a file, share, user or object does not exist
    │   └── GoneError                   it existed, but expired, was revoked or used up
    ├── PermissionDeniedError           authenticated but not allowed
    │   └── RecordRefusedError          a trust record was forged, replayed or not ours to take
    ├── AuthenticationError             wrong password, bad or expired token
    │   ├── WrongPasswordError          the password does not unlock this vault
    │   └── WrongKeyError               the data was encrypted with another vault's key
    ├── IntegrityError                  data does not match its hash or its authentication tag
    │   ├── TamperedDataError           a chunk, header or name failed authentication
    │   ├── TruncatedDataError          the data ends before its authenticated end
    │   ├── EmptyInputError             a 0-byte file where encrypted data was expected
    │   └── MalformedDataError          impossible structure (empty last chunk, bad parameters)
    ├── FormatError                     the data is not in a format this version can read
    │   ├── ForeignFormatError          not a syncoxide file at all (wrong magic)
    │   └── UnsupportedVersionError     written by a newer syncoxide (unknown version byte)
    ├── ProtocolError                   a peer or message broke a wire protocol
    │   ├── LocalProtocolError          we were about to break it ourselves (a bug on our side)
    │   └── RemoteProtocolError         the other side broke it (malformed, oversized, out of order)
    ├── TransportError                  a connection failed or was cut         retryable = True
    │   └── PeerGoneError               the other peer disappeared             retryable = True
    ├── ProviderError                   a storage provider refused or failed
    │   ├── ProviderUnavailableError    temporarily unavailable (5xx, 429)     retryable = True
    │   ├── AlreadyExistsError          the target name is taken (move/mkdir over a file)
    │   ├── DirectoryNotEmptyError      a directory to remove still holds entries
    │   └── NameRefusedError            the storage refuses a file name (characters, length)
    ├── JournalError                    a sync journal or saved pair state cannot be read
    ├── SafetyLimitError                a run stopped before any change (--max-delete)
    │   ├── EmptySideError              a side lists empty though the pair had files there
    │   ├── DeleteShareError            more than a share of a side would be deleted
    │   ├── AllChangedError             every file on a side changed since the last run
    │   └── FolderReplacedError         a synced folder lacks its mark: made again or replaced
    ├── RunNotStartedError              a run failed before changing anything (not a safety stop)
    ├── BackupError                     borg could not do what a backup command asked
    │   ├── RepositoryLockedError       another borg holds the repository's lock  retryable = True
    │   ├── StorageFullError            the repository's disk or quota is full
    │   ├── HostKeyChangedError         an ssh:// repository's host shows another key than pinned
    │   ├── SshKeyRefusedError          an ssh:// repository's host refused the server's key
    │   └── SshUnreachableError         an ssh:// repository's host did not answer  retryable = True
    ├── ActionError                     an automation action could not make its result
    │   ├── UnsupportedInputError       the input is not of a type this action accepts
    │   ├── ActionTimeoutError          the action ran past its time limit and was stopped
    │   ├── ActionMemoryError           the action needed more memory than its limit
    │   └── UnsafeArchiveError          an archive breaks a guard (size, ratio, entries, names)
    └── CancelledByUserError            the user stopped the work

Each error carries a short human ``message`` that says what happened and, where it helps,
``hint``: what was kept safe and what to do next. Keys, passwords and tokens never appear in
either.
"""

from __future__ import annotations


class SyncoxideError(Exception):
    """Root of every error syncoxide raises on purpose."""

    retryable: bool = False
    #: Stable machine-readable code, used by the API and the CLI exit codes.
    code: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} {self.hint}"
        return self.message


class UsageError(SyncoxideError):
    code = "usage"


class InvalidInputError(UsageError):
    code = "invalid_input"


class ConfigError(SyncoxideError):
    code = "config"


class FeatureOffError(ConfigError):
    code = "feature_off"


class NotFoundError(SyncoxideError):
    code = "not_found"


class GoneError(NotFoundError):
    code = "gone"


class PermissionDeniedError(SyncoxideError):
    code = "permission_denied"


class RecordRefusedError(PermissionDeniedError):
    """A device trust record was refused; ``reason`` says why, for callers and tests."""

    code = "record_refused"

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class AuthenticationError(SyncoxideError):
    code = "authentication"


class IntegrityError(SyncoxideError):
    code = "integrity"


class WrongPasswordError(AuthenticationError):
    code = "wrong_password"


class WrongKeyError(AuthenticationError):
    code = "wrong_key"


class TamperedDataError(IntegrityError):
    code = "tampered"


class TruncatedDataError(IntegrityError):
    code = "truncated"


class EmptyInputError(IntegrityError):
    code = "empty_input"


class MalformedDataError(IntegrityError):
    code = "malformed"


class FormatError(SyncoxideError):
    code = "format"


class ForeignFormatError(FormatError):
    code = "foreign_format"


class UnsupportedVersionError(FormatError):
    code = "unsupported_version"


class ProtocolError(SyncoxideError):
    code = "protocol"


class LocalProtocolError(ProtocolError):
    code = "local_protocol"


class RemoteProtocolError(ProtocolError):
    code = "remote_protocol"


class TransportError(SyncoxideError):
    code = "transport"
    retryable = True


class PeerGoneError(TransportError):
    code = "peer_gone"


class ProviderError(SyncoxideError):
    code = "provider"


class ProviderUnavailableError(ProviderError):
    code = "provider_unavailable"
    retryable = True


class AlreadyExistsError(ProviderError):
    code = "already_exists"


class DirectoryNotEmptyError(ProviderError):
    code = "directory_not_empty"


class NameRefusedError(ProviderError):
    """Only this one name is refused: other files can still be written (a sync skips it)."""

    code = "name_refused"


class JournalError(SyncoxideError):
    code = "journal"


class SafetyLimitError(SyncoxideError):
    code = "safety_limit"


class EmptySideError(SafetyLimitError):
    code = "safety_empty_side"


class DeleteShareError(SafetyLimitError):
    code = "safety_delete_share"


class AllChangedError(SafetyLimitError):
    code = "safety_all_changed"


class FolderReplacedError(SafetyLimitError):
    code = "safety_folder_replaced"


class RunNotStartedError(SyncoxideError):
    code = "not_started"


class BackupError(SyncoxideError):
    code = "backup"


class RepositoryLockedError(BackupError):
    code = "repository_locked"
    retryable = True


class StorageFullError(BackupError):
    code = "storage_full"


class HostKeyChangedError(BackupError):
    code = "host_key_changed"


class SshKeyRefusedError(BackupError):
    code = "ssh_key_refused"


class SshUnreachableError(BackupError):
    code = "ssh_unreachable"
    retryable = True


class ActionError(SyncoxideError):
    code = "action"


class UnsupportedInputError(ActionError):
    code = "unsupported_input"


class ActionTimeoutError(ActionError):
    code = "action_timeout"


class ActionMemoryError(ActionError):
    code = "action_memory"


class UnsafeArchiveError(ActionError):
    code = "unsafe_archive"


class CancelledByUserError(SyncoxideError):
    code = "cancelled"
