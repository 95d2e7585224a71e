"""Sign-in links are emailed only with a host that a client cannot forge."""

import logging
import re

import pytest

from tests.fixtures.staff import CSRF_FIELD

LINK = re.compile(r"Sign in: (\S+)")


@pytest.fixture
def smtp_app(app, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    return app


def ask_for_link(client, host: str):
    headers = {"Host": host}
    page = client.get("/account/sign-in", headers=headers)
    token = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
    response = client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": "aino@example.com"},
        headers=headers,
    )
    response.close()
    return response


def emailed_link(smtp_server) -> str:
    body = smtp_server.messages[-1].message.get_body(("plain",)).get_content()
    return LINK.search(body).group(1)


def test_forged_host_gets_no_email(smtp_app, client, smtp_server, aino, caplog):
    caplog.set_level(logging.ERROR, logger="portal.account.signin_views")

    response = ask_for_link(client, "evil.example")

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert smtp_server.messages == []
    assert "set KASSA_PUBLIC_URL" in caplog.text


def test_public_url_replaces_host(smtp_app, client, smtp_server, aino):
    smtp_app.config["KASSA_PUBLIC_URL"] = "https://shop.example"

    ask_for_link(client, "evil.example")

    assert emailed_link(smtp_server).startswith("https://shop.example/account/")


def test_trusted_hosts_allow_own_host(smtp_app, client, smtp_server, aino):
    smtp_app.config["TRUSTED_HOSTS"] = ["shop.example"]

    ask_for_link(client, "shop.example")

    assert emailed_link(smtp_server).startswith("http://shop.example/account/")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5088", "[::1]:5000"])
def test_loopback_host_allowed(smtp_app, client, smtp_server, aino, host):
    ask_for_link(client, host)

    assert "/account/sign-in/" in emailed_link(smtp_server)
