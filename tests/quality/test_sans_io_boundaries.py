"""The sans-IO parts of the core import no event loop, no platform and do no IO.

Walks every module of the sans-IO packages with ``ast`` (nothing is imported or run), follows
their imports of other ``syncoxide`` modules, and fails on a forbidden import or a call to
``open``. This is what keeps the same code runnable in Pyodide, in the CLI and in tests with an
in-memory link.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "syncoxide"
SANS_IO_PACKAGES = (
    "sync",
    "wal",
    "crypto",
    "protocol",
    "archive",
    "backup",
    "catalog",
    "devices",
    "automation",
    "photos",
)
FORBIDDEN = {
    # event loops and concurrency
    "asyncio",
    "anyio",
    "trio",
    "threading",
    "multiprocessing",
    "concurrent",
    "selectors",
    # platforms and frameworks
    "js",
    "pyodide",
    "starlette",
    "aiortc",
    "httpx2",
    "uvicorn",
    "cryptography",
    "argon2",
    # IO, time and randomness (these come in through ports)
    "os",
    "pathlib",
    "shutil",
    "tempfile",
    "glob",
    "socket",
    "ssl",
    "subprocess",
    "sqlite3",
    "urllib",
    "http",
    "time",
    "random",
    "secrets",
    "mmap",
    "fcntl",
}


def module_path(dotted: str) -> Path | None:
    relative = Path(*dotted.split(".")[1:])
    for candidate in (CORE / relative / "__init__.py", CORE / relative.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(tree: ast.AST, package: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.add(node.module)
    return names


def problems_in(path: Path, dotted: str) -> tuple[list[str], set[str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = dotted if path.name == "__init__.py" else dotted.rsplit(".", 1)[0]
    problems, followed = [], set()
    for name in sorted(imported_modules(tree, package)):
        top = name.split(".")[0]
        if top in FORBIDDEN:
            problems.append(f"{dotted} imports {name}")
        elif top == "syncoxide":
            followed.add(name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "open"
        ):
            problems.append(f"{dotted} calls open() at line {node.lineno}")
    return problems, followed


def walk(roots: list[str]) -> list[str]:
    seen: set[str] = set()
    pending = list(roots)
    problems: list[str] = []
    while pending:
        dotted = pending.pop()
        path = module_path(dotted)
        if dotted in seen or path is None:
            continue
        seen.add(dotted)
        found, followed = problems_in(path, dotted)
        problems.extend(found)
        pending.extend(followed - seen)
    return problems


def sans_io_modules() -> list[str]:
    modules = []
    for package in SANS_IO_PACKAGES:
        for path in sorted((CORE / package).rglob("*.py")) if (CORE / package).is_dir() else []:
            parts = path.relative_to(CORE).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            modules.append(".".join(("syncoxide", *parts)))
    return modules


@pytest.mark.parametrize("module", sans_io_modules() or ["syncoxide.ports"])
def test_sans_io_module_stays_pure(module: str) -> None:
    assert walk([module]) == []


def test_the_checker_catches_what_it_forbids(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import asyncio\nfrom js import document\nimport os.path\nopen('x')\n")
    problems, _ = problems_in(bad, "syncoxide.sync.bad")
    assert problems == [
        "syncoxide.sync.bad imports asyncio",
        "syncoxide.sync.bad imports js",
        "syncoxide.sync.bad imports os.path",
        "syncoxide.sync.bad calls open() at line 4",
    ]


def test_the_checker_follows_core_imports() -> None:
    # syncoxide.system reads the clock and the OS random source: reaching it is a violation.
    assert walk(["syncoxide.system"]) != []
    assert walk(["syncoxide.ports", "syncoxide.errors"]) == []
