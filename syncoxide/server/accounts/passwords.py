"""The Argon2id hasher for account and link passwords, and its one test-only setting.

By default: argon2-cffi's RFC 9106 low-memory profile (64 MiB, 3 passes, 4 lanes), about 0.3 s
of CPU per hash or check, which is the point. ``SYNCOXIDE_PASSWORD_HASHING=cheapest-for-tests``
takes the library's CHEAPEST profile (8 KiB, 1 pass) instead, for the throwaway servers and CLI
processes of the test suite: they hash thousands of passwords that guard nothing (a schema
fuzz run hashed one per link it made, most of its server time), and the tests check what a
password allows, not what it costs; the test suite's in-process tests take it as well.

A hash names its parameters, so one made under either verifies under the other, and signing in
rehashes a password whose parameters are not the current ones.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from argon2 import PasswordHasher, profiles

from syncoxide.errors import ConfigError

VARIABLE = "SYNCOXIDE_PASSWORD_HASHING"
CHEAPEST_FOR_TESTS = "cheapest-for-tests"


def password_hasher(environ: Mapping[str, str] = os.environ) -> PasswordHasher:
    chosen = environ.get(VARIABLE, "").strip()
    if not chosen:
        return PasswordHasher()
    if chosen == CHEAPEST_FOR_TESTS:
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    raise ConfigError(
        f"{VARIABLE}={chosen!r} is not a known setting.",
        hint=f"Leave it unset (the default), or {CHEAPEST_FOR_TESTS!r} in test suites only.",
    )


def cheap_hashing_warning(environ: Mapping[str, str] = os.environ) -> str | None:
    """What a server says at start when it hashes passwords at the test suite's cost: a
    deployment that copied the setting from a test script should hear it at once."""
    if environ.get(VARIABLE, "").strip() != CHEAPEST_FOR_TESTS:
        return None
    return (
        f"{VARIABLE}={CHEAPEST_FOR_TESTS}: passwords are hashed at the test suite's cheapest "
        "Argon2 cost (8 KiB, 1 pass), which guards nothing. Never run a real server like this; "
        "unset it, and each password is hashed at the full cost again at its next sign-in."
    )


PASSWORD_HASHER = password_hasher()
