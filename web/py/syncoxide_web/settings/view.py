"""The Settings view: devices and tokens (revocable), the connected providers, the password,
and after how long each connection's part of the search index counts as stale.

Who is signed in, the sign-out forms and the choices kept in this browser (theme,
notifications) are in the server's HTML and work without Python (``views/settings.html``,
``theme.js``, ``transfer-notify.js``); this view fills in what comes from the API.
"""

from __future__ import annotations

import time
from typing import Any

import js

from syncoxide.errors import SyncoxideError, UsageError
from syncoxide.units import counted
from syncoxide_web.api.client import call_api
from syncoxide_web.platform.dom import Listeners, element, present, say, say_error
from syncoxide_web.platform.feed import Feed
from syncoxide_web.settings.settings_html import connections_html, devices_html, staleness_html

DEVICES_STATUS = "devices-status"
CHANGE_STATUS = "password-status"
STALENESS_STATUS = "staleness-status"


class SettingsView:
    def __init__(self, connections: Feed[list[dict[str, Any]]]) -> None:
        self._listeners = Listeners()
        self._connections = connections

    def start(self) -> SettingsView:
        self._listeners.on_task("devices-list", "click", self._revoke)
        self._listeners.on_task("password-form", "submit", self._change_password)
        self._listeners.on_task("staleness-form", "submit", self._save_staleness)
        self._connections.follow(self._connections_changed)
        self._listeners.start(self.refresh_devices())
        self._listeners.start(self.refresh_staleness())
        return self

    def _connections_changed(self, connections: list[dict[str, Any]]) -> None:
        _show_connections(connections)
        self._listeners.start(self.refresh_staleness())

    async def refresh_staleness(self) -> None:
        try:
            answer = await call_api("GET", "/catalog/staleness")
        except SyncoxideError as error:
            say_error(STALENESS_STATUS, error, what="The index settings could not be read")
            return
        element("staleness-list").innerHTML = staleness_html(answer)

    async def _save_staleness(self, _event: Any) -> None:
        """Each field changed since it was shown: a number sets it, empty removes it."""
        fields = element("staleness-list").querySelectorAll("input[data-source]")
        changed = [f for f in fields if str(f.value).strip() != str(f.getAttribute("data-was"))]
        try:
            for field in changed:
                typed = str(field.value).strip()
                body = {"source": str(field.getAttribute("data-source")),
                        "hours": float(typed) if typed else None}  # fmt: skip
                await call_api("PUT", "/catalog/staleness", body)
        except (SyncoxideError, ValueError) as error:
            say_error(STALENESS_STATUS, _as_error(error), what="Not every setting was saved")
        else:
            say(STALENESS_STATUS, f"Saved {counted(len(changed), 'setting')}.")
        await self.refresh_staleness()

    async def refresh_devices(self) -> None:
        try:
            tokens = (await call_api("GET", "/tokens"))["tokens"]
        except SyncoxideError as error:
            say_error(DEVICES_STATUS, error, what="Your devices could not be listed")
            return
        element("devices-list").innerHTML = devices_html(tokens, time.time())

    async def _revoke(self, event: Any) -> None:
        token_id = event.target.getAttribute("data-revoke")
        if not present(token_id):
            return
        name = str(event.target.getAttribute("aria-label")).removeprefix("Revoke ")
        if not js.window.confirm(f"Revoke {name}? That device is signed out at once."):
            return
        try:
            await call_api("DELETE", f"/tokens/{int(token_id)}")
        except SyncoxideError as error:
            say_error(DEVICES_STATUS, error, what=f"{name} was not revoked")
            return
        say(DEVICES_STATUS, f"Revoked {name}: it can no longer sign in.")
        await self.refresh_devices()
        element(DEVICES_STATUS).focus()  # its row, and the button pressed, are gone

    async def _change_password(self, _event: Any) -> None:
        current, new = element("password-current"), element("password-new")
        body = {"current_password": str(current.value), "new_password": str(new.value)}
        try:
            await call_api("PUT", "/me/password", body)
        except SyncoxideError as error:
            say_error(CHANGE_STATUS, error, what="The password was not changed")
            return
        current.value = new.value = ""
        say(CHANGE_STATUS, "Password changed. Your other browsers were signed out.")


def _as_error(error: Exception) -> SyncoxideError:
    if isinstance(error, SyncoxideError):
        return error
    return UsageError("Hours must be a number, such as 2 or 0.5.", hint="Nothing else changed.")


def _show_connections(connections: list[dict[str, Any]]) -> None:
    element("settings-connections-list").innerHTML = connections_html(connections)
