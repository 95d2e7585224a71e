"""Back-office error pages: a form whose CSRF token is missing or stale."""

from portal.models import StaffRole
from tests.fixtures.staff import csrf_token

EXPIRED = (
    "This form has expired because you signed in again or the page was open "
    "too long. Reload the page and try again."
)


def test_stale_token_shows_expired_form(client, signed_in):
    signed_in(StaffRole.OWNER)

    response = client.post(
        "/merchant/account/sessions/revoke-others", data={"csrf_token": "stale"}
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert EXPIRED in html
    assert '<body class="merchant"' in html
    assert 'action="/merchant/logout"' in html
    assert "Payments by Kassa" not in html


def test_missing_token_shows_expired_form(client, signed_in):
    signed_in(StaffRole.OWNER)

    response = client.post("/merchant/staff", data={"email": "new@kassa.test"})

    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)


def test_token_of_earlier_session_is_rejected(client, signed_in):
    signed_in(StaffRole.OWNER)
    old_token = csrf_token(client, "/merchant/account")
    client.post("/merchant/logout", data={"csrf_token": old_token})
    signed_in(StaffRole.OWNER, email="second@kassa.test")

    response = client.post(
        "/merchant/account/sessions/revoke-others", data={"csrf_token": old_token}
    )

    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)


def test_htmx_request_gets_message_for_main(client, signed_in):
    signed_in(StaffRole.OWNER)

    response = client.post(
        "/merchant/account/sessions/revoke-others",
        headers={"HX-Request": "true", "X-CSRFToken": "stale"},
    )

    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reswap"] == "afterbegin"
    html = response.get_data(as_text=True)
    assert EXPIRED in html
    assert "<body" not in html


INDEX_PAGES = [
    "payments",
    "invoices",
    "links",
    "contacts",
    "quotes",
    "subscriptions",
]


def test_nul_in_filter_back_office_page(client, signed_in):
    signed_in(StaffRole.OWNER)

    for page in INDEX_PAGES:
        response = client.get(f"/merchant/{page}?q=%00")

        assert response.status_code == 400, page
        html = response.get_data(as_text=True)
        assert "control character" in html, page
        assert '<body class="merchant"' in html, page
        assert "Payments by Kassa" not in html, page


def test_nul_in_csv_filter_is_text(client, signed_in):
    signed_in(StaffRole.OWNER)

    for page in INDEX_PAGES:
        response = client.get(f"/merchant/{page}.csv?q=%00")

        assert response.status_code == 400, page
        assert response.mimetype == "text/plain", page
        assert "control character" in response.get_data(as_text=True), page


def test_nul_signed_out_back_office_page(client):
    response = client.get("/merchant/subscriptions?q=%00")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "control character" in html
    assert "Payments by Kassa" not in html
