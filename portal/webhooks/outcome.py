"""The effect of one webhook event, as recorded on its ``processor_events`` row."""

from dataclasses import dataclass, field


@dataclass
class Outcome:
    # "applied", "unchanged", "stale", "unknown_object" or "ignored"
    name: str
    note: str | None = None
    # Payments whose new state the buyer and merchant are emailed about.
    notify_payments: list[int] = field(default_factory=list)
    # Refunds whose receipt is emailed to the buyer.
    notify_refunds: list[int] = field(default_factory=list)


class RetryLater(Exception):
    """An event that cannot be applied yet; Stripe is asked to deliver it again."""
