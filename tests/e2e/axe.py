"""axe-core, served by our own server (the web build's ``axe-core`` folder), run in a page.

Only serious and critical findings fail a test; each is reported with the rule, its help text
and the elements it names, so a failure says what to fix.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page

from tests.conftest import PROJECT_ROOT

FAILING_IMPACTS = ("serious", "critical")


def axe_url() -> str:
    manifest = json.loads((PROJECT_ROOT / "web/static/vendor/manifest.json").read_text())
    return f"/vendor/{manifest['axe-core']['path']}/axe.min.js"


def serious_violations(page: Page, *, include: str = "body") -> list[str]:
    """axe-core's serious and critical findings on the visible part of ``include``, in words."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=axe_url())
    found: list[dict[str, Any]] = page.evaluate(
        """async (include) => {
            const result = await window.axe.run(document.querySelector(include),
                {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        include,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'][:5])}"
        for v in found
        if v["impact"] in FAILING_IMPACTS
    ]
