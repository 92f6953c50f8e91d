"""Names from arbitrary bytes through every provider that keeps names (hypothesis).

A name is any bytes but "/" and NUL, carried as ``surrogateescape`` text. Providers that store
bytes (local folders, memory, the encrypted folder) must give every one back exactly; S3 keeps
Unicode names only, so it gets the valid UTF-8 ones, control characters included (a newline
once made its folder markers vanish on moto), and the engine leaves the rest out as unmapped.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncoxide.byte_names import from_bytes, needs_bytes
from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, run_pair
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3 import key_names
from syncoxide.native.providers.s3.provider import S3Provider, S3Settings
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.providers.contract import EntryKind, Provider, chunks_of
from syncoxide.providers.encrypted import PasswordFolder
from syncoxide.providers.memory import MemoryProvider
from syncoxide.sync.plan import Mode
from syncoxide.system import SystemRandom
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

FAST = Argon2Params(memory_kib=1024, iterations=1)
_folders = itertools.count()

name_bytes = st.binary(min_size=1, max_size=40).filter(
    lambda raw: b"/" not in raw and b"\0" not in raw and raw not in (b".", b"..")
)
name_lists = st.lists(name_bytes, min_size=1, max_size=5, unique=True)
EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


async def _read(provider: Provider, path: str) -> bytes:
    return b"".join([chunk async for chunk in provider.open_read(path)])


async def _round_trip(provider: Provider, names: list[str]) -> None:
    """Each name as a folder holding a file of the same name: listed, read back, exactly."""
    top = f"case{next(_folders)}"
    for index, name in enumerate(names):
        await provider.mkdir(f"{top}/{name}")
        await provider.write(f"{top}/{name}/{name}", chunks_of(b"%d" % index), mtime_ns=10**18)
    listed = {
        entry.path: entry.kind
        async for page in provider.list_tree()
        for entry in page
        if entry.path.startswith(f"{top}/")
    }
    for index, name in enumerate(names):
        assert listed[f"{top}/{name}"] is EntryKind.DIR
        assert listed[f"{top}/{name}/{name}"] is EntryKind.FILE
        assert await _read(provider, f"{top}/{name}/{name}") == b"%d" % index
    assert len(listed) == 2 * len(names)


def _run(work: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(work())  # type: ignore[arg-type]


@EXAMPLES
@given(name_lists)
def test_local_folders_keep_every_byte_name(tmp_path: Path, raws: list[bytes]) -> None:
    names = [from_bytes(raw) for raw in raws]
    _run(lambda: _round_trip(LocalProvider(tmp_path), names))


@EXAMPLES
@given(name_lists)
def test_memory_keeps_every_byte_name(raws: list[bytes]) -> None:
    names = [from_bytes(raw) for raw in raws]
    _run(lambda: _round_trip(MemoryProvider(), names))


@EXAMPLES
@given(name_lists)
def test_encrypted_folders_keep_every_byte_name(raws: list[bytes]) -> None:
    names = [from_bytes(raw) for raw in raws]
    password = SecretBytes(b"long enough password")

    async def work() -> None:
        folder = PasswordFolder(
            MemoryProvider(), CryptographyBackend(), password, SystemRandom(), params=FAST
        )
        await _round_trip(folder, names)

    _run(work)


def _s3(server: S3Server) -> S3Provider:
    return S3Provider(
        S3Settings(
            bucket=server.bucket,
            prefix=f"names{next(_folders)}",
            endpoint_url=server.endpoint,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            max_attempts=1,
        )
    )


@EXAMPLES
@given(name_lists)
def test_s3_keeps_every_unicode_name(moto_s3: S3Server, raws: list[bytes]) -> None:
    names = [name for name in (from_bytes(raw) for raw in raws) if not needs_bytes(name)]

    async def work() -> None:
        async with _s3(moto_s3) as provider:
            await _round_trip(provider, names)

    if names:
        _run(work)


def test_a_newline_in_a_folder_name_reaches_s3(moto_s3: S3Server) -> None:
    async def work() -> None:
        async with _s3(moto_s3) as provider:
            await _round_trip(provider, ["line\nbreak", "tab\there", "bell\x07", "\u240a pic"])

    _run(work)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab\n\x00\x7f\u240a\u2421\u201b\u2400"), max_size=12))
def test_s3_key_spelling_is_exact_and_free_of_controls(path: str) -> None:
    key = key_names.encode(path)
    assert key_names.decode(key) == path
    assert not any(char < " " or char == "\x7f" for char in key)


def test_s3_key_spelling_leaves_ordinary_names_alone() -> None:
    for name in ("a.txt", "it\u201bs", "caf\u00e9/\u6e2c\u8a66.txt"):
        assert key_names.encode(name) == name == key_names.decode(name)
    assert key_names.encode("a\nb") == "a\u240ab"


def test_a_byte_name_is_reported_unmapped_and_the_rest_reaches_s3(
    tmp_path: Path, moto_s3: S3Server
) -> None:
    (tmp_path / "ok.txt").write_bytes(b"fine")
    bad = from_bytes(b"bad_\x81.txt")
    (tmp_path / bad).write_bytes(b"kept where it is")

    async def work() -> None:
        async with _s3(moto_s3) as remote:
            options = RunOptions(Mode.BISYNC)
            clock, random = FixedClock(1_700_000_000.0), SeededRandom(b"names")
            local = LocalProvider(tmp_path)
            report = await run_pair(
                local, remote, MemoryPairStore(), options, clock=clock, random=random
            )
            assert not report.failures
            assert [s.path for s in report.plan.skipped] == [bad]
            assert report.plan.skipped[0].reason.startswith("unmapped:")
            assert await _read(remote, "ok.txt") == b"fine"
            again = await run_pair(
                local, remote, MemoryPairStore(), options, clock=clock, random=random
            )
            assert not again.plan.actions

    _run(work)
    assert (tmp_path / bad).read_bytes() == b"kept where it is"
