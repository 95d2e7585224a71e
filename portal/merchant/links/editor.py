"""Filling the payment link form: choices, rows, and the values of a saved link."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from wtforms.fields.choices import SelectChoice

from portal.catalog.amounts import percent_for_input
from portal.catalog.local_time import local_input
from portal.catalog.products import price_label
from portal.catalog.taxes import tax_rate_label
from portal.links.reading import Row
from portal.links.recurrence import start_mode
from portal.merchant.layout import merchant_money
from portal.merchant.links.forms import CustomFieldRow, ItemRow, LinkForm
from portal.models import (
    Business,
    Discount,
    Fee,
    PaymentLink,
    Price,
    PriceKind,
    Product,
    TaxRate,
)

Choices = list[SelectChoice]


@dataclass(frozen=True)
class EditorChoices:
    """The options of the link form's lists, the link's own archived ones included."""

    currencies: list[str]
    prices: Choices
    tax_rates: Choices
    discounts: Choices
    fees: Choices


def editor_choices(
    session: Session, business: Business, link: PaymentLink | None = None
) -> EditorChoices:
    items = link.items if link is not None else []
    kept_prices = {item.price_id for item in items}
    kept_rates = {item.tax_rate_id for item in items} - {None}
    kept_discounts = {item.discount_id for item in items} - {None}

    currencies = list(business.currencies)
    if link is not None and link.currency not in currencies:
        currencies.append(link.currency)

    prices = session.scalars(
        select(Price)
        .join(Product)
        .options(selectinload(Price.product))
        .where(
            (Price.active.is_(True) & Product.active.is_(True))
            | Price.id.in_(list(kept_prices))
        )
        .order_by(Product.name, Price.currency, Price.unit_amount, Price.id)
    )
    rates = session.scalars(
        select(TaxRate)
        .where(TaxRate.active.is_(True) | TaxRate.id.in_(list(kept_rates)))
        .order_by(TaxRate.name, TaxRate.id)
    )
    discounts = session.scalars(
        select(Discount)
        .where(Discount.active.is_(True) | Discount.id.in_(list(kept_discounts)))
        .order_by(Discount.name, Discount.id)
    )
    fees = session.scalars(select(Fee).order_by(Fee.name, Fee.id))
    return EditorChoices(
        currencies=currencies,
        prices=[SelectChoice("", "Choose a price")]
        + [_price_choice(p) for p in prices],
        tax_rates=[SelectChoice("", "No tax")]
        + [SelectChoice(str(rate.id), tax_rate_label(rate)) for rate in rates],
        discounts=[SelectChoice("", "No discount")]
        + [SelectChoice(str(d.id), _discount_label(d)) for d in discounts],
        fees=[SelectChoice(str(fee.id), _fee_label(fee)) for fee in fees],
    )


def _price_choice(price: Price) -> SelectChoice:
    label = (
        f"{price.product.name} · {merchant_money(price.unit_amount, price.currency)}"
    )
    if price.currency not in label:
        label += f" ({price.currency})"
    if price.kind is PriceKind.RECURRING:
        label += f" · {price_label(price).lower()}"
    if not (price.active and price.product.active):
        label += " (archived)"
    # js/link-prices.js hides the prices in other currencies than the link's.
    return SelectChoice(str(price.id), label, {"data-currency": price.currency})


def _discount_label(discount: Discount) -> str:
    if discount.percent is not None:
        off = f"{percent_for_input(discount.percent)}% off"
    else:
        off = f"{merchant_money(discount.amount_off, discount.currency)} off"
    label = f"{discount.name} · {off}"
    return label if discount.active else f"{label} (inactive)"


def _fee_label(fee: Fee) -> str:
    if fee.percent is not None:
        return f"{fee.name} · {percent_for_input(fee.percent)}% of the goods"
    return f"{fee.name} · {merchant_money(fee.flat_amount, fee.currency)}"


def fill_choices(form: LinkForm, choices: EditorChoices) -> None:
    form.currency.choices = choices.currencies
    form.fee_ids.choices = choices.fees
    for entry in form.items:
        fill_item_choices(entry.form, choices)


def fill_item_choices(row: ItemRow, choices: EditorChoices) -> None:
    row.price_id.choices = choices.prices
    row.tax_rate_id.choices = choices.tax_rates
    row.discount_id.choices = choices.discounts


def new_item_row(index: int, choices: EditorChoices) -> ItemRow:
    """Return an empty line item row named ``items-<index>``, for htmx to add."""
    row = ItemRow(formdata=None, prefix=f"items-{index}-")
    fill_item_choices(row, choices)
    return row


def new_custom_field_row(index: int) -> CustomFieldRow:
    return CustomFieldRow(formdata=None, prefix=f"custom_fields-{index}-")


def next_index(rows) -> int:
    """Return the number after the highest row number of a FieldList."""
    numbers = [int(entry.name.rsplit("-", 1)[1]) for entry in rows]
    return max(numbers, default=-1) + 1


def remove_row(rows, name: str) -> None:
    rows.entries = [entry for entry in rows.entries if entry.name != name]


def form_values(form: LinkForm) -> tuple[dict[str, object], list[Row], list[Row]]:
    """Return the link's own values and its rows, for ``read_link``."""
    data = {
        field.name: field.data
        for field in form
        if field.name not in ("items", "custom_fields", "csrf_token", "key")
    }
    items = [(entry.name, entry.form.data) for entry in form.items]
    fields = [(entry.name, entry.form.data) for entry in form.custom_fields]
    return data, items, fields


def form_data_of(link: PaymentLink, timezone: str) -> dict[str, object]:
    """Return a saved link's values as the form shows them."""
    return {
        "title": link.title,
        "description": link.description or "",
        "currency": link.currency,
        "slug": link.slug,
        "items": [
            {
                "price_id": str(item.price_id),
                "quantity": str(item.quantity),
                "adjustable_quantity": item.adjustable_quantity,
                "min_quantity": str(item.min_quantity),
                "max_quantity": str(item.max_quantity),
                "tax_rate_id": str(item.tax_rate_id or ""),
                "discount_id": str(item.discount_id or ""),
            }
            for item in link.items
        ],
        "fee_ids": [str(fee.id) for fee in link.fees],
        "allow_discount_codes": link.allow_discount_codes,
        "allow_bank_debit": link.allow_bank_debit,
        "collect_name": link.collect_name.value,
        "collect_address": link.collect_address.value,
        "collect_phone": link.collect_phone.value,
        "custom_fields": [
            {
                "label": field.label,
                "kind": field.kind.value,
                "required": field.required,
                "options": "\n".join(field.options),
            }
            for field in link.custom_fields
        ],
        "after_payment_message": link.after_payment_message or "",
        "after_payment_url": link.after_payment_url or "",
        "expires_at": local_input(link.expires_at, timezone),
        "max_payments": str(link.max_payments or ""),
        "allowed_origins": "\n".join(link.allowed_origins),
        "start": start_mode(link).value,
        "start_on": link.start_on.isoformat() if link.start_on else "",
        "start_delay": str(link.start_delay or ""),
        "start_delay_unit": link.start_delay_unit or "months",
        "trial_days": str(link.trial_days or ""),
    }
