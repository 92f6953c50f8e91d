"""Run one planned action on local files: in a limited child process, into a scratch folder,
then into place in one rename, so a failure, a timeout or a cancel leaves no partial output.

Library actions run in ``child.py``; LibreOffice and ffmpeg run directly. Both go through
``isolated.run_limited``: the same time limit, memory limit and process-group kill for all.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide import errors
from syncoxide.automation.actions import Action, ConversionPlan
from syncoxide.automation.archive_guard import ArchiveLimits
from syncoxide.errors import ActionError, AlreadyExistsError, NotFoundError, SyncoxideError
from syncoxide.native.actions import media, office
from syncoxide.native.actions.isolated import (
    Finished,
    memory_error,
    ran_out_of_memory,
    run_limited,
    work_dir,
)
from syncoxide.native.actions.limits import ActionLimits, limits_for

LIBRARY_ACTIONS = frozenset(
    {Action.CONVERT_IMAGE, Action.IMAGES_TO_PDF, Action.WATERMARK_PDF, Action.UNZIP}
)


@dataclass(frozen=True)
class ActionResult:
    output: Path
    details: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class ActionRun:
    """One action to run: what, on which files, into where, within which limits."""

    plan: ConversionPlan
    inputs: list[Path]
    output: Path
    limits: ActionLimits | None = None
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    replace: bool = False  # overwrite an existing output file (a retried job's own result)


def run_action(
    run: ActionRun,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    on_progress: Callable[[float], None] = lambda _: None,
) -> ActionResult:
    _check_paths(run)
    limits = run.limits or limits_for(run.plan.action)
    run.output.parent.mkdir(parents=True, exist_ok=True)
    with work_dir(run.output.parent) as scratch_name:
        scratch = Path(scratch_name)
        made = scratch / ("unpacked" if run.plan.action is Action.UNZIP else "result")
        if run.plan.action in LIBRARY_ACTIONS:
            details, seconds = _in_child(
                run, made, scratch=scratch, limits=limits, cancelled=cancelled
            )
        elif run.plan.action is Action.OFFICE_TO_PDF:
            details, seconds = _office(
                run, made, scratch=scratch, limits=limits, cancelled=cancelled
            )
        else:
            details, seconds = _media(
                run,
                made,
                scratch=scratch,
                limits=limits,
                cancelled=cancelled,
                on_progress=on_progress,
            )
        _into_place(made, run)
    on_progress(1.0)
    return ActionResult(run.output, details, seconds)


def _check_paths(run: ActionRun) -> None:
    logo = run.plan.options.watermark_image
    for source in [*run.inputs, *([Path(logo)] if logo else [])]:
        if not source.is_file():
            raise NotFoundError(f"{str(source)!r} is not a file.")
    is_folder = run.plan.action is Action.UNZIP
    if run.output.exists() and not is_folder and not run.replace:
        raise AlreadyExistsError(
            f"{str(run.output)!r} already exists; it was left as it is.",
            hint="Name another output, or remove that file first.",
        )
    if run.output.exists() and is_folder and not run.output.is_dir():
        raise AlreadyExistsError(f"{str(run.output)!r} is a file, not a folder to unpack into.")


def _in_child(
    run: ActionRun,
    made: Path,
    *,
    scratch: Path,
    limits: ActionLimits,
    cancelled: Callable[[], bool],
) -> tuple[dict[str, int], float]:
    if run.plan.action is Action.UNZIP:
        made.mkdir()
    request = {
        "action": run.plan.action.value,
        "inputs": [str(p) for p in run.inputs],
        "output": str(made),
        "scratch": str(scratch),
        "options": dataclasses.asdict(run.plan.options),
        "archive_limits": dataclasses.asdict(run.archive_limits),
    }
    request_file = scratch / "request.json"
    request_file.write_text(json.dumps(request))
    argv = [sys.executable, "-m", "syncoxide.native.actions.child", str(request_file)]
    finished = run_limited(argv, limits, cancelled=cancelled)
    return _answer(finished, limits), finished.seconds


def _answer(finished: Finished, limits: ActionLimits) -> dict[str, int]:
    lines = finished.stdout.strip().splitlines()
    if not lines:
        if ran_out_of_memory(finished) or finished.returncode < 0:
            raise memory_error(limits)
        raise ActionError(f"The action stopped without an answer: {finished.stderr[-300:]}")
    answer = json.loads(lines[-1])
    if answer["ok"]:
        return dict(answer["details"])
    if answer["code"] == "action_memory":
        raise memory_error(limits)
    raise error_from_code(answer["code"], answer["message"], answer.get("hint"))


def error_from_code(code: str, message: str, hint: str | None) -> SyncoxideError:
    """The error of our tree with this ``code`` (a child's answer, a job's record)."""
    pending: list[type[SyncoxideError]] = [SyncoxideError]
    while pending:
        cls = pending.pop()
        if cls.code == code and cls.__module__ == errors.__name__:
            return cls(message, hint=hint)
        pending.extend(cls.__subclasses__())
    return ActionError(message, hint=hint)


def _office(
    run: ActionRun,
    made: Path,
    *,
    scratch: Path,
    limits: ActionLimits,
    cancelled: Callable[[], bool],
) -> tuple[dict[str, int], float]:
    argv, pdf = office.prepare(run.inputs[0], scratch)
    env = {**os.environ, "HOME": str(scratch)}  # nothing of LibreOffice's lands in ~
    finished = run_limited(argv, limits, env=env, cancelled=cancelled)
    if ran_out_of_memory(finished):
        raise memory_error(limits)
    office.check_made(pdf, finished.stderr, run.inputs[0].name)
    pdf.rename(made)
    return {}, finished.seconds


def _media(
    run: ActionRun,
    made: Path,
    *,
    scratch: Path,
    limits: ActionLimits,
    cancelled: Callable[[], bool],
    on_progress: Callable[[float], None],
) -> tuple[dict[str, int], float]:
    name, preset = run.inputs[0].name, run.plan.options.preset
    probed = run_limited(media.probe_argv(run.inputs[0]), limits, cancelled=cancelled)
    duration = media.check_probe(probed.stdout, name, preset)
    progress = scratch / "progress.txt"

    def tick() -> None:
        done = media.progress_of(progress, duration)
        if done is not None:
            on_progress(done)

    argv = media.convert_argv(run.inputs[0], made, preset, progress)
    finished = run_limited(argv, limits, cancelled=cancelled, on_tick=tick)
    if ran_out_of_memory(finished):
        raise memory_error(limits)
    if finished.returncode != 0:
        made.unlink(missing_ok=True)
    media.check_made(made, finished.stderr, name)
    return {"duration_ms": int(duration * 1000)}, probed.seconds + finished.seconds


def _into_place(made: Path, run: ActionRun) -> None:
    if not made.is_dir():
        made.replace(run.output)
        return
    if not run.output.exists():
        made.rename(run.output)
        return
    clashes = [p.name for p in made.iterdir() if (run.output / p.name).exists()]
    if clashes:
        raise AlreadyExistsError(
            f"{str(run.output)!r} already holds {', '.join(sorted(clashes)[:5])}.",
            hint="Nothing was unpacked; unpack into an empty or new folder.",
        )
    for entry in made.iterdir():
        entry.rename(run.output / entry.name)
