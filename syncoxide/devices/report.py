"""The trust ledger as a JSON-ready report: what ``syncoxide devices list --json`` prints and
what the app's Devices view shows, from one place so both say the same."""

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
