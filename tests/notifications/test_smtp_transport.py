import logging
import re
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from portal.notifications import MailConfigError, MailDeliveryError, send_message
from portal.notifications.smtp_url import parse_smtp_url
from tests.fixtures.smtp import running_smtp_server

PASSWORD = "s3cret-pass"


def hello_message() -> EmailMessage:
    message = EmailMessage()
    message["To"] = "someone@example.com"
    message["Subject"] = "Hello"
    message.set_content("Hello")
    return message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "host", "port", "security"),
    [
        ("smtp://127.0.0.1", "127.0.0.1", 25, "none"),
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, "none"),
        ("smtps://mail.example.com", "mail.example.com", 465, "ssl"),
        ("smtp://mail.example.com?starttls=1", "mail.example.com", 587, "starttls"),
        (
            "SMTP://mail.example.com:2587?starttls=true",
            "mail.example.com",
            2587,
            "starttls",
        ),
        ("smtp://mail.example.com?starttls=0", "mail.example.com", 25, "none"),
    ],
)
def test_smtp_url_host_port_security(url, host, port, security):
    settings = parse_smtp_url(url)

    assert settings.host == host
    assert settings.port == port
    assert settings.security == security


def test_smtp_url_credentials_are_unquoted():
    settings = parse_smtp_url("smtp://user%40example.com:p%40ss%3Aword@127.0.0.1:2525")

    assert settings.username == "user@example.com"
    assert settings.password == "p@ss:word"
    assert "p@ss:word" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1", "must start with smtp:// or smtps://"),
        ("smtp://", "no host name"),
        ("smtp://127.0.0.1:99999", "invalid port"),
        ("smtps://127.0.0.1?starttls=1", "not both"),
        ("smtp://127.0.0.1?timeout=0", "timeout"),
        ("smtp://127.0.0.1?timeout=soon", "timeout"),
    ],
)
def test_invalid_smtp_url_is_rejected(url, message):
    with pytest.raises(MailConfigError, match=message):
        parse_smtp_url(url)


def test_smtp_timeout_from_url():
    assert parse_smtp_url("smtp://127.0.0.1?timeout=2.5").timeout == 2.5


def test_message_sent_through_smtp_server(mail_app, smtp_server, caplog):
    with caplog.at_level(logging.INFO), mail_app(smtp_server.url):
        send_message(hello_message())

    [received] = smtp_server.messages
    assert received.recipients == ["someone@example.com"]
    assert received.message["Subject"] == "Hello"
    assert any(r.msg == "email %s sent through %s:%d" for r in caplog.records)


def test_smtp_login_keeps_password_out_of_logs(mail_app, caplog):
    logins = []

    def authenticator(_server, _session, _envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            logins.append((auth_data.login.decode(), auth_data.password.decode()))
            accepted = auth_data.password.decode() == PASSWORD
            return AuthResult(success=accepted, handled=False)
        return AuthResult(success=False, handled=False)

    with running_smtp_server(authenticator) as server:
        url = f"smtp://kassa:{PASSWORD}@{server.host}:{server.port}"
        with caplog.at_level(logging.DEBUG), mail_app(url):
            send_message(hello_message())

    assert logins == [("kassa", PASSWORD)]
    assert len(server.messages) == 1
    assert PASSWORD not in caplog.text


def test_wrong_password_fails_without_showing_it(mail_app):
    def authenticator(_server, _session, _envelope, _mechanism, _auth_data):
        return AuthResult(success=False, handled=False)

    with running_smtp_server(authenticator) as server:
        url = f"smtp://kassa:{PASSWORD}@{server.host}:{server.port}"
        with mail_app(url), pytest.raises(MailDeliveryError) as error:
            send_message(hello_message())

    assert f"{server.host}:{server.port}" in str(error.value)
    assert PASSWORD not in str(error.value)
    assert server.messages == []


def test_unreachable_smtp_server_raises(mail_app, outbox):
    port = free_port()

    with (
        mail_app(f"smtp://127.0.0.1:{port}?timeout=5"),
        pytest.raises(MailDeliveryError, match=re.escape(f"127.0.0.1:{port}")),
    ):
        send_message(hello_message())

    assert not outbox.exists()
