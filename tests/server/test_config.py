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
