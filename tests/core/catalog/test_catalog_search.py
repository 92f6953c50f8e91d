"""What people type in the search box: filters parsed, FTS operators and quotes kept inert."""

from __future__ import annotations

import pytest

from syncoxide.catalog.search import parse_search
from syncoxide.errors import UsageError


def test_words_phrases_and_filters_are_told_apart() -> None:
    query = parse_search('report "annual plan" type:pdf in:home size:>10MB after:2024-01-31 -draft')
    assert query.words == ("report",)
    assert query.phrases == ("annual plan",)
    assert query.excluded == ("draft",)
    assert query.sources == ("home",)
    assert query.mime_prefixes == ("application/pdf",)
    assert query.min_size == 10_000_001
    assert query.after_ns == 1_706_659_200 * 10**9


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("size:>1kB", 1001, None),
        ("size:>=1kB", 1000, None),
        ("size:<2MiB", None, 2 * 1024 * 1024 - 1),
        ("size:500", 500, 500),
        ("size:1.5GB", 1_500_000_000, 1_500_000_000),
    ],
)
def test_sizes_take_decimal_and_binary_units(text: str, low: int | None, high: int | None) -> None:
    query = parse_search(text)
    assert (query.min_size, query.max_size) == (low, high)


@pytest.mark.parametrize(
    "text", ["size:big", "after:yesterday", "before:2024-13-01", "is:symlink", "type:spreadsheet"]
)
def test_a_bad_filter_value_is_a_usage_error_saying_what_works(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_search(text)
    assert raised.value.hint


def test_every_word_becomes_an_fts_string_so_operators_are_plain_text() -> None:
    query = parse_search("a OR b NEAR(c) name:x * ^d")
    # Each word is one double-quoted string, prefix-matched; "*" alone is dropped.
    assert query.fts_match() == '"a"* AND "OR"* AND "b"* AND "NEAR(c)"* AND "name:x"* AND "^d"*'


def test_quotes_inside_words_are_doubled() -> None:
    assert parse_search('it"s').fts_match() == '"it""s"*'


def test_an_unclosed_quote_is_a_phrase_to_the_end() -> None:
    assert parse_search('"half open').phrases == ("half open",)


def test_lone_punctuation_is_ignored_and_limits_hold() -> None:
    assert parse_search("* - && ()").fts_match() == ""
    with pytest.raises(UsageError):
        parse_search("x " * 40)
    with pytest.raises(UsageError):
        parse_search("x" * 1001)
    with pytest.raises(UsageError):
        parse_search("bad \ud800 text")
