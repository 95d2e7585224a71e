"""Which quotes need an owner's or admin's approval before they are published."""

from portal.models import Business, Quote, StaffRole

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
