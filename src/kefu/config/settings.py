"""Settings read from the environment (prefix KEFU_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_WEB_THREADS = 40
"""AnyIO's own default, kept where transactions can run side by side (PostgreSQL)."""


class Settings(BaseSettings):
    """Where Kefu stores data, which database and job broker it uses, and how it listens."""

    model_config = SettingsConfigDict(env_prefix="KEFU_", extra="ignore")

    data_dir: Path = Field(default=Path("kefu-data"))
    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr | None = None
    secret_keys: SecretStr | None = None
    """Keyring for secrets at rest: `id:material,id:material`, the sealing key first (docs/security.md)."""
    worker_threads: int = 2
    run_worker: bool = True
    login_attempts_per_minute: int = 10
    """Failed logins allowed per minute for one (email, client IP)."""
    login_ip_attempts_per_minute: int = 30
    """Failed logins allowed per minute from one client IP, whatever the email (password spraying)."""
    login_account_free_failures: int = 5
    """Failed logins of one account (from any IP) before each further attempt waits 1 s, 2 s, 4 s …"""
    login_account_max_backoff_seconds: int = 900
    trusted_proxies: str = ""
    """Comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For / -Proto are believed."""
    cors_origins: str = ""
    """Comma-separated origins allowed to call the API from a browser (CORS); empty: CORS off."""
    session_max_age_seconds: int = 14 * 24 * 3600
    cookie_secure: bool = False
    public_url: str | None = None
    """The address users open (e.g. https://kefu.example.com); https makes session cookies Secure."""
    webhook_timeout_seconds: float = 10.0
    allow_private_outbound: bool = False
    """Let admins point outbound calls (webhooks, integrations) at private and loopback addresses."""
    max_request_bytes: int = 4 * 1024 * 1024
    outbox_retention_days: float = 7.0
    web_threads: int | None = Field(default=None, ge=1)
    """Threads that run request handlers; default 1 on SQLite (its writers are serial anyway), 40 else."""
    log_level: str = "info"
    speech_to_text_url: str | None = None
    """Base URL of an OpenAI-compatible speech-to-text server (…/v1) that transcribes phone calls."""
    speech_to_text_model: str = "whisper-1"
    speech_to_text_api_key: SecretStr | None = None
    smtp_host: str = "127.0.0.1"
    """Interface of the built-in SMTP receiver."""
    smtp_port: int | None = None
    """Port of the built-in SMTP receiver; `kefu serve` starts it only when this is set."""
    smtp_max_message_bytes: int | None = Field(default=None, ge=1024)
    """Largest message the SMTP receiver takes (default 25 MiB); larger ones are refused with 552."""

    def secure_cookies(self, request_scheme: str) -> bool:
        """Whether session cookies carry `Secure`: configured, an HTTPS request, or an https public URL."""
        public_https = (self.public_url or "").lower().startswith("https://")
        return self.cookie_secure or public_https or request_scheme == "https"

    def resolved_database_url(self) -> str:
        """The configured database URL, or the embedded SQLite file under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kefu.db').resolve()}"

    def resolved_web_threads(self) -> int:
        """The configured handler threads, or the default for the database in use."""
        if self.web_threads is not None:
            return self.web_threads
        return 1 if self.resolved_database_url().startswith("sqlite") else DEFAULT_WEB_THREADS

    def resolved_keyring(self) -> list[tuple[str, str]]:
        """The keyring: `KEFU_SECRET_KEYS`, else the server key alone under the id `k0`."""
        from kefu.core.secretbox import DEFAULT_KEY_ID, parse_keyring

        if self.secret_keys is not None:
            return parse_keyring(self.secret_keys.get_secret_value())
        return [(DEFAULT_KEY_ID, self.resolved_secret_key())]

    def resolved_secret_key(self) -> str:
        """The signing key: configured, or generated once and kept in the data dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret.key"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
