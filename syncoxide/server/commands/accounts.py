"""``syncoxide user add`` and ``syncoxide token create``: accounts on this machine's server.

They open the server's data directory directly (SQLite in WAL mode lets them run while the
server is up), so the first user can be created before anyone can sign in.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any

from syncoxide.errors import UsageError

EXIT_OK = 0


def register(commands: Any) -> None:
    user = commands.add_parser("user", help="manage the server's local user accounts")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help="create a local user with a password")
    add.add_argument("name", help="the user name (lowercase letters, digits, . _ -)")
    add.add_argument("--display-name", default="", help="the name shown in the app")
    add.add_argument(
        "--password-file",
        type=Path,
        help="read the password from the first line of this file instead of prompting",
    )
    add.add_argument(
        "--email", help="the account's address: others share with it by this, mail goes to it"
    )
    _data_dir_option(add)
    add.set_defaults(run=_user_add)
    email = user_commands.add_parser(
        "email", help="set the address others share with and mail goes to"
    )
    email.add_argument("name", help="the user name")
    email.add_argument("address", help="one email address")
    _data_dir_option(email)
    email.set_defaults(run=_user_email)

    token = commands.add_parser("token", help="API tokens for scripts and the CLI")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_commands.add_parser("create", help="create an API token and print it once")
    create.add_argument("--user", required=True, help="the user the token acts as")
    create.add_argument("--label", default="cli", help="a name to recognise the token by")
    create.add_argument("--expires-in-days", type=int, default=None)
    _data_dir_option(create)
    create.set_defaults(run=_token_create)


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the server's data directory (default: your user data directory)",
    )


def _open_accounts(data_dir: Path | None) -> Any:
    from syncoxide.server.accounts.service import Accounts
    from syncoxide.server.config import ServerConfig
    from syncoxide.server.datadir import prepare_data_dir
    from syncoxide.server.services import open_metadata

    config = ServerConfig.embedded_defaults(data_dir)
    prepare_data_dir(config)
    store, _ = open_metadata(config, config.deployment().database)  # SQLite or PostgreSQL
    return Accounts(store), config


def _account_shares(config: Any) -> Any:
    from syncoxide.server.accountshares.store import AccountShareStore
    from syncoxide.server.storage.database import sqlite_at
    from syncoxide.server.storage.postgres_database import PostgresDatabase

    database = config.deployment().database
    if database.embedded:
        return AccountShareStore(sqlite_at(config.database_path))
    return AccountShareStore(PostgresDatabase(database.url))


def _read_password(path: Path | None) -> str:
    if path is not None:
        try:
            lines = path.read_text().splitlines()
        except OSError as error:
            raise UsageError(
                f"Could not read the password file {path}: {error.strerror}."
            ) from error
        if not lines or not lines[0]:
            raise UsageError(f"The password file {path} is empty.")
        return lines[0]
    if not sys.stdin.isatty():
        raise UsageError(
            "No terminal to ask for the password.", hint="Pass --password-file FILE instead."
        )
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise UsageError("The two passwords differ. Nothing was created.")
    return first


def _user_add(args: argparse.Namespace) -> int:
    address = _checked_address(args.email) if args.email else None
    password = _read_password(args.password_file)
    accounts, config = _open_accounts(args.data_dir)
    if address:  # checked first, so a taken address creates no account
        _address_free(config, address)
    user = asyncio.run(accounts.add_local_user(args.name, password, args.display_name))
    if address:
        _set_address(config, user.id, address)
    print(f"Created user {user.name!r} in {config.data_dir}. They can sign in now.")
    return EXIT_OK


def _checked_address(text: str) -> str:
    from syncoxide.server.mail.outbox import check_address

    return check_address(text)


def _set_address(config: Any, user_id: int, address: str) -> None:
    """Addresses are the operator's to set: one a user chose could be someone else's."""
    from syncoxide.server.storage.port import DuplicateError

    try:
        _account_shares(config).set_address(user_id, address)
    except DuplicateError:
        raise UsageError(
            f"Another account has the address {address!r} already.",
            hint="Each address names one account.",
        ) from None


def _address_free(config: Any, address: str) -> None:
    if _account_shares(config).user_with_address(address) is not None:
        raise UsageError(
            f"Another account has the address {address!r} already.",
            hint="Each address names one account; nothing was created.",
        )


def _user_email(args: argparse.Namespace) -> int:
    address = _checked_address(args.address)
    accounts, config = _open_accounts(args.data_dir)
    user = asyncio.run(accounts.require_user(args.name))
    _set_address(config, user.id, address)
    print(f"{user.name!r} is reached at {address} now.")
    return EXIT_OK


def _token_create(args: argparse.Namespace) -> int:
    if args.expires_in_days is not None and args.expires_in_days < 1:
        raise UsageError("--expires-in-days must be 1 or more.")
    accounts, _ = _open_accounts(args.data_dir)

    async def create() -> str:
        user = await accounts.require_user(args.user)
        days = args.expires_in_days
        secret, _ = await accounts.create_token(user, args.label, days * 86400 if days else None)
        return str(secret)

    print(asyncio.run(create()))
    return EXIT_OK
