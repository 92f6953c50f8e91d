"""The Settings view's lists from the API's JSON, without a browser."""

from __future__ import annotations

from syncoxide_web.settings.settings_html import connections_html, devices_html

NOW = 1_800_000_000


def token(token_id: int, label: str, **changes: object) -> dict[str, object]:
    made: dict[str, object] = {
        "id": token_id,
        "label": label,
        "prefix": "sxo_ab12",
        "created_at": NOW - 1000 + token_id,
        "last_used_at": NOW - 30,
        "revoked_at": None,
        "expires_at": None,
    }
    made.update(changes)
    return made


def test_devices_list_only_what_can_still_sign_in_newest_first() -> None:
    tokens = [
        token(1, "old laptop"),
        token(2, "revoked", revoked_at=NOW - 5),
        token(3, "expired", expires_at=NOW - 1),
        token(4, "phone", expires_at=NOW + 7200, last_used_at=None),
    ]
    html = devices_html(tokens, NOW)
    assert "revoked" not in html and "expired" not in html
    assert html.index("phone") < html.index("old laptop")
    assert 'data-revoke="4" aria-label="Revoke phone"' in html
    assert "<td>never</td><td>in 2 h</td>" in html  # never used, expires in two hours
    assert "<td>30 s ago</td><td>never</td>" in html


def test_names_are_escaped_and_empty_lists_say_so() -> None:
    html = devices_html([token(1, '<img src=x onerror=alert(1)>"')], NOW)
    assert "<img" not in html and "&lt;img" in html and 'aria-label="Revoke &lt;img' in html
    assert "syncoxide login" in devices_html([], NOW)
    assert connections_html([]) == '<p class="muted">No provider connected yet.</p>'
    listed = connections_html(
        [
            {"name": "b<i>", "kind": "s3", "state": "failed", "state_message": "no bucket"},
            {"name": "a", "kind": "home", "state": "ok", "state_message": ""},
        ]
    )
    assert listed.index(">a<") < listed.index("b&lt;i&gt;")
    assert "s3 · failed: no bucket" in listed and "home · ok" in listed
