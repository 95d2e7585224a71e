"""The share panel on a payment link's back-office page, in Chromium."""

import pytest
from playwright.sync_api import expect

from portal.checkout.embeds import build_snippets
from portal.models import StaffRole
from tests.factories import make_business, make_link
from tests.fixtures.staff import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def shared_link(db):
    make_business(db)
    link = make_link(
        db,
        slug="poster",
        items=[{"name": "Aurora poster", "unit_amount": 3900}],
        allowed_origins=["https://shop.example", "http://localhost:*"],
    )
    db.commit()
    return link


def sign_in(page, live_server, db) -> None:
    staff = make_staff(db, role=StaffRole.VIEWER)
    db.commit()
    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_copy_button_snippet(page, live_server, db, shared_link):
    sign_in(page, live_server, db)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server
    )

    page.goto(f"{live_server}/merchant/links/{shared_link.id}")
    snippet = page.get_by_label("Button", exact=True)
    expected = build_snippets(shared_link, live_server, "#2f6f4f").button
    expect(snippet).to_have_value(expected)
    panel = page.locator(".link-share-snippet").filter(has=snippet)
    panel.get_by_role("button", name="Copy").click()

    expect(panel.get_by_role("status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == expected


def test_share_panel_shows_qr_and_origins(page, live_server, db, shared_link):
    sign_in(page, live_server, db)

    page.goto(f"{live_server}/merchant/links/{shared_link.id}")

    qr = page.get_by_role("img", name=f"QR code of {live_server}/pay/poster")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0
    expect(page.get_by_role("link", name="Download PNG")).to_have_attribute(
        "href", "/pay/poster/qr.png"
    )
    origins = page.locator(".link-share-origins li")
    expect(origins).to_have_text(["https://shop.example", "http://localhost:*"])
