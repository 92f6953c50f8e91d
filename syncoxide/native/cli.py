"""The ``syncoxide`` command line.

Each subcommand is a small function taking the parsed arguments and returning an exit code:
0 success, 1 the work failed (the message says why and what to do), 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from syncoxide import __version__
from syncoxide.errors import SyncoxideError, UsageError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace], int]


def _serve(args: argparse.Namespace) -> int:
    from syncoxide.native.serve import serve

    return serve(host=args.host, port=args.port, data_dir=args.data_dir, build_if_missing=True)


def _build_web(args: argparse.Namespace) -> int:
    from server.webbuild.__main__ import main as build_main

    return build_main()


def _version(args: argparse.Namespace) -> int:
    from syncoxide.runtime import current_runtime

    print(current_runtime().describe())
    return EXIT_OK


# Which module defines each feature command (each has ``register(commands)``). A run imports
# only the module of the command it runs, so ``syncoxide sync`` does not pay for importing
# cryptography, aiortc or authlib; ``--help`` or an unknown command imports them all.
COMMAND_MODULES: dict[str, str] = {
    "encrypt": "syncoxide.native.cli_crypto",
    "decrypt": "syncoxide.native.cli_crypto",
    "change-password": "syncoxide.native.cli_crypto",
    "pgp-encrypt": "syncoxide.native.cli_crypto",
    "pgp-decrypt": "syncoxide.native.cli_crypto",
    "sync": "syncoxide.native.cli_sync",
    "trash": "syncoxide.native.cli_sync",
    "user": "syncoxide.native.cli_accounts",
    "token": "syncoxide.native.cli_accounts",
    "login": "syncoxide.native.cli_remote",
    "whoami": "syncoxide.native.cli_remote",
    "events": "syncoxide.native.cli_remote",
    "send": "syncoxide.native.cli_p2p",
    "remote": "syncoxide.native.cli_remotes",
    "receive": "syncoxide.native.cli_p2p",
    "share": "syncoxide.native.cli_links",
    "request": "syncoxide.native.cli_links",
    "get": "syncoxide.native.cli_share_get",
}


def _register_feature_commands(commands: Any, argv: Sequence[str] | None) -> None:
    words = [word for word in (argv or []) if not word.startswith("-")]
    wanted = COMMAND_MODULES.get(words[0]) if words else None
    modules = [wanted] if wanted else list(dict.fromkeys(COMMAND_MODULES.values()))
    for module_name in modules:
        importlib.import_module(module_name).register(commands)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syncoxide",
        description="Sync, share, receive, encrypt and back up files.",
    )
    parser.add_argument("--version", action="version", version=f"syncoxide {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    serve = commands.add_parser("serve", help="run the web app and API server")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default %(default)s)"
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the database and files live (default: your user data directory)",
    )
    serve.set_defaults(run=_serve)

    build = commands.add_parser("build-web", help="assemble the offline browser bundle")
    build.set_defaults(run=_build_web)

    version = commands.add_parser("version", help="show the version and the Python runtime")
    version.set_defaults(run=_version)
    _register_feature_commands(commands, argv)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except UsageError as error:
        print(f"syncoxide: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SyncoxideError as error:
        print(f"syncoxide: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
