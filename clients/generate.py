"""Make the API clients and gRPC stubs, or check that the checked-in ones are current.

    python clients/generate.py          # write clients/openapi.json, both clients, the gRPC stubs
    python clients/generate.py --check  # generate into a scratch folder; fail on any difference

The OpenAPI document comes from the same operation table that builds the server's routes, so a
route added without regenerating fails ``--check`` (run by ``./dev test``); the gRPC stubs come
from protos/. The generators are pinned in pyproject.toml (openapi-python-client, grpcio-tools,
mypy-protobuf) and package.json (@hey-api/openapi-ts); their output is checked in so users of
the clients need none of them.
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

ROOT = Path(__file__).resolve().parent.parent
#: What the generators write, relative to the project; everything else is written by hand.
GENERATED = (
    "clients/openapi.json",
    "clients/python/syncoxide-api-client",
    "clients/typescript/src/generated",
    "syncoxide/server/grpc/v1",
)
#: What they read besides the code: copied into the scratch folder of a check.
INPUTS = ("clients", "protos")
PROTO = "syncoxide/v1/api.proto"
#: The stubs' home in our package; protoc names modules after the proto's own folder.
STUBS = "syncoxide/server/grpc/v1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the clients are stale")
    check = parser.parse_args().check
    if not check:
        generate(ROOT)
        print("regenerated: " + ", ".join(GENERATED))
        return 0
    with tempfile.TemporaryDirectory(prefix="sxo-generated-") as scratch:
        fresh = Path(scratch)
        skipped = shutil.ignore_patterns(
            "syncoxide-api-client", "generated", "dist", "openapi.json"
        )
        for folder in INPUTS:
            shutil.copytree(ROOT / folder, fresh / folder, ignore=skipped)
        generate(fresh)
        stale = [p for p in GENERATED if _differences(fresh / p, ROOT / p)]
    if stale:
        print("The generated code does not match the API; run ./dev generate and commit:")
        for path in stale:
            print(f"  {path}")
        return 1
    print("generated clients and stubs match the API")
    return 0


def generate(root: Path) -> None:
    clients = root / "clients"
    document = clients / "openapi.json"
    document.write_text(json.dumps(api_document(), indent=2, sort_keys=True) + "\n")
    _python_client(clients)
    _typescript_client(clients)
    _grpc_stubs(root)


#: The virtual environment's programs: the pinned generators, and the ruff and protoc plugins
#: they look up on PATH.
BIN = Path(sys.executable).parent


def _env_with_our_bin() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _python_client(clients: Path) -> None:
    # The generator formats its output with the ruff found on PATH: ours, pinned.
    env = _env_with_our_bin()
    _run(
        [
            str(BIN / "openapi-python-client"),
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


def _grpc_stubs(root: Path) -> None:
    env = _env_with_our_bin()
    with tempfile.TemporaryDirectory(prefix="sxo-protoc-") as out:
        outputs = ("python", "grpc_python", "mypy", "mypy_grpc")
        command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{root / 'protos'}"]
        command += [f"--{kind}_out={out}" for kind in outputs]
        _run([*command, str(root / "protos" / PROTO)], cwd=root, env=env)
        target = root / STUBS
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        (target / "__init__.py").write_text('"""Generated from protos/ by ./dev generate."""\n')
        made = Path(out) / Path(PROTO).parent
        for stub in sorted(made.iterdir()):
            text = stub.read_text().replace(
                "from syncoxide.v1 import", "from " + STUBS.replace("/", ".") + " import"
            )
            (target / stub.name).write_text(text)


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
    return _tree_differs(filecmp.dircmp(fresh, kept, ignore=["__pycache__", "dist", ".ruff_cache"]))


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
