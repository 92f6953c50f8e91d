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


def test_a_value_published_before_anyone_follows_reaches_nobody() -> None:
    feed: Feed[int] = Feed()
    feed.publish(1)
    told: list[int] = []
    feed.follow(told.append)
    assert told == []
