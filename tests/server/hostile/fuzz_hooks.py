"""A schemathesis check for the negative-data fuzz run (test_negative_fuzz.py): no answer may
carry a Python traceback, whatever its status. Loaded by name through ``SCHEMATHESIS_HOOKS``."""

from __future__ import annotations

from typing import Any

import schemathesis

TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/')


@schemathesis.check
def no_traceback_in_answer(ctx: Any, response: schemathesis.Response, case: Any) -> bool:
    text = response.text_lossy()
    for mark in TRACEBACK_MARKS:
        if mark in text:
            raise AssertionError(f"The answer shows a traceback ({mark!r}): {text[:300]}")
    return True
