"""Link ids: random, URL-safe, and never taken for a command-line option."""

import re
import secrets
from unittest import mock

from syncoxide.server.links.service import new_link_id


def test_ids_are_urlsafe_and_never_start_with_a_dash() -> None:
    ids = {new_link_id() for _ in range(5000)}
    assert len(ids) == 5000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", link_id) for link_id in ids)
    assert not [link_id for link_id in ids if link_id.startswith("-")]


def test_an_id_drawn_with_a_leading_dash_is_drawn_again() -> None:
    draws = iter(["-abcdefghijklmnopqrstuvw", "Xabcdefghijklmnopqrstuvw"])
    with mock.patch.object(secrets, "token_urlsafe", lambda _n: next(draws)):
        assert new_link_id() == "Xabcdefghijklmnopqrstuvw"
