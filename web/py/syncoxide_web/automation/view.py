"""The Automation view: add and remove rules, follow their jobs, retry dead ones, cancel.

It follows the live event socket: an ``automation.job.*`` event (a job done, failed, cancelled
or given up onto the dead-letter list) refreshes the jobs list as it is filtered now, once per
burst; the rules are read only when the view is shown or changed here.
"""

from __future__ import annotations

from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.api.live_events import LiveEvents
from syncoxide_web.automation.automation_html import jobs_html, rule_body, rules_html
from syncoxide_web.platform.dom import Listeners, data_of, element, present, say, say_error

STATUS = "automation-status"
FIELDS = ("name", "source_kind", "source", "match", "output", "target")


class AutomationView:
    def __init__(self) -> None:
        self._listeners = Listeners()
        self._live = LiveEvents(self._listeners, ("automation.job.",), on_change=self.refresh_jobs)

    def start(self) -> AutomationView:
        self._listeners.on_task("automation-form", "submit", self._add)
        self._listeners.on_task("automation-rules", "click", self._rule_click)
        self._listeners.on_task("automation-jobs", "click", self._job_click)
        self._listeners.on_task("automation-only-dead", "change", self._changed)
        self._listeners.on_shown("automation", self.show)
        self._listeners.start(self.show())
        self._live.open()
        return self

    async def show(self) -> None:
        try:
            rules = await call_api("GET", "/automation/rules")
        except SyncoxideError as error:
            say_error(STATUS, error, what="Automation could not be read")
            return
        element("automation-rules").innerHTML = rules_html(rules["rules"])
        await self.refresh_jobs()

    async def refresh_jobs(self) -> None:
        """The jobs list, or only the dead-letter list while *only those that failed* is on."""
        dead = _only_dead()
        try:
            jobs = await call_api("GET", "/jobs?status=dead" if dead else "/jobs")
        except SyncoxideError as error:
            say_error(STATUS, error, what="The jobs could not be read")
            return
        if _only_dead() == dead:  # else the box changed meanwhile, and its own refresh shows it
            element("automation-jobs").innerHTML = jobs_html(jobs["jobs"])

    async def _changed(self, _event: Any) -> None:
        await self.refresh_jobs()

    async def _add(self, _event: Any) -> None:
        form = {name: str(element(f"automation-{name}").value) for name in FIELDS}
        body = rule_body(
            form,
            combine=bool(element("automation-combine").checked),
            move=bool(element("automation-move").checked),
        )
        try:
            rule = await call_api("POST", "/automation/rules", body)
        except SyncoxideError as error:
            say_error(STATUS, error, kept="No rule was added.")
            return
        say(STATUS, f"Rule “{rule['name']}” added.")
        await self.show()

    async def _rule_click(self, event: Any) -> None:
        row = event.target.closest("tr")
        if (data_of(event.target, "action") or "") != "remove" or not present(row):
            return
        try:
            await call_api("DELETE", f"/automation/rules/{int(row.dataset.id)}")
        except SyncoxideError as error:
            say_error(STATUS, error, kept="The rule is still there.")
        await self.show()

    async def _job_click(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        row = event.target.closest("tr")
        if action not in ("cancel", "retry") or not present(row):
            return
        try:
            job = await call_api("POST", f"/jobs/{int(row.dataset.id)}/{action}")
        except SyncoxideError as error:
            say_error(STATUS, error, kept="The job is as it was.")
            return
        say(STATUS, f"Job {job['id']} is {job['status']}.")
        await self.show()


def _only_dead() -> bool:
    return bool(element("automation-only-dead").checked)
