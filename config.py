"""SiteSys configuration, read from the environment into one typed object."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
ENVIRONMENTS = ("development", "production", "test")


class ConfigError(RuntimeError):
    """The environment does not describe a SiteSys that may start."""


def _dev_key(name: str) -> str:
    """Return a random key kept in instance/ so development restarts keep their sessions and codes.

    Only ever used outside production: a production start without real keys is refused instead.
    """
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / f"{name}.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _valid_limit(value: str) -> bool:
    from limits import parse_many

    try:
        return bool(parse_many(value))
    except ValueError:
        return False


@dataclass(frozen=True)
class Config:
    """Everything create_app needs; built by from_env() or by tests."""

    env: str
    secret_key: str
    client_code_key: str
    database_url: str
    # Request limits: a note is short text; nothing SiteSys accepts is larger than this.
    max_content_length: int = 1024 * 1024
    max_form_memory_size: int = 256 * 1024
    max_form_parts: int = 1000
    #: Number of reverse proxies in front of SiteSys that set X-Forwarded-* (0: none trusted).
    trusted_proxies: int = 0
    #: Redis shared by every worker and host (SITESYS_REDIS_URL), where the rate limits count;
    #: None: each worker counts in its own memory (the embedded default).
    redis_url: str | None = None
    #: Earlier client-code keys, kept for look-up only after a rotation (clients/keys.py).
    client_code_old_keys: tuple[str, ...] = ()
    #: Per-address limits (Flask-Limiter syntax) on sign-in attempts and on client-code look-ups
    #: at the desk (SITESYS_SIGN_IN_LIMIT, SITESYS_CLIENT_LOOKUP_LIMIT). Every tablet of a site
    #: shares one address, so they are generous: they stop a flood, not a busy shift.
    sign_in_limit: str = "10 per minute;200 per hour"
    #: Sign-in attempts from all addresses together (SITESYS_SIGN_IN_LIMIT_ALL): a flood from
    #: many addresses then costs at most this much argon2 work; staff already signed in work on.
    sign_in_limit_all: str = "60 per minute"
    client_lookup_limit: str = "120 per minute"
    #: argon2 checks one web worker process makes at once (SITESYS_PASSWORD_CHECKS_AT_ONCE): a
    #: check takes all the cores for a moment, so a flood of sign-ins from many addresses would
    #: otherwise hold every worker thread and the desk would wait; a sign-in that finds them all
    #: taken is asked to try again in a moment.
    password_checks_at_once: int = 1
    #: Encrypts each member of staff's two-factor (TOTP) secret at rest (SITESYS_TWO_FACTOR_KEY,
    #: auth/two_factor.py): a Fernet key is derived from it. Empty: derived from the secret key
    #: under a label of its own (rotating the secret key then means every account enrols again,
    #: so production sets its own; README, "Two-factor sign-in").
    two_factor_key: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def rate_limit_storage(self) -> str:
        """Where Flask-Limiter counts requests: Redis when configured, else this worker's memory
        (a limit then applies per worker, so a few times more tries get through behind several).
        """
        return self.redis_url or "memory://"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Read SITESYS_ENV, SITESYS_SECRET_KEY, SITESYS_CLIENT_CODE_KEY, DATABASE_URL and the
        optional SITESYS_TWO_FACTOR_KEY.

        Production refuses to start without both keys and a database URL, and says which is
        missing; development generates keys once under instance/ (never a fixed fallback).
        """
        env_vars = dict(os.environ if environ is None else environ)
        env = env_vars.get("SITESYS_ENV", "development").strip() or "development"
        if env not in ENVIRONMENTS:
            raise ConfigError(f"SITESYS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
        secret_key = env_vars.get("SITESYS_SECRET_KEY", "").strip()
        client_code_key = env_vars.get("SITESYS_CLIENT_CODE_KEY", "").strip()
        two_factor_key = env_vars.get("SITESYS_TWO_FACTOR_KEY", "").strip()
        database_url = env_vars.get("DATABASE_URL", "").strip()
        if env == "production":
            missing = [
                name
                for name, value in (
                    ("SITESYS_SECRET_KEY", secret_key),
                    ("SITESYS_CLIENT_CODE_KEY", client_code_key),
                    ("DATABASE_URL", database_url),
                )
                if not value
            ]
            if missing:
                raise ConfigError(
                    "SiteSys will not start in production without " + ", ".join(missing) + "."
                )
            for name, value in (
                ("SITESYS_SECRET_KEY", secret_key),
                ("SITESYS_CLIENT_CODE_KEY", client_code_key),
            ):
                if len(value) < 32:
                    raise ConfigError(f"{name} must be at least 32 characters of random text.")
            if secret_key == client_code_key:
                # The client-code digest must not fall with the session-signing key.
                raise ConfigError("SITESYS_CLIENT_CODE_KEY must differ from SITESYS_SECRET_KEY.")
            if two_factor_key and len(two_factor_key) < 32:
                raise ConfigError(
                    "SITESYS_TWO_FACTOR_KEY must be at least 32 characters of random text."
                )
            if two_factor_key in (secret_key, client_code_key):
                # Two-factor secrets must not fall with either of the other keys.
                raise ConfigError(
                    "SITESYS_TWO_FACTOR_KEY must differ from SITESYS_SECRET_KEY and "
                    "SITESYS_CLIENT_CODE_KEY."
                )
        else:
            secret_key = secret_key or _dev_key("secret")
            client_code_key = client_code_key or _dev_key("client-code")
            database_url = database_url or f"sqlite:///{INSTANCE_DIR / 'sitesys.sqlite3'}"
            INSTANCE_DIR.mkdir(exist_ok=True)
        proxies = env_vars.get("SITESYS_TRUSTED_PROXIES", "0").strip() or "0"
        if not proxies.isdigit() or int(proxies) > 5:
            raise ConfigError("SITESYS_TRUSTED_PROXIES must be a small whole number (0 to 5).")
        old_keys = tuple(
            key.strip()
            for key in env_vars.get("SITESYS_CLIENT_CODE_OLD_KEYS", "").split(",")
            if key.strip()
        )
        if client_code_key in old_keys:
            raise ConfigError("SITESYS_CLIENT_CODE_OLD_KEYS must not hold the current key.")
        if env == "production" and any(len(key) < 32 or key == secret_key for key in old_keys):
            raise ConfigError(
                "Each of SITESYS_CLIENT_CODE_OLD_KEYS must be at least 32 characters of random "
                "text, and none the secret key."
            )
        redis_url = env_vars.get("SITESYS_REDIS_URL", "").strip() or None
        if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("SITESYS_REDIS_URL must be a redis://, rediss:// or unix:// URL.")
        sign_in_limit = env_vars.get("SITESYS_SIGN_IN_LIMIT", "").strip() or cls.sign_in_limit
        all_limit = env_vars.get("SITESYS_SIGN_IN_LIMIT_ALL", "").strip() or cls.sign_in_limit_all
        lookup_limit = (
            env_vars.get("SITESYS_CLIENT_LOOKUP_LIMIT", "").strip() or cls.client_lookup_limit
        )
        for variable, value in (
            ("SITESYS_SIGN_IN_LIMIT", sign_in_limit),
            ("SITESYS_SIGN_IN_LIMIT_ALL", all_limit),
            ("SITESYS_CLIENT_LOOKUP_LIMIT", lookup_limit),
        ):
            if not _valid_limit(value):
                raise ConfigError(f"{variable} must be a limit such as '30 per minute'.")
        at_once = env_vars.get("SITESYS_PASSWORD_CHECKS_AT_ONCE", "1").strip() or "1"
        if not at_once.isdigit() or not 1 <= int(at_once) <= 64:
            raise ConfigError("SITESYS_PASSWORD_CHECKS_AT_ONCE must be a whole number, 1 to 64.")
        return cls(
            env=env,
            password_checks_at_once=int(at_once),
            sign_in_limit=sign_in_limit,
            sign_in_limit_all=all_limit,
            client_lookup_limit=lookup_limit,
            trusted_proxies=int(proxies),
            redis_url=redis_url,
            client_code_old_keys=old_keys,
            secret_key=secret_key,
            client_code_key=client_code_key,
            two_factor_key=two_factor_key,
            database_url=database_url,
        )
