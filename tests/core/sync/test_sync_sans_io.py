"""The planner and journal codec stay sans-IO: no event loop, no platform, no file access."""

import ast
import importlib.util

import pytest

FORBIDDEN = {
    "asyncio",
    "js",
    "pyodide",
    "starlette",
    "aiortc",
    "httpx2",
    "os",
    "pathlib",
    "socket",
    "subprocess",
    "shutil",
    "io",
    "threading",
    "trio",
}
ROOTS = ["syncoxide.sync", "syncoxide.wal"]


def _module_source(name: str) -> tuple[str, bool]:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    with open(spec.origin, encoding="utf-8") as handle:
        return handle.read(), bool(spec.submodule_search_locations)


def _imports(name: str) -> tuple[set[str], bool]:
    source, is_package = _module_source(name)
    found: set[str] = set()
    calls_open = False
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = name if is_package else name.rpartition(".")[0]
            module = node.module or ""
            if node.level:
                base = ".".join(base.split(".")[: len(base.split(".")) - node.level + 1])
                module = f"{base}.{module}" if module else base
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
            calls_open = True
    return found, calls_open


def _package_modules(package: str) -> list[str]:
    import pkgutil

    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations
    names = [package]
    names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(spec.submodule_search_locations)]
    return names


def _ships_source(name: str) -> bool:
    spec = importlib.util.find_spec(name)
    return spec is not None and spec.origin is not None and spec.origin.endswith(".py")


def test_planner_and_journal_import_nothing_that_does_io() -> None:
    if not _ships_source(ROOTS[0]):
        # The browser's wheel ships bytecode only (docs/web-build.md); this reads source, and
        # the same sources are checked when the suite runs on CPython.
        pytest.skip("no Python source here to read (the browser's bytecode-only wheel)")
    pending = [m for root in ROOTS for m in _package_modules(root)]
    seen: set[str] = set()
    problems = []
    while pending:
        name = pending.pop()
        if name in seen or importlib.util.find_spec(name) is None:
            continue
        seen.add(name)
        imports, calls_open = _imports(name)
        if calls_open:
            problems.append(f"{name} calls open()")
        for imported in imports:
            if imported.split(".")[0] in FORBIDDEN:
                problems.append(f"{name} imports {imported}")
            elif imported.startswith("syncoxide.") and imported not in seen:
                try:
                    if importlib.util.find_spec(imported) is not None:
                        pending.append(imported)
                except ModuleNotFoundError:
                    pass
    assert "syncoxide.providers.contract" in seen
    assert problems == []
