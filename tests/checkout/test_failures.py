"""A fault after the processor took the money must not leave a charge behind."""

import pytest
from sqlalchemy import select

from portal import models
from portal.checkout import payments as checkout_payments
from portal.models import AttemptState, CheckoutAttempt, Discount
from tests.checkout.conftest import kit_form, open_checkout, payments


class StoreDown(RuntimeError):
    pass


@pytest.fixture
def failing_contacts(app, monkeypatch):
    """Make recording the buyer fail, as a database fault would."""

    def fail(session, details):
        raise StoreDown("the contacts table could not be written")

    monkeypatch.setattr(checkout_payments, "upsert_contact", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False


def intents(db) -> list[models.TestModeIntent]:
    db.expire_all()
    return list(db.scalars(select(models.TestModeIntent)))


def test_charge_is_reversed_when_payment_cannot_be_recorded(
    client, db, kit_link, failing_contacts
):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, discount_code="TEN")

    response = client.post("/pay/workshop-kit", data=form)

    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert payments(db) == []
    [intent] = intents(db)
    assert intent.status == "canceled"
    discount = db.scalars(select(Discount).where(Discount.code == "TEN")).one()
    assert discount.times_redeemed == 0


def test_resubmit_after_fault_says_nothing_was_charged(
    client, db, kit_link, failing_contacts
):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token)
    client.post("/pay/workshop-kit", data=form)

    again = client.post("/pay/workshop-kit", data=form)

    assert again.status_code == 422
    assert "Nothing was charged." in again.get_data(as_text=True)
    assert 'value="Aino Virtanen"' in again.get_data(as_text=True)
    assert len(intents(db)) == 1


def test_unreversed_charge_message(
    app, client, db, kit_link, failing_contacts, monkeypatch
):
    processor = app.extensions["kassa.processor"]

    def fail_reversal(intent_id):
        raise StoreDown("the processor did not reverse the charge")

    monkeypatch.setattr(processor, "reverse_payment", fail_reversal)
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token)

    first = client.post("/pay/workshop-kit", data=form)
    again = client.post("/pay/workshop-kit", data=form)

    assert first.status_code == 500
    text = again.get_data(as_text=True)
    assert "Nothing was charged" not in text
    assert "Contact the business before you pay again." in text
    [intent] = intents(db)
    assert intent.status == "succeeded"
    attempt = db.scalars(select(CheckoutAttempt)).one()
    assert attempt.state is AttemptState.FAILED
