"""Embed settings for embed.js, and the back office's share panel of a link."""

import re
from html import unescape

import pytest
from flask import render_template

from portal.checkout.embeds import build_snippets

ALLOWED = ["http://127.0.0.1:*", "https://shop.example"]


@pytest.fixture
def embeddable_link(db, kit_link):
    kit_link.allowed_origins = ALLOWED
    db.commit()
    return kit_link


def embed_settings(client, origin: str | None, **headers):
    if origin is not None:
        headers["Origin"] = origin
    return client.get("/pay/workshop-kit/embed.json", headers=headers)


@pytest.mark.parametrize(
    ("origin", "frameable"),
    [
        ("https://shop.example", True),
        ("http://127.0.0.1:8123", True),
        ("https://evil.example", False),
        ("null", False),
        (None, False),
    ],
)
def test_embed_settings_for_origin(client, embeddable_link, origin, frameable):
    response = embed_settings(client, origin)

    assert response.status_code == 200
    assert response.get_json()["frameable"] is frameable
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Origin" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers


def test_embed_settings_describe_button(client, embeddable_link):
    body = embed_settings(client, "https://shop.example").get_json()

    assert body["title"] == "Workshop kit"
    assert body["color"] == "#2f6f4f"
    assert body["textColor"] == "#ffffff"
    assert body["close"] == "Close the checkout"


def test_embed_settings_vary_by_language(client, embeddable_link):
    """The close button's label is in the buyer's language, as the checkout is."""
    response = embed_settings(client, "https://shop.example")

    assert "Accept-Language" in response.headers["Vary"]


def test_embed_settings_of_link_without_origins(client, kit_link):
    body = embed_settings(client, "https://shop.example").get_json()

    assert body["frameable"] is False


def test_embed_settings_of_unknown_link(client, kit_link):
    response = client.get("/pay/no-such-link/embed.json")

    assert response.status_code == 404


def render_share_panel(app, link) -> str:
    with app.test_request_context("/"):
        return render_template("merchant/partials/link_share.html", link=link)


def textarea(html: str, key: str, link_id: int) -> str:
    pattern = rf'<textarea id="link-share-{link_id}-{key}"[^>]*>(.*?)</textarea>'
    return unescape(re.search(pattern, html, re.DOTALL).group(1))


def test_share_panel_shows_snippets(app, embeddable_link):
    html = render_share_panel(app, embeddable_link)

    expected = build_snippets(embeddable_link, "http://localhost", "#2f6f4f")
    link_id = embeddable_link.id
    assert textarea(html, "button", link_id) == expected.button
    assert textarea(html, "inline", link_id) == expected.inline
    assert textarea(html, "email", link_id) == expected.email_link
    assert html.count("readonly") == 3
    assert html.count(f'data-copy-from="link-share-{link_id}-') == 3
    assert '<script src="/static/js/copy-snippet.js" defer></script>' in html
    assert "<script>" not in html


def test_share_panel_shows_qr_codes(app, embeddable_link):
    html = render_share_panel(app, embeddable_link)

    assert '<img class="link-share-qr" src="/pay/workshop-kit/qr.svg"' in html
    assert 'href="/pay/workshop-kit/qr.svg" download="workshop-kit-qr.svg"' in html
    assert 'href="/pay/workshop-kit/qr.png" download="workshop-kit-qr.png"' in html


def test_share_panel_lists_allowed_origins(app, embeddable_link):
    html = render_share_panel(app, embeddable_link)

    origins = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert origins == ALLOWED


def test_share_panel_without_origins(app, kit_link):
    html = render_share_panel(app, kit_link)

    assert "<code>" not in html
    assert "None. Until you add a site's origin" in html


def test_share_panel_uses_public_url(app, embeddable_link):
    app.config["KASSA_PUBLIC_URL"] = "https://pay.nordlys.example"

    html = render_share_panel(app, embeddable_link)

    button = textarea(html, "button", embeddable_link.id)
    assert 'src="https://pay.nordlys.example/static/js/embed.js"' in button
    assert 'href="https://pay.nordlys.example/pay/workshop-kit"' in button
