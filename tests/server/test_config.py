"""The server's settings come from one object; a malformed one is refused, not guessed at."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncoxide.errors import ConfigError
from syncoxide.server.config import ServerConfig


def _config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path / "data", web_root=tmp_path / "web")


def test_the_link_quota_is_a_number_of_bytes_or_no_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNCOXIDE_LINK_QUOTA_BYTES", raising=False)
    assert _config(tmp_path).link_quota_bytes is None
    monkeypatch.setenv("SYNCOXIDE_LINK_QUOTA_BYTES", " 1000 ")
    assert _config(tmp_path).link_quota_bytes == 1000


@pytest.mark.parametrize("raw", ["10GB", "-5", "1e9"])
def test_a_malformed_link_quota_is_refused_with_what_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("SYNCOXIDE_LINK_QUOTA_BYTES", raw)
    with pytest.raises(ConfigError, match="SYNCOXIDE_LINK_QUOTA_BYTES") as caught:
        _ = _config(tmp_path).link_quota_bytes
    assert "whole number" in (caught.value.hint or "")


def test_no_proxy_is_trusted_unless_listed_and_a_listing_must_be_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNCOXIDE_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("SYNCOXIDE_SETTINGS", str(tmp_path / "settings.toml"))
    assert _config(tmp_path).trusted_proxies() == []
    (tmp_path / "settings.toml").write_text('[server]\ntrusted_proxies = ["10.0.0.0/8"]\n')
    monkeypatch.setenv("SYNCOXIDE_TRUSTED_PROXIES", "127.0.0.1, ::1")
    assert _config(tmp_path).trusted_proxies() == ["127.0.0.1", "::1", "10.0.0.0/8"]
    monkeypatch.setenv("SYNCOXIDE_TRUSTED_PROXIES", "*")
    with pytest.raises(ConfigError, match="not an IP address or network"):
        _config(tmp_path).trusted_proxies()


def test_retention_defaults_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCOXIDE_SETTINGS", str(tmp_path / "settings.toml"))
    default = _config(tmp_path).retention()
    assert default.policy.trash_max_age == default.policy.version_max_age == 30 * 86_400
    assert default.sweep_every_seconds == 3600
    (tmp_path / "settings.toml").write_text(
        "[retention]\nversions_days = 90\ntrash_days = 7\nquota_share = 0.25\n"
        "sweep_every_seconds = 60\n"
    )
    set_ = _config(tmp_path).retention()
    assert set_.policy.version_max_age == 90 * 86_400 and set_.policy.trash_max_age == 7 * 86_400
    assert set_.policy.quota_share == 0.25 and set_.sweep_every_seconds == 60


BAD_RETENTION = ["trash_days = -1", "trash_days = '7'", "trash_days = true", "keep = 3",
                 "quota_share = 2"]  # fmt: skip


@pytest.mark.parametrize("line", BAD_RETENTION)
def test_a_bad_retention_setting_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    monkeypatch.setenv("SYNCOXIDE_SETTINGS", str(tmp_path / "settings.toml"))
    (tmp_path / "settings.toml").write_text(f"[retention]\n{line}\n")
    with pytest.raises(ConfigError, match=r"\[retention\]") as caught:
        _config(tmp_path).retention()
    assert "versions_days" in (caught.value.hint or "")


def test_catalog_staleness_defaults_to_a_day_and_takes_hours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCOXIDE_SETTINGS", str(tmp_path / "settings.toml"))
    assert _config(tmp_path).catalog_stale_after() == 86_400
    (tmp_path / "settings.toml").write_text("[catalog]\nstale_after_hours = 1.5\n")
    assert _config(tmp_path).catalog_stale_after() == 5400


@pytest.mark.parametrize(
    "line", ["stale_after_hours = 0", "stale_after_hours = '2'", "stale_after_hours = true",
             "stale_after_hours = 9000", "stale_after = 2"],
)  # fmt: skip
def test_a_bad_catalog_staleness_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    monkeypatch.setenv("SYNCOXIDE_SETTINGS", str(tmp_path / "settings.toml"))
    (tmp_path / "settings.toml").write_text(f"[catalog]\n{line}\n")
    with pytest.raises(ConfigError, match=r"\[catalog\]") as caught:
        _config(tmp_path).catalog_stale_after()
    assert "stale_after_hours" in (caught.value.hint or "")
