"""Saving a payment link's checked options, and turning it on and off.

Orders copy every line they charge (description, amounts, tax name and
percent), so editing a link that has payments changes its future checkouts
and none of its earlier orders.

NOTE: the receipt page reads the link's after-payment message when it is
shown, so an edited message appears on earlier receipts too.
"""

import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.catalog.errors import FORM, CatalogError
from portal.checkout.order import price_link
from portal.links.inputs import CustomFieldInput, ItemInput, LinkInput
from portal.links.slugs import generate_slug
from portal.models import CustomField, Fee, PaymentLink, PaymentLinkItem
from portal.money import format_money
from portal.pricing import PricingError
from portal.processors.base import MAX_AMOUNT

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 40  # the custom_fields.key column
_NOT_KEY = re.compile(r"[^a-z0-9]+")
SIMPLE_FIELDS = (
    "title",
    "description",
    "currency",
    "allow_discount_codes",
    "allow_bank_debit",
    "collect_name",
    "collect_address",
    "collect_phone",
    "after_payment_message",
    "after_payment_url",
    "expires_at",
    "max_payments",
    "allowed_origins",
    "trial_days",
    "start_delay",
    "start_delay_unit",
    "start_on",
)


def slug_taken(session: Session, slug: str, link_id: int | None = None) -> bool:
    other = session.scalar(select(PaymentLink.id).where(PaymentLink.slug == slug))
    return other is not None and other != link_id


def create_link(session: Session, values: LinkInput) -> PaymentLink:
    """Add a link with ``values``.

    Raises ``CatalogError`` for a taken slug or a total the processor rejects.
    """
    slug = values.slug or _free_generated_slug(session, values.title)
    if slug_taken(session, slug):
        raise CatalogError(_slug_taken_message(slug), "slug")
    link = PaymentLink(slug=slug)
    session.add(link)
    apply_link_input(session, link, values)
    return link


def update_link(
    session: Session, link: PaymentLink, values: LinkInput
) -> dict[str, str]:
    """Apply ``values`` to a saved link and return what changed, field by field."""
    if values.slug is not None and slug_taken(session, values.slug, link.id):
        raise CatalogError(_slug_taken_message(values.slug), "slug")
    return apply_link_input(session, link, values)


def apply_link_input(
    session: Session, link: PaymentLink, values: LinkInput
) -> dict[str, str]:
    changes: dict[str, str] = {}
    if values.slug is not None and values.slug != link.slug:
        changes["slug"] = values.slug
        link.slug = values.slug
    for field in SIMPLE_FIELDS:
        new = getattr(values, field)
        if getattr(link, field) != new:
            changes[field] = str(new)
            setattr(link, field, new)

    if [_item_input(item) for item in link.items] != list(values.items):
        changes["items"] = str(len(values.items))
        # Rows are replaced, and the old ones must be gone before the new
        # ones take their positions, which are unique per link.
        link.items.clear()
        session.flush()
        for position, item in enumerate(values.items):
            link.items.append(_new_item(position, item))

    if tuple(fee.id for fee in link.fees) != values.fee_ids:
        changes["fees"] = ",".join(map(str, values.fee_ids))
        chosen = select(Fee).where(Fee.id.in_(values.fee_ids))
        fees = {fee.id: fee for fee in session.scalars(chosen)}
        link.fees = [fees[fee_id] for fee_id in values.fee_ids]

    current_fields = [_field_input(field) for field in link.custom_fields]
    if current_fields != list(values.custom_fields):
        changes["custom_fields"] = str(len(values.custom_fields))
        link.custom_fields.clear()
        session.flush()
        keys: set[str] = set()
        for position, custom in enumerate(values.custom_fields):
            link.custom_fields.append(_new_field(position, custom, keys))

    session.flush()
    check_total(link)
    return changes


def check_total(link: PaymentLink) -> None:
    """Raise ``CatalogError`` unless the link can be priced at its first quantities.

    A total above what the processor takes in one payment is rejected too.
    """
    try:
        totals = price_link(link, {}, None)
    except PricingError as error:
        raise CatalogError(str(error), FORM) from None
    if totals.total > MAX_AMOUNT:
        total = format_money(totals.total, link.currency, "en")
        limit = format_money(MAX_AMOUNT, link.currency, "en")
        raise CatalogError(
            f"The total at the first quantities is {total}, above the {limit} "
            "the payment processor takes in one payment. Lower a price or "
            "quantity.",
            FORM,
        )


def set_active(link: PaymentLink, active: bool) -> bool:
    """Turn the link on or off; returns False when it already was."""
    if link.active is active:
        return False
    link.active = active
    return True


def _slug_taken_message(slug: str) -> str:
    return (
        f"Another payment link already has the URL ending {slug!r}. "
        "Choose another one, or leave it empty on a new link for a generated one."
    )


def _free_generated_slug(session: Session, title: str) -> str:
    slug = generate_slug(title)
    while slug_taken(session, slug):
        logger.warning("generated payment link slug was taken; generating another")
        slug = generate_slug(title)
    return slug


def _item_input(item: PaymentLinkItem) -> ItemInput:
    return ItemInput(
        price_id=item.price_id,
        quantity=item.quantity,
        adjustable_quantity=item.adjustable_quantity,
        min_quantity=item.min_quantity,
        max_quantity=item.max_quantity,
        tax_rate_id=item.tax_rate_id,
        discount_id=item.discount_id,
    )


def _new_item(position: int, item: ItemInput) -> PaymentLinkItem:
    return PaymentLinkItem(
        position=position,
        price_id=item.price_id,
        quantity=item.quantity,
        adjustable_quantity=item.adjustable_quantity,
        min_quantity=item.min_quantity,
        max_quantity=item.max_quantity,
        tax_rate_id=item.tax_rate_id,
        discount_id=item.discount_id,
    )


def _field_input(field: CustomField) -> CustomFieldInput:
    return CustomFieldInput(
        label=field.label,
        kind=field.kind,
        required=field.required,
        options=tuple(field.options),
    )


def _new_field(position: int, custom: CustomFieldInput, keys: set[str]) -> CustomField:
    """Make a field whose form key comes from its label, as t_shirt_size."""
    base = _NOT_KEY.sub("_", custom.label.lower()).strip("_")[: MAX_KEY_LENGTH - 3]
    key = base or f"field_{position + 1}"
    suffix = 2
    while key in keys:
        key = f"{base or 'field'}_{suffix}"
        suffix += 1
    keys.add(key)
    return CustomField(
        position=position,
        key=key,
        label=custom.label,
        kind=custom.kind,
        required=custom.required,
        options=list(custom.options),
    )
