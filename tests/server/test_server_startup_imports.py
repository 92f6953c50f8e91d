"""The embedded server starts without loading the stacks only other deployments or features use.

Counted, not timed (as tests/cli/test_cli_startup_imports.py): S3's client, PostgreSQL's and
the buses' drivers, SSH, the photo hasher's numpy and OIDC's libraries cost about 1 s of CPU
on every start and every server command (``user add``, ``token create``); the embedded
default on SQLite and local disk needs none of them until a feature is used.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NOT_AT_START = (
    "aiobotocore",
    "botocore",
    "aiohttp",
    "psycopg",
    "redis",
    "nats",
    "asyncssh",
    "imagehash",
    "numpy",
    "scipy",
    "authlib",
    "joserfc",
    "grpc",
)

PROBE = """
import json, sys
from pathlib import Path
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
config = ServerConfig(data_dir=Path(sys.argv[1]), web_root=Path(sys.argv[2]))
prepare_data_dir(config)
create_app(config)
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_the_embedded_server_loads_no_stack_it_does_not_use(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "data"), str(ROOT / "web")],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(run.stderr.strip().splitlines()[-1])
    assert "syncoxide.server.app" in loaded  # the probe really built the app
    assert [name for name in loaded if name.split(".")[0] in NOT_AT_START] == []
