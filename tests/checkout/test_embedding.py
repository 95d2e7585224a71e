"""The checkout flow opened through an embed: framing, embed context, cookies."""

import re
from html import unescape as html_unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from portal.models import PaymentStatus
from tests.checkout.conftest import checkout_token, kit_form, payments, text_of

ALLOWED = ["http://127.0.0.1:*", "http://localhost:*"]
PARENT = "http://localhost:8123"
EMBED = f"embed={quote(PARENT, safe='')}"
HTMX = {"HX-Request": "true"}
BANK = {
    "method": "bank_debit",
    "routing_number": "110000000",
    "account_number": "000123456789",
    "account_holder": "Aino Virtanen",
}


@pytest.fixture
def embeddable_link(db, kit_link):
    kit_link.allowed_origins = ALLOWED
    db.commit()
    return kit_link


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1)


def parent_origin_attribute(html: str) -> str | None:
    match = re.search(r'checkout-embed\.js" data-parent-origin="([^"]*)"', html)
    return match.group(1) if match else None


def embed_values(url: str) -> list[str]:
    return parse_qs(urlsplit(html_unescape(url)).query).get("embed", [])


def form_action(html: str) -> str:
    return re.search(r'<form [^>]*action="([^"]+)"', html).group(1)


def assert_embedded(response) -> None:
    assert frame_ancestors(response) == "http://127.0.0.1:* http://localhost:*"
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers


def open_embedded(client, query: str = EMBED):
    response = client.get(f"/pay/workshop-kit?{query}")
    html = response.get_data(as_text=True)
    return response, html


def pay_embedded(client, **overrides):
    _response, html = open_embedded(client)
    return client.post(
        f"/pay/workshop-kit?{EMBED}",
        data=kit_form(html, checkout_token(html), **overrides),
    )


def test_plain_checkout_cannot_be_framed(client, embeddable_link):
    response = client.get("/pay/workshop-kit")

    html = response.get_data(as_text=True)
    assert frame_ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert parent_origin_attribute(html) is None
    assert 'action="/pay/workshop-kit"' in html


def test_embedded_checkout_lists_allowed_origins(client, embeddable_link):
    response, html = open_embedded(client)

    assert response.status_code == 200
    assert_embedded(response)
    assert parent_origin_attribute(html) == PARENT


def test_embedded_form_and_updates_keep_embed(client, embeddable_link):
    _response, html = open_embedded(client)

    update_urls = re.findall(r'hx-post="([^"]+)"', html)
    assert embed_values(form_action(html)) == [PARENT]
    assert update_urls
    for url in update_urls:
        assert embed_values(url) == [PARENT]


def test_htmx_summary_update_stays_embedded(client, embeddable_link):
    _response, html = open_embedded(client)
    form = kit_form(html, checkout_token(html), action="update")

    response = client.post(f"/pay/workshop-kit?{EMBED}", data=form, headers=HTMX)

    assert response.status_code == 200
    assert 'id="order-summary"' in response.get_data(as_text=True)
    assert_embedded(response)


def test_link_without_origins_stays_unframeable(client, kit_link):
    response, html = open_embedded(client)

    assert frame_ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert parent_origin_attribute(html) == ""


@pytest.mark.parametrize(
    "parent",
    ["https://evil.example", "http://localhost:*", "null", "not an origin", ""],
)
def test_parent_not_allowed_gets_no_messages(client, embeddable_link, parent):
    response, html = open_embedded(client, f"embed={quote(parent, safe='')}")

    assert response.status_code == 200
    assert_embedded(response)
    assert parent_origin_attribute(html) == ""


def test_card_payment_flow_stays_embedded(client, db, embeddable_link):
    submitted = pay_embedded(client)

    assert submitted.status_code == 303
    assert_embedded(submitted)
    receipt_url = submitted.headers["Location"]
    assert embed_values(receipt_url) == [PARENT]

    receipt = client.get(receipt_url)
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert_embedded(receipt)
    assert parent_origin_attribute(html) == PARENT
    token = payments(db)[0].token
    result = re.search(r'<div id="embed-result" hidden ([^>]*)>', html).group(1)
    assert f'data-receipt-url="http://localhost/receipts/{token}"' in result
    assert 'data-status="succeeded"' in result
    assert "data-redirect-url" not in result


def test_authentication_step_stays_embedded(client, db, embeddable_link):
    submitted = pay_embedded(client, card_number="4000 0025 0000 3155")
    authenticate_url = submitted.headers["Location"]
    assert "/pay/authenticate/" in authenticate_url
    assert embed_values(authenticate_url) == [PARENT]

    page = client.get(authenticate_url)
    html = page.get_data(as_text=True)
    assert_embedded(page)
    action = html_unescape(form_action(html))
    assert embed_values(action) == [PARENT]

    approved = client.post(
        action,
        data={"token": checkout_token(html), "decision": "approve"},
    )

    assert approved.status_code == 303
    assert_embedded(approved)
    assert embed_values(approved.headers["Location"]) == [PARENT]
    receipt = client.get(approved.headers["Location"])
    assert_embedded(receipt)
    assert 'id="embed-result"' in receipt.get_data(as_text=True)
    assert payments(db)[0].status is PaymentStatus.SUCCEEDED


def test_failed_authentication_stays_embedded(client, db, embeddable_link):
    submitted = pay_embedded(client, card_number="4000 0025 0000 3155")
    html = client.get(submitted.headers["Location"]).get_data(as_text=True)

    failed = client.post(
        submitted.headers["Location"],
        data={"token": checkout_token(html), "decision": "fail"},
    )

    page = failed.get_data(as_text=True)
    assert failed.status_code == 402
    assert_embedded(failed)
    assert parent_origin_attribute(page) == PARENT
    assert embed_values(form_action(page)) == [PARENT]


def test_bank_debit_processing_page_stays_embedded(client, db, embeddable_link):
    submitted = pay_embedded(client, **BANK)

    receipt = client.get(submitted.headers["Location"])

    html = receipt.get_data(as_text=True)
    assert_embedded(receipt)
    assert text_of(html, "payment-state") == "Processing"
    assert 'data-status="processing"' in html
    assert payments(db)[0].status is PaymentStatus.PROCESSING


def test_declined_card_stays_embedded(client, db, embeddable_link):
    declined = pay_embedded(client, card_number="4000 0000 0000 0002")

    assert declined.status_code == 402
    assert_embedded(declined)
    assert parent_origin_attribute(declined.get_data(as_text=True)) == PARENT


def test_expired_form_stays_embedded(client, embeddable_link):
    _response, html = open_embedded(client)
    form = kit_form(html, "forged-token")

    response = client.post(f"/pay/workshop-kit?{EMBED}", data=form)

    assert response.status_code == 400
    assert_embedded(response)


def test_rate_limited_attempt_stays_embedded(app, client, embeddable_link):
    app.config["KASSA_PAY_LIMIT_PER_ADDRESS"] = "1 per minute"
    pay_embedded(client, card_number="4000 0000 0000 0002")

    limited = pay_embedded(client)

    assert limited.status_code == 429
    assert_embedded(limited)


def test_after_payment_url_waits_for_host_page(client, db, embeddable_link):
    embeddable_link.after_payment_url = "https://nordlys.example/thanks"
    db.commit()

    submitted = pay_embedded(client)

    assert "/receipts/" in submitted.headers["Location"]
    html = client.get(submitted.headers["Location"]).get_data(as_text=True)
    assert 'data-redirect-url="https://nordlys.example/thanks"' in html
    link = re.search(r'<a [^>]*id="after-payment-link"[^>]*>', html).group(0)
    assert 'href="https://nordlys.example/thanks"' in link
    assert 'target="_top"' in link


def test_plain_checkout_redirects_after_payment(client, db, kit_link):
    kit_link.after_payment_url = "https://nordlys.example/thanks"
    db.commit()
    html = client.get("/pay/workshop-kit").get_data(as_text=True)

    submitted = client.post(
        "/pay/workshop-kit", data=kit_form(html, checkout_token(html))
    )

    assert submitted.headers["Location"] == "https://nordlys.example/thanks"


def test_receipt_downloads_open_new_tab(client, db, embeddable_link):
    submitted = pay_embedded(client)

    html = client.get(submitted.headers["Location"]).get_data(as_text=True)

    for link_id in ("download-receipt", "download-invoice"):
        link = re.search(rf'<a [^>]*id="{link_id}"[^>]*>', html).group(0)
        assert 'target="_blank"' in link
        assert "embed=" not in link


def test_pdfs_are_never_framed(client, db, embeddable_link):
    pay_embedded(client)
    token = payments(db)[0].token

    pdf = client.get(f"/receipts/{token}/receipt.pdf?{EMBED}")

    assert pdf.status_code == 200
    assert frame_ancestors(pdf) == "'none'"
    assert pdf.headers["X-Frame-Options"] == "DENY"


def test_unknown_link_is_not_framed(client, embeddable_link):
    response = client.get(f"/pay/no-such-link?{EMBED}")

    assert response.status_code == 404
    assert frame_ancestors(response) == "'none'"


def test_unavailable_link_page_is_framed(client, db, embeddable_link):
    embeddable_link.active = False
    db.commit()

    response, html = open_embedded(client)

    assert response.status_code == 410
    assert_embedded(response)
    assert 'id="unavailable-message"' in html


def test_embedded_flow_sets_no_cookie(client, db, embeddable_link):
    """Browsers that block third-party cookies run the whole flow in the frame."""
    responses = [open_embedded(client)[0]]
    html = responses[0].get_data(as_text=True)
    form = kit_form(html, checkout_token(html), card_number="4000 0025 0000 3155")
    responses.append(
        client.post(
            f"/pay/workshop-kit?{EMBED}",
            data={**form, "action": "update"},
            headers=HTMX,
        )
    )
    responses.append(client.post(f"/pay/workshop-kit?{EMBED}", data=form))
    authenticate_url = responses[-1].headers["Location"]
    responses.append(client.get(authenticate_url))
    page = responses[-1].get_data(as_text=True)
    responses.append(
        client.post(
            authenticate_url,
            data={"token": checkout_token(page), "decision": "approve"},
        )
    )
    responses.append(client.get(responses[-1].headers["Location"]))

    assert [response.status_code for response in responses] == [
        200,
        200,
        303,
        200,
        303,
        200,
    ]
    for response in responses:
        assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None
