"""The subscription period a payment paid for, as receipts show it."""

from datetime import timedelta

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import object_session

from portal.models import Payment, SubscriptionPeriod


def paid_period(payment: Payment, locale: str) -> str | None:
    """Return the dates of the subscription period a payment paid for, or None.

    The start and end are long dates joined by an en dash. The end is the
    period's last day of service, the day before its ``ends_on``.
    """
    session = object_session(payment)
    if session is None or payment.id is None:
        return None
    period = session.scalars(
        select(SubscriptionPeriod).where(SubscriptionPeriod.payment_id == payment.id)
    ).first()
    if period is None:
        return None
    last_day = period.ends_on - timedelta(days=1)
    return _(
        "%(start)s \u2013 %(end)s",
        start=format_date(period.starts_on, "long", locale=locale),
        end=format_date(last_day, "long", locale=locale),
    )
