"""The Vault view: encrypt or decrypt a file on this device, streamed, with progress.

The result is written to the origin-private file system as it is produced and then offered as
a download, so neither the input nor the output has to fit in memory. Errors say what happened
and that nothing else was touched.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide.errors import SyncoxideError
from syncoxide.units import format_rate
from syncoxide_web.platform.dom import Listeners, element, say, say_error, show
from syncoxide_web.platform.opfs_results import fresh_results_folder
from syncoxide_web.platform.opfs_results import offer_download as _offer_download

if TYPE_CHECKING:
    from syncoxide.crypto.keys import SecretBytes

OUTPUT_FOLDER = "vault-output"
MIN_PASSWORD = 8
ENCRYPTED_SUFFIX = ".sxc"


STATUS, PGP_STATUS = "crypt-status", "pgp-status"


class VaultView:
    """The Vault view. Each click's work reads the form afresh: nothing is kept between them."""

    def __init__(self) -> None:
        self._listeners = Listeners()

    def start(self) -> VaultView:
        on = self._listeners.on_task
        on("crypt-encrypt", "click", lambda _event: _run(encrypting=True))
        on("crypt-decrypt", "click", lambda _event: _run(encrypting=False))
        on("pgp-encrypt", "click", lambda _event: _pgp_run())
        return self


async def _pgp_run() -> None:
    from syncoxide_web.vault.pgp_share import encrypt_blob, recipient_key

    files = element("pgp-file").files
    element("pgp-result").innerHTML = ""
    if files.length == 0:
        say(PGP_STATUS, "Choose a file first.", error=True)
        return
    source = files.item(0)
    element("pgp-encrypt").disabled = True
    try:
        say(PGP_STATUS, "Checking the key…")
        key = await recipient_key(str(element("pgp-key").value))
        say(PGP_STATUS, "Encrypting…")
        name = f"{source.name}.gpg"
        handle = await (await _output_folder()).getFileHandle(
            name, to_js({"create": True}, dict_converter=js.Object.fromEntries)
        )
        await encrypt_blob(source, key, await handle.createWritable())
        await _offer_download(handle, name, "pgp-result", "pgp-download")
        say(PGP_STATUS, f"Encrypted {int(source.size):,} bytes for this key.")
    except SyncoxideError as error:
        say_error(PGP_STATUS, error, kept="Nothing was written.")
    except JsException as error:
        say(PGP_STATUS, f"The browser could not encrypt the file: {error}.", error=True)
    finally:
        element("pgp-encrypt").disabled = False


async def _run(encrypting: bool) -> None:
    files = element("crypt-file").files
    password = str(element("crypt-password").value)
    if files.length == 0:
        say(STATUS, "Choose a file first.", error=True)
        return
    if encrypting and len(password) < MIN_PASSWORD:
        say(STATUS, f"Use a password of at least {MIN_PASSWORD} characters.", error=True)
        return
    from syncoxide.crypto.keys import SecretBytes

    source = files.item(0)
    name = str(source.name)
    out_name = name + ENCRYPTED_SUFFIX if encrypting else _decrypted_name(name)
    _set_busy(True)
    try:
        await _transform(encrypting, source, SecretBytes(password.encode()), out_name)
    except SyncoxideError as error:
        say_error(STATUS, error, kept="Your file was not changed.")
    finally:
        _set_busy(False)


async def _transform(encrypting: bool, source: Any, password: SecretBytes, out_name: str) -> None:
    # Crypto is imported on first use, not at start-up: the first screen comes sooner.
    from syncoxide.system import SystemRandom
    from syncoxide_web.platform.blob_io import BlobReader, WritableSink
    from syncoxide_web.platform.webcrypto import WebCryptoBackend
    from syncoxide_web.vault.file_crypt import decrypt_file, encrypt_file

    element("crypt-result").innerHTML = ""
    folder = await _output_folder()
    handle = await folder.getFileHandle(
        out_name, to_js({"create": True}, dict_converter=js.Object.fromEntries)
    )
    sink = WritableSink(await handle.createWritable())
    started = time.monotonic()
    reader = BlobReader(source, lambda done: _show_progress(done, int(source.size), started))
    backend = WebCryptoBackend()
    say(STATUS, "Checking the password…" if not encrypting else "Preparing the key…")
    if encrypting:
        await encrypt_file(backend, SystemRandom(), password, source=reader, sink=sink)
    else:
        await decrypt_file(backend, password, reader, sink)
    await _offer_download(handle, out_name, "crypt-result", "crypt-download")
    verb = "Encrypted" if encrypting else "Decrypted and verified"
    say(STATUS, f"{verb} {int(source.size):,} bytes in {time.monotonic() - started:.1f} s.")


async def _output_folder() -> Any:
    return await fresh_results_folder(OUTPUT_FOLDER)


def _show_progress(done: int, total: int, started: float) -> None:
    bar = element("crypt-progress")
    show(bar)
    bar.value = 100 * done / total if total else 100
    elapsed = max(time.monotonic() - started, 1e-3)
    speed = done / elapsed
    left = (total - done) / speed if speed else 0
    say(STATUS, f"{100 * done / max(total, 1):.0f}% · {format_rate(speed)} · {left:.0f} s left")


def _set_busy(busy: bool) -> None:
    for name in ("crypt-encrypt", "crypt-decrypt", "crypt-file", "crypt-password"):
        element(name).disabled = busy


def _decrypted_name(name: str) -> str:
    return (
        name.removesuffix(ENCRYPTED_SUFFIX)
        if name.endswith(ENCRYPTED_SUFFIX)
        else f"{name}.decrypted"
    )
