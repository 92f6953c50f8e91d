import pytest

from syncoxide.errors import RemoteProtocolError
from syncoxide.safe_names import (
    MAX_COMPONENT_BYTES,
    safe_name,
    sanitized_relative_path,
    strict_relative_path,
    travels,
    unique_path,
)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "/etc/passwd",
        "../up",
        "a/../b",
        "a//b",
        "./a",
        "a/.",
        "a\\b",
        "a\x00b",
        "a/\nb",
        "x/" * 70 + "y",
        "a" * 256,
    ],
)
def test_strict_paths_refuse_anything_odd(raw: str) -> None:
    with pytest.raises(RemoteProtocolError):
        strict_relative_path(raw)


def test_strict_paths_pass_plain_ones_normalized() -> None:
    assert strict_relative_path("photos/2024/été.jpg") == "photos/2024/été.jpg"
    assert strict_relative_path("cafe\u0301.txt") == "caf\u00e9.txt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "etc/passwd"),
        ("/abs/path.txt", "abs/path.txt"),
        ("C:\\Users\\ann\\notes.txt", "C_/Users/ann/notes.txt"),
        ("folder/./sub//file", "folder/sub/file"),
        ("bell\x07name\x7f.txt", "bellname.txt"),
        ('what?<>|*".txt', "what______.txt"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("lpt9.log", "_lpt9.log"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("trailing. . ", "trailing"),
        ("  spaced  ", "spaced"),
        ("..", "unnamed"),
        ("", "unnamed"),
        ("cafe\u0301/e\u0301te\u0301.txt", "caf\u00e9/\u00e9t\u00e9.txt"),
    ],
)
def test_sanitized_paths_keep_the_tree_and_make_names_storable(raw: str, expected: str) -> None:
    assert sanitized_relative_path(raw) == expected


def test_long_names_keep_their_extension_and_whole_characters() -> None:
    name = "é" * 200 + ".jpeg"
    fitted = safe_name(name)
    assert len(fitted.encode()) <= MAX_COMPONENT_BYTES
    assert fitted.endswith(".jpeg") and fitted.startswith("é")
    fitted.encode().decode()  # still valid UTF-8


def test_very_deep_trees_are_folded_not_dropped() -> None:
    raw = "/".join(f"d{i}" for i in range(100)) + "/file.txt"
    result = sanitized_relative_path(raw).split("/")
    assert len(result) == 64 and result[-1] == "file.txt" and result[0] == "d0"


def test_unique_path_never_overwrites() -> None:
    taken = {"a/report.pdf", "a/report (1).pdf", "README", ".env"}
    assert unique_path("a/report.pdf", taken.__contains__) == "a/report (2).pdf"
    assert unique_path("README", taken.__contains__) == "README (1)"
    assert unique_path(".env", taken.__contains__) == ".env (1)"
    assert unique_path("a/new.txt", taken.__contains__) == "a/new.txt"


def test_travels_is_what_a_peer_takes() -> None:
    assert travels("docs/a b é.txt") and travels("con.txt")
    for refused in ("back\\slash.txt", "tab\there", "../up", "a//b", "/abs", "x" * 256):
        assert not travels(refused), refused
