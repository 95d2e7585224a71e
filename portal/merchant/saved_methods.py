"""Labels of customers' saved payment methods in the back office."""

from portal.documents.facts import card_brand_name
from portal.models import SavedPaymentMethod


def saved_method_label(method: SavedPaymentMethod) -> str:
    """Name a saved method as customers see it, such as "Visa ending 4242"."""
    if method.kind == "bank_debit":
        name = "Bank debit"
    else:
        name = card_brand_name(method.brand)
    return f"{name} ending {method.last4 or '····'}"
