"""Settings: config file (TOML/YAML) under environment variables, bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import SettingsError, load_settings


def test_toml_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'database_url = "sqlite:///x.db"\ndefault_threshold = 0.9\nauth = false\n[list_sources]\nun = "/srv/un.xml"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SANCTIONS_AUTH", raising=False)
    monkeypatch.setenv("SANCTIONS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SANCTIONS_THRESHOLD", "0.8")
    settings = load_settings(config)
    assert settings.database_url == "sqlite:///x.db"
    assert settings.default_threshold == 0.8
    assert settings.auth_enabled is False
    assert settings.list_sources == {"un": ["/srv/un.xml"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("default_threshold: 2\n", "default_threshold"),
        ("auth: maybe\n", "auth"),
        ("list_sources: {nope: [a]}\n", "list_sources.nope"),
        ("[unclosed\n", "not valid"),
    ],
)
def test_bad_yaml_settings_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    for name in ("SANCTIONS_THRESHOLD", "SANCTIONS_AUTH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SANCTIONS_DATA_DIR", str(tmp_path))
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(config)
