"""QR codes for links, drawn by ``segno`` (pure Python, shipped as a wheel by the web build).

The wheel is listed in the build's ``pyodide-lock.json`` but not loaded at start-up: the first
QR code asks Pyodide for it (from our own server), so pages that never draw one never pay for
it. Any view can call :func:`qr_image_url` and put the result in an ``<img src>``.
"""

from __future__ import annotations

import importlib.util


async def _load_segno() -> None:
    if importlib.util.find_spec("segno") is None:  # not installed in this page yet
        import pyodide_js

        await pyodide_js.loadPackage("segno")


def qr_data_url(text: str, scale: int = 4) -> str:
    """An SVG ``data:`` URL of ``text`` as a QR code (error correction M, quiet zone kept)."""
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=scale, dark="#111"))


async def qr_image_url(text: str, scale: int = 4) -> str:
    await _load_segno()
    return qr_data_url(text, scale)
