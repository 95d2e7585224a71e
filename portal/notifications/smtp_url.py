"""SMTP connection settings read from a URL such as ``smtps://user:pass@host:465``."""

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

# Seconds to wait for the SMTP server to accept the connection or reply to a command.
DEFAULT_TIMEOUT = 30.0
TRUE_WORDS = {"1", "true", "yes", "on"}


class MailConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "ssl" (smtps://), "starttls" (?starttls=1) or "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT


def parse_smtp_url(url: str) -> SmtpSettings:
    """Parse ``smtp://`` or ``smtps://`` with optional user, password and port.

    ``?starttls=1`` upgrades a plain connection with STARTTLS, and
    ``?timeout=10`` sets the timeout in seconds. The default port is 465 for
    smtps, 587 with STARTTLS and 25 otherwise. Error messages leave out the
    password.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise MailConfigError(
            f"KASSA_SMTP_URL must start with smtp:// or smtps://, not {scheme!r}."
        )
    if not parts.hostname:
        raise MailConfigError("KASSA_SMTP_URL has no host name.")

    query = parse_qs(parts.query)
    starttls = _flag(query, "starttls")
    if scheme == "smtps" and starttls:
        raise MailConfigError(
            "KASSA_SMTP_URL sets both smtps:// and starttls. Use smtps:// for TLS "
            "from the start or smtp://...?starttls=1 to upgrade, not both."
        )
    security = "none"
    if scheme == "smtps":
        security = "ssl"
    elif starttls:
        security = "starttls"
    return SmtpSettings(
        host=parts.hostname,
        port=_port(parts, security),
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        timeout=_timeout(query),
    )


def _flag(query: dict[str, list[str]], name: str) -> bool:
    values = query.get(name, [])
    return bool(values) and values[-1].strip().lower() in TRUE_WORDS


def _port(parts, security: str) -> int:
    try:
        port = parts.port
    except ValueError as error:
        raise MailConfigError(
            "KASSA_SMTP_URL has an invalid port. Use a number from 1 to 65535."
        ) from error
    if port is not None:
        return port
    return {"ssl": 465, "starttls": 587}.get(security, 25)


def _timeout(query: dict[str, list[str]]) -> float:
    values = query.get("timeout")
    if not values:
        return DEFAULT_TIMEOUT
    try:
        timeout = float(values[-1])
    except ValueError:
        timeout = 0.0
    if not 0 < timeout <= 600:
        raise MailConfigError(
            f"KASSA_SMTP_URL timeout {values[-1]!r} is invalid. "
            "Use a number of seconds above 0 and at most 600."
        )
    return timeout
