"""``syncoxide devices folders add|list|remove`` and ``syncoxide devices run``.

    devices folders add NAME PATH --with DEVICE_ID [--with ...] [--send-only|--receive-only]
    devices run                      sync every folder continuously until Ctrl-C

A folder is joined by NAME: the same name on each device, each with its own PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from syncoxide.devices.device_id import device_id, normalise_device_id
from syncoxide.errors import UsageError
from syncoxide.native.devices.folders import FolderBook, SharedFolder
from syncoxide.native.devices.store import DeviceStore


def _add(args: argparse.Namespace) -> int:
    store = DeviceStore()
    trusted = {device_id(key) for key in asyncio.run(store.ledger()).trusted()}
    wanted = [normalise_device_id(peer) for peer in args.peers]
    strangers = [peer for peer in wanted if peer not in trusted]
    if strangers:
        raise UsageError(
            f"Not a trusted device: {', '.join(strangers)}.",
            hint="Pair with it first: syncoxide devices pair --server URL.",
        )
    mode = (
        "send-only" if args.send_only else "receive-only" if args.receive_only else "send-receive"
    )
    folder = FolderBook(store.folder).add(args.name, args.path, wanted, mode)
    body = _body(folder)
    shared = f"shared with {len(folder.peers)} device(s)"
    print(
        json.dumps(body)
        if args.json
        else f"Folder {folder.name} ({mode}) at {folder.path}, {shared}."
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    folders = FolderBook(DeviceStore().folder).folders()
    bodies = [_body(folder) for folder in folders.values()]
    if args.json:
        print(json.dumps({"folders": bodies}))
    for body in [] if args.json else bodies:
        print(f"{body['name']}  {body['path']}  {body['mode']}  with {', '.join(body['with'])}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    FolderBook(DeviceStore().folder).remove(args.name)
    print(
        f"Stopped syncing {args.name}; its files stay where they are. Added again, it starts "
        "a fresh index: the files it lacks are fetched from the other devices, not deleted."
    )
    return 0


def _body(folder: SharedFolder) -> dict[str, Any]:
    return {"name": folder.name, "path": str(folder.path), "with": list(folder.peers),
            "mode": folder.mode, "id": folder.folder_id}  # fmt: skip


def _run(args: argparse.Namespace) -> int:
    from syncoxide.native.devices.daemon import Daemon  # the WebRTC stack: only for `run`

    daemon = Daemon(DeviceStore(), list(args.ice_server))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(daemon.run())
    return 0


def register_sync(verbs: Any) -> None:
    folders = verbs.add_parser("folders", help="folders this device syncs, and with whom")
    actions = folders.add_subparsers(dest="folders_command", metavar="ACTION")
    actions.required = True
    add = actions.add_parser("add", help="sync a folder with trusted devices")
    add.add_argument("name")
    add.add_argument("path", type=Path)
    add.add_argument("--with", dest="peers", action="append", required=True, metavar="DEVICE_ID")
    modes = add.add_mutually_exclusive_group()
    modes.add_argument("--send-only", action="store_true", help="never take others' changes")
    modes.add_argument("--receive-only", action="store_true", help="never send changes")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="list synced folders")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_list)
    remove = actions.add_parser("remove", help="stop syncing a folder (its files stay)")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)
    run = verbs.add_parser("run", help="sync every folder continuously until stopped")
    run.add_argument("--ice-server", action="append", default=[], metavar="URL")
    run.set_defaults(run=_run)
