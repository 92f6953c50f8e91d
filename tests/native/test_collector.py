"""The collector policy of one run: rarer young passes inside, everything as it was after,
even when the run fails."""

from __future__ import annotations

import gc

import pytest

from syncoxide.native.collector import RUN_THRESHOLD, fewer_collections


def test_thresholds_and_frozen_objects_are_restored_after_the_run() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == RUN_THRESHOLD
        assert gc.get_freeze_count() > 0  # the objects made so far are left alone
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failing_run_restores_them_too() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_the_run_are_still_collected() -> None:
    with fewer_collections():
        ring: list[object] = []
        ring.append(ring)
        del ring
        assert gc.collect() >= 1
