"""``syncoxide backup schedule``: a systemd user timer, or a cron line, that runs a backup.

The timer runs ``syncoxide backup create`` with the same repository, folders, excludes and
retention, reading the passphrase from a file (a timer has no terminal to ask on). systemd
files go to ``~/.config/systemd/user/syncoxide-backup-PREFIX.{service,timer}``; with
``Persistent=true`` a run missed while the machine was off happens at the next boot.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from syncoxide.backup.schedule import Schedule


@dataclass(frozen=True)
class PlannedBackup:
    prefix: str
    repository: str
    paths: list[str]
    excludes: list[str]
    keep: list[str]  # the --keep-* flags, spelled out
    passphrase_file: Path | None

    def command(self) -> list[str]:
        words = [sys.executable, "-m", "syncoxide.cli.main", "backup", "create", self.repository]
        words += [*self.paths, "--prefix", self.prefix]
        for pattern in self.excludes:
            words += ["--exclude", pattern]
        words += self.keep
        if self.passphrase_file is not None:
            words += ["--passphrase-file", str(self.passphrase_file.resolve())]
        return words


def unit_name(prefix: str) -> str:
    return f"syncoxide-backup-{prefix}"


def systemd_units(plan: PlannedBackup, schedule: Schedule) -> dict[str, str]:
    name = unit_name(plan.prefix)
    service = (
        "[Unit]\n"
        f"Description=syncoxide backup of {plan.prefix} to {plan.repository}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={shlex.join(plan.command())}\n"
        "Nice=10\n"
        "IOSchedulingClass=idle\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=Run {name} {schedule}\n\n"
        "[Timer]\n"
        f"OnCalendar={schedule.on_calendar()}\n"
        "Persistent=true\n"
        "RandomizedDelaySec=60\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{name}.service": service, f"{name}.timer": timer}


def cron_line(plan: PlannedBackup, schedule: Schedule) -> str:
    return f"{schedule.cron_fields()} {shlex.join(plan.command())}"


def write_units(folder: Path, units: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in units.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
