"""The demo seed: its rows, its idempotence and the URLs it prints."""

import html
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.contact_lists.store import visible_lists
from portal.database import Base, now_utc
from portal.demo import (
    DEMO_OWNER_EMAIL,
    DEMO_OWNER_PASSWORD,
    DEMO_VIEWER_EMAIL,
    DEMO_VIEWER_PASSWORD,
    back_office_text,
    link_urls,
    seed_demo,
)
from portal.invoices.status import display_status, local_today
from portal.listing.invoices import INVOICES
from portal.listing.saved_views import visible_views
from portal.models import (
    AuditEvent,
    Business,
    Collect,
    ContactList,
    CustomFieldKind,
    Discount,
    DocumentSequence,
    IndexName,
    Invoice,
    InvoiceStatus,
    ManualPaymentMethod,
    Payment,
    PaymentLink,
    PaymentMethodKind,
    PaymentStatus,
    Refund,
    RefundStatus,
    SavedView,
    Staff,
    StaffRole,
)
from portal.staff.passwords import verify_password
from tests.fixtures.staff import csrf_token

DEMO_SLUGS = ["poster", "workshop-kit", "tokyo-print", "embed-demo"]
# Every seeded link: the ones above, then a monthly and a yearly subscription.
LINK_SLUGS = [*DEMO_SLUGS, "studio-membership", "print-club"]


def row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def link(session, slug: str) -> PaymentLink:
    return session.scalars(select(PaymentLink).where(PaymentLink.slug == slug)).one()


def test_seed_twice_adds_nothing_twice(db):
    seed_demo(db)
    db.commit()
    counts = row_counts(db)

    links = seed_demo(db)
    db.commit()

    assert row_counts(db) == counts
    assert counts["businesses"] == 1
    assert counts["payment_links"] == 6
    assert counts["discounts"] == 1
    assert counts["document_sequences"] == 4
    assert [link.slug for link in links] == LINK_SLUGS


def test_seed_links_have_their_currencies(db):
    links = seed_demo(db)
    db.commit()

    assert {link.slug: link.currency for link in links} == {
        "poster": "EUR",
        "workshop-kit": "EUR",
        "tokyo-print": "JPY",
        "embed-demo": "EUR",
        "studio-membership": "EUR",
        "print-club": "EUR",
    }
    for seeded in links:
        assert {item.price.currency for item in seeded.items} == {seeded.currency}


def test_seed_business(db):
    seed_demo(db)
    db.commit()

    business = db.scalars(select(Business)).one()
    assert business.name == "Nordlys Studio"
    assert business.currency == "EUR"
    assert business.timezone == "Europe/Helsinki"
    assert business.logo_url == "img/demo-logo.svg"
    assert business.tax_id == "FI12345671"
    assert business.accepted_currencies == ["JPY"]
    sequences = {row.name: row.prefix for row in db.scalars(select(DocumentSequence))}
    assert sequences == {
        "invoice": "INV-",
        "quote": "Q-",
        "receipt": "RCT-",
        "refund": "RFD-",
    }


def test_seed_keeps_existing_business(db):
    db.add(Business(name="Existing shop", email="shop@example.com", currency="EUR"))
    db.commit()

    seed_demo(db)
    db.commit()

    assert [row.name for row in db.scalars(select(Business))] == ["Existing shop"]


def test_seed_workshop_kit(db):
    seed_demo(db)
    db.commit()

    kit = link(db, "workshop-kit")
    assert len(kit.items) == 3
    assert all(item.adjustable_quantity for item in kit.items)
    assert {item.max_quantity for item in kit.items} == {10}
    assert {item.tax_rate.percent for item in kit.items} == {Decimal("25.5")}
    assert not any(item.tax_rate.inclusive for item in kit.items)
    assert kit.allow_discount_codes
    assert kit.collect_name is Collect.REQUIRED
    assert kit.collect_address is Collect.OPTIONAL
    assert kit.collect_phone is Collect.OPTIONAL

    [shipping] = kit.fees
    assert shipping.name == "Shipping"
    assert shipping.flat_amount == 595
    assert shipping.currency == "EUR"
    assert shipping.tax_rate.name == "VAT"

    size, company = kit.custom_fields
    assert size.label == "T-shirt size"
    assert size.kind is CustomFieldKind.DROPDOWN
    assert size.options == ["S", "M", "L"]
    assert size.required
    assert company.label == "Company"
    assert company.kind is CustomFieldKind.TEXT
    assert not company.required


def test_seed_welcome_discount(db):
    seed_demo(db)
    db.commit()

    discount = db.scalars(select(Discount).where(Discount.code == "WELCOME10")).one()
    assert discount.percent == Decimal(10)
    assert discount.amount_off is None
    assert discount.expires_at is None
    assert discount.max_redemptions == 100
    assert discount.active


def test_seed_poster_and_tokyo_print(db):
    seed_demo(db)
    db.commit()

    [poster_item] = link(db, "poster").items
    [print_item] = link(db, "tokyo-print").items
    assert poster_item.price.unit_amount == 3900
    assert poster_item.tax_rate.name == "VAT"
    assert print_item.price.unit_amount == 8000
    assert print_item.price.currency == "JPY"
    assert print_item.tax_rate is None


def test_seed_command_prints_link_urls(app, db, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    url_lines = [line.strip() for line in result.output.splitlines()]
    url_lines = [line for line in url_lines if line.startswith("http")]
    assert url_lines == [
        *(f"http://127.0.0.1:8123/pay/{slug}" for slug in LINK_SLUGS),
        "http://127.0.0.1:8123/merchant/",
        "http://127.0.0.1:8123/account/sign-in",
    ]
    assert db.scalar(select(func.count()).select_from(PaymentLink)) == 6


def test_seed_command_explains_demo_links(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert "Aurora poster: one item with VAT" in result.output
    assert "Linocut workshop kit: adjustable quantities" in result.output
    assert "discount code WELCOME10" in result.output
    assert "Tokyo night print: priced in yen (JPY)" in result.output
    assert "?lang=fi" in result.output
    assert "4242 4242 4242 4242" in result.output


def test_seed_command_names_outbox(app, db):
    outbox = app.config["KASSA_OUTBOX"]
    app.config["KASSA_SMTP_URL"] = ""

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert f"Emails are written as .eml files to {outbox}." in result.output


def test_seed_command_names_smtp(app, db):
    app.config["KASSA_SMTP_URL"] = "smtp://127.0.0.1:2525"

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert "Emails are sent through the SMTP server" in result.output
    assert "smtp://127.0.0.1:2525" not in result.output


def test_urls_command_uses_base_url(app, db):
    seed_demo(db)
    db.commit()

    result = app.test_cli_runner().invoke(
        args=["demo", "urls", "--base-url", "https://shop.example/"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"https://shop.example/pay/{slug}" for slug in LINK_SLUGS
    ]


def test_link_urls_joins_base_and_slug(db):
    links = seed_demo(db)

    assert link_urls(links[:1], "http://127.0.0.1:5000/") == [
        "http://127.0.0.1:5000/pay/poster"
    ]


def test_seed_adds_owner_and_viewer_once(db):
    seed_demo(db)
    seed_demo(db)
    db.commit()

    owner, viewer = db.scalars(select(Staff).order_by(Staff.id)).all()
    assert owner.email == DEMO_OWNER_EMAIL
    assert owner.role is StaffRole.OWNER
    assert verify_password(owner.password_hash, DEMO_OWNER_PASSWORD)
    assert viewer.email == DEMO_VIEWER_EMAIL
    assert viewer.role is StaffRole.VIEWER
    assert verify_password(viewer.password_hash, DEMO_VIEWER_PASSWORD)


def test_back_office_text_names_url_and_login():
    text = back_office_text("http://127.0.0.1:5123/")

    assert "http://127.0.0.1:5123/merchant/" in text
    assert DEMO_OWNER_EMAIL in text
    assert DEMO_OWNER_PASSWORD in text
    assert f"read only, as {DEMO_VIEWER_EMAIL}" in text
    assert DEMO_VIEWER_PASSWORD in text
    assert '"Unpaid invoices"' in text
    assert '"Paid in the last 30 days"' in text
    assert "http://127.0.0.1:5123/account/sign-in" in text


def test_seed_embed_link_allows_local_origins(db):
    seed_demo(db)
    db.commit()

    embed = link(db, "embed-demo")
    assert embed.allowed_origins == ["http://127.0.0.1:*", "http://localhost:*"]
    assert embed.active
    assert [item.price.unit_amount for item in embed.items] == [1200]


def test_seed_command_prints_button_snippet(app, db, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert (
        '  <script src="http://127.0.0.1:8123/static/js/embed.js" async></script>\n'
        '  <a href="http://127.0.0.1:8123/pay/embed-demo" '
        'data-kassa-button="embed-demo" target="_blank" rel="noopener">Buy now</a>\n'
    ) in result.output
    assert "open http://localhost:8000/embed.html" in result.output


@pytest.fixture
def seeded(app, db):
    """Run ``flask demo seed`` once; return its output."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def sign_in_as(client, email: str, password: str) -> None:
    response = client.post(
        "/merchant/login",
        data={"csrf_token": csrf_token(client), "email": email, "password": password},
    )
    assert response.status_code == 302, f"sign-in as {email} failed"


def staff_invoices(db) -> dict[str, Invoice]:
    """Return the demo's staff invoices by the contact's email address."""
    invoices = db.scalars(
        select(Invoice).where(Invoice.link_id.is_(None)).order_by(Invoice.id)
    ).all()
    return {invoice.contact.email: invoice for invoice in invoices}


def test_second_seed_adds_no_rows(app, db, seeded):
    counts = row_counts(db)

    again = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert again.exit_code == 0, again.output
    assert again.output == seeded
    assert row_counts(db) == counts
    assert counts["contacts"] == 7  # five buyers of the sales, two of the quotes
    assert counts["payments"] == 6
    assert counts["refunds"] == 1
    assert counts["invoices"] == 10  # five issued by staff, five for link payments
    assert counts["manual_payments"] == 1
    assert counts["saved_views"] == 1
    assert counts["contact_lists"] == 1
    assert counts["staff"] == 2


def test_seed_sends_no_emails(app, seeded):
    outbox = Path(app.config["KASSA_OUTBOX"])

    assert not outbox.exists() or not any(outbox.iterdir())


def test_seed_output_names_back_office_data(seeded):
    assert "read only, as viewer@kassa.test" in seeded
    assert "invoices (one overdue)" in seeded
    assert '"Unpaid invoices"' in seeded


def test_seed_payments_match_checkout(db, seeded):
    payments = db.scalars(select(Payment).order_by(Payment.id)).all()
    succeeded = [p for p in payments if p.status is PaymentStatus.SUCCEEDED]
    [failed] = [p for p in payments if p.status is not PaymentStatus.SUCCEEDED]

    assert len(succeeded) == 5
    assert [p.receipt_number for p in succeeded] == [
        f"RCT-{number:06d}" for number in range(1, 6)
    ]
    for payment in succeeded:
        assert payment.invoice is not None
        assert payment.invoice.status is InvoiceStatus.PAID
        assert payment.invoice.number.startswith("INV-")
        assert payment.invoice.total == payment.amount
        assert payment.processor == "test"
    assert {p.method for p in succeeded} == {
        PaymentMethodKind.CARD,
        PaymentMethodKind.BANK_DEBIT,
    }
    assert {p.link.slug for p in payments} == set(DEMO_SLUGS)
    assert failed.method is PaymentMethodKind.BANK_DEBIT
    assert failed.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert failed.failure_message
    assert failed.receipt_number is None
    assert failed.invoice is None


def test_workshop_payment_code_and_fields(db, seeded):
    [payment] = db.scalars(
        select(Payment).join(Payment.link).where(PaymentLink.slug == "workshop-kit")
    ).all()

    assert payment.order.discount_code == "WELCOME10"
    assert payment.order.discount_total > 0
    assert payment.order.fee_total == 595
    assert payment.order.custom_fields == {
        "T-shirt size": "L",
        "Company": "Korhonen Design Oy",
    }
    settled_after = payment.succeeded_at - payment.created_at
    assert timedelta(days=2) < settled_after < timedelta(days=3)


def test_sticker_payment_half_refunded(db, seeded):
    [refund] = db.scalars(select(Refund)).all()
    payment = refund.payment

    assert payment.link.slug == "embed-demo"
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.receipt_number == "RFD-000001"
    assert refund.amount * 2 == payment.amount
    assert payment.refund_state == "partially_refunded"
    assert refund.staff.email == DEMO_OWNER_EMAIL
    assert refund.refunded_at > payment.succeeded_at


def test_seed_dates_in_last_six_weeks(db, seeded):
    now = now_utc()
    payments = db.scalars(select(Payment)).all()
    events = db.scalars(select(AuditEvent)).all()

    for payment in payments:
        assert now - timedelta(days=42) < payment.created_at < now - timedelta(days=1)
    assert min(p.created_at for p in payments) < now - timedelta(days=30)
    for event in events:
        assert now - timedelta(days=47) < event.created_at < now


def test_seed_invoices_each_status(db, seeded):
    now = now_utc()
    today = local_today(now, "Europe/Helsinki")
    invoices = staff_invoices(db)
    statuses = {
        email: display_status(invoice, now).value for email, invoice in invoices.items()
    }

    assert statuses == {
        "kenji.watanabe@example.com": "overdue",
        "sofia.lindqvist@example.org": "paid",
        "emilie.laurent@example.net": "void",
        "mikko.korhonen@example.net": "open",
        "aino.virtanen@example.com": "draft",
    }
    assert invoices["kenji.watanabe@example.com"].due_date == today - timedelta(15)
    assert invoices["mikko.korhonen@example.net"].due_date > today
    manual = invoices["sofia.lindqvist@example.org"].manual_payment
    assert manual.method is ManualPaymentMethod.BANK_TRANSFER
    assert manual.paid_on == today - timedelta(days=22)
    assert invoices["aino.virtanen@example.com"].number is None


def test_overdue_invoice_shows_overdue(client, db, seeded):
    overdue = staff_invoices(db)["kenji.watanabe@example.com"]
    sign_in_as(client, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD)

    response = client.get("/merchant/invoices?status=overdue")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert overdue.number in page
    assert '<span class="tag tag-overdue">Overdue</span>' in page
    assert page.count('<span class="tag tag-overdue">') == 1


def test_seed_view_and_list_shared(db, seeded):
    owner = db.scalars(select(Staff).where(Staff.email == DEMO_OWNER_EMAIL)).one()
    viewer = db.scalars(select(Staff).where(Staff.email == DEMO_VIEWER_EMAIL)).one()
    [view] = db.scalars(select(SavedView)).all()
    [contact_list] = db.scalars(select(ContactList)).all()

    assert view.name == "Unpaid invoices"
    assert view.index_name is IndexName.INVOICES
    assert view.query == "status=open&status=overdue"
    assert view.owner_id == owner.id
    assert view.shared
    assert visible_views(db, viewer, INVOICES) == [view]
    assert contact_list.name == "Paid in the last 30 days"
    assert contact_list.criteria == [{"kind": "paid_within_days", "days": 30}]
    assert contact_list.owner_id == owner.id
    assert contact_list.shared
    assert visible_lists(db, viewer) == [contact_list]


def test_list_members_paid_recently(client, db, seeded):
    [contact_list] = db.scalars(select(ContactList)).all()
    sign_in_as(client, DEMO_VIEWER_EMAIL, DEMO_VIEWER_PASSWORD)

    response = client.get(f"/merchant/lists/{contact_list.id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    for email in (
        "aino.virtanen@example.com",
        "mikko.korhonen@example.net",
        "sofia.lindqvist@example.org",
        "emilie.laurent@example.net",
    ):
        assert email in page
    assert "kenji.watanabe@example.com" not in page


def test_viewer_signs_in_read_only(client, seeded):
    sign_in_as(client, DEMO_VIEWER_EMAIL, DEMO_VIEWER_PASSWORD)

    payments = client.get("/merchant/payments")
    invoices = client.get("/merchant/invoices")
    new_invoice = client.get("/merchant/invoices/new")

    assert payments.status_code == 200
    assert invoices.status_code == 200
    assert "Unpaid invoices" in invoices.get_data(as_text=True)
    assert new_invoice.status_code == 403


def test_payments_index_shows_demo_payments(client, db, seeded):
    sign_in_as(client, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD)

    response = client.get("/merchant/payments")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    for payment in db.scalars(select(Payment)):
        assert f"#{payment.id}</a>" in page
        assert html.escape(payment.contact.email) in page
        if payment.receipt_number:
            assert payment.receipt_number in page
    assert "partially refunded" in page
