"""What ``syncoxide devices list`` shows: the trust ledger as a JSON-ready report and as text."""

from __future__ import annotations

from typing import Any

from syncoxide.devices.device_id import device_id
from syncoxide.devices.trust import TrustLedger


def ledger_report(ledger: TrustLedger, own_name: str) -> dict[str, Any]:
    def device(key: bytes) -> dict[str, str]:
        name = own_name if key == ledger.owner else ledger.name_of(key)
        return {"device_id": device_id(key), "name": name}

    own = {e.subject: e for e in ledger.graph() if e.signer == ledger.owner}
    trusted = []
    for key in sorted(ledger.trusted()):
        via = own[key].via if key in own else None
        trusted.append({**device(key), "introduced_by": device_id(via) if via else None})
    return {
        "device": device(ledger.owner),
        "trusted": trusted,
        "suggested": [
            {**device(p.subject), "suggested_by": [device_id(k) for k in p.introducers]}
            for p in ledger.prompts()
        ],
        "revoked": [device(key) for key in sorted(ledger.revoked())],
        "records": [
            {
                "signer": device_id(e.signer),
                "subject": device_id(e.subject),
                "kind": e.kind.name.lower(),
                "via": device_id(e.via) if e.via else None,
                "issued_at": e.issued_at,
            }
            for e in ledger.graph()
        ],
    }


def print_report(report: dict[str, Any]) -> None:
    me = report["device"]
    print(f"This device: {me['name']} ({me['device_id']})")
    if not report["trusted"]:
        print("No trusted devices yet: pair one with `syncoxide devices pair --server URL`.")
    for entry in report["trusted"]:
        via = f", introduced by {entry['introduced_by']}" if entry["introduced_by"] else ""
        print(f"  trusted    {entry['device_id']}  {entry['name']}{via}")
    for entry in report["suggested"]:
        by = ", ".join(entry["suggested_by"])
        print(f"  suggested  {entry['device_id']}  {entry['name']} (by {by}):"
              f" `syncoxide devices trust {entry['device_id']}` to accept")  # fmt: skip
    for entry in report["revoked"]:
        print(f"  revoked    {entry['device_id']}  {entry['name']}")
