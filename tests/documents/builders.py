"""A paid payment-link order, built in memory without a database session.

Amounts, worked out by hand (EUR, 10% code TEN on every item line):

    Workshop kit  3 x 65.00 = 195.00, -19.50 -> 175.50, VAT 24% on top 42.12
    Glaze set     2 x 24.50 =  49.00,  -4.90 ->  44.10, VAT 14% included 5.42
    Shipping                    5.95,                  VAT 24% on top  1.43
    Total = 175.50 + 42.12 + 44.10 + 5.95 + 1.43 = 269.10
"""

from datetime import UTC, datetime
from decimal import Decimal

from portal.models import (
    BillingDetails,
    Business,
    Contact,
    Invoice,
    InvoiceStatus,
    Order,
    OrderLine,
    OrderLineKind,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
)

TOTAL = 26910
# 22:30 UTC on 4 December is 00:30 on 5 December in Helsinki.
PAID_AT = datetime(2026, 12, 4, 22, 30, tzinfo=UTC)


def business(**overrides) -> Business:
    values = {
        "id": 1,
        "name": "Nordlys Studio Oy",
        "email": "sales@nordlys.example",
        "currency": "EUR",
        "timezone": "Europe/Helsinki",
        "locale": "en",
        "brand_color": "#2f6f4f",
        "address": "Mannerheimintie 12\n00100 Helsinki\nFinland",
        "tax_id": "FI12345678",
        "logo_url": None,
    }
    values.update(overrides)
    return Business(**values)


def order() -> Order:
    vat = {"tax_name": "VAT", "tax_percent": Decimal("24.0000")}
    lines = [
        OrderLine(
            position=0,
            kind=OrderLineKind.ITEM,
            description="Workshop kit",
            quantity=3,
            unit_amount=6500,
            gross=19500,
            discount=1950,
            tax=4212,
            tax_inclusive=False,
            total=21762,
            **vat,
        ),
        OrderLine(
            position=1,
            kind=OrderLineKind.ITEM,
            description="Glaze set: sävy yö",
            quantity=2,
            unit_amount=2450,
            gross=4900,
            discount=490,
            tax=542,
            tax_name="VAT",
            tax_percent=Decimal("14.0000"),
            tax_inclusive=True,
            total=4410,
        ),
        OrderLine(
            position=2,
            kind=OrderLineKind.FEE,
            description="Shipping",
            quantity=1,
            unit_amount=595,
            gross=595,
            discount=0,
            tax=143,
            tax_inclusive=False,
            total=738,
            **vat,
        ),
    ]
    return Order(
        currency="EUR",
        subtotal=24400,
        discount_total=2440,
        fee_total=595,
        tax_total=4897,
        total=TOTAL,
        discount_code="TEN",
        custom_fields={"T-shirt size": "M", "Dietary needs": "Gluten-free"},
        billing=billing(),
        lines=lines,
    )


def billing() -> BillingDetails:
    """The buyer's details as submitted with the order."""
    return BillingDetails(
        email="aino@example.com",
        name="Aino Virtanen",
        address_line1="Aleksanterinkatu 5 B 12",
        postal_code="00170",
        city="Helsinki",
        country="FI",
    )


def contact() -> Contact:
    return Contact(
        id=7,
        email="aino@example.com",
        name="Aino Virtanen",
        address_line1="Aleksanterinkatu 5 B 12",
        postal_code="00170",
        city="Helsinki",
        country="FI",
    )


def card_payment(status: PaymentStatus = PaymentStatus.SUCCEEDED) -> Payment:
    """A Visa payment of the order above, with its paid invoice."""
    buyer = contact()
    priced = order()
    payment = Payment(
        id=41,
        token="receipt-token",
        currency="EUR",
        amount=TOTAL,
        status=status,
        method=PaymentMethodKind.CARD,
        card_brand="visa",
        card_last4="4242",
        processor="test",
        receipt_number="RCT-000042",
        locale="en",
        created_at=PAID_AT,
        succeeded_at=PAID_AT,
        contact=buyer,
        order=priced,
    )
    payment.invoice = Invoice(
        id=9,
        number="INV-000123",
        token="invoice-token",
        status=InvoiceStatus.PAID,
        currency="EUR",
        total=TOTAL,
        issued_at=PAID_AT,
        paid_at=PAID_AT,
        created_at=PAID_AT,
        order=priced,
        contact=buyer,
    )
    return payment


def processing_debit() -> Payment:
    """A bank debit of the same order that has not settled yet."""
    payment = Payment(
        id=43,
        token="debit-token",
        currency="EUR",
        amount=TOTAL,
        status=PaymentStatus.PROCESSING,
        method=PaymentMethodKind.BANK_DEBIT,
        bank_last4="6789",
        processor="test",
        receipt_number=None,
        locale="en",
        created_at=PAID_AT,
        contact=contact(),
        order=order(),
    )
    return payment
