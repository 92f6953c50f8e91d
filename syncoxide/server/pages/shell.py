"""The HTML pages: the app shell rendered with the current vendor folder, and the 404 page.

The app shell is the only HTML a browser must fetch fresh; it names the content-hashed vendor
folders, so a new build reaches browsers on their next load while everything else comes from
their cache.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncoxide import __version__
from syncoxide.errors import ConfigError
from syncoxide.server.accounts.service import SignedIn
from syncoxide.server.webbuild.assemble import LAZY_SCRIPTS, MANIFEST_NAME

BUILD_HINT = (
    "Build it with `syncoxide build-web` (needs `npm ci` first), or start the app with "
    "`./dev start`, which does both."
)

# Files the app shell needs before Python runs; the boot progress bar is measured against them.
_BOOT_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)


@dataclass(frozen=True)
class VendorBuild:
    pyodide_path: str
    pyscript_path: str
    pyodide_version: str
    packages: tuple[str, ...]
    boot_bytes: int
    #: script name -> its URL, for ``<meta name="syncoxide-script-NAME">`` tags.
    lazy_scripts: tuple[tuple[str, str], ...]
    #: file names of the wheels of ``packages``, fetched while the interpreter starts.
    wheels: tuple[str, ...] = ()

    @classmethod
    def load(cls, vendor_dir: Path) -> VendorBuild:
        manifest_path = vendor_dir / MANIFEST_NAME
        try:
            manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        except (OSError, ValueError) as error:
            raise ConfigError(
                f"The web build is missing or unreadable ({manifest_path}).", hint=BUILD_HINT
            ) from error
        pyodide = manifest["pyodide"]["path"]
        if (
            not (vendor_dir / pyodide).is_dir()
            or not (vendor_dir / manifest["pyscript"]["path"]).is_dir()
        ):
            raise ConfigError("The web build is incomplete.", hint=BUILD_HINT)
        wire = manifest["wire_bytes"]
        boot = sum(
            size
            for name, size in wire.items()
            if name.split("/")[-1] in _BOOT_FILES or name.endswith(".whl")
        )
        return cls(
            pyodide,
            manifest["pyscript"]["path"],
            manifest["pyodide"]["version"],
            tuple(manifest["packages"]),
            boot,
            tuple(
                (name, f"/vendor/{manifest[package]['path']}/{script}")
                for name, (package, script) in LAZY_SCRIPTS.items()
            ),
            _wheels_of(manifest["packages"], [name.split("/")[-1] for name in wire]),
        )


def _wheels_of(packages: list[str], files: list[str]) -> tuple[str, ...]:
    """The wheel file of each package (a wheel's name spells ``-`` as ``_``)."""
    prefixes = tuple(package.replace("-", "_") + "-" for package in packages)
    return tuple(sorted(f for f in files if f.endswith(".whl") and f.startswith(prefixes)))


def preload_wheel_tags(build: VendorBuild) -> str:
    """Fetch the app's wheels while Pyodide starts its interpreter, instead of after."""
    return "".join(
        f'<link rel="preload" href="/vendor/{html.escape(build.pyodide_path, quote=True)}/'
        f'{html.escape(wheel, quote=True)}" as="fetch" crossorigin>'
        for wheel in build.wheels
    )


def pyscript_config(build: VendorBuild) -> dict[str, Any]:
    return {
        "interpreter": f"/vendor/{build.pyodide_path}/pyodide.mjs",
        # "passthrough" hands the packages straight to loadPyodide, which resolves them from our
        # rewritten lock file: no micropip, no IndexedDB copy, no CDN.
        "packages": list(build.packages),
        "packages_cache": "passthrough",
    }


def lazy_script_tags(build: VendorBuild) -> str:
    """Where the page finds scripts it loads on first use (``syncoxide_web.platform.scripts``)."""
    return "".join(
        f'<meta name="syncoxide-script-{name}" content="{html.escape(url, quote=True)}">'
        for name, url in build.lazy_scripts
    )


#: The app's views in navigation order; each is ``web/views/<key>.html``, its static layout.
VIEW_KEYS = ("home", "files", "sync", "send", "shares", "requests", "vault", "settings")


def static_views(views_dir: Path) -> str:
    """Every view's layout, for the app shell: usable (navigation, reading, filling in forms)
    before Python has started in the page; Python then wires the views in place."""
    try:
        return "\n".join((views_dir / f"{key}.html").read_text() for key in VIEW_KEYS)
    except OSError as error:
        raise ConfigError(
            f"A view of the app is missing ({error.filename}).",
            hint="The server's web folder is incomplete: reinstall syncoxide or check --web-root.",
        ) from error


def render_app_shell(template: str, build: VendorBuild, *, views: str = "") -> str:
    template = template.replace("{{views}}", views)  # first: the views hold placeholders too
    values = {
        "{{version}}": html.escape(__version__),
        "{{pyodide}}": f"/vendor/{build.pyodide_path}",
        "{{pyscript}}": f"/vendor/{build.pyscript_path}",
        "{{boot_bytes}}": str(build.boot_bytes),
        "{{lazy_scripts}}": lazy_script_tags(build),
        "{{pyscript_config}}": html.escape(json.dumps(pyscript_config(build)), quote=True),
        # The app page starts Pyodide itself (web/static/app-boot.mjs): which wheels, and a
        # name for this exact build (its folder is content-hashed) to key a Python snapshot.
        "{{python_packages}}": html.escape(",".join(build.packages), quote=True),
        "{{python_build}}": html.escape(build.pyodide_path, quote=True),
        "{{preload_wheels}}": preload_wheel_tags(build),
    }
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


def render_user_bar(signed_in: SignedIn) -> str:
    """Who is signed in, a link to their account and tokens, and the sign-out button."""
    name = html.escape(signed_in.user.display_name)
    csrf = html.escape(signed_in.csrf_token or "", quote=True)
    return (
        f'<a id="signed-in-as" class="who" href="/account">{name}</a>'
        '<form class="sign-out" method="post" action="/logout">'
        f'<input type="hidden" name="csrf" value="{csrf}"><button type="submit">Sign out</button>'
        "</form>"
    )


def render_error_page(template: str, title: str, message: str, path: str) -> str:
    values = {"{{title}}": title, "{{message}}": message, "{{path}}": path}
    for placeholder, value in values.items():
        template = template.replace(placeholder, html.escape(value))
    return template
