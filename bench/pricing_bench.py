"""Time ``price_order`` on orders of 1, 10 and 100 lines and print the figures.

Run with ``.venv/bin/python bench/pricing_bench.py``. It prints microseconds
per call; the numbers depend on the machine, so compare runs on one host.
"""

import timeit
from decimal import Decimal

from portal.pricing import DiscountRule, FeeInput, LineInput, TaxRule, price_order

VAT = TaxRule("VAT", Decimal("25.5"))


def order_of(size: int):
    lines = [LineInput(f"Item {n}", 1999 + n, 1 + n % 5, VAT) for n in range(size)]
    discount = DiscountRule("TEN", percent=Decimal(10))
    fees = [FeeInput("Shipping", flat_amount=595, tax=VAT)]
    return lines, discount, fees


def main() -> None:
    for size in (1, 10, 100):
        lines, discount, fees = order_of(size)
        runs = 2000 if size < 100 else 200
        seconds = timeit.timeit(
            lambda lines=lines, discount=discount, fees=fees: price_order(
                "EUR", lines, discount, fees
            ),
            number=runs,
        )
        print(f"price_order, {size:>3} lines: {seconds / runs * 1e6:8.1f} µs per call")


if __name__ == "__main__":
    main()
