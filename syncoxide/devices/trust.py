"""The web of trust: which devices this one trusts, given every signed record it holds.

How it works. Each device keeps, per (signer, subject), only the newest record that signer made
about that subject (its *slot*); a record is taken only if its signature checks, its signer is
this device or one it trusts now, and its sequence is newer than the slot's. From the slots:

* revoked: grown to a fixed point from this device's own REVOKE records, adding the subjects of
  REVOKE records by any device it trusts directly and has not found revoked yet. Once in, a
  device stays in (two devices revoking each other are both revoked: we fail closed), until the
  device that revoked it signs a newer PAIR for it.
* trusted: subjects of this device's own PAIR/INTRODUCE slots, minus revoked. Nothing another
  device signs ever adds trust by itself: an INTRODUCE from a trusted device becomes a
  ``Prompt``; only accepting it (this device signing its own PAIR with ``via`` set) trusts.
* a revoked device never comes back through an introducer: introductions of it are refused.

Replays: a record whose sequence is not newer than its slot's is refused as ``replayed`` (so
an old REVOKE cannot undo a newer re-pairing), and two different records under one
(signer, sequence) are refused as ``equivocation``. Everything here is pure: signatures are
checked through the ``Ed25519`` port in ``take``, the rest is set arithmetic.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from syncoxide.devices.device_id import device_id
from syncoxide.devices.records import (
    NO_INTRODUCER,
    RecordKind,
    TrustRecord,
    parse_record,
    verify_record,
)
from syncoxide.devices.signing import Ed25519
from syncoxide.errors import FormatError, IntegrityError, NotFoundError, RecordRefusedError


class Refusal(enum.StrEnum):
    MALFORMED = "malformed"
    FORGED = "forged"
    REPLAYED = "replayed"
    EQUIVOCATION = "equivocation"
    UNKNOWN_SIGNER = "unknown-signer"
    REVOKED_SUBJECT = "revoked-subject"
    ABOUT_ITSELF = "about-itself"


_SAYS = {
    Refusal.MALFORMED: "is not a well-formed trust record",
    Refusal.FORGED: "carries a signature that does not check (forged or damaged)",
    Refusal.REPLAYED: "is older than what its signer already said about that device (a replay)",
    Refusal.EQUIVOCATION: "reuses a sequence number its signer already used for another record",
    Refusal.UNKNOWN_SIGNER: "is signed by a device this one does not trust",
    Refusal.REVOKED_SUBJECT: "would bring back a revoked device",
    Refusal.ABOUT_ITSELF: "is a device's statement about itself",
}


def _refuse(reason: Refusal, record: TrustRecord | None = None) -> RecordRefusedError:
    what = f"The trust record ({record.describe()})" if record else "The trust record"
    return RecordRefusedError(
        f"{what} {_SAYS[reason]}; it was not taken.",
        reason=reason.value,
        hint="Nothing changed in this device's trust.",
    )


@dataclass(frozen=True)
class Prompt:
    """A device some trusted devices suggest adding: shown to the user, never acted on alone."""

    subject: bytes
    name: str
    introducers: tuple[bytes, ...]


@dataclass(frozen=True)
class Edge:
    """One line of the trust graph: who said what about whom, and through whom."""

    signer: bytes
    subject: bytes
    kind: RecordKind
    name: str
    via: bytes | None
    issued_at: int


class TrustLedger:
    def __init__(self, owner: bytes, records: Iterable[TrustRecord] = ()) -> None:
        self.owner = owner
        self._slots: dict[tuple[bytes, bytes], TrustRecord] = {}
        self._sequences: dict[tuple[bytes, int], bytes] = {}
        for record in records:  # our own store: checked when first taken
            self._store(record)

    async def take(self, raw: bytes, ed25519: Ed25519) -> bool:
        """Check and keep one record from a peer; False if it was already here."""
        try:
            record = parse_record(raw)
        except (FormatError, IntegrityError):
            raise _refuse(Refusal.MALFORMED) from None
        if not await verify_record(record, ed25519):
            raise _refuse(Refusal.FORGED, record)
        return self.admit(record)

    def admit(self, record: TrustRecord) -> bool:
        """The checks after the signature: who may say it, and is it newer than what we had."""
        known = self._sequences.get((record.signer, record.sequence))
        if known is not None:
            if known != record.to_bytes():
                raise _refuse(Refusal.EQUIVOCATION, record)
            if self._slots[record.slot].sequence != record.sequence:
                raise _refuse(Refusal.REPLAYED, record)  # taken once, since superseded
            return False
        if record.signer == record.subject:
            raise _refuse(Refusal.ABOUT_ITSELF, record)
        if record.signer != self.owner and record.signer not in self._may_sign(record.kind):
            raise _refuse(Refusal.UNKNOWN_SIGNER, record)
        current = self._slots.get(record.slot)
        if current is not None and current.sequence >= record.sequence:
            raise _refuse(Refusal.REPLAYED, record)
        if record.kind.trusts and not self._may_trust(record):
            raise _refuse(Refusal.REVOKED_SUBJECT, record)
        self._store(record)
        return True

    def _may_sign(self, kind: RecordKind) -> set[bytes]:
        # A revocation is kept from any device we paired with, even one found revoked since:
        # ``revoked`` then decides whether it counts, whatever order the records came in.
        return self._own_trust() if kind is RecordKind.REVOKE else self.trusted()

    def _may_trust(self, record: TrustRecord) -> bool:
        """A revoked subject can be trusted again only by the one device that revoked it."""
        if record.subject not in self.revoked():
            return True
        revokers = {
            signer
            for (signer, subject), slot in self._slots.items()
            if subject == record.subject and slot.kind is RecordKind.REVOKE
        }
        return revokers == {record.signer} and record.kind is RecordKind.PAIR

    def _store(self, record: TrustRecord) -> None:
        self._sequences[(record.signer, record.sequence)] = record.to_bytes()
        self._slots[record.slot] = record

    def _own_trust(self) -> set[bytes]:
        return {
            subject
            for (signer, subject), record in self._slots.items()
            if signer == self.owner and record.kind.trusts
        }

    def revoked(self) -> set[bytes]:
        direct = self._own_trust()
        revocations = [r for r in self._slots.values() if r.kind is RecordKind.REVOKE]
        revoked: set[bytes] = set()
        while True:
            revokers = {self.owner} | (direct - revoked)
            grown = revoked | {r.subject for r in revocations if r.signer in revokers}
            grown.discard(self.owner)
            if grown == revoked:
                return revoked
            revoked = grown

    def trusted(self) -> set[bytes]:
        return self._own_trust() - self.revoked()

    def prompts(self) -> list[Prompt]:
        trusted, revoked = self.trusted(), self.revoked()
        waiting: dict[bytes, list[TrustRecord]] = {}
        for record in self._slots.values():
            subject = record.subject
            if (
                record.kind is RecordKind.INTRODUCE
                and record.signer in trusted
                and subject not in trusted | revoked
                and subject != self.owner
                and (self.owner, subject) not in self._slots
            ):
                waiting.setdefault(subject, []).append(record)
        return [
            Prompt(subject, found[0].name, tuple(sorted(r.signer for r in found)))
            for subject, found in sorted(waiting.items())
        ]

    def next_sequence(self) -> int:
        own = [sequence for signer, sequence in self._sequences if signer == self.owner]
        return max(own, default=0) + 1

    def statement(
        self, kind: RecordKind, subject: bytes, *, name: str, issued_at: int, via: bytes | None
    ) -> TrustRecord:
        """An unsigned record by this device, next in its sequence (sign it, then ``admit``)."""
        return TrustRecord(
            kind, self.next_sequence(), issued_at, self.owner, subject, name,
            via or NO_INTRODUCER,
        )  # fmt: skip

    def acceptance(self, subject: bytes, *, issued_at: int) -> TrustRecord:
        """The PAIR that accepts the prompt about ``subject`` (names its first introducer)."""
        for prompt in self.prompts():
            if prompt.subject == subject:
                return self.statement(
                    RecordKind.PAIR, subject, name=prompt.name, issued_at=issued_at,
                    via=prompt.introducers[0],
                )  # fmt: skip
        raise NotFoundError(
            f"No trusted device suggests adding {device_id(subject)}.",
            hint="`syncoxide devices list` shows the suggestions waiting for an answer.",
        )

    def introducer_of(self, subject: bytes) -> bytes | None:
        """Who introduced ``subject`` to this device (its own trust names them), if anyone."""
        own = self._slots.get((self.owner, subject))
        return own.introducer if own is not None and own.kind.trusts else None

    def name_of(self, subject: bytes) -> str:
        own = self._slots.get((self.owner, subject))
        if own is not None and own.name:
            return own.name
        return next((r.name for r in self._slots.values() if r.subject == subject and r.name), "")

    def records(self) -> list[TrustRecord]:
        """What this device hands its peers: the newest record of every slot, oldest first."""
        return sorted(self._slots.values(), key=lambda r: (r.signer, r.sequence))

    def graph(self) -> list[Edge]:
        return [
            Edge(r.signer, r.subject, r.kind, r.name, r.introducer, r.issued_at)
            for r in self.records()
        ]
