"""The repositories card: make or register hosted repositories, give or forget a passphrase.

A repository made here is ``borg init`` run by the server in your folder; one made from your
own machine over SSH is registered with its name. The server opens a repository itself (to
show its backups here, to restore, to back up providers into it) only if it keeps the
passphrase, sealed; it checks a passphrase against the repository before keeping it.
The repositories loaded are published to a feed, which the archives and rules cards follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js

from syncoxide.errors import SyncoxideError, UsageError
from syncoxide_web.api.client import call_api
from syncoxide_web.backups.backups_html import identity_html, repositories_html
from syncoxide_web.platform.dom import data_of, element, present, say, say_error, show
from syncoxide_web.platform.feed import Feed

STATUS = "backup-repo-status"
MIN_PASSPHRASE = 8  # as the server requires


class RepositoriesCard:
    def __init__(
        self, repositories: Feed[list[dict[str, Any]]], browse: Callable[[int], object]
    ) -> None:
        self._repositories = repositories
        self._browse = browse  # shows a repository's backups in the archives card
        self._identity_shown = False

    async def refresh(self) -> None:
        try:
            found = (await call_api("GET", "/backups/repositories"))["repositories"]
        except SyncoxideError as error:
            say_error(STATUS, error, what="Your repositories could not be loaded")
            return
        element("backup-repositories").innerHTML = repositories_html(found)
        self._repositories.publish(found)

    async def picked_how(self, _event: Any) -> None:
        """Choosing "my own SSH server" shows its fields and this server's key for the user."""
        own = bool(element("backup-repo-own").checked)
        show("backup-repo-own-fields", own)
        show(element("backup-repo-passphrase2").closest("label"), not own or _own_new())
        if own and not self._identity_shown:
            try:
                identity = await call_api("GET", "/backups/identity")
            except SyncoxideError as error:
                say_error(STATUS, error, what="This server's SSH key could not be loaded")
                return
            element("backup-identity").innerHTML = identity_html(identity)
            self._identity_shown = True

    async def add(self, _event: Any) -> None:
        try:
            body = _repository_body()
        except UsageError as error:
            say_error(STATUS, error)
            return
        say(STATUS, "Making the repository…" if body["create"] else "Checking the repository…")
        try:
            made = await call_api("POST", "/backups/repositories", body)
        except SyncoxideError as error:
            say_error(STATUS, error, what="The repository was not added", kept="Nothing changed.")
            return
        fields = ("backup-repo-name", "backup-repo-passphrase", "backup-repo-passphrase2")
        for field in (*fields, "backup-repo-url"):
            element(field).value = ""
        say(STATUS, f"Added {made['name']}. Its settings for borg and Vorta are in the list.")
        await self.refresh()

    async def repository_action(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        item = event.target.closest("li.backup-repository")
        if not action or not present(item):
            return
        repository_id = int(item.dataset.repositoryId)
        path = f"/backups/repositories/{repository_id}"
        name = str(item.querySelector("strong").textContent)
        if action == "browse":
            self._browse(repository_id)
        elif action == "keep-passphrase":
            _ask_passphrase(repository_id, name)
        elif action == "forget-passphrase" and js.window.confirm(
            f"Forget the passphrase of {name}? Its backups stay, but the server can no "
            "longer open it: its provider backups stop until you give it again."
        ):
            forgotten = f"The server no longer keeps the passphrase of {name}."
            await self._call(forgotten, "DELETE", path + "/passphrase")
        elif action == "forget" and js.window.confirm(
            f"Remove {name} from the list, with its provider backups? Its files stay in "
            "your folder on the server; register it again to use it here."
        ):
            removed = f"{name} was removed from the list; its files stay."
            await self._call(removed, "DELETE", path)

    async def keep_passphrase(self, _event: Any) -> None:
        form = element("backup-passphrase-form")
        passphrase = str(element("backup-passphrase").value)
        if not passphrase:
            say(STATUS, "Type the repository's passphrase first.", error=True)
            return
        say(STATUS, "Checking the passphrase against the repository…")
        done = await self._call(
            "The server keeps the passphrase now, sealed.",
            "PUT",
            f"/backups/repositories/{int(form.dataset.repositoryId)}/passphrase",
            {"passphrase": passphrase},
        )
        if done:
            element("backup-passphrase").value = ""
            show(form, False)

    async def _call(self, done: str, method: str, path: str, body: Any = None) -> bool:
        try:
            await call_api(method, path, body)
        except SyncoxideError as error:
            say_error(STATUS, error, kept="Nothing changed.")
            return False
        say(STATUS, done)
        await self.refresh()
        return True


def cancel_passphrase(_event: Any) -> None:
    element("backup-passphrase").value = ""
    show("backup-passphrase-form", False)


def _ask_passphrase(repository_id: int, name: str) -> None:
    form = element("backup-passphrase-form")
    form.dataset.repositoryId = str(repository_id)
    element("backup-passphrase-for").textContent = name
    show(form)
    element("backup-passphrase").focus()


def _own_new() -> bool:
    return bool(element("backup-repo-own-new").checked)


def _repository_body() -> dict[str, Any]:
    """What the form asks for; a ``UsageError`` for what the server would refuse anyway."""
    own = bool(element("backup-repo-own").checked)
    make = bool(element("backup-repo-make").checked) or (own and _own_new())
    keep = bool(element("backup-repo-keep").checked) or own
    url = str(element("backup-repo-url").value).strip() if own else ""
    if own and not url.startswith("ssh://"):
        raise UsageError(
            "Give the repository's URL on your SSH server.",
            hint="For example ssh://me@nas.example.org:22/home/me/backups/laptop",
        )
    name = str(element("backup-repo-name").value).strip()
    passphrase = str(element("backup-repo-passphrase").value)
    if not name:
        raise UsageError("Give the repository a name.", hint="For example: laptop")
    if (make or keep) and len(passphrase) < MIN_PASSPHRASE:
        raise UsageError(f"The passphrase needs at least {MIN_PASSPHRASE} characters.")
    if make and passphrase != str(element("backup-repo-passphrase2").value):
        raise UsageError(
            "The two passphrases differ.",
            hint="Type the same one twice: without it, nobody can open these backups.",
        )
    body = {"name": name, "passphrase": passphrase, "create": make, "keep_passphrase": keep}
    return {**body, "url": url} if url else body
