"""When a quote stops being valid: the end of its expiration date, locally."""

from datetime import datetime, time, timedelta

from portal.documents.facts import business_zone
from portal.models import Quote


def valid_until(quote: Quote, timezone: str) -> datetime:
    """Return the first moment after the quote's validity, as an aware datetime.

    A quote is valid through 23:59:59 of ``expires_on`` in the business's
    time zone, so this is the next local midnight. Adding a day to the local
    date before converting keeps a day that is 23 or 25 hours long, across a
    daylight saving change, correct.
    """
    next_day = quote.expires_on + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=business_zone(timezone))


def is_expired(quote: Quote, now: datetime, timezone: str) -> bool:
    """Tell whether ``now`` (UTC-aware) is past the quote's expiration date."""
    return now >= valid_until(quote, timezone)
