import subprocess

from tests.checkout.conftest import kit_form, open_checkout


def paid_receipt_url(client) -> str:
    html, token = open_checkout(client, "workshop-kit")
    response = client.post("/pay/workshop-kit", data=kit_form(html, token))
    assert response.status_code == 303
    return response.headers["Location"]


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode().replace("\xa0", " ")


def test_changed_token_is_not_found(client, kit_link):
    url = paid_receipt_url(client)

    changed = url[:-1] + ("A" if url[-1] != "A" else "B")

    assert client.get(changed).status_code == 404
    assert client.get(changed + "/receipt.pdf").status_code == 404
    assert client.get(changed + "/invoice.pdf").status_code == 404


def test_receipt_pdf_has_number_lines_and_total(client, kit_link):
    url = paid_receipt_url(client)

    response = client.get(url + "/receipt.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "RCT-000001" in text
    assert "Workshop kit" in text
    assert "Shipping" in text
    assert "€281.91" in text
    assert "4242" in text


def test_invoice_pdf_has_number_and_paid_total(client, kit_link):
    url = paid_receipt_url(client)

    response = client.get(url + "/invoice.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "INV-000001" in text
    assert "Aino Virtanen" in text
    assert "€281.91" in text
    assert "PAID" in text.upper()


def test_declined_payment_shows_failure_and_has_no_receipt(client, db, kit_link):
    from tests.checkout.conftest import payments

    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, card_number="4000000000000002")
    client.post("/pay/workshop-kit", data=form)
    [payment] = payments(db)

    page = client.get(f"/receipts/{payment.token}").get_data(as_text=True)
    assert "Payment failed" in page
    assert "Your card was declined." in page
    assert "receipt.pdf" not in page
    assert client.get(f"/receipts/{payment.token}/receipt.pdf").status_code == 404
    assert client.get(f"/receipts/{payment.token}/invoice.pdf").status_code == 404
