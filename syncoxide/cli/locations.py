"""``NAME:path`` on a remote added with ``syncoxide remote add``, or a local folder: the
provider for a location given on the command line (``sync``, ``mount``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncoxide.errors import UsageError
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.remotes.location import may_name_a_remote, split_location

if TYPE_CHECKING:
    from syncoxide.native.remotes.store import RemoteStore


def open_location(
    spec: str,
    durable: bool = True,
    remotes: RemoteStore | None = None,
    *,
    make: bool = False,
    dry_run: bool = False,
) -> Any:
    """The provider for ``spec``. ``make``: a local folder that does not exist is made when its
    parent exists, as rclone, rsync and cp do with a destination (a dry run only pretends it is
    empty)."""
    if not may_name_a_remote(spec):
        return _local_folder(spec, durable, make=make, dry_run=dry_run)
    # The store only for a NAME:path spec: a plain path costs no import of it (location.py).
    from syncoxide.native.remotes.store import RemoteStore, open_remote

    remotes = remotes or RemoteStore()
    name, path = split_location(spec, remotes.names())
    if name is None:
        return _local_folder(spec, durable, make=make, dry_run=dry_run)
    kind, options = remotes.options(name)
    if kind == "crypt":
        inner = open_location(_joined(options["remote"], path), durable, remotes)
        return _password_folder(inner, options)
    return open_remote(kind, options, path)


def _local_folder(spec: str, durable: bool, *, make: bool, dry_run: bool) -> LocalProvider:
    if make and not dry_run:
        _make_destination(Path(spec))
    return LocalProvider(spec, durable=durable, absent_ok=make)


def _make_destination(folder: Path) -> None:
    """Make a missing destination folder whose parent exists; anything else is left as it is."""
    if folder.exists() or folder.is_symlink() or not folder.absolute().parent.is_dir():
        return  # LocalProvider says what is wrong with it
    try:
        folder.mkdir()
    except FileExistsError:
        pass  # made by someone else in between: as good
    except OSError as error:
        raise UsageError(
            f"Could not create the destination folder {str(folder)!r}: {error.strerror}.",
            hint="Nothing was changed. Check the permissions of its parent folder.",
        ) from error


def _joined(location: str, path: str) -> str:
    return f"{location.rstrip('/')}/{path}" if path else location


def _password_folder(inner: Any, options: dict[str, str]) -> Any:
    from syncoxide.crypto.keys import SecretBytes
    from syncoxide.native.crypto.backend import CryptographyBackend
    from syncoxide.providers.encrypted import PasswordFolder
    from syncoxide.system import SystemRandom

    password = SecretBytes(options["password"].encode())
    return PasswordFolder(inner, CryptographyBackend(), password, SystemRandom())
