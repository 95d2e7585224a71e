"""Snippets that website owners copy, and the size of embed.js."""

import gzip
import re
from pathlib import Path

import pytest

from portal.checkout.embeds import build_snippets, text_color_on
from portal.models import PaymentLink

EMBED_JS = Path(__file__).parents[2] / "portal" / "static" / "js" / "embed.js"
BASE_URL = "https://pay.nordlys.example/"


def poster_link(title: str = "Aurora poster") -> PaymentLink:
    return PaymentLink(slug="poster", title=title, currency="EUR")


def test_embed_js_is_small_when_gzipped():
    gzipped = gzip.compress(EMBED_JS.read_bytes(), compresslevel=6)

    assert len(gzipped) <= 5 * 1024


def test_button_snippet():
    snippets = build_snippets(poster_link(), BASE_URL, "#2f6f4f")

    assert snippets.button == (
        '<script src="https://pay.nordlys.example/static/js/embed.js" async>'
        "</script>\n"
        '<a href="https://pay.nordlys.example/pay/poster" data-kassa-button="poster"'
        ' target="_blank" rel="noopener">Buy now</a>'
    )


def test_inline_snippet():
    snippets = build_snippets(poster_link(), BASE_URL, "#2f6f4f")

    assert snippets.inline == (
        '<script src="https://pay.nordlys.example/static/js/embed.js" async>'
        "</script>\n"
        '<div data-kassa-checkout="poster">\n'
        '  <a href="https://pay.nordlys.example/pay/poster" target="_blank"'
        ' rel="noopener">Buy Aurora poster</a>\n'
        "</div>"
    )


def test_email_link_uses_brand_colour():
    snippets = build_snippets(poster_link(), BASE_URL, "#2f6f4f")

    link = snippets.email_link
    assert link.startswith('<a href="https://pay.nordlys.example/pay/poster" style="')
    assert link.endswith(">Buy now</a>")
    assert "<script" not in link
    assert "background-color:#2f6f4f" in link
    assert "border:1px solid #2f6f4f" in link
    assert "color:#ffffff" in link
    assert "text-decoration:none" in link
    assert "display:inline-block" in link


def test_email_link_text_contrasts_with_light_brand():
    snippets = build_snippets(poster_link(), BASE_URL, "#ffd54f")

    assert "background-color:#ffd54f" in snippets.email_link
    assert "color:#111111" in snippets.email_link


def test_snippets_escape_title():
    link = poster_link(title='Poster "A" <b>&</b>')

    snippets = build_snippets(link, BASE_URL, "#2f6f4f")

    assert "Buy Poster &#34;A&#34; &lt;b&gt;&amp;&lt;/b&gt;</a>" in snippets.inline
    assert "<b>" not in snippets.inline


def test_snippets_reject_bad_colour():
    with pytest.raises(ValueError, match="not in the form #rrggbb"):
        build_snippets(poster_link(), BASE_URL, 'red" onclick="x')


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#000000", "#ffffff"),
        ("#ffffff", "#111111"),
        ("#2f6f4f", "#ffffff"),
        ("#0a5fff", "#ffffff"),
        ("#ffd54f", "#111111"),
        ("#77ff77", "#111111"),
    ],
)
def test_text_colour_on_background(background, text):
    assert text_color_on(background) == text


def test_snippet_script_is_served(client):
    snippets = build_snippets(poster_link(), "http://localhost", "#2f6f4f")
    script_url = re.search(r'<script src="([^"]+)"', snippets.button).group(1)

    with client.get(script_url) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.data == EMBED_JS.read_bytes()
