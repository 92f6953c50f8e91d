"""The terminal QR code: drawn module for module, shown only on a terminal or when asked."""

from __future__ import annotations

import argparse
import io

import pytest
import segno

from syncoxide.cli.terminal_qr import add_qr_options, print_link_qr, wants_qr

LINK = "http://127.0.0.1:8000/r/3q2-7bXyZa_0LmNoPqRsTuVw"
# A half-block character is two modules, top and bottom; True = dark module.
_HALVES = {"█": (False, False), "▀": (False, True), "▄": (True, False), " ": (True, True)}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _modules_drawn(text: str) -> list[list[bool]]:
    rows: list[list[bool]] = []
    for line in text.rstrip("\n").split("\n"):
        pairs = [_HALVES[char] for char in line]
        rows += [[top for top, _ in pairs], [bottom for _, bottom in pairs]]
    return rows


def test_the_drawing_is_the_links_qr_code_module_for_module() -> None:
    out = io.StringIO()
    print_link_qr(LINK, True, out)
    drawn = _modules_drawn(out.getvalue())
    code = segno.make(LINK, error="m", micro=False)
    assert code.designator.endswith("-M") and not code.is_micro
    expected = [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=2)]
    assert drawn[: len(expected)] == expected
    assert len(drawn) - len(expected) <= 1  # an odd row count leaves one spare half row


def test_nothing_is_printed_unless_wanted() -> None:
    out = io.StringIO()
    print_link_qr(LINK, False, out)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("argv", "terminal", "expected"),
    [
        ([], True, True),
        ([], False, False),
        (["--qr"], False, True),
        (["--no-qr"], True, False),
    ],
)
def test_the_choice_follows_the_flags_then_the_terminal(
    argv: list[str], terminal: bool, expected: bool
) -> None:
    parser = argparse.ArgumentParser()
    add_qr_options(parser)
    stream = FakeTerminal() if terminal else io.StringIO()
    assert wants_qr(parser.parse_args(argv), stream) is expected


def test_qr_and_no_qr_together_are_refused() -> None:
    parser = argparse.ArgumentParser()
    add_qr_options(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--qr", "--no-qr"])


def test_an_ascii_only_terminal_still_gets_a_code() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    print_link_qr(LINK, True, out)
    assert raw.getvalue().count(b"\x1b[") > 100  # drawn with colour escapes, no block glyphs
