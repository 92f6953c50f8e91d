"""The layers import only downwards, and no modules or packages import each other in a circle.

Layers, bottom to top (docs/architecture.md)::

    core            syncoxide.*  except the three below; runs on CPython and in Pyodide
    native          syncoxide.native   CPython adapters
    cli | server    syncoxide.cli, syncoxide.server   siblings: neither imports the other
    browser         syncoxide_web   runs in Pyodide: imports the core only

The graph comes from grimp (the engine of import-linter), which reads every ``import``
statement, including those inside functions and under ``TYPE_CHECKING``: an import moved into a
function to dodge a cycle still counts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
ADAPTER_PACKAGES = {"syncoxide.native", "syncoxide.cli", "syncoxide.server"}
#: What each layer may import, of our own code.
ALLOWED = {
    "core": {"core"},
    "native": {"core", "native"},
    "cli": {"core", "native", "cli"},
    "server": {"core", "native", "server"},
    "browser": {"core", "browser"},
}


def layer_of(module: str) -> str:
    if module.split(".")[0] == "syncoxide_web":
        return "browser"
    for package in ADAPTER_PACKAGES:
        if module == package or module.startswith(package + "."):
            return package.split(".")[1]
    return "core"


@cache
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT / "web" / "py"))
    return grimp.build_graph("syncoxide", "syncoxide_web", include_external_packages=False)


def edges() -> Iterable[tuple[str, str]]:
    for module in sorted(graph().modules):
        for imported in sorted(graph().find_modules_directly_imported_by(module)):
            yield module, imported


def test_no_layer_imports_a_layer_above_it_or_beside_it() -> None:
    wrong = [
        f"{module} ({layer_of(module)}) imports {imported} ({layer_of(imported)})"
        for module, imported in edges()
        if layer_of(imported) not in ALLOWED[layer_of(module)]
    ]
    assert wrong == []


def cycles(nodes: Iterable[str], following: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(following.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(following.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def package_of(module: str) -> str:
    return module if graph().find_children(module) else module.rpartition(".")[0] or module


def test_no_modules_import_each_other_in_a_circle() -> None:
    following: dict[str, set[str]] = {}
    for module, imported in edges():
        following.setdefault(module, set()).add(imported)
    assert cycles(graph().modules, following) == []


@pytest.mark.parametrize("top", ["syncoxide", "syncoxide_web"])
def test_no_packages_import_each_other_in_a_circle(top: str) -> None:
    following: dict[str, set[str]] = {}
    for module, imported in edges():
        source, target = package_of(module), package_of(imported)
        if (
            source.split(".")[0] == top
            and source != target
            and not target.startswith(source + ".")
            and not source.startswith(target + ".")
        ):
            following.setdefault(source, set()).add(target)
    assert cycles(following, following) == []


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("syncoxide.sync.plan", "core"),
        ("syncoxide.native.providers.s3.provider", "native"),
        ("syncoxide.cli.main", "cli"),
        ("syncoxide.server.app", "server"),
        ("syncoxide_web.app", "browser"),
    ],
)
def test_modules_are_placed_in_their_layer(module: str, layer: str) -> None:
    assert module in graph().modules
    assert layer_of(module) == layer


def test_the_cycle_finder_finds_a_circle_and_nothing_else() -> None:
    following = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(following, following) == [["a", "b", "c"]]
