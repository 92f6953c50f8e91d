"""Loads the known-answer vectors shared by the CPython and Pyodide runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "crypto"


def load_cases(filename: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((VECTORS / filename).read_text("utf-8"))["cases"]
    assert cases, f"{filename} holds no cases"
    return cases


def case(filename: str, label: str) -> dict[str, Any]:
    return next(c for c in load_cases(filename) if c.get("label") == label)
