"""The back office's page frame: top bar, navigation, CSRF header for htmx."""

import re

from portal.models import StaffRole

HX_CSRF_HEADER = re.compile(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""")


def test_frame_shows_staff_and_role(client, signed_in):
    staff = signed_in(StaffRole.SALES)

    page = client.get("/merchant/").get_data(as_text=True)

    assert staff.email in page
    assert ">sales<" in page
    assert 'action="/merchant/logout"' in page


def test_body_carries_csrf_header_for_htmx(client, signed_in):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/").get_data(as_text=True)
    match = HX_CSRF_HEADER.search(page)
    assert match, "the body has no hx-headers with a CSRF token"

    refused = client.post("/merchant/logout", headers={"X-CSRFToken": "forged"})
    accepted = client.post("/merchant/logout", headers={"X-CSRFToken": match.group(1)})

    assert refused.status_code == 400
    assert accepted.status_code == 302


def test_pages_are_not_cached(client, signed_in):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/")

    assert response.headers["Cache-Control"] == "private, no-store"
