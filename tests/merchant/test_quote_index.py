"""The quotes index in the back office: filters, sorting, pages, CSV and views."""

import csv
import io
from datetime import timedelta

import pytest

from portal.contacts import ContactDetails
from portal.database import now_utc
from portal.invoices.drafts import LineDraft
from portal.models import Quote, StaffRole
from portal.quotes.publishing import publish_quote
from tests.factories import make_business
from tests.fixtures.staff import csrf_token, sign_in
from tests.quotes.builders import STAFF_ACTOR, buyer, make_quote

TODAY = now_utc().date()


@pytest.fixture
def business(db):
    business = make_business(db, timezone="UTC", accepted_currencies=["SEK"])
    db.commit()
    return business


def _quote(db, email: str, name: str, amount: int, **overrides) -> Quote:
    return make_quote(
        db,
        new_contact=ContactDetails(email=email, name=name),
        lines=(LineDraft(description="Work", unit_amount=amount),),
        signers=(buyer(name, email),),
        **overrides,
    )


@pytest.fixture
def quotes(db, business):
    """A draft in EUR, a published SEK quote, and a published one that lapsed."""
    draft = _quote(db, "ann@example.com", "Ann Archer", 12000)
    sent = _quote(
        db,
        "bob@example.com",
        "Bob Baker",
        50000,
        currency="SEK",
        expires_on=TODAY + timedelta(days=60),
    )
    publish_quote(db, sent, actor=STAFF_ACTOR)
    lapsed = _quote(db, "cid@example.com", "Cid Carter", 3000)
    publish_quote(db, lapsed, actor=STAFF_ACTOR)
    lapsed.expires_on = TODAY - timedelta(days=1)
    db.commit()
    return {"draft": draft, "sent": sent, "lapsed": lapsed}


def test_index_lists_quotes(client, signed_in, quotes):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/quotes").get_data(as_text=True)

    assert "3 quotes" in page
    assert "ann@example.com" in page
    assert f"Draft #{quotes['draft'].id}" in page
    assert quotes["sent"].number in page
    assert "€120.00" in page
    assert "SEK" in page
    assert 'href="/merchant/quotes"' in page  # the navigation entry


def test_lapsed_quote_shows_expired(client, signed_in, quotes):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/quotes?status=expired").get_data(as_text=True)

    assert "1 quote" in page
    assert "cid@example.com" in page
    assert 'class="tag tag-expired">Expired' in page


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("status=draft", 1),
        ("status=published", 1),
        ("status=published&status=draft", 2),
        ("status=void", 0),
        ("contact=bob", 1),
        ("contact=Carter", 1),
        ("currency=SEK", 1),
        ("currency=EUR&amount_from=100", 1),
        ("currency=EUR&amount_to=30", 1),
        (f"expires_to={TODAY}", 1),
        (f"expires_from={TODAY + timedelta(days=45)}", 1),
        (f"created_from={TODAY}", 3),
        (f"created_to={TODAY - timedelta(days=1)}", 0),
    ],
)
def test_index_filters(client, signed_in, quotes, query, count):
    signed_in(StaffRole.VIEWER)

    response = client.get(f"/merchant/quotes?{query}")

    assert response.status_code == 200
    noun = "quote" if count == 1 else "quotes"
    assert f"{count} {noun}" in response.get_data(as_text=True)


def test_amount_filter_needs_currency(client, signed_in, quotes):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/quotes?amount_from=10")

    assert response.status_code == 400
    assert "Choose a currency" in response.get_data(as_text=True)


def test_unknown_status_is_rejected(client, signed_in, quotes):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/quotes?status=lost")

    assert response.status_code == 400


def test_index_csv_sorted_by_total(client, signed_in, quotes):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/quotes.csv?sort=total")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["one_time_total"] for row in rows] == ["30.00", "120.00", "500.00"]
    assert [row["status"] for row in rows] == ["expired", "draft", "published"]
    assert rows[2]["currency"] == "SEK"
    assert rows[1]["number"] == ""
    assert rows[0]["contact_name"] == "Cid Carter"


def test_pages_by_keyset(client, signed_in, db, business):
    for number in range(30):
        _quote(db, f"buyer{number}@example.com", f"Buyer {number}", 1000 + number)
    signed_in(StaffRole.VIEWER)

    first = client.get("/merchant/quotes?sort=total&per_page=25").get_data(as_text=True)
    assert "30 quotes" in first
    assert "€10.00" in first
    assert 'rel="next"' in first
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(next_url.replace("&amp;", "&")).get_data(as_text=True)

    assert "€10.29" in second
    assert "€10.00" not in second


def test_htmx_request_gets_results_only(client, signed_in, quotes):
    signed_in(StaffRole.VIEWER)

    response = client.get(
        "/merchant/quotes?status=draft", headers={"HX-Request": "true"}
    )

    page = response.get_data(as_text=True)
    assert 'id="index-results"' in page
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_saved_view_for_quotes(client, signed_in, quotes):
    signed_in(StaffRole.VIEWER)
    token = csrf_token(client, "/merchant/quotes")

    response = client.post(
        "/merchant/views",
        data={
            "csrf_token": token,
            "index": "quotes",
            "name": "Swedish quotes",
            "query": "currency=SEK",
        },
    )

    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    page = client.get("/merchant/quotes").get_data(as_text=True)
    assert "Swedish quotes" in page


def test_new_quote_button_for_sales(client, signed_in, app, quotes):
    signed_in(StaffRole.VIEWER)
    viewer_page = client.get("/merchant/quotes").get_data(as_text=True)

    sales = app.test_client()
    sign_in(sales, StaffRole.SALES)
    sales_page = sales.get("/merchant/quotes").get_data(as_text=True)

    assert 'id="new-record"' not in viewer_page
    assert 'href="/merchant/quotes/new" id="new-record"' in sales_page
