"""``syncoxide send`` and ``syncoxide receive``: peer-to-peer transfers from the command line.

The server is found as for the other commands: ``--server`` or ``SYNCOXIDE_SERVER``. No account
is needed yet; when accounts exist, a token will be sent with the room request (p2p_signal.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import Any

from syncoxide.cli.terminal_qr import add_qr_options, wants_qr
from syncoxide.errors import UsageError

DEFAULT_SERVER_ENV = "SYNCOXIDE_SERVER"


def _server(args: argparse.Namespace, *, required: bool) -> str | None:
    server: str | None = args.server or os.environ.get(DEFAULT_SERVER_ENV)
    if required and not server:
        raise UsageError(
            f"Say which server relays the connection: --server URL or {DEFAULT_SERVER_ENV}."
        )
    return server


def _send(args: argparse.Namespace) -> int:
    from syncoxide.cli.p2p.send import SendOptions, send

    server = _server(args, required=True)
    assert server is not None
    token = _upload_token(args) if args.also_upload else None
    options = SendOptions(list(args.paths), server, _ice(args), args.wait, wants_qr(args), token)
    return asyncio.run(send(options))


def _ice(args: argparse.Namespace) -> Any:
    from syncoxide.native.p2p.channel import IcePolicy

    return IcePolicy(tuple(args.ice_server), args.relay)


def _upload_token(args: argparse.Namespace) -> str:
    """The API token for the server copy, found as for ``syncoxide share``."""
    from syncoxide.cli.login import resolve_server

    return resolve_server(args)[1]


def _receive(args: argparse.Namespace) -> int:
    from syncoxide.cli.p2p.receive import ReceiveOptions, receive

    options = ReceiveOptions(
        args.link_or_code,
        args.output,
        _server(args, required=False),
        _ice(args),
        args.wait,
    )
    return asyncio.run(receive(options))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server", help=f"the syncoxide server URL (default ${DEFAULT_SERVER_ENV})"
    )
    parser.add_argument(
        "--ice-server",
        action="append",
        default=[],
        metavar="URL",
        help="a STUN server to use besides the ones the server offers (none by default: "
        "direct connections, and the server's relay where it has one)",
    )
    parser.add_argument(
        "--relay",
        action="store_true",
        help="send every byte through the server's TURN relay, so neither side learns the "
        "other's address (the server must offer TURN)",
    )


def register(commands: Any) -> None:
    send = commands.add_parser("send", help="send files or folders straight to another device")
    send.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _common(send)
    send.add_argument(
        "--wait", type=float, default=None, help="give up after SECONDS without a receiver"
    )
    send.add_argument(
        "--also-upload",
        action="store_true",
        help="also upload a copy to the server as a share link, used by the receiver if this "
        "command is no longer running (needs an account: --token or `syncoxide login`)",
    )
    send.add_argument("--token", help="API token for --also-upload (default: as for `share`)")
    add_qr_options(send)
    send.set_defaults(run=_send)

    receive = commands.add_parser("receive", help="receive a peer-to-peer transfer")
    receive.add_argument("link_or_code", metavar="LINK_OR_CODE")
    receive.add_argument(
        "-o", "--output", type=Path, default=Path.cwd(), help="folder to save into"
    )
    _common(receive)
    receive.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the sender")
    receive.set_defaults(run=_receive)
