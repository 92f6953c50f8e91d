"""trust.json with two writers at once: a CLI command signing records (trusting or revoking a
device) while the daemon keeps the records a peer sent must lose neither's (every change reads,
changes and replaces the file under one exclusive lock: DeviceStore)."""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.records import RecordKind, sign_record
from syncoxide.devices.trust import TrustLedger
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.native.devices.store import DeviceStore

ED25519 = NativeEd25519()
EACH = 25


def public_of(name: str) -> bytes:
    return asyncio.run(ED25519.public_key(seed_of(name)))


def seed_of(name: str) -> SecretBytes:
    return SecretBytes(hashlib.sha256(name.encode()).digest())


def signs_many(folder: str, start: Barrier) -> None:
    """The CLI: one ``devices revoke`` after another, as fast as they go (its own process)."""
    store = DeviceStore(Path(folder))
    start.wait()
    for number in range(EACH):
        ledger = asyncio.run(store.ledger())
        subject = public_of(f"cli-{number}")
        statement = ledger.statement(
            RecordKind.REVOKE, subject, name=f"cli-{number}", issued_at=1, via=None
        )
        asyncio.run(store.sign_and_keep(statement))


def keeps_many(folder: str, raws: list[bytes], start: Barrier) -> None:
    """The daemon: each record the phone sent kept as it arrives (its own process)."""
    store = DeviceStore(Path(folder))
    start.wait()
    for raw in raws:
        added, refused = asyncio.run(store.take([raw]))
        assert (added, refused) == (1, [])


def phone_records(laptop: bytes) -> tuple[bytes, list[bytes]]:
    """The phone's PAIR of the laptop, then its PAIRs of ``EACH`` other devices, signed."""
    phone = TrustLedger(public_of("phone"))
    raws = []
    for name, subject in [("laptop", laptop)] + [
        (f"peer-{n}", public_of(f"peer-{n}")) for n in range(EACH)
    ]:
        unsigned = phone.statement(RecordKind.PAIR, subject, name=name, issued_at=1, via=None)
        record = asyncio.run(sign_record(unsigned, seed_of("phone"), ED25519))
        phone.admit(record)
        raws.append(record.to_bytes())
    return raws[0], raws[1:]


def test_a_cli_command_and_the_daemon_writing_trust_at_once_lose_no_record(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "devices"
    store = DeviceStore(folder)
    laptop = asyncio.run(store.identity()).public
    ledger = asyncio.run(store.ledger())
    pairing = ledger.statement(
        RecordKind.PAIR, public_of("phone"), name="phone", issued_at=1, via=None
    )
    asyncio.run(store.sign_and_keep(pairing))
    phone_pair, sent = phone_records(laptop)
    assert asyncio.run(store.take([phone_pair])) == (1, [])

    forked = multiprocessing.get_context("fork")
    start = forked.Barrier(2)
    writers = [
        forked.Process(target=signs_many, args=(str(folder), start)),
        forked.Process(target=keeps_many, args=(str(folder), sent, start)),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0

    kept = asyncio.run(store.ledger())
    ours = [r for r in kept.records() if r.signer == laptop]
    theirs = [r for r in kept.records() if r.signer == public_of("phone")]
    assert (len(ours), len(theirs)) == (1 + EACH, 1 + EACH), "records were lost"
    assert sorted(r.sequence for r in ours) == list(range(1, EACH + 2))
    assert {public_of(f"cli-{n}") for n in range(EACH)} <= kept.revoked()
    assert kept.trusted() == {public_of("phone")}
