"""Paying a payment link in Stripe mode, as the page's script does."""

from tests.checkout.conftest import kit_form, open_checkout

VISA = "4242424242424242"
DECLINED = "4000000000000341"  # localstripe declines it when it is charged
AUTHENTICATES = "4000002500003155"
FAILING_IBAN = "DE62370400440532013001"  # localstripe fails this debit after a moment
SETTLING_IBAN = "DE89370400440532013000"


def stripe_form(page: str, token: str, payment_method: str, **overrides) -> dict:
    """Return the kit form as Stripe.js leaves it: a PaymentMethod id, no card."""
    form = kit_form(page, token, **overrides)
    for name in ("method", "card_number", "card_expiry", "card_cvc"):
        form.pop(name, None)
    if payment_method:
        form["payment_method"] = payment_method
    return form


def pay_kit(client, localstripe, card: str = VISA, **overrides):
    """Pay the workshop kit link with a card PaymentMethod made in the browser."""
    page, token = open_checkout(client, "workshop-kit")
    method = localstripe.card(card)
    return client.post(
        "/pay/workshop-kit", data=stripe_form(page, token, method, **overrides)
    )
