"""``syncoxide remote add|list|remove``: named S3, WebDAV, SFTP, Drive, Dropbox and syncoxide
server remotes."""

from __future__ import annotations

import argparse
from typing import Any

from syncoxide.native.remotes.store import TYPES, RemoteStore, parse_options


def register(commands: Any) -> None:
    remote = commands.add_parser("remote", help="add, list or remove named remotes (NAME:path)")
    verbs = remote.add_subparsers(dest="remote_command", metavar="ACTION")
    verbs.required = True
    add = verbs.add_parser("add", help="add a remote: NAME TYPE key=value...")
    add.add_argument("name")
    add.add_argument("type", choices=sorted(TYPES))
    add.add_argument("options", nargs="*", metavar="key=value")
    add.set_defaults(run=_add)
    listing = verbs.add_parser("list", help="list remotes (secrets are never shown)")
    listing.set_defaults(run=_list)
    remove = verbs.add_parser("remove", help="forget a remote")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)


def _add(args: argparse.Namespace) -> int:
    options = parse_options(args.options)
    if args.type == "server":  # pinned to a server now; its token may come from login later
        from syncoxide.native.remotes.server_credentials import server_and_token

        options["url"] = server_and_token(options.get("url"), options.get("token"))[0]
    RemoteStore().add(args.name, args.type, options)
    print(f"Added {args.name} ({args.type}). Use it as {args.name}:path, e.g. in syncoxide sync.")
    return 0


def _list(args: argparse.Namespace) -> int:
    remotes = RemoteStore().load()
    if not remotes:
        print("No remotes yet. Add one with `syncoxide remote add NAME TYPE key=value...`.")
    for name, entry in sorted(remotes.items()):
        shown = [f"{k}={v}" for k, v in sorted(entry["options"].items())]
        shown += [f"{k}=(encrypted)" for k in sorted(entry.get("secrets", {}))]
        print(f"{name}: {entry['type']} {' '.join(shown)}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    RemoteStore().remove(args.name)
    print(f"Removed {args.name}.")
    return 0
