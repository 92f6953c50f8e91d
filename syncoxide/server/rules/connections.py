"""Provider connections: validated, checked against the provider, secrets sealed at rest.

A connection is a remote (``syncoxide remote add``) kept by the server for one user: the same
types, the same options, the same factories build its provider. Secrets are sealed with
AES-256-GCM under ``connections.key`` in the data directory, with the user id, connection name
and option name as associated data. Options that name files on the server's disk
(``private_key``, ``known_hosts``) are refused: a user must not make the server read its files;
SFTP takes the key and known host keys as text instead, and never uses the server's own keys.
Nor may a connection reach the server's own network: internal addresses are refused unless
the operator allows them (``address_guard``, docs/rules.md).

Checking a connection lists the first page of its root, bounded in time. A refused credential
puts it in the ``reconnect`` state; rules using it wait until it is fixed (no retry storm).
"""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from syncoxide.errors import AuthenticationError, SyncoxideError, UsageError
from syncoxide.native.crypto.sealing import SecretSealer
from syncoxide.native.net.address_guard import AddressGuard, AddressPolicy, GuardsAddresses
from syncoxide.native.remotes.store import TYPES, RemoteType, check_options, open_remote
from syncoxide.providers.contract import Provider
from syncoxide.server.rules.store import Connection, NameTakenError, RuleStore

CHECK_SECONDS = 20.0
MAX_OPTION_LENGTH = 4096
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")
_SERVER_PATH_OPTIONS = frozenset({"private_key", "known_hosts"})
HOME = "home"
OwnFiles = Callable[[int, str], Provider]

#: The remote types a server connection may have: every network type, none of its
#: server-disk options; ``crypt`` wraps another remote and ``server`` names an account by a
#: login of this machine's CLI: neither is offered here.
SERVER_TYPES: dict[str, RemoteType] = {
    kind: replace(spec, optional=tuple(o for o in spec.optional if o not in _SERVER_PATH_OPTIONS))
    for kind, spec in TYPES.items()
    if kind not in ("crypt", "server")
}
#: SFTP keys and known host keys are given as text here, and kept sealed like passwords.
#: Your own files on this server, reached in-process (``files.provider``): no options.
SERVER_TYPES[HOME] = RemoteType((), (), ())
SERVER_TYPES["sftp"] = replace(
    SERVER_TYPES["sftp"],
    optional=(*SERVER_TYPES["sftp"].optional, "private_key_data", "known_hosts_data"),
    secrets=(*SERVER_TYPES["sftp"].secrets, "private_key_data"),
)

OK, RECONNECT, UNREACHABLE = "ok", "reconnect", "unreachable"

#: Options that change only what is done where a connection already points (a folder inside it,
#: tuning): its saved secrets may stay. Changing any other option (a WebDAV ``url``, an S3
#: ``endpoint``, an SFTP ``host`` or ``port``, a ``token_url``, a user name) could send those
#: secrets somewhere new, so it needs them given again (``secrets_for_update``).
KEEPS_SECRETS: dict[str, frozenset[str]] = {
    "s3": frozenset({"prefix", "part_size", "upload_concurrency", "part_memory"}),
    "sftp": frozenset({"root", "connections", "known_hosts_data"}),
    "gdrive": frozenset({"root_folder_id"}),
    "dropbox": frozenset({"root_path"}),
}


@dataclass(frozen=True)
class CheckResult:
    state: str
    message: str

    @property
    def ok(self) -> bool:
        return self.state == OK


def open_connection(kind: str, options: dict[str, str], path: str) -> Provider:
    """The provider of a connection: the remote factories, except that SFTP never falls back
    on the server account's own ~/.ssh keys or agent (they are not the user's)."""
    if kind != "sftp":
        return open_remote(kind, options, path)
    from syncoxide.native.providers.sftp.provider import SftpProvider, SftpSettings

    port = options.get("port", "22")
    if not port.isdigit():
        raise UsageError(f"Option port={port!r} must be a number.")
    settings = SftpSettings(
        host=options["host"],
        username=options["username"],
        root=posixpath.join(options.get("root", ""), path) or ".",
        port=int(port),
        password=options.get("password"),
        private_key_data=options.get("private_key_data"),
        known_hosts_data=options.get("known_hosts_data"),
        local_keys=False,
    )
    return SftpProvider(settings)


def own_files_source(user_id: int) -> Connection:
    """The user's own files on this server as a source for the files view, unsaved (id 0)."""
    return Connection(0, user_id, "This server", HOME, {}, {}, OK, "", 0, None)


def check_connection_input(name: str, kind: str, options: dict[str, Any]) -> dict[str, str]:
    """The options as strings, or a ``UsageError`` saying what is wrong with the input."""
    if not _NAME.match(name):
        raise UsageError(
            f"{name!r} cannot name a connection.",
            hint="Use 1-63 letters, digits, spaces, '.', '-' or '_'.",
        )
    if not all(isinstance(v, str) and len(v) <= MAX_OPTION_LENGTH for v in options.values()):
        raise UsageError(f"Every option must be text of at most {MAX_OPTION_LENGTH} characters.")
    given = {k: str(v) for k, v in options.items()}
    check_options(kind, given, SERVER_TYPES)
    return given


def secrets_for_update(
    connection: Connection, saved: dict[str, str], given: dict[str, Any]
) -> dict[str, str]:
    """The saved options an update keeps: all of them, unless it changes where the connection
    points; then the saved secrets are dropped and a ``UsageError`` names the ones to give
    again, so a stolen API token cannot redirect stored credentials to another host."""
    kept = KEEPS_SECRETS.get(connection.kind, frozenset())
    moved = sorted(
        k
        for k, v in given.items()
        if k not in kept and k not in connection.secrets and saved.get(k) != v
    )
    if not moved:
        return saved
    missing = sorted(k for k in connection.secrets if k not in given)
    if missing:
        raise UsageError(
            f"Changing {', '.join(moved)} of {connection.name!r} needs its "
            f"{', '.join(missing)} again.",
            hint="Saved secrets are only ever sent where they were first given; "
            "nothing was changed.",
        )
    return {k: v for k, v in saved.items() if k not in connection.secrets}


def _context(user_id: int, name: str, option: str) -> str:
    return f"user {user_id}\0{name}\0{option}"


class Connections:
    def __init__(
        self,
        *,
        store: RuleStore,
        key_path: Path,
        clock: Callable[[], int],
        open_remote: Callable[[str, dict[str, str], str], Provider],
        own_files: OwnFiles | None = None,
        guard: AddressGuard | None = None,
    ) -> None:
        self.store = store
        self.sealer = SecretSealer(key_path)
        self.clock = clock
        self._open_remote = open_remote
        self._own_files = own_files
        #: Every provider (and token exchange) reaches only addresses this lets through; by
        #: default public ones.
        self.guard = guard or AddressGuard(AddressPolicy())

    def _open(self, user_id: int, kind: str, options: dict[str, str], path: str) -> Provider:
        if kind != HOME:
            return self._guarded(kind, options, path)
        if self._own_files is None:
            raise UsageError("This server keeps no files of its own.")
        return self._own_files(user_id, path)

    def _guarded(self, kind: str, options: dict[str, str], path: str) -> Provider:
        provider = self._open_remote(kind, options, path)
        if isinstance(provider, GuardsAddresses):
            provider.guard_addresses(self.guard)
        return provider

    def _sealed(self, user_id: int, name: str, kind: str, options: dict[str, str]) -> Any:
        secret_names = SERVER_TYPES[kind].secrets
        secrets = {
            k: self.sealer.seal(_context(user_id, name, k), v)
            for k, v in options.items()
            if k in secret_names
        }
        return {k: v for k, v in options.items() if k not in secrets}, secrets

    def options(self, connection: Connection) -> dict[str, str]:
        """Every option, secrets opened."""
        hint = "Delete this connection and add it again."
        opened = {
            k: self.sealer.open(
                _context(connection.user_id, connection.name, k),
                v,
                f"{k} of connection {connection.name}",
                hint,
            )
            for k, v in connection.secrets.items()
        }
        return {**connection.options, **opened}

    def provider(self, connection: Connection, path: str) -> Provider:
        return self._open(connection.user_id, connection.kind, self.options(connection), path)

    async def add(
        self, user_id: int, name: str, kind: str, options: dict[str, Any]
    ) -> tuple[Connection | None, CheckResult]:
        """Add the connection if the provider accepts it; else nothing is stored."""
        given = check_connection_input(name, kind, options)
        result = await self._check(lambda: self._open(user_id, kind, dict(given), ""))
        if not result.ok:
            return None, result
        plain, secrets = self._sealed(user_id, name, kind, given)
        now = self.clock()
        record = Connection(0, user_id, name, kind, plain, secrets, OK, "", now, now)
        try:
            return await self.store.add_connection(record), result
        except NameTakenError:
            raise UsageError(
                f"You have a connection named {name!r} already.",
                hint="Pick another name, or delete that one first.",
            ) from None

    async def update(
        self, connection: Connection, options: dict[str, Any]
    ) -> tuple[Connection, CheckResult]:
        """New options (new credentials, to reconnect) replace the given ones, once checked."""
        merged = {**secrets_for_update(connection, self.options(connection), options), **options}
        given = check_connection_input(connection.name, connection.kind, merged)
        result = await self._check(
            lambda: self._open(connection.user_id, connection.kind, dict(given), "")
        )
        if not result.ok:
            return connection, result
        plain, secrets = self._sealed(connection.user_id, connection.name, connection.kind, given)
        updated = replace(connection, options=plain, secrets=secrets, state=OK, state_message="")
        return await self._record(updated, result), result

    async def test(self, connection: Connection) -> tuple[Connection, CheckResult]:
        result = await self._check(lambda: self.provider(connection, ""))
        return await self._record(connection, result), result

    async def _record(self, connection: Connection, result: CheckResult) -> Connection:
        updated = replace(
            connection, state=result.state, state_message=result.message, checked_at=self.clock()
        )
        await self.store.save_connection(updated)
        return updated

    async def _check(self, make: Callable[[], Provider]) -> CheckResult:
        try:
            provider = make()
        except SyncoxideError:
            raise  # an option that is not a number: the caller's input
        except Exception as error:  # a client library refusing the settings
            return CheckResult(UNREACHABLE, f"These settings do not open a provider ({error}).")
        try:
            await asyncio.wait_for(first_page(provider), CHECK_SECONDS)
        except AuthenticationError as error:
            return CheckResult(RECONNECT, f"{error} Reconnect with new credentials.")
        except SyncoxideError as error:
            return CheckResult(UNREACHABLE, str(error))
        except TimeoutError:
            return CheckResult(
                UNREACHABLE, f"The provider did not answer within {CHECK_SECONDS:.0f} seconds."
            )
        except Exception as error:  # a client library refusing odd input
            return CheckResult(UNREACHABLE, f"Could not reach the provider ({error}).")
        finally:
            await close_provider(provider)
        return CheckResult(OK, "")


async def first_page(provider: Provider) -> None:
    pages = provider.list_tree(prune=lambda _path: True)
    try:
        async for _page in pages:
            break
    finally:
        with contextlib.suppress(Exception):
            await pages.aclose()  # type: ignore[attr-defined]


async def close_provider(provider: Provider) -> None:
    close = getattr(provider, "aclose", None)
    if close is not None:
        with contextlib.suppress(Exception):
            await close()
