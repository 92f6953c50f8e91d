"""What the app's views share around the server's REST API: the JSON call itself (one
implementation, in ``server_api``) and the live events socket's address.
"""

from __future__ import annotations

import js

from syncoxide_web.api.server_api import API as PREFIX
from syncoxide_web.api.server_api import call as call_api

__all__ = ["call_api", "live_socket_url"]


def live_socket_url(after: int) -> str:
    scheme = "wss" if str(js.location.protocol) == "https:" else "ws"
    return f"{scheme}://{js.location.host}{PREFIX}/events/live?after={after}"
