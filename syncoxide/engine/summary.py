"""A sync run's result as plain data: what the CLI prints with ``--json`` and a rule keeps."""

from __future__ import annotations

from collections import Counter
from typing import Any

from syncoxide.engine.exit_codes import EXIT_OK, EXIT_PARTIAL
from syncoxide.engine.outcome import Outcome
from syncoxide.engine.run import RunReport
from syncoxide.sync.plan import ActionKind


def exit_code(report: RunReport) -> int:
    return EXIT_PARTIAL if report.failures else EXIT_OK


def _moved(outcome: Outcome) -> int:
    """What an action really sent: a delta its changed blocks, a touch or a twin nothing."""
    if outcome.written is None or outcome.action.kind is ActionKind.TOUCH:
        return 0
    return outcome.written.size if outcome.bytes_moved is None else outcome.bytes_moved


def summary_json(report: RunReport, seconds: float) -> dict[str, Any]:
    done = [o for o in report.outcomes if o.ok and not o.noop]
    counts = Counter(o.action.kind.value for o in done)
    return {
        "mode": report.plan.mode.value,
        "dry_run": report.dry_run,
        "exit_code": exit_code(report),
        "seconds": round(seconds, 3),
        "planned": len(report.plan.actions),
        "done": dict(sorted(counts.items())),
        "bytes_copied": sum(_moved(o) for o in done),
        "resumed_actions": len(report.resumed),
        "partials_removed": report.partials_removed,
        "parked_recovered": report.parked_recovered,
        "failures": [
            {"side": o.action.side.value, "path": o.action.path, "error": o.message}
            for o in report.failures
        ],
        "skipped": [
            {"side": s.side.value, "path": s.path, "reason": s.reason} for s in report.plan.skipped
        ],
        "conflicts": [
            {
                "path": c.key,
                "winner": c.winner.value if c.winner else None,
                "policy": c.policy,
                "detail": c.detail,
            }
            for c in report.plan.conflicts
        ],
        "plan": [a.describe() for a in report.plan.ordered()] if report.dry_run else None,
        "trash": report.trash_root or None,
    }
