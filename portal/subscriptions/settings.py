"""Checks of the business's subscription and account-area settings."""

import re

from portal.models import Business

MAX_RETRIES = 10
MAX_RETRY_DAY = 60  # days after the first failed charge
MAX_REMINDER_DAYS = 365  # the database's check constraint allows 0 to 365
# The status a subscription takes when every retry failed.
AFTER_RETRIES = ("canceled", "unpaid")
ACCOUNT_SWITCHES = {
    "account_shows_invoices": "Show open invoices, which customers can pay",
    "account_shows_payments": "Show payments with receipts",
    "account_shows_subscriptions": "Show subscriptions",
    "account_allows_cancel": (
        "Let customers cancel at period end, undo that before the period "
        "ends, and subscribe again after a cancel"
    ),
    "account_allows_method_update": "Let customers replace the payment method",
    "account_allows_billing_details": "Let customers edit their billing details",
    "account_shows_quotes": "Show quotes waiting for a signature",
}
_SEPARATORS = re.compile(r"[\s,;]+")


class InvalidSubscriptionSetting(ValueError):
    """A setting that cannot be stored; the message states what to enter instead."""


def parse_retry_days(text: str) -> list[int]:
    """Return the retry days in ``text``, such as "1, 3, 5, 7", checked.

    Each is a whole number of days after the first failed charge, from 1 to
    ``MAX_RETRY_DAY``, in increasing order, at most ``MAX_RETRIES`` of them.
    An empty text means no retries.
    """
    days = []
    for part in _SEPARATORS.split(text.strip()):
        if not part:
            continue
        if not part.isascii() or not part.isdigit():
            raise InvalidSubscriptionSetting(
                f"{part!r} is not a whole number of days. Enter days such as "
                "1, 3, 5, 7."
            )
        day = int(part)
        if not 1 <= day <= MAX_RETRY_DAY:
            raise InvalidSubscriptionSetting(
                f"Retry day {day} is out of range. Use days from 1 to {MAX_RETRY_DAY}."
            )
        if days and day <= days[-1]:
            raise InvalidSubscriptionSetting(
                f"Retry day {day} is not after {days[-1]}. List the days in "
                "increasing order, each once."
            )
        days.append(day)
    if len(days) > MAX_RETRIES:
        raise InvalidSubscriptionSetting(
            f"{len(days)} retries are too many. Enter at most {MAX_RETRIES} days."
        )
    return days


def check_reminder_days(value: int | None) -> int:
    if value is None or not 0 <= value <= MAX_REMINDER_DAYS:
        raise InvalidSubscriptionSetting(
            "Enter the days before a renewal as a whole number from 0 to "
            f"{MAX_REMINDER_DAYS}."
        )
    return value


def apply_subscription_settings(
    business: Business, values: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Store checked ``values`` and return each changed field's old and new value."""
    changes: dict[str, tuple[object, object]] = {}
    for field, new in values.items():
        old = getattr(business, field)
        if old != new:
            setattr(business, field, new)
            changes[field] = (old, new)
    return changes
