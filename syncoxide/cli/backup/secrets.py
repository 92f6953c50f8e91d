"""Where a repository's passphrase comes from: ``--passphrase-file`` (its first line), else
``BORG_PASSPHRASE`` (as borg itself reads it), else a prompt on a terminal.

With none of those (a script, a timer), borg gets no passphrase: an unencrypted repository
still opens, an encrypted one fails with a clear error instead of waiting on a prompt.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from syncoxide.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path


def read_passphrase(file: Path | None, *, new: bool = False, ask: bool = True) -> str | None:
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise UsageError(f"Cannot read the passphrase file {file}: {error.strerror}.") from None
        if not lines or not lines[0]:
            raise UsageError(f"The passphrase file {file} is empty.")
        return lines[0]
    if "BORG_PASSPHRASE" in os.environ:
        return os.environ["BORG_PASSPHRASE"]
    if not ask or not sys.stdin.isatty():
        if new:
            raise UsageError(
                "A new repository needs a passphrase and there is no terminal to ask for one.",
                hint="Use --passphrase-file or set BORG_PASSPHRASE. Nothing was created.",
            )
        return None
    import getpass  # only to prompt (it loads termios)

    passphrase = getpass.getpass("Repository passphrase: ")
    if new and getpass.getpass("Repository passphrase again: ") != passphrase:
        raise UsageError("The two passphrases differ.", hint="Nothing was created; try again.")
    return passphrase
