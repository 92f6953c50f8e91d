"""Move chains: every set of one-to-one moves is ordered so no step overwrites a file.

Checked by simulation over random move sets (Pyodide has no hypothesis): applying the steps
to a side in order never moves onto a taken name, parks at most one file per cycle, and ends
with every file at its new name and every discarded occupant gone.
"""

from __future__ import annotations

import random

import pytest

from syncoxide.sync.plan import StepKind, is_parked, order_moves, park_name


def _apply(files: dict[str, str], moves: dict[str, str]) -> dict[str, str]:
    """Run the ordered steps on ``files`` (name -> content); fail on any overwrite."""
    ordered = order_moves(moves, files.keys())
    after = dict(files)
    for old, new in ordered.free.items():
        assert new not in after
        after[new] = after.pop(old)
    for number, chain in enumerate(ordered.chains):
        parked = f"parked-{number}"
        parks = [step for step in chain.steps if step.kind is StepKind.PARK]
        assert len(parks) <= 1
        for step in chain.steps:
            if step.kind is StepKind.DISCARD:
                del after[step.key]
            elif step.kind is StepKind.PARK:
                after[parked] = after.pop(step.key)
            else:
                assert step.to not in after, (step, after)
                after[step.to] = after.pop(parked if step.parked else step.key)
    return after


def _random_moves(rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    names = [f"n{i}" for i in range(rng.randint(1, 9))]
    files = {name: f"content of {name}" for name in names if rng.random() < 0.7}
    origins = [name for name in files if rng.random() < 0.7]
    targets = rng.sample([*names, "x1", "x2"], k=min(len(origins), len(names) + 2))
    return files, {old: new for old, new in zip(origins, targets, strict=False) if old != new}


def test_random_move_sets_end_right_without_overwriting() -> None:
    rng = random.Random(2612)
    for _ in range(2000):
        files, moves = _random_moves(rng)
        after = _apply(files, moves)
        for old, new in moves.items():
            assert after[new] == files[old]
        discarded = (files.keys() & set(moves.values())) - moves.keys()
        kept = {n for n in files if n not in moves and n not in discarded}
        assert {n: after[n] for n in kept} == {n: files[n] for n in kept}
        assert set(after) == kept | set(moves.values())


def test_a_swap_parks_one_file() -> None:
    chains = order_moves({"a": "b", "b": "a"}, {"a", "b"}).chains
    assert [(s.kind.value, s.key, s.to, s.parked) for s in chains[0].steps] == [
        ("park", "a", "", False),
        ("move", "b", "a", False),
        ("move", "a", "b", True),
    ]


def test_a_move_onto_a_free_name_needs_no_chain() -> None:
    ordered = order_moves({"a": "z"}, {"a"})
    assert ordered.free == {"a": "z"} and ordered.chains == ()


def test_two_moves_into_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="share a destination"):
        order_moves({"a": "z", "b": "z"}, {"a", "b"})


def test_parked_names_sit_beside_the_file_and_are_recognised() -> None:
    assert park_name("docs/a.txt", "ab12-1") == "docs/.sxpart-park-ab12-1"
    assert is_parked("docs/.sxpart-park-ab12-1") and not is_parked("docs/.sxpart-1234")
