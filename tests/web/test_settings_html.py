"""The Settings view's lists from the API's JSON, without a browser."""

from __future__ import annotations

from syncoxide_web.settings.settings_html import connections_html, devices_html, staleness_html

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


def test_staleness_fields_show_what_is_set_and_what_applies_when_empty() -> None:
    answer = {
        "server_hours": 24.0,
        "every_connection_hours": 2.0,
        "connections": [
            {"source": "nas", "hours": 0.5, "effective_hours": 0.5},
            {"source": "<b>", "hours": None, "effective_hours": 2.0},
        ],
    }
    html = staleness_html(answer)
    assert "The server's default: 24 h." in html
    fields = html.split("<input")[1:]
    assert len(fields) == 3
    assert 'data-source=""' in fields[0] and 'value="2"' in fields[0]
    assert 'placeholder="24"' in fields[0]
    assert 'data-source="nas"' in fields[1] and 'data-was="0.5"' in fields[1]
    assert 'data-source="&lt;b&gt;"' in fields[2] and 'value=""' in fields[2]
    assert 'placeholder="2"' in fields[2] and "<b>" not in html
