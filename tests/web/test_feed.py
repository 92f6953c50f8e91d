"""The feed that carries a value from one view to others without an import between them."""

from __future__ import annotations

from syncoxide_web.platform.feed import Feed


def test_every_follower_is_told_each_value_in_the_order_they_followed() -> None:
    feed: Feed[list[str]] = Feed()
    told: list[tuple[str, list[str]]] = []
    feed.follow(lambda value: told.append(("rules form", value)))
    feed.follow(lambda value: told.append(("another view", value)))
    feed.publish(["nas"])
    feed.publish([])
    assert told == [
        ("rules form", ["nas"]),
        ("another view", ["nas"]),
        ("rules form", []),
        ("another view", []),
    ]


def test_a_late_follower_is_told_the_last_value_at_once() -> None:
    # Views start in any order: the rules form may start after Files published its connections.
    feed: Feed[int] = Feed()
    feed.publish(1)
    feed.publish(2)
    told: list[int] = []
    feed.follow(told.append)
    assert told == [2]
    feed.publish(3)
    assert told == [2, 3]


def test_a_follower_of_a_feed_that_never_published_is_told_nothing() -> None:
    feed: Feed[int] = Feed()
    told: list[int] = []
    feed.follow(told.append)
    assert told == []
