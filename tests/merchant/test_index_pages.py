"""The index pages over HTTP: filters, 400 messages, htmx partials, pages, CSV."""

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.merchant.optional_urls import optional_url
from portal.models import InvoiceStatus, PaymentStatus, StaffRole
from tests.factories import make_business, make_link
from tests.listing.records import make_contact, make_invoice, make_payment

INDEX_PATHS = [
    "/merchant/payments",
    "/merchant/invoices",
    "/merchant/links",
    "/merchant/contacts",
]


@pytest.fixture
def business(db):
    business = make_business(db, timezone="Europe/Helsinki")
    db.commit()
    return business


@pytest.fixture
def sales(db, business):
    ann = make_contact(db, "ann@example.com", name="Ann")
    bob = make_contact(db, "bob@example.com", name="=HYPERLINK(1)")
    poster = make_link(db, slug="poster", title="Poster")
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    for number in range(60):
        make_payment(
            db,
            ann if number % 2 else bob,
            1000 + number,
            created_at=start + timedelta(hours=number),
            link=poster if number % 3 == 0 else None,
        )
    make_payment(db, ann, 5, status=PaymentStatus.REQUIRES_PAYMENT_METHOD)
    make_invoice(db, ann, 20000, due_date=date(2026, 1, 15))
    make_invoice(db, bob, 30000, due_date=date(2099, 1, 1))
    make_invoice(db, bob, 40000, status=InvoiceStatus.PAID)
    db.commit()
    return {"ann": ann, "bob": bob, "poster": poster}


def links(page: str, rel: str) -> str:
    match = re.search(rf'<a href="([^"]+)" hx-get="[^"]+" rel="{rel}"', page)
    assert match, f"no {rel} link"
    return html.unescape(match.group(1))


def row_count(page: str) -> int:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


@pytest.mark.parametrize("path", INDEX_PATHS)
def test_index_pages_render_for_viewer(client, signed_in, sales, path):
    signed_in(StaffRole.VIEWER)

    response = client.get(path)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="index-filters"' in page
    assert 'id="index-results"' in page
    assert 'hx-get="' + path + '"' in page
    assert 'hx-push-url="true"' in page
    assert "HX-Request" in response.headers["Vary"]


def test_nav_lists_the_index_pages(client, signed_in, business):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/").get_data(as_text=True)

    for path in [*INDEX_PATHS, "/merchant/lists"]:
        assert f'href="{path}"' in page


def test_payments_first_page_and_count(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/payments").get_data(as_text=True)

    assert "61 payments" in page
    assert row_count(page) == 50
    assert 'rel="next"' in page
    assert 'rel="prev"' not in page


def test_payments_filtered_by_status_contact_and_link(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)
    link_id = sales["poster"].id

    failed = client.get("/merchant/payments?status=requires_payment_method")
    ann_poster = client.get(f"/merchant/payments?contact=ANN@&link={link_id}")

    assert "1 payment<" in failed.get_data(as_text=True)
    # Payments 3, 9, 15, ... 57 are Ann's (odd) through the poster (multiple of 3).
    assert "10 payments" in ann_poster.get_data(as_text=True)


def test_payments_filtered_by_amount_and_date(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    response = client.get(
        "/merchant/payments?currency=EUR&amount_from=10.10&amount_to=10.19"
        "&created_from=2026-11-01&created_to=2026-11-01"
    )

    # Payments 10..19 cost 10.10..10.19; 1 November in Helsinki ends at 22:00 UTC,
    # so of those only the ones made at 19:00..21:00 UTC (numbers 10..12) match.
    assert "3 payments" in response.get_data(as_text=True)


def test_bad_values_get_400_with_messages(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    response = client.get(
        "/merchant/payments?currency=EUR&amount_from=abc&created_to=31.12.2026"
    )
    page = html.unescape(response.get_data(as_text=True))

    assert response.status_code == 400
    assert "Amount from must be a number like 12.50." in page
    assert "Created to must be a date like 2026-12-31." in page
    assert 'aria-invalid="true"' in page
    assert "<tbody>" not in page
    assert 'value="abc"' in page


def test_htmx_gets_only_the_results(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    response = client.get(
        "/merchant/payments?status=succeeded&contact=&sort=-created",
        headers={"HX-Request": "true", "HX-Target": "index-results"},
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="index-results"')
    assert "<html" not in page
    assert 'id="index-filters"' not in page
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["HX-Push-Url"] == "/merchant/payments?status=succeeded"
    # The filter form's sort field is replaced out of band.
    assert 'id="index-sort" name="sort" value="-created" hx-swap-oob="true"' in page
    # So is the query that the save form outside the results would store.
    assert (
        'id="save-view-query" name="query" value="status=succeeded"'
        ' hx-swap-oob="true"' in page
    )
    assert 'name="name"' not in page


def test_htmx_bad_value_gets_results_with_message(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    response = client.get(
        "/merchant/invoices?amount_from=-1&currency=EUR",
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert page.lstrip().startswith('<div id="index-results"')
    assert "Total from must not be negative." in page
    assert "HX-Push-Url" not in response.headers


def test_history_restore_gets_the_whole_page(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    response = client.get(
        "/merchant/payments",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.get_data(as_text=True)
    assert "HX-History-Restore-Request" in response.headers["Vary"]


def test_keyset_links_walk_pages(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    first = client.get("/merchant/payments?per_page=25").get_data(as_text=True)
    second = client.get(links(first, "next")).get_data(as_text=True)
    third = client.get(links(second, "next")).get_data(as_text=True)
    back = client.get(links(third, "prev")).get_data(as_text=True)

    ids = [re.findall(r">#(\d+)<", page) for page in (first, second, third)]
    assert [len(page_ids) for page_ids in ids] == [25, 25, 11]
    assert len({payment_id for page_ids in ids for payment_id in page_ids}) == 61
    assert re.findall(r">#(\d+)<", back) == ids[1]
    assert 'rel="next"' not in third
    assert "First page" in third
    assert "offset" not in links(first, "next")


def test_htmx_next_page_pushes_cursor_url(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)
    first = client.get("/merchant/payments?per_page=25").get_data(as_text=True)
    next_url = links(first, "next")

    response = client.get(next_url, headers={"HX-Request": "true"})
    pushed = response.headers["HX-Push-Url"]
    reloaded = client.get(pushed).get_data(as_text=True)

    assert "after=" in pushed
    assert "per_page=25" in pushed
    shown = re.findall(r">#(\d+)<", response.get_data(as_text=True))
    assert re.findall(r">#(\d+)<", reloaded) == shown


@pytest.mark.parametrize("path", INDEX_PATHS)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_calendar_end_date_gets_400(client, signed_in, sales, path, day):
    signed_in(StaffRole.VIEWER)

    response = client.get(f"{path}?created_from={day}")

    assert response.status_code == 400
    assert "must be between 1900-01-01 and 9998-12-31" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_csv_calendar_end_date_gets_400(client, signed_in, sales, day):
    signed_in(StaffRole.VIEWER)

    response = client.get(f"/merchant/invoices.csv?created_to={day}")

    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "Created to must be between" in response.get_data(as_text=True)


def test_sort_link_flips_direction(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/payments?sort=amount").get_data(as_text=True)

    assert 'aria-sort="ascending"' in page
    assert 'href="/merchant/payments?sort=-amount"' in page
    assert 'href="/merchant/payments?sort=contact"' in page
    assert 'href="/merchant/payments?sort=-created"' in page


def test_edited_cursor_is_400(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)
    first = client.get("/merchant/payments").get_data(as_text=True)
    next_url = links(first, "next")

    edited = client.get(next_url[:-3] + "abc")
    other_sort = client.get(next_url + "&sort=amount")
    both = client.get(next_url + "&before=x")

    assert edited.status_code == 400
    assert "Start again from the first page." in edited.get_data(as_text=True)
    assert other_sort.status_code == 400
    assert both.status_code == 400
    assert "A page link has both after and before" in both.get_data(as_text=True)


def test_invoices_show_overdue(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/invoices?status=overdue").get_data(as_text=True)

    assert "1 invoice<" in page
    assert "tag-overdue" in page
    assert "ann@example.com" in page


def test_links_and_contacts_pages(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    links_page = client.get("/merchant/links?search=post").get_data(as_text=True)
    contacts_page = client.get(
        "/merchant/contacts?currency=EUR&amount_from=309"
    ).get_data(as_text=True)

    assert "/pay/poster" in links_page
    assert 'title="Succeeded payments through this link">20</a>' in links_page
    # Ann paid 30 payments worth 309.00 in total, Bob 30 worth 308.70.
    assert "1 contact<" in contacts_page
    assert "ann@example.com" in contacts_page


def test_csv_exports_every_matching_row(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/payments.csv?status=succeeded&sort=amount")
    text = response.get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="payments-'
    )
    assert table[0][:3] == ["id", "created", "succeeded"]
    assert len(table) == 61
    assert [row[7] for row in table[1:3]] == ["10.00", "10.01"]
    assert {row[4] for row in table[1:]} == {"Ann", "'=HYPERLINK(1)"}


def test_csv_rejects_bad_filters(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/invoices.csv?status=late")

    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "Status 'late' is unknown" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/merchant/links.csv", "/merchant/contacts.csv"])
def test_other_exports(client, signed_in, sales, path):
    signed_in(StaffRole.VIEWER)

    response = client.get(path)

    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("\ufeffid,")


def test_export_link_keeps_filters(client, signed_in, sales):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/invoices?status=open").get_data(as_text=True)

    assert 'href="/merchant/invoices.csv?status=open"' in page


def test_anonymous_is_sent_to_sign_in(client, business):
    response = client.get("/merchant/payments.csv")

    assert response.status_code == 302
    assert response.location.startswith("/merchant/login")


def test_optional_url(app):
    with app.test_request_context():
        assert optional_url("merchant.payments") == "/merchant/payments"
        assert optional_url("merchant.no_such_page") is None
        # A registered page given the wrong URL values gets no link either.
        assert optional_url("merchant.list_detail") is None
