"""Every setting of the portal server, declared once (environment variables prefixed PORTAL_)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Listening addresses that mean "every address of this machine": no customer can open them.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "[::]", ""})  # noqa: S104


def public_base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the portal's public address, or None when it can."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"the public base URL must start with https:// (or http://): got {url!r}."
    if parts.query or parts.fragment:
        return f"the public base URL takes no query or fragment: got {url!r}."
    if parts.hostname in WILDCARD_HOSTS:
        return (
            f"the public base URL {url!r} names every address of this machine, which no "
            "customer can open: give the address customers use."
        )
    return None


class Settings(BaseSettings):
    """Portal server configuration, read from the environment (``PORTAL_*``) or passed in."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    data_dir: Path | None = Field(
        default=None, description="Folder for the SQLite database when no database URL is given."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; overrides data_dir.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="Address customers use to reach the portal, e.g. https://portal.example.com: "
        "every link in an email (invite, reset, receipt) is built on it. 'serve' derives "
        "http://HOST:PORT when listening on one address, and refuses to start without it when "
        "listening on every address (0.0.0.0 or ::).",
    )
    workers: int = Field(
        default=1,
        ge=1,
        description="Worker processes serving on one socket (set by 'serve --workers'). With "
        "several, kept-alive connections are handed back now and then so they spread over the "
        "workers; one worker keeps its connections.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server; unset keeps mail pending."
    )
    smtp_port: int = Field(default=587, description="SMTP port.")
    smtp_username: str | None = Field(default=None, description="SMTP user name.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=True, description="Use STARTTLS when talking to SMTP.")
    smtp_from: str = Field(
        default="portal@localhost", description="Envelope sender for portal mail."
    )
    mail_max_attempts: int = Field(
        default=8, description="Delivery attempts before an email is marked failed."
    )
    mail_retry_seconds: float = Field(
        default=30.0, description="First retry delay; doubles per attempt, with jitter."
    )
    mail_poll_seconds: float = Field(
        default=2.0, description="How often the sender looks for mail that is due."
    )
    payment_provider: str = Field(
        default="sandbox", description="'sandbox' (test mode) or 'stripe'."
    )
    stripe_secret_key: str | None = Field(default=None, description="Stripe secret API key.")
    stripe_webhook_secret: str | None = Field(
        default=None, description="Signing secret of the Stripe webhook endpoint."
    )
    stripe_api_base: str | None = Field(
        default=None, description="Override of Stripe's API address (tests only)."
    )
    staff_token_hours: int = Field(default=12, description="Lifetime of a staff bearer token.")
    changes_retention_days: int = Field(
        default=30, description="How long delete tombstones stay in the changes feed."
    )
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, description="Largest accepted file.")
    max_image_pixels: int = Field(default=40_000_000, description="Largest accepted image area.")
    log_level: str = Field(default="INFO", description="Log level of the server.")

    @field_validator("public_base_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = public_base_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value.rstrip("/")

    @cached_property
    def resolved_database_url(self) -> str:
        """The database URL to use: explicit URL, else SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        if self.data_dir is None:
            raise ValueError("Give a database URL (PORTAL_DATABASE_URL) or a data dir.")
        return f"sqlite:///{(self.data_dir / 'portal.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file."""
        return self.resolved_database_url.startswith("sqlite")
