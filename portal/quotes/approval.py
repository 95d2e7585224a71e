"""The approval rule: quotes that need an owner's or admin's approval to publish."""

from portal.models import Business, Quote, StaffRole
from portal.money import parse_major, to_major

APPROVER_ROLES = frozenset({StaffRole.OWNER, StaffRole.ADMIN})


def approval_amount(quote: Quote) -> int:
    """Return the amount compared with the threshold, in the quote's minor units.

    It is the one-time total plus one billing period of every recurring line,
    before tax: the least the buyer commits to by signing.
    """
    recurring = sum(line.unit_amount * line.quantity for line in quote.recurring_lines)
    return quote.order.total + recurring


def needs_approval(business: Business, quote: Quote) -> bool:
    """Tell whether publishing the quote waits for an approval it does not have.

    A quote in a currency other than the business's always needs approval
    while a threshold is set, because the threshold is in the business
    currency and no exchange rate is kept.
    """
    threshold = business.quote_approval_threshold
    if threshold is None or quote.approved_at is not None:
        return False
    if quote.currency != business.currency:
        return True
    return approval_amount(quote) > threshold


def parse_threshold(text: str, currency: str) -> int | None:
    """Read a threshold typed in major units of ``currency`` into minor units.

    Empty text means no threshold. Raises ``ValueError``, with a message
    naming the fix, for text that is not an amount or is negative.
    """
    text = text.strip()
    if not text:
        return None
    amount = parse_major(text, currency)
    if amount < 0:
        raise ValueError(
            f"{text} is negative. Enter 0 or more, or leave it empty for no approval."
        )
    return amount


def threshold_text(threshold: int | None, currency: str) -> str:
    """Format a stored threshold for the settings form, such as "5000.00"."""
    return "" if threshold is None else str(to_major(threshold, currency))
