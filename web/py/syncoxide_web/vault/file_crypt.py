"""Encrypting and decrypting one file in the browser, streamed, in the CLI's file layout.

The output is byte-compatible with ``syncoxide encrypt``/``decrypt`` for a single file (vault
record, then one encrypted file), so either side opens what the other made. Input is read from
a ``File`` and output goes to a writable stream in slices, so a multi-GiB file never sits in
the page's memory; on any error the output is aborted and nothing is left behind.
"""

from __future__ import annotations

from syncoxide.crypto import stream, vault
from syncoxide.crypto.backend import CryptoBackend
from syncoxide.crypto.keys import SecretBytes
from syncoxide.ports import RandomSource
from syncoxide_web.platform.blob_io import BlobReader, WritableSink


async def encrypt_file(
    backend: CryptoBackend,
    random: RandomSource,
    password: SecretBytes,
    *,
    source: BlobReader,
    sink: WritableSink,
) -> int:
    """Write the vault and the encrypted file to ``sink``; returns the plaintext size."""
    try:
        record, master = await vault.create_vault(backend, password, random)
        await sink.write(record.encode())
        sealer = await stream.FileSealer.create(backend, master, random)
        size = await stream.seal_stream(sealer, source.read, sink.write)
    except BaseException:
        await sink.abort()
        raise
    await sink.close()
    return size


async def decrypt_file(
    backend: CryptoBackend, password: SecretBytes, source: BlobReader, sink: WritableSink
) -> int:
    """Check the password, then stream the plaintext to ``sink``; returns its size."""
    try:
        record = vault.parse_vault(await stream.read_fully(source.read, vault.VAULT_SIZE_V1))
        master = await vault.unlock_vault(backend, record, password)
        opener = await stream.FileOpener.create(
            backend, master, await stream.read_header(source.read)
        )
        size = await stream.open_stream(opener, source.read, sink.write)
    except BaseException:
        await sink.abort()
        raise
    await sink.close()
    return size
