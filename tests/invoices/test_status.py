"""Overdue begins at midnight after the due date in the business's time zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.invoices.status import DisplayStatus, buyer_status, display_status
from portal.models import Invoice, InvoiceStatus

DUE = date(2027, 3, 31)
ONE_SECOND = timedelta(seconds=1)


def invoice(status=InvoiceStatus.OPEN, due_date=DUE) -> Invoice:
    return Invoice(status=status, due_date=due_date, currency="EUR", total=100)


def local_midnight_after_due(zone: str) -> datetime:
    """Return 00:00 local time on the day after the due date, in UTC."""
    midnight = datetime(2027, 4, 1, 0, 0, tzinfo=ZoneInfo(zone))
    return midnight.astimezone(UTC)


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "America/Los_Angeles"])
def test_open_until_local_midnight(zone):
    now = local_midnight_after_due(zone) - ONE_SECOND

    assert display_status(invoice(), now, zone) is DisplayStatus.OPEN


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "America/Los_Angeles"])
def test_overdue_from_local_midnight(zone):
    now = local_midnight_after_due(zone)

    assert display_status(invoice(), now, zone) is DisplayStatus.OVERDUE


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "America/Los_Angeles"])
def test_overdue_one_second_after_midnight(zone):
    now = local_midnight_after_due(zone) + ONE_SECOND

    assert display_status(invoice(), now, zone) is DisplayStatus.OVERDUE


def test_same_utc_moment_differs_by_zone():
    # 2027-04-01 03:00 UTC is 06:00 in Helsinki but still 20:00 on the due
    # date in Los Angeles.
    now = datetime(2027, 4, 1, 3, 0, tzinfo=UTC)

    assert display_status(invoice(), now, "Europe/Helsinki") is DisplayStatus.OVERDUE
    assert display_status(invoice(), now, "America/Los_Angeles") is DisplayStatus.OPEN


def test_helsinki_midnight_in_utc():
    # Helsinki is UTC+3 in summer time, which starts on 28 March 2027.
    assert local_midnight_after_due("Europe/Helsinki") == datetime(
        2027, 3, 31, 21, 0, tzinfo=UTC
    )


def test_los_angeles_midnight_in_utc():
    assert local_midnight_after_due("America/Los_Angeles") == datetime(
        2027, 4, 1, 7, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "status",
    [
        InvoiceStatus.DRAFT,
        InvoiceStatus.PAID,
        InvoiceStatus.VOID,
        InvoiceStatus.UNCOLLECTIBLE,
    ],
)
def test_only_open_invoices_become_overdue(status):
    late = datetime(2027, 6, 1, tzinfo=UTC)

    assert display_status(invoice(status), late, "UTC") == status.value


def test_invoice_without_due_date_never_overdue():
    late = datetime(2030, 1, 1, tzinfo=UTC)

    assert display_status(invoice(due_date=None), late, "UTC") is DisplayStatus.OPEN


def test_buyer_sees_uncollectible_as_open():
    before_due = datetime(2027, 3, 1, tzinfo=UTC)
    uncollectible = invoice(InvoiceStatus.UNCOLLECTIBLE)

    assert buyer_status(uncollectible, before_due, "UTC") is DisplayStatus.OPEN


def test_buyer_sees_late_uncollectible_as_overdue():
    late = datetime(2027, 4, 2, tzinfo=UTC)
    uncollectible = invoice(InvoiceStatus.UNCOLLECTIBLE)

    assert buyer_status(uncollectible, late, "UTC") is DisplayStatus.OVERDUE


def test_buyer_status_keeps_paid_and_void():
    late = datetime(2027, 4, 2, tzinfo=UTC)

    assert buyer_status(invoice(InvoiceStatus.PAID), late, "UTC") is DisplayStatus.PAID
    assert buyer_status(invoice(InvoiceStatus.VOID), late, "UTC") is DisplayStatus.VOID
