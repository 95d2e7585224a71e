"""Saving, reopening and deleting views of the index pages over HTTP."""

import html
import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from portal.models import InvoiceStatus, SavedView, StaffRole
from tests.factories import make_business
from tests.fixtures.staff import csrf_token, sign_in
from tests.listing.records import make_contact, make_invoice

UNPAID = "status=open&status=overdue"


@pytest.fixture
def invoices(db):
    make_business(db, timezone="Europe/Helsinki")
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    cy = make_contact(db, "cy@example.com")
    make_invoice(db, ann, 10000, due_date=date(2026, 1, 10))
    make_invoice(db, bob, 20000, due_date=date(2099, 1, 10))
    make_invoice(db, cy, 30000, status=InvoiceStatus.PAID)
    db.commit()


def save(client: FlaskClient, name: str, query: str = UNPAID, **fields: str):
    token = csrf_token(client, "/merchant/invoices")
    data = {"csrf_token": token, "index": "invoices", "name": name, "query": query}
    return client.post("/merchant/views", data={**data, **fields})


def other_client(app, role: StaffRole) -> FlaskClient:
    client = app.test_client()
    sign_in(client, role)
    return client


def test_save_and_reopen_unpaid_invoices(client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)
    filtered = client.get(f"/merchant/invoices?{UNPAID}").get_data(as_text=True)

    response = save(client, "Unpaid invoices")
    view = db.query(SavedView).one()
    reopened = client.get(response.location)
    page = html.unescape(reopened.get_data(as_text=True))
    again = client.get(f"/merchant/views/{view.id}")

    assert f'name="query" value="{html.escape(UNPAID)}"' in filtered
    assert response.status_code == 303
    assert response.location == f"/merchant/invoices?{UNPAID}&view={view.id}"
    assert view.name == "Unpaid invoices"
    assert view.query == UNPAID
    assert view.shared is False
    assert "Saved the view 'Unpaid invoices'." in page
    assert "· Unpaid invoices</span></h1>" in page
    assert "2 invoices" in page
    assert "ann@example.com" in page
    assert "bob@example.com" in page
    assert "cy@example.com" not in page
    assert 'value="open" checked' in page
    assert 'value="overdue" checked' in page
    assert again.status_code == 302
    assert again.location == response.location


def test_view_name_disappears_when_filters_change(client, signed_in, invoices):
    signed_in(StaffRole.SALES)
    location = save(client, "Unpaid invoices").location

    changed = client.get(location.replace("status=overdue", "status=paid"))

    assert "· Unpaid invoices" not in changed.get_data(as_text=True)
    assert 'href="/merchant/views/' in changed.get_data(as_text=True)


def test_double_submit_saves_one_view(client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)

    first = save(client, "Unpaid invoices")
    second = save(client, "Unpaid invoices")

    assert first.location == second.location
    assert db.query(SavedView).count() == 1


def test_taken_name_gets_422_and_keeps_filters(client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)
    save(client, "Unpaid invoices")

    response = save(client, "Unpaid invoices", query="status=paid")
    page = html.unescape(response.get_data(as_text=True))

    assert response.status_code == 422
    assert "You already have a view named 'Unpaid invoices'." in page
    assert 'value="paid" checked' in page
    assert 'value="Unpaid invoices"' in page
    assert db.query(SavedView).count() == 1


def test_empty_name_gets_422(client, signed_in, invoices):
    signed_in(StaffRole.SALES)

    response = save(client, "  ")

    assert response.status_code == 422
    assert "Enter a name for the view." in response.get_data(as_text=True)


def test_saving_bad_filters_gets_the_filter_message(client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)
    page = client.get("/merchant/invoices?status=late&after=x").get_data(as_text=True)

    response = save(client, "Late", query="status=late")

    assert 'id="save-view-query" name="query" value="status=late"' in page
    assert response.status_code == 400
    assert "Status &#39;late&#39; is unknown" in response.get_data(as_text=True)
    assert db.query(SavedView).count() == 0


def test_unknown_index_is_400(client, signed_in, invoices):
    signed_in(StaffRole.SALES)
    token = csrf_token(client, "/merchant/invoices")

    response = client.post(
        "/merchant/views",
        data={"csrf_token": token, "index": "orders", "name": "x", "query": ""},
    )

    assert response.status_code == 400


def test_save_without_csrf_token_is_rejected(client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)

    response = client.post(
        "/merchant/views", data={"index": "invoices", "name": "x", "query": ""}
    )

    assert response.status_code == 400
    assert db.query(SavedView).count() == 0


def test_private_view_hidden_from_others(app, client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)
    save(client, "Mine only")
    view = db.query(SavedView).one()
    other = other_client(app, StaffRole.OWNER)

    page = other.get("/merchant/invoices").get_data(as_text=True)
    opened = other.get(f"/merchant/views/{view.id}")
    named = other.get(f"/merchant/invoices?{UNPAID}&view={view.id}")

    assert "Mine only" not in page
    assert opened.status_code == 404
    assert "Mine only" not in named.get_data(as_text=True)


def test_shared_view_listed_for_everyone(app, client, signed_in, invoices, db):
    author = signed_in(StaffRole.SALES)
    save(client, "Team unpaid", shared="y")
    view = db.query(SavedView).one()
    viewer = other_client(app, StaffRole.VIEWER)
    admin = other_client(app, StaffRole.ADMIN)

    listed = viewer.get("/merchant/invoices").get_data(as_text=True)
    viewer_page = viewer.get(f"/merchant/views/{view.id}", follow_redirects=True)
    admin_page = admin.get(f"/merchant/views/{view.id}", follow_redirects=True)

    assert "Team unpaid" in listed
    assert f"by {author.email}" in listed
    assert "Delete the view" not in viewer_page.get_data(as_text=True)
    assert "Delete the view" in admin_page.get_data(as_text=True)


def delete(client: FlaskClient, view_id: int):
    token = csrf_token(client, "/merchant/invoices")
    return client.post(
        f"/merchant/views/{view_id}/delete",
        data={"csrf_token": token, "index": "invoices"},
    )


def test_owner_deletes_view_once(client, signed_in, invoices, db):
    signed_in(StaffRole.VIEWER)
    save(client, "Short-lived")
    view_id = db.query(SavedView).one().id

    first = delete(client, view_id)
    second = delete(client, view_id)
    page = client.get(second.location).get_data(as_text=True)

    assert first.status_code == 303
    assert first.location == "/merchant/invoices"
    assert db.query(SavedView).count() == 0
    assert second.status_code == 303
    assert "That view no longer exists." in page


@pytest.mark.parametrize(
    ("role", "status"), [(StaffRole.SALES, 403), (StaffRole.ADMIN, 303)]
)
def test_shared_view_deleted_by_admin_only(
    app, client, signed_in, invoices, db, role, status
):
    signed_in(StaffRole.SALES)
    save(client, "Team unpaid", shared="y")
    view_id = db.query(SavedView).one().id

    response = delete(other_client(app, role), view_id)

    assert response.status_code == status
    assert db.query(SavedView).count() == (0 if status == 303 else 1)


def test_others_private_view_cannot_be_deleted(app, client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)
    save(client, "Private")
    view_id = db.query(SavedView).one().id

    response = delete(other_client(app, StaffRole.OWNER), view_id)

    assert response.status_code == 303
    assert db.query(SavedView).count() == 1


def test_saved_view_list_links_each_view(client, signed_in, invoices, db):
    signed_in(StaffRole.SALES)
    save(client, "B view", query="status=paid")
    save(client, "A view")

    page = client.get("/merchant/invoices").get_data(as_text=True)
    names = re.findall(r'<a href="/merchant/views/\d+">([^<]+)</a>', page)

    assert names == ["A view", "B view"]
