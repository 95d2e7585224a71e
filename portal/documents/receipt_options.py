"""The business's receipt settings, as the receipt page, PDF and email apply them."""

from dataclasses import dataclass

from portal.documents.facts import address_lines, brand_color
from portal.models import BillingDetails, Business

FOOTER_MAX_LENGTH = 500


@dataclass(frozen=True, slots=True)
class ReceiptOptions:
    """Optional facts and styling of a receipt, read from the business's settings.

    Hidden or empty facts are None or empty lists, so templates test them
    without knowing the settings' names.
    """

    color: str  # #rrggbb
    footer_lines: tuple[str, ...]
    business_address: tuple[str, ...]
    tax_id: str | None
    show_payment_method: bool
    show_custom_fields: bool
    show_buyer_phone: bool
    show_buyer_address: bool

    def buyer_phone(self, billing: BillingDetails) -> str | None:
        return billing.phone if self.show_buyer_phone else None

    def buyer_address(self, billing: BillingDetails, locale: str) -> list[str]:
        if not self.show_buyer_address:
            return []
        return address_lines(billing, locale)


def receipt_options(business: Business) -> ReceiptOptions:
    address: tuple[str, ...] = ()
    if _shown(business.receipt_show_business_address, True) and business.address:
        address = tuple(
            line.strip() for line in business.address.splitlines() if line.strip()
        )
    tax_id = None
    if _shown(business.receipt_show_tax_id, True) and business.tax_id:
        tax_id = business.tax_id
    footer = business.receipt_footer or ""
    return ReceiptOptions(
        color=brand_color(business),
        footer_lines=tuple(line for line in footer.splitlines() if line.strip()),
        business_address=address,
        tax_id=tax_id,
        show_payment_method=_shown(business.receipt_show_payment_method, True),
        show_custom_fields=_shown(business.receipt_show_custom_fields, True),
        show_buyer_phone=_shown(business.receipt_show_buyer_phone, False),
        show_buyer_address=_shown(business.receipt_show_buyer_address, False),
    )


def _shown(setting: bool | None, default: bool) -> bool:
    """Read a receipt setting, which is None on a business not yet flushed."""
    return default if setting is None else setting
