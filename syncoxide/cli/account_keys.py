"""``syncoxide keys create|show``: your account's key for end-to-end encrypted shares.

``create`` makes the X25519 key pair on this device and sends the server its public half and
the private half sealed in a passphrase vault (Argon2id), so any device of yours can unlock it
with the passphrase and the server never can. ``show`` prints the fingerprint that the people
you share with compare with what their ``syncoxide shares keys ID`` prints.

The other side's keys come from the server; what this device saw of each account's key is
remembered (``seen-account-keys.json``), so a key that changes afterwards (a new key, or a
server that swaps one in) stops the command until the user has compared fingerprints again.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
from pathlib import Path
from typing import Any

from syncoxide.cli.crypto import PASSWORD_ENV, read_password
from syncoxide.cli.login import add_server_options, call_api, resolve_server
from syncoxide.crypto.account_key import fingerprint, new_account_key, unlock_account_key
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import NotFoundError, TamperedDataError
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.native.remotes.store import config_dir
from syncoxide.system import SystemRandom

EXIT_OK = 0
BACKEND = CryptographyBackend()
SEEN_FILE = "seen-account-keys.json"


def register(commands: Any) -> None:
    keys = commands.add_parser(
        "keys",
        help="your key for end-to-end encrypted shares: create it, show its fingerprint",
        description="Your account's key pair for encrypted shares between accounts. The "
        "private half leaves this device only sealed by your passphrase.",
    )
    actions = keys.add_subparsers(dest="keys_action", metavar="ACTION")
    actions.required = True
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the server's JSON answer")
    add_server_options(common)
    create = actions.add_parser("create", parents=[common], help="make your key pair here")
    add_passphrase_option(create)
    create.add_argument(
        "--replace",
        action="store_true",
        help="replace your key (shares sealed to the old one must be shared again)",
    )
    create.set_defaults(run=_create)
    show = actions.add_parser("show", parents=[common], help="your key's fingerprint")
    show.set_defaults(run=_show)


def add_passphrase_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        help=f"your account key's passphrase, first line (else ${PASSWORD_ENV}, else a prompt)",
    )


def _create(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    passphrase = read_password(args.passphrase_file, label="Passphrase", confirm=True)
    public, vault, _ = asyncio.run(new_account_key(BACKEND, SystemRandom(), passphrase))
    body = {
        "public_key": base64.b64encode(public).decode(),
        "vault": base64.b64encode(vault).decode(),
        "replace": args.replace,
    }
    stored = call_api(server, token, "PUT", "/account-key", body=body)
    remember(server, stored["name"], public, replace=True)
    _print_key(args, stored, "Made your account key")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    _print_key(args, call_api(server, token, "GET", "/account-key"), "Your account key")
    return EXIT_OK


def _print_key(args: argparse.Namespace, key: dict[str, Any], what: str) -> None:
    if args.json:
        print(json.dumps({k: v for k, v in key.items() if k != "vault"}, indent=2))
    else:
        print(f"{what} ({key['name']}): fingerprint {key['fingerprint']}")


def unlock_mine(server: str, token: str, passphrase_file: Path | None) -> tuple[bytes, SecretBytes]:
    """This account's public key and its private key, unlocked with the passphrase."""
    mine = call_api(server, token, "GET", "/account-key")
    public = base64.b64decode(mine["public_key"])
    vault = base64.b64decode(mine["vault"])
    passphrase = read_password(passphrase_file, label="Account key passphrase", confirm=False)
    return public, asyncio.run(unlock_account_key(BACKEND, public, vault, passphrase))


def their_key(server: str, answer: dict[str, Any] | None, role: str) -> bytes:
    """The public key of a share's ``role`` as the server gave it, checked against what this
    device saw of that account before."""
    if answer is None:
        raise NotFoundError(
            f"The share's {role} has no account key.",
            hint="They must run `syncoxide keys create`; nothing was sealed or opened.",
        )
    public = base64.b64decode(answer["public_key"])
    remember(server, answer["name"], public, replace=False)
    return public


def _seen_path() -> Path:
    return config_dir() / SEEN_FILE


def remember(server: str, name: str, public: bytes, *, replace: bool) -> None:
    """Pin ``name``'s key on this device; a different key than the pinned one is refused."""
    path = _seen_path()
    try:
        seen: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        seen = {}
    account = f"{server.rstrip('/')} {name}"
    known = seen.get(account)
    encoded = base64.b64encode(public).decode()
    if known == encoded:
        return
    if known is not None and not replace:
        raise TamperedDataError(
            f"The server now gives a different key for {name} (fingerprint "
            f"{fingerprint(public)}) than this device saw before "
            f"({fingerprint(base64.b64decode(known))}).",
            hint=f"Nothing was sealed or opened. Compare fingerprints with {name}; if they made "
            f"a new key, remove their line from {path} and try again.",
        )
    seen[account] = encoded
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(seen, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)
