"""A link as a QR code in the terminal, so a phone can open it: ``share``, ``request create``
and ``send`` print one. Drawn by ``segno`` (pure Python) with half-block characters, two
modules per character row, so a typical link fits an 80x24 terminal.

Shown when stdout is a terminal, or when asked with ``--qr``; ``--no-qr`` turns it off. It is
printed before the link line, so scripts that read the last line keep working either way.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import segno


def add_qr_options(parser: Any) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--qr",
        dest="qr",
        action="store_true",
        default=None,
        help="print the link as a QR code (default: only on a terminal)",
    )
    group.add_argument("--no-qr", dest="qr", action="store_false", help="never print a QR code")


def wants_qr(args: argparse.Namespace, out: TextIO | None = None) -> bool:
    choice: bool | None = getattr(args, "qr", None)
    if choice is not None:
        return choice
    stream = out or sys.stdout
    return stream.isatty()


def print_link_qr(link: str, wanted: bool, out: TextIO | None = None) -> None:
    if not wanted:
        return
    stream = out or sys.stdout
    try:
        "█▀▄".encode(getattr(stream, "encoding", None) or "utf-8")
        compact = True
    except (UnicodeEncodeError, LookupError):
        compact = False  # an ASCII-only terminal: segno draws with ANSI colours instead
    segno.make(link, error="m", micro=False).terminal(out=stream, border=2, compact=compact)
    stream.flush()
