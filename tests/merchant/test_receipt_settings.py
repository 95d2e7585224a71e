"""The Receipts section of the settings: who may open it, saving, and checks."""

import re

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Business, Payment, StaffRole
from tests.fixtures.staff import csrf_token, sign_in
from tests.payments.builders import ensure_business, paid_payment

PATH = "/merchant/settings/receipts"


def business(db) -> Business:
    db.expire_all()
    return db.scalars(select(Business)).one()


def checkbox_checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no checkbox named {name}"
    return "checked" in tag.group(0)


def settings_form(client, **fields) -> dict[str, str]:
    form = {
        "csrf_token": csrf_token(client, PATH),
        "receipt_footer": "",
        "receipt_show_business_address": "y",
        "receipt_show_tax_id": "y",
        "receipt_show_payment_method": "y",
        "receipt_show_custom_fields": "y",
    }
    form.update(fields)
    return {name: value for name, value in form.items() if value is not None}


@pytest.mark.parametrize("role", [StaffRole.OWNER, StaffRole.ADMIN])
def test_settings_roles_open_page(app, client, role):
    ensure_business(app)
    sign_in(client, role)

    response = client.get(PATH)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="receipt-settings-form"' in html
    assert "A preview appears here after the first payment." in html


@pytest.mark.parametrize("role", [StaffRole.SALES, StaffRole.VIEWER])
def test_other_roles_are_forbidden(app, client, db, role):
    ensure_business(app)
    sign_in(client, role)

    page = client.get(PATH)
    save = client.post(
        PATH, data={"csrf_token": csrf_token(client, "/merchant/account")}
    )

    assert page.status_code == 403
    assert save.status_code == 403
    assert business(db).receipt_show_payment_method is True


def test_defaults_are_checked(app, client):
    ensure_business(app)
    sign_in(client, StaffRole.OWNER)

    html = client.get(PATH).get_data(as_text=True)

    assert checkbox_checked(html, "receipt_show_business_address")
    assert checkbox_checked(html, "receipt_show_payment_method")
    assert not checkbox_checked(html, "receipt_show_buyer_phone")
    assert not checkbox_checked(html, "receipt_show_buyer_address")


def test_saving_changes_settings(app, client, db):
    ensure_business(app)
    staff = sign_in(client, StaffRole.ADMIN)

    response = client.post(
        PATH,
        data=settings_form(
            client,
            receipt_footer="  Returns within 30 days.\r\nThank you!  ",
            receipt_show_payment_method=None,
            receipt_show_buyer_phone="y",
        ),
    )

    assert response.status_code == 303
    saved = business(db)
    assert saved.receipt_footer == "Returns within 30 days.\nThank you!"
    assert saved.receipt_show_payment_method is False
    assert saved.receipt_show_buyer_phone is True
    assert saved.receipt_show_buyer_address is False
    assert saved.receipt_show_business_address is True
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "receipt_settings_changed")
    ).one()
    assert event.actor == f"staff:{staff.id}"
    assert event.details["receipt_show_payment_method"] == "False"
    assert "Receipt settings saved." in client.get(PATH).get_data(as_text=True)


def test_saving_same_settings_changes_nothing(app, client, db):
    ensure_business(app)
    sign_in(client, StaffRole.OWNER)

    client.post(PATH, data=settings_form(client))

    audit_rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "receipt_settings_changed")
    ).all()
    assert audit_rows == []
    assert "Nothing was changed." in client.get(PATH).get_data(as_text=True)


def test_long_footer_is_rejected(app, client, db):
    ensure_business(app)
    sign_in(client, StaffRole.OWNER)

    response = client.post(
        PATH,
        data=settings_form(
            client, receipt_footer="x" * 501, receipt_show_payment_method=None
        ),
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The footer is 501 characters long. Shorten it to at most 500." in html
    saved = business(db)
    assert saved.receipt_footer is None
    assert saved.receipt_show_payment_method is True


def test_preview_links_latest_receipt(app, client, db):
    paid_payment(app)
    latest = paid_payment(app)
    sign_in(client, StaffRole.OWNER)

    html = client.get(PATH).get_data(as_text=True)

    assert "RCT-000002" in html
    token = db.get(Payment, latest).token
    assert f'href="/receipts/{token}"' in html
    assert f'href="/receipts/{token}/receipt.pdf"' in html


def test_settings_page_links_receipts(app, client):
    ensure_business(app)
    sign_in(client, StaffRole.OWNER)

    html = client.get("/merchant/settings").get_data(as_text=True)

    assert f'href="{PATH}"' in html
