"""Reminder emails before and after an invoice's due date.

Staff choose offsets in days from the due date; ``send_due_reminders``, run
from cron through ``flask --app wsgi invoices remind``, sends each one once.
A reminder is claimed by a conditional UPDATE before its email goes out, so
two runs at the same time never send it twice, and a failed email gives the
claim back for the next run.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from portal import audit
from portal.businesses import get_business
from portal.database import now_utc
from portal.invoices.attempts import lock_invoice
from portal.invoices.errors import InvoiceError, InvoiceStateError
from portal.invoices.status import local_today
from portal.models import Business, Invoice, InvoiceReminder, InvoiceStatus
from portal.models.invoices import MAX_REMINDER_OFFSET, MIN_REMINDER_OFFSET
from portal.notifications import MailConfigError, MailDeliveryError
from portal.notifications.invoices import send_reminder_email

logger = logging.getLogger(__name__)

# The offsets the staff form offers: 3 days before, the due date, 7 and 14 after.
SUGGESTED_OFFSETS = (-3, 0, 7, 14)


@dataclass(frozen=True, slots=True)
class SentReminder:
    invoice: Invoice
    offset_days: int
    delivered: bool


def describe_offset(offset_days: int) -> str:
    """Name an offset for staff, such as "3 days before the due date"."""
    if offset_days == 0:
        return "On the due date"
    days = abs(offset_days)
    unit = "day" if days == 1 else "days"
    side = "before" if offset_days < 0 else "after"
    return f"{days} {unit} {side} the due date"


def schedule_reminders(
    session: Session,
    invoice: Invoice,
    offsets: set[int],
    *,
    actor: str,
    client_address: str | None = None,
) -> Invoice:
    """Set the invoice's reminders to ``offsets`` and commit.

    Reminders already sent stay as a record; unsent ones that are no longer
    chosen are removed. Choosing the same offsets again changes nothing.
    """
    lock_invoice(session, invoice)
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.OPEN):
        raise InvoiceStateError(
            f"Reminders are only sent for unpaid invoices, and this one is "
            f"{invoice.status.value}."
        )
    for offset in offsets:
        if not MIN_REMINDER_OFFSET <= offset <= MAX_REMINDER_OFFSET:
            raise InvoiceError(
                f"A reminder {offset} days from the due date is invalid. Use "
                f"{MIN_REMINDER_OFFSET} to {MAX_REMINDER_OFFSET} days.",
                "reminders",
            )
    before = _pending(invoice)
    existing = {reminder.offset_days for reminder in invoice.reminders}
    for reminder in list(invoice.reminders):
        if reminder.offset_days not in offsets and reminder.sent_at is None:
            invoice.reminders.remove(reminder)
    for offset in sorted(offsets - existing):
        invoice.reminders.append(InvoiceReminder(offset_days=offset))
    if _pending(invoice) != before:
        audit.record(
            session,
            subject_type="invoice",
            subject_id=invoice.id,
            action="invoice.reminders_scheduled",
            actor=actor,
            from_state=invoice.status.value,
            to_state=invoice.status.value,
            client_address=client_address,
            details={"offsets": ",".join(str(o) for o in sorted(offsets))},
        )
    session.commit()
    return invoice


def send_due_reminders(
    session: Session, as_of: date | None = None
) -> list[SentReminder]:
    """Send the reminders due by ``as_of``, a date in the business's time zone.

    A reminder is due once the day ``due_date + offset_days`` has begun. Only
    open invoices get reminders. When several of one invoice's reminders are
    due at once, as after a missed run, only the latest goes out and the
    others are marked skipped, so the buyer gets one email.
    """
    business = get_business(session)
    today = as_of or local_today(now_utc(), business.timezone)
    results = []
    for invoice in _invoices_with_due_reminders(session, today):
        due = [
            reminder
            for reminder in invoice.reminders
            if _is_due(invoice, reminder, today)
        ]
        latest = max(due, key=lambda reminder: reminder.offset_days)
        for reminder in due:
            if reminder is not latest:
                reminder.skipped = True
        session.commit()
        if not _claim(session, latest):
            continue
        delivered = _deliver(session, invoice, latest, business, today)
        results.append(SentReminder(invoice, latest.offset_days, delivered))
    return results


def _pending(invoice: Invoice) -> set[int]:
    """Return the offsets of the reminders not sent yet."""
    return {
        reminder.offset_days
        for reminder in invoice.reminders
        if reminder.sent_at is None
    }


def _is_due(invoice: Invoice, reminder: InvoiceReminder, today: date) -> bool:
    if reminder.sent_at is not None or reminder.skipped:
        return False
    return invoice.due_date + timedelta(days=reminder.offset_days) <= today


def _invoices_with_due_reminders(session: Session, today: date) -> list[Invoice]:
    """Return the open invoices that have at least one unsent reminder due."""
    invoices = session.scalars(
        select(Invoice)
        .join(InvoiceReminder, InvoiceReminder.invoice_id == Invoice.id)
        .where(
            Invoice.status == InvoiceStatus.OPEN,
            Invoice.due_date.is_not(None),
            InvoiceReminder.sent_at.is_(None),
            InvoiceReminder.skipped.is_(False),
        )
        .options(selectinload(Invoice.reminders))
        .order_by(Invoice.id)
        .distinct()
    ).all()
    return [
        invoice
        for invoice in invoices
        if any(_is_due(invoice, reminder, today) for reminder in invoice.reminders)
    ]


def _claim(session: Session, reminder: InvoiceReminder) -> bool:
    """Mark the reminder sent unless another run did first; commit."""
    open_invoices = select(Invoice.id).where(Invoice.status == InvoiceStatus.OPEN)
    claimed = session.execute(
        update(InvoiceReminder)
        .where(
            InvoiceReminder.id == reminder.id,
            InvoiceReminder.sent_at.is_(None),
            InvoiceReminder.invoice_id.in_(open_invoices),
        )
        .values(sent_at=now_utc())
    ).rowcount
    session.commit()
    session.refresh(reminder)
    return claimed == 1


def _deliver(
    session: Session,
    invoice: Invoice,
    reminder: InvoiceReminder,
    business: Business,
    today: date,
) -> bool:
    """Email the claimed reminder; on failure give the claim back and return False."""
    try:
        send_reminder_email(invoice, business, today)
    except (MailDeliveryError, MailConfigError, OSError):
        logger.exception(
            "emailing reminder %s of invoice %s failed", reminder.id, invoice.id
        )
        reminder.sent_at = None
        session.commit()
        return False
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action="invoice.reminder_sent",
        actor="system",
        from_state=invoice.status.value,
        to_state=invoice.status.value,
        details={"offset_days": str(reminder.offset_days)},
    )
    session.commit()
    logger.info("reminder %s of invoice %s sent", reminder.id, invoice.id)
    return True
