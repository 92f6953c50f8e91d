from __future__ import annotations

import asyncio

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from spake2 import SPAKE2_Symmetric  # type: ignore[import-untyped]
from syncoxide_web.devices import hkdf_standin
from syncoxide_web.devices.devices_html import (
    device_names,
    graph_html,
    shared_folders_html,
    suggested_html,
    sync_peer_options,
    this_device_html,
    trusted_html,
)

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_id import device_id
from syncoxide.devices.records import RecordKind, sign_record
from syncoxide.devices.report import ledger_report
from syncoxide.devices.trust import TrustLedger
from syncoxide.native.devices.ed25519 import NativeEd25519


def test_the_browser_hkdf_gives_the_bytes_spake2_gets_from_cryptography() -> None:
    for length, info in ((48, b"SPAKE2 pw"), (32, b"SPAKE2 arbitrary element"), (1, b"")):
        theirs = HKDF(algorithm=hashes.SHA256(), length=length, salt=b"", info=info)
        ours = hkdf_standin.HKDF(
            algorithm=hkdf_standin.SHA256(), length=length, salt=b"", info=info
        )
        assert ours.derive(b"4F7K") == theirs.derive(b"4F7K")


def test_install_leaves_a_real_cryptography_alone() -> None:
    hkdf_standin.install()  # cryptography is installed here: nothing may be replaced
    from cryptography.hazmat.primitives.kdf import hkdf

    assert hkdf.HKDF is HKDF
    one, two = (
        SPAKE2_Symmetric(b"4F7K", idSymmetric=b"r"),
        SPAKE2_Symmetric(b"4F7K", idSymmetric=b"r"),
    )
    first, second = one.start(), two.start()
    assert one.finish(second) == two.finish(first)


async def _ledger() -> TrustLedger:
    ed = NativeEd25519()
    seeds = {
        name: SecretBytes(bytes([n + 1]) * 32) for n, name in enumerate(("me", "cli", "<phone>"))
    }
    keys = {name: await ed.public_key(seed) for name, seed in seeds.items()}
    mine = TrustLedger(keys["me"])
    pair = mine.statement(RecordKind.PAIR, keys["cli"], name="cli", issued_at=10, via=None)
    mine.admit(await sign_record(pair, seeds["me"], ed))
    theirs = TrustLedger(keys["cli"])
    intro = theirs.statement(
        RecordKind.INTRODUCE, keys["<phone>"], name="<phone>", issued_at=20, via=None
    )
    assert await mine.take((await sign_record(intro, seeds["cli"], ed)).to_bytes(), ed)
    return mine


def test_the_view_shows_who_introduced_whom_and_escapes_names() -> None:
    ledger = asyncio.run(_ledger())
    report = ledger_report(ledger, "Chrome on Linux")
    own = this_device_html(report)
    assert "Chrome on Linux" in own and report["device"]["device_id"] in own
    cli_id = report["trusted"][0]["device_id"]
    trusted = trusted_html(report, {cli_id: {"room": "r"}})
    assert f'data-device="{cli_id}"' in trusted and "paired directly" in trusted
    assert (
        "trusted since 1970-01-01, meeting room kept" in trusted
        and 'data-action="revoke"' in trusted
    )
    suggested = suggested_html(report)
    assert "&lt;phone&gt;" in suggested and "<phone>" not in suggested
    assert "cli <code" in suggested and 'data-action="trust"' in suggested
    graph = graph_html(report)
    assert "trusts" in graph and "introduces" in graph


def test_a_browser_that_is_no_device_yet_says_so() -> None:
    assert "not a device yet" in this_device_html(None)
    assert "No trusted devices yet" in trusted_html(None, {})
    assert suggested_html(None) == "" and "No trust records" in graph_html(None)


def test_every_trusted_device_can_be_picked_to_sync_with_introduced_ones_too() -> None:
    ledger = asyncio.run(_ledger())
    report = ledger_report(ledger, "Chrome on Linux")
    cli_id = report["trusted"][0]["device_id"]
    assert sync_peer_options(None) == ""
    assert sync_peer_options(report) == f'<option value="{cli_id}">cli ({cli_id})</option>'
    [prompt] = ledger.prompts()  # the phone, suggested: not offered until accepted
    accept = ledger.acceptance(prompt.subject, issued_at=30)
    ledger.admit(asyncio.run(sign_record(accept, SecretBytes(bytes([1]) * 32), NativeEd25519())))
    report = ledger_report(ledger, "Chrome on Linux")
    phone_id = device_id(prompt.subject)
    assert f'<option value="{phone_id}">&lt;phone&gt; ({phone_id})</option>' in (
        sync_peer_options(report)
    )
    assert "no meeting room yet" in trusted_html(report, {cli_id: {"room": "r"}})


def test_shared_folders_show_each_device_state_and_escape_names() -> None:
    report = ledger_report(asyncio.run(_ledger()), "Chrome on Linux")
    cli_id = report["trusted"][0]["device_id"]
    folders = {"<docs>": {"browser_folder": "b&w", "with": [cli_id, "UNKNOWN"]}}
    states = {cli_id: ("disconnected: Refused the path '..'", True)}
    shown = shared_folders_html(folders, device_names(report), states)
    assert 'data-folder="&lt;docs&gt;"' in shown and "b&amp;w" in shown and "<docs>" not in shown
    assert f'cli <code class="device-id">{cli_id}</code>: <span class="error">' in shown
    assert "UNKNOWN</code>: starting" in shown
    assert "No folder is synced" in shared_folders_html({}, {}, {})


def test_a_picked_folder_shows_where_it_is_and_asks_for_access_while_not_granted() -> None:
    folders = {
        "photos": {"picked_folder": "<Pictures>", "with": []},
        "docs": {"picked_folder": "Documents", "with": []},
    }
    shown = shared_folders_html(folders, {}, {}, {"photos"})
    assert "on this computer: &lt;Pictures&gt;" in shown and "<Pictures>" not in shown
    photos, docs = shown.split('data-folder="photos"')[1], shown.split('data-folder="docs"')[1]
    assert 'data-action="allow"' in photos.split("</tr>")[0]
    assert 'data-action="allow"' not in docs.split("</tr>")[0]
