"""Staff invoice pages: the draft form, the detail page and its actions."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.database import now_utc
from portal.models import (
    AuditEvent,
    Contact,
    Invoice,
    InvoiceReminder,
    InvoiceStatus,
    StaffRole,
)
from tests.factories import make_business, make_tax_rate
from tests.fixtures.staff import csrf_token
from tests.invoices.conftest import LAST_WEEK, open_invoice

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
TODAY = now_utc().date()


@pytest.fixture
def business(db):
    business = make_business(db, accepted_currencies=["USD"])
    db.commit()
    return business


@pytest.fixture
def contact(db, business):
    contact = Contact(email="aino@example.com", name="Aino Virtanen")
    db.add(contact)
    db.commit()
    return contact


def new_form(client) -> dict[str, str]:
    html = client.get("/merchant/invoices/new").get_data(as_text=True)
    return {
        "csrf_token": csrf_token(client, "/merchant/invoices/new"),
        "idempotency_key": KEY.search(html).group(1),
        "contact_email": "aino@example.com",
        "currency": "EUR",
        "issue_date": TODAY.isoformat(),
        "net_terms": "net_30",
        "locale": "en",
        "lines-0-description": "Consulting day",
        "lines-0-quantity": "2",
        "lines-0-unit_amount": "500.00",
        "action": "save",
    }


def invoices(db) -> list[Invoice]:
    db.expire_all()
    return list(db.scalars(select(Invoice).order_by(Invoice.id)))


def detail_path(invoice: Invoice) -> str:
    return f"/merchant/invoices/{invoice.id}"


def post_action(client, invoice: Invoice, action: str, **fields):
    token = csrf_token(client, detail_path(invoice))
    return client.post(
        f"{detail_path(invoice)}/{action}", data={"csrf_token": token, **fields}
    )


def test_create_draft_from_form(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["lines-0-discount"] = "10%"

    response = client.post("/merchant/invoices/new", data=form)

    [invoice] = invoices(db)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(detail_path(invoice))
    assert invoice.status is InvoiceStatus.DRAFT
    assert invoice.contact_id == contact.id
    assert invoice.total == 90000
    assert invoice.due_date == TODAY + timedelta(days=30)


def test_double_submit_creates_one_draft(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)

    first = client.post("/merchant/invoices/new", data=form)
    second = client.post("/merchant/invoices/new", data=form)

    assert len(invoices(db)) == 1
    assert first.headers["Location"] == second.headers["Location"]


def test_new_contact_added_inline(client, db, signed_in, business):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form.update(contact_email="Lumi@Example.com", contact_name="Lumi Korhonen")

    client.post("/merchant/invoices/new", data=form)

    [invoice] = invoices(db)
    assert invoice.contact.email == "lumi@example.com"
    assert invoice.contact.name == "Lumi Korhonen"


def test_unknown_email_without_name_asks_for_name(client, db, signed_in, business):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["contact_email"] = "nobody@example.com"

    response = client.post("/merchant/invoices/new", data=form)

    assert response.status_code == 422
    assert "Enter their name to add them" in response.get_data(as_text=True)
    assert invoices(db) == []


def test_unknown_contact_id_is_404(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["contact_id"] = str(contact.id + 50)

    response = client.post("/merchant/invoices/new", data=form)

    assert response.status_code == 404
    assert f"Contact {contact.id + 50} was not found" in response.get_data(as_text=True)
    assert invoices(db) == []


def test_unaccepted_currency_rejected(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["currency"] = "SEK"

    response = client.post("/merchant/invoices/new", data=form)

    assert response.status_code == 422
    assert "SEK is not a currency this business accepts" in response.get_data(
        as_text=True
    )
    assert invoices(db) == []


@pytest.mark.parametrize("amount", ["0", "-5.00", "0.00"])
def test_zero_or_negative_amount_rejected(client, db, signed_in, contact, amount):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["lines-0-unit_amount"] = amount

    response = client.post("/merchant/invoices/new", data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a unit amount above zero." in html
    assert 'id="lines-0-unit_amount-error"' in html
    assert invoices(db) == []


def test_due_date_before_issue_date_rejected(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form.update(net_terms="custom", due_date=(TODAY - timedelta(days=1)).isoformat())

    response = client.post("/merchant/invoices/new", data=form)

    assert response.status_code == 422
    assert "is before the issue date" in response.get_data(as_text=True)
    assert invoices(db) == []


def test_add_line_without_javascript(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["action"] = "add_line"

    response = client.post("/merchant/invoices/new", data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="lines-1-description"' in html
    assert 'value="Consulting day"' in html
    assert invoices(db) == []


def test_add_line_with_htmx_returns_rows(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["action"] = "add_line"

    response = client.post(
        "/merchant/invoices/new",
        data=form,
        headers={"HX-Request": "true", "X-CSRFToken": form["csrf_token"]},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("{#") is False
    assert 'id="invoice-rows"' in html
    assert "<html" not in html
    assert 'name="lines-1-description"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_remove_line_keeps_others(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form.update(
        {
            "lines-3-description": "Materials",
            "lines-3-unit_amount": "25.00",
            "action": "remove_line:0",
        }
    )

    html = client.post("/merchant/invoices/new", data=form).get_data(as_text=True)

    assert 'name="lines-0-description"' not in html
    assert 'value="Materials"' in html


def test_rows_with_gaps_are_saved_in_order(client, db, signed_in, contact, business):
    signed_in(StaffRole.SALES)
    vat = make_tax_rate(db, "VAT", "24")
    db.commit()
    form = new_form(client)
    form.update(
        {
            "lines-5-description": "Materials",
            "lines-5-unit_amount": "25.00",
            "lines-5-quantity": "4",
            "lines-5-tax_rate_id": str(vat.id),
            "fees-2-description": "Travel",
            "fees-2-amount": "40.00",
        }
    )

    client.post("/merchant/invoices/new", data=form)

    [invoice] = invoices(db)
    assert [line.description for line in invoice.order.lines] == [
        "Consulting day",
        "Materials",
        "Travel",
    ]
    assert invoice.total == 100000 + 10000 + 2400 + 4000


def test_edit_draft_form_round_trip(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["lines-0-discount"] = "12.5%"
    client.post("/merchant/invoices/new", data=form)
    [invoice] = invoices(db)

    page = client.get(f"{detail_path(invoice)}/edit").get_data(as_text=True)

    assert 'value="Consulting day"' in page
    assert 'value="12.5%"' in page
    assert 'value="500.00"' in page


def test_sales_can_send_draft(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    client.post("/merchant/invoices/new", data=new_form(client))
    [invoice] = invoices(db)

    response = post_action(client, invoice, "send")

    assert response.status_code == 303
    [invoice] = invoices(db)
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.number == "INV-000001"


def test_viewer_cannot_send(client, db, signed_in, contact):
    invoice = _draft_via_domain(db, contact)
    signed_in(StaffRole.VIEWER)

    response = post_action(client, invoice, "send")

    assert response.status_code == 403
    assert invoices(db)[0].status is InvoiceStatus.DRAFT


def test_viewer_reads_detail(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    signed_in(StaffRole.VIEWER)

    html = client.get(detail_path(invoice)).get_data(as_text=True)

    assert "INV-000001" in html
    assert 'id="mark-paid"' not in html
    assert 'id="void-invoice"' not in html
    assert f"/invoices/{invoice.token}" in html


def test_sales_cannot_mark_paid(client, db, signed_in, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    signed_in(StaffRole.SALES)

    response = post_action(
        client,
        invoice,
        "mark-paid",
        amount="1000.00",
        currency="EUR",
        paid_on=TODAY.isoformat(),
        method="cash",
    )

    assert response.status_code == 403
    assert invoices(db)[0].status is InvoiceStatus.OPEN


def test_admin_marks_paid_with_audit(client, db, signed_in, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    admin = signed_in(StaffRole.ADMIN)
    fields = {
        "amount": "1000.00",
        "currency": "EUR",
        "paid_on": TODAY.isoformat(),
        "method": "bank_transfer",
        "reference": "RF18 5390",
    }

    first = post_action(client, invoice, "mark-paid", **fields)
    second = post_action(client, invoice, "mark-paid", **fields)

    assert first.status_code == 303
    assert second.status_code == 303
    [invoice] = invoices(db)
    assert invoice.status is InvoiceStatus.PAID
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "invoice.paid_manually")
    ).all()
    assert len(rows) == 1
    assert rows[0].actor == f"staff:{admin.id}"
    assert rows[0].client_address == "127.0.0.1"


def test_payment_in_other_currency_refused(client, db, signed_in, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    signed_in(StaffRole.ADMIN)

    response = post_action(
        client,
        invoice,
        "mark-paid",
        amount="1000.00",
        currency="USD",
        paid_on=TODAY.isoformat(),
        method="bank_transfer",
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The payment is in USD, but invoice INV-000001 is in EUR." in html
    [invoice] = invoices(db)
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.manual_payment is None


def test_future_payment_date_refused(client, db, signed_in, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    signed_in(StaffRole.ADMIN)

    response = post_action(
        client,
        invoice,
        "mark-paid",
        amount="1000.00",
        currency="EUR",
        paid_on=(TODAY + timedelta(days=3)).isoformat(),
        method="cash",
    )

    assert response.status_code == 422
    assert "is in the future" in response.get_data(as_text=True)


def test_admin_voids_once(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    admin = signed_in(StaffRole.ADMIN)

    first = post_action(client, invoice, "void")
    second = post_action(client, invoice, "void")

    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"]
    assert invoices(db)[0].status is InvoiceStatus.VOID
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "invoice.voided")
    ).all()
    assert [row.actor for row in rows] == [f"staff:{admin.id}"]


def test_closing_buttons_ask_first(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    signed_in(StaffRole.ADMIN)

    page = client.get(f"/merchant/invoices/{invoice.id}").get_data(as_text=True)

    assert 'id="void-invoice" data-confirm="Void this invoice?' in page
    assert 'id="mark-uncollectible" data-confirm="Mark this invoice' in page


def test_void_of_paid_invoice_is_409(client, db, signed_in, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    signed_in(StaffRole.ADMIN)
    post_action(
        client,
        invoice,
        "mark-paid",
        amount="1000.00",
        currency="EUR",
        paid_on=TODAY.isoformat(),
        method="cash",
    )

    response = post_action(client, invoice, "void")

    assert response.status_code == 409
    assert "cannot be voided" in response.get_data(as_text=True)
    assert invoices(db)[0].status is InvoiceStatus.PAID


def test_mark_uncollectible(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    signed_in(StaffRole.OWNER)

    response = post_action(client, invoice, "uncollectible")

    assert response.status_code == 303
    assert invoices(db)[0].status is InvoiceStatus.UNCOLLECTIBLE


def test_schedule_reminders(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    signed_in(StaffRole.SALES)
    token = csrf_token(client, detail_path(invoice))

    response = client.post(
        f"{detail_path(invoice)}/reminders",
        data={"csrf_token": token, "offset": ["-3", "0", "7", ""]},
    )

    assert response.status_code == 303
    offsets = db.scalars(
        select(InvoiceReminder.offset_days).order_by(InvoiceReminder.offset_days)
    ).all()
    assert offsets == [-3, 0, 7]


def test_reminder_out_of_range_rejected(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    signed_in(StaffRole.SALES)
    token = csrf_token(client, detail_path(invoice))

    response = client.post(
        f"{detail_path(invoice)}/reminders",
        data={"csrf_token": token, "offset": ["500"]},
    )

    assert response.status_code == 422
    assert db.scalar(select(func.count(InvoiceReminder.id))) == 0


def test_action_without_csrf_token_rejected(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    signed_in(StaffRole.OWNER)

    response = client.post(f"{detail_path(invoice)}/void")

    assert response.status_code == 400
    assert invoices(db)[0].status is InvoiceStatus.OPEN


def test_pdf_preview_of_draft(client, db, signed_in, contact):
    invoice = _draft_via_domain(db, contact)
    signed_in(StaffRole.VIEWER)

    response = client.get(f"{detail_path(invoice)}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"


def test_unknown_invoice_is_404(client, db, signed_in, business):
    signed_in(StaffRole.VIEWER)

    assert client.get("/merchant/invoices/999999").status_code == 404


def _draft_via_domain(db, contact) -> Invoice:
    from tests.invoices.conftest import new_draft

    return new_draft(db, contact)


VERSION = re.compile(r'name="version" value="([^"]+)"')


def edit_form(client, invoice: Invoice, **changes) -> dict[str, str]:
    """Open the draft's edit page, as a browser tab does, and fill its form."""
    path = f"{detail_path(invoice)}/edit"
    html = client.get(path).get_data(as_text=True)
    form = new_form(client)
    del form["idempotency_key"]
    form.update(
        csrf_token=csrf_token(client, path),
        version=VERSION.search(html).group(1),
        **changes,
    )
    return form


def test_failed_save_adds_no_contact(client, db, signed_in, business):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form.update(
        contact_email="ui-probe3@example.com",
        contact_name="Ulla Probe",
        **{"lines-0-unit_amount": "abc"},
    )

    failed = client.post("/merchant/invoices/new", data=form)

    assert failed.status_code == 422
    db.expire_all()
    assert db.scalars(select(Contact)).all() == []

    form["lines-0-unit_amount"] = "12.50"
    saved = client.post("/merchant/invoices/new", data=form)

    assert saved.status_code == 303
    [invoice] = invoices(db)
    assert invoice.contact.name == "Ulla Probe"
    assert invoice.order.billing.name == "Ulla Probe"


def test_name_fills_nameless_contact(client, db, signed_in, business):
    db.add(Contact(email="ui-probe3@example.com"))
    db.commit()
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form.update(contact_email="ui-probe3@example.com", contact_name="Ulla Probe")

    client.post("/merchant/invoices/new", data=form)

    [invoice] = invoices(db)
    assert invoice.contact.name == "Ulla Probe"


@pytest.mark.parametrize("net_terms", ["due_on_receipt", "net_30", "net_90", "custom"])
def test_issue_date_9999_is_422(client, db, signed_in, contact, net_terms):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form.update(issue_date="9999-12-31", net_terms=net_terms, due_date="9999-12-31")

    response = client.post("/merchant/invoices/new", data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The issue date 9999-12-31 is out of range." in html
    assert 'id="issue_date-error"' in html
    assert invoices(db) == []


@pytest.mark.parametrize("issue_date", ["0001-01-01", "1900-01-01"])
def test_issue_date_before_2000_is_422(client, db, signed_in, contact, issue_date):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["issue_date"] = issue_date

    response = client.post("/merchant/invoices/new", data=form)

    assert response.status_code == 422
    assert "Enter a date from 2000-01-01" in response.get_data(as_text=True)
    assert invoices(db) == []


@pytest.mark.parametrize("quantity", ["0", "-1", "00"])
def test_quantity_below_one_rejected(client, db, signed_in, contact, quantity):
    signed_in(StaffRole.SALES)
    form = new_form(client)
    form["lines-0-quantity"] = quantity

    response = client.post("/merchant/invoices/new", data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a whole number of at least 1." in html
    assert 'id="lines-0-quantity-error"' in html
    assert invoices(db) == []


def test_second_tab_save_is_409(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    client.post("/merchant/invoices/new", data=new_form(client))
    [invoice] = invoices(db)
    tab_a = edit_form(client, invoice, memo="Memo from tab A")
    tab_b = edit_form(client, invoice, footer="Footer from tab B")

    first = client.post(f"{detail_path(invoice)}/edit", data=tab_a)
    second = client.post(f"{detail_path(invoice)}/edit", data=tab_b)

    assert first.status_code == 303
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "saved by someone else, or in another tab" in html
    assert "Reload the page" in html
    assert "Footer from tab B" in html
    [invoice] = invoices(db)
    assert invoice.memo == "Memo from tab A"
    assert invoice.footer is None


def test_save_after_reload_succeeds(client, db, signed_in, contact):
    signed_in(StaffRole.SALES)
    client.post("/merchant/invoices/new", data=new_form(client))
    [invoice] = invoices(db)
    client.post(
        f"{detail_path(invoice)}/edit", data=edit_form(client, invoice, memo="A")
    )

    response = client.post(
        f"{detail_path(invoice)}/edit", data=edit_form(client, invoice, footer="B")
    )

    assert response.status_code == 303
    [invoice] = invoices(db)
    assert invoice.footer == "B"


def test_draft_shows_total_as_amount_due(client, db, signed_in, contact):
    invoice = _draft_via_domain(db, contact)
    signed_in(StaffRole.VIEWER)

    html = client.get(detail_path(invoice)).get_data(as_text=True)

    assert re.search(r'id="amount-due">\s*€1,000\.00', html)


def test_mark_paid_offers_only_invoice_currency(client, db, signed_in, contact):
    invoice = open_invoice(db, contact)
    signed_in(StaffRole.ADMIN)

    html = client.get(detail_path(invoice)).get_data(as_text=True)

    select_html = re.search(r'<select id="currency".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>(\w+)</option>", select_html) == ["EUR"]


def test_payment_before_issue_date_refused(client, db, signed_in, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    signed_in(StaffRole.ADMIN)

    response = post_action(
        client,
        invoice,
        "mark-paid",
        amount="1000.00",
        currency="EUR",
        paid_on="0001-01-01",
        method="cash",
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The payment date 0001-01-01 is before the issue date" in html
    assert invoices(db)[0].status is InvoiceStatus.OPEN
