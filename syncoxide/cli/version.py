"""``syncoxide version``: the version and the Python runtime it runs on."""

from __future__ import annotations

import argparse
from typing import Any

from syncoxide.runtime import current_runtime


def register(commands: Any) -> None:
    version = commands.add_parser("version", help="show the version and the Python runtime")
    version.set_defaults(run=_version)


def _version(args: argparse.Namespace) -> int:
    print(current_runtime().describe())
    return 0
