"""A provider backup from the real S3 test server (rclone serve s3) into real borg, restored
and compared by hash (a file replaced mid-backup: test_s3_backup_mtimes.py)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.provider_tar import TarTally, provider_tar
from syncoxide.native.backup.repository import BorgRepository
from syncoxide.native.providers.s3.provider import S3Provider
from tests.servers import S3Server

from .test_provider_s3 import _settings


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_s3_files_back_up_through_a_tar_stream_and_restore_by_hash(
    rclone_s3: S3Server, tmp_path: Path
) -> None:
    files = {f"backup-case/d{i % 3}/f{i}.bin": os.urandom(1000 * i + 1) for i in range(12)}
    files["backup-case/big.bin"] = os.urandom(3 << 20)
    settings = BorgSettings("s3 pass", base_dir=tmp_path / "borg-base", lock_wait=1)
    repository = BorgRepository(str(tmp_path / "repo"), settings)

    where = _settings(rclone_s3)  # one prefix for the writes and the backup

    async def scenario() -> TarTally:
        async with S3Provider(where) as provider:
            for path, content in files.items():
                await provider.write(path, _chunks(content))
        await repository.init()
        tally = TarTally()
        async with S3Provider(where) as provider:
            await repository.import_tar("s3-1", provider_tar(provider, tally))
        return tally

    tally = asyncio.run(scenario())
    assert tally.files >= len(files)
    asyncio.run(repository.extract("s3-1", tmp_path / "out", ["backup-case"]))
    wanted = {p: hashlib.sha256(c).hexdigest() for p, c in files.items()}
    assert digests(tmp_path / "out") == wanted


async def _chunks(content: bytes):  # type: ignore[no-untyped-def]
    yield content
