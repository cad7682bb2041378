from __future__ import annotations

import pytest

from config import Config, ConfigError

KEY_A = "a" * 40
KEY_B = "b" * 40


def test_production_refuses_to_start_without_keys_and_names_them():
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"SITESYS_ENV": "production", "DATABASE_URL": "postgresql+psycopg://x/y"})
    message = str(refused.value)
    assert "SITESYS_SECRET_KEY" in message and "SITESYS_CLIENT_CODE_KEY" in message


def test_production_refuses_short_or_shared_keys():
    base = {"SITESYS_ENV": "production", "DATABASE_URL": "postgresql+psycopg://x/y"}
    with pytest.raises(ConfigError, match="at least 32"):
        Config.from_env({**base, "SITESYS_SECRET_KEY": "short", "SITESYS_CLIENT_CODE_KEY": KEY_B})
    with pytest.raises(ConfigError, match="must differ"):
        Config.from_env({**base, "SITESYS_SECRET_KEY": KEY_A, "SITESYS_CLIENT_CODE_KEY": KEY_A})


def test_production_with_real_keys_starts():
    config = Config.from_env(
        {
            "SITESYS_ENV": "production",
            "DATABASE_URL": "postgresql+psycopg://x/y",
            "SITESYS_SECRET_KEY": KEY_A,
            "SITESYS_CLIENT_CODE_KEY": KEY_B,
        }
    )
    assert config.is_production and config.secret_key == KEY_A


def test_production_app_sets_secure_cookies(monkeypatch, database_url):
    from sitesys import create_app

    app = create_app(
        Config.from_env(
            {
                "SITESYS_ENV": "production",
                "DATABASE_URL": database_url,
                "SITESYS_SECRET_KEY": KEY_A,
                "SITESYS_CLIENT_CODE_KEY": KEY_B,
            }
        )
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-sitesys"


def test_development_generates_keys_once_and_never_uses_a_fixed_one(tmp_path, monkeypatch):
    import config as config_module

    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    first = Config.from_env({"SITESYS_ENV": "development"})
    second = Config.from_env({"SITESYS_ENV": "development"})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 48
    assert first.client_code_key != first.secret_key
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="SITESYS_ENV"):
        Config.from_env({"SITESYS_ENV": "staging"})
