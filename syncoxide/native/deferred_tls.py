"""aiohttp imported without the system's CA certificates, loaded when TLS first needs them.

Why: aiohttp's ``connector`` module makes its two default SSL contexts as it is imported, and
each loads the system's CA certificates (144 on these machines): 0.07-0.12 s of every start
of a run that imports aiohttp, a tenth of a small S3 sync's start-up, though a run against
an ``http://`` endpoint (a local S3 server, a LAN store) never opens a TLS connection.

``defer_aiohttp_certificates`` (called once at the CLI's start, before anything imports
aiohttp) makes that import skip the loading: each context created while
``aiohttp.connector`` runs loads its certificates at its first TLS connection instead.
(The S3 lean requests no longer use aiohttp, see net/http_pool.py: botocore's client,
which brings it, is what still imports it.)
Verification is never weakened: a waiting context still requires a verified peer, and it
loads the certificates before any handshake (tests/native/test_deferred_tls.py).
"""

from __future__ import annotations

import importlib.machinery
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

#: The module whose import makes the default contexts.
TARGET = "aiohttp.connector"
#: The methods through which a context starts a TLS connection.
_WRAPPERS = ("wrap_bio", "wrap_socket")
_lock = threading.Lock()
_waiting: list[ssl.SSLContext] = []
#: ``SSLContext.set_default_verify_paths`` as it was before the stand-in (set once deferred).
_loader: list[Callable[[ssl.SSLContext], None]] = []


def defer_aiohttp_certificates() -> None:
    """Makes the coming import of ``aiohttp.connector`` defer its certificate loading (no
    effect once it is imported: its contexts have loaded theirs already)."""
    if TARGET in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())


def waiting_contexts() -> int:
    """How many contexts have not loaded their certificates yet."""
    with _lock:
        return len(_waiting)


# Plain classes, not importlib.abc's: importing that module costs ~14 ms, which `syncoxide
# --help` would pay; the import system asks only for these methods.
class _Finder:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _DeferringLoader(spec.loader)  # type: ignore[assignment]
        return spec


class _DeferringLoader:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._inner.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        with _certificates_deferred():
            self._inner.exec_module(module)
        # Done with: later imports (a reload, another interpreter state) load as usual.
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]


@contextmanager
def _certificates_deferred() -> Iterator[None]:
    import ssl  # only once aiohttp is imported, which imports it anyway

    cls: Any = ssl.SSLContext
    own = cls.__dict__.get("set_default_verify_paths")
    _loader.append(cls.set_default_verify_paths)  # the real one, for ``_load``
    cls.set_default_verify_paths = _defer
    try:
        yield
    finally:
        if own is None:
            del cls.set_default_verify_paths
        else:
            cls.set_default_verify_paths = own


def _defer(context: ssl.SSLContext) -> None:
    """Stands for ``SSLContext.set_default_verify_paths`` while aiohttp's connector loads."""
    with _lock:
        _waiting.append(context)
    for name in _WRAPPERS:
        setattr(context, name, _loading_first(context, name))


def _loading_first(context: ssl.SSLContext, name: str) -> Callable[..., Any]:
    method = getattr(type(context), name)

    def wrap(*args: Any, **kwargs: Any) -> Any:
        _load(context)
        return method(context, *args, **kwargs)

    return wrap


def _load(context: ssl.SSLContext) -> None:
    with _lock:
        if not any(waiting is context for waiting in _waiting):
            return
        _loader[0](context)
        _waiting[:] = [waiting for waiting in _waiting if waiting is not context]
        for name in _WRAPPERS:
            vars(context).pop(name, None)
