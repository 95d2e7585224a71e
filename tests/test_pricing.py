from decimal import Decimal

import pytest

from portal.pricing import (
    DiscountRule,
    FeeInput,
    LineInput,
    OrderTotals,
    PricingError,
    TaxRule,
    price_order,
)

VAT_6 = TaxRule("VAT", Decimal(6))
VAT_24_INCLUSIVE = TaxRule("VAT", Decimal(24), inclusive=True)


def percent_off(value):
    return DiscountRule("Percent off", percent=Decimal(value))


def amount_off(value):
    return DiscountRule("Amount off", amount_off=value)


def assert_totals_add_up(totals: OrderTotals):
    exclusive_tax = totals.tax - totals.inclusive_tax
    expected = totals.subtotal - totals.discount + totals.fee_total + exclusive_tax
    assert totals.total == expected


def test_worked_example_eur():
    totals = price_order(
        "EUR",
        [LineInput("Workshop kit", 6500, 4, tax=VAT_6)],
        order_discount=percent_off(10),
        fees=[FeeInput("Shipping", flat_amount=595, tax=VAT_6)],
    )

    assert totals.currency == "EUR"
    assert totals.subtotal == 26000
    assert totals.discount == 2600
    assert totals.fee_total == 595
    assert totals.tax == 1440
    assert totals.inclusive_tax == 0
    assert totals.total == 25435
    assert totals.lines[0].net == 23400
    assert totals.lines[0].tax == 1404
    assert totals.lines[0].tax_name == "VAT"
    assert totals.fees[0].tax == 36
    assert totals.fees[0].total == 631
    assert_totals_add_up(totals)


def test_jpy_single_line():
    totals = price_order("JPY", [LineInput("Sticker", 80, 1)])

    assert totals.subtotal == 80
    assert totals.tax == 0
    assert totals.total == 80


@pytest.mark.parametrize(
    ("unit_amount", "expected_tax"),
    [
        pytest.param(85, 9, id="8.5-rounds-up"),
        pytest.param(75, 8, id="7.5-rounds-up"),
        pytest.param(84, 8, id="8.4-rounds-down"),
        pytest.param(86, 9, id="8.6-rounds-up"),
    ],
)
def test_jpy_tax_rounds_half_up(unit_amount, expected_tax):
    tax = TaxRule("Consumption tax", Decimal(10))

    totals = price_order("JPY", [LineInput("Sticker", unit_amount, 1, tax=tax)])

    assert totals.tax == expected_tax
    assert totals.total == unit_amount + expected_tax


@pytest.mark.parametrize(
    ("line_discount", "order_discount"),
    [
        pytest.param(percent_off(100), None, id="line-discount"),
        pytest.param(None, percent_off(100), id="order-discount"),
    ],
)
def test_full_discount_leaves_zero(line_discount, order_discount):
    line = LineInput("Gift", 4990, 2, tax=VAT_6, discount=line_discount)

    totals = price_order("EUR", [line], order_discount=order_discount)

    assert totals.subtotal == 9980
    assert totals.discount == 9980
    assert totals.tax == 0
    assert totals.total == 0


@pytest.mark.parametrize(
    ("unit_amounts", "amount", "expected_shares"),
    [
        pytest.param([1000, 2000, 3333], 1000, [157, 315, 528], id="proportional"),
        pytest.param([1000, 1000], 1000, [500, 500], id="even-split"),
        pytest.param([1, 1, 1], 2, [0, 1, 1], id="remainder-on-last-lines"),
        pytest.param([3, 3, 0], 5, [2, 3, 0], id="remainder-skips-free-line"),
        pytest.param([0, 1000], 300, [0, 300], id="free-line-gets-nothing"),
        pytest.param([500], 200, [200], id="single-line"),
        pytest.param([100, 200], 300, [100, 200], id="exactly-the-goods"),
        pytest.param([100, 200], 10000, [100, 200], id="capped-at-goods"),
    ],
)
def test_fixed_order_discount_split(unit_amounts, amount, expected_shares):
    lines = [LineInput(f"Item {n}", unit, 1) for n, unit in enumerate(unit_amounts)]

    totals = price_order("EUR", lines, order_discount=amount_off(amount))

    shares = [line.discount for line in totals.lines]
    assert shares == expected_shares
    assert sum(shares) == min(amount, sum(unit_amounts))
    assert all(line.net >= 0 for line in totals.lines)
    assert_totals_add_up(totals)


def test_fixed_discount_above_order_leaves_zero():
    lines = [
        LineInput("Mug", 1250, 2, tax=VAT_6),
        LineInput("Poster", 799, 1, tax=VAT_24_INCLUSIVE),
    ]

    totals = price_order("EUR", lines, order_discount=amount_off(1_000_000))

    assert totals.discount == totals.subtotal == 3299
    assert [line.net for line in totals.lines] == [0, 0]
    assert [line.total for line in totals.lines] == [0, 0]
    assert totals.tax == 0
    assert totals.total == 0


def test_line_amount_off_capped_at_line():
    line = LineInput("Mug", 300, 1, discount=amount_off(500))

    totals = price_order("EUR", [line])

    assert totals.lines[0].discount == 300
    assert totals.total == 0


def test_inclusive_tax_is_contained_in_total():
    totals = price_order("EUR", [LineInput("Book", 12400, 1, tax=VAT_24_INCLUSIVE)])

    assert totals.subtotal == 12400
    assert totals.tax == 2400
    assert totals.inclusive_tax == 2400
    assert totals.total == 12400
    assert totals.lines[0].tax_inclusive is True
    assert_totals_add_up(totals)


def test_inclusive_tax_after_discount():
    line = LineInput("Book", 12400, 1, tax=VAT_24_INCLUSIVE)

    totals = price_order("EUR", [line], order_discount=percent_off(50))

    assert totals.discount == 6200
    assert totals.tax == 1200
    assert totals.total == 6200


def test_inclusive_tax_on_fee():
    fee = FeeInput("Handling", flat_amount=620, tax=VAT_24_INCLUSIVE)

    totals = price_order("EUR", [LineInput("Book", 1000, 1)], fees=[fee])

    assert totals.fees[0].tax == 120
    assert totals.fees[0].total == 620
    assert totals.inclusive_tax == 120
    assert totals.total == 1620
    assert_totals_add_up(totals)


def test_percent_fee_on_discounted_goods():
    fee = FeeInput("Service", percent=Decimal("2.5"), tax=TaxRule("VAT", Decimal(24)))

    totals = price_order(
        "EUR",
        [LineInput("Ticket", 5000, 2)],
        order_discount=percent_off(20),
        fees=[fee],
    )

    assert totals.subtotal == 10000
    assert totals.discount == 2000
    assert totals.fee_total == 200
    assert totals.fees[0].tax == 48
    assert totals.tax == 48
    assert totals.total == 8248
    assert_totals_add_up(totals)


def test_percent_fee_rounds_half_up():
    fee = FeeInput("Service", percent=Decimal(1))

    totals = price_order("EUR", [LineInput("Ticket", 150, 1)], fees=[fee])

    assert totals.fee_total == 2
    assert totals.total == 152


def test_tax_rounded_per_line():
    # 1% of 150 is 1.5 cents, which rounds up to 2 on each line. Rounding the
    # order's 4.5 cents once would give 5 instead of 6.
    tax = TaxRule("VAT", Decimal(1))
    lines = [LineInput(f"Item {n}", 150, 1, tax=tax) for n in range(3)]

    totals = price_order("EUR", lines)

    assert [line.tax for line in totals.lines] == [2, 2, 2]
    assert totals.tax == 6
    assert totals.total == 456


def test_line_discounts_then_order_discount():
    lines = [
        LineInput(
            "Jacket",
            10000,
            1,
            tax=TaxRule("VAT", Decimal(24)),
            discount=percent_off(10),
        ),
        LineInput("Scarf", 2500, 2, discount=amount_off(500)),
    ]

    totals = price_order("EUR", lines, order_discount=percent_off(10))

    jacket, scarf = totals.lines
    assert jacket.discount == 1900
    assert jacket.net == 8100
    assert jacket.tax == 1944
    assert scarf.discount == 950
    assert scarf.net == 4050
    assert totals.subtotal == 15000
    assert totals.discount == 2850
    assert totals.total == 14094
    assert_totals_add_up(totals)


def test_fixed_order_discount_after_line_discounts():
    lines = [
        LineInput("Jacket", 10000, 1, discount=percent_off(50)),
        LineInput("Scarf", 5000, 1),
    ]

    totals = price_order("EUR", lines, order_discount=amount_off(1000))

    assert [line.discount for line in totals.lines] == [5500, 500]
    assert totals.total == 9000


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: LineInput("Mug", 100, 0), "quantity is at least 1", id="quantity-0"
        ),
        pytest.param(
            lambda: LineInput("Mug", 100, -2),
            "quantity is at least 1",
            id="quantity-negative",
        ),
        pytest.param(
            lambda: LineInput("Mug", -1, 1),
            "unit amount cannot be negative",
            id="unit-amount-negative",
        ),
        pytest.param(
            lambda: percent_off(0), "between 0 and 100", id="discount-percent-0"
        ),
        pytest.param(
            lambda: percent_off("100.01"),
            "between 0 and 100",
            id="discount-percent-above-100",
        ),
        pytest.param(
            lambda: percent_off(-5),
            "between 0 and 100",
            id="discount-percent-negative",
        ),
        pytest.param(
            lambda: amount_off(0), "greater than zero", id="discount-amount-off-0"
        ),
        pytest.param(
            lambda: amount_off(-100),
            "greater than zero",
            id="discount-amount-off-negative",
        ),
        pytest.param(
            lambda: DiscountRule("Both", percent=Decimal(10), amount_off=100),
            "either a percent or an amount off",
            id="discount-both",
        ),
        pytest.param(
            lambda: DiscountRule("Neither"),
            "either a percent or an amount off",
            id="discount-neither",
        ),
        pytest.param(
            lambda: FeeInput("Both", flat_amount=100, percent=Decimal(2)),
            "either a flat amount or a percent",
            id="fee-both",
        ),
        pytest.param(
            lambda: FeeInput("Neither"),
            "either a flat amount or a percent",
            id="fee-neither",
        ),
        pytest.param(
            lambda: FeeInput("Refund", flat_amount=-100),
            "is negative",
            id="fee-flat-negative",
        ),
        pytest.param(
            lambda: FeeInput("Free", percent=Decimal(0)),
            "above 0 and up to 100",
            id="fee-percent-0",
        ),
        pytest.param(
            lambda: FeeInput("Huge", percent=Decimal(101)),
            "above 0 and up to 100",
            id="fee-percent-above-100",
        ),
        pytest.param(
            lambda: TaxRule("Negative", Decimal(-1)),
            "Tax rate -1% is invalid",
            id="tax-negative",
        ),
        pytest.param(
            lambda: TaxRule("Huge", Decimal("100.5")),
            "from 0 to 100",
            id="tax-above-100",
        ),
        pytest.param(
            lambda: price_order("EUR", []),
            "at least one line item",
            id="empty-order",
        ),
    ],
)
def test_invalid_input_rejected(build, message):
    with pytest.raises(PricingError, match=message):
        build()


@pytest.mark.parametrize(
    "percent",
    [
        pytest.param(Decimal(0), id="zero"),
        pytest.param(Decimal(100), id="hundred"),
    ],
)
def test_tax_rate_bounds_accepted(percent):
    rule = TaxRule("VAT", percent)

    assert rule.tax_on(1000) == 1000 * percent / 100


def test_zero_flat_fee_accepted():
    fee = FeeInput("Free shipping", flat_amount=0)

    totals = price_order("EUR", [LineInput("Mug", 100, 1)], fees=[fee])

    assert totals.fee_total == 0
    assert totals.total == 100


def test_pricing_error_is_value_error():
    assert issubclass(PricingError, ValueError)
