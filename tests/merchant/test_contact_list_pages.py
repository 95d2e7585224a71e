"""Contact list pages: the criteria builder, members, CSV, and who may change them."""

import csv
import html
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from portal.models import ContactList, StaffRole
from tests.factories import make_business, make_link
from tests.fixtures.staff import csrf_token, sign_in
from tests.listing.records import make_contact, make_invoice, make_payment


@pytest.fixture
def buyers(db):
    make_business(db, timezone="Europe/Helsinki")
    poster = make_link(db, slug="poster", title="Poster")
    now = datetime.now(UTC)
    recent = make_contact(db, "recent@example.com", name="@Recent")
    make_payment(db, recent, 12000, created_at=now - timedelta(days=2), link=poster)
    old = make_contact(db, "old@example.com")
    make_payment(db, old, 50000, created_at=now - timedelta(days=90))
    late = make_contact(db, "late@example.com")
    make_invoice(db, late, 7000, due_date=date(2026, 1, 1))
    db.commit()
    return {"poster": poster}


def create(client: FlaskClient, **fields: str):
    token = csrf_token(client, "/merchant/lists/new")
    return client.post("/merchant/lists/new", data={"csrf_token": token, **fields})


RECENT = {"name": "Recent buyers", "paid_within": "y", "paid_within_days": "30"}


def test_create_list_and_see_members(client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)

    response = create(client, **RECENT)
    contact_list = db.query(ContactList).one()
    page = html.unescape(client.get(response.location).get_data(as_text=True))

    assert response.status_code == 303
    assert response.location == f"/merchant/lists/{contact_list.id}"
    assert contact_list.criteria == [{"kind": "paid_within_days", "days": 30}]
    assert "Contacts who paid in the last 30 days." in page
    assert "1 contact<" in page
    assert "recent@example.com" in page
    assert "old@example.com" not in page


def test_lists_page_counts_members(client, signed_in, buyers):
    signed_in(StaffRole.SALES)
    create(client, **RECENT)
    create(
        client,
        name="Owing",
        has_overdue_invoice="y",
    )

    page = html.unescape(client.get("/merchant/lists").get_data(as_text=True))

    assert "Recent buyers" in page
    assert "paid in the last 30 days" in page
    assert "have an overdue invoice" in page
    assert page.count('<td class="amount">1</td>') == 2


def test_combined_criteria(client, signed_in, buyers):
    signed_in(StaffRole.SALES)
    link_id = str(buyers["poster"].id)

    response = create(
        client,
        name="Big poster buyers",
        total_paid="y",
        total_paid_amount="100",
        total_paid_currency="EUR",
        paid_through_link="y",
        link_id=link_id,
    )
    page = html.unescape(client.get(response.location).get_data(as_text=True))

    assert "have paid at least €100.00 in total and paid through the payment" in page
    assert "recent@example.com" in page
    assert "1 contact<" in page


def test_bad_criteria_get_422_with_messages(client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)

    response = create(
        client,
        name="Broken",
        paid_within="y",
        paid_within_days="ninety",
        total_paid="y",
        total_paid_amount="12.345",
        total_paid_currency="EUR",
    )
    page = html.unescape(response.get_data(as_text=True))

    assert response.status_code == 422
    assert "Days must be a whole number from 1 to 3650." in page
    assert "Total paid has more decimal places than EUR allows (2)." in page
    assert 'value="ninety"' in page
    assert db.query(ContactList).count() == 0


def test_no_criteria_and_no_name(client, signed_in, buyers):
    signed_in(StaffRole.SALES)

    no_criteria = create(client, name="Empty")
    no_name = create(client, name="", has_open_invoice="y")
    missing_link = create(client, name="Gone", paid_through_link="y", link_id="999")

    assert no_criteria.status_code == 422
    assert "Choose at least one criterion." in no_criteria.get_data(as_text=True)
    assert no_name.status_code == 422
    assert "Enter a name for the list." in no_name.get_data(as_text=True)
    assert missing_link.status_code == 422
    assert "Payment link #999 does not exist." in missing_link.get_data(as_text=True)


def test_double_submit_makes_one_list(client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)

    first = create(client, **RECENT)
    second = create(client, **RECENT)

    assert first.location == second.location
    assert db.query(ContactList).count() == 1


def test_members_csv(client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)
    create(client, **RECENT)
    list_id = db.query(ContactList).one().id

    response = client.get(f"/merchant/lists/{list_id}/members.csv")
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="list-{list_id}-'
    )
    assert table[0][:3] == ["id", "email", "name"]
    assert [row[1:3] for row in table[1:]] == [["recent@example.com", "'@Recent"]]


def test_members_paginate_by_keyset(client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)
    for number in range(30):
        contact = make_contact(db, f"buyer-{number:02d}@example.com")
        make_invoice(db, contact, 100)
    db.commit()
    create(client, name="Owing", has_open_invoice="y")
    list_id = db.query(ContactList).one().id

    first = client.get(f"/merchant/lists/{list_id}?per_page=25")
    page = first.get_data(as_text=True)
    next_url = html.unescape(page.split('rel="next"')[0].rsplit('href="', 1)[1])
    second = client.get(next_url.split('"')[0])

    assert "31 contacts" in page
    assert page.count("<tr>") == 26
    assert second.status_code == 200
    assert second.get_data(as_text=True).count("<tr>") == 7
    assert "late@example.com" in second.get_data(as_text=True)


def test_viewer_reads_but_cannot_create(app, client, signed_in, buyers, db):
    sales = app.test_client()
    sign_in(sales, StaffRole.SALES)
    create(sales, shared="y", **RECENT)
    list_id = db.query(ContactList).one().id
    signed_in(StaffRole.VIEWER)

    lists_page = client.get("/merchant/lists").get_data(as_text=True)
    detail = client.get(f"/merchant/lists/{list_id}").get_data(as_text=True)

    assert "Recent buyers" in lists_page
    assert "New list" not in lists_page
    assert "Edit criteria" not in detail
    assert "Delete list" not in detail
    assert client.get("/merchant/lists/new").status_code == 403


def test_private_list_is_404_for_others(app, client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)
    create(client, **RECENT)
    list_id = db.query(ContactList).one().id
    owner = app.test_client()
    sign_in(owner, StaffRole.OWNER)

    assert owner.get(f"/merchant/lists/{list_id}").status_code == 404
    assert owner.get(f"/merchant/lists/{list_id}/members.csv").status_code == 404
    assert "Recent buyers" not in owner.get("/merchant/lists").get_data(as_text=True)


def test_owner_edits_criteria(client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)
    create(client, **RECENT)
    contact_list = db.query(ContactList).one()
    form = client.get(f"/merchant/lists/{contact_list.id}/edit").get_data(as_text=True)
    token = csrf_token(client, f"/merchant/lists/{contact_list.id}/edit")

    response = client.post(
        f"/merchant/lists/{contact_list.id}/edit",
        data={
            "csrf_token": token,
            "name": "Anyone who paid this year",
            "paid_within": "y",
            "paid_within_days": "365",
        },
    )
    db.refresh(contact_list)
    page = client.get(response.location).get_data(as_text=True)

    assert 'name="paid_within" value="y" checked' in form
    assert 'value="30"' in form
    assert response.status_code == 303
    assert contact_list.criteria == [{"kind": "paid_within_days", "days": 365}]
    assert "2 contacts" in page


def test_shared_list_edited_only_by_its_owner(app, client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)
    create(client, shared="y", **RECENT)
    list_id = db.query(ContactList).one().id
    admin = app.test_client()
    sign_in(admin, StaffRole.ADMIN)

    assert admin.get(f"/merchant/lists/{list_id}/edit").status_code == 403


def test_delete_list_twice(client, signed_in, buyers, db):
    signed_in(StaffRole.SALES)
    create(client, **RECENT)
    list_id = db.query(ContactList).one().id
    token = csrf_token(client, "/merchant/lists")

    first = client.post(f"/merchant/lists/{list_id}/delete", data={"csrf_token": token})
    second = client.post(
        f"/merchant/lists/{list_id}/delete", data={"csrf_token": token}
    )

    assert first.status_code == 303
    assert second.status_code == 303
    assert db.query(ContactList).count() == 0
    assert "That list no longer exists." in client.get("/merchant/lists").get_data(
        as_text=True
    )
