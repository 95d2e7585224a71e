"""Whether a payment link takes payments right now."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Payment, PaymentLink, PaymentStatus

# Payments that count towards a link's limit: done, or on their way.
COMPLETED_STATES = (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING)


def completed_payments(session: Session, link: PaymentLink) -> int:
    return session.scalar(
        select(func.count(Payment.id)).where(
            Payment.link_id == link.id, Payment.status.in_(COMPLETED_STATES)
        )
    )


def unavailable_reason(
    session: Session, link: PaymentLink, now: datetime
) -> str | None:
    """Return why the link takes no payment now, or None when it does."""
    if not link.active:
        return _("This payment link has been deactivated and no longer takes payments.")
    if link.expires_at is not None and link.expires_at <= now:
        return _("This payment link has expired and no longer takes payments.")
    if (
        link.max_payments is not None
        and completed_payments(session, link) >= link.max_payments
    ):
        return _(
            "This payment link has reached its limit of payments and no longer "
            "takes new ones."
        )
    return None
