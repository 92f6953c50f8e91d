"""The app for an ASGI server other than ``syncoxide serve``'s own.

    uvicorn --factory syncoxide.server.asgi:create --host 127.0.0.1 --port 8000

The data folder and every other setting come from the environment and the settings file,
as for ``syncoxide serve`` (``SYNCOXIDE_DATA_DIR``, ``SYNCOXIDE_SETTINGS``, ...; see
``ServerConfig``). Forwarded headers are believed only from ``SYNCOXIDE_TRUSTED_PROXIES``,
whatever the ASGI server's own ``--forwarded-allow-ips`` says (``http/socket_peer.py``).
The app runs its schedules in its lifespan, so the server must run it (uvicorn does by default),
and serves the web build that ``syncoxide build-web`` makes.
"""

from __future__ import annotations

from starlette.applications import Starlette

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig


def create() -> Starlette:
    return create_app(ServerConfig.embedded_defaults())
