"""Payment links with recurring prices in the back office: options and checks."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.models import BillingFrequency, PaymentLink, PriceKind, StaffRole
from tests.factories import make_product_price
from tests.merchant.editor_pages import field_error, page_tokens, submit
from tests.merchant.links_setup import NEW_LINK, link_form, make_catalogue

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def catalogue(db):
    catalogue = make_catalogue(db)
    yearly = make_product_price(db, "Archive access", 9900)
    yearly.kind = PriceKind.RECURRING
    yearly.frequency = BillingFrequency.YEARLY
    catalogue.yearly = yearly
    db.commit()
    return catalogue


def links(db) -> list[PaymentLink]:
    db.expire_all()
    return list(db.scalars(select(PaymentLink).order_by(PaymentLink.id)))


def membership_form(catalogue, **overrides) -> dict[str, object]:
    """Return the link form with the monthly membership and the one-time kit."""
    fields = {
        "items-0-price_id": str(catalogue.membership.id),
        "items-0-quantity": "1",
        "items-0-adjustable_quantity": None,
        "items-0-discount_id": "",
        "items-1-price_id": str(catalogue.kit.id),
        "start": "now",
        **overrides,
    }
    return link_form(catalogue, **fields)


def create(client, form):
    return submit(client, NEW_LINK, NEW_LINK, form)


def checked_start(page: str) -> str:
    """Return the value of the chosen "The subscription starts" radio button."""
    return re.search(r'<input checked [^>]*name="start"[^>]*value="(\w+)"', page)[1]


def helsinki_today() -> date:
    return datetime.now(HELSINKI).date()


def test_recurring_price_is_offered(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    page = client.get(NEW_LINK).get_data(as_text=True)

    assert "Membership · €9.90 (EUR) · monthly" in page
    assert 'id="subscription-options"' in page


def test_link_with_membership_and_one_time_item(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    response = create(client, membership_form(catalogue, trial_days="14"))

    [link] = links(db)
    assert response.status_code == 303
    assert [item.price_id for item in link.items] == [
        catalogue.membership.id,
        catalogue.kit.id,
    ]
    assert link.trial_days == 14
    assert link.start_on is None
    assert link.start_delay is None


def test_link_starting_on_a_date(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    start = helsinki_today() + timedelta(days=40)

    create(
        client, membership_form(catalogue, start="on_date", start_on=start.isoformat())
    )

    [link] = links(db)
    assert link.start_on == start
    assert link.start_delay is None


def test_link_starting_after_months(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    create(
        client,
        membership_form(
            catalogue,
            start="after_delay",
            start_delay="2",
            start_delay_unit="months",
            trial_days="7",
        ),
    )

    [link] = links(db)
    assert (link.start_delay, link.start_delay_unit) == (2, "months")
    assert link.trial_days == 7
    assert link.start_on is None


def test_start_date_today_is_accepted(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    today = helsinki_today().isoformat()

    response = create(
        client, membership_form(catalogue, start="on_date", start_on=today)
    )

    assert response.status_code == 303
    assert links(db)[0].start_on.isoformat() == today


BAD_OPTIONS = [
    pytest.param(
        {"start": "on_date", "start_on": "2020-01-01"},
        "start_on",
        "is in the past",
        id="past-date",
    ),
    pytest.param(
        {"start": "on_date", "start_on": ""},
        "start_on",
        "Enter the start date",
        id="no-date",
    ),
    pytest.param(
        {"start": "on_date", "start_on": "31.1.2027"},
        "start_on",
        "is not a valid date",
        id="bad-date",
    ),
    pytest.param(
        {"start": "after_delay", "start_delay": "0", "start_delay_unit": "days"},
        "start_delay",
        "from 1 to 730",
        id="delay-zero",
    ),
    pytest.param(
        {"start": "after_delay", "start_delay": "25", "start_delay_unit": "months"},
        "start_delay",
        "from 1 to 24",
        id="delay-too-long",
    ),
    pytest.param(
        {"start": "after_delay", "start_delay": "3", "start_delay_unit": "weeks"},
        "start_delay_unit",
        "days or months",
        id="delay-unit",
    ),
    pytest.param({"trial_days": "0"}, "trial_days", "from 1 to 730", id="trial-0"),
    pytest.param({"trial_days": "two"}, "trial_days", "whole number", id="trial-text"),
    pytest.param({"start": "later"}, "start", "Choose when", id="start-choice"),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_OPTIONS)
def test_bad_subscription_option_is_rejected(
    client, db, catalogue, signed_in, fields, field, message
):
    signed_in(StaffRole.SALES)

    response = create(client, membership_form(catalogue, **fields))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(page, field)
    assert links(db) == []


def test_rejected_form_keeps_typed_values(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    response = create(
        client,
        membership_form(
            catalogue,
            start="after_delay",
            start_delay="0",
            start_delay_unit="days",
            trial_days="21",
        ),
    )

    page = response.get_data(as_text=True)
    assert checked_start(page) == "after_delay"
    assert 'name="start_delay" type="text" value="0"' in page
    assert 'name="trial_days" type="text" value="21"' in page
    assert '<option selected value="days">' in page


def test_different_frequencies_are_rejected(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    response = create(
        client, membership_form(catalogue, **{"items-1-price_id": catalogue.yearly.id})
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Membership is billed monthly, but Archive access is billed yearly" in page
    assert "share one billing frequency" in page
    assert links(db) == []


def test_line_discount_on_recurring_price_is_rejected(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    response = create(
        client,
        membership_form(
            catalogue, **{"items-0-discount_id": str(catalogue.line_discount.id)}
        ),
    )

    assert response.status_code == 422
    assert "renewals are charged without line discounts" in response.get_data(
        as_text=True
    )


def test_one_time_link_cannot_have_trial(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    response = create(client, link_form(catalogue, trial_days="14", start="on_date"))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Only a link with a recurring price can have a free trial" in field_error(
        page, "trial_days"
    )
    assert "Only a link with a recurring price can start later" in field_error(
        page, "start"
    )


def test_edit_keeps_start_date_now_in_past(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, membership_form(catalogue, trial_days="14"))
    [link] = links(db)
    link.start_on = date(2020, 1, 1)
    db.commit()
    edit = f"/merchant/links/{link.id}/edit"

    page = client.get(edit).get_data(as_text=True)
    response = client.post(
        edit,
        data={
            **page_tokens(client, edit),
            **membership_form(
                catalogue,
                start="on_date",
                start_on="2020-01-01",
                title="Renamed",
                slug=link.slug,
            ),
        },
    )

    assert checked_start(page) == "on_date"
    assert 'value="2020-01-01"' in page
    assert response.status_code == 303
    [link] = links(db)
    assert link.title == "Renamed"
    assert link.start_on == date(2020, 1, 1)


def test_detail_page_shows_recurrence(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(
        client,
        membership_form(
            catalogue,
            start="after_delay",
            start_delay="1",
            start_delay_unit="months",
            trial_days="14",
        ),
    )
    [link] = links(db)

    page = client.get(f"/merchant/links/{link.id}").get_data(as_text=True)

    assert (
        "Billed monthly in EUR; starts 1 month after the buyer pays; free trial "
        "of 14 days, then the first charge." in page
    )
    assert "€9.90 monthly \N{MULTIPLICATION SIGN} 1" in page
