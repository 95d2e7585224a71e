"""The subscription page shows a period's price with its tax, like a bill."""

from tests.account.conftest import make_subscription
from tests.factories import make_tax_rate


def test_period_price_shows_vat(aino_client, db, aino):
    subscription = make_subscription(db, aino)
    subscription.items[0].unit_amount = 1500
    subscription.items[0].tax_rate = make_tax_rate(db, "VAT", "25.5")
    db.commit()

    text = aino_client.get(f"/account/subscriptions/{subscription.token}").get_data(
        as_text=True
    )

    assert '<dd id="total-subtotal">€15.00</dd>' in text
    assert "<dt>VAT 25.5%</dt>" in text
    assert '<dd id="total-tax">€3.83</dd>' in text
    assert '<dd id="total-due">€18.83</dd>' in text
    assert "€18.83 on" in text


def test_inclusive_vat_marked_included(aino_client, db, aino):
    subscription = make_subscription(db, aino)
    subscription.items[0].tax_rate = make_tax_rate(db, "VAT", "24", inclusive=True)
    db.commit()

    text = aino_client.get(f"/account/subscriptions/{subscription.token}").get_data(
        as_text=True
    )

    assert "<dt>VAT 24% (included)</dt>" in text
    assert '<dd id="total-tax">€5.61</dd>' in text
    assert '<dd id="total-due">€29.00</dd>' in text
