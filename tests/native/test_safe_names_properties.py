"""Properties of the name sanitizer over arbitrary input (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.safe_names import (
    MAX_COMPONENT_BYTES,
    MAX_DEPTH,
    sanitized_relative_path,
    strict_relative_path,
    unique_path,
)

names = st.text(min_size=0, max_size=400)


@settings(max_examples=400, deadline=None)
@given(names)
def test_every_sanitized_path_passes_the_strict_check(raw: str) -> None:
    path = sanitized_relative_path(raw)
    assert strict_relative_path(path) == path
    parts = path.split("/")
    assert len(parts) <= MAX_DEPTH
    assert all(len(part.encode()) <= MAX_COMPONENT_BYTES for part in parts)
    assert not any(ch in path for ch in '<>:"|?*\\')


@settings(max_examples=200, deadline=None)
@given(names)
def test_sanitizing_is_idempotent(raw: str) -> None:
    once = sanitized_relative_path(raw)
    assert sanitized_relative_path(once) == once


@settings(max_examples=100, deadline=None)
@given(st.lists(names, min_size=1, max_size=30))
def test_unique_paths_never_collide(raws: list[str]) -> None:
    taken: set[str] = set()
    for raw in raws:
        path = unique_path(sanitized_relative_path(raw), taken.__contains__)
        assert path not in taken
        taken.add(path)
