"""What one run of a pair is asked to do: the options ``run_pair`` and the resume share, and
the executor's settings both build from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from syncoxide.providers.contract import Provider
from syncoxide.sync.conflicts import ConflictPolicy
from syncoxide.sync.filters import Rule
from syncoxide.sync.plan import Mode, Side

from .delta import DeltaSettings
from .executor import CopySettings
from .parts import PartSettings
from .safety import DEFAULT_MAX_DELETE_PERCENT, SafetyOptions
from .transfer import common_hash_kind


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

    def copy_settings(
        self,
        providers: Mapping[Side, Provider],
        *,
        recheck: bool = False,
        listed_moves: bool = False,
    ) -> CopySettings:
        """How the executor copies for this run: ``recheck`` for a journal resume,
        ``listed_moves`` for a fresh one-way plan (``CopySettings`` says what each means)."""
        return CopySettings(
            hash_kind=common_hash_kind(providers[Side.PATH1], providers[Side.PATH2]),
            transfers=self.transfers,
            recheck=recheck,
            parts=self.parts,
            delta=self.delta,
            remember_digests=self.track_renames,
            listed_moves=listed_moves,
        )
