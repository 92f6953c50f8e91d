"""What `syncoxide devices list` shows as text (the report: syncoxide/devices/report.py)."""

from __future__ import annotations

from typing import Any


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
