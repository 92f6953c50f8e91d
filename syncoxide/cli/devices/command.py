"""``syncoxide devices``: this device's identity, pairing by code, and the web of trust.

    devices id                          this device's ID and name
    devices list                        trusted, suggested (introduced) and revoked devices
    devices pair --server URL           print ``Code: <code>`` and wait for the other device
    devices pair CODE --server URL      join; ``--yes`` skips the question (for scripts)
    devices trust DEVICE_ID             accept a suggestion (an introduction) for that device
    devices introduce DEVICE_ID         suggest a trusted device to this device's peers
    devices revoke DEVICE_ID            stop trusting a device; the revocation spreads
    devices rename NAME                 the name other devices are shown for this one

Every command takes ``--json`` and then prints one JSON object on stdout. The keys and trust
records live in ``<config dir>/devices`` (``SYNCOXIDE_CONFIG_DIR`` moves it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from syncoxide.cli.devices.report import print_report
from syncoxide.cli.devices.sync import register_sync
from syncoxide.cli.p2p.command import DEFAULT_SERVER_ENV
from syncoxide.devices.device_id import device_id, normalise_device_id
from syncoxide.devices.pairing import PairingCode
from syncoxide.devices.records import RecordKind
from syncoxide.devices.report import ledger_report
from syncoxide.devices.trust import TrustLedger
from syncoxide.errors import NotFoundError, UsageError
from syncoxide.native.devices.store import DeviceStore, now

if TYPE_CHECKING:
    from syncoxide.native.devices.pairing import PairedDevice


def _emit(args: argparse.Namespace, body: dict[str, Any], text: str) -> int:
    print(json.dumps(body) if args.json else text, flush=True)
    return 0


def _id(args: argparse.Namespace) -> int:
    me = asyncio.run(DeviceStore().identity())
    body = {"device_id": me.device_id, "name": me.name, "public_key": me.public.hex()}
    return _emit(args, body, f"{me.device_id}  {me.name}")


def _rename(args: argparse.Namespace) -> int:
    store = DeviceStore()
    store.rename(args.name)
    me = asyncio.run(store.identity())
    return _emit(
        args, {"device_id": me.device_id, "name": me.name}, f"This device is now {me.name}."
    )


def _list(args: argparse.Namespace) -> int:
    store = DeviceStore()
    ledger = asyncio.run(store.ledger())
    report = ledger_report(ledger, asyncio.run(store.identity()).name)
    if args.json:
        return _emit(args, report, "")
    print_report(report)
    return 0


def _key_of(ledger: TrustLedger, text: str) -> bytes:
    wanted = normalise_device_id(text)
    keys = {edge.subject for edge in ledger.graph()} | {edge.signer for edge in ledger.graph()}
    for key in keys:
        if device_id(key) == wanted:
            return key
    raise NotFoundError(
        f"This device has never heard of {wanted}.",
        hint="Pair with it first (`syncoxide devices pair`), or wait for an introduction.",
    )


def _trust(args: argparse.Namespace) -> int:
    store = DeviceStore()
    ledger = asyncio.run(store.ledger())
    key = _key_of(ledger, args.device_id)
    record = asyncio.run(store.sign_and_keep(ledger.acceptance(key, issued_at=now())))
    introducer = device_id(record.via)
    body = {"device_id": device_id(key), "name": record.name, "introduced_by": introducer}
    return _emit(
        args, body, f"Now trusting {record.name} ({device_id(key)}), introduced by {introducer}."
    )


def _state_change(args: argparse.Namespace, kind: RecordKind) -> int:
    store = DeviceStore()
    ledger = asyncio.run(store.ledger())
    key = _key_of(ledger, args.device_id)
    if kind is RecordKind.INTRODUCE and key not in ledger.trusted():
        raise UsageError("Only a device this one trusts can be introduced to its peers.")
    name = ledger.name_of(key)
    statement = ledger.statement(kind, key, name=name, issued_at=now(), via=None)
    asyncio.run(store.sign_and_keep(statement))
    done = "Revoked" if kind is RecordKind.REVOKE else "Introduced"
    text = f"{done} {name} ({device_id(key)}); its peers learn it when they next connect."
    return _emit(
        args, {"device_id": device_id(key), "name": name, "record": kind.name.lower()}, text
    )


def _pair(args: argparse.Namespace) -> int:
    server = args.server or os.environ.get(DEFAULT_SERVER_ENV)
    if not server:
        raise UsageError(f"Say which server to meet through: --server URL or {DEFAULT_SERVER_ENV}.")
    args.server_url = server
    # Imported here: the WebRTC stack and the PAKE cost a third of a second that `devices id`,
    # `list` and the others do not need.
    from syncoxide.native.devices.pairing import PairingOptions, join_pairing, offer_pairing

    options = PairingOptions(server, list(args.ice_server), args.wait)
    store = DeviceStore()
    if args.code is None:
        paired = asyncio.run(offer_pairing(store, options, lambda code: _show_code(args, code)))
    else:
        paired = asyncio.run(join_pairing(store, args.code, options, _confirmer(args)))
    return _emit(args, _paired_body(paired), _paired_text(paired))


def _show_code(args: argparse.Namespace, code: PairingCode) -> None:
    if args.json:
        print(json.dumps({"code": str(code)}), flush=True)
        return
    print(f"Code: {code}", flush=True)
    print(f"On the other device: syncoxide devices pair {code} --server {args.server_url}")
    print("Waiting for the other device...", flush=True)


def _confirmer(args: argparse.Namespace) -> Any:
    async def confirm(name: str, peer_id: str) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError("Pass --yes to pair without a question (no terminal to ask on).")
        answer = await asyncio.to_thread(input, f"Pair with {name} ({peer_id})? [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    return confirm


def _paired_body(paired: PairedDevice) -> dict[str, Any]:
    return {
        "paired": True,
        "device_id": paired.device_id,
        "name": paired.name,
        "records_taken": paired.records_taken,
        "records_refused": [error.reason for error in paired.records_refused],
    }


def _paired_text(paired: PairedDevice) -> str:
    line = f"Paired with {paired.name} ({paired.device_id})."
    if paired.records_refused:
        line += f" {len(paired.records_refused)} of its trust records were not taken."
    return line


def register(commands: Any) -> None:
    devices = commands.add_parser("devices", help="pair your devices, manage their web of trust")
    verbs = devices.add_subparsers(dest="devices_command", metavar="ACTION")
    verbs.required = True
    for name, run, help_text in [
        ("id", _id, "show this device's ID"),
        ("list", _list, "show trusted, suggested and revoked devices and who introduced whom"),
    ]:
        verb = verbs.add_parser(name, help=help_text)
        verb.set_defaults(run=run)
        _json(verb)
    rename = verbs.add_parser("rename", help="set the name other devices see for this one")
    rename.add_argument("name")
    rename.set_defaults(run=_rename)
    _json(rename)
    for name, kind_or_run, help_text in [
        ("trust", _trust, "accept a suggested (introduced) device"),
        ("introduce", RecordKind.INTRODUCE, "suggest a trusted device to this device's peers"),
        ("revoke", RecordKind.REVOKE, "stop trusting a device, on every device that hears it"),
    ]:
        verb = verbs.add_parser(name, help=help_text)
        verb.add_argument("device_id", metavar="DEVICE_ID")
        if isinstance(kind_or_run, RecordKind):
            kind = kind_or_run
            verb.set_defaults(run=lambda args, kind=kind: _state_change(args, kind))
        else:
            verb.set_defaults(run=kind_or_run)
        _json(verb)
    _register_pair(verbs)
    register_sync(verbs)


def _register_pair(verbs: Any) -> None:
    pair = verbs.add_parser("pair", help="pair with another device by a short code")
    pair.add_argument("code", nargs="?", metavar="CODE", help="the code the other device shows")
    pair.add_argument("--server", help=f"the syncoxide server URL (default ${DEFAULT_SERVER_ENV})")
    pair.add_argument("--ice-server", action="append", default=[], metavar="URL")
    pair.add_argument("--yes", action="store_true", help="pair without asking (scripts)")
    pair.add_argument("--wait", type=float, default=None, help="give up after SECONDS")
    pair.set_defaults(run=_pair)
    _json(pair)


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
