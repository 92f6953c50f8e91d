"""Property tests: bisync converges (a second run plans nothing) and never loses a version."""

from hypothesis import given, settings
from hypothesis import strategies as st

from .sync_harness import T0, Pair

# Convergence and no loss are what these properties test; the safety stops have their own tests.
UNSTOPPED = {"force": True, "allow_empty_side": True}

PATHS = ["a", "b.txt", "d/c", "d/e.md", "x/y/z"]
POLICIES = ["newer", "older", "larger", "path1", "path2", "keep-both"]

change = st.tuples(
    st.sampled_from(["one", "two"]),
    st.sampled_from(["write", "delete"]),
    st.sampled_from(PATHS),
    st.binary(min_size=0, max_size=6),
)
tree = st.dictionaries(st.sampled_from(PATHS), st.binary(max_size=6), max_size=5)


def _apply(pair: Pair, changes, stamp: list[int]) -> None:
    for side_name, kind, path, content in changes:
        side = pair.one if side_name == "one" else pair.two
        if kind == "delete":
            side._objects.pop(path, None)
        else:
            stamp[0] += 1  # unique mtimes: size+mtime detection needs edits to move the clock
            side.put(path, content + side_name.encode(), T0 + stamp[0] * 10**9)


def _versions(pair: Pair) -> set[bytes]:
    return set(pair.one.snapshot().values()) | set(pair.two.snapshot().values())


@settings(max_examples=150, deadline=None)
@given(
    start=tree,
    changes=st.lists(change, max_size=8),
    policy=st.sampled_from(POLICIES),
    checksum=st.booleans(),
    more=st.lists(change, max_size=4),
)
def test_bisync_converges_and_keeps_every_version(start, changes, policy, checksum, more):
    pair = Pair()
    for path, content in start.items():
        pair.one.put(path, content, T0)
    stamp = [0]
    for script in (changes, more):
        pair.run(policy=policy, checksum=checksum, **UNSTOPPED)
        _apply(pair, script, stamp)
        before = _versions(pair)
        report = pair.run(policy=policy, checksum=checksum, **UNSTOPPED)
        assert not report.failures
        assert pair.user_files(pair.one) == pair.user_files(pair.two)
        assert before <= _versions(pair), "a version vanished (not in either tree or trash)"
        assert pair.run(policy=policy, checksum=checksum, **UNSTOPPED).plan.actions == ()
