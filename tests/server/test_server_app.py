"""The server in-process: pages, health, static and vendor files, errors."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide import __version__
from syncoxide.errors import ConfigError
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import MIGRATIONS, prepare_data_dir
from syncoxide.server.pages.shell import OPENED_FROM_VIEWS, VIEW_KEYS, VendorBuild
from syncoxide.server.webbuild import ProjectPaths, build
from tests.conftest import WEB_BUILD_GROUP
from tests.server.signin import signed_in_client

# It rebuilds the real web bundle: one worker at a time (see tests/conftest.py).
pytestmark = pytest.mark.xdist_group(WEB_BUILD_GROUP)
ROOT = Path(__file__).resolve().parents[2]
# A view finding an element by a literal id: element("x"), _element("x"), getElementById("x").
LOOKUP = r'(?:_element|getElementById|element)\(\s*"([a-z0-9-]+)"'


@pytest.fixture(scope="module")
def manifest() -> dict:
    return build(ProjectPaths(ROOT))


@pytest.fixture()
def config(tmp_path: Path, manifest: dict) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")


@pytest.fixture()
def client(config: ServerConfig) -> TestClient:
    client, _ = signed_in_client(create_app(config), "tester")
    return client


def vendor_url(manifest: dict, part: str, name: str) -> str:
    return f"/vendor/{manifest[part]['path']}/{name}"


def test_app_shell_names_our_own_pyodide(client: TestClient, manifest: dict) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"  # it names the signed-in user
    page = response.text
    assert 'data-ready="0"' in page
    boot = page.split('id="python-boot"', 1)[1].split(">", 1)[0]
    assert f'data-index-url="{vendor_url(manifest, "pyodide", "")}"' in boot
    assert 'data-packages="syncoxide,syncoxide-web"' in boot
    assert f'data-build="{manifest["pyodide"]["path"]}"' in boot
    assert 'data-start="syncoxide_web.app" data-make-snapshot' in boot
    for wheel in ("syncoxide-0.1.0-py3-none-any.whl", "syncoxide_web-0.1.0-py3-none-any.whl"):
        url = vendor_url(manifest, "pyodide", wheel)
        assert f'<link rel="preload" href="{url}" as="fetch" crossorigin>' in page
    assert "http" not in page.replace("http-equiv", "")  # no absolute URL anywhere


def test_receive_page_starts_python_as_the_app_does(client: TestClient, manifest: dict) -> None:
    """The same start-up module, no PyScript (its Function(...) calls would need 'unsafe-eval'),
    and no Python snapshot made there: a receive page is mostly opened once."""
    page = client.get("/p/AAAAAAAAAAAAAAAAAAAAAA").text
    boot = page.split('id="python-boot"', 1)[1].split(">", 1)[0]
    assert '<script type="module" src="/static/app-boot.mjs" id="python-boot"' in page
    assert f'data-index-url="{vendor_url(manifest, "pyodide", "")}"' in boot
    assert 'data-start="syncoxide_web.receive.page"' in boot
    assert "data-make-snapshot" not in boot
    assert "pyscript" not in page.lower() and 'type="py"' not in page
    assert "{{" not in page and "http" not in page.replace("http-equiv", "")


def test_app_shell_holds_every_view_and_the_navigation_before_python(client: TestClient) -> None:
    page = client.get("/").text
    for key in VIEW_KEYS:
        assert f'<section data-view="{key}"' in page
        in_navigation = f'<a href="#/{key}" data-view="{key}"' in page
        assert in_navigation != (key in OPENED_FROM_VIEWS)
    assert "{{" not in page  # every placeholder, in the views too, was filled
    assert f"syncoxide {__version__}" in page.split('id="runtime-facts"', 1)[1]
    assert '<script src="/static/app-shell.js" defer></script>' in page


def test_every_element_the_browser_views_look_up_is_in_the_app_shell(client: TestClient) -> None:
    page = client.get("/").text
    served = set(re.findall(r'id="([a-z0-9-]+)"', page))
    looked_up: set[str] = set()
    for module in (ROOT / "web/py/syncoxide_web").rglob("*.py"):
        if module.parent.name != "receive":  # the receive page is a page of its own
            looked_up |= set(re.findall(LOOKUP, module.read_text()))
    assert looked_up and looked_up <= served, sorted(looked_up - served)


def test_healthz_reports_version_and_schema(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["schema_version"] == len(MIGRATIONS)
    assert body["pyodide"].startswith("314.")


def test_every_response_is_cross_origin_isolated(client: TestClient, manifest: dict) -> None:
    for path in (
        "/",
        "/healthz",
        "/static/app.css",
        vendor_url(manifest, "hash-wasm", "argon2.umd.min.js"),
        "/nope",
    ):
        headers = client.get(path).headers
        assert headers["cross-origin-opener-policy"] == "same-origin", path
        assert headers["cross-origin-embedder-policy"] == "require-corp", path
        assert headers["x-content-type-options"] == "nosniff", path


@pytest.mark.parametrize(
    ("part", "name", "media_type"),
    [
        ("pyodide", "pyodide.asm.wasm", "application/wasm"),
        ("pyodide", "pyodide.mjs", "text/javascript; charset=utf-8"),
        ("hash-wasm", "argon2.umd.min.js", "text/javascript; charset=utf-8"),
        ("pyodide", "pyodide-lock.json", "application/json"),
    ],
)
def test_vendor_files_have_the_right_type_and_cache_forever(
    client: TestClient, manifest: dict, part: str, name: str, media_type: str
) -> None:
    response = client.get(vendor_url(manifest, part, name))
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_gzip_is_sent_precompressed_only_to_browsers_that_accept_it(
    client: TestClient, manifest: dict
) -> None:
    url = vendor_url(manifest, "pyodide", "pyodide.asm.wasm")
    raw = (
        ROOT / "web/static/vendor" / manifest["pyodide"]["path"] / "pyodide.asm.wasm"
    ).read_bytes()
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(raw) // 2
    assert packed.content == raw  # httpx2 decodes: the bytes are the same file
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == raw
    assert (
        gzip.decompress(
            (
                ROOT / "web/static/vendor" / manifest["pyodide"]["path"] / "pyodide.asm.wasm.gz"
            ).read_bytes()
        )
        == raw
    )


def test_range_requests_get_identity_bytes(client: TestClient, manifest: dict) -> None:
    url = vendor_url(manifest, "pyodide", "python_stdlib.zip")
    response = client.get(url, headers={"Range": "bytes=10-19", "Accept-Encoding": "gzip"})
    assert response.status_code == 206
    raw = (
        ROOT / "web/static/vendor" / manifest["pyodide"]["path"] / "python_stdlib.zip"
    ).read_bytes()
    assert response.content == raw[10:20]


def test_revalidation_answers_304(client: TestClient) -> None:
    first = client.get("/static/app.css", headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    again = client.get(
        "/static/app.css", headers={"If-None-Match": etag, "Accept-Encoding": "identity"}
    )
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/static/../pyproject.toml",
        "/static/%2e%2e/index.html",
        "/static/vendor/manifest.json",
        "/vendor/pyodide-0.0.0-000000000000/pyodide.mjs",
        "/static/.hidden",
        "/static/",
    ],
)
def test_unknown_or_unsafe_paths_get_the_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert "Traceback" not in response.text


def test_json_clients_get_json_errors(client: TestClient) -> None:
    response = client.get("/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert client.post("/healthz", headers={"Accept": "application/json"}).json()["error"] == (
        "method_not_allowed"
    )


def test_missing_build_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        VendorBuild.load(tmp_path / "vendor")
    assert "syncoxide build-web" in str(caught.value)


def test_data_dir_is_created_and_migrated_once(config: ServerConfig) -> None:
    assert prepare_data_dir(config) == len(MIGRATIONS)
    assert prepare_data_dir(config) == len(MIGRATIONS)
    assert config.blobs_dir.is_dir()
    with sqlite3.connect(config.database_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_data_dir_is_refused_untouched(config: ServerConfig) -> None:
    prepare_data_dir(config)
    with sqlite3.connect(config.database_path) as connection:
        connection.execute("UPDATE schema_version SET version = 999")
    before = config.database_path.read_bytes()
    with pytest.raises(ConfigError, match="newer syncoxide"):
        prepare_data_dir(config)
    assert config.database_path.read_bytes() == before


def fake_build(vendor: Path, generation: int) -> None:
    folder = vendor / f"pyodide-{generation}-{generation:012d}"
    folder.mkdir(parents=True)
    (folder / "pyodide.mjs").write_text(f"// generation {generation}\n")
    manifest = {
        "format": 1,
        "pyodide": {"path": f"pyodide-{generation}-{generation:012d}", "version": "314.0.7"},
        "hash-wasm": {"path": f"hash-wasm-{generation}-{generation:012d}", "version": "4.13.0"},
        "openpgp": {"path": f"openpgp-{generation}-{generation:012d}", "version": "6.3.2"},
        "packages": ["syncoxide"],
        "wire_bytes": {},
    }
    (vendor / "manifest.json").write_text(json.dumps(manifest))


def test_a_rebuild_reaches_the_next_page_load_without_a_restart(tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "static").mkdir(parents=True)
    fake_build(web / "static" / "vendor", 1)
    client, _ = signed_in_client(
        create_app(ServerConfig(data_dir=tmp_path / "data", web_root=web)), "tester"
    )
    assert "/vendor/pyodide-1-000000000001/pyodide.mjs" in client.get("/").text
    fake_build(web / "static" / "vendor", 2)
    assert "/vendor/pyodide-2-000000000002/pyodide.mjs" in client.get("/").text
    # A page opened before the rebuild can still finish loading from the previous folder.
    assert client.get("/vendor/pyodide-1-000000000001/pyodide.mjs").text == "// generation 1\n"
    assert client.get("/vendor/manifest.json").status_code == 404
