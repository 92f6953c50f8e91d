"""The one alphabet of codes people read out: short link codes and pairing codes share it."""

from __future__ import annotations

from syncoxide.readable_codes import CODE_ALPHABET, code_letters, is_code_letters, typed_letters


def test_the_alphabet_has_32_distinct_letters_and_none_to_mistake() -> None:
    assert len(set(CODE_ALPHABET)) == 32
    assert not set("01OI") & set(CODE_ALPHABET)


def test_letters_take_five_bits_each_lowest_first() -> None:
    assert code_letters(0, 4) == "2222"
    assert code_letters(1, 4) == "3222"
    assert code_letters(31 << 5, 3) == "2Z2"
    assert code_letters(2**40 - 1, 8) == "ZZZZZZZZ"
    assert code_letters(2**40, 8) == "22222222"  # bits past the code's length are dropped


def test_what_people_type_is_read_as_letters() -> None:
    assert typed_letters(" 7k3q-9xpm ") == "7K3Q9XPM"
    assert is_code_letters("7K3Q9XPM")
    assert not is_code_letters("7K3Q9XP0")  # zero is not a letter of the code
