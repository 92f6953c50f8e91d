"""Only the read asked last may draw, whatever order the answers come back in."""

from __future__ import annotations

from syncoxide_web.platform.latest import LatestRead


def test_an_answer_to_an_older_read_is_not_drawn() -> None:
    reads = LatestRead()
    first = reads.ask()
    second = reads.ask()
    assert second()  # the newer answer came first: drawn
    assert not first()  # the older one came after it: dropped


def test_a_read_on_its_own_draws_and_a_later_one_takes_over() -> None:
    reads = LatestRead()
    only = reads.ask()
    assert only()
    assert only()  # checked twice (before and after a second request of the same read)
    reads.ask()
    assert not only()
