"""The payments list of the account overview, with each payment's refund state."""

import re

import pytest

from portal.models import Refund, RefundReason, RefundStatus
from tests.account.test_other_customers import make_payment


def refund(db, payment, amount: int, key: str) -> None:
    db.add(
        Refund(
            payment_id=payment.id,
            amount=amount,
            currency=payment.currency,
            reason=RefundReason.REQUESTED_BY_CUSTOMER,
            status=RefundStatus.SUCCEEDED,
            idempotency_key=key,
        )
    )
    db.commit()


def status_cell(page: str, payment) -> str:
    row = re.search(rf'<tr id="payment-{payment.token}">(.*?)</tr>', page, re.S)
    assert row, page
    cell = re.search(r'<td class="payment-status">([^<]*)</td>', row.group(1))
    assert cell, row.group(1)
    return cell.group(1)


@pytest.mark.parametrize(
    ("refunded", "label"),
    [(0, "Paid"), (1000, "Partially refunded"), (2900, "Refunded")],
)
def test_payment_list_refund_state(aino_client, db, aino, refunded, label):
    payment = make_payment(db, aino)
    db.commit()
    if refunded:
        refund(db, payment, refunded, f"refund-{payment.id}")

    page = aino_client.get("/account/").get_data(as_text=True)

    assert status_cell(page, payment) == label
