"""The fuzz run's hooks plus a planted change, to show the state check fails when it should.

After the state snapshot is taken before each request, a file appears in the blob store, as if
the refused request had written it. test_negative_fuzz.py runs one operation with these hooks
and expects the run to fail naming the operation, the request and the planted file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import schemathesis

import tests.server.hostile.fuzz_hooks  # noqa: F401 - registers the checks and snapshot hooks first

PLANTED_PREFIX = "planted-"


@schemathesis.hook("before_call")
def plant_a_blob(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    blobs = Path(os.environ["SYNCOXIDE_FUZZ_DATA_DIR"]) / "blobs"
    (blobs / f"{PLANTED_PREFIX}{case.id}").write_bytes(b"as if a refusal wrote it")
