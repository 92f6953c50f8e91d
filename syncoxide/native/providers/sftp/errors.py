"""asyncssh failures -> the syncoxide error tree, at the SFTP boundary.

OpenSSH speaks SFTP version 3, whose status codes are coarse: a non-empty folder, a full disk
and many others all arrive as a plain ``SFTPFailure``, so callers that need to tell them apart
look at the file system state themselves (see ``SftpProvider.delete``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import asyncssh

from syncoxide.errors import (
    AlreadyExistsError,
    AuthenticationError,
    DirectoryNotEmptyError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
)


@contextmanager
def translated(where: str, address: str) -> Iterator[None]:
    try:
        yield
    except (asyncssh.SFTPNoSuchFile, asyncssh.SFTPNoSuchPath) as error:
        raise NotFoundError(f"SFTP: {where!r} does not exist.") from error
    except asyncssh.SFTPPermissionDenied as error:
        raise PermissionDeniedError(f"SFTP: no permission for {where!r}.") from error
    except asyncssh.SFTPFileAlreadyExists as error:
        raise AlreadyExistsError(f"SFTP: {where!r} already exists.") from error
    except asyncssh.SFTPDirNotEmpty as error:
        raise DirectoryNotEmptyError(f"SFTP: folder {where!r} is not empty.") from error
    except (asyncssh.SFTPNoSpaceOnFilesystem, asyncssh.SFTPQuotaExceeded) as error:
        raise ProviderError(
            f"SFTP: the server is out of space while writing {where!r}.",
            hint="Nothing half-written was kept under the final name. Free space, then retry.",
        ) from error
    except (asyncssh.SFTPConnectionLost, asyncssh.SFTPNoConnection) as error:
        raise ProviderUnavailableError(
            f"SFTP: the connection to {address} was lost while working on {where!r}.",
            hint="Nothing half-written was kept under the final name; try again.",
        ) from error
    except asyncssh.SFTPError as error:
        raise ProviderError(f"SFTP refused {where!r}: {error.reason}.") from error


@contextmanager
def connecting(address: str) -> Iterator[None]:
    """Errors while opening the SSH connection and the SFTP session."""
    try:
        yield
    except asyncssh.PermissionDenied as error:
        raise AuthenticationError(
            f"The SSH server at {address} rejected the login ({error.reason}).",
            hint="Nothing was changed. Check the user name, key or password of this remote.",
        ) from error
    except asyncssh.HostKeyNotVerifiable as error:
        raise AuthenticationError(
            f"The SSH server at {address} presented a host key that is not trusted.",
            hint="Nothing was sent. Add its key to the remote's known_hosts if it is expected.",
        ) from error
    except (OSError, TimeoutError, asyncssh.ConnectionLost) as error:
        raise ProviderUnavailableError(
            f"Could not reach the SSH server at {address} ({type(error).__name__}).",
            hint="Nothing was changed. Check the address and that the server is running.",
        ) from error
    except asyncssh.Error as error:
        raise ProviderError(f"SSH connection to {address} failed: {error.reason}.") from error
