"""One big file synced to a real OpenSSH sshd in concurrent ranges written at offsets, killed at
seeded points and resumed: only the ranges the journal vouches for and the server still holds
are skipped, nothing appears under the final name before the partial is renamed into place, a
range changed on the server is sent again, and a source edited while down is copied afresh.

A kill is an exception no handler catches (as SIGKILL leaves things); the provider is rebuilt
for each run, so all that carries over is the journal and the partial file on the server.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import random
from pathlib import Path
from typing import Any

import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunReport
from syncoxide.native.providers.sftp.provider import SftpProvider, SftpSettings
from syncoxide.providers.contract import PARTIAL_PREFIX
from tests.native.providers.parts_runs import journaled_parts, sync_in_parts
from tests.servers import SshServer

PART = 2 * 1024 * 1024
PARTS = 12
SIZE = (PARTS - 1) * PART + 999  # 12 ranges, the last one short: about 22 MiB
_roots = itertools.count()


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


class DyingSftp(SftpProvider):
    """An SFTP root whose process dies when it is about to write range ``parts_left + 1``;
    counts the ranges and bytes it writes."""

    def __init__(self, settings: SftpSettings, parts_left: int = -1) -> None:
        super().__init__(settings)
        self.parts_left = parts_left
        self.parts_sent = 0
        self.bytes_sent = 0

    async def write_part(self, path, token, offset, chunks, *, size):  # type: ignore[no-untyped-def]
        if self.parts_left == 0:
            raise Killed
        self.parts_left -= 1
        self.parts_sent += 1

        async def counted() -> Any:
            async for block in chunks:
                self.bytes_sent += len(block)
                yield block

        await super().write_part(path, token, offset, counted(), size=size)


class Setup:
    def __init__(self, root: Path, server: SshServer, seed: int = 7) -> None:
        self.source_dir = root / "a"
        self.source_dir.mkdir()
        self.content = random.Random(seed).randbytes(SIZE)
        (self.source_dir / "big.bin").write_bytes(self.content)
        self.remote = server.home / f"parts{os.getpid()}-{next(_roots)}"
        self.remote.mkdir()
        self.settings = SftpSettings(
            host="127.0.0.1",
            port=server.port,
            username=server.username,
            root=str(self.remote),
            private_key=str(server.client_key),
            known_hosts=str(server.known_hosts),
        )
        self.store = MemoryPairStore()
        self.dest = DyingSftp(self.settings)

    def run(self, *, parts_left: int = -1, streams: int = 3) -> RunReport:
        self.dest = DyingSftp(self.settings, parts_left)  # a new process: nothing in memory
        return sync_in_parts(
            self.source_dir, self.dest, self.store, part=PART, streams=streams, seed=b"sftp-parts"
        )

    def journaled_parts(self) -> int:
        return journaled_parts(self.store)

    def leftovers(self) -> list[Path]:
        return [p for p in self.remote.iterdir() if p.name.startswith(PARTIAL_PREFIX)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_big_file_goes_up_in_ranges_and_arrives_whole(
    sshd_server: SshServer, tmp_path: Path
) -> None:
    setup = Setup(tmp_path, sshd_server)
    report = setup.run()
    assert not report.failures
    assert setup.dest.parts_sent == PARTS and setup.dest.bytes_sent == SIZE
    assert _sha256((setup.remote / "big.bin").read_bytes()) == _sha256(setup.content)
    assert setup.leftovers() == []
    source_mtime = (setup.source_dir / "big.bin").stat().st_mtime_ns
    assert (setup.remote / "big.bin").stat().st_mtime_ns == source_mtime - source_mtime % 10**9


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_a_killed_parallel_copy_resumes_sending_only_missing_ranges(
    sshd_server: SshServer, tmp_path: Path, seed: int
) -> None:
    setup = Setup(tmp_path, sshd_server, seed)
    kill_at = random.Random(seed).randrange(1, PARTS - 1)
    with pytest.raises(Killed):
        setup.run(parts_left=kill_at)
    assert not (setup.remote / "big.bin").exists()  # nothing under the final name
    assert len(setup.leftovers()) == 1
    journaled = setup.journaled_parts()
    assert 0 < journaled <= kill_at
    report = setup.run()
    assert len(report.resumed) == 1 and not report.failures
    assert setup.dest.parts_sent == PARTS - journaled
    assert setup.dest.bytes_sent == SIZE - journaled * PART
    assert _sha256((setup.remote / "big.bin").read_bytes()) == _sha256(setup.content)
    assert setup.leftovers() == [] and setup.store.journal is None


def test_a_range_changed_on_the_server_is_sent_again(
    sshd_server: SshServer, tmp_path: Path
) -> None:
    setup = Setup(tmp_path, sshd_server)
    with pytest.raises(Killed):
        setup.run(parts_left=5, streams=1)
    (partial,) = setup.leftovers()
    with partial.open("r+b") as handle:  # flip a byte inside a journaled range
        handle.seek(PART + 17)
        byte = handle.read(1)
        handle.seek(PART + 17)
        handle.write(bytes([byte[0] ^ 0xFF]))
    setup.run()
    assert setup.dest.parts_sent == PARTS - 5 + 1
    assert _sha256((setup.remote / "big.bin").read_bytes()) == _sha256(setup.content)


def test_a_source_edited_while_down_is_copied_afresh(
    sshd_server: SshServer, tmp_path: Path
) -> None:
    setup = Setup(tmp_path, sshd_server)
    with pytest.raises(Killed):
        setup.run(parts_left=4, streams=1)
    changed = setup.content[: 3 * PART] + b"edited" + setup.content[3 * PART + 6 :]
    (setup.source_dir / "big.bin").write_bytes(changed)
    os.utime(setup.source_dir / "big.bin", ns=(2 * 10**18, 2 * 10**18))
    setup.run()
    assert _sha256((setup.remote / "big.bin").read_bytes()) == _sha256(changed)
    assert setup.leftovers() == []
