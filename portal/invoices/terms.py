"""Net terms: the due date that follows from an issue date."""

from datetime import date, timedelta

from portal.invoices.errors import InvoiceError
from portal.models import NetTerms

# The window an issue date must fall in. It rejects typing errors such as the
# year 0001 or 9999, and invoices dated more than a year ahead.
EARLIEST_ISSUE_DATE = date(2000, 1, 1)
MAX_DAYS_AHEAD = 365  # the latest issue date is this many days after today
# A custom due date falls at most this many days after the issue date.
MAX_CUSTOM_TERM_DAYS = 365

# Days from the issue date to the due date, for every term but CUSTOM.
NET_DAYS = {
    NetTerms.DUE_ON_RECEIPT: 0,
    NetTerms.NET_7: 7,
    NetTerms.NET_15: 15,
    NetTerms.NET_30: 30,
    NetTerms.NET_45: 45,
    NetTerms.NET_60: 60,
    NetTerms.NET_90: 90,
}

TERMS_LABELS = {
    NetTerms.DUE_ON_RECEIPT: "Due on receipt",
    NetTerms.NET_7: "Net 7",
    NetTerms.NET_15: "Net 15",
    NetTerms.NET_30: "Net 30",
    NetTerms.NET_45: "Net 45",
    NetTerms.NET_60: "Net 60",
    NetTerms.NET_90: "Net 90",
    NetTerms.CUSTOM: "Custom due date",
}


def check_issue_date(issue_date: date, today: date) -> None:
    """Raise ``InvoiceError`` unless ``issue_date`` falls in the accepted window.

    The window runs from ``EARLIEST_ISSUE_DATE`` to ``MAX_DAYS_AHEAD`` days
    after ``today``, the business's current date.
    """
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if EARLIEST_ISSUE_DATE <= issue_date <= latest:
        return
    raise InvoiceError(
        f"The issue date {issue_date.isoformat()} is out of range. Enter a date "
        f"from {EARLIEST_ISSUE_DATE.isoformat()} to {latest.isoformat()}, at most "
        "one year from today.",
        "issue_date",
    )


def due_date_for(
    terms: NetTerms, issue_date: date, custom_due_date: date | None = None
) -> date:
    """Return the due date of an invoice issued on ``issue_date``.

    Custom terms take ``custom_due_date``. Raises ``InvoiceError`` when it is
    missing, before the issue date or more than ``MAX_CUSTOM_TERM_DAYS`` after
    it, or when the due date would fall after the year 9999.
    """
    if terms is not NetTerms.CUSTOM:
        try:
            return issue_date + timedelta(days=NET_DAYS[terms])
        except OverflowError:
            raise InvoiceError(
                f"The issue date {issue_date.isoformat()} leaves no room for "
                f"{TERMS_LABELS[terms]} terms. Enter an earlier issue date.",
                "issue_date",
            ) from None
    if custom_due_date is None:
        raise InvoiceError("Enter a due date, or choose net terms.", "due_date")
    if custom_due_date < issue_date:
        raise InvoiceError(
            f"The due date {custom_due_date.isoformat()} is before the issue date "
            f"{issue_date.isoformat()}. Choose a due date on or after the issue date.",
            "due_date",
        )
    if (custom_due_date - issue_date).days > MAX_CUSTOM_TERM_DAYS:
        raise InvoiceError(
            f"The due date {custom_due_date.isoformat()} is more than "
            f"{MAX_CUSTOM_TERM_DAYS} days after the issue date "
            f"{issue_date.isoformat()}. Choose an earlier due date.",
            "due_date",
        )
    return custom_due_date
