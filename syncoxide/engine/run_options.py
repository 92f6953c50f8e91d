"""What one run of a pair is asked to do: the options ``run_pair`` and the resume share."""

from __future__ import annotations

from dataclasses import dataclass, field

from syncoxide.sync.conflicts import ConflictPolicy
from syncoxide.sync.filters import Rule
from syncoxide.sync.plan import Mode

from .delta import DeltaSettings
from .parts import PartSettings
from .safety import DEFAULT_MAX_DELETE_PERCENT, SafetyOptions


@dataclass(frozen=True)
class RunOptions:
    mode: Mode = Mode.COPY
    checksum: bool = False
    dry_run: bool = False
    policy: ConflictPolicy = ConflictPolicy.NEWER
    transfers: int = 4
    rules: tuple[Rule, ...] = ()
    max_delete: int | None = None
    #: sync mode: a file deleted at one path and present with the same size and digest at
    #: another becomes one move on the destination (server-side where the provider can);
    #: bisync: a rename on either side since the last run is carried to the other as a move.
    track_renames: bool = True
    #: Big files in concurrent, resumable parts where the destination takes them.
    parts: PartSettings = field(default_factory=PartSettings)
    #: Changed big files by their changed blocks where the destination allows (--whole-file
    #: turns it off).
    delta: DeltaSettings = field(default_factory=DeltaSettings)
    #: The safety stops' overrides (see ``syncoxide.engine.safety``).
    max_delete_percent: int = DEFAULT_MAX_DELETE_PERCENT
    allow_empty_side: bool = False
    force: bool = False

    def safety(self) -> SafetyOptions:
        return SafetyOptions(
            max_delete=self.max_delete,
            max_delete_percent=self.max_delete_percent,
            allow_empty_side=self.allow_empty_side,
            force=self.force,
        )
