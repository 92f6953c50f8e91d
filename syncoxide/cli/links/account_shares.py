"""``syncoxide share --to ACCOUNT PLACE`` and ``syncoxide shares list|accept|decline|revoke|leave``.

Shares between accounts of one server. A place is ``PROVIDER:path`` as ``syncoxide files``
writes it: ``home:`` is your storage on the server, any other name one of your connections.
The server keeps the two places in step; nothing needs to keep running here. ``--json`` prints
the server's answer as it came.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from syncoxide.catalog.model import parse_location
from syncoxide.cli.account_keys import add_passphrase_option
from syncoxide.cli.links import encrypted_shares
from syncoxide.cli.login import add_server_options, call_api, resolve_server
from syncoxide.errors import UsageError

EXIT_OK = 0
BASE = "/account-shares"
_INCOMPATIBLE = (("password_file", "--password-file"),
                 ("max_downloads", "--max-downloads"), ("email", "--email"))  # fmt: skip


def register(commands: Any) -> None:
    shares = commands.add_parser(
        "shares",
        help="folders shared between accounts: list, accept, decline, revoke, leave",
        description="Shares with other accounts of your server. Places are PROVIDER:path; "
        "home: is your storage on the server.",
    )
    actions = shares.add_subparsers(dest="shares_action", metavar="ACTION")
    actions.required = True
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the server's JSON answer")
    add_server_options(common)
    listing = actions.add_parser("list", parents=[common], help="yours and Shared with me")
    listing.set_defaults(run=_list)
    accept = actions.add_parser("accept", parents=[common], help="accept an invitation")
    accept.add_argument("id", type=_share_id)
    accept.add_argument("--place", help="where it lands, PROVIDER:path (default home:Shared/NAME)")
    accept.set_defaults(run=_step, step="accept")
    for name, what in (
        ("decline", "decline an invitation"),
        ("revoke", "stop sharing (yours); their copy stays theirs"),
        ("leave", "leave a share you accepted; your copy stays"),
        ("sync", "bring a share's two places in step now"),
    ):
        step = actions.add_parser(name, parents=[common], help=what)
        step.add_argument("id", type=_share_id)
        step.set_defaults(run=_step, step=name)
        if name == "revoke":  # an encrypted share gets a new key: the owner's key seals it
            add_passphrase_option(step)
    encrypted_shares.register(actions, common)


def _share_id(text: str) -> int:
    if not text.isdecimal() or not 0 < int(text) < 2**62:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a share id (see `syncoxide shares list`)"
        )
    return int(text)


def share_with_account(args: argparse.Namespace) -> int:
    """``syncoxide share --to ACCOUNT PLACE``: an invitation, not a link."""
    for attribute, flag in _INCOMPATIBLE:
        if getattr(args, attribute, None):
            raise UsageError(f"{flag} is for share links; it does not go with --to.")
    if args.encrypt:
        return encrypted_shares.share_encrypted(args)
    if getattr(args, "place", None):
        raise UsageError("--place goes with --to --encrypt; otherwise name the place itself.")
    if len(args.paths) != 1:
        raise UsageError("Share one place with an account at a time.")
    raw = str(args.paths[0])
    if args.paths[0].exists() and ":" not in raw:
        raise UsageError(
            f"{raw} is a folder on this machine; an account share lives on the server.",
            hint="Copy it into your storage there first, then share home:NAME.",
        )
    place = parse_location(raw)  # PROVIDER:path, checked before anything is sent
    body: dict[str, Any] = {"to": args.to, "place": str(place), "read_only": args.read_only}
    if args.expires:
        body["expires_in"] = args.expires
    server, token = resolve_server(args)
    made = call_api(server, token, "POST", BASE, body=body)
    if getattr(args, "json", False):
        print(json.dumps(made, indent=2))
    else:
        what = f"{made['place']} ({made['access']})"
        print(f"Invited {made['recipient']} to {what}; share {made['id']}.")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    answer = call_api(server, token, "GET", BASE)
    if args.json:
        print(json.dumps(answer, indent=2))
        return EXIT_OK
    if not answer["shares"]:
        print("No shares with other accounts yet.")
    for share in answer["shares"]:
        print(_line(share))
    return EXIT_OK


def _line(share: dict[str, Any]) -> str:
    mine = share["role"] == "owner"
    other = f"to {share['recipient']}" if mine else f"from {share['owner']}"
    where = f" at {share['place']}" if share.get("place") else ""
    synced = f", {share['sync_status']}" if share.get("sync_status") else ""
    sealed = ", encrypted" if share.get("encrypted") else ""
    state = f"{share['access']}{sealed}  {share['state']}{synced}"
    return f"{share['id']:>5}  {share['name']}  {other}  {state}{where}"


def _step(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    body = {"place": str(parse_location(args.place))} if getattr(args, "place", None) else None
    if args.step == "accept" and body is None:
        body = {}
    answer = call_api(server, token, "POST", f"{BASE}/{args.id}/{args.step}", body=body)
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        print(_line(answer))
    if args.step == "revoke" and answer.get("encrypted"):
        encrypted_shares.rotate_after_revoke(args, answer)
    return EXIT_OK
