import pytest

from syncoxide.errors import UsageError
from syncoxide.sync.filters import FilterSet, compile_rule, parse_syncignore


def excluded(rules, path: str, is_dir: bool = False) -> bool:
    return FilterSet(rules).excluded(path, is_dir=is_dir)


def test_name_patterns_match_at_any_depth() -> None:
    rules = [compile_rule("*.tmp", include=False)]
    assert excluded(rules, "a.tmp") and excluded(rules, "x/y/a.tmp")
    assert not excluded(rules, "a.tmpx") and not excluded(rules, "a.txt")


def test_anchored_patterns_and_double_star() -> None:
    rules = [compile_rule("/build/**", include=False), compile_rule("docs/*.md", include=False)]
    assert excluded(rules, "build/x/y.o")
    assert not excluded(rules, "src/build/y.o")
    assert excluded(rules, "docs/a.md") and not excluded(rules, "docs/sub/a.md")


def test_excluded_folder_takes_its_contents() -> None:
    rules = [compile_rule("node_modules/", include=False)]
    fs = FilterSet(rules)
    assert fs.dir_excluded("a/node_modules")
    assert fs.excluded("a/node_modules/pkg/index.js", is_dir=False)
    assert not fs.excluded("node_modules", is_dir=False)  # a file of that name is not a folder


def test_first_match_wins_and_includes_exclude_the_rest() -> None:
    rules = [compile_rule("keep.log", include=True), compile_rule("*.log", include=False)]
    assert not excluded(rules, "keep.log") and excluded(rules, "other.log")
    only_jpg = [compile_rule("*.jpg", include=True)]
    assert not excluded(only_jpg, "p/a.jpg") and excluded(only_jpg, "p/a.png")
    assert not excluded(only_jpg, "p", is_dir=True)


def test_syncignore_comments_negation_and_classes() -> None:
    rules = parse_syncignore("# comment\n\n!important.bak\n*.bak\nfile[0-9].txt\n")
    assert not excluded(rules, "important.bak") and excluded(rules, "x.bak")
    assert excluded(rules, "file3.txt") and not excluded(rules, "filex.txt")


def test_bad_patterns_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        compile_rule("[abc", include=False)
    with pytest.raises(UsageError):
        compile_rule("  ", include=False)
