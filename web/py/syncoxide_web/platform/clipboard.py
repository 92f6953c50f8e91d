"""Copying a link to the clipboard, with a way out when the browser says no."""

from __future__ import annotations

import js

from syncoxide_web.platform.dom import element, say


async def copy_link(anchor_id: str, status_id: str) -> None:
    """Copy the link in ``<a id=anchor_id>``; if the clipboard is refused, select it instead."""
    link = str(element(anchor_id).href)
    try:
        await js.navigator.clipboard.writeText(link)
        say(status_id, "Link copied.")
    except Exception:  # no clipboard permission: let the person copy it by hand
        js.window.getSelection().selectAllChildren(element(anchor_id))
        say(status_id, "Copy the selected link with Ctrl+C (or ⌘C).")
