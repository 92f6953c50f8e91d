"""Replays rclone's bisync test scenarios against syncoxide on local folders.

rclone keeps its bisync tests as data (``cmd/bisync/testdata/test_*``): ``initial/`` (both
sides' first files), ``modfiles/`` (files the steps copy in), ``scenario.txt`` (one step per
line) and ``golden/`` (rclone's own listings and logs). The step language is rclone's (its
``bisync_test.go``); this module is our own reading of it. The data is not in this project:
it is found beside it (``shared/rclone-bisync-testdata`` in a parent folder of the project, or
``$SYNCOXIDE_RCLONE_TESTDATA``).

Every ``bisync`` step runs ``syncoxide sync --mode bisync --conflict keep-both`` in-process and
is checked the same way, whatever rclone would have done:

- no crash: the command returns an exit code (no exception escapes), never "could not start";
- no content lost: every file content present on either side (trash included) before the run
  is still present on one of them after it;
- a dry run, or a run a safety stop refused (exit 3, 5, 6, 7), changed nothing;
- after a run that went through, both sides hold the same files, and an immediate second run
  plans nothing.

Then the final tree is set beside rclone's final golden listing: ``pass`` when the same paths
and sizes remain, ``differs`` with the reason otherwise (conflict copies named differently, a
policy of ours that differs from rclone's). A scenario that needs a feature only rclone has is
``skipped`` with the reason. Run ``python -m tests.native.sync.rclone_replay`` for the table.
"""

from __future__ import annotations

import calendar
import codecs
import contextlib
import fnmatch
import hashlib
import io
import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide.byte_names import display
from syncoxide.cli.main import main
from syncoxide.sync.filters import FilterSet, compile_rule

ENV = "SYNCOXIDE_RCLONE_TESTDATA"
INITIAL_DATE = "2000-01-01"
STOPPED = {3, 5, 6, 7}  # --max-delete, empty side, delete share, all changed
#: Flags whose meaning only rclone has: a scenario using one is skipped, with this reason.
RCLONE_ONLY_FLAGS = {
    "backupdir1": "rclone's --backup-dir (syncoxide keeps replaced versions in its trash)",
    "backupdir2": "rclone's --backup-dir (syncoxide keeps replaced versions in its trash)",
    "conflict-resolve": "rclone's --conflict-resolve/--conflict-loser naming options",
    "conflict-loser": "rclone's --conflict-resolve/--conflict-loser naming options",
    "conflict-suffix": "rclone's --conflict-suffix",
    "resync-mode": "rclone's --resync-mode (syncoxide has one first-run rule)",
    "track-renames": "rclone's --track-renames",
    "track-renames-strategy": "rclone's --track-renames",
    "max-delete-renames-aware": "rclone's --max-delete renames awareness",
    "size-only": "rclone's --size-only comparison",
    "ignore-size": "rclone's --ignore-size comparison",
    "nomodtime": "rclone's --compare without modification times",
    "norm": "rclone's --ignore-case-sync / normalization switches",
    "no-norm": "rclone's --no-unicode-normalization",
    "fix-case": "rclone's --fix-case renaming",
}
#: Flags that only steer rclone's own checks of its listing files: run without them.
IGNORED_FLAGS = {
    "check-access": "rclone's RCLONE_TEST access files",
    "check-filename": "rclone's RCLONE_TEST access files",
    "check-sync-only": "rclone's listing self-check (syncoxide syncs instead)",
    "no-check-sync": "rclone's listing self-check",
    "ignore-listing-checksum": "rclone's listing checksums",
    "create-empty-src-dirs": "folders always sync in syncoxide",
    "remove-empty-dirs": "folders always sync in syncoxide",
}
RCLONE_ONLY_STEPS = {
    "test-func": "a hook that edits files while rclone's bisync runs",
    "concurrent-func": "a hook that edits files while rclone's bisync runs",
}
_CHR = re.compile(rb"\{chr:([0-9a-f]{2})\}")


class MisplacedTestdata(ValueError):
    """``$SYNCOXIDE_RCLONE_TESTDATA`` is set but names no folder: a setup mistake, not a skip."""


def find_testdata(project: Path) -> Path | None:
    """The ``head`` scenarios: from ``$SYNCOXIDE_RCLONE_TESTDATA`` or a parent's ``shared/``.

    None when neither has them (a fresh clone in a temporary folder, as CI runs it)."""
    if os.environ.get(ENV):
        found = Path(os.environ[ENV])
        if (found / "head").is_dir():
            return found / "head"
        if found.is_dir():
            return found
        raise MisplacedTestdata(
            f"{ENV}={found} is not a folder: point it at rclone's cmd/bisync/testdata "
            "(the folder holding test_*/, or one holding head/), or unset it"
        )
    for folder in (project, *project.parents):
        candidate = folder / "shared" / "rclone-bisync-testdata" / "head"
        if candidate.is_dir():
            return candidate
    return None


def missing_reason(project: Path) -> str:
    """Why the replay is skipped when ``find_testdata`` found nothing, and how to run it."""
    return (
        "rclone's bisync scenarios are not replayed: their data (kept outside this project) "
        f"is not at shared/rclone-bisync-testdata/head in {project} or any parent folder, "
        f"and {ENV} is not set; set {ENV} to a copy of rclone's cmd/bisync/testdata to run them"
    )


class ScenarioSkipped(Exception):
    """The scenario needs a feature only rclone has."""


@dataclass
class Result:
    name: str
    verdict: str = "pass"  # pass | differs | skipped
    reasons: list[str] = field(default_factory=list)
    runs: int = 0
    stops: int = 0
    violations: list[str] = field(default_factory=list)  # data loss, crash, no convergence

    def row(self) -> str:
        why = "; ".join(self.reasons) or "-"
        return f"{self.name:<34} {self.verdict:<8} runs={self.runs:<2} stops={self.stops:<2} {why}"


def _date_ns(date: str) -> int:
    year, month, day = (int(part) for part in date.split("-"))
    return calendar.timegm((year, month, day, 0, 0, 0)) * 10**9


def _tokens(line: str, macros: dict[str, str]) -> list[str]:
    for macro, value in macros.items():
        line = line.replace(macro, value)
    words = []
    for word in line.split():
        raw = os.fsencode(word)
        raw = raw.replace(b"{spc}", b" ").replace(b"{tab}", b"\t").replace(b"{eol}", b"\n")
        words.append(os.fsdecode(_CHR.sub(lambda m: bytes([int(m.group(1), 16)]), raw)))
    return words


def _steps(scenario: Path) -> list[str]:
    lines = []
    for line in scenario.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def _user_files(root: Path) -> dict[str, bytes]:
    return {
        os.path.relpath(path, root): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".syncoxide" not in path.relative_to(root).parts
    }


def _all_contents(*roots: Path) -> dict[str, str]:
    """Digest -> one path holding it, over both sides with their trash."""
    found: dict[str, str] = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), str(path))
    return found


def _touch(path: Path, date: str) -> None:
    seconds = _date_ns(date) / 10**9
    os.utime(path, (seconds, seconds))


def _copy_into(source: Path, folder: Path, name: str) -> None:
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


class Replay:
    """One scenario in its own temporary folder."""

    def __init__(self, scenario: Path, work: Path) -> None:
        self.scenario, self.work = scenario, work
        self.result = Result(scenario.name)
        self.filters = FilterSet()
        self.path1, self.path2 = work / "path1", work / "path2"
        self.workdir, self.datadir, self.state = work / "workdir", work / "datadir", work / "state"
        self.macros = {
            "{datadir/}": f"{self.datadir}/",
            "{testdir/}": f"{scenario}/",
            "{workdir/}": f"{self.workdir}/",
            "{path1/}": f"{self.path1}/",
            "{path2/}": f"{self.path2}/",
            "{session}": "session",
            "{/}": "/",
        }

    def run(self) -> Result:
        try:
            self._check_supported()
            self._lay_out()
            for number, line in enumerate(_steps(self.scenario / "scenario.txt"), 1):
                try:
                    self._step(_tokens(line, self.macros))
                except OSError as error:  # the step expects a tree rclone left, ours differs
                    self._differs(
                        f"step {number} ({line.split()[0]}) found another tree: {error.strerror}"
                    )
                    break
            else:
                self._compare_with_golden()
        except ScenarioSkipped as reason:
            self.result.verdict, self.result.reasons = "skipped", [str(reason)]
        if self.result.violations:
            self.result.verdict = "VIOLATED"
        return self.result

    def _supported(self) -> bool:
        try:
            self._check_supported()
        except ScenarioSkipped:
            return False
        return True

    def _check_supported(self) -> None:
        for line in _steps(self.scenario / "scenario.txt"):
            words = line.split()
            if words[0] in RCLONE_ONLY_STEPS:
                raise ScenarioSkipped(f"needs {RCLONE_ONLY_STEPS[words[0]]}")
            if words[0] != "bisync":
                continue
            for flag in words[1:]:
                name = flag.split("=", 1)[0]
                if name in RCLONE_ONLY_FLAGS:
                    raise ScenarioSkipped(f"needs {RCLONE_ONLY_FLAGS[name]}")

    def _lay_out(self) -> None:
        for side in (self.path1, self.path2):
            shutil.copytree(self.scenario / "initial", side)
            for path in side.rglob("*"):
                if path.is_file():
                    _touch(path, INITIAL_DATE)
        if (self.scenario / "modfiles").is_dir():
            shutil.copytree(self.scenario / "modfiles", self.datadir)
        self.workdir.mkdir()

    # -- the step language ---------------------------------------------------------------
    def _step(self, words: list[str]) -> None:
        command, args = words[0], words[1:]
        handler = getattr(self, "_do_" + command.replace("-", "_"), None)
        if handler is None:
            raise ScenarioSkipped(f"unknown step {command!r}")
        handler(*args)

    def _do_test(self, *_: str) -> None:
        pass

    def _do_copy_listings(self, *_: str) -> None:
        pass  # rclone's listing files: syncoxide keeps its own pair state

    _do_move_listings = _do_copy_listings
    _do_list_dirs = _do_copy_listings
    _do_list_files = _do_copy_listings
    _do_fix_names = _do_copy_listings  # names are written as given on Linux

    def _do_touch_glob(self, date: str, folder: str, glob: str) -> None:
        for path in Path(folder).iterdir():
            if path.is_file() and fnmatch.fnmatchcase(path.name, glob):
                _touch(path, date)

    def _do_touch_copy(self, date: str, source: str, target: str) -> None:
        _touch(Path(source), date)
        self._do_copy_file(source, target)

    def _do_copy_file(self, source: str, target: str) -> None:
        _copy_into(Path(source), Path(target.rstrip("/")), Path(source).name)

    def _do_copy_as(self, source: str, folder: str, name: str) -> None:
        _copy_into(Path(source), Path(folder), name)

    def _do_copy_as_NFC(self, source: str, folder: str, name: str) -> None:
        nfc = unicodedata.normalize
        _copy_into(Path(source), Path(nfc("NFC", folder)), nfc("NFC", name))

    def _do_copy_as_NFD(self, source: str, folder: str, name: str) -> None:
        nfd = unicodedata.normalize
        _copy_into(Path(source), Path(nfd("NFD", folder)), nfd("NFD", name))

    def _do_delete_file(self, path: str) -> None:
        Path(path).unlink()

    def _do_delete_glob(self, folder: str, glob: str) -> None:
        for path in Path(folder).rglob("*"):
            if path.is_file() and fnmatch.fnmatchcase(path.name, glob):
                path.unlink()

    def _do_purge_children(self, folder: str) -> None:
        for path in Path(folder).iterdir():
            shutil.rmtree(path) if path.is_dir() else path.unlink()

    def _do_copy_dir(self, source: str, target: str) -> None:
        shutil.copytree(source, target, dirs_exist_ok=True)

    def _do_sync_dir(self, source: str, target: str) -> None:
        self._do_purge_children(target)
        self._do_copy_dir(source, target)

    # -- bisync ---------------------------------------------------------------------------
    def _do_bisync(self, *flags: str) -> None:
        argv, one, two, dry = self._bisync_argv(flags)
        if "resync" in flags and not dry:
            shutil.rmtree(self.state, ignore_errors=True)  # a first run, as resync is for rclone
        before_trees = (_user_files(one), _user_files(two), _all_contents(self.path1, self.path2))
        code, _ = self._sync(argv)
        self.result.runs += 1
        self._check_run(code, dry, before_trees, one, two)
        if code == 0 and not dry:
            again, body = self._sync([*argv, "--json"])
            if again != 0 or body.get("planned"):
                self._violate(f"a second run planned {body.get('planned')} (exit {again})")

    def _bisync_argv(self, flags: tuple[str, ...]) -> tuple[list[str], Path, Path, bool]:
        one, two, extra, dry = self.path1, self.path2, [], False
        self.filters = FilterSet()
        for flag in flags:
            name, _, value = flag.partition("=")
            if name == "dry-run":
                extra.append("--dry-run")
                dry = True
            elif name == "force":
                extra.append("--force")
            elif name == "max-delete":
                extra += ["--max-delete-share", value]
            elif name in ("checksum", "compare-all"):
                extra.append("--checksum")
            elif name == "subdir":
                one, two = one / value, two / value
            elif name == "filters-file":
                rules = _translated_filters(Path(value))
                extra += [word for rule in rules for word in (rule[0], rule[1])]
                self.filters = FilterSet(
                    compile_rule(glob, include=flag == "--include") for flag, glob in rules
                )
                self._note("rclone filters file translated to --include/--exclude")
            elif name in IGNORED_FLAGS:
                self._note(f"ran without {name} ({IGNORED_FLAGS[name]})")
            elif name != "resync":
                raise ScenarioSkipped(f"unknown bisync flag {name!r}")
        argv = ["sync", str(one), str(two), "--mode", "bisync", "--conflict", "keep-both"]
        return [*argv, "--state-dir", str(self.state), *extra], one, two, dry

    def _sync(self, argv: list[str]) -> tuple[int, dict[str, object]]:
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
        except BaseException as error:
            self._violate(f"crash: {type(error).__name__}: {display(str(error))}")
            return -1, {}
        if code == 4:
            self._violate(f"could not start: {display(err.getvalue().strip())}")
        text = out.getvalue()
        return code, json.loads(text) if "--json" in argv and text.startswith("{") else {}

    def _check_run(
        self,
        code: int,
        dry: bool,
        before: tuple[dict[str, bytes], dict[str, bytes], dict[str, str]],
        one: Path,
        two: Path,
    ) -> None:
        files_one, files_two, contents = before
        after = _all_contents(self.path1, self.path2)
        lost = [path for digest, path in contents.items() if digest not in after]
        if lost:
            self._violate(f"content lost: {', '.join(display(p) for p in lost[:3])}")
        if code in STOPPED:
            self.result.stops += 1
            self._note(f"safety stop (exit {code}) where a step ran")
        if dry or code in STOPPED:
            if (_user_files(one), _user_files(two)) != (files_one, files_two):
                self._violate("a dry run or a stopped run changed files")
        elif code == 0 and self._synced(one) != self._synced(two):
            self._violate("the sides differ after a run that went through")
        elif code not in (0, -1, 4):
            self._note(f"exit {code}")

    def _synced(self, root: Path) -> dict[str, bytes]:
        """The files the run's filters let in (an excluded file may differ between sides)."""
        files = _user_files(root)
        return {
            path: data
            for path, data in files.items()
            if not self.filters.excluded(path, is_dir=False)
        }

    def _compare_with_golden(self) -> None:
        golden = self.scenario / "golden" / "_testdir_path1.._testdir_path2.path1.lst"
        if not golden.is_file():
            self._note("rclone keeps no final listing for this scenario")
            return
        theirs = _golden_listing(golden)
        ours = {path: len(data) for path, data in self._synced(self.path1).items()}
        if ours == theirs:
            return
        only_ours = sorted(set(ours) - set(theirs))
        only_theirs = sorted(set(theirs) - set(ours))
        sized = sorted(p for p in set(ours) & set(theirs) if ours[p] != theirs[p])
        if _conflict_naming_only(only_ours, only_theirs) and not sized:
            self._differs(
                "naming: conflict copies are named .conflict-<time>-<side>, rclone's .conflictN"
            )
            return
        parts = []
        if only_ours:
            parts.append("only ours: " + ", ".join(display(p) for p in only_ours[:4]))
        if only_theirs:
            parts.append("only rclone's: " + ", ".join(display(p) for p in only_theirs[:4]))
        if sized:
            parts.append("other size: " + ", ".join(display(p) for p in sized[:4]))
        self._differs("policy: " + "; ".join(parts))

    def _note(self, reason: str) -> None:
        if reason not in self.result.reasons:
            self.result.reasons.append(reason)

    def _differs(self, reason: str) -> None:
        self.result.verdict = "differs"
        self._note(reason)

    def _violate(self, what: str) -> None:
        self.result.violations.append(what)
        self._note(what)


def _translated_filters(path: Path) -> list[tuple[str, str]]:
    """rclone's ``- glob`` / ``+ glob`` lines as our ``--exclude`` / ``--include``."""
    rules: list[tuple[str, str]] = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("- "):
            rules.append(("--exclude", line[2:].strip()))
        elif line.startswith("+ "):
            rules.append(("--include", line[2:].strip()))
    return rules


def _conflict_naming_only(ours: list[str], theirs: list[str]) -> bool:
    """rclone renames both versions ``NAME.conflict1``/``2``; we keep the winner under NAME
    and the other as ``STEM.conflict-<time>-<side>.EXT``: the same two versions."""
    originals = {re.sub(r"\.conflict\d+$", "", path) for path in theirs}
    copies = [path for path in ours if ".conflict-" in path]
    return (
        bool(theirs)
        and all(re.search(r"\.conflict\d+$", path) for path in theirs)
        and len(copies) + len(originals & set(ours)) == len(ours)
        and len(theirs) == 2 * len(copies)
    )


_LISTED = re.compile(r'^\S\s+(-?\d+) \S+ \S+ \S+ (".*")$')


def _golden_listing(path: Path) -> dict[str, int]:
    """``path -> size`` from rclone's listing file (Go-quoted names)."""
    found = {}
    for line in path.read_text(errors="surrogateescape").splitlines():
        match = _LISTED.match(line.strip())
        if match:
            quoted = os.fsencode(match.group(2)[1:-1])
            name = os.fsdecode(codecs.escape_decode(quoted)[0])
            found[_without_pictures(name)] = int(match.group(1))
    return found


def _without_pictures(name: str) -> str:
    """rclone's local listing shows control characters as their pictures (U+2400 + code)."""
    return "".join(
        chr(ord(char) - 0x2400) if 0x2400 <= ord(char) < 0x2420 else char for char in name
    )


def scenarios(root: Path) -> list[Path]:
    return sorted(path for path in root.iterdir() if path.name.startswith("test_"))


def replay_all(root: Path, work: Path) -> list[Result]:
    return [Replay(scenario, work / scenario.name).run() for scenario in scenarios(root)]


if __name__ == "__main__":
    import tempfile

    project = Path(__file__).resolve().parents[3]
    data = find_testdata(project)
    if data is None:
        raise SystemExit(missing_reason(project))
    with tempfile.TemporaryDirectory() as temporary:
        results = replay_all(data, Path(temporary))
    for result in results:
        print(result.row())
    counts = {v: sum(r.verdict == v for r in results) for v in ("pass", "differs", "skipped")}
    violated = sum(bool(r.violations) for r in results)
    print(f"{len(results)} scenarios: {counts}; with data loss or a crash: {violated}")
