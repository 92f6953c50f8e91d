"""Make the API clients from the server's OpenAPI document, or check that they are current.

    python clients/generate.py          # write clients/openapi.json and both generated clients
    python clients/generate.py --check  # generate into a scratch folder; fail on any difference

The document comes from the same operation table that builds the server's routes, so a route
added without regenerating fails ``--check`` (run by ``./dev test``). The generators are pinned
in pyproject.toml (openapi-python-client) and package.json (@hey-api/openapi-ts); their output is
checked in so users of the clients need neither.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from syncoxide.server.app import api_document

CLIENTS = Path(__file__).resolve().parent
ROOT = CLIENTS.parent
#: What the generators write, relative to clients/; everything else there is written by hand.
GENERATED = ("openapi.json", "python/syncoxide-api-client", "typescript/src/generated")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the clients are stale")
    check = parser.parse_args().check
    if not check:
        generate(CLIENTS)
        print("clients regenerated: " + ", ".join(f"clients/{p}" for p in GENERATED))
        return 0
    with tempfile.TemporaryDirectory(prefix="sxo-clients-") as scratch:
        fresh = Path(scratch) / "clients"
        shutil.copytree(CLIENTS, fresh, ignore=shutil.ignore_patterns(*GENERATED, "dist"))
        generate(fresh)
        stale = [p for p in GENERATED if _differences(fresh / p, CLIENTS / p)]
    if stale:
        print("The generated clients do not match the API; run ./dev generate and commit:")
        for path in stale:
            print(f"  clients/{path}")
        return 1
    print("generated clients match the API")
    return 0


def generate(clients: Path) -> None:
    document = clients / "openapi.json"
    document.write_text(json.dumps(api_document(), indent=2, sort_keys=True) + "\n")
    _python_client(clients)
    _typescript_client(clients)


def _python_client(clients: Path) -> None:
    # The generator formats its output with the ruff found on PATH: ours, pinned.
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    _run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            "../openapi.json",
            "--config",
            "generator.yaml",
            "--output-path",
            "syncoxide-api-client",
            "--overwrite",
        ],
        cwd=clients / "python",
        env=env,
    )
    shutil.rmtree(clients / "python/syncoxide-api-client/.ruff_cache", ignore_errors=True)


def _typescript_client(clients: Path) -> None:
    _run([str(ROOT / "node_modules/.bin/openapi-ts")], cwd=clients / "typescript", env=None)


def _run(command: list[str], cwd: Path, env: dict[str, str] | None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    # openapi-python-client reports skipped operations as warnings and still exits 0: a skipped
    # operation is a gap in the client, so it fails here.
    warned = "WARNING" in done.stdout or "Error(s) encountered" in done.stdout
    if done.returncode != 0 or warned:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{command[0]} failed in {cwd}")


def _differences(fresh: Path, kept: Path) -> bool:
    if fresh.is_file() or kept.is_file():
        if not (fresh.is_file() and kept.is_file()):
            return True
        if filecmp.cmp(fresh, kept, shallow=False):
            return False
        diff = difflib.unified_diff(
            kept.read_text().splitlines(),
            fresh.read_text().splitlines(),
            str(kept),
            "fresh",
            n=1,
            lineterm="",
        )
        sys.stdout.writelines(line + "\n" for line in list(diff)[:40])
        return True
    return _tree_differs(filecmp.dircmp(fresh, kept, ignore=["__pycache__", "dist"]))


def _tree_differs(comparison: filecmp.dircmp[str]) -> bool:
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return True
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    if mismatch or errors:
        return True
    return any(_tree_differs(sub) for sub in comparison.subdirs.values())


if __name__ == "__main__":
    sys.exit(main())
