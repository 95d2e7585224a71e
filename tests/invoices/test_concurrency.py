"""Concurrent payments and staff actions on one invoice end in one change."""

import threading

from sqlalchemy import select

from portal.database import now_utc
from portal.invoices.lifecycle import ManualPaymentInput, mark_paid_manually
from portal.models import (
    AuditEvent,
    InvoiceStatus,
    ManualPaymentMethod,
    Payment,
    PaymentStatus,
)
from tests.invoices.conftest import LAST_WEEK, STAFF, open_invoice
from tests.invoices.test_hosted_page import CARD, open_page, page_token

SUBMITS = 10


def run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results = []

    def run(index: int) -> None:
        barrier.wait()
        results.append(work(index))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_tabs_paying_at_once_pay_once(app, db, contact):
    invoice = open_invoice(db, contact)
    client = app.test_client()
    tokens = [page_token(open_page(client, invoice)) for _ in range(SUBMITS)]

    def pay(index: int) -> int:
        response = app.test_client().post(
            f"/invoices/{invoice.token}", data={"token": tokens[index], **CARD}
        )
        return response.status_code

    statuses = run_together(SUBMITS, pay)

    assert sorted(statuses) == [303] + [409] * (SUBMITS - 1)
    db.expire_all()
    [payment] = db.scalars(select(Payment)).all()
    assert payment.status is PaymentStatus.SUCCEEDED
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.payment_id == payment.id


def test_manual_payments_at_once_record_one(app, db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    payment = ManualPaymentInput(
        amount=invoice.total,
        currency="EUR",
        paid_on=now_utc().date(),
        method=ManualPaymentMethod.BANK_TRANSFER,
        reference="RF18",
    )
    sessions = app.extensions["kassa.sessionmaker"]

    def mark(_index: int) -> str:
        with sessions() as session:
            own = session.get(type(invoice), invoice.id)
            mark_paid_manually(session, own, payment, actor=STAFF)
            return own.status.value

    results = run_together(SUBMITS, mark)

    assert results == ["paid"] * SUBMITS
    db.expire_all()
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "invoice.paid_manually")
    ).all()
    assert len(rows) == 1
