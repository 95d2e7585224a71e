"""Buyer-facing names of invoice statuses, net terms and manual payment methods."""

from flask_babel import gettext as _

from portal.invoices.status import DisplayStatus
from portal.models import ManualPaymentMethod, NetTerms


def display_status_label(status: DisplayStatus) -> str:
    labels = {
        DisplayStatus.DRAFT: _("Draft"),
        DisplayStatus.OPEN: _("Open"),
        DisplayStatus.OVERDUE: _("Overdue"),
        DisplayStatus.PAID: _("Paid"),
        DisplayStatus.VOID: _("Void"),
        DisplayStatus.UNCOLLECTIBLE: _("Uncollectible"),
    }
    return labels[status]


def terms_label(terms: NetTerms) -> str:
    if terms is NetTerms.DUE_ON_RECEIPT:
        return _("Due on receipt")
    if terms is NetTerms.CUSTOM:
        return _("Due by the due date")
    days = int(terms.value.removeprefix("net_"))
    return _("Net %(days)d days", days=days)


def manual_method_label(method: ManualPaymentMethod) -> str:
    labels = {
        ManualPaymentMethod.BANK_TRANSFER: _("Bank transfer"),
        ManualPaymentMethod.CASH: _("Cash"),
        ManualPaymentMethod.CHEQUE: _("Cheque"),
        ManualPaymentMethod.OTHER: _("Other"),
    }
    return labels[method]
