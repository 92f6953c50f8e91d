"""The ``syncoxide`` command line.

Each subcommand is a small function taking the parsed arguments and returning an exit code:
0 success, 1 the work failed (the message says why and what to do), 2 bad usage.

How commands are found: :data:`COMMANDS` names each command of the CLI itself, with its
one-line summary and the module that defines it (``register(commands)`` adds its full parser).
Other packages add commands through the entry-point group ``syncoxide.commands`` (the server
adds ``serve``, ``user``, ``token`` and ``build-web`` that way), so the CLI never imports the
server. A run imports only the module of the command it runs; ``--help`` imports none, so the
answer is instant and ``syncoxide sync`` never pays for cryptography, aiortc or the server.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from syncoxide import __version__
from syncoxide.cli.plugins import contributed_commands
from syncoxide.errors import SyncoxideError, UsageError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace], int]

#: name -> (summary for ``--help``, module whose ``register(commands)`` defines it)
COMMANDS: dict[str, tuple[str, str]] = {
    "sync": ("copy, mirror, move or two-way sync two folders", "syncoxide.cli.sync"),
    "trash": ("list or restore versions bisync set aside", "syncoxide.cli.sync"),
    "encrypt": ("encrypt a file or folder with a password", "syncoxide.cli.crypto"),
    "decrypt": ("decrypt what `syncoxide encrypt` wrote", "syncoxide.cli.crypto"),
    "change-password": (
        "change the password of an encrypted file or folder",
        "syncoxide.cli.crypto",
    ),
    "pgp-encrypt": ("encrypt a file to someone's OpenPGP key", "syncoxide.cli.crypto"),
    "pgp-decrypt": ("decrypt an OpenPGP message made for your key", "syncoxide.cli.crypto"),
    "send": ("send files or folders straight to another device", "syncoxide.cli.p2p.command"),
    "receive": ("receive a peer-to-peer transfer", "syncoxide.cli.p2p.command"),
    "share": ("upload files or folders and print a share link", "syncoxide.cli.links.command"),
    "request": (
        "request-files links: create them, pull what arrived",
        "syncoxide.cli.links.command",
    ),
    "shares": (
        "folders shared between accounts: list, accept, decline, revoke, leave",
        "syncoxide.cli.links.account_shares",
    ),
    "keys": (
        "your key for end-to-end encrypted shares: create it, show its fingerprint",
        "syncoxide.cli.account_keys",
    ),
    "get": ("download a share link (decrypts encrypted shares)", "syncoxide.cli.links.get"),
    "login": ("get an API token for a server through the browser", "syncoxide.cli.login"),
    "whoami": ("show who the saved or given token acts as", "syncoxide.cli.login"),
    "events": ("print your live notifications", "syncoxide.cli.login"),
    "backup": (
        "encrypted, deduplicated backups with borg",
        "syncoxide.cli.backup.command",
    ),
    "files": (
        "your files across providers: list, search, star, trash, versions",
        "syncoxide.cli.files.command",
    ),
    "devices": (
        "pair your devices, manage their web of trust",
        "syncoxide.cli.devices.command",
    ),
    "remote": ("add, list or remove named remotes (NAME:path)", "syncoxide.cli.remotes"),
    "mount": ("mount a remote (NAME:path) or folder as a local file system", "syncoxide.cli.mount"),
    "convert": (
        "convert files: images, PDFs, office documents, zips, audio and video",
        "syncoxide.cli.automation.convert",
    ),
    "automate": (
        "automation rules: convert files as they arrive on the server",
        "syncoxide.cli.automation.automate",
    ),
    "version": ("show the version and the Python runtime", "syncoxide.cli.version"),
}


def all_commands() -> dict[str, tuple[str, str]]:
    """The CLI's own commands, then those other installed packages contribute."""
    return {**COMMANDS, **contributed_commands()}


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's own, sized to the terminal without ``shutil``.

    argparse asks ``shutil`` for the terminal width, and importing shutil pulls in bz2 and lzma:
    a few milliseconds of the ``--help`` budget spent on compression modules it never uses.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_columns() - 2)  # argparse keeps a 2-column margin


class _Parser(argparse.ArgumentParser):
    """The commands' parsers: their formatters are sized as :class:`_HelpFormatter` too.

    argparse builds a formatter for every ``add_argument`` (to check its metavar), so a
    command's parser with the stock formatter imported shutil on every run, help or not.
    """

    def _get_formatter(self) -> argparse.HelpFormatter:
        if self.formatter_class is argparse.HelpFormatter:
            return _HelpFormatter(self.prog)
        return super()._get_formatter()


def _terminal_columns() -> int:
    """As ``shutil.get_terminal_size``: $COLUMNS, then the terminal, then 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syncoxide",
        description="Sync, share, receive, encrypt and back up files.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"syncoxide {__version__}")
    # Nested subparsers (``backup create``) take their parent's class, so _Parser too.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    words = [word for word in (argv or []) if not word.startswith("-")]
    if words and words[0] in COMMANDS and not _top_level_help(argv or [], words[0]):
        # A run of one of our own commands builds its parser alone: the other commands'
        # placeholders (and reading other packages' entry points) only serve the command list
        # of the top-level --help, and cost ~8 ms of every run (2026-12-07).
        importlib.import_module(COMMANDS[words[0]][1]).register(commands)
        return parser
    table = all_commands()
    chosen = table.get(words[0]) if words else None
    if chosen is not None:
        importlib.import_module(chosen[1]).register(commands)
    for name, (summary, _) in table.items():
        if name not in commands.choices:
            # Listed for --help only: a run of this command registers its real parser. Without
            # their own -h these placeholders cost a tenth as much to build (~6 ms for all).
            commands.add_parser(name, help=summary, add_help=False)
    return parser


def _top_level_help(argv: Sequence[str], command: str) -> bool:
    """``syncoxide --help sync``: the top-level help, with every command listed, is asked."""
    before = argv[: list(argv).index(command)]
    return "-h" in before or "--help" in before


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. ``argv`` None: the process's own command line (the ``syncoxide``
    script, ``python -m``), so the process ends when this returns."""
    if argv is None:
        try:
            return _run(sys.argv[1:])
        finally:
            # Every object frozen: the collection the interpreter makes at shutdown then walks
            # none of them. After a sync of the 10,020-file tree it cost ~13 ms of CPU, a
            # twentieth of the run, for memory the OS takes back at once. Shutdown still
            # flushes the streams; only cyclic garbage goes unfinalized, and nothing the CLI
            # writes relies on a finalizer (its files are closed, fsynced where it matters).
            gc.freeze()
    return _run(argv)


def _run(argv: Sequence[str]) -> int:
    args = build_parser(argv).parse_args(argv)
    # Before the command imports aiohttp: its CA certificates load only once TLS is used.
    # After parsing, so that `--help` (which exits there) imports nothing more.
    from syncoxide.native.deferred_tls import defer_aiohttp_certificates

    defer_aiohttp_certificates()
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
