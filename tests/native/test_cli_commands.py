"""The CLI's command table matches what each feature module registers."""

import argparse
import importlib

import pytest

from syncoxide.native.cli import COMMAND_MODULES, build_parser


def registered_by(module_name: str) -> set[str]:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    importlib.import_module(module_name).register(commands)
    return set(commands.choices)


def test_every_module_registers_exactly_the_commands_the_table_gives_it() -> None:
    for module_name in set(COMMAND_MODULES.values()):
        expected = {name for name, owner in COMMAND_MODULES.items() if owner == module_name}
        assert registered_by(module_name) == expected, module_name


def test_help_lists_every_command_and_a_run_builds_only_its_own() -> None:
    everything = build_parser([]).format_help()
    assert all(name in everything for name in COMMAND_MODULES)
    only_sync = build_parser(["sync", "a", "b"])
    with pytest.raises(SystemExit):  # encrypt was never registered for this run
        only_sync.parse_args(["encrypt", "x", "y"])
