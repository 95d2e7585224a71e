"""Email transport chosen by configuration.

With ``KASSA_SMTP_URL`` set, messages go to that SMTP server. Without it, each
message is written as an ``.eml`` file to the ``KASSA_OUTBOX`` folder, so that
a development install sends nothing and every message can still be opened.
"""

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask import current_app

from portal.database import now_utc
from portal.notifications.smtp_url import SmtpSettings, parse_smtp_url
from portal.notifications.suppression import email_suppressed

logger = logging.getLogger(__name__)


class MailDeliveryError(RuntimeError):
    """The SMTP server could not be reached or did not accept a message."""


def send_message(message: EmailMessage) -> None:
    """Send a message through the configured transport.

    Fills in From (``KASSA_MAIL_FROM``), Date and Message-ID when the message
    has none. Raises ``MailDeliveryError`` when SMTP delivery fails and
    ``MailConfigError`` when ``KASSA_SMTP_URL`` is invalid. Inside
    ``emails_suppressed`` the message is dropped.
    """
    if email_suppressed("outgoing"):
        return
    config = current_app.config
    _complete_headers(message, config["KASSA_MAIL_FROM"])
    smtp_url = config.get("KASSA_SMTP_URL") or ""
    if smtp_url:
        _send_smtp(message, parse_smtp_url(smtp_url))
    else:
        _write_outbox(message, Path(config["KASSA_OUTBOX"]))


def ascii_address(address: str) -> str:
    """Return an email address with its domain in ASCII (punycode) form.

    Header encoding is not allowed inside an address, so a domain such as
    ääkköset.fi has to be written as xn--kkset-fraa0m.fi instead.
    """
    try:
        return validate_email(
            address, check_deliverability=False, allow_smtputf8=False
        ).ascii_email
    except EmailNotValidError:
        return address


def sender_address(display_name: str) -> str:
    """Return ``KASSA_MAIL_FROM`` with a display name, unless it already has one."""
    name, address = parseaddr(current_app.config["KASSA_MAIL_FROM"])
    return formataddr((name or display_name, address))


def _complete_headers(message: EmailMessage, sender: str) -> None:
    if "From" not in message:
        message["From"] = sender
    if "Date" not in message:
        message["Date"] = format_datetime(now_utc())
    if "Message-ID" not in message:
        # A domain given here keeps make_msgid from looking up the host name.
        domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        message["Message-ID"] = make_msgid(domain=domain)


def _write_outbox(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now_utc().strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    with path.open("xb") as file:
        file.write(message.as_bytes())
    logger.info("email written to outbox file %s", path)


def _send_smtp(message: EmailMessage, settings: SmtpSettings) -> None:
    try:
        refused = _deliver(message, settings)
    except (smtplib.SMTPException, OSError) as error:
        raise MailDeliveryError(
            f"Sending email through {settings.host}:{settings.port} failed: {error}"
        ) from error
    if refused:
        logger.warning(
            "SMTP server rejected %d recipients of email %s",
            len(refused),
            message["Message-ID"],
        )
    logger.info(
        "email %s sent through %s:%d",
        message["Message-ID"],
        settings.host,
        settings.port,
    )


def _deliver(message: EmailMessage, settings: SmtpSettings) -> dict:
    """Open one connection, authenticate when a user is set, and send."""
    context = ssl.create_default_context()
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        return client.send_message(message)
