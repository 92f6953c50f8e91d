"""The SSH keys card: where your machines reach your hosted repositories, and the keys that may.

Each key the server keeps becomes a line of its backup account's ``authorized_keys`` forced to
``borg serve`` in your own folder; the card shows the exact borg and Vorta settings to type on
the machine that holds the key.
"""

from __future__ import annotations

from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.backups.backups_html import hosting_html, keys_html
from syncoxide_web.platform.dom import data_of, element, present, say, say_error

STATUS = "backup-key-status"
ONE_LINE = "the one line of ~/.ssh/id_ed25519.pub"


class KeysCard:
    async def refresh(self) -> None:
        try:
            hosting = await call_api("GET", "/backups/hosting")
            keys = (await call_api("GET", "/backups/keys"))["keys"]
        except SyncoxideError as error:
            say_error(STATUS, error, what="Your SSH keys could not be loaded")
            return
        element("backup-hosting").innerHTML = hosting_html(hosting)
        element("backup-keys").innerHTML = keys_html(keys)

    async def add(self, _event: Any) -> None:
        quota = str(element("backup-key-quota").value).strip().upper().removesuffix("B")
        body = {
            "public_key": str(element("backup-key-text").value).strip(),
            "label": str(element("backup-key-label").value).strip(),
            "append_only": bool(element("backup-key-append").checked),
            "quota": quota,
        }
        if not body["public_key"]:
            say(STATUS, f"Paste the public key first ({ONE_LINE}).", error=True)
            return
        try:
            added = await call_api("POST", "/backups/keys", body)
        except SyncoxideError as error:
            say_error(STATUS, error, what="The key was not added", kept="Nothing was changed.")
            return
        element("backup-key-text").value = ""
        element("backup-key-label").value = ""
        say(STATUS, f"Added “{added['label']}”. Use the settings above on that machine.")
        await self.refresh()

    async def key_action(self, event: Any) -> None:
        item = event.target.closest("li.backup-key")
        if not present(item) or (data_of(event.target, "action") or "") != "delete":
            return
        if not js.window.confirm(
            "Delete this key? That machine can no longer reach your repositories; "
            "the backups in them stay."
        ):
            return
        try:
            await call_api("DELETE", f"/backups/keys/{int(item.dataset.keyId)}")
        except SyncoxideError as error:
            say_error(STATUS, error, what="The key was not deleted")
            return
        say(STATUS, "Key deleted; the backups it made stay in your repositories.")
        await self.refresh()
