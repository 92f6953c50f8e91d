"""The CLI's command table matches what each feature module registers."""

import argparse
import importlib
import subprocess
import sys

import pytest

from syncoxide.cli.main import COMMANDS, all_commands, build_parser
from syncoxide.server.commands import COMMANDS as SERVER_COMMANDS


def registered_by(module_name: str) -> dict[str, str]:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    importlib.import_module(module_name).register(commands)
    return {action.dest: action.help for action in commands._choices_actions}


@pytest.mark.parametrize("table", [COMMANDS, SERVER_COMMANDS], ids=["cli", "server"])
def test_every_module_registers_exactly_the_commands_and_summaries_the_table_gives_it(
    table: dict[str, tuple[str, str]],
) -> None:
    for module_name in {module for _, module in table.values()}:
        expected = {
            name: summary for name, (summary, owner) in table.items() if owner == module_name
        }
        assert registered_by(module_name) == expected, module_name


def test_the_server_adds_its_commands_through_the_entry_point() -> None:
    assert set(SERVER_COMMANDS) <= set(all_commands())


def test_help_lists_every_command_and_a_run_builds_only_its_own() -> None:
    everything = build_parser([]).format_help()
    assert all(name in everything for name in all_commands())
    only_sync = build_parser(["sync", "a", "b"])
    with pytest.raises(SystemExit):  # encrypt was never registered for this run
        only_sync.parse_args(["encrypt", "x", "y"])


def test_a_run_of_an_own_command_builds_no_other_parser() -> None:
    """The placeholders of the other commands cost ~8 ms of every run: only --help needs them."""
    subparsers = build_parser(["sync", "a", "b"])._subparsers
    assert subparsers is not None
    (commands,) = (a for a in subparsers._group_actions if a.dest == "command")
    assert set(commands.choices) == {"sync", "trash"}  # what syncoxide.cli.sync registers
    everything = build_parser(["--help", "sync"]).format_help()  # top-level help still lists all
    assert all(name in everything for name in all_commands())


def test_help_imports_no_feature_module_and_no_server_module() -> None:
    probe = (
        "import sys\n"
        "from syncoxide.cli.main import build_parser\n"
        "build_parser([]).format_help()\n"
        "loaded = [m for m in sys.modules if m.startswith('syncoxide')]\n"
        "print(' '.join(sorted(loaded)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    features = {module for _, module in all_commands().values()}
    assert not features & set(loaded)
    assert [
        name
        for name in loaded
        if name.startswith("syncoxide.server.") and name != "syncoxide.server.commands"
    ] == []
