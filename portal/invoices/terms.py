"""Net terms: the due date that follows from an issue date."""

from datetime import date, timedelta

from portal.invoices.errors import InvoiceError
from portal.models import NetTerms

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


def due_date_for(
    terms: NetTerms, issue_date: date, custom_due_date: date | None = None
) -> date:
    """Return the due date of an invoice issued on ``issue_date``.

    Custom terms take ``custom_due_date``. Raises ``InvoiceError`` when it is
    missing or before the issue date.
    """
    if terms is not NetTerms.CUSTOM:
        return issue_date + timedelta(days=NET_DAYS[terms])
    if custom_due_date is None:
        raise InvoiceError("Enter a due date, or choose net terms.", "due_date")
    if custom_due_date < issue_date:
        raise InvoiceError(
            f"The due date {custom_due_date.isoformat()} is before the issue date "
            f"{issue_date.isoformat()}. Choose a due date on or after the issue date.",
            "due_date",
        )
    return custom_due_date
