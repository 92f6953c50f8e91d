"""Plain-text views of the catalog API's answers, one line per file, for people to read.

Scripts should use ``--json``: these columns may change, the JSON follows the API's schema.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")


def size(count: int) -> str:
    """1536 -> '1.5 KB' (powers of 1024, as file managers show them)."""
    amount = float(count)
    for unit in _UNITS:
        if amount < 1024 or unit == _UNITS[-1]:
            return f"{count} B" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def _line(entry: dict[str, Any], extra: str = "") -> str:
    name = entry["location"] + ("/" if entry["kind"] == "dir" else "")
    stamp = when(entry["mtime_ns"] / 1e9) if entry["mtime_ns"] else "-"
    shown = size(entry["size"]) if entry["kind"] == "file" else "-"
    return f"{shown:>10}  {stamp}  {extra}{name}"


def entries(answer: dict[str, Any]) -> None:
    found = answer["entries"]
    for entry in found:
        print(_line(entry))
    if not found:
        print("Nothing found.")


def recent(answer: dict[str, Any]) -> None:
    for entry in answer["entries"]:
        print(_line(entry, f"{entry['action']:<9} "))
    if not answer["entries"]:
        print("Nothing yet.")


def starred(is_starred: bool) -> Callable[[dict[str, Any]], None]:
    def show(entry: dict[str, Any]) -> None:
        print(f"{'Starred' if is_starred else 'Unstarred'} {entry['location']}.")

    return show


def items(answer: dict[str, Any]) -> None:
    """Trash items or versions: the id to restore, size, when it was kept, the path."""
    for item in answer["items"]:
        forever = "  (kept forever)" if item["keep_forever"] else ""
        shown = size(item["size"]) if item["kind"] == "file" else "folder"
        kept = when(item["kept_at"])
        print(f"{item['id']:>8}  {shown:>10}  {kept}  home:{item['path']}{forever}")
    if not answer["items"]:
        print("Nothing kept.")


def restored(answer: dict[str, Any]) -> None:
    print(f"Restored home:{answer['path']}.")


def restored_at(entry: dict[str, Any]) -> None:
    print(f"Restored {entry['location']} ({size(entry['size'])}).")


def provider_versions(answer: dict[str, Any]) -> None:
    """Versions a provider keeps: its id for --restore, size, when stored, current or not."""
    for version in answer["versions"]:
        current = "  (current)" if version["current"] else ""
        stored = when(version["stored_ns"] // 10**9)
        print(f"{version['version_id']}  {size(version['size']):>10}  {stored}{current}")
    if not answer["versions"]:
        print("No versions kept.")


def stats(answer: dict[str, Any]) -> None:
    for row in answer["usage"]:
        print(
            f"{row['source'] + ':':<16} {row['type']:<14} {row['files']:>8} files  "
            f"{size(row['bytes']):>10}"
        )
    if answer["largest"]:
        print("\nLargest files:")
        for entry in answer["largest"]:
            print(_line(entry))


def dupes(answer: dict[str, Any]) -> None:
    for number, group in enumerate(answer["groups"], 1):
        print(f"{'' if number == 1 else chr(10)}Same content ({size(group[0]['size'])} each):")
        for entry in group:
            print(f"  {entry['location']}")
    for number, group in enumerate(answer.get("guesses", []), 1):
        gap = "" if number == 1 and not answer["groups"] else chr(10)
        print(f"{gap}Probably the same (same name and size; {size(group[0]['size'])} each):")
        for entry in group:
            print(f"  {entry['location']}")
    if not answer["groups"] and not answer.get("guesses"):
        print("No duplicates.")
