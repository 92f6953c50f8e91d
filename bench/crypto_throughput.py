"""Encrypt + decrypt throughput and peak memory of the syncoxide file format on CPython.

Run:  .venv/bin/python bench/crypto_throughput.py [--size-mib 1024] [--dir /tmp]

Each case runs in its own child process so its peak RSS (ru_maxrss) is its own. Anchors,
measured in the same run on the same file: raw ``cryptography`` AESGCM over 64 KiB chunks,
once in memory (the cipher alone) and once file to file (cipher + the same disk IO).
Goals: syncoxide >= 600 MB/s streaming, peak RSS < 100 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

CHUNK = 65536
NONCE = bytes(12)
MASTER = bytes(range(32))


def case_raw_memory(work: Path, size: int) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead, block = AESGCM(MASTER), os.urandom(CHUNK)
    for _ in range(size // CHUNK):
        aead.decrypt(NONCE, aead.encrypt(NONCE, block, b"aad"), b"aad")


def case_raw_files(work: Path, size: int) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(MASTER)
    with (work / "plain").open("rb") as src, (work / "raw.enc").open("wb") as out:
        while block := src.read(CHUNK):
            out.write(aead.encrypt(NONCE, block, b"aad"))
    with (work / "raw.enc").open("rb") as src, (work / "raw.dec").open("wb") as out:
        while block := src.read(CHUNK + 16):
            out.write(aead.decrypt(NONCE, block, b"aad"))


def case_syncoxide_files(work: Path, size: int) -> None:
    from syncoxide.crypto import stream
    from syncoxide.crypto.keys import SecretBytes
    from syncoxide.native.crypto.backend import CryptographyBackend
    from syncoxide.native.crypto.files import _reader, _writer
    from syncoxide.system import SystemRandom

    backend, master = CryptographyBackend(), SecretBytes(MASTER)

    async def both() -> None:
        with (work / "plain").open("rb") as src, (work / "sx.enc").open("wb") as out:
            sealer = await stream.FileSealer.create(backend, master, SystemRandom())
            await stream.seal_stream(sealer, _reader(src), _writer(out))
        with (work / "sx.enc").open("rb") as src, (work / "sx.dec").open("wb") as out:
            read = _reader(src)
            opener = await stream.FileOpener.create(backend, master, await stream.read_header(read))
            await stream.open_stream(opener, read, _writer(out))

    asyncio.run(both())


def case_syncoxide_memory(work: Path, size: int) -> None:
    """seal_stream from memory; each sealed record is opened at once (no disk, no big buffer)."""
    from syncoxide.crypto import stream
    from syncoxide.crypto.format import FileHeader
    from syncoxide.crypto.keys import SecretBytes
    from syncoxide.native.crypto.backend import CryptographyBackend
    from syncoxide.system import SystemRandom

    backend, master, block = CryptographyBackend(), SecretBytes(MASTER), os.urandom(CHUNK)
    remaining, index, count = size, -1, max(1, -(-size // CHUNK))

    async def produce(wanted: int) -> bytes:
        nonlocal remaining
        take = min(wanted, remaining)
        remaining -= take
        return block[:take]

    async def both() -> None:
        sealer = await stream.FileSealer.create(backend, master, SystemRandom())
        assert isinstance(sealer.header, FileHeader)  # a sealer under a master key makes one
        opener = await stream.FileOpener.create(backend, master, sealer.header)

        async def open_each(record: bytes) -> None:
            nonlocal index
            if index >= 0:  # the first write is the header
                await opener.open_chunk(index, record, last=index == count - 1)
            index += 1

        await stream.seal_stream(sealer, produce, open_each)

    asyncio.run(both())


def case_cli(work: Path, size: int) -> None:
    """The user-facing path: Argon2id (64 MiB, 3 passes) twice, fsync, temp + rename."""
    from syncoxide.cli.main import main as cli

    os.environ["SYNCOXIDE_PASSWORD"] = "bench password"
    assert cli(["encrypt", str(work / "plain"), str(work / "cli.enc")]) == 0
    assert cli(["decrypt", str(work / "cli.enc"), str(work / "sx.dec")]) == 0


CASES = {
    "raw AESGCM, in memory": case_raw_memory,
    "syncoxide stream, in memory": case_syncoxide_memory,
    "raw AESGCM, file to file": case_raw_files,
    "syncoxide stream, file to file": case_syncoxide_files,
    "syncoxide CLI (Argon2id, fsync)": case_cli,
}


def peak_rss_kib() -> int:
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's peak across exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def make_plaintext(work: Path, size: int) -> None:
    target = work / "plain"
    if target.exists() and target.stat().st_size == size:
        return
    with target.open("wb") as out:
        for _ in range(size // 2**20):
            out.write(os.urandom(2**20))


def run_child(name: str, work: Path, size: int) -> tuple[float, float]:
    """Wall time of the work alone (imports excluded) and the child's own peak RSS in MB."""
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--dir",
        str(work),
        "--size-mib",
        str(size // 2**20),
    ]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    elapsed, peak_kib = result.stdout.split()
    return float(elapsed), int(peak_kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/syncoxide-crypto-bench"))
    parser.add_argument("--child", default=None)
    parser.add_argument("--repeat", type=int, default=2, help="runs per case; best wall is shown")
    args = parser.parse_args()
    size = args.size_mib * 2**20
    if args.child:
        started = time.perf_counter()
        CASES[args.child](args.dir, size)
        elapsed = time.perf_counter() - started
        print(elapsed, peak_rss_kib())
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    make_plaintext(args.dir, size)
    print(
        f"{args.size_mib} MiB encrypted then decrypted, 64 KiB chunks, best of {args.repeat}; "
        f"MB/s = 2 x size / wall (imports excluded); data in {args.dir}"
    )
    print(f"| {'case':32} | {'wall s':>7} | {'MB/s':>7} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 34}|{'-' * 9}|{'-' * 9}|{'-' * 13}|")
    for name in CASES:
        runs = []
        for _ in range(args.repeat):
            runs.append(run_child(name, args.dir, size))
            if (args.dir / "sx.dec").exists():
                check_round_trip(args.dir)
            drop_outputs(args.dir)
        elapsed, peak = min(r[0] for r in runs), max(r[1] for r in runs)
        print(f"| {name:32} | {elapsed:7.2f} | {2 * size / elapsed / 1e6:7.0f} | {peak:11.1f} |")
    for leftover in args.dir.iterdir():
        leftover.unlink()
    args.dir.rmdir()


def check_round_trip(work: Path) -> None:
    if subprocess.run(["cmp", str(work / "plain"), str(work / "sx.dec")]).returncode:
        raise SystemExit("syncoxide round trip differs from the plaintext")


def drop_outputs(work: Path) -> None:
    # Earlier cases' dirty pages would otherwise slow the next case's writes.
    for output in work.iterdir():
        if output.name != "plain":
            output.unlink()


if __name__ == "__main__":
    main()
