"""Changes of the business's receipt settings, as staff edit them."""

from dataclasses import dataclass

from portal.documents.receipt_options import FOOTER_MAX_LENGTH
from portal.models import Business

# Receipt setting -> what staff read next to its checkbox.
RECEIPT_FLAGS = {
    "receipt_show_business_address": "Business address",
    "receipt_show_tax_id": "Tax ID",
    "receipt_show_payment_method": "Payment method",
    "receipt_show_custom_fields": "Answers to custom fields",
    "receipt_show_buyer_phone": "Buyer's phone number",
    "receipt_show_buyer_address": "Buyer's address",
}


class InvalidReceiptSetting(ValueError):
    """A receipt setting that cannot be stored; the message states what to fix."""


@dataclass(frozen=True, slots=True)
class ReceiptSettings:
    footer: str | None
    flags: dict[str, bool]  # RECEIPT_FLAGS key -> shown


def check_footer(text: str) -> str | None:
    """Return the footer with line endings normalised, or None when empty."""
    footer = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if len(footer) > FOOTER_MAX_LENGTH:
        raise InvalidReceiptSetting(
            f"The footer is {len(footer)} characters long. Shorten it to at most "
            f"{FOOTER_MAX_LENGTH}."
        )
    return footer or None


def apply_receipt_settings(
    business: Business, settings: ReceiptSettings
) -> dict[str, tuple[object, object]]:
    """Set the receipt settings that differ and return them as field -> (old, new)."""
    values: dict[str, object] = {"receipt_footer": settings.footer}
    for name in RECEIPT_FLAGS:
        values[name] = bool(settings.flags.get(name, False))
    changes = {}
    for name, new in values.items():
        old = getattr(business, name)
        if old != new:
            changes[name] = (old, new)
            setattr(business, name, new)
    return changes
