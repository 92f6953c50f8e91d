"""The share key in a link's fragment, and the names an encrypted share refuses (pure)."""

from __future__ import annotations

import os

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_key import (
    MAX_NAME_BYTES,
    check_shareable_paths,
    key_fragment,
    key_from_fragment,
)
from syncoxide.errors import MalformedDataError, UsageError

KEY = SecretBytes(os.urandom(32))


def test_the_fragment_carries_the_key_and_nothing_else() -> None:
    fragment = key_fragment(KEY)
    assert fragment.startswith("k=") and "=" not in fragment[2:] and len(fragment) == 45
    assert key_from_fragment("#" + fragment) == KEY
    assert key_from_fragment("x=1&" + fragment) == KEY


@pytest.mark.parametrize(
    ("fragment", "error"),
    [
        ("", UsageError),
        ("#k=", UsageError),
        ("#k=abc", MalformedDataError),
        ("#k=!!", MalformedDataError),
    ],
)
def test_a_missing_or_damaged_key_is_a_clear_error(fragment: str, error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        key_from_fragment(fragment)
    assert "link" in str(raised.value)


def test_long_and_duplicate_names_are_refused_before_uploading() -> None:
    with pytest.raises(UsageError, match="too long"):
        check_shareable_paths(["ok.txt", "x" * (MAX_NAME_BYTES + 1)])
    with pytest.raises(UsageError, match="both"):
        check_shareable_paths(["Gig/a.txt", "Gig/a.txt"])
    check_shareable_paths(["Gig/a.txt", "Other/a.txt"])
