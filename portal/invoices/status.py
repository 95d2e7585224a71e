"""The status shown for an invoice, with overdue derived from its due date.

An open invoice is overdue from 00:00 in the business's time zone on the day
after its due date, so the whole due date counts as on time wherever the
server runs.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import object_session

from portal.businesses import get_business
from portal.documents.facts import business_zone
from portal.models import Invoice, InvoiceStatus


class DisplayStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    OVERDUE = "overdue"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


def local_today(now: datetime, timezone: str) -> date:
    """Return the calendar date of the UTC moment ``now`` in ``timezone``."""
    return now.astimezone(business_zone(timezone)).date()


def is_overdue(invoice: Invoice, now: datetime, timezone: str) -> bool:
    if invoice.status is not InvoiceStatus.OPEN or invoice.due_date is None:
        return False
    return local_today(now, timezone) > invoice.due_date


def display_status(
    invoice: Invoice, now: datetime, timezone: str | None = None
) -> DisplayStatus:
    """Return the invoice's status at ``now``, with overdue for a late open one.

    ``timezone`` defaults to the business's, read through the invoice's session.
    """
    if timezone is None:
        timezone = get_business(object_session(invoice)).timezone
    if is_overdue(invoice, now, timezone):
        return DisplayStatus.OVERDUE
    return DisplayStatus(invoice.status.value)


def buyer_status(invoice: Invoice, now: datetime, timezone: str) -> DisplayStatus:
    """Return the status the buyer sees on the invoice page and PDF.

    Uncollectible is the merchant's own bookkeeping, and such an invoice is
    still payable, so the buyer sees it as open or overdue.
    """
    status = display_status(invoice, now, timezone)
    if status is not DisplayStatus.UNCOLLECTIBLE:
        return status
    if invoice.due_date is not None and local_today(now, timezone) > invoice.due_date:
        return DisplayStatus.OVERDUE
    return DisplayStatus.OPEN
