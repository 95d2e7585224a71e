"""The back office's page frame: top bar, navigation, CSRF header for htmx."""

from portal.models import StaffRole
from tests.fixtures.staff import csrf_token


def test_frame_shows_staff_and_role(client, signed_in):
    staff = signed_in(StaffRole.SALES)

    page = client.get("/merchant/").get_data(as_text=True)

    assert staff.email in page
    assert ">sales<" in page
    assert 'action="/merchant/logout"' in page


def test_body_carries_csrf_header_for_htmx(client, signed_in):
    signed_in(StaffRole.VIEWER)
    token = csrf_token(client, "/merchant/")

    page = client.get("/merchant/").get_data(as_text=True)

    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page


def test_pages_are_not_cached(client, signed_in):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/")

    assert response.headers["Cache-Control"] == "private, no-store"
