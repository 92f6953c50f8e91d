"""Headers every response carries.

Cross-origin isolation (COOP + COEP) lets the app use SharedArrayBuffer; it also means no
third-party resource could load even if one were referenced by mistake. The other headers are
the usual hardening for an app that handles private files.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Everything from this origin only: scripts, styles, the wasm module, fetches, workers.
# Every response gets the strict policy: WebAssembly may compile ('wasm-unsafe-eval', for
# pages that run Pyodide) but no JavaScript is built from strings.
_POLICY = (
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_POLICY)
# No page needs more: the app (``/``) and the peer-to-peer receive page (``/p/``) start Pyodide
# with our own module (static/app-boot.mjs), which needs only 'wasm-unsafe-eval' (PyScript,
# which compiles its plugin hooks with ``Function(...)``, is no longer used by any page); the
# share and request pages (``/s/``, ``/r/``) are plain HTML with one script of our own.

# JSON is never rendered as a page, so API answers get the tightest policy there is (as the
# OWASP REST cheat sheet suggests): if one were ever opened as a document, nothing would run.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


def policy_for(path: str) -> bytes:
    if path.startswith("/api/"):
        return _API_POLICY
    return _STRICT_POLICY


_STRICT_POLICY = CONTENT_SECURITY_POLICY.encode()
_API_POLICY = API_CONTENT_SECURITY_POLICY.encode()

SECURITY_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


_RAW_HEADERS = tuple(
    (name.lower().encode("latin-1"), value.encode("latin-1"))
    for name, value in SECURITY_HEADERS.items()
)


class SecurityHeaders:
    """Pure ASGI middleware, so streamed file responses are passed through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # One pass over the response's headers, not one per header we add: this runs
                # on every request, so it shows in the API throughput benchmark.
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in _RAW_HEADERS if item[0] not in present)
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", policy_for(scope["path"])))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
