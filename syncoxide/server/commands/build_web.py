"""``syncoxide build-web``: assemble the offline browser bundle."""

from __future__ import annotations

import argparse
from typing import Any

from syncoxide.server.webbuild.__main__ import main as build_main


def register(commands: Any) -> None:
    build = commands.add_parser("build-web", help="assemble the offline browser bundle")
    build.set_defaults(run=_build_web)


def _build_web(args: argparse.Namespace) -> int:
    return build_main()
