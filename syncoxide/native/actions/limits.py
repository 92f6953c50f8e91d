"""The time and memory each action may use, and the process limits that enforce them.

The memory limit is the address space (``RLIMIT_AS``) of the action's own process, set in the
child between fork and exec, so a decoder fed a bomb fails inside its process and the server
is never touched. LibreOffice maps a lot of address space it never touches (measured: it
converts a short document under 2 GiB, not under 1 GiB), so it gets a larger default.
"""

from __future__ import annotations

import ctypes
import resource
import signal
import sys
from dataclasses import dataclass

from syncoxide.automation.actions import Action

GIB = 1 << 30


@dataclass(frozen=True)
class ActionLimits:
    seconds: float = 120.0
    memory_bytes: int = 1 * GIB
    #: Output files may not grow past this (RLIMIT_FSIZE): a runaway encoder stops here.
    max_output_bytes: int = 8 * 1000**3


DEFAULT_LIMITS: dict[Action, ActionLimits] = {
    Action.CONVERT_IMAGE: ActionLimits(seconds=60),
    Action.IMAGES_TO_PDF: ActionLimits(seconds=120),
    Action.OFFICE_TO_PDF: ActionLimits(seconds=180, memory_bytes=3 * GIB),
    Action.UNZIP: ActionLimits(seconds=600),
    Action.CONVERT_MEDIA: ActionLimits(seconds=1800, memory_bytes=2 * GIB),
    Action.WATERMARK_PDF: ActionLimits(seconds=120),
}


def limits_for(action: Action) -> ActionLimits:
    return DEFAULT_LIMITS[action]


def apply_in_child(limits: ActionLimits) -> None:
    """Runs in the forked child before exec: the kernel then enforces both limits."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_output_bytes, limits.max_output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    if sys.platform == "linux":
        # Killed with its server (kill -9 included): a job that runs again later must not race
        # an orphan of its first attempt. PR_SET_PDEATHSIG is prctl option 1.
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
