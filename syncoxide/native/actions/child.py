"""The child process that runs a library action (Pillow, img2pdf, pypdf, zipfile) in isolation.

``python -m syncoxide.native.actions.child REQUEST.json`` reads what to do, does it under the
limits its parent set on this process, and prints one JSON line: ``{"ok": true, "details":
{...}}`` or ``{"ok": false, "code": ..., "message": ..., "hint": ...}``. A decoder that runs
out of memory or hangs harms only this process; the parent kills it on overrun.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from syncoxide.automation.actions import Action, ActionOptions
from syncoxide.automation.archive_guard import ArchiveLimits
from syncoxide.errors import SyncoxideError
from syncoxide.native.actions import images, pdfs, unzip


def perform(request: dict[str, Any]) -> dict[str, int]:
    action = Action(request["action"])
    inputs = [Path(p) for p in request["inputs"]]
    output, scratch = Path(request["output"]), Path(request["scratch"])
    options = ActionOptions(**request["options"])
    if action is Action.CONVERT_IMAGE:
        return images.convert_image(inputs[0], output, options)
    if action is Action.IMAGES_TO_PDF:
        return pdfs.images_to_pdf(inputs, output, options, scratch)
    if action is Action.WATERMARK_PDF:
        return pdfs.watermark_pdf(inputs[0], output, options)
    if action is Action.UNZIP:
        return unzip.unpack_zip(inputs[0], output, ArchiveLimits(**request["archive_limits"]))
    raise SyncoxideError(f"{action.value} does not run in the library child.")


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[1]).read_text())
    try:
        answer: dict[str, Any] = {"ok": True, "details": perform(request)}
    except SyncoxideError as error:
        answer = {"ok": False, "code": error.code, "message": error.message, "hint": error.hint}
    except MemoryError:
        answer = {"ok": False, "code": "action_memory", "message": "out of memory", "hint": None}
    print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
