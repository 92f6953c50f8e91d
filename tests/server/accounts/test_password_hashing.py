"""Password hashing: the full Argon2 cost by default, the test suite's cheap one only when asked
by name (and said at start), and hashes made at either cost checked under the other."""

from __future__ import annotations

import pytest
from argon2 import profiles

from syncoxide.errors import ConfigError
from syncoxide.server.accounts.passwords import (
    CHEAPEST_FOR_TESTS,
    VARIABLE,
    cheap_hashing_warning,
    password_hasher,
)


def test_the_default_is_rfc_9106s_low_memory_profile() -> None:
    hasher = password_hasher({})
    low = profiles.RFC_9106_LOW_MEMORY
    assert (hasher.memory_cost, hasher.time_cost) == (low.memory_cost, low.time_cost)
    assert hasher.memory_cost >= 65536
    assert cheap_hashing_warning({}) is None


def test_the_cheap_cost_is_taken_only_by_its_name_and_said_at_start() -> None:
    cheap = password_hasher({VARIABLE: CHEAPEST_FOR_TESTS})
    assert cheap.memory_cost == profiles.CHEAPEST.memory_cost < 65536
    warning = cheap_hashing_warning({VARIABLE: CHEAPEST_FOR_TESTS})
    assert warning is not None and "Never run a real server like this" in warning
    for wrong in ("cheap", "CHEAPEST-FOR-TESTS", "fast", "0"):
        with pytest.raises(ConfigError, match="is not a known setting"):
            password_hasher({VARIABLE: wrong})


def test_a_hash_made_at_either_cost_checks_under_the_other_and_asks_for_the_full_one() -> None:
    full, cheap = password_hasher({}), password_hasher({VARIABLE: CHEAPEST_FOR_TESTS})
    made_cheap = cheap.hash("correct horse")
    assert full.verify(made_cheap, "correct horse")
    assert full.check_needs_rehash(made_cheap)  # signing in rehashes it at the full cost
    assert cheap.verify(full.hash("battery staple"), "battery staple")
