"""The web of trust with real Ed25519 signatures: introductions prompt, revocations spread and
stick, forged and replayed records are refused (syncoxide/devices/trust.py)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.records import RecordKind, TrustRecord, parse_record, sign_record
from syncoxide.devices.trust import TrustLedger
from syncoxide.errors import NotFoundError, RecordRefusedError
from syncoxide.native.devices.ed25519 import NativeEd25519

ED25519 = NativeEd25519()
VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "devices" / "trust_record_v1.json"


@dataclass
class Device:
    name: str
    seed: SecretBytes = field(init=False)
    public: bytes = field(init=False)
    ledger: TrustLedger = field(init=False)

    def __post_init__(self) -> None:
        self.seed = SecretBytes(hashlib.sha256(self.name.encode()).digest())
        self.public = asyncio.run(ED25519.public_key(self.seed))
        self.ledger = TrustLedger(self.public)

    def says(self, kind: RecordKind, other: Device, *, via: Device | None = None) -> bytes:
        unsigned = self.ledger.statement(
            kind, other.public, name=other.name, issued_at=1, via=via.public if via else None
        )
        record = asyncio.run(sign_record(unsigned, self.seed, ED25519))
        self.ledger.admit(record)
        return record.to_bytes()

    def hears(self, *raws: bytes) -> None:
        for raw in raws:
            asyncio.run(self.ledger.take(raw, ED25519))

    def signs(self, kind: RecordKind, other: Device, sequence: int) -> bytes:
        """A record made outside this device's own ledger (as a compromised device could)."""
        unsigned = TrustRecord(kind, sequence, 1, self.public, other.public, other.name)
        return asyncio.run(sign_record(unsigned, self.seed, ED25519)).to_bytes()

    def refuses(self, raw: bytes) -> str:
        with pytest.raises(RecordRefusedError) as refused:
            asyncio.run(self.ledger.take(raw, ED25519))
        return refused.value.reason


def paired(a: Device, b: Device) -> tuple[bytes, bytes]:
    first, second = a.says(RecordKind.PAIR, b), b.says(RecordKind.PAIR, a)
    a.hears(second)
    b.hears(first)
    return first, second


@pytest.mark.parametrize("case", json.loads(VECTORS.read_text())["cases"], ids=lambda c: c["label"])
def test_vector_signatures_check_and_signing_is_deterministic(case: dict[str, str]) -> None:
    record = parse_record(bytes.fromhex(case["record"]))
    assert asyncio.run(ED25519.verify(record.signer, record.signed_part(), record.signature))
    seed = SecretBytes(bytes.fromhex(case["signer_seed"]))
    again = asyncio.run(sign_record(replace(record, signature=b""), seed, ED25519))
    assert again.to_bytes().hex() == case["record"]


def test_pairing_trusts_both_ways_and_nothing_else() -> None:
    laptop, phone = Device("laptop"), Device("phone")
    paired(laptop, phone)
    assert laptop.ledger.trusted() == {phone.public}
    assert phone.ledger.trusted() == {laptop.public}


def test_an_introduction_is_a_prompt_until_accepted() -> None:
    laptop, phone, tablet = Device("laptop"), Device("phone"), Device("tablet")
    paired(laptop, phone)
    paired(laptop, tablet)
    phone.hears(laptop.says(RecordKind.INTRODUCE, tablet))
    assert tablet.public not in phone.ledger.trusted()
    [prompt] = phone.ledger.prompts()
    assert (prompt.subject, prompt.name, prompt.introducers) == (
        tablet.public,
        "tablet",
        (laptop.public,),
    )
    accept = phone.ledger.acceptance(tablet.public, issued_at=2)
    record = asyncio.run(sign_record(accept, phone.seed, ED25519))
    phone.ledger.admit(record)
    assert tablet.public in phone.ledger.trusted()
    assert phone.ledger.prompts() == []
    [edge] = [
        e for e in phone.ledger.graph() if e.signer == phone.public and e.subject == tablet.public
    ]
    assert edge.via == laptop.public  # who introduced whom stays visible
    assert phone.ledger.introducer_of(tablet.public) == laptop.public  # where to ask for a room
    assert phone.ledger.introducer_of(laptop.public) is None  # paired directly
    phone.says(RecordKind.REVOKE, tablet)
    assert phone.ledger.introducer_of(tablet.public) is None  # no longer trusted at all


def test_accepting_without_a_prompt_is_refused() -> None:
    with pytest.raises(NotFoundError):
        Device("laptop").ledger.acceptance(Device("phone").public, issued_at=1)


def test_a_forged_introduction_is_refused() -> None:
    laptop, phone, mallory = Device("laptop"), Device("phone"), Device("mallory")
    paired(laptop, phone)
    # Mallory signs an introduction of herself and claims laptop as the signer.
    unsigned = TrustRecord(RecordKind.INTRODUCE, 50, 1, laptop.public, mallory.public, "mallory")
    forged = asyncio.run(sign_record(unsigned, mallory.seed, ED25519))
    assert phone.refuses(forged.to_bytes()) == "forged"
    # A genuine record with one byte of its name changed fails the same way.
    genuine = bytearray(laptop.says(RecordKind.INTRODUCE, Device("tablet")))
    genuine[120] ^= 1
    assert phone.refuses(bytes(genuine)) == "forged"
    assert phone.ledger.prompts() == []


def test_an_introduction_by_an_untrusted_device_is_refused() -> None:
    phone, stranger, tablet = Device("phone"), Device("stranger"), Device("tablet")
    assert phone.refuses(stranger.says(RecordKind.INTRODUCE, tablet)) == "unknown-signer"


def test_a_revocation_spreads_and_a_revoked_device_never_comes_back_through_an_introducer() -> None:
    laptop, phone, tablet, old = Device("laptop"), Device("phone"), Device("tablet"), Device("old")
    for a, b in [(laptop, phone), (laptop, tablet), (phone, tablet), (laptop, old), (phone, old)]:
        paired(a, b)
    revocation = laptop.says(RecordKind.REVOKE, old)
    phone.hears(revocation)  # spreads: phone trusted old directly, yet follows laptop's word
    assert old.public not in phone.ledger.trusted()
    assert old.public in phone.ledger.revoked()
    tablet.hears(revocation)
    # Phone's own ledger will not introduce a revoked device; a tampered phone signs one anyway,
    # with a newer sequence: every device that heard the revocation refuses it.
    with pytest.raises(RecordRefusedError):
        phone.says(RecordKind.INTRODUCE, old)
    reintroduction = phone.signs(RecordKind.INTRODUCE, old, sequence=99)
    assert tablet.refuses(reintroduction) == "revoked-subject"
    assert laptop.refuses(reintroduction) == "revoked-subject"
    assert old.public not in laptop.ledger.trusted() | {p.subject for p in laptop.ledger.prompts()}
    # Records signed by the revoked device itself no longer count anywhere.
    assert phone.refuses(old.says(RecordKind.INTRODUCE, Device("evil"))) == "unknown-signer"


def test_a_replayed_revocation_cannot_undo_a_newer_re_pairing() -> None:
    laptop, phone, tablet = Device("laptop"), Device("phone"), Device("tablet")
    paired(laptop, phone)
    paired(laptop, tablet)
    phone.hears(laptop.says(RecordKind.INTRODUCE, tablet))
    revocation = laptop.says(RecordKind.REVOKE, tablet)
    phone.hears(revocation)
    re_paired = laptop.says(RecordKind.PAIR, tablet)  # the revoker itself lifts it, in person
    phone.hears(re_paired)
    assert tablet.public in laptop.ledger.trusted()
    assert phone.refuses(revocation) == "replayed"  # resent: older than the re-pairing
    assert tablet.public not in phone.ledger.revoked()


def test_a_duplicate_is_taken_quietly_but_a_second_record_under_one_sequence_is_refused() -> None:
    laptop, phone, tablet = Device("laptop"), Device("phone"), Device("tablet")
    first, _ = paired(laptop, phone)
    assert asyncio.run(phone.ledger.take(first, ED25519)) is False
    other = TrustRecord(RecordKind.INTRODUCE, 1, 1, laptop.public, tablet.public, "tablet")
    twin = asyncio.run(sign_record(other, laptop.seed, ED25519))
    assert phone.refuses(twin.to_bytes()) == "equivocation"


def test_garbage_is_malformed() -> None:
    assert Device("phone").refuses(b"SXTR\x01garbage") == "malformed"


def test_two_devices_revoking_each_other_are_both_revoked() -> None:
    me, a, b = Device("me"), Device("a"), Device("b")
    paired(me, a)
    paired(me, b)
    paired(a, b)
    me.hears(a.says(RecordKind.REVOKE, b), b.says(RecordKind.REVOKE, a))
    assert me.ledger.trusted() == set()


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(6)))
def test_the_outcome_does_not_depend_on_the_order_records_arrive(order: list[int]) -> None:
    laptop, phone, tablet, old = Device("laptop"), Device("phone"), Device("tablet"), Device("old")
    paired(laptop, phone)
    records = [
        laptop.says(RecordKind.PAIR, tablet),
        laptop.says(RecordKind.INTRODUCE, tablet),
        laptop.says(RecordKind.PAIR, old),
        laptop.says(RecordKind.INTRODUCE, old),
        laptop.says(RecordKind.REVOKE, old),
        laptop.says(RecordKind.INTRODUCE, Device("watch")),
    ]
    for index in order:
        try:
            phone.hears(records[index])
        except RecordRefusedError as refused:
            assert refused.reason == "replayed"  # only older news about the same slot
    assert {p.name for p in phone.ledger.prompts()} == {"tablet", "watch"}
    assert old.public in phone.ledger.revoked()
