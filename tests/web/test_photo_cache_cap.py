"""The device-photo cache's size cap: least recently shown entries go first, until the rest fit."""

from __future__ import annotations

from syncoxide_web.photos.cache_cap import plan_cap

NOW = 1_800_000_000_000


def test_under_the_cap_nothing_goes_and_shown_entries_are_marked_now() -> None:
    plan = plan_cap({"a": 40, "b": 60}, {"a": 5, "b": 7}, shown={"b"}, now_ms=NOW, cap=100)
    assert plan.evict == []
    assert plan.used == {"a": 5, "b": NOW}


def test_over_the_cap_the_least_recently_shown_go_first_until_the_rest_fit() -> None:
    sizes = {"old": 30, "older": 30, "recent": 30, "new": 30}
    used = {"old": 200, "older": 100, "recent": 300}  # "new" was just read: shown now
    plan = plan_cap(sizes, used, shown={"new"}, now_ms=NOW, cap=70)
    assert plan.evict == ["older", "old"]
    assert plan.used == {"recent": 300, "new": NOW}
    assert sum(sizes[key] for key in plan.used) <= 70


def test_an_entry_with_no_recorded_use_goes_before_any_shown_one() -> None:
    plan = plan_cap({"a": 50, "b": 50, "c": 50}, {"b": 1}, shown={"c"}, now_ms=NOW, cap=100)
    assert plan.evict == ["a"]
    assert plan.used == {"b": 1, "c": NOW}


def test_entries_shown_in_one_visit_tie_by_key_so_the_same_ones_go_each_time() -> None:
    sizes = {f"photos\0{n:02}.jpg": 10 for n in range(10)}
    first = plan_cap(sizes, {}, shown=set(sizes), now_ms=NOW, cap=75)
    again = plan_cap(sizes, first.used, shown=set(sizes), now_ms=NOW + 1, cap=75)
    assert first.evict == again.evict == [f"photos\0{n:02}.jpg" for n in range(3)]


def test_uses_of_entries_gone_are_forgotten_and_one_entry_over_the_cap_goes_too() -> None:
    plan = plan_cap({"huge": 500, "small": 10}, {"gone": 9, "huge": 8}, shown={"small"},
                    now_ms=NOW, cap=100)  # fmt: skip
    assert plan.evict == ["huge"]
    assert plan.used == {"small": NOW}


def test_the_default_cap_holds_thousands_of_thumbnails() -> None:
    sizes = {f"k{n}": 25_000 for n in range(8_000)}
    assert plan_cap(sizes, {}, shown=set(sizes), now_ms=NOW).evict == []
    sizes["one more"] = 25_000
    assert len(plan_cap(sizes, {}, shown=set(sizes), now_ms=NOW).evict) == 1
