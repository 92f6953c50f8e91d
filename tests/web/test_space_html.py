"""Space and cleanup's HTML: charts as tables of <meter> bars, and duplicate groups."""

from __future__ import annotations

from typing import Any

from syncoxide_web.catalog.space_html import bars_html, duplicates_html, stats_html, totals

USAGE = [
    {"source": "home", "type": "image", "files": 2, "bytes": 300},
    {"source": "s3<x>", "type": "image", "files": 1, "bytes": 900},
    {"source": "home", "type": "pdf", "files": 3, "bytes": 100},
]


def _entry(path: str, size: int) -> dict[str, Any]:
    return {"location": f"home:{path}", "source": "home", "path": path, "kind": "file",
            "size": size, "mtime_ns": 0}  # fmt: skip


def test_totals_sum_by_place_or_type_largest_first() -> None:
    assert totals(USAGE, "source") == [("s3<x>", 1, 900), ("home", 5, 400)]
    assert totals(USAGE, "type") == [("image", 3, 1200), ("pdf", 3, 100)]


def test_bars_are_meters_against_the_largest_and_names_are_escaped() -> None:
    html = bars_html(totals(USAGE, "source"), "By place")
    assert '<meter min="0" max="900" value="900">' in html
    assert '<meter min="0" max="900" value="400">' in html
    assert "s3&lt;x&gt;" in html and "Your files on this server" in html
    assert "style=" not in html  # the page's CSP allows no inline style
    assert "nothing indexed yet" in bars_html([("home", 0, 0)], "By place")


def test_stats_draw_three_charts_including_age() -> None:
    ages = [{"age": "this month", "files": 1, "bytes": 10}, {"age": "older", "files": 0,
                                                            "bytes": 0}]  # fmt: skip
    html = stats_html({"usage": USAGE, "by_age": ages, "largest": []})
    assert html.count("<table") == 3 and "By age" in html and "this month" in html


def test_duplicates_show_proven_groups_then_guesses_each_with_delete() -> None:
    answer = {"groups": [[_entry("a.bin", 2048), _entry("b.bin", 2048)]],
              "guesses": [[_entry("c.pdf", 10), _entry("d/c.pdf", 10)]]}  # fmt: skip
    html = duplicates_html(answer)
    assert html.index("Same content (2.0 kB each)") < html.index("Probably the same")
    assert html.count('data-action="delete"') == 4
    assert "No duplicates" in duplicates_html({"groups": [], "guesses": []})
